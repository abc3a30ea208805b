"""Indicator engine vs. one plain SQL GROUP BY, and the region dashboard (issue #3).

For each backend: build a fresh database by running the migrations and loading the plans,
generate N enterprises × Y years of monthly returns, then time (best of --repeat,
``time.perf_counter``):

- ``engine, annual``: ``analytics.service.context(monthly_years=())`` — every indicator,
  every aggregate scope, every year (what the dashboard and exports start from);
- ``engine, all periods``: ``context(monthly_years=None)`` — the same plus every month and
  year to date of the money indicators: the full recomputation;
- ``GROUP BY, annual`` / ``GROUP BY, months``: the sums of output, revenue and value added
  per scope (region, industry, prefecture, park, program) and year (or month), as ONE
  statement — ``GROUPING SETS`` on PostgreSQL, ``UNION ALL`` on SQLite, which has none;
- ``GROUP BY, one scan``: the same sums grouped once by (industry, prefecture, park, program,
  period) and then added up per scope from that small result — one pass over the table on
  every backend (the stricter baseline on SQLite, where the ``UNION ALL`` reads it 5 times);
- ``facts rebuild``: ``aggregates.rebuild`` — the pre-aggregates recomputed from the returns,
  what the engine pays from scratch on top of its read of them (docs/decisions/0004);
- ``dashboard``: ``GET /monitoring/dashboard`` through ``TestClient`` with an admin's token:
  the first request, the best warm one, and the first right after a write (a return
  returned for correction and submitted again, committed).

The engine is timed with the table cache emptied before each run (a full recomputation from
the pre-aggregates). The ratios divide the engine by the faster GROUP BY of the same periods
measured in the same run.
The GROUP BY is a floor, not the same answer: it sums every counted return, whereas the
engine also decides above-size membership per enterprise-year, counts statuses, deflates
growth and so on.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import (
    Engine,
    Select,
    case,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM, Actor, Role, TokenCreate, UserCreate
from plateau.db import make_engine
from plateau.monitoring.analytics import aggregates, cache
from plateau.monitoring.analytics import facts as facts_repo
from plateau.monitoring.analytics import service as analytics_service
from plateau.monitoring.analytics.indicators import Catalog, catalog
from plateau.monitoring.models import MonthlyReturn, RegionInput
from plateau.plan import service as plan_service
from plateau.registry.identifiers import make_uscc
from plateau.registry.models import Enterprise, EnterpriseStatus, IndustryClass, Park, Prefecture
from plateau.runtime import migrate
from plateau.settings import Settings

console = Console()

RATIO_TARGET = 2.0
DASHBOARD_TARGET_MS = 200.0
CHUNK = 20_000
LAST_YEAR = 2025  # the data end in December of this year: every generated year is complete
SEED = 533
ADMIN = "bench-admin"
PASSWORD = "bench-password-533"


@dataclass
class Timing:
    what: str
    seconds: float


@dataclass
class Result:
    backend: str
    enterprises: int
    years: int
    returns: int
    load_s: float
    engine_annual: Timing
    engine_full: Timing
    sql_annual: Timing
    sql_months: Timing
    scan_annual: Timing
    scan_months: Timing
    rebuild: Timing
    dashboard_first_ms: float
    dashboard_ms: float
    write_ms: float
    dashboard_after_write_ms: float
    warm_up_ms: float
    dashboard_after_warm_up_ms: float

    @property
    def base_annual(self) -> float:
        return min(self.sql_annual.seconds, self.scan_annual.seconds)

    @property
    def base_months(self) -> float:
        return min(self.sql_months.seconds, self.scan_months.seconds)

    @property
    def ratio_annual(self) -> float:
        return self.engine_annual.seconds / self.base_annual

    @property
    def ratio_full(self) -> float:
        return self.engine_full.seconds / self.base_months

    @property
    def ratio_scratch(self) -> float:
        return (self.rebuild.seconds + self.engine_full.seconds) / self.base_months


# --- the database ---


@contextmanager
def database(backend: str, *, keep: bool) -> Iterator[str]:
    """Yield the URL of an empty database: a temp SQLite file or a throw-away PostgreSQL."""
    if backend == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="plateau-bench-"))
        try:
            yield f"sqlite:///{tmp / 'bench.db'}"
        finally:
            if keep:
                console.print(f"kept {tmp / 'bench.db'}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        return
    try:
        # The test suite's throw-away server (initdb + pg_ctl, runuser as root).
        from tests.pg import start_server
    except ImportError as exc:  # pragma: no cover - run from the repository root
        raise SystemExit("run `python -m bench` from the repository root") from exc
    server = start_server()
    try:
        yield server.create_database("plateau_bench")
    finally:
        server.stop()


def planner_statistics(engine: Engine) -> None:
    """Give the planner what a database in service has: on PostgreSQL, ``VACUUM ANALYZE``
    (what autovacuum keeps up in production). On SQLite, nothing: the platform never runs
    ``ANALYZE`` there, so its databases have no ``sqlite_stat1``, and the figures should be
    those of such a database. (Earlier runs sent ``ANALYZE`` on SQLite too, but the engine
    opens every connection's transaction itself, so it was rolled back: their figures were
    without statistics as well. With statistics SQLite plans the trace's walk worse: see
    docs/performance.md, "SQLite with statistics".)"""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def _money(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def generate(engine: Engine, *, enterprises: int, years: int) -> int:
    """Fill the registry and the returns with reproducible synthetic data; return the returns."""
    rng = random.Random(SEED)
    first_year = LAST_YEAR - years + 1
    with Session(engine) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        prefectures = list(session.scalars(select(Prefecture.code).order_by(Prefecture.code)))
        parks: dict[str, list[str]] = {}
        for park_id, pref in session.execute(select(Park.id, Park.prefecture_code)):
            parks.setdefault(pref, []).append(park_id)
        classes = [
            (code, ind)
            for code, ind in session.execute(
                select(IndustryClass.code, IndustryClass.industry_id).order_by(IndustryClass.code)
            )
            if ind is not None
        ]
        industries = sorted({ind for _c, ind in classes})
        # Deflators for growth at comparable prices: a price index per industry and year.
        session.execute(
            insert(RegionInput),
            [
                {
                    "indicator": "price_index",
                    "scope": f"industry:{ind}",
                    "year": y,
                    "value": Decimal(f"{rng.uniform(0.99, 1.04):.4f}"),
                    "unit": "index",
                    "note": "bench",
                }
                for ind in industries
                for y in range(first_year, LAST_YEAR + 1)
            ],
        )
        session.commit()

    months = [date(y, m, 1) for y in range(first_year, LAST_YEAR + 1) for m in range(1, 13)]
    total = enterprises * len(months)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console) as progress, Session(engine) as session:
        ents: list[dict[str, Any]] = []
        statuses: list[dict[str, Any]] = []
        sizes: list[float] = []
        for i in range(1, enterprises + 1):
            pref = rng.choice(prefectures)
            code, industry = rng.choice(classes)
            park = rng.choice(parks[pref]) if pref in parks and rng.random() < 0.6 else None
            ents.append(
                {
                    "id": i,
                    "uscc": make_uscc(f"91{pref}{i:09d}"),
                    "name": f"基准企业{i:05d}",
                    "prefecture_code": pref,
                    "park_id": park,
                    "gbt4754": code,
                    "industry_id": industry,
                    "founded_date": date(first_year - rng.randint(1, 20), 1, 1),
                    "source": "bench",
                }
            )
            # Annual revenue, lognormal around 15 million CNY: about 40% above size (20 M).
            sizes.append(rng.lognormvariate(16.5, 1.0))
            for kind, share in (
                ("above_designated_size", 0.15),
                ("high_tech", 0.06),
                ("specialized_sme", 0.04),
                ("green_factory", 0.02),
                ("little_giant", 0.01),
            ):
                if rng.random() < share:
                    statuses.append(
                        {
                            "enterprise_id": i,
                            "kind": kind,
                            "level": "regional",
                            "valid_from": date(rng.randint(first_year, LAST_YEAR), 1, 1),
                            "valid_to": None,
                        }
                    )
        task = progress.add_task("enterprises", total=len(ents))
        for start in range(0, len(ents), CHUNK):
            session.execute(insert(Enterprise), ents[start : start + CHUNK])
            progress.advance(task, len(ents[start : start + CHUNK]))
        session.execute(insert(EnterpriseStatus), statuses)
        session.commit()

        task = progress.add_task("monthly returns", total=total)
        rows: list[dict[str, Any]] = []
        for i, size in enumerate(sizes, start=1):
            trend = rng.uniform(-0.05, 0.15)
            for k, period in enumerate(months):
                level = size / 12 * (1 + trend) ** (k / 12) * rng.uniform(0.7, 1.3)
                output = level * rng.uniform(1.0, 1.1)
                rows.append(
                    {
                        "enterprise_id": i,
                        "period": period,
                        # A few drafts: the engine must leave them out, and so does the baseline.
                        "status": "draft" if rng.random() < 0.01 else "approved",
                        "output_value_cny": _money(output),
                        "revenue_cny": _money(level),
                        "value_added_cny": _money(output * 0.3),
                        "employees": 10 + int(size / 1e6),
                        "energy_tce": Decimal(f"{level / 1e5:.3f}"),
                    }
                )
                if len(rows) >= CHUNK:
                    session.execute(insert(MonthlyReturn), rows)
                    progress.advance(task, len(rows))
                    rows = []
        if rows:
            session.execute(insert(MonthlyReturn), rows)
            progress.advance(task, len(rows))
        session.commit()
    return total


def admin_token(engine: Engine) -> tuple[Actor, str]:
    """Create the region administrator the timings run as, and an API token for the page."""
    with Session(engine) as session:
        user = auth_service.create_user(
            session,
            data=UserCreate(username=ADMIN, password=PASSWORD, role=Role.REGION_ADMIN),
            actor=SYSTEM,
        )
        _token, plain = auth_service.create_token(
            session, username=ADMIN, data=TokenCreate(name="bench"), actor=SYSTEM
        )
        actor = auth_service.actor_for(user)
        session.commit()
    return actor, plain


# --- the baseline ---


def _program(cat: Catalog) -> ColumnElement[Any]:
    """The catalog's programs as one CASE over enterprise columns (as the engine assigns them)."""
    whens = [
        (
            Enterprise.prefecture_code.in_(p.prefectures)
            & or_(*(Enterprise.gbt4754.startswith(x) for x in p.gbt4754_prefixes)),
            literal(pid),
        )
        for pid, p in cat.programs.items()
    ]
    return case(*whens, else_=literal(None)) if whens else literal(None)


def group_by_statement(dialect: str, *, months: bool) -> Select[Any]:
    """ONE statement: Σ output, revenue, value added per scope and year (or month)."""
    cat = catalog()
    period = MonthlyReturn.period if months else extract("year", MonthlyReturn.period)
    # One row per counted return with its enterprise's keys; the grouping is done above it.
    base = (
        select(
            Enterprise.industry_id.label("industry"),
            Enterprise.prefecture_code.label("prefecture"),
            Enterprise.park_id.label("park"),
            _program(cat).label("program"),
            period.label("period"),
            MonthlyReturn.output_value_cny,
            MonthlyReturn.revenue_cny,
            MonthlyReturn.value_added_cny,
        )
        .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(MonthlyReturn.status.in_(cat.settings.counted_statuses))
        .subquery("r")
    )
    sums = [
        func.sum(base.c.output_value_cny),
        func.sum(base.c.revenue_cny),
        func.sum(base.c.value_added_cny),
    ]
    keys = [base.c.industry, base.c.prefecture, base.c.park, base.c.program]
    if dialect == "postgresql":
        sets = [tuple_(base.c.period)] + [tuple_(k, base.c.period) for k in keys]
        return select(*keys, base.c.period, *sums).group_by(func.grouping_sets(*sets))
    # SQLite has no GROUPING SETS: the same five groupings as one UNION ALL.
    parts = [select(literal("region"), literal(None), base.c.period, *sums).group_by(base.c.period)]
    parts += [
        select(literal(k.name), k, base.c.period, *sums).group_by(k, base.c.period) for k in keys
    ]
    return union_all(*parts)  # type: ignore[return-value]


def one_scan_statement(*, months: bool) -> Select[Any]:
    """ONE pass over the returns: group by the finest cell and period, then add up per scope."""
    cat = catalog()
    period = MonthlyReturn.period if months else extract("year", MonthlyReturn.period)
    keys: list[Any] = [
        Enterprise.industry_id.label("industry"),
        Enterprise.prefecture_code.label("prefecture"),
        Enterprise.park_id.label("park"),
        _program(cat).label("program"),
        period.label("period"),
    ]
    cells = (
        select(
            *keys,
            func.sum(MonthlyReturn.output_value_cny).label("o"),
            func.sum(MonthlyReturn.revenue_cny).label("r"),
            func.sum(MonthlyReturn.value_added_cny).label("v"),
        )
        .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(MonthlyReturn.status.in_(cat.settings.counted_statuses))
        .group_by(*(k.element for k in keys))  # type: ignore[attr-defined]
        .cte("cells")
    )
    sums = [func.sum(cells.c.o), func.sum(cells.c.r), func.sum(cells.c.v)]
    parts = [
        select(literal("region"), literal(None), cells.c.period, *sums).group_by(cells.c.period)
    ]
    parts += [
        select(literal(name), cells.c[name], cells.c.period, *sums).group_by(
            cells.c[name], cells.c.period
        )
        for name in ("industry", "prefecture", "park", "program")
    ]
    return union_all(*parts)  # type: ignore[return-value]


# --- timing ---


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Best wall-clock seconds of ``repeat`` calls (the first call is one of them)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run(backend: str, *, enterprises: int, years: int, repeat: int, keep: bool) -> Result:
    console.rule(f"[bold]{backend}[/]: {enterprises:,} enterprises × {years} years")
    with database(backend, keep=keep) as url:
        start = time.perf_counter()
        migrate(url)
        engine = make_engine(url)
        try:
            returns = generate(engine, enterprises=enterprises, years=years)
            actor, token = admin_token(engine)
            planner_statistics(engine)
            load_s = time.perf_counter() - start
            console.print(f"generated {returns:,} returns in {load_s:.1f} s")
            return _measure(
                engine, url, backend, actor, token, enterprises, years, returns, load_s, repeat
            )
        finally:
            engine.dispose()


def _measure(
    engine: Engine,
    url: str,
    backend: str,
    actor: Actor,
    token: str,
    enterprises: int,
    years: int,
    returns: int,
    load_s: float,
    repeat: int,
) -> Result:
    def engine_run(monthly_years: list[int] | None) -> Callable[[], object]:
        def go() -> object:
            # A fresh session and an empty table cache each time: a full recomputation.
            cache.TABLES.clear()
            with Session(engine) as session:
                return analytics_service.context(session, actor=actor, monthly_years=monthly_years)

        return go

    def scan_run(months: bool) -> Callable[[], object]:
        stmt = one_scan_statement(months=months)

        def go() -> object:
            with engine.connect() as conn:
                return conn.execute(stmt).all()

        return go

    def rebuild_run() -> object:
        with Session(engine) as session:
            cat = catalog()
            aggregates.rebuild(session, cat, facts_repo.latest_month(session, catalog=cat))
            session.commit()
        return None

    def sql_run(months: bool) -> Callable[[], object]:
        stmt = group_by_statement(engine.dialect.name, months=months)

        def go() -> object:
            with engine.connect() as conn:
                return conn.execute(stmt).all()

        return go

    timings: dict[str, float] = {}
    steps = {
        "GROUP BY, annual": sql_run(False),
        "GROUP BY, one scan, annual": scan_run(False),
        "engine, annual": engine_run([]),
        "GROUP BY, months": sql_run(True),
        "GROUP BY, one scan, months": scan_run(True),
        "engine, all periods": engine_run(None),
        "facts rebuild": rebuild_run,
    }
    for what, fn in steps.items():
        with console.status(f"timing {what} (best of {repeat})"):
            timings[what] = best_of(repeat, fn)
        console.print(f"{what}: {timings[what]:.3f} s")

    cache.TABLES.clear()
    first_ms, best_ms, write_ms, after_ms, warm_ms, warmed_ms = _dashboard(
        engine, url, token, repeat
    )
    console.print(
        f"dashboard: first {first_ms:.0f} ms, best {best_ms:.0f} ms, "
        f"write {write_ms:.0f} ms then first {after_ms:.0f} ms"
    )
    return Result(
        backend=backend,
        enterprises=enterprises,
        years=years,
        returns=returns,
        load_s=load_s,
        engine_annual=Timing("engine, annual", timings["engine, annual"]),
        engine_full=Timing("engine, all periods", timings["engine, all periods"]),
        sql_annual=Timing("GROUP BY, annual", timings["GROUP BY, annual"]),
        sql_months=Timing("GROUP BY, months", timings["GROUP BY, months"]),
        scan_annual=Timing("GROUP BY, one scan, annual", timings["GROUP BY, one scan, annual"]),
        scan_months=Timing("GROUP BY, one scan, months", timings["GROUP BY, one scan, months"]),
        rebuild=Timing("facts rebuild", timings["facts rebuild"]),
        dashboard_first_ms=first_ms,
        dashboard_ms=best_ms,
        write_ms=write_ms,
        dashboard_after_write_ms=after_ms,
        warm_up_ms=warm_ms,
        dashboard_after_warm_up_ms=warmed_ms,
    )


def _touch(engine: Engine) -> None:
    """A write that moves the indicators: one counted return returned, then submitted again."""
    with Session(engine) as session:
        ret = session.scalars(
            select(MonthlyReturn)
            .where(MonthlyReturn.status == "approved")
            .order_by(MonthlyReturn.period.desc())
            .limit(1)
        ).one()
        ret.status = "returned"
        session.commit()
        ret.status = "submitted"
        session.commit()


def _dashboard(
    engine: Engine, url: str, token: str, repeat: int
) -> tuple[float, float, float, float, float, float]:
    """Milliseconds of the region dashboard: the first request, the best of ``repeat`` more,
    a write (two commits) and the first request after it; then another write, the
    dashboard warm-up job it queued, and the first request after that."""
    with warnings.catch_warnings():
        # Starlette's TestClient warns about its httpx dependency on import; nothing to act on.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from plateau.db import make_sessionmaker
    from plateau.jobs import service as jobs_service
    from plateau.web.app import create_app

    factory = make_sessionmaker(engine)
    with tempfile.TemporaryDirectory(prefix="plateau-bench-var-") as var:
        # No worker threads: the benchmark runs the warm-up itself, between its requests.
        settings = Settings(var_dir=Path(var), secret_key="bench", database_url=url, job_workers=0)
        app = create_app(settings, session_factory=factory)
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(app, base_url="http://testserver") as client:

            def get() -> None:
                response = client.get("/monitoring/dashboard", headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"dashboard answered {response.status_code}")

            first = best_of(1, get)
            best = best_of(repeat, get)
            jobs_service.run_pending(factory, kind="analytics.warmup")  # the data load's
            write = best_of(1, lambda: _touch(engine))
            # Without the warm-up job: the request recomputes.
            after = best_of(1, get)
            _touch(engine)
            warm = best_of(1, lambda: jobs_service.run_pending(factory, kind="analytics.warmup"))
            warmed = best_of(1, get)
    return first * 1000, best * 1000, write * 1000, after * 1000, warm * 1000, warmed * 1000


# --- report ---


def _met(ok: bool) -> str:
    return "[green]yes[/]" if ok else "[red]no[/]"


def report(results: list[Result]) -> None:
    table = Table(title="Indicator engine vs. plain SQL GROUP BY (best of the runs)")
    for col in ("backend", "what", "seconds", "÷ faster GROUP BY", "ratio ≤ 2"):
        table.add_column(col, justify="right" if col in ("seconds",) else "left")
    for r in results:
        rows: list[tuple[str, float, str, str]] = [
            ("GROUP BY, annual (one statement)", r.sql_annual.seconds, "", ""),
            ("GROUP BY, annual (one scan)", r.scan_annual.seconds, "", ""),
            (
                "engine, annual",
                r.engine_annual.seconds,
                f"{r.ratio_annual:.2f}",
                _met(r.ratio_annual <= RATIO_TARGET),
            ),
            ("GROUP BY, months (one statement)", r.sql_months.seconds, "", ""),
            ("GROUP BY, months (one scan)", r.scan_months.seconds, "", ""),
            (
                "engine, all periods",
                r.engine_full.seconds,
                f"{r.ratio_full:.2f}",
                _met(r.ratio_full <= RATIO_TARGET),
            ),
            ("facts rebuild", r.rebuild.seconds, "", ""),
            (
                "rebuild + engine, all periods (from scratch)",
                r.rebuild.seconds + r.engine_full.seconds,
                f"{r.ratio_scratch:.2f}",
                _met(r.ratio_scratch <= RATIO_TARGET),
            ),
        ]
        for k, (what, seconds, ratio, met) in enumerate(rows):
            table.add_row(
                r.backend if k == 0 else "",
                what,
                f"{seconds:.3f}",
                ratio,
                met,
                end_section=k == len(rows) - 1,
            )
    console.print(table)
    pages = Table(title="Region dashboard, GET /monitoring/dashboard (admin token)")
    for col in (
        "backend",
        "returns",
        "first ms",
        "best ms",
        "< 200 ms",
        "write ms",
        "first after write ms",
        "warm-up job ms",
        "first after write + warm-up ms",
    ):
        pages.add_column(col)
    for r in results:
        pages.add_row(
            r.backend,
            f"{r.enterprises:,} × {r.years * 12} = {r.returns:,}",
            f"{r.dashboard_first_ms:.0f}",
            f"{r.dashboard_ms:.0f}",
            _met(r.dashboard_ms < DASHBOARD_TARGET_MS),
            f"{r.write_ms:.0f}",
            f"{r.dashboard_after_write_ms:.0f}",
            f"{r.warm_up_ms:.0f}",
            f"{r.dashboard_after_warm_up_ms:.0f}",
        )
    console.print(pages)


def main(backends: list[str], *, enterprises: int, years: int, repeat: int, keep: bool) -> bool:
    """Run the benchmark on each backend and print the tables; True if every target is met."""
    results = [
        run(b, enterprises=enterprises, years=years, repeat=repeat, keep=keep) for b in backends
    ]
    report(results)
    return all(
        r.ratio_annual <= RATIO_TARGET
        and r.ratio_full <= RATIO_TARGET
        and r.dashboard_ms < DASHBOARD_TARGET_MS
        for r in results
    )
