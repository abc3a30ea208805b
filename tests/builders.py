"""Builders for test data: small functions over fixture files full of rows."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.models import User
from plateau.auth.schemas import SYSTEM, Actor, Role, TokenCreate, UserCreate

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_user(
    session: Session, role: Role | str, scope: str | None = None, *, username: str | None = None
) -> User:
    """Create a user with ``role`` and ``scope`` (the scope's record must exist)."""
    role = Role(role)
    name = username or f"{role.value}-{next(_seq)}"
    return auth_service.create_user(
        session,
        data=UserCreate(username=name, password=PASSWORD, role=role, scope=scope),
        actor=SYSTEM,
    )


def make_token(session: Session, user: User) -> str:
    """Issue an API token for ``user`` and return it."""
    _token, plain = auth_service.create_token(
        session, username=user.username, data=TokenCreate(name="test"), actor=SYSTEM
    )
    return plain


def actor_of(user: User) -> Actor:
    return auth_service.actor_for(user)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Log a browser-like client in through the real login form (with its CSRF token)."""
    page = client.get("/login")
    token = csrf_from(page.text)
    resp = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text


def csrf_from(html: str) -> str:
    """Extract the CSRF token a page embeds in its forms."""
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
