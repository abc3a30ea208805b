"""A small 众包设计 world: a garment maker that puts out a brief, two design studios, a stranger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.design import service
from plateau.design.schemas import BriefCreate, ProposalCreate
from plateau.registry.models import Enterprise
from tests.builders import actor_of, make_user
from tests.recognition.builders import PNG_1PX, png
from tests.registry.builders import make_enterprise

__all__ = ["PNG_1PX", "World", "brief_data", "make_world", "png", "proposal_data"]


@dataclass
class World:
    maker: Enterprise
    studio: Enterprise
    studio2: Enterprise
    other: Enterprise
    u_maker: Actor
    u_studio: Actor
    u_studio2: Actor
    u_other: Actor
    organiser: Actor


def make_world(session: Session, base: int = 9601) -> World:
    maker = make_enterprise(session, n=base, industry="ethnic_handicraft", gbt4754="1819")
    studio = make_enterprise(session, n=base + 1, name=f"雪域设计工作室{base}")
    studio2 = make_enterprise(session, n=base + 2, name=f"唐卡纹样设计{base}")
    other = make_enterprise(session, n=base + 3, industry="packaging")
    actors = [
        actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{e.uscc}"))
        for e in (maker, studio, studio2, other)
    ]
    organiser = actor_of(make_user(session, Role.ORGANISER))
    return World(maker, studio, studio2, other, *actors, organiser)


def brief_data(**over: Any) -> BriefCreate:
    data: dict[str, Any] = {
        "title": "2026春夏藏装系列设计",
        "category": "garment",
        "description": "以氆氇为主要面料的日常藏装",
        "deliverables": "效果图三套，工艺单",
        "reward_cny": Decimal("20000"),
        "deadline_date": service.today() + timedelta(days=30),
        "proposals_public": False,
    } | over
    return BriefCreate.model_validate(data)


def proposal_data(**over: Any) -> ProposalCreate:
    return ProposalCreate.model_validate(
        {"title": "雪山纹样系列", "description": "三套效果图", "designer_name": "次仁"} | over
    )
