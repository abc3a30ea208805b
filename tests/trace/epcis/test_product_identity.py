"""Product identity cannot be taken over (issue #8 point 7).

A holds GS1 company prefix 69012309 and captures events about its bottles. B registering a
GTIN of A's prefix is refused with a clear message; even a GTIN an officer registered for B
by mistake (with a recorded reason) shows B none of A's events; the consumer page names A.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.models import SecurityEvent
from plateau.auth.schemas import Role
from plateau.registry.models import Enterprise, Product
from tests.builders import bearer
from tests.registry.builders import add_prefix, gtin, make_enterprise, make_product
from tests.trace.epcis import test_capture_builders as shared
from tests.trace.epcis.test_capture_builders import (
    capture,
    document,
    events,
    ids,
    object_event,
    sgtin_of,
    token_for,
)

admin_token, client, epcis_app = shared.admin_token, shared.client, shared.epcis_app

A_EVENT = "urn:uuid:00000000-0000-4000-8000-00000000a001"
A_EVENT_2 = "urn:uuid:00000000-0000-4000-8000-00000000a002"


@dataclass
class World:
    a: Enterprise
    b: Enterprise
    gtin_a: str
    tokens: dict[str, str]


@pytest.fixture
def world(client: TestClient, session: Session, admin_token: str) -> World:
    a = make_enterprise(session, n=911, name="净土冰川饮品有限公司")
    b = make_enterprise(session, n=912, name="冒名贸易有限公司")
    add_prefix(session, a, "69012309")
    add_prefix(session, b, "69012308")
    gtin_a = make_product(session, a, n=90001, name="冰川水 550ml").gtin.zfill(14)
    tokens = {
        "a": token_for(session, Role.ENTERPRISE_USER, f"enterprise:{a.uscc}"),
        "b": token_for(session, Role.ENTERPRISE_USER, f"enterprise:{b.uscc}"),
        "lhasa": token_for(session, Role.PREFECTURE_OFFICER, "prefecture:540100"),
        "admin": admin_token,
    }
    resp = capture(
        client,
        tokens["a"],
        document(object_event([sgtin_of(gtin_a, "bottle-1")], eventID=A_EVENT)),
    )
    assert resp.status_code == 202, resp.text
    return World(a, b, gtin_a, tokens)


def _register(client: TestClient, token: str, uscc: str, code: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/registry/products",
        json={"enterprise_uscc": uscc, "gtin": code, "name_zh": "冒用产品", **extra},
        headers=bearer(token),
    )


def test_an_enterprise_cannot_register_a_gtin_of_anothers_prefix(
    client: TestClient, session: Session, world: World
) -> None:
    foreign = gtin(90002)
    answer = _register(client, world.tokens["b"], world.b.uscc, foreign)
    assert answer.status_code == 403
    assert answer.json()["detail"] == (
        f"商品条码 {foreign.zfill(14)} 属于其他企业持有的厂商识别代码 69012309，只有该企业可以登记。"
    )
    assert session.scalar(select(Product).where(Product.gtin == foreign.zfill(14))) is None
    # Nor outside every registered prefix; inside its own prefix it may.
    unclaimed = _register(client, world.tokens["b"], world.b.uscc, gtin(70001))
    assert unclaimed.status_code == 403 and "厂商识别代码" in unclaimed.json()["detail"]
    own = _register(client, world.tokens["b"], world.b.uscc, gtin(80001))
    assert own.status_code == 201, own.text
    # Already registered by A: 409 as before.
    taken = _register(client, world.tokens["b"], world.b.uscc, world.gtin_a)
    assert taken.status_code == 409


def test_an_officer_overrides_only_with_a_recorded_reason(
    client: TestClient, session: Session, world: World
) -> None:
    code = gtin(90003)
    bare = _register(client, world.tokens["lhasa"], world.b.uscc, code)
    assert bare.status_code == 403 and "理由" in bare.json()["detail"]
    reason = "品牌所有者书面授权（测试）"
    made = _register(client, world.tokens["lhasa"], world.b.uscc, code, reason=reason)
    assert made.status_code == 201, made.text
    [event] = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "gtin_override"))
    assert event.subject == code.zfill(14) and reason in event.detail
    assert world.b.uscc in event.detail and event.actor.startswith("prefecture_officer")


def test_a_gtin_registered_for_another_shows_it_none_of_the_owners_events(
    client: TestClient, session: Session, world: World
) -> None:
    # The takeover as it happened before prefixes existed: B's product row for A's GTIN
    # (here put there directly, as a legacy row or a mistaken override would be).
    code = gtin(90004)
    session.add(
        Product(
            enterprise_id=world.b.id, gtin=code.zfill(14), name_zh="冒用", industry_id="agri_food"
        )
    )
    session.commit()
    resp = capture(
        client,
        world.tokens["a"],
        document(object_event([sgtin_of(code.zfill(14), "bottle-9")], eventID=A_EVENT_2)),
    )
    assert resp.status_code == 202, resp.text
    seen_by_b = ids(events(client, world.tokens["b"]))
    assert A_EVENT not in seen_by_b and A_EVENT_2 not in seen_by_b
    by_class = events(client, world.tokens["b"], MATCH_anyEPC=sgtin_of(code.zfill(14), "bottle-9"))
    assert by_class == []
    assert {A_EVENT, A_EVENT_2} <= ids(events(client, world.tokens["a"]))


def test_the_consumer_page_names_the_true_owner(
    client: TestClient, session: Session, world: World
) -> None:
    _register(client, world.tokens["b"], world.b.uscc, gtin(90005))
    page = client.get(f"/01/{world.gtin_a}")
    assert page.status_code == 200
    assert world.a.name in page.text and world.b.name not in page.text
    assert client.get(f"/01/{gtin(90005).zfill(14)}").status_code == 404


def test_the_owners_events_never_reach_the_other_enterprises_webhook(
    client: TestClient, session: Session, world: World, session_factory: sessionmaker[Session]
) -> None:
    from plateau.jobs import service as jobs_service
    from tests.trace.epcis.test_query_named import Hook, _create

    code = gtin(90006).zfill(14)
    session.add(
        Product(enterprise_id=world.b.id, gtin=code, name_zh="冒用", industry_id="agri_food")
    )
    session.commit()
    hook = Hook()
    try:
        query = {"eventType": ["ObjectEvent"]}
        assert _create(client, world.tokens["b"], name="all", query=query).status_code == 201
        sub = client.post(
            "/epcis/queries/all/subscriptions",
            json={"dest": hook.url, "stream": True},
            headers=bearer(world.tokens["b"]),
        )
        assert sub.status_code == 201, sub.text
        # A's bottle of the GTIN registered to B: not B's to receive.
        capture(
            client,
            world.tokens["a"],
            document(object_event([sgtin_of(code, "bottle-7")], eventID=A_EVENT_2)),
        )
        # Deliveries are jobs: run what the capture queued.
        jobs_service.run_pending(session_factory, kind="trace.webhook")
        assert hook.received == []
        # B's own event is delivered: the subscription works.
        own = gtin(80002).zfill(14)
        capture(client, world.tokens["b"], document(object_event([sgtin_of(own, "b-1")])))
        jobs_service.run_pending(session_factory, kind="trace.webhook")
        assert len(hook.received) == 1
    finally:
        hook.close()
