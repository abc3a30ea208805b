"""Who may capture and who sees which events, boundary by boundary.

Four enterprises capture: A and B in Lhasa (A in the Lhasa economic and technological
development zone), N in Nagqu. B also ships a bottle of A's registered product. Each role
asks for everything and must get exactly its share.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import Actor, Role
from plateau.trace.epcis import access, api
from plateau.trace.epcis.models import EpcisEvent, EpcisEventEpc
from tests.builders import bearer, login
from tests.registry.builders import make_enterprise
from tests.trace.epcis import test_capture_builders as shared
from tests.trace.epcis.test_capture_builders import (
    capture,
    document,
    events,
    ids,
    make_user,
    object_event,
    registered_gtin,
    sgtin,
    sgtin_of,
    token_for,
)

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
admin_token, client, epcis_app = shared.admin_token, shared.client, shared.epcis_app


def _id(name: str) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{sum(map(ord, name)):012d}"


BY_A, BY_B, B_SHIPS_A, BY_N, BY_ADMIN = (_id(n) for n in ("a", "b", "ba", "n", "admin"))


@dataclass
class World:
    tokens: dict[str, str]
    item_of_a: str
    usccs: dict[str, str]


@pytest.fixture
def world(client: TestClient, session: Session, admin_token: str) -> World:
    a = make_enterprise(session, n=901, prefecture="540100", park="lhasa_etdz")
    b = make_enterprise(session, n=902, prefecture="540100")
    n = make_enterprise(session, n=903, prefecture="540600")
    item_of_a = sgtin_of(registered_gtin(session, a, 901), "bottle-1")
    tokens = {
        "a": token_for(session, Role.ENTERPRISE_USER, f"enterprise:{a.uscc}"),
        "b": token_for(session, Role.ENTERPRISE_USER, f"enterprise:{b.uscc}"),
        "n": token_for(session, Role.ENTERPRISE_USER, f"enterprise:{n.uscc}"),
        "lhasa": token_for(session, Role.PREFECTURE_OFFICER, "prefecture:540100"),
        "nagqu": token_for(session, Role.PREFECTURE_OFFICER, "prefecture:540600"),
        "etdz": token_for(session, Role.PARK_OFFICER, "park:lhasa_etdz"),
        "analyst": token_for(session, Role.ANALYST),
        "admin": admin_token,
    }
    for who, event_id, epcs in (
        ("a", BY_A, [sgtin(serial="a-1")]),
        ("b", BY_B, [sgtin(serial="b-1")]),
        ("b", B_SHIPS_A, [item_of_a]),
        ("n", BY_N, [sgtin(serial="n-1")]),
        ("admin", BY_ADMIN, [sgtin(serial="admin-1")]),
    ):
        resp = capture(client, tokens[who], document(object_event(epcs, eventID=event_id)))
        assert resp.status_code == 202, resp.text
    return World(tokens, item_of_a, {"a": a.uscc, "b": b.uscc, "n": n.uscc})


EVERYTHING = {BY_A, BY_B, B_SHIPS_A, BY_N, BY_ADMIN}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("a", {BY_A, B_SHIPS_A}),  # its own events, and events about its own product
        ("b", {BY_B, B_SHIPS_A}),
        ("n", {BY_N}),
        ("lhasa", {BY_A, BY_B, B_SHIPS_A}),  # captured by enterprises of Lhasa
        ("nagqu", {BY_N}),
        ("etdz", {BY_A}),  # only A is in the development zone
        ("analyst", EVERYTHING),
        ("admin", EVERYTHING),
    ],
)
def test_each_role_sees_its_share(
    client: TestClient, world: World, who: str, expected: set[str]
) -> None:
    token = world.tokens[who]
    assert ids(events(client, token, perPage=100)) == expected
    # the same boundary on every way in
    for event_id in EVERYTHING:
        resp = client.get(f"/epcis/events/{event_id}", headers=bearer(token))
        assert resp.status_code == (200 if event_id in expected else 404)
    assert ids(events(client, token, path="/epcis/eventTypes/ObjectEvent/events")) == expected


def test_identifiers_listed_follow_the_same_boundary(client: TestClient, world: World) -> None:
    def epcs(who: str) -> set[str]:
        return set(
            client.get(
                "/epcis/epcs",
                params={"perPage": 100},
                headers={**bearer(world.tokens[who]), "GS1-EPC-Format": "Always_EPC_URN"},
            ).json()["member"]
        )

    assert epcs("a") == {sgtin(serial="a-1"), world.item_of_a}
    assert sgtin(serial="n-1") not in epcs("lhasa")
    assert epcs("nagqu") == {sgtin(serial="n-1")}
    resp = client.get(
        f"/epcis/epcs/{sgtin(serial='b-1')}/events", headers=bearer(world.tokens["a"])
    )
    assert ids(resp.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == set()


def test_capture_jobs_are_seen_by_their_enterprise_only(client: TestClient, world: World) -> None:
    resp = capture(client, world.tokens["a"], document(object_event()))
    location = resp.headers["Location"]
    assert client.get(location, headers=bearer(world.tokens["a"])).status_code == 200
    assert client.get(location, headers=bearer(world.tokens["b"])).status_code == 404
    assert client.get(location, headers=bearer(world.tokens["lhasa"])).status_code == 200
    assert client.get(location, headers=bearer(world.tokens["nagqu"])).status_code == 404
    mine = client.get("/epcis/capture", headers=bearer(world.tokens["b"])).json()
    assert mine and all(job["captureID"] != location.rsplit("/", 1)[1] for job in mine)


@pytest.mark.parametrize("who", ["lhasa", "etdz", "analyst"])
def test_only_enterprises_and_the_administrator_capture(
    client: TestClient, world: World, who: str
) -> None:
    resp = capture(client, world.tokens[who], document(object_event()))
    assert resp.status_code == 403
    assert resp.json()["type"] == "epcisException:SecurityException"
    single = client.post("/epcis/events", json=object_event(), headers=bearer(world.tokens[who]))
    assert single.status_code == 403


def _epcis_routes() -> list[tuple[str, str]]:
    found = []
    for route in api.epcis_router.routes:
        assert isinstance(route, APIRoute)
        path = (
            route.path.replace(":path}", "}")
            .replace("{eventID}", "urn:uuid:1")
            .replace("{captureID}", "1")
            .replace("{queryName}", "q")
            .replace("{subscriptionID}", "s")
        )
        for part in (
            "{eventType}",
            "{epc}",
            "{bizStep}",
            "{bizLocation}",
            "{readPoint}",
            "{disposition}",
        ):
            path = path.replace(part, "x")
        for method in sorted(route.methods):
            found.append((method, path))
    return found


@pytest.mark.parametrize(("method", "path"), _epcis_routes())
def test_the_public_gets_401_everywhere(client: TestClient, method: str, path: str) -> None:
    resp = client.request(method, path, json={} if method == "POST" else None)
    assert resp.status_code == 401, (method, path, resp.text)
    assert resp.json()["type"] == "epcisException:SecurityException"
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_a_wrong_token_is_401(client: TestClient, world: World) -> None:
    resp = client.get("/epcis/events", headers=bearer("plt_not-a-token"))
    assert resp.status_code == 401
    assert resp.json()["type"] == "epcisException:SecurityException"


def test_a_logged_in_browser_session_reads_but_needs_csrf_to_capture(
    client: TestClient, session: Session, world: World
) -> None:
    user = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540600")
    login(client, user.username)
    resp = client.get("/epcis/events")
    assert resp.status_code == 200
    assert ids(resp.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == {BY_N}
    refused = client.post("/epcis/queries", json={"name": "mine", "query": {}})
    assert refused.status_code == 403


def test_subscribers_are_sent_only_what_they_may_see(
    client: TestClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
) -> None:
    from plateau.jobs import service as jobs_service
    from plateau.trace.epcis import subscriptions

    sent: list[list[str]] = []

    def record(deliveries: list[subscriptions.Delivery], **_kw: object) -> list[subscriptions.Sent]:
        import json

        for d in deliveries:
            body = json.loads(d.body)
            sent.append(
                [
                    e["eventID"]
                    for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
                ]
            )
        return [subscriptions.Sent(d, True) for d in deliveries]

    monkeypatch.setattr(subscriptions, "send", record)
    token_a = world.tokens["a"]
    created = client.post(
        "/epcis/queries",
        json={"name": "everything", "query": {"eventType": ["ObjectEvent"]}},
        headers=bearer(token_a),
    )
    assert created.status_code == 201
    client.app.state.settings.webhook_allowed_hosts = ["a.example.com"]  # type: ignore[attr-defined]
    sub = client.post(
        "/epcis/queries/everything/subscriptions",
        json={"dest": "https://a.example.com/hook", "stream": True},
        headers=bearer(token_a),
    )
    assert sub.status_code == 201
    capture(client, world.tokens["b"], document(object_event(eventID=_id("b2"))))
    # Deliveries are jobs: run what each capture queued.
    jobs_service.run_pending(session_factory, kind="trace.webhook")
    assert sent == []
    later = object_event(
        [world.item_of_a], eventID=_id("b3"), biz_step="receiving", disposition="in_progress"
    )
    capture(client, world.tokens["b"], document(later))
    jobs_service.run_pending(session_factory, kind="trace.webhook")
    assert sent == [[_id("b3")]]


def test_the_product_condition_holds_in_queries_that_join_identifier_rows(
    client: TestClient, session: Session, world: World
) -> None:
    # An EXISTS over epcis_event_epc that auto-correlated to the outer query's epc rows
    # would test the joined row instead of the event: it would hide B's own bottle in an
    # event A may see, or (with other joins) fail to render at all.
    mixed = _id("mixed")
    a_item, b_item = world.item_of_a.rsplit(".", 1)[0] + ".bottle-2", sgtin(serial="b-mixed")
    doc = document(object_event([a_item, b_item], eventID=mixed))
    assert capture(client, world.tokens["b"], doc).status_code == 202
    actor = Actor(role=Role.ENTERPRISE_USER, scope=f"enterprise:{world.usccs['a']}")
    scope = access.scope_of(session, actor)
    stmt = (
        select(EpcisEvent.event_id, func.count())
        .select_from(EpcisEventEpc)
        .join(EpcisEvent, EpcisEvent.id == EpcisEventEpc.event_id)
        .where(scope.events())
        .group_by(EpcisEvent.event_id)
    )
    rows = {event_id: count for event_id, count in session.execute(stmt)}
    # Every identifier row of each visible event, none of another enterprise's events.
    assert rows == {BY_A: 1, B_SHIPS_A: 1, mixed: 2}
