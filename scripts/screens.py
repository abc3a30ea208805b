"""Screenshots of the main pages, in Chinese and English, under docs/screens/.

``make screens`` (or ``.venv/bin/python -m scripts.screens``) builds a throw-away SQLite
database with both plans and the demo world, serves it on a free loopback port, and drives
Debian's Chromium through each role's main pages at 1280 px (and the phone pages at 390 px).
Nothing leaves the machine; the PNGs replace the previous ones. Names on the command line
(``python -m scripts.screens design exchange``) take only the shots whose names start so.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "screens"
CHROMIUM = "/usr/bin/chromium"
LANGS = {"zh": "zh_Hans_CN", "en": "en"}


@dataclass(frozen=True)
class Shot:
    name: str
    user: str  # a demo account, or "public"
    path: str
    width: int = 1280
    full_page: bool = False  # long pages: the first screen only, to keep the files small


SHOTS = (
    Shot("home-public", "public", "/", full_page=True),
    Shot("home-officer", "officer-540100", "/", full_page=True),
    Shot("home-enterprise", "ent-water", "/", full_page=True),
    Shot("dashboard", "admin", "/monitoring/dashboard"),
    Shot("warnings", "admin", "/monitoring/warnings#outliers"),
    Shot("returns", "officer-540100", "/monitoring/returns"),
    Shot("registry", "admin", "/registry/enterprises"),
    Shot("report", "admin", "/monitoring/report"),
    Shot("trace", "admin", "/trace"),
    Shot("consumer-phone", "public", "{consumer}", width=390, full_page=True),
    Shot("home-officer-phone", "officer-540100", "/", width=390),
    Shot("home-enterprise-phone", "ent-water", "/", width=390, full_page=True),
    Shot("labels", "ent-water", "/trace/labels"),
    Shot("standards", "admin", "/standards", full_page=True),
    Shot("standards-phone", "admin", "/standards", width=390, full_page=True),
    Shot("exchange", "ent-water", "/exchange", full_page=True),
    Shot("exchange-phone", "ent-water", "/exchange", width=390, full_page=True),
    Shot("design", "admin", "/design", full_page=True),
    Shot("design-phone", "admin", "/design", width=390, full_page=True),
    Shot("api-docs", "public", "/api/docs"),
)


def _serve(var_dir: Path) -> tuple[str, object]:
    import httpx
    import uvicorn
    from tests.pg import free_port

    from plateau.auth.schemas import SYSTEM
    from plateau.db import make_engine, make_sessionmaker, session_scope
    from plateau.demo import service as demo_service
    from plateau.plan import service as plan_service
    from plateau.runtime import migrate
    from plateau.settings import Settings
    from plateau.web.app import create_app

    db_url = f"sqlite:///{var_dir / 'plateau.db'}"
    migrate(db_url)
    factory = make_sessionmaker(make_engine(db_url))
    with session_scope(factory) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        demo_service.load_demo(
            session, actor=SYSTEM, credentials_file=var_dir / "demo-credentials.txt"
        )
    settings = Settings(var_dir=var_dir, database_url=db_url, secret_key="screens")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, session_factory=factory),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return url, server
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError("the screenshot server did not start")


def _consumer_path(var_dir: Path) -> str:
    from plateau.db import make_engine, make_sessionmaker, session_scope
    from plateau.trace.lineage import service as lineage_service

    factory = make_sessionmaker(make_engine(f"sqlite:///{var_dir / 'plateau.db'}"))
    with session_scope(factory) as session:
        examples = lineage_service.examples(session)
    return next(e.path for e in examples if e.kind == "item")


def main(only: list[str] | None = None) -> int:
    """Take every shot, or only those whose names start with one of ``only``."""
    from playwright.sync_api import sync_playwright

    from plateau.demo import service as demo_service

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        url, server = _serve(var_dir)
        passwords = {
            c.username: c.password
            for c in demo_service.read_credentials(var_dir / "demo-credentials.txt")
        }
        consumer = _consumer_path(var_dir)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for suffix, lang in LANGS.items():
                for shot in SHOTS:
                    if only and not shot.name.startswith(tuple(only)):
                        continue
                    ctx = browser.new_context(
                        base_url=url, viewport={"width": shot.width, "height": 900}
                    )
                    ctx.add_cookies([{"name": "plateau_lang", "value": lang, "url": url}])
                    page = ctx.new_page()
                    if shot.user != "public":
                        page.goto("/login")
                        page.fill("#username", shot.user)
                        page.fill("#password", passwords[shot.user])
                        page.click("form.box button[type=submit]")
                        page.wait_for_url("**/")
                    page.goto(shot.path.format(consumer=consumer))
                    page.wait_for_load_state("networkidle")
                    target = OUT / f"{shot.name}-{suffix}.png"
                    page.screenshot(path=str(target), full_page=shot.full_page)
                    print(target.relative_to(OUT.parents[1]))
                    ctx.close()
            browser.close()
        server.should_exit = True  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
