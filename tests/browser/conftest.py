"""Browser tests: the real app under uvicorn on loopback, driven by Debian's Chromium.

The live server runs once per backend: SQLite, then PostgreSQL (a throw-away cluster from
tests/pg.py, as the database tests use). Every browser test runs on SQLite; those marked
``both_backends`` (consumer page, genealogy, recall, returns entry, approval and lock, the
dashboard, the recognition flow from nomination to results and the exchange's need → match →
contact) run on PostgreSQL too. Why not all of them: on this 2-core machine the whole set
on both backends took over 6 minutes, the demo load alone ~50 s per backend under load
(~15 s SQLite, ~26 s PostgreSQL when the machine is quiet), and the other tests exercise
pages whose queries the database tests already run on both. ``PLATEAU_BROWSER_BACKENDS=all``
runs every browser test on both.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from plateau.auth.schemas import SYSTEM, Role
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.runtime import migrate
from plateau.settings import Settings
from tests.builders import PASSWORD, make_user
from tests.pg import free_port

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_backends: a browser test that runs on PostgreSQL as well as SQLite"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "live_server" not in metafunc.fixturenames:
        return
    both = metafunc.definition.get_closest_marker("both_backends") is not None
    if os.environ.get("PLATEAU_BROWSER_BACKENDS") == "all":
        both = True
    # Session scope: one server per backend, every SQLite test before any PostgreSQL one.
    metafunc.parametrize(
        "live_server", BACKENDS if both else BACKENDS[:1], indirect=True, scope="session"
    )


CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying the network this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    url: str
    db_url: str
    var_dir: Path
    backend: str


@pytest.fixture(scope="session")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """Serve a fresh database with both plans, the demo world and known users."""
    from plateau.demo import service as demo_service
    from plateau.plan import service as plan_service
    from plateau.web.app import create_app

    backend: str = request.param
    var_dir = tmp_path_factory.mktemp(f"live-{backend}")
    if backend == "sqlite":
        db_url = f"sqlite:///{var_dir / 'plateau.db'}"
    else:
        db_url = request.getfixturevalue("pg_server").create_database("plateau_browser")
    migrate(db_url)
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    settings = Settings(var_dir=var_dir, database_url=db_url, secret_key="browser-tests")
    with session_scope(factory) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        demo_service.load_demo(
            session, actor=SYSTEM, credentials_file=var_dir / "demo-credentials.txt"
        )
        make_user(session, Role.REGION_ADMIN, username="b-admin")
        make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540600", username="b-nagqu")
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, session_factory=factory),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the live server did not start")
    yield LiveServer(url=url, db_url=db_url, var_dir=var_dir, backend=backend)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it with apt-get")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def watch_csp(pg: Page) -> list[str]:
    """Collect the Content Security Policy violations the page reports in its console."""
    violations: list[str] = []
    pg.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    violations = watch_csp(pg)
    yield pg
    context.close()
    # Every browser test doubles as a check that the CSP lets the page work.
    assert violations == []


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("form.box button[type=submit]")
    page.wait_for_url("**/")


def demo_password(live_server: LiveServer, username: str) -> str:
    """The password the demo wrote for one of its accounts (officers, enterprises)."""
    from plateau.demo import service as demo_service

    found = demo_service.read_credentials(live_server.var_dir / "demo-credentials.txt")
    return next(c.password for c in found if c.username == username)
