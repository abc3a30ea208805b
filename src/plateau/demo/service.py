"""The synthetic demo world: loading it into a database, and summarising what is there.

The demo writes registry, monitoring and forecasting rows with bulk inserts rather than
through each domain's per-row services (thousands of returns and a hundred thousand sales
rows would take minutes that way). It keeps those services' rules all the same: every
USCC and GTIN comes from ``registry.identifiers`` and every reference is read from the
database; ``tests/demo`` runs the registry's own validation over everything generated.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.models import User
from plateau.auth.schemas import Actor, Role, UserCreate
from plateau.db import utcnow
from plateau.demo.calibration import CALIBRATION_YEAR, PLAN_2022, FirmInfo, YearFigures, calibration
from plateau.demo.catalog import placeholder_photo
from plateau.demo.generator import GENERATOR_VERSION, World, generate_world
from plateau.demo.models import DemoRun
from plateau.demo.reference import read_reference
from plateau.demo.schemas import DemoCredential, DemoSummary
from plateau.errors import Conflict, DomainError, Forbidden, ValidationFailed
from plateau.forecast.models import SalesRecord
from plateau.i18n import _
from plateau.monitoring.models import (
    AnnualReturn,
    MonthlyReturn,
    PeriodLock,
    RegionInput,
    ReturnValue,
)
from plateau.registry.models import (
    Brand,
    Certification,
    CompanyPrefix,
    Enterprise,
    EnterpriseStatus,
    InvestmentProject,
    Park,
    Prefecture,
    Product,
    ProductPhoto,
)
from plateau.settings import get_settings

DEFAULT_SEED = 2023
CREDENTIALS_FILE = "demo-credentials.txt"
DEMO_PARK = "lhasa_etdz"
# Enterprise accounts for three showcase enterprises (see World.showcase).
ENTERPRISE_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("ent-water", "water"),
    ("ent-medicine", "medicine"),
    ("ent-barley", "barley"),
)
CHUNK = 5000

Progress = Callable[[str, int, int], None]


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


def demo_loaded(session: Session) -> bool:
    """Tell whether the demo dataset has been loaded into this database."""
    return session.scalar(select(DemoRun.id).limit(1)) is not None


def latest_run(session: Session) -> DemoRun | None:
    """Return the record of the last demo load, if any."""
    return session.scalar(select(DemoRun).order_by(DemoRun.id.desc()).limit(1))


def showcase(session: Session) -> dict[str, str]:
    """USCCs of the enterprises later demos build on (water, medicine, barley, yak), if loaded."""
    run = latest_run(session)
    if run is None or not run.summary:
        return {}
    found: dict[str, str] = json.loads(run.summary).get("showcase", {})
    return found


def demo_usernames(session: Session) -> set[str]:
    """The user names the demo creates (so they are not mistaken for real users)."""
    names = {"admin", "analyst", f"park-{DEMO_PARK}"}
    names.update(f"officer-{code}" for code in session.scalars(select(Prefecture.code)))
    names.update(name for name, _role in ENTERPRISE_ACCOUNTS)
    return names


def real_data(session: Session) -> dict[str, int]:
    """Count the records that are not demo data: enterprises from elsewhere, other users."""
    enterprises = (
        session.scalar(
            select(func.count()).select_from(Enterprise).where(Enterprise.source != "demo")
        )
        or 0
    )
    users = (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.username.not_in(demo_usernames(session)))
        )
        or 0
    )
    return {"enterprises": enterprises, "users": users}


def credentials_path() -> Path:
    """Where the demo accounts' passwords are written (under the var directory)."""
    return get_settings().var_dir / CREDENTIALS_FILE


def load_demo(
    session: Session,
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    force: bool = False,
    actor: Actor,
    credentials_file: Path | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate the demo world and load it; refuse to mix it into real data unless forced."""
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may load the demo dataset."))
    report = progress or _no_progress
    run = latest_run(session)
    if run is not None:
        raise Conflict(
            _(
                "The demo dataset is already loaded (seed %(seed)s, loaded %(when)s); it is loaded once per database.",
                seed=run.seed,
                when=run.loaded_at.date().isoformat(),
            )
        )
    if not force:
        found = real_data(session)
        if found["enterprises"] or found["users"]:
            raise Conflict(
                _(
                    "The database holds real data (%(enterprises)s enterprises and %(users)s user accounts not from the demo); the synthetic demo dataset is not mixed into it. Use --force to load it anyway.",
                    enterprises=found["enterprises"],
                    users=found["users"],
                )
            )
    ref = read_reference(session)
    if not ref.prefectures or not ref.industries:
        raise DomainError(
            _(
                "Load the plans first (plateau init): the demo world is built on their places, industries and parks."
            )
        )
    report(_("Generating the demo world"), 0, 1)
    try:
        world = generate_world(ref, seed=seed, today=today)
    except ValueError as exc:
        raise ValidationFailed(
            _(
                "The demo history runs to the month before “today”, which must be February 2023 or later."
            )
        ) from exc
    report(_("Generating the demo world"), 1, 1)
    _insert_world(session, world, report)
    usccs = {e["key"]: e["uscc"] for e in world.enterprises}
    credentials = _create_users(session, world, usccs, actor=actor)
    path = credentials_file or credentials_path()
    if credentials:
        write_credentials(path, credentials)
    counts = _counts(session)
    calib = _db_calibration(session)
    summary = DemoSummary(
        seed=seed,
        version=GENERATOR_VERSION,
        as_of=world.today,
        first_month=world.first_month.strftime("%Y-%m"),
        last_month=world.last_month.strftime("%Y-%m"),
        counts=counts,
        calibration=calib,
        plan_2022=PLAN_2022,
        showcase={role: usccs[key] for role, key in sorted(world.showcase.items())},
        closed={usccs[key]: d.strftime("%Y-%m") for key, d in sorted(world.closed.items())},
        users=[c.username for c in credentials],
        credentials_file=str(path) if credentials else None,
    )
    record = DemoRun(
        seed=seed,
        version=GENERATOR_VERSION,
        as_of_date=world.today,
        loaded_at=utcnow(),
        summary=summary.model_dump_json(exclude={"users", "credentials_file"}),
    )
    session.add(record)
    session.flush()
    # Imported here: trace_world builds on this module.
    from plateau.demo import trace_world

    trace_world.load_trace_world(
        session,
        actor=actor,
        showcase=summary.showcase,
        today=world.today,
        seed=seed,
        progress=progress,
    )
    from plateau.demo import recognition_world

    more = recognition_world.load_recognition_world(
        session, actor=actor, today=world.today, seed=seed
    )
    from plateau.demo import standards_world

    standards_world.load_standards_world(session, actor=actor, today=world.today)
    from plateau.demo import exchange_world

    exchange_world.load_exchange_world(session, actor=actor)
    from plateau.demo import design_world

    more = [*more, *design_world.load_design_world(session, actor=actor)]
    if more:
        credentials = [*credentials, *more]
        write_credentials(path, credentials)
        summary.users = [c.username for c in credentials]
        summary.credentials_file = str(path)
    summary.loaded_at = record.loaded_at
    return summary


def _chunks(
    rows: Sequence[dict[str, Any]], size: int = CHUNK
) -> Iterable[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _insert_returning(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement per batch and return their new ids in order."""
    if not rows:
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, rows))


def _insert_world(session: Session, world: World, report: Progress) -> None:
    """Write the world's rows, mapping its local keys to the ids the database gives."""
    now = utcnow()
    step = _("Writing enterprises and their holdings")
    report(step, 0, 7)
    ent_rows = [
        {k: v for k, v in e.items() if k != "key"} | {"created_at": now, "updated_at": now}
        for e in world.enterprises
    ]
    ent_ids = dict(
        zip(
            (e["key"] for e in world.enterprises),
            _insert_returning(session, Enterprise, ent_rows),
            strict=True,
        )
    )
    report(step, 1, 7)
    _bulk(
        session,
        EnterpriseStatus,
        [
            {k: v for k, v in s.items() if k != "enterprise_key"}
            | {"enterprise_id": ent_ids[s["enterprise_key"]]}
            for s in world.statuses
        ],
    )
    report(step, 2, 7)
    brand_ids = dict(
        zip(
            (b["key"] for b in world.brands),
            _insert_returning(
                session,
                Brand,
                [
                    {k: v for k, v in b.items() if k not in ("key", "enterprise_key")}
                    | {"enterprise_id": ent_ids[b["enterprise_key"]]}
                    for b in world.brands
                ],
            ),
            strict=True,
        )
    )
    report(step, 3, 7)
    product_ids = dict(
        zip(
            (p["key"] for p in world.products),
            _insert_returning(
                session,
                Product,
                [
                    {k: v for k, v in p.items() if k not in ("key", "enterprise_key", "brand_key")}
                    | {
                        "enterprise_id": ent_ids[p["enterprise_key"]],
                        "brand_id": brand_ids[p["brand_key"]],
                    }
                    for p in world.products
                ],
            ),
            strict=True,
        )
    )
    # Each firm's GS1 company prefix (GS1 China, 9 digits), as on its member certificate:
    # the GTINs above were built from it, and its own new products may be registered in it.
    _bulk(
        session,
        CompanyPrefix,
        [
            {"enterprise_id": ent_ids[key], "prefix": prefix, "kind": "licensed"}
            for key, prefix in sorted(
                {(p["enterprise_key"], p["gtin"][1:10]) for p in world.products}
            )
        ],
    )
    _bulk(
        session,
        ProductPhoto,
        [
            {"product_id": product_ids[p["key"]], "content_type": "image/png", "data": photo}
            for p in world.products
            if (photo := placeholder_photo(p["name_zh"])) is not None
        ],
    )
    report(step, 4, 7)
    _bulk(
        session,
        Certification,
        [
            {k: v for k, v in c.items() if k not in ("enterprise_key", "product_key")}
            | {
                "enterprise_id": ent_ids[c["enterprise_key"]],
                "product_id": product_ids[c["product_key"]] if c["product_key"] else None,
            }
            for c in world.certifications
        ],
    )
    report(step, 5, 7)
    _bulk(
        session,
        InvestmentProject,
        [
            {k: v for k, v in p.items() if k != "enterprise_key"}
            | {
                "enterprise_id": ent_ids[p["enterprise_key"]] if p["enterprise_key"] else None,
                "created_at": now,
            }
            for p in world.projects
        ],
    )
    report(step, 6, 7)
    existing = {
        (i, sc, y)
        for i, sc, y in session.execute(
            select(RegionInput.indicator, RegionInput.scope, RegionInput.year)
        )
    }
    _bulk(
        session,
        RegionInput,
        [r for r in world.region_inputs if (r["indicator"], r["scope"], r["year"]) not in existing],
    )
    report(step, 7, 7)

    step = _("Writing monthly returns")
    returns = [
        {k: v for k, v in r.items() if k != "enterprise_key"}
        | {"enterprise_id": ent_ids[r["enterprise_key"]]}
        for r in world.returns
    ]
    for i, chunk in enumerate(_chunks(returns)):
        report(step, i * CHUNK, len(returns))
        _bulk(session, MonthlyReturn, chunk)
    report(step, len(returns), len(returns))
    # The months whose returns the generator marked locked were locked by the administrator.
    locked = sorted({r["period"] for r in world.returns if r["status"] == "locked"})
    if locked:
        _bulk(
            session,
            PeriodLock,
            [
                {"period": p.strftime("%Y-%m"), "locked_at": utcnow(), "locked_by": "system"}
                for p in locked
            ],
        )

    # Annual returns (年报) and their figures, e.g. completed fixed-asset investment.
    figures = ("fixed_asset_investment",)
    annual = world.annual_returns
    annual_ids = _insert_returning(
        session,
        AnnualReturn,
        [
            {k: v for k, v in r.items() if k != "enterprise_key" and k not in figures}
            | {"enterprise_id": ent_ids[r["enterprise_key"]]}
            for r in annual
        ],
    )
    _bulk(
        session,
        ReturnValue,
        [
            {"annual_return_id": rid, "element": f, "value": r[f]}
            for rid, r in zip(annual_ids, annual, strict=True)
            for f in figures
            if r.get(f) is not None
        ],
    )

    step = _("Writing sales records")
    sales = [
        {k: v for k, v in r.items() if k != "product_key"}
        | {"product_id": product_ids[r["product_key"]]}
        for r in world.sales
    ]
    for i, chunk in enumerate(_chunks(sales)):
        report(step, i * CHUNK, len(sales))
        _bulk(session, SalesRecord, chunk)
    report(step, len(sales), len(sales))
    session.flush()


def _bulk(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        # The Core table insert: executemany without per-row ORM bookkeeping.
        session.execute(insert(model.__table__), list(rows))


def _create_users(
    session: Session, world: World, usccs: dict[int, str], *, actor: Actor
) -> list[DemoCredential]:
    """Create the demo accounts that do not exist yet, with random passwords."""
    wanted: list[tuple[str, Role, str | None, str]] = [
        ("admin", Role.REGION_ADMIN, None, "区域管理员（演示）"),
        ("analyst", Role.ANALYST, None, "分析员（演示）"),
    ]
    for code, name in session.execute(
        select(Prefecture.code, Prefecture.name_zh).order_by(Prefecture.code)
    ):
        wanted.append(
            (
                f"officer-{code}",
                Role.PREFECTURE_OFFICER,
                f"prefecture:{code}",
                f"{name}经信局（演示）",
            )
        )
    park = session.get(Park, DEMO_PARK)
    if park is not None:
        wanted.append(
            (
                f"park-{DEMO_PARK}",
                Role.PARK_OFFICER,
                f"park:{DEMO_PARK}",
                f"{park.name_zh}管委会（演示）",
            )
        )
    names = {e["key"]: e["name"] for e in world.enterprises}
    for username, role in ENTERPRISE_ACCOUNTS:
        key = world.showcase.get(role)
        if key is not None:
            wanted.append((username, Role.ENTERPRISE_USER, f"enterprise:{usccs[key]}", names[key]))
    existing = {u.lower() for u in session.scalars(select(User.username))}
    created: list[DemoCredential] = []
    for username, role, scope, display in wanted:
        if username.lower() in existing:
            continue  # a forced load next to real accounts never takes one over
        password = secrets.token_urlsafe(12)
        auth_service.create_user(
            session,
            data=UserCreate(
                username=username, password=password, role=role, scope=scope, display_name=display
            ),
            actor=actor,
        )
        created.append(
            DemoCredential(username=username, password=password, role=role.value, scope=scope)
        )
    return created


def write_credentials(path: Path, credentials: Sequence[DemoCredential]) -> None:
    """Write ``username password role scope`` lines, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# Plateau demo accounts: username password role scope\n")
        for c in credentials:
            fh.write(c.line() + "\n")
    os.chmod(path, 0o600)


def read_credentials(path: Path | None = None) -> list[DemoCredential]:
    """Read the demo accounts written at load time (empty if there is no file)."""
    path = path or credentials_path()
    if not path.exists():
        return []
    out: list[DemoCredential] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 4 or line.startswith("#"):
            continue
        username, password, role, scope = parts
        out.append(
            DemoCredential(
                username=username,
                password=password,
                role=role,
                scope=None if scope == "-" else scope,
            )
        )
    return out


def _counts(session: Session) -> dict[str, int]:
    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return {
        "enterprises": count(Enterprise, Enterprise.source == "demo"),
        "statuses": count(EnterpriseStatus),
        "brands": count(Brand),
        "products": count(Product),
        "certifications": count(Certification),
        "investment_projects": count(InvestmentProject),
        "monthly_returns": count(MonthlyReturn),
        "region_inputs": count(RegionInput),
        "sales_records": count(SalesRecord),
        "users": count(User),
    }


def _db_calibration(session: Session) -> dict[str, float]:
    """The 2022 calibration check, computed from what the database holds."""
    year = CALIBRATION_YEAR
    figures: dict[tuple[Any, int], YearFigures] = {}
    for y in (2020, year):
        stmt = (
            select(
                MonthlyReturn.enterprise_id,
                func.sum(MonthlyReturn.output_value_cny),
                func.sum(MonthlyReturn.revenue_cny),
                func.sum(MonthlyReturn.product_volume_t),
            )
            .where(MonthlyReturn.period >= date(y, 1, 1), MonthlyReturn.period <= date(y, 12, 1))
            .group_by(MonthlyReturn.enterprise_id)
        )
        for ent_id, out, rev, vol in session.execute(stmt):
            figures[(ent_id, y)] = YearFigures(float(out or 0), float(rev or 0), float(vol or 0))
    firms = {
        i: FirmInfo(ind, pref, park)
        for i, ind, pref, park in session.execute(
            select(
                Enterprise.id,
                Enterprise.industry_id,
                Enterprise.prefecture_code,
                Enterprise.park_id,
            )
        )
    }
    statuses = [
        (e, k, f, t)
        for e, k, f, t in session.execute(
            select(
                EnterpriseStatus.enterprise_id,
                EnterpriseStatus.kind,
                EnterpriseStatus.valid_from,
                EnterpriseStatus.valid_to,
            )
        )
    ]
    gmp = [
        (e, f, t)
        for e, f, t in session.execute(
            select(
                Certification.enterprise_id, Certification.valid_from, Certification.valid_to
            ).where(Certification.kind == "gmp")
        )
    ]
    production = session.scalar(
        select(RegionInput.value).where(
            RegionInput.indicator == "highland_barley_production",
            RegionInput.scope == "region",
            RegionInput.year == 2020,
        )
    )
    return calibration(
        figures=figures,
        firms=firms,
        statuses=statuses,
        gmp=gmp,
        barley_production_2020=float(production) if production is not None else None,
    )


def summary(session: Session) -> dict[str, Any]:
    """Counts of what the database holds and the 2022 calibration check against the plan."""
    run = latest_run(session)
    loaded: dict[str, Any] | None = None
    if run is not None:
        stored = json.loads(run.summary) if run.summary else {}
        loaded = {
            "seed": run.seed,
            "version": run.version,
            "loaded_at": run.loaded_at.isoformat(),
            "as_of": run.as_of_date.isoformat() if run.as_of_date else None,
            "first_month": stored.get("first_month"),
            "last_month": stored.get("last_month"),
            "showcase": stored.get("showcase", {}),
            "closed": stored.get("closed", {}),
        }
    return {
        "demo": loaded,
        "counts": _counts(session),
        "calibration": _db_calibration(session),
        "plan_2022": PLAN_2022,
    }
