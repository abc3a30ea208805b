"""Builders for test data: small functions over fixture files full of rows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.models import User
from plateau.auth.schemas import PUBLIC, SYSTEM, Actor, Role, TokenCreate, UserCreate

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


# The standard cast of the access tests: one user per role, the scoped ones over enterprises
# "a" (Lhasa, ETDZ park) and "b" (Nagqu) of a domain's three-enterprise world.
ROLE_SPECS: dict[str, tuple[Role, str | None]] = {
    "region_admin": (Role.REGION_ADMIN, None),
    "analyst": (Role.ANALYST, None),
    "prefecture_lhasa": (Role.PREFECTURE_OFFICER, "prefecture:540100"),
    "prefecture_nagqu": (Role.PREFECTURE_OFFICER, "prefecture:540600"),
    "park_etdz": (Role.PARK_OFFICER, "park:lhasa_etdz"),
    "enterprise_a": (Role.ENTERPRISE_USER, "enterprise:{a}"),
    "enterprise_b": (Role.ENTERPRISE_USER, "enterprise:{b}"),
}
ROLES = ("public", *ROLE_SPECS)


@dataclass
class Users:
    actors: dict[str, Actor]
    headers: dict[str, dict[str, str]]
    usernames: dict[str, str]


def make_role_users(session: Session, *, a: str, b: str, prefix: str) -> Users:
    """Create one user (and API token) per role of ROLE_SPECS, enterprise users on ``a``/``b``."""
    actors: dict[str, Actor] = {"public": PUBLIC}
    headers: dict[str, dict[str, str]] = {"public": {}}
    usernames: dict[str, str] = {}
    for name, (role, scope) in ROLE_SPECS.items():
        user = make_user(
            session, role, scope.format(a=a, b=b) if scope else None, username=f"{prefix}-{name}"
        )
        actors[name] = actor_of(user)
        headers[name] = bearer(make_token(session, user))
        usernames[name] = user.username
    session.commit()
    return Users(actors=actors, headers=headers, usernames=usernames)
