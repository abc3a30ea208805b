"""Load benchmark: the real server under a realistic crowd, driven by Locust (issue #8).

For each backend it builds a fresh database with the plans and the demo world, issues API
tokens to demo accounts, starts ``uvicorn plateau.web.app:create_app --factory`` with several
workers on a loopback port, and runs Locust headless for a bounded time with the users of
``bench/load_locustfile.py``: consumer-page scans (most of the traffic), EPCIS capture from
several enterprises, officers on dashboards and returns, API clients with tokens, an import
now and then. It prints requests, errors by kind and p50/p95/p99 per route, then checks that
every capture and import the server acknowledged is stored.

The machine's other work shares its cores with the server and Locust: figures are of this
run, on this machine, at that moment.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM, TokenCreate
from plateau.db import chunked, make_engine, make_sessionmaker, session_scope

console = Console()
LOCUSTFILE = Path(__file__).with_name("load_locustfile.py")
IMPORT_BLOCKS = 40
KEEP_ALIVE_S = 75
IMPORT_ROWS = 50


@dataclass
class RouteStats:
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float


@dataclass
class LoadResult:
    backend: str
    users: int
    seconds: int
    workers: int
    requests: int = 0
    failures: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    routes: list[RouteStats] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    server_tracebacks: int = 0

    @property
    def consumer_p95(self) -> float | None:
        found = [r.p95 for r in self.routes if r.name.startswith("consumer page")]
        return found[0] if found else None

    @property
    def clean(self) -> bool:
        return self.failures == 0 and not any(self.missing.values()) and not self.server_tracebacks


@contextmanager
def database(backend: str) -> Iterator[str]:
    """Yield the URL of an empty database: a temp SQLite file or a throw-away PostgreSQL."""
    if backend == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="plateau-load-"))
        try:
            yield f"sqlite:///{tmp / 'load.db'}"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    try:
        from tests.pg import start_server
    except ImportError as exc:  # pragma: no cover - run from the repository root
        raise SystemExit("run `python -m bench` from the repository root") from exc
    server = start_server()
    try:
        yield server.create_database("plateau_load")
    finally:
        server.stop()


def prepare(url: str, var_dir: Path) -> dict[str, object]:
    """Load the plans and the demo world; return the Locust plan (tokens, paths, rows)."""
    from plateau.demo import service as demo_service
    from plateau.plan import service as plan_service
    from plateau.registry.identifiers import make_uscc
    from plateau.registry.models import Enterprise
    from plateau.runtime import migrate
    from plateau.trace.lineage import service as lineage_service

    migrate(url)
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            plan_service.load_plans(session, actor=SYSTEM)
            demo_service.load_demo(
                session, actor=SYSTEM, credentials_file=var_dir / "demo-credentials.txt"
            )

            def token(username: str) -> str:
                return auth_service.create_token(
                    session, username=username, data=TokenCreate(name="load"), actor=SYSTEM
                )[1]

            names = demo_service.demo_usernames(session)
            officers = sorted(n for n in names if n.startswith("officer-"))[:4]
            examples = lineage_service.examples(session)
            taken = set(session.scalars(select(Enterprise.uscc)))
            rows: list[list[list[str]]] = []
            n = 9_000_000
            for _block in range(IMPORT_BLOCKS):
                block = []
                while len(block) < IMPORT_ROWS:
                    n += 1
                    code = make_uscc(f"91540100MA{n:07d}")
                    if code not in taken:
                        block.append([code, f"压力测试企业{n}", "540100", "agri_food"])
                rows.append(block)
            return {
                "admin_token": token("admin"),
                "officer_tokens": [token(o) for o in officers] + [token("admin")],
                "enterprise_tokens": [token(name) for name, _r in demo_service.ENTERPRISE_ACCOUNTS],
                "api_tokens": [token("analyst"), token("admin")],
                "consumer_paths": [e.path for e in examples if e.path.startswith("/01/")],
                "import_rows": rows,
            }
    finally:
        engine.dispose()


@contextmanager
def server(url: str, var_dir: Path, workers: int, log: Path) -> Iterator[str]:
    """Run uvicorn with ``workers`` processes on a free loopback port; yield its base URL."""
    from tests.pg import free_port

    port = free_port()
    env = {
        **os.environ,
        "PLATEAU_DATABASE_URL": url,
        "PLATEAU_VAR_DIR": str(var_dir),
        "PLATEAU_SECRET_KEY": "load-benchmark",
        # As in a deployment: the web workers only answer requests; background jobs
        # (webhook deliveries, dashboard warm-up, imports) run in their own process.
        "PLATEAU_JOB_WORKERS": "0",
    }
    jobs_log = log.with_name("jobs.log")
    with log.open("wb") as out, jobs_log.open("wb") as jobs_out:
        jobs = subprocess.Popen(
            [str(Path(sys.executable).with_name("plateau")), "jobs", "worker"],
            env=env,
            stdout=jobs_out,
            stderr=subprocess.STDOUT,
        )
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "plateau.web.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
                # Longer than any client's idle time between requests: with uvicorn's
                # default of 5 s, a client reusing a connection just as the server closed it
                # got "connection reset" (officers wait 2-5 s between pages).
                "--timeout-keep-alive",
                str(KEEP_ALIVE_S),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"the server did not start; see {log}")
            yield base
        finally:
            for p in (proc, jobs):
                p.terminate()
            for p in (proc, jobs):
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    p.kill()


def warm_up(base: str, plan: dict[str, object]) -> None:
    """Visit each kind of page a few times so that every worker has loaded its templates
    and caches before the measured run (a cold start is not what the figures are about)."""
    admin = {"Authorization": f"Bearer {plan['admin_token']}"}
    paths = plan["consumer_paths"]
    assert isinstance(paths, list)
    with httpx.Client(base_url=base, timeout=300) as client:
        for _round in range(4):
            for path in [*paths[:3], "/"]:
                client.get(path)
            for path in ("/monitoring/dashboard", "/monitoring/returns", "/epcis/events"):
                client.get(path, headers=admin)


def run_locust(base: str, plan: Path, acks: Path, *, users: int, seconds: int) -> Path:
    """Run Locust headless against ``base``; return the prefix of its CSV statistics."""
    prefix = plan.parent / "locust"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 4)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "30",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={**os.environ, "PLATEAU_LOAD_PLAN": str(plan), "PLATEAU_LOAD_ACKS": str(acks)},
        check=False,  # Locust exits 1 when a request failed; the statistics say which
        stdout=subprocess.DEVNULL,
        stderr=(plan.parent / "locust.log").open("wb"),
    )
    return prefix


def read_stats(prefix: Path, result: LoadResult) -> None:
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] == "Aggregated":
                result.requests = int(row["Request Count"])
                result.failures = int(row["Failure Count"])
                continue
            result.routes.append(
                RouteStats(
                    name=row["Name"],
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    p50=float(row["50%"] or 0),
                    p95=float(row["95%"] or 0),
                    p99=float(row["99%"] or 0),
                )
            )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                kind = f"{row['Method']} {row['Name']}: {row['Error']}"
                result.errors[kind] = result.errors.get(kind, 0) + int(row["Occurrences"])


def check_stored(url: str, acks: Path, result: LoadResult) -> None:
    """Count every acknowledged capture and import that is not in the database."""
    from plateau.registry.models import Enterprise
    from plateau.trace.epcis.models import EpcisEvent

    wanted: dict[str, list[str]] = {"capture": [], "import": []}
    if acks.exists():
        for line in acks.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            wanted[entry["kind"]].extend(entry["keys"])
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            for kind, column in (("capture", EpcisEvent.event_id), ("import", Enterprise.uscc)):
                keys = sorted(set(wanted[kind]))
                found = sum(
                    session.scalar(select(func.count()).where(column.in_(chunk))) or 0
                    for chunk in chunked(keys)
                )
                result.acknowledged[kind] = len(keys)
                result.missing[kind] = len(keys) - found
    finally:
        engine.dispose()


def run(backend: str, *, users: int, seconds: int, workers: int) -> LoadResult:
    """Prepare, serve, load and check one backend."""
    result = LoadResult(backend=backend, users=users, seconds=seconds, workers=workers)
    work = Path(tempfile.mkdtemp(prefix=f"plateau-load-{backend}-"))
    try:
        with database(backend) as url:
            console.print(f"[bold]{backend}[/]: loading the demo world …")
            plan = prepare(url, work)
            plan_file = work / "plan.json"
            plan_file.write_text(json.dumps(plan), encoding="utf-8")
            acks = work / "acks.jsonl"
            log = work / "server.log"
            with server(url, work, workers, log) as base:
                warm_up(base, plan)
                console.print(f"[bold]{backend}[/]: {users} users for {seconds} s on {base} …")
                prefix = run_locust(base, plan_file, acks, users=users, seconds=seconds)
            text = "".join(
                f.read_text(encoding="utf-8", errors="replace")
                for f in (log, log.with_name("jobs.log"))
            )
            result.server_tracebacks = text.count("Traceback (most recent call last)")
            read_stats(prefix, result)
            check_stored(url, acks, result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def report(results: list[LoadResult]) -> None:
    for r in results:
        table = Table(
            title=f"{r.backend}: {r.users} users, {r.seconds} s, {r.workers} uvicorn workers",
            title_justify="left",
        )
        for column in ("route", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"):
            table.add_column(column, justify="left" if column == "route" else "right")
        for s in sorted(r.routes, key=lambda s: -s.requests):
            table.add_row(
                s.name,
                f"{s.requests:,}",
                str(s.failures),
                f"{s.p50:.0f}",
                f"{s.p95:.0f}",
                f"{s.p99:.0f}",
            )
        table.add_row("all", f"{r.requests:,}", str(r.failures), "", "", "", end_section=True)
        console.print(table)
        for kind, count in sorted(r.errors.items()):
            console.print(f"  error ×{count}: {kind}")
        console.print(
            f"  acknowledged and stored: captures {r.acknowledged.get('capture', 0) - r.missing.get('capture', 0)}"
            f"/{r.acknowledged.get('capture', 0)} events, imports "
            f"{r.acknowledged.get('import', 0) - r.missing.get('import', 0)}"
            f"/{r.acknowledged.get('import', 0)} enterprises; server tracebacks {r.server_tracebacks}"
        )
        p95 = r.consumer_p95
        target = "met" if r.clean and p95 is not None and p95 < 300 else "NOT met"
        console.print(
            f"  target (0 errors, consumer page p95 < 300 ms): [bold]{target}[/] "
            f"(consumer p95 {p95 if p95 is not None else '—'} ms)\n"
        )


def main(backends: list[str], *, users: int, minutes: float, workers: int) -> list[LoadResult]:
    seconds = max(5, int(minutes * 60))
    results = [run(b, users=users, seconds=seconds, workers=workers) for b in backends]
    report(results)
    return results
