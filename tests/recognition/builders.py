"""Builders of a small recognition world for tests, over the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from plateau.auth.models import User
from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.recognition import service
from plateau.recognition.models import Edition, Nomination
from plateau.recognition.schemas import EditionCreate, MemberAdd, NominationCreate
from plateau.registry import service as registry_service
from plateau.registry.models import Brand, Enterprise
from plateau.registry.schemas import BrandCreate
from tests.builders import actor_of, make_user
from tests.registry.builders import make_enterprise


def png(size: tuple[int, int] = (8, 8), color: str = "#8a1c1c") -> bytes:
    """A small real PNG picture."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


PNG_1PX = png()


def edition_data(code: str = "fw-test", *, jury_weight: int = 70, **over: object) -> EditionCreate:
    today = service.beijing_today()
    data: dict[str, object] = {
        "code": code,
        "name_zh": "测试拉萨服饰周",
        "name_en": "Test Lhasa Fashion Week",
        "kind": "fashion_week",
        "year": today.year,
        "jury_weight": jury_weight,
        "score_max": 10,
        "tie_break": "jury",
        "nominations_close_date": today + timedelta(days=10),
        "scoring_start_date": today + timedelta(days=20),
        "vote_close_date": today + timedelta(days=30) if jury_weight < 100 else None,
        "publicity_end_date": today + timedelta(days=40),
        "categories": [
            {
                "code": "best_brand",
                "name_zh": "最佳服装品牌",
                "name_en": "Best garment brand",
                "entry_kind": "brand",
                "eligibility": "lhasa_garment_brand",
                "criteria": [
                    {"name_zh": "创意设计", "name_en": "Creative design", "weight": 30},
                    {"name_zh": "文化内涵", "name_en": "Cultural content", "weight": 30},
                    {"name_zh": "工艺质量", "name_en": "Craft quality", "weight": 20},
                    {"name_zh": "市场前景", "name_en": "Market prospects", "weight": 20},
                ],
            },
            {
                "code": "best_design",
                "name_zh": "最佳服装设计",
                "name_en": "Best garment design",
                "entry_kind": "design",
                "criteria": [
                    {"name_zh": "创意设计", "name_en": "Creative design", "weight": 60},
                    {"name_zh": "工艺质量", "name_en": "Craft quality", "weight": 40},
                ],
            },
        ],
    }
    data.update(over)
    return EditionCreate.model_validate(data)


@dataclass
class World:
    edition: Edition
    organiser: Actor
    jurors: list[Actor]
    juror_users: list[User]
    maker_a: Actor  # enterprise user of garment maker A
    ent_a: Enterprise
    ent_b: Enterprise
    ent_c: Enterprise  # not a garment maker
    brand_a: Brand
    brand_b: Brand
    brand_c: Brand


def make_brand(session: Session, ent: Enterprise, name: str) -> Brand:
    return registry_service.create_brand(
        session, data=BrandCreate(enterprise_uscc=ent.uscc, name_zh=name), actor=SYSTEM
    )


def make_world(session: Session, *, jury_weight: int = 70, code: str = "fw-test") -> World:
    ent_a = make_enterprise(
        session, n=9101, name="雪域服饰", industry="ethnic_handicraft", gbt4754="1819"
    )
    ent_b = make_enterprise(
        session, n=9102, name="圣城藏装", industry="ethnic_handicraft", gbt4754="1830"
    )
    ent_c = make_enterprise(session, n=9103, name="高原食品", industry="agri_food")
    brand_a = make_brand(session, ent_a, "雪域")
    brand_b = make_brand(session, ent_b, "圣城")
    brand_c = make_brand(session, ent_c, "高原")
    org_user = make_user(session, Role.ORGANISER)
    organiser = actor_of(org_user)
    edition = service.create_edition(
        session, data=edition_data(code, jury_weight=jury_weight), actor=organiser
    )
    juror_users = [make_user(session, Role.JUROR) for _ in range(3)]
    for i, u in enumerate(juror_users):
        service.add_member(
            session,
            code=code,
            data=MemberAdd(
                username=u.username,
                kind="juror",
                display_name=f"评委{i + 1}",
                # The first juror works for maker A: a conflict the registry shows.
                employer_uscc=ent_a.uscc if i == 0 else "",
            ),
            actor=organiser,
        )
    maker_a = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent_a.uscc}"))
    return World(
        edition,
        organiser,
        [actor_of(u) for u in juror_users],
        juror_users,
        maker_a,
        ent_a,
        ent_b,
        ent_c,
        brand_a,
        brand_b,
        brand_c,
    )


def open_nominations(session: Session, w: World) -> None:
    service.advance(session, code=w.edition.code, to="nominations", actor=w.organiser)


def nominate_brands(session: Session, w: World) -> list[Nomination]:
    """Nominate brands A (by its maker) and B (by the organiser), and one design."""
    code = w.edition.code
    a = service.nominate(
        session,
        code=code,
        data=NominationCreate(category="best_brand", brand_id=w.brand_a.id),
        actor=w.maker_a,
    )
    b = service.nominate(
        session,
        code=code,
        data=NominationCreate(category="best_brand", brand_id=w.brand_b.id),
        actor=w.organiser,
    )
    d = service.nominate(
        session,
        code=code,
        data=NominationCreate(category="best_design", title="雪山之光"),
        actor=w.organiser,
        images=[PNG_1PX],
    )
    return [a, b, d]


def to_scoring(session: Session, w: World, nominations: list[Nomination]) -> None:
    code = w.edition.code
    service.advance(session, code=code, to="review", actor=w.organiser)
    for n in nominations:
        service.decide(
            session, code=code, nomination_id=n.id, accept=True, reason="", actor=w.organiser
        )
    service.advance(session, code=code, to="scoring", actor=w.organiser)


def score_all(session: Session, w: World, values: dict[tuple[int, int], int]) -> None:
    """Give every criterion of an entry the same score: values[(juror index, nomination)]."""
    edition = service.get_edition(session, code=w.edition.code, actor=w.organiser)
    for (j, nid), v in values.items():
        nomination = service._get_nomination(session, nid, edition)
        cat = next(c for c in edition.categories if c.id == nomination.category_id)
        service.submit_scores(
            session,
            code=w.edition.code,
            nomination_id=nid,
            scores={c.id: Decimal(v) for c in cat.criteria},
            actor=w.jurors[j],
        )


def today() -> date:
    return service.beijing_today()
