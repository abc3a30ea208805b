"""Industrial-internet identifiers (工业互联网标识): an enterprise records its prefix, Plateau
mints identifiers for its products, lots and items and resolves them to the public page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Role
from plateau.settings import Settings
from plateau.trace.lineage import service
from tests.builders import bearer, make_token, make_user
from tests.trace.lineage.test_genealogy_builders import BottleChain, capture


def _setup(session: Session) -> tuple[BottleChain, BottleChain, str, str]:
    chain = BottleChain(session)
    other = BottleChain(session, n=911)
    capture(session, chain.events(), actor=chain.actor)
    mine = make_token(
        session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{chain.enterprise.uscc}")
    )
    theirs = make_token(
        session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{other.enterprise.uscc}")
    )
    session.commit()
    return chain, other, mine, theirs


def test_an_enterprise_registers_its_own_prefix_once(session: Session, client: TestClient) -> None:
    chain, other, mine, theirs = _setup(session)
    body = {
        "prefix": "88.118.8",
        "enterprise_uscc": chain.enterprise.uscc,
        "allocated_by": "88.118",
    }
    assert (
        client.post(
            "/api/trace/identifiers/prefixes", json=body, headers=bearer(theirs)
        ).status_code
        == 403
    )
    made = client.post("/api/trace/identifiers/prefixes", json=body, headers=bearer(mine))
    assert made.status_code == 201, made.text
    assert made.json()["prefix"] == "88.118.8"
    again = {**body, "enterprise_uscc": other.enterprise.uscc}
    assert (
        client.post(
            "/api/trace/identifiers/prefixes", json=again, headers=bearer(theirs)
        ).status_code
        == 409
    )
    bad = {**body, "prefix": "ABC/1"}
    assert (
        client.post("/api/trace/identifiers/prefixes", json=bad, headers=bearer(mine)).status_code
        == 422
    )
    assert [
        p["prefix"]
        for p in client.get("/api/trace/identifiers/prefixes", headers=bearer(theirs)).json()
    ] == []


def test_minting_is_stable_and_limited_to_own_products(
    session: Session, client: TestClient
) -> None:
    chain, other, mine, theirs = _setup(session)
    prefix = {"prefix": "88.118.8", "enterprise_uscc": chain.enterprise.uscc}
    client.post("/api/trace/identifiers/prefixes", json=prefix, headers=bearer(mine))
    lot = {"prefix": "88.118.8", "gtin": chain.gtin, "lot": "L1"}
    first = client.post("/api/trace/identifiers", json=lot, headers=bearer(mine))
    assert first.status_code == 201, first.text
    handle = first.json()["handle"]
    assert handle.startswith("88.118.8/L") and len(handle) == len("88.118.8/") + 11
    assert chain.gtin not in handle  # opaque suffix
    assert first.json()["digital_link"] == f"https://id.gs1.org/01/{chain.gtin}/10/L1"
    again = client.post("/api/trace/identifiers", json=lot, headers=bearer(mine))
    assert again.json()["handle"] == handle
    item = client.post("/api/trace/identifiers", json={**lot, "serial": "2"}, headers=bearer(mine))
    assert item.json()["handle"].startswith("88.118.8/S") and item.json()["kind"] == "item"
    foreign = client.post(
        "/api/trace/identifiers", json={**lot, "gtin": other.gtin}, headers=bearer(mine)
    )
    assert foreign.status_code == 403
    not_theirs = client.post("/api/trace/identifiers", json=lot, headers=bearer(theirs))
    assert not_theirs.status_code == 404
    listed = client.get("/api/trace/identifiers", headers=bearer(mine)).json()
    assert {h["handle"] for h in listed} == {handle, item.json()["handle"]}


def test_resolution_is_public_and_redirects_to_the_page(
    session: Session, client: TestClient
) -> None:
    chain, _other, mine, _theirs = _setup(session)
    client.post(
        "/api/trace/identifiers/prefixes",
        json={"prefix": "88.118.8", "enterprise_uscc": chain.enterprise.uscc},
        headers=bearer(mine),
    )
    handle = client.post(
        "/api/trace/identifiers",
        json={"prefix": "88.118.8", "gtin": chain.gtin, "lot": "L1", "serial": "2"},
        headers=bearer(mine),
    ).json()["handle"]
    anonymous = TestClient(client.app, base_url="http://testserver")
    go = anonymous.get(f"/resolve/{handle}", follow_redirects=False)
    assert go.status_code == 303 and go.headers["location"] == f"/01/{chain.gtin}/10/L1/21/2"
    page = anonymous.get(f"/resolve/{handle}")
    assert page.status_code == 200 and 'data-verdict="genuine"' in page.text
    record = anonymous.get(f"/resolve/{handle}", headers={"Accept": "application/json"}).json()
    values = {v["type"]: v["data"]["value"] for v in record["values"]}
    assert record["responseCode"] == 1 and record["handle"] == handle
    # The configured public URL (by default `plateau serve`'s), never the request's host.
    assert values["URL"] == f"http://127.0.0.1:8000/01/{chain.gtin}/10/L1/21/2"
    assert values["GS1_DIGITAL_LINK"] == f"https://id.gs1.org/01/{chain.gtin}/10/L1/21/2"
    assert values["OWNER_USCC"] == chain.enterprise.uscc
    # A suffix spelt as a Digital Link path resolves under the owner's prefix without minting.
    path = anonymous.get(f"/resolve/88.118.8/01/{chain.gtin}/10/L1", follow_redirects=False)
    assert path.headers["location"] == f"/01/{chain.gtin}/10/L1"
    assert anonymous.get("/resolve/88.118.8/PNOTMINTED").status_code == 404
    assert anonymous.get("/resolve/88.999.1/P123").status_code == 404
    # Any GS1 spelling resolves too.
    urn = anonymous.get(f"/resolve/https://id.gs1.org/01/{chain.gtin}/21/2", follow_redirects=False)
    assert urn.headers["location"] == f"/01/{chain.gtin}/21/2"


def test_an_identifier_can_be_traced_like_any_other(session: Session) -> None:
    chain, _other, _mine, _theirs = _setup(session)
    from plateau.trace.lineage.schemas import HandleCreate, PrefixCreate

    service.register_prefix(
        session,
        data=PrefixCreate(prefix="88.118.8", enterprise_uscc=chain.enterprise.uscc),
        actor=SYSTEM,
    )
    minted = service.mint_handle(
        session, data=HandleCreate(prefix="88.118.8", gtin=chain.gtin, lot="L1"), actor=SYSTEM
    )
    found = service.trace(session, identifier=minted.handle, direction="forward", actor=SYSTEM)
    assert found.key == f"https://id.gs1.org/01/{chain.gtin}/10/L1"
    assert {chain.item("1"), chain.item("2"), chain.item("3")} <= {n.key for n in found.nodes}


def test_records_link_to_the_public_url_when_one_is_set(
    session: Session, client: TestClient, settings: Settings
) -> None:
    chain, _other, mine, _theirs = _setup(session)
    client.post(
        "/api/trace/identifiers/prefixes",
        json={"prefix": "88.118.8", "enterprise_uscc": chain.enterprise.uscc},
        headers=bearer(mine),
    )
    handle = client.post(
        "/api/trace/identifiers",
        json={"prefix": "88.118.8", "gtin": chain.gtin, "lot": "L1"},
        headers=bearer(mine),
    ).json()["handle"]
    settings.public_url = "https://trace.example.cn/"
    record = client.get(f"/resolve/{handle}", headers={"Accept": "application/json"}).json()
    values = {v["type"]: v["data"]["value"] for v in record["values"]}
    # Not the address the request came in on (http://testserver).
    assert values["URL"] == f"https://trace.example.cn/01/{chain.gtin}/10/L1"
