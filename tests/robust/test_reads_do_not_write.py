"""GETs never write: the guard runs the main GET routes over captured events (issue #8, 2)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from plateau.db import make_sessionmaker, session_scope
from plateau.registry.models import Enterprise
from tests.builders import bearer
from tests.registry.builders import make_product
from tests.robust.conftest import World
from tests.robust.guard import WriteGuard
from tests.trace.epcis.test_capture_builders import document, object_event, sgtin_of

GTIN = "06901230009013"  # registered by the world's first enterprise (below)
LOT = "GUARD-LOT-1"

LOT_DL = f"https://id.gs1.org/01/{GTIN}/10/{LOT}"
ITEM_DL = f"https://id.gs1.org/01/{GTIN}/21/guard-1"
PAGES = [
    "/",
    "/plan",
    "/trace",
    f"/trace/genealogy?id={LOT_DL}",
    f"/trace/genealogy?id={ITEM_DL}",
    f"/trace/recall/{LOT_DL}",
    "/trace/mass-balance",
    f"/01/{GTIN}/10/{LOT}",
    f"/01/{GTIN}/21/guard-1",
    f"/01/{GTIN}/10/{LOT}/21/guard-1",
    "/registry/enterprises",
    "/monitoring/returns",
    "/monitoring/dashboard",
    "/monitoring/warnings",
    "/account",
]
# Routes that walk the captured events (genealogy, recall, cold chain, the EPCIS query).
WALKS = [
    f"/api/trace/{LOT_DL}",
    f"/api/trace/{ITEM_DL}",
    f"/api/trace/recall/{LOT_DL}",
    f"/api/trace/cold-chain/{ITEM_DL}",
    f"/epcis/events?MATCH_anyEPC={ITEM_DL}",
]


def _capture(client: TestClient, token: str) -> None:
    commissioned = object_event(
        [sgtin_of(GTIN, f"guard-{n}") for n in range(1, 4)],
        action="ADD",
        biz_step="commissioning",
        disposition="active",
        ilmd={"cbvmda:lotNumber": LOT},
    )
    shipped = object_event([sgtin_of(GTIN, "guard-1")], time="2024-05-02T10:00:00.000+08:00")
    resp = client.post(
        "/epcis/capture", json=document(commissioned, shipped), headers=bearer(token)
    )
    assert resp.status_code == 202, resp.text


def test_no_get_route_writes_after_a_capture(world: World) -> None:
    from plateau.web.app import create_app

    engine = world.engine()
    factory = make_sessionmaker(engine)
    with session_scope(factory) as session:
        owner = session.scalars(select(Enterprise).where(Enterprise.uscc == world.enterprises[0]))
        assert make_product(session, owner.one(), n=901).gtin == GTIN
    guard = WriteGuard()
    app = create_app(world.settings(), session_factory=factory)
    api_paths = [
        path
        for path, operations in app.openapi()["paths"].items()
        if "get" in operations and "{" not in path
    ]
    token = world.tokens[0]
    admin = world.admin_token
    try:
        with TestClient(guard.app(app)) as client, guard.armed(engine):
            _capture(client, token)
            assert guard.writes == []  # a POST writes, and is not a GET
            # A token's first use is stamped (once per period): the guard sees that write,
            # which shows that it watches the requests' connections.
            client.get("/api/me", headers=bearer(admin))
            assert [p for p, _s in guard.writes] == ["/api/me"]
            guard.writes.clear()
            statuses = {}
            for path in [*PAGES, *api_paths, *WALKS]:
                for headers in ({}, bearer(admin), bearer(token)):
                    resp = client.get(path, headers=headers, follow_redirects=False)
                    statuses[(path, tuple(headers))] = resp.status_code
    finally:
        engine.dispose()
    assert guard.writes == []
    assert all(code < 500 for code in statuses.values()), statuses
    assert len(api_paths) > 20
    # The routes did their work (not all refused): most answer 200 to the administrator.
    admin_ok = {p for (p, h), code in statuses.items() if h == ("Authorization",) and code == 200}
    assert len(admin_ok) > len(api_paths) // 2
    assert set(WALKS) <= admin_ok, set(WALKS) - admin_ok
    assert {f"/trace/genealogy?id={LOT_DL}", f"/01/{GTIN}/21/guard-1"} <= admin_ok
