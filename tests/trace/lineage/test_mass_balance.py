"""Mass balance: outputs against inputs at configurable yields, and sold or dispatched against
produced; what could not have come from where it claims is flagged with its events."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Role
from plateau.trace.lineage import service
from plateau.trace.lineage.schemas import MassBalanceRead
from tests.builders import PASSWORD, bearer, login, make_token, make_user
from tests.trace.lineage.test_genealogy_builders import YakChain, capture


def _lot(found: MassBalanceRead, key: str):  # type: ignore[no-untyped-def]
    return next(lot for lot in found.lots if lot.key == key)


def test_a_consistent_chain_raises_no_warning(session: Session) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    found = service.mass_balance_of(session, actor=SYSTEM)
    jerky = _lot(found, yak.jerky_lot("J1"))
    assert (jerky.produced, jerky.dispatched, jerky.sold) == (2000.0, 2000.0, 1500.0)
    assert jerky.supportable == 2250.0  # 500 kg × 0.45 / 0.1 kg
    assert not jerky.flags and found.flagged_lots == 0 and found.flagged_transformations == 0
    carcass = _lot(found, yak.carcass_lot())
    assert (carcass.measure, carcass.produced, carcass.used) == ("kg", 1000.0, 500.0)
    (t,) = found.transformations
    assert (t.input_kg, t.output_kg, t.ratio, t.min_ratio, t.max_ratio) == (
        500.0,
        200.0,
        0.4,
        0.35,
        0.45,
    )


def test_more_jerky_than_the_yak_that_went_in_is_flagged_with_its_events(session: Session) -> None:
    yak = YakChain(session)
    capture(
        session, yak.events(jerky_code="JX", carcass_kg=300.0, packs=2600, sold=2490),
        actor=yak.actor,
    )  # fmt: skip
    found = service.mass_balance_of(session, actor=SYSTEM)
    (t,) = found.transformations
    (flag,) = [f for f in t.flags if f.severity == "warning"]
    assert flag.code == "yield_above_max" and "135" in flag.message and "260" in flag.message
    assert flag.evidence == t.event_ids and flag.evidence[0].startswith("ni:///sha-256;")
    lot = _lot(found, yak.jerky_lot("JX"))
    codes = {f.code: f for f in lot.flags}
    assert set(codes) == {"exceeds_inputs"}
    assert "1,350" in codes["exceeds_inputs"].message and "2,490" in codes["exceeds_inputs"].message
    assert len(codes["exceeds_inputs"].evidence) >= 3  # made, shipped, sold
    assert found.lots[0].key == lot.key  # flagged first


def test_selling_more_than_was_produced_is_flagged(session: Session) -> None:
    yak = YakChain(session)
    capture(session, yak.events(jerky_code="J9", sold=2300), actor=yak.actor)
    lot = _lot(service.mass_balance_of(session, actor=SYSTEM), yak.jerky_lot("J9"))
    assert {f.code for f in lot.flags} >= {"sold_exceeds_produced", "exceeds_inputs"}


def test_yields_are_configurable_by_the_administrator(session: Session, client: TestClient) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    admin = make_token(session, make_user(session, Role.REGION_ADMIN))
    own = make_token(
        session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{yak.enterprise.uscc}")
    )
    session.commit()
    strict = {
        "input_kind": "yak_carcass",
        "output_kind": "yak_jerky",
        "min_ratio": 0.3,
        "max_ratio": 0.35,
    }
    assert client.put("/api/trace/yields", json=strict, headers=bearer(own)).status_code == 403
    changed = client.put("/api/trace/yields", json=strict, headers=bearer(admin))
    assert changed.status_code == 200, changed.text
    yields = client.get("/api/trace/yields", headers=bearer(own)).json()
    assert {
        "input_kind": "yak_carcass",
        "output_kind": "yak_jerky",
        "min_ratio": 0.3,
        "max_ratio": 0.35,
    } in yields
    found = client.get("/api/trace/mass-balance", headers=bearer(own)).json()
    assert found["flagged_transformations"] == 1
    bad = {**strict, "min_ratio": 0.5}
    assert client.put("/api/trace/yields", json=bad, headers=bearer(admin)).status_code == 422


def test_product_kinds_are_set_by_the_products_own_enterprise(
    session: Session, client: TestClient
) -> None:
    yak = YakChain(session)
    other = YakChain(session, n=920)
    mine = make_token(
        session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{yak.enterprise.uscc}")
    )
    session.commit()
    body = {"kind": "yak_jerky", "unit_kg": 0.25}
    ok = client.put(f"/api/trace/product-kinds/{yak.jerky}", json=body, headers=bearer(mine))
    assert ok.status_code == 200 and ok.json() == {
        "gtin": yak.jerky,
        "kind": "yak_jerky",
        "unit_kg": 0.25,
    }
    theirs = client.put(f"/api/trace/product-kinds/{other.jerky}", json=body, headers=bearer(mine))
    assert theirs.status_code == 403
    unknown = client.put(
        f"/api/trace/product-kinds/{yak.jerky}", json={"kind": "nope"}, headers=bearer(mine)
    )
    assert unknown.status_code == 422
    kinds = {k["id"] for k in client.get("/api/trace/kinds", headers=bearer(mine)).json()}
    assert {"yak_carcass", "yak_jerky", "drinking_water", "tibetan_medicine"} <= kinds


def test_the_page_puts_what_does_not_add_up_first(session: Session, client: TestClient) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    capture(
        session, yak.events(jerky_code="JX", carcass_kg=300.0, packs=2600, sold=2490),
        actor=yak.actor,
    )  # fmt: skip
    make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540600", username="mb-nagqu")
    session.commit()
    login(client, "mb-nagqu", PASSWORD)
    page = client.get("/trace/mass-balance")
    assert page.status_code == 200
    first_row = page.text.index("<tr data-lot=")
    assert page.text[first_row:].startswith(f'<tr data-lot="{yak.jerky_lot("JX")}" data-flagged')
    assert 'data-flag="yield_above_max"' in page.text and 'data-flag="exceeds_inputs"' in page.text
    assert "记录的投入最多只能产出" in page.text
