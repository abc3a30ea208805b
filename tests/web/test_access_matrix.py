"""Every API route outside the registry, monitoring and trace (which have their own matrices) against every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import actor_of, bearer, make_token, make_user

ROLES: dict[str, tuple[Role, str | None] | None] = {
    "public": None,
    "region_admin": (Role.REGION_ADMIN, None),
    "analyst": (Role.ANALYST, None),
    "prefecture_officer": (Role.PREFECTURE_OFFICER, "prefecture:540100"),
    "park_officer": (Role.PARK_OFFICER, "park:lhasa_etdz"),
}
EVERYONE = set(ROLES)
USERS = EVERYONE - {"public"}


@dataclass
class Case:
    method: str
    path: str
    allowed: set[str]
    body: Callable[[str], dict[str, object]] | None = None


CASES = [
    Case("GET", "/api/me", USERS),
    Case("GET", "/api/users", {"region_admin"}),
    Case(
        "POST",
        "/api/users",
        {"region_admin"},
        lambda role: {
            "username": f"made-by-{role}",
            "password": "long-enough-pw",
            "role": "analyst",
        },
    ),
    Case("GET", "/api/tokens", USERS),
    # A bearer token cannot mint tokens (nor change the password): they would outlive it.
    Case("POST", "/api/tokens", set(), lambda role: {"name": "matrix"}),
    Case(
        "POST",
        "/api/password",
        set(),
        lambda role: {"current_password": "correct-horse-battery", "new_password": "yak-lamp-87-x"},
    ),
    Case("POST", "/api/users/{username}/deactivate", {"region_admin"}),
    Case("DELETE", "/api/tokens/{token_id}", USERS),
    Case("GET", "/api/plan/plans", EVERYONE),
    Case("GET", "/api/plan/indicators", EVERYONE),
    Case("GET", "/api/plan/targets", EVERYONE),
    Case("GET", "/api/plan/check", EVERYONE),
    Case("GET", "/api/plan/incentives", EVERYONE),
    # A caller's own job (someone else's answers 404: tests/jobs).
    Case("GET", "/api/jobs", USERS),
    Case("GET", "/api/jobs/{job_id}", USERS),
    Case("POST", "/api/jobs/{job_id}/cancel", USERS),
    # An enterprise's own messages; other users get an empty list.
    Case("GET", "/api/messages", USERS),
    Case("GET", "/api/messages/unread", USERS),
    Case("POST", "/api/messages/read-all", USERS),
    # Nobody's message here: marking it read is 404 for every caller (tests/monitoring's
    # test_message_reads has the owner marking its own).
    Case("POST", "/api/messages/{message_id}/read", set()),
]


def test_every_non_registry_api_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        # The registry, monitoring, trace, forecast, policy, recognition and design have their own matrices (tests/<domain>).
        if not path.startswith(
            (
                "/api/registry",
                "/api/monitoring",
                "/api/trace",
                "/epcis",
                "/api/forecast",
                "/api/policy",
                "/api/recognition",
                "/api/standards",
                "/api/exchange",
                "/api/design",
            )
        )
        for method in ops
    }
    assert routes == {(c.method, c.path) for c in CASES}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_route_answers_each_role(
    client: TestClient, session: Session, role: str, case: Case
) -> None:
    headers: dict[str, str] = {}
    own_token_id = None
    if ROLES[role] is not None:
        r, scope = ROLES[role]  # type: ignore[misc]
        user = make_user(session, r, scope)
        headers = bearer(make_token(session, user))
        from plateau.auth.models import ApiToken

        own_token_id = session.query(ApiToken.id).filter(ApiToken.user_id == user.id).scalar()
    # Someone else's token: nobody but its owner (or the admin) may touch it.
    other = make_user(session, Role.ANALYST, username=f"other-{role}")
    other_token = make_token(session, other)
    job_id = None
    if "{job_id}" in case.path:
        from plateau.jobs import service as jobs_service

        owner = actor_of(user) if ROLES[role] is not None else actor_of(other)
        job_id = jobs_service.submit(session, kind="analytics.warmup", params={}, actor=owner).id
    session.commit()
    path = case.path.replace("{token_id}", str(own_token_id or 1))
    path = path.replace("{job_id}", str(job_id))
    path = path.replace("{username}", other.username)
    path = path.replace("{message_id}", "987654")
    resp = client.request(
        case.method, path, headers=headers, json=case.body(role) if case.body else None
    )
    if role in case.allowed:
        assert 200 <= resp.status_code < 300, (role, resp.status_code, resp.text)
        if case.path == "/api/tokens" and case.method == "GET":
            assert other_token[:10] not in resp.text
    else:
        assert resp.status_code in (401, 403, 404), (role, resp.status_code)
        assert other.username not in resp.text


def test_a_user_cannot_revoke_someone_elses_token(client: TestClient, session: Session) -> None:
    a = make_user(session, Role.PARK_OFFICER, "park:lhasa_etdz")
    b = make_user(session, Role.ANALYST)
    a_token = make_token(session, a)
    make_token(session, b)
    session.commit()
    from plateau.auth.models import ApiToken

    b_token_id = session.query(ApiToken.id).filter(ApiToken.user_id == b.id).scalar()
    resp = client.delete(f"/api/tokens/{b_token_id}", headers=bearer(a_token))
    assert resp.status_code == 404
    assert session.get(ApiToken, b_token_id).revoked_at is None  # type: ignore[union-attr]
