"""The demo's traceability world (once per backend): captured through the real capture path,
four chains to their bases, the planted fraud caught by mass balance and by the consumer page,
and each demo account seeing its own share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.demo import service as demo_service
from plateau.demo import trace_world
from plateau.errors import DomainError
from plateau.trace.epcis.models import CaptureJob, EpcisEvent
from plateau.trace.lineage import service
from plateau.trace.lineage.genealogy import key_parts

TODAY = date(2026, 3, 10)


@dataclass
class Demo:
    session: Session
    loaded: dict[str, Any]
    showcase: dict[str, str]


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    conn = engine.connect()
    trans = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    creds = tmp_path_factory.mktemp("trace-demo") / "c.txt"
    try:
        demo_service.load_demo(session, actor=SYSTEM, today=TODAY, credentials_file=creds)
        loaded = trace_world.load_trace_world(session, actor=SYSTEM, today=TODAY)
        if not loaded["events"]:  # already loaded by load_demo's hook: count what is there
            loaded = {"events": session.scalar(select(func.count()).select_from(EpcisEvent))}
        yield Demo(session, loaded, demo_service.showcase(session))
    finally:
        session.close()
        trans.rollback()
        conn.close()


def _enterprise(uscc: str) -> Actor:
    return Actor(role=Role.ENTERPRISE_USER, username="x", scope=f"enterprise:{uscc}")


def _fraud(demo: Demo) -> str:
    found = service.mass_balance_of(demo.session, actor=SYSTEM)
    flagged = [lot.key for lot in found.lots if any(f.severity == "warning" for f in lot.flags)]
    assert len(flagged) == 1, flagged
    return flagged[0]


def test_the_world_is_captured_through_the_real_capture_path(demo: Demo) -> None:
    assert 150 <= demo.loaded["events"] <= 3_000
    jobs = demo.session.scalars(
        select(CaptureJob).where(CaptureJob.captured_by == "demo-trace")
    ).all()
    assert {j.enterprise_uscc for j in jobs} == set(demo.showcase.values())
    assert all(j.status == "success" and j.refused_count == 0 for j in jobs)
    assert trace_world.load_trace_world(demo.session, actor=SYSTEM)["events"] == 0  # once


def test_mass_balance_catches_the_one_planted_fraud(demo: Demo) -> None:
    found = service.mass_balance_of(demo.session, actor=SYSTEM)
    fraud = _fraud(demo)
    assert key_parts(fraud).gtin is not None and "牦牛肉干" in found.lots[0].label
    assert found.flagged_transformations == 1
    (bad,) = [t for t in found.transformations if any(f.severity == "warning" for f in t.flags)]
    assert bad.ratio is not None and bad.ratio > bad.max_ratio  # type: ignore[operator]
    assert len(found.lots) >= 15 and len(found.transformations) >= 12


def test_every_chain_reaches_its_raw_material_base(demo: Demo) -> None:
    found = service.mass_balance_of(demo.session, actor=SYSTEM)
    labels = {lot.label: lot.key for lot in found.lots}
    jerky = next(k for label, k in labels.items() if "牦牛肉干" in label)
    biscuits = next(k for label, k in labels.items() if "青稞饼干" in label)
    medicine = next(k for label, k in labels.items() if "丸" in label)
    expected = {
        jerky: ("yak", "那曲市"),
        biscuits: ("highland_barley", "拉萨市"),
        medicine: ("tibetan_medicinal_herbs", "拉萨市"),
    }
    for lot, (base, prefecture) in expected.items():
        trace = service.trace(demo.session, identifier=lot, direction="back", actor=SYSTEM)
        assert trace.base is not None and trace.base.id == base, lot
        assert trace.county is not None and trace.county.prefecture == prefecture


def test_the_consumer_page_tells_the_fraud_from_the_genuine(demo: Demo) -> None:
    fraud = key_parts(_fraud(demo))
    assert fraud.gtin and fraud.lot
    warned = service.consumer_view(demo.session, gtin=fraud.gtin, lot=fraud.lot)
    assert warned.verdict == "warning" and warned.origin_prefecture == "那曲市"
    lots = service.mass_balance_of(demo.session, actor=SYSTEM).lots
    genuine = [
        key_parts(lot.key) for lot in lots
        if not lot.flags and lot.kind in ("牦牛肉干", "青稞饼干", "藏药成药", "天然饮用水")
    ]  # fmt: skip
    assert len(genuine) >= 6
    for parts in genuine:
        assert parts.gtin and parts.lot
        view = service.consumer_view(demo.session, gtin=parts.gtin, lot=parts.lot)
        assert view.verdict == "genuine", (parts, view.reasons)
        assert view.journey and view.enterprise


def test_a_bottle_of_water_shows_its_trip_and_the_heat_wave(demo: Demo) -> None:
    examples = service.examples(demo.session)
    item = next(e for e in examples if e.kind == "item")
    _blank, _01, gtin, _10, lot, _21, serial = item.path.split("/")
    view = service.consumer_view(demo.session, gtin=gtin, lot=lot, serial=serial)
    assert view.verdict == "genuine"
    steps = [s.step for s in view.journey]
    assert steps[0] == "inspecting" and "shipping" in steps and steps.count("receiving") >= 2
    assert view.cold_chain.readings and view.cold_chain.temp_max_c == 35.0
    hot_lot = service.mass_balance_of(demo.session, actor=SYSTEM)
    water_lots = sorted(lot.lot for lot in hot_lot.lots if lot.kind == "天然饮用水" and lot.lot)
    hot = service.consumer_view(
        demo.session, gtin=gtin, lot=water_lots[-1], serial=f"{water_lots[-1]}0001"
    )
    assert hot.cold_chain.excursions >= 1


def test_demo_accounts_see_their_own_share(demo: Demo) -> None:
    fraud = _fraud(demo)
    water_lot = next(e.identifier for e in service.examples(demo.session) if e.kind == "item")
    yak_firm = _enterprise(demo.showcase["yak"])
    water_firm = _enterprise(demo.showcase["water"])
    nagqu = Actor(role=Role.PREFECTURE_OFFICER, username="n", scope="prefecture:540600")
    lhasa = Actor(role=Role.PREFECTURE_OFFICER, username="l", scope="prefecture:540100")
    for actor in (yak_firm, nagqu):
        assert service.trace(demo.session, identifier=fraud, actor=actor).events
    for actor in (water_firm, lhasa):
        with pytest.raises(DomainError) as caught:
            service.trace(demo.session, identifier=fraud, actor=actor)
        assert caught.value.status_code == 404
    assert service.trace(demo.session, identifier=water_lot, actor=water_firm).events
    assert service.trace(demo.session, identifier=water_lot, actor=lhasa).events
    with pytest.raises(DomainError):
        service.trace(demo.session, identifier=water_lot, actor=nagqu)
    mine = {lot.key for lot in service.mass_balance_of(demo.session, actor=water_firm).lots}
    assert mine and all(key_parts(k).gtin and fraud != k for k in mine)
