"""Sign-in holds up: throttling with lockout, a password checker, sessions that can end."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth import service
from plateau.auth.models import SecurityEvent
from plateau.auth.schemas import SYSTEM, Role, TokenCreate, UserCreate
from plateau.errors import ValidationFailed
from tests.builders import PASSWORD, bearer, csrf_from, login, make_token, make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 parameters cost ~0.3 s per hash; these tests sign in dozens of times.
    monkeypatch.setattr(
        service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


def _try_login(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return answer.status_code


def _events(session: Session, kind: str) -> list[SecurityEvent]:
    session.expire_all()
    return list(session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))


def test_wrong_passwords_lock_the_account_even_for_the_right_password(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    limit = service.ACCOUNT_FAILURE_LIMIT
    assert [_try_login(client, user.username, f"guess-{i}") for i in range(limit)] == [401] * limit
    page = client.get("/login")
    locked = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert locked.status_code == 429 and "锁定" in locked.text
    assert client.get("/api/me").status_code == 401
    [event] = _events(session, "login_locked")
    assert event.subject == user.username.lower() and event.address == "testclient"


def test_one_address_guessing_many_accounts_is_locked(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "ADDRESS_FAILURE_LIMIT", 3)
    user = make_user(session, Role.ANALYST)
    session.commit()
    assert [_try_login(client, f"nobody-{i}", "x-y-z-w-v") for i in range(3)] == [401] * 3
    assert _try_login(client, user.username, PASSWORD) == 429
    assert len(_events(session, "address_locked")) == 1


def test_a_right_password_before_the_limit_clears_the_failures(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    for round_ in range(2):
        for i in range(service.ACCOUNT_FAILURE_LIMIT - 1):
            assert _try_login(client, user.username, f"guess-{round_}-{i}") == 401
        assert _try_login(client, user.username, PASSWORD) == 303


@pytest.mark.parametrize(
    "password", ["12345678", "password", "qwertyuiop", "analyst-zhang", "Zhang-Analyst-2026"]
)
def test_common_and_user_derived_passwords_are_refused(session: Session, password: str) -> None:
    data = UserCreate(username="analyst-zhang", password=password, role=Role.ANALYST)
    with pytest.raises(ValidationFailed) as caught:
        service.create_user(session, data=data, actor=SYSTEM)
    assert "太容易被猜到" in caught.value.message


def test_a_strong_password_is_accepted_and_a_weak_new_one_refused(session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    with pytest.raises(ValidationFailed):
        service.set_password(session, username=user.username, password=user.username, actor=SYSTEM)
    service.set_password(
        session, username=user.username, password="yak-butter-lamp-87", actor=SYSTEM
    )
    assert service.authenticate(session, username=user.username, password="yak-butter-lamp-87")


def test_logout_ends_the_session_even_for_a_copied_cookie(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    login(client, user.username)
    stolen = dict(client.cookies)
    assert client.get("/api/me").status_code == 200
    page = client.get("/account")
    client.post("/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    client.cookies.clear()
    client.cookies.update(stolen)
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("how", ["password", "deactivation"])
def test_password_change_and_deactivation_end_sessions_and_tokens(
    client: TestClient, session: Session, how: str
) -> None:
    user = make_user(session, Role.ANALYST)
    token = make_token(session, user)
    session.commit()
    login(client, user.username)
    assert client.get("/api/me").status_code == 200
    if how == "password":
        service.set_password(
            session, username=user.username, password="yak-butter-lamp-87", actor=SYSTEM
        )
    else:
        service.deactivate_user(session, username=user.username, actor=SYSTEM)
    session.commit()
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    kind = "password_changed" if how == "password" else "user_deactivated"
    assert [e.subject for e in _events(session, kind)] == [user.username]


def test_the_api_changes_the_callers_password_and_ends_the_session(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, Role.ANALYST)
    session.commit()
    login(client, user.username)
    csrf = {"X-CSRF-Token": csrf_from(client.get("/account").text)}
    weak = client.post(
        "/api/password",
        json={"current_password": PASSWORD, "new_password": "12345678"},
        headers=csrf,
    )
    assert weak.status_code == 422 and client.get("/api/me").status_code == 200
    changed = client.post(
        "/api/password",
        json={"current_password": PASSWORD, "new_password": "yak-butter-lamp-87"},
        headers=csrf,
    )
    assert changed.status_code == 204
    assert client.get("/api/me").status_code == 401
    client.cookies.clear()
    login(client, user.username, "yak-butter-lamp-87")
    assert client.get("/api/me").status_code == 200


def test_a_token_cannot_mint_tokens(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.ANALYST)
    parent = make_token(session, user)
    session.commit()
    minted = client.post("/api/tokens", json={"name": "heir"}, headers=bearer(parent))
    assert minted.status_code == 403 and "令牌" in minted.json()["detail"]
    assert [t.name for t in service.list_tokens(session, actor=service.actor_for(user))] == ["test"]
    with pytest.raises(Exception, match="令牌"):
        service.create_token(
            session,
            username=user.username,
            data=TokenCreate(name="x"),
            actor=service.actor_for(user, via_token=True),
        )
