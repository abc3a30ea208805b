"""Loading the demo world into a database (SQLite and PostgreSQL), once per backend."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM
from plateau.demo import service as demo_service
from plateau.demo.generator import generate_world
from plateau.demo.models import DemoRun
from plateau.demo.reference import read_reference, reference_from_package
from plateau.demo.schemas import DemoSummary
from plateau.errors import Conflict
from plateau.forecast.models import SalesRecord
from plateau.monitoring.models import MonthlyReturn
from plateau.registry import service as registry_service
from plateau.registry.identifiers import validate_gtin, validate_uscc
from plateau.registry.models import County, Enterprise, IndustryClass, Park, Product
from tests.demo.conftest import LAST_MONTH, TODAY


@dataclass
class Loaded:
    session: Session
    summary: DemoSummary
    credentials: Path


@pytest.fixture(scope="module")
def loaded(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The demo loaded once for the module, inside a transaction rolled back at the end."""
    conn = engine.connect()
    trans = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    creds = tmp_path_factory.mktemp("demo") / "demo-credentials.txt"
    try:
        summary = demo_service.load_demo(session, actor=SYSTEM, today=TODAY, credentials_file=creds)
        yield Loaded(session, summary, creds)
    finally:
        session.close()
        trans.rollback()
        conn.close()


def test_the_database_reference_is_the_package_reference(loaded: Loaded) -> None:
    # So the world in the database is the world the generator tests check.
    assert read_reference(loaded.session) == reference_from_package()


def test_summary_reports_the_2022_calibration(loaded: Loaded) -> None:
    c = demo_service.summary(loaded.session)["calibration"]
    assert (
        c["above_size"],
        c["over_100m"],
        c["high_tech"],
        c["specialized_sme"],
        c["green_factory"],
    ) == (63, 14, 15, 21, 17)
    assert 5_000_000_000 <= c["output_value_cny"] <= 5_150_000_000
    assert c["water_companies_core"] == 38 and c["water_core_share_pct"] == pytest.approx(68, abs=1)
    assert c["water_volume_t"] == pytest.approx(500_000, rel=0.05)
    assert c["parks_over_100m"] == 3
    assert loaded.summary.calibration == c


def test_rows_match_the_generated_world(loaded: Loaded) -> None:
    world = generate_world(reference_from_package(), seed=demo_service.DEFAULT_SEED, today=TODAY)
    counts = demo_service.summary(loaded.session)["counts"]
    assert counts["enterprises"] == len(world.enterprises)
    assert counts["monthly_returns"] == len(world.returns)
    assert counts["sales_records"] == len(world.sales)
    # Every generated product is stored; the trace world registers a few more of its own
    # (intermediate goods such as flour), made through the registry service.
    stored = set(loaded.session.scalars(select(Product.gtin)))
    assert {p["gtin"] for p in world.products} <= stored
    assert counts["products"] == len(stored) > len(world.products)
    in_db = sorted(loaded.session.scalars(select(Enterprise.uscc)))
    assert in_db == sorted(e["uscc"] for e in world.enterprises)
    s = loaded.session
    periods = s.execute(
        select(func.min(MonthlyReturn.period), func.max(MonthlyReturn.period))
    ).one()
    assert periods == (date(2019, 1, 1), LAST_MONTH)
    dupes = s.execute(
        select(MonthlyReturn.enterprise_id, MonthlyReturn.period)
        .group_by(MonthlyReturn.enterprise_id, MonthlyReturn.period)
        .having(func.count() > 1)
    ).all()
    assert dupes == []
    assert s.scalar(select(func.sum(SalesRecord.revenue_cny))) == sum(
        r["revenue_cny"] for r in world.sales
    )


def test_stored_identifiers_and_references_pass_the_registry_rules(loaded: Loaded) -> None:
    s = loaded.session
    rows = s.execute(
        select(Enterprise, County.prefecture_code, IndustryClass.industry_id, Park.prefecture_code)
        .join(County, County.code == Enterprise.county_code)
        .join(IndustryClass, IndustryClass.code == Enterprise.gbt4754)
        .outerjoin(Park, Park.id == Enterprise.park_id)
    ).all()
    assert len(rows) == loaded.summary.counts["enterprises"]
    for ent, county_pref, class_industry, park_pref in rows:
        assert validate_uscc(ent.uscc) == ent.uscc
        assert ent.uscc[2:8] == ent.county_code
        assert county_pref == ent.prefecture_code
        assert class_industry == ent.industry_id
        assert park_pref in (None, ent.prefecture_code)
        assert ent.source == "demo"
    for gtin in s.scalars(select(Product.gtin)):
        assert validate_gtin(gtin) == gtin


def test_demo_accounts_log_in_with_the_written_passwords(loaded: Loaded) -> None:
    path = loaded.credentials
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    creds = {c.username: c for c in demo_service.read_credentials(path)}
    assert {
        "admin",
        "analyst",
        "officer-540100",
        "officer-542500",
        "park-lhasa_etdz",
        "ent-water",
        "ent-medicine",
        "ent-barley",
    } <= set(creds)
    admin = auth_service.authenticate(
        loaded.session, username="admin", password=creds["admin"].password
    )
    assert admin.role == "region_admin"
    water = creds["ent-water"]
    assert (
        water.role == "enterprise_user"
        and water.scope == f"enterprise:{loaded.summary.showcase['water']}"
    )
    assert registry_service.scope_exists(loaded.session, scope=water.scope)
    assert loaded.summary.showcase.keys() == {"water", "medicine", "barley", "yak"}


def test_the_load_is_recorded_and_not_repeated(loaded: Loaded) -> None:
    run = loaded.session.scalar(select(DemoRun))
    assert run is not None and run.seed == demo_service.DEFAULT_SEED and run.as_of_date == TODAY
    assert demo_service.demo_loaded(loaded.session)
    assert demo_service.summary(loaded.session)["demo"]["last_month"] == "2026-02"
    with pytest.raises(Conflict) as exc:
        demo_service.load_demo(loaded.session, actor=SYSTEM, today=TODAY, force=True)
    assert "已加载" in exc.value.message
    assert loaded.session.scalar(select(func.count()).select_from(DemoRun)) == 1


def test_the_demo_recognitions(loaded: Loaded) -> None:
    from plateau.recognition import service as recognition_service

    s = loaded.session
    year = TODAY.year
    finished = recognition_service.get_edition(s, code="lhasa-fashion-2024", actor=SYSTEM)
    assert finished.stage == "final"
    lines = recognition_service.results(s, code="lhasa-fashion-2024", actor=SYSTEM)
    assert sum(ln.result.recognised for ln in lines if ln.category.code == "best_brand") == 2
    assert recognition_service.recognised_garment_brands(s, up_to_year=2025) == 2
    # The open edition: votes running, a detected conflict, the planted burst flagged.
    code = f"lhasa-fashion-{year}"
    assert recognition_service.get_edition(s, code=code, actor=SYSTEM).stage == "voting"
    conflicts = recognition_service.list_conflicts(s, code=code, actor=SYSTEM)
    assert {m.display_name for _c, m, _n in conflicts} == {"评委乙（演示）"}
    flagged = recognition_service.list_ballots(s, code=code, actor=SYSTEM, flagged_only=True)
    assert len(flagged) == 15 and {b.address for b in flagged} == {"203.0.113.45"}
    assert recognition_service.jury_progress(s, code=code, actor=SYSTEM)["missing"] > 0
    third = recognition_service.list_nominations(s, code=f"third-pole-{year}", actor=SYSTEM)
    assert {n.status for n in third} == {"accepted", "refused", "submitted"}
    creds = {c.username for c in demo_service.read_credentials(loaded.credentials)}
    assert {"organiser", "juror-1", "juror-5"} <= creds


def test_the_demo_standards_programme(loaded: Loaded) -> None:
    from plateau.standards import service as standards_service

    s = loaded.session
    items = {i.code: i for i in standards_service.programme(s)}
    assert (items["fermented_products"].published, items["fermented_products"].min) == (3, 3)
    assert items["tibetan_medicine_diagnosis"].published == 12
    assert items["tibetan_medicine_diagnosis"].in_progress == 6
    declarations = standards_service.list_declarations(s)
    assert any(d.standard_code == "GB 8537—2018" for d in declarations)
    declared = next(d for d in declarations if d.standard_code == "GB 8537—2018")
    first = s.scalar(
        select(Product.gtin)
        .join(Enterprise, Enterprise.id == Product.enterprise_id)
        .where(Enterprise.name == declared.enterprise)
        .order_by(Product.id)
    )
    assert first is not None
    codes = [p.code for p in standards_service.product_standards(s, gtin=first)]
    assert "GB 8537—2018" in codes


def test_the_demo_exchange(loaded: Loaded) -> None:
    from plateau.auth.schemas import PUBLIC
    from plateau.exchange import service as exchange_service

    s = loaded.session
    posts = exchange_service.list_posts(s, actor=PUBLIC)
    assert len(posts) == 8
    need = next(p for p, _n in posts if p.title.startswith("550ml"))
    fits = exchange_service.matches(s, post_id=need.id, actor=PUBLIC)
    assert {p.title for p, _n in fits} >= {"PET瓶坯及瓶盖现货（演示）"}
    offer = next(p for p, _n in fits if p.title.startswith("PET"))
    thread = exchange_service.thread(s, need_id=need.id, offer_id=offer.id, actor=SYSTEM)
    assert len(thread) == 2


def test_the_demo_design_briefs(loaded: Loaded) -> None:
    from plateau.design import service as design_service

    s = loaded.session
    rows = design_service.list_briefs(s, actor=SYSTEM)
    assert {r.brief.category for r in rows} >= {"garment", "packaging"}
    assert all(r.proposals > 0 for r in rows)
    awarded = [r for r in rows if r.phase == "awarded"]
    assert len(awarded) == 1 and awarded[0].product is not None and awarded[0].awarded_to
    open_ = [r for r in rows if r.phase == "open"]
    assert len(open_) == len(rows) - 1
    creds = {c.username: c for c in demo_service.read_credentials(loaded.credentials)}
    assert creds["designer"].role == "enterprise_user"
