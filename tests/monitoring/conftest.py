"""Fixtures of the returns tests: three enterprises in three tenants and a user per role."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.registry.models import Enterprise
from tests.builders import Users, make_role_users
from tests.registry.builders import make_enterprise


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 parameters cost ~0.3 s per hash; tests create many users.
    monkeypatch.setattr(
        auth_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@dataclass
class World:
    """A: Lhasa, park lhasa_etdz, agri-food. B: Nagqu, park nagqu_hitech, drinking water.
    C: Lhasa, no park, ethnic handicraft."""

    a: str
    b: str
    c: str
    ents: dict[str, Enterprise] = field(default_factory=dict)

    def uscc(self, letter: str) -> str:
        return {"a": self.a, "b": self.b, "c": self.c}[letter]


@pytest.fixture
def world(session: Session) -> World:
    a = make_enterprise(
        session, n=11, name="拉萨青稞食品有限公司", park="lhasa_etdz", industry="agri_food"
    )
    b = make_enterprise(
        session,
        n=12,
        name="那曲冰川水有限公司",
        prefecture="540600",
        park="nagqu_hitech",
        industry="drinking_water",
    )
    c = make_enterprise(session, n=13, name="拉萨藏香合作社", industry="ethnic_handicraft")
    session.commit()
    return World(a=a.uscc, b=b.uscc, c=c.uscc, ents={"a": a, "b": b, "c": c})


# Who sees the returns of which enterprise (letters of the world).
VISIBLE: dict[str, set[str]] = {
    "public": set(),
    "region_admin": {"a", "b", "c"},
    "analyst": {"a", "b", "c"},
    "prefecture_lhasa": {"a", "c"},
    "prefecture_nagqu": {"b"},
    "park_etdz": {"a"},
    "enterprise_a": {"a"},
    "enterprise_b": {"b"},
}


@pytest.fixture
def users(session: Session, world: World) -> Users:
    return make_role_users(session, a=world.a, b=world.b, prefix="m")


def cli_app() -> typer.Typer:
    """The ``plateau`` command line."""
    from plateau import cli as root

    return root.app
