"""Genealogy: back and forward through aggregation (with its time intervals),
transformation and lot membership, to the raw-material base; one call, one answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Role
from plateau.demo import epcis_builders as tw
from plateau.errors import DomainError
from plateau.registry.identifiers import make_gtin
from plateau.trace.epcis import access
from plateau.trace.lineage import genealogy, service
from tests.builders import bearer, make_token, make_user
from tests.trace.lineage.test_genealogy_builders import ACME, WATER, Water, YakChain, at, capture


@pytest.fixture
def water(session: Session) -> Water:
    return Water(session)


def _walk(session: Session, key: str, direction: genealogy.Direction) -> genealogy.Genealogy:
    service.refresh(session)
    return genealogy.walk(session, [key], direction=direction, scope=access.Scope(everything=True))


def _places(walk: genealogy.Genealogy) -> set[str]:
    return {
        k for ev in walk.events.values() for k in (ev.read_point, ev.biz_location) if k is not None
    }


def test_a_bottle_travels_in_its_case_and_pallet_while_it_is_inside(
    session: Session, water: Water
) -> None:
    walk = _walk(session, water.bottles[0], "back")
    assert {water.lot, water.case1, water.pallet} <= set(walk.nodes)
    assert walk.nodes[water.pallet].modes == {"carrier"}
    places = _places(walk)
    assert tw.loc_dl(water.plant) in places and tw.loc_dl(water.dc) in places
    assert tw.loc_dl(water.shop_a) in places
    # Not the other case's shop, and not where the pallet went after it was unpacked.
    assert tw.loc_dl(water.shop_b) not in places
    assert tw.loc_dl(water.shop_c) not in places
    # A carrier never fans out to its other contents.
    assert water.bottles[1] not in walk.nodes and water.case2 not in walk.nodes


def test_a_lot_goes_forward_to_every_item_case_pallet_and_shop(
    session: Session, water: Water
) -> None:
    walk = _walk(session, water.lot, "forward")
    assert set(water.bottles) | {water.case1, water.case2, water.pallet} <= set(walk.nodes)
    places = _places(walk)
    assert {tw.loc_dl(water.shop_a), tw.loc_dl(water.shop_b)} <= places
    assert tw.loc_dl(water.shop_c) not in places
    assert water.other not in walk.nodes
    relations = {(link.source, link.target, link.relation) for link in walk.links.values()}
    assert (water.lot, water.bottles[0], "lot") in relations
    assert (water.case1, water.pallet, "aggregation") in relations


def test_a_pallet_traces_back_to_what_was_on_it_and_their_lot(
    session: Session, water: Water
) -> None:
    walk = _walk(session, water.pallet, "back")
    assert {water.case1, water.case2, water.case3, water.lot, *water.bottles} <= set(walk.nodes)
    assert tw.lot_dl(WATER, "L2") in walk.nodes  # the later load is on it too


def test_transformations_link_quantity_classes_both_ways_to_the_base(session: Session) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    back = _walk(session, yak.jerky_lot("J1"), "back")
    assert yak.carcass_lot() in back.nodes
    assert tw.loc_dl(yak.base) in _places(back)
    forward = _walk(session, yak.carcass_lot(), "forward")
    assert yak.jerky_lot("J1") in forward.nodes
    assert tw.loc_dl(yak.shop) in _places(forward)
    link = next(x for x in forward.links.values() if x.relation == "transformation")
    assert (link.source, link.target, link.quantity, link.uom) == (
        yak.carcass_lot(),
        yak.jerky_lot("J1"),
        500.0,
        "KGM",
    )


def test_events_sharing_a_transformation_id_are_one_transformation(session: Session) -> None:
    grain, flour = (
        tw.lot_dl(make_gtin("690123499010"), "G1"),
        tw.lot_dl(make_gtin("690123499011"), "F1"),
    )
    tid = "urn:uuid:5b0a1c52-0b8f-4e8e-9a3e-000000000042"
    first = tw.transformation_event(at(5), inputs=[tw.qty(grain, 100.0, "KGM")])
    first["transformationID"] = tid
    second = tw.transformation_event(at(4), inputs=[], outputs=[tw.qty(flour, 30)])
    second["transformationID"] = tid
    del second["inputQuantityList"]
    capture(session, [first, second])
    assert grain in _walk(session, flour, "back").nodes
    assert flour in _walk(session, grain, "forward").nodes


def test_cycles_end_and_depth_is_bounded(session: Session) -> None:
    a, b = tw.lot_dl(make_gtin("690123499020"), "A"), tw.lot_dl(make_gtin("690123499021"), "B")
    capture(
        session,
        [
            tw.transformation_event(at(10), inputs=[tw.qty(a, 1.0)], outputs=[tw.qty(b, 1.0)]),
            tw.transformation_event(at(9), inputs=[tw.qty(b, 1.0)], outputs=[tw.qty(a, 1.0)]),
        ],
    )
    service.refresh(session)
    everything = access.Scope(everything=True)
    walk = genealogy.walk(session, [a], direction="both", scope=everything)
    assert set(walk.nodes) == {a, b} and not walk.truncated
    shallow = genealogy.walk(session, [a], direction="forward", scope=everything, max_depth=0)
    assert shallow.truncated and set(shallow.nodes) == {a}


def test_an_event_declared_erroneous_no_longer_links(session: Session, water: Water) -> None:
    wrong = tw.aggregation_event(
        at(27), parent=tw.sscc_dl(ACME.sscc()), children=[water.bottles[3]], read=water.plant
    )
    wrong["eventID"] = "urn:uuid:0d6f1c1e-4c53-4c87-8a55-7d1c2a3b4c5d"
    capture(session, [wrong])
    assert wrong["parentID"] in _walk(session, water.bottles[3], "back").nodes
    retracted = dict(wrong)
    retracted["errorDeclaration"] = {
        "declarationTime": at(26).isoformat(timespec="seconds"),
        "reason": "incorrect_data",
    }
    capture(session, [retracted])
    assert wrong["parentID"] not in _walk(session, water.bottles[3], "back").nodes


def test_the_api_answers_in_one_call_with_base_and_county(
    session: Session, client: TestClient
) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    admin = make_token(session, make_user(session, Role.REGION_ADMIN))
    session.commit()
    urn = yak.jerky_lot("J1")
    resp = client.get(f"/api/trace/{urn}", params={"direction": "back"}, headers=bearer(admin))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) >= {"nodes", "edges", "events", "locations", "parties", "base", "county"}
    assert body["base"]["id"] == "yak" and body["base"]["location"] == "测试牦牛基地"
    assert body["county"] == {
        "code": "540602",
        "name": "色尼区",
        "prefecture_code": "540600",
        "prefecture": "那曲市",
    }
    assert {n["kind"] for n in body["nodes"]} == {"lot"}
    assert any(e["relation"] == "transformation" and e["event_id"] for e in body["edges"])
    assert any(p["name"] == "测试牦牛肉企业" for p in body["parties"])
    steps = [e["biz_step"] for e in body["events"]]
    assert steps.index("commissioning") < steps.index("shipping")


def test_every_spelling_of_an_identifier_gives_the_same_trace(
    session: Session, water: Water
) -> None:
    gtin, serial = WATER, "L1-1"
    spellings = [
        f"https://id.gs1.org/01/{gtin}/21/{serial}",
        f"https://example.com/shop/01/{gtin}/10/L1/21/{serial}",
        f"https:/id.gs1.org/01/{gtin}/21/{serial}",  # a path segment that lost a slash
        f"(01){gtin}(21){serial}",
        f"urn:epc:id:sgtin:690123499.0001.{serial}",
    ]
    keys = {service.parse(session, identifier=s).key for s in spellings}
    assert keys == {water.bottles[0]}
    found = [service.trace(session, identifier=s, actor=SYSTEM) for s in spellings[:2]]
    assert found[0].model_dump(exclude={"identifier"}) == found[1].model_dump(
        exclude={"identifier"}
    )


def test_unknown_and_malformed_identifiers(session: Session, client: TestClient) -> None:
    admin = make_token(session, make_user(session, Role.REGION_ADMIN))
    session.commit()
    unknown = client.get(f"/api/trace/{tw.item_dl(WATER, 'nope')}", headers=bearer(admin))
    assert unknown.status_code == 404
    broken = client.get("/api/trace/urn:epc:id:sgtin:123", headers=bearer(admin))
    assert broken.status_code == 422
    with pytest.raises(DomainError):
        service.trace(session, identifier="", actor=SYSTEM)


def test_the_lot_index_is_read_once_and_kept_up_to_date(session: Session, water: Water) -> None:
    assert service.refresh(session) >= 5
    assert service.refresh(session) == 0
    extra = tw.item_dl(WATER, "L1-9")
    capture(
        session,
        [tw.object_event(at(2), step="commissioning", epcs=[extra], action="ADD",
                         ilmd={"cbvmda:lotNumber": "L1"})],
    )  # fmt: skip
    assert extra in _walk(session, water.lot, "forward").nodes
