from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import bearer, login, make_token, make_user


def test_me_needs_a_valid_token(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    token = make_token(session, user)
    session.commit()
    assert client.get("/api/me").status_code == 401
    bad = client.get("/api/me", headers=bearer("plt_nope"))
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    ok = client.get("/api/me", headers=bearer(token))
    assert ok.status_code == 200
    assert ok.json()["username"] == user.username and ok.json()["role"] == "analyst"


def test_user_management_is_for_the_admin(client: TestClient, session: Session) -> None:
    admin = make_user(session, Role.REGION_ADMIN)
    analyst = make_user(session, Role.ANALYST)
    admin_token, analyst_token = make_token(session, admin), make_token(session, analyst)
    session.commit()
    assert client.get("/api/users", headers=bearer(analyst_token)).status_code == 403
    created = client.post(
        "/api/users",
        json={
            "username": "officer-nq",
            "password": "long-enough-pw",
            "role": "prefecture_officer",
            "scope": "prefecture:540600",
        },
        headers=bearer(admin_token),
    )
    assert created.status_code == 201, created.text
    listed = client.get("/api/users", headers=bearer(admin_token)).json()
    assert "officer-nq" in {u["username"] for u in listed}
    bad_scope = client.post(
        "/api/users",
        json={
            "username": "officer-x",
            "password": "long-enough-pw",
            "role": "prefecture_officer",
            "scope": "prefecture:123456",
        },
        headers=bearer(admin_token),
    )
    assert bad_scope.status_code == 422
    assert "officer-x" not in {
        u["username"] for u in client.get("/api/users", headers=bearer(admin_token)).json()
    }


def test_cookie_sessions_need_csrf_for_api_writes(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    login(client, user.username)
    assert client.get("/api/me").json()["username"] == user.username
    refused = client.post("/api/tokens", json={"name": "cli"})
    assert refused.status_code == 403
    page = client.get("/account")
    from tests.builders import csrf_from

    ok = client.post(
        "/api/tokens", json={"name": "cli"}, headers={"X-CSRF-Token": csrf_from(page.text)}
    )
    assert ok.status_code == 201 and ok.json()["token"].startswith("plt_")
    assert (
        client.get("/api/me", headers=bearer(ok.json()["token"])).json()["username"]
        == user.username
    )
