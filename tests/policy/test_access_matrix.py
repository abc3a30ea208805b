"""Every policy API route against every role: who gets 2xx, and 401/403/404 for everyone else.

Enterprise A is a garment maker of Lhasa in park lhasa_etdz with an award; B one of Nagqu.
Each role's request runs inside a savepoint rolled back afterwards, so that one role's
write (an exclusion, a confirmation) does not change what the next role meets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.policy import service
from plateau.policy.models import Entitlement
from plateau.policy.service import beijing_today
from tests.builders import ROLES, make_role_users
from tests.policy.builders import leading, revenue
from tests.registry.builders import make_enterprise

EVERYONE = set(ROLES)
USERS = EVERYONE - {"public"}
OFFICERS = USERS - {"enterprise_a", "enterprise_b"}
POLICY = "lhasa_garment_support"


@dataclass
class Case:
    method: str
    route: str
    allowed: set[str]
    state: str = "computed"  # computed | published | confirmed: how far the run has gone
    params: dict[str, str] | None = None
    body: Callable[[str], dict[str, Any]] | None = None
    status: int = 200


CASES = [
    Case("GET", "/api/policy/policies", EVERYONE),
    Case("GET", "/api/policy/entitlements", USERS, params={"period": "2025"}),
    Case("GET", "/api/policy/runs", OFFICERS),
    Case("POST", "/api/policy/runs", {"region_admin"}, body=lambda r: {"policy": POLICY, "period": 2025, "dry_run": True}, status=201),
    Case("GET", "/api/policy/runs/{run_id}/entitlements", OFFICERS),
    Case("POST", "/api/policy/runs/{run_id}/publish", {"region_admin"}),
    Case("POST", "/api/policy/entitlements/{entitlement_id}/exclude", {"region_admin", "prefecture_lhasa"}, body=lambda r: {"reason": "核查中"}, status=204),
    Case("POST", "/api/policy/entitlements/{entitlement_id}/confirm", {"enterprise_a"}, state="published",
         body=lambda r: {"account_name": "A", "account_bank": "农行", "account_no": "6228480012345678"}, status=204),
    Case("POST", "/api/policy/entitlements/{entitlement_id}/decline", {"enterprise_a"}, state="published", status=204),
    Case("POST", "/api/policy/entitlements/{entitlement_id}/payment", {"region_admin"}, state="confirmed",
         body=lambda r: {"paid_date": beijing_today().isoformat(), "voucher_no": "V-1"}, status=204),
    Case("GET", "/api/policy/notices/{run_id}", EVERYONE, state="published"),
    Case("POST", "/api/policy/notices/{run_id}/objections", USERS, state="published",
         body=lambda r: {"name": r, "text": "异议"}, status=204),
]  # fmt: skip


def test_every_policy_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        if path.startswith("/api/policy")
        for method in ops
    }
    assert routes == {(c.method, c.route) for c in CASES}


def _world(session: Session, state: str) -> dict[str, Any]:
    a = make_enterprise(
        session, n=41, park="lhasa_etdz", industry="ethnic_handicraft", gbt4754="1819"
    )
    b = make_enterprise(
        session, n=42, prefecture="540600", industry="ethnic_handicraft", gbt4754="1819"
    )
    leading(session, a)
    revenue(session, a, 2025, 8_000_000)
    users = make_role_users(session, a=a.uscc, b=b.uscc, prefix="pol")
    run_id = service.run_policy(session, policy_id=POLICY, year=2025, actor=SYSTEM).run_id
    assert run_id is not None
    ent = session.scalar(select(Entitlement).where(Entitlement.run_id == run_id))
    assert ent is not None
    if state in ("published", "confirmed"):
        service.publish(session, run_id=run_id, actor=SYSTEM)
    if state == "confirmed":
        owner = Actor(role=Role.ENTERPRISE_USER, username="a", scope=f"enterprise:{a.uscc}")
        service.confirm(session, entitlement_id=ent.id, account_name="A", account_bank="农行",
                        account_no="6228480012345678", disclose_amount=False, actor=owner)  # fmt: skip
    session.commit()
    return {"headers": users.headers, "run_id": run_id, "entitlement_id": ent.id}


def _expected(case: Case, got: dict[str, int]) -> dict[str, int]:
    out = {}
    for role in ROLES:
        if role in case.allowed:
            out[role] = case.status
        elif role == "public":
            # Unsafe requests of the public fail the CSRF check before anything else.
            out[role] = 401 if case.method == "GET" else 403
        else:
            out[role] = got[role] if got[role] in (403, 404) else -1
    return out


@pytest.mark.parametrize("state", ["computed", "published", "confirmed"])
def test_routes_answer_each_role(
    client: TestClient, session: Session, connection: Connection, state: str
) -> None:
    w = _world(session, state)
    failures = []
    for case in (c for c in CASES if c.state == state):
        path = case.route.format(run_id=w["run_id"], entitlement_id=w["entitlement_id"])
        got: dict[str, int] = {}
        for role in ROLES:
            savepoint = connection.begin_nested()
            try:
                resp = client.request(
                    case.method,
                    path,
                    params=case.params,
                    json=case.body(role) if case.body else None,
                    headers=w["headers"][role],
                )
                got[role] = resp.status_code
            finally:
                savepoint.rollback()
        if got != _expected(case, got):
            failures.append((case.method, case.route, got))
    assert not failures
