"""Registry fixtures: a small world of enterprises in three tenants, and a user per role."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from tests.builders import ROLES, Users, make_role_users
from tests.registry.builders import (
    add_prefix,
    add_status,
    gtin,
    make_certification,
    make_enterprise,
    make_product,
    make_project,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 parameters cost ~0.3 s per hash; tests create many users.
    monkeypatch.setattr(
        auth_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@dataclass
class World:
    """Three enterprises: A (Lhasa, park lhasa_etdz), B (Nagqu, park nagqu_hitech), C (Lhasa)."""

    a: str
    b: str
    c: str
    gtin_a: str
    gtin_b: str
    brand_a: str
    brand_b: str
    cert_a: str
    cert_b: str
    project_a: int
    project_b: int
    project_c: int
    names: dict[str, str] = field(default_factory=dict)

    def markers(self, uscc: str) -> set[str]:
        """Strings that only a viewer of this enterprise may ever receive."""
        by = {
            self.a: {
                self.a,
                self.names[self.a],
                self.gtin_a,
                self.brand_a,
                self.cert_a,
                "拉萨净水工程",
            },
            self.b: {
                self.b,
                self.names[self.b],
                self.gtin_b,
                self.brand_b,
                self.cert_b,
                "那曲牦牛肉扩产项目",
            },
            self.c: {self.c, self.names[self.c]},
        }
        return by[uscc]


# Who sees which enterprise and which project (by the letters of the world).
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
VISIBLE_PROJECTS: dict[str, set[str]] = {
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
def world(session: Session) -> World:
    a = make_enterprise(
        session,
        n=1,
        name="拉萨高原净水有限公司",
        county="540103",
        park="lhasa_etdz",
        industry=None,
        gbt4754="1522",
    )
    b = make_enterprise(
        session,
        n=2,
        name="那曲牦牛肉食品有限公司",
        prefecture="540600",
        park="nagqu_hitech",
        gbt4754="1353",
    )
    c = make_enterprise(
        session, n=3, name="拉萨藏香手工艺合作社", county="540102", industry="ethnic_handicraft"
    )
    add_status(session, a, "high_tech", "2020-01-01")
    add_status(session, a, "above_designated_size", "2019-01-01", "2021-12-31")
    add_status(session, b, "above_designated_size", "2022-01-01")
    pa = make_product(session, a, n=1, name="高原冰川水 550ml", brand="净土冰川")
    pb = make_product(session, b, n=2, name="风干牦牛肉 250g", brand="羌塘牧歌")
    make_certification(session, a, kind="organic", number="ORG-A-0001")
    make_certification(session, b, kind="green_food", number="GF-B-0002", product=pb)
    # GS1 ranges: A licenses two company prefixes; B was assigned single GTINs. The
    # product files of the access matrix use gtin(500 + the role's number).
    add_prefix(session, a, "6901234")
    add_prefix(session, a, "6901230007")
    for no, role in enumerate(ROLES):
        holder = b if role in ("prefecture_nagqu", "enterprise_b") else a
        add_prefix(session, holder, gtin(500 + no), kind="assigned")
    add_prefix(session, b, gtin(84), kind="assigned")
    p1 = make_project(
        session,
        name="拉萨净水工程",
        park="lhasa_etdz",
        enterprise=a,
        amount=120_000_000,
        industry="drinking_water",
    )
    p2 = make_project(
        session,
        name="那曲牦牛肉扩产项目",
        prefecture="540600",
        park="nagqu_hitech",
        enterprise=b,
        stage="planning",
        amount=50_000_000,
    )
    p3 = make_project(
        session,
        name="拉萨民族手工艺产业园",
        stage="under_construction",
        amount=30_000_000,
        industry="ethnic_handicraft",
    )
    session.commit()
    return World(
        a=a.uscc,
        b=b.uscc,
        c=c.uscc,
        gtin_a=pa.gtin,
        gtin_b=pb.gtin,
        brand_a="净土冰川",
        brand_b="羌塘牧歌",
        cert_a="ORG-A-0001",
        cert_b="GF-B-0002",
        project_a=p1.id,
        project_b=p2.id,
        project_c=p3.id,
        names={a.uscc: a.name, b.uscc: b.name, c.uscc: c.name},
    )


@pytest.fixture
def users(session: Session, world: World) -> Users:
    return make_role_users(session, a=world.a, b=world.b, prefix="u")
