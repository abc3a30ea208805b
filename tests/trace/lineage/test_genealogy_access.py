"""Who sees which trace: officials their jurisdiction, enterprises their own, the public only
the consumer page and the resolver."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import bearer, make_token, make_user
from tests.registry.builders import make_enterprise
from tests.trace.lineage.test_genealogy_builders import YakChain, capture


@pytest.fixture
def yak(session: Session) -> YakChain:
    chain = YakChain(session)
    capture(session, chain.events(), actor=chain.actor)
    capture(session, chain.events(jerky_code="J2", packs=4000, sold=3900), actor=chain.actor)
    return chain


def _tokens(session: Session, yak: YakChain, *names: str) -> dict[str, str]:
    other = make_enterprise(session, n=950, name="拉萨别家企业")
    roles = {
        "admin": (Role.REGION_ADMIN, None),
        "analyst": (Role.ANALYST, None),
        "own": (Role.ENTERPRISE_USER, f"enterprise:{yak.enterprise.uscc}"),
        "other": (Role.ENTERPRISE_USER, f"enterprise:{other.uscc}"),
        "nagqu": (Role.PREFECTURE_OFFICER, "prefecture:540600"),
        "lhasa": (Role.PREFECTURE_OFFICER, "prefecture:540100"),
        "park": (Role.PARK_OFFICER, "park:lhasa_etdz"),
    }
    tokens = {
        name: make_token(session, make_user(session, *roles[name])) for name in names or roles
    }
    session.commit()
    return tokens


SEES = {"admin", "analyst", "own", "nagqu"}
BLIND = {"other", "lhasa", "park"}


def test_the_trace_api_follows_each_callers_scope(
    session: Session, client: TestClient, yak: YakChain
) -> None:
    tokens = _tokens(session, yak)
    path = "/api/trace/" + quote(yak.jerky_lot("J1"), safe="")
    assert client.get(path).status_code == 401
    for who in SEES:
        resp = client.get(path, headers=bearer(tokens[who]))
        assert resp.status_code == 200, (who, resp.text)
        assert resp.json()["base"]["id"] == "yak"
    for who in BLIND:
        # Out of scope answers as if nothing existed.
        assert client.get(path, headers=bearer(tokens[who])).status_code == 404, who


def test_recall_and_cold_chain_follow_the_same_scope(
    session: Session, client: TestClient, yak: YakChain
) -> None:
    tokens = _tokens(session, yak, "nagqu", "other")
    lot = quote(yak.jerky_lot("J1"), safe="")
    for path in (f"/api/trace/recall/{lot}", f"/api/trace/cold-chain/{lot}"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=bearer(tokens["nagqu"])).status_code == 200
        assert client.get(path, headers=bearer(tokens["other"])).status_code == 404


def test_mass_balance_shows_only_the_callers_lots(
    session: Session, client: TestClient, yak: YakChain
) -> None:
    tokens = _tokens(session, yak)
    assert client.get("/api/trace/mass-balance").status_code == 401
    seen = {
        who: {lot["key"] for lot in client.get("/api/trace/mass-balance", headers=bearer(t)).json()["lots"]}
        for who, t in tokens.items()
    }  # fmt: skip
    for who in SEES:
        assert yak.jerky_lot("J2") in seen[who], who
    for who in BLIND:
        assert yak.jerky_lot("J2") not in seen[who], who


def test_pages_need_a_login_but_the_landing_page_does_not(
    session: Session, client: TestClient, yak: YakChain
) -> None:
    lot = quote(yak.jerky_lot("J1"), safe="")
    landing = client.get("/trace")
    assert landing.status_code == 200 and 'id="scan-form"' in landing.text
    assert 'id="trace-form"' not in landing.text
    for path in (f"/trace/genealogy?id={lot}", f"/trace/recall/{lot}", "/trace/mass-balance"):
        resp = client.get(path, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/login"), path


def test_locations_are_registered_by_their_enterprise_only(
    session: Session, client: TestClient, yak: YakChain
) -> None:
    tokens = _tokens(session, yak, "own", "other", "lhasa")
    body = {
        "identifier": "urn:epc:id:sgln:690123499.555.0",
        "kind": "warehouse",
        "name_zh": "别家仓库",
    }
    other = client.post("/api/trace/locations", json=body, headers=bearer(tokens["other"]))
    assert other.status_code == 201, other.text
    taken = client.post(
        "/api/trace/locations", json={**body, "name_zh": "抢注"}, headers=bearer(tokens["own"])
    )
    assert taken.status_code == 403
    forged = client.post(
        "/api/trace/locations",
        json={**body, "identifier": "urn:epc:id:sgln:690123499.556.0", "enterprise_uscc": yak.enterprise.uscc},
        headers=bearer(tokens["other"]),
    )  # fmt: skip
    assert forged.status_code == 403
    # The public is refused before the service is reached (no session, no CSRF token).
    assert client.post("/api/trace/locations", json=body).status_code in (401, 403)
    own_list = client.get("/api/trace/locations", headers=bearer(tokens["own"])).json()
    names = {row["name_zh"] for row in own_list}
    assert "测试加工厂" in names and "别家仓库" not in names
    assert "测试牦牛基地" in {row["name_zh"] for row in client.get("/api/trace/locations", headers=bearer(tokens["lhasa"])).json()}  # fmt: skip


# Every route of /api/trace and what the public gets (nothing: log in or send a token).
PUBLIC_REFUSED = {
    ("GET", "/api/trace/mass-balance"),
    ("GET", "/api/trace/recall/{identifier}"),
    ("GET", "/api/trace/cold-chain/{identifier}"),
    ("GET", "/api/trace/locations"),
    ("POST", "/api/trace/locations"),
    ("GET", "/api/trace/kinds"),
    ("PUT", "/api/trace/kinds/{kind_id}"),
    ("GET", "/api/trace/yields"),
    ("PUT", "/api/trace/yields"),
    ("GET", "/api/trace/product-kinds"),
    ("PUT", "/api/trace/product-kinds/{gtin}"),
    ("GET", "/api/trace/labels"),
    ("GET", "/api/trace/identifiers/prefixes"),
    ("POST", "/api/trace/identifiers/prefixes"),
    ("GET", "/api/trace/identifiers"),
    ("POST", "/api/trace/identifiers"),
    ("GET", "/api/trace/{identifier}"),
    ("GET", "/api/trace/contexts"),
    ("POST", "/api/trace/contexts"),
}


def test_every_trace_api_route_refuses_the_public(client: TestClient) -> None:
    routes = {
        (method.upper(), path)
        for path, ops in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        if path.startswith("/api/trace")
        for method in ops
    }
    assert routes == PUBLIC_REFUSED
    fill = {
        "{identifier}": "https://id.gs1.org/01/06901234567892/10/L1",
        "{kind_id}": "x",
        "{gtin}": "06901234567892",
    }
    for method, path in sorted(routes):
        for name, value in fill.items():
            path = path.replace(name, quote(value, safe=""))
        params = {"gtin": "06901234567892"} if path.endswith("/labels") else None
        resp = client.request(method, path, params=params, json={} if method != "GET" else None)
        # Unsafe methods are refused by the CSRF check before anything else.
        assert resp.status_code in ((401,) if method == "GET" else (401, 403)), (
            method,
            path,
            resp.status_code,
        )
