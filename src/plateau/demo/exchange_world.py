"""The demo's 供需对接 board: garment makers and packaging firms posting offers and needs.

Posted through ``exchange.service`` (so matches and notices happen as in real use), dated
from the real current day so that the posts are live whenever the demo is loaded.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.exchange import service as exchange_service
from plateau.exchange.schemas import PostCreate
from plateau.registry.models import Enterprise

GARMENT = ("1819", "1830", "1921", "1932")


def _firms(session: Session, **where: object) -> list[Enterprise]:
    stmt = select(Enterprise).order_by(Enterprise.id)
    if "industry" in where:
        stmt = stmt.where(Enterprise.industry_id == where["industry"])
    if where.get("garment"):
        stmt = stmt.where(Enterprise.gbt4754.in_(GARMENT))
    return list(session.scalars(stmt.limit(3)))


def load_exchange_world(session: Session, *, actor: Actor) -> int:
    """Post the demo offers and needs and start one conversation; return the posts' count."""
    garment = _firms(session, garment=True)
    packaging = _firms(session, industry="packaging")
    water = _firms(session, industry="drinking_water")
    if not (garment and packaging and water):
        return 0
    today = exchange_service.today()
    posts = [
        (water[0], "need", "packaging", "550ml PET瓶坯（演示）", 400000, "个", "540100"),
        (packaging[0], "offer", "packaging", "PET瓶坯及瓶盖现货（演示）", 1000000, "个", "540100"),
        (packaging[-1], "offer", "packaging", "瓦楞纸箱定制（演示）", 50000, "个", "540100"),
        (garment[0], "need", "packaging", "藏装礼品包装盒（演示）", 3000, "个", "540100"),
        (garment[0], "need", "materials", "手工氆氇面料（演示）", 800, "米", "540100"),
        (garment[-1], "offer", "materials", "邦典条纹布（演示）", 1500, "米", "540500"),
        (garment[-1], "offer", "processing", "藏装来料加工产能（演示）", 2000, "件/月", "540100"),
        (garment[0], "need", "design", "民族服饰纹样设计（演示）", None, "", "540100"),
    ]
    made = []
    for ent, kind, category, title, qty, unit, place in posts:
        made.append(
            exchange_service.create_post(
                session,
                data=PostCreate(
                    kind=kind,  # type: ignore[arg-type]
                    category=category,  # type: ignore[arg-type]
                    title=title,
                    description="演示数据（虚构）",
                    quantity=Decimal(qty) if qty is not None else None,
                    unit=unit,
                    prefecture_code=place,
                    from_date=today,
                    until_date=today + timedelta(days=90),
                    enterprise_uscc=ent.uscc,
                ),
                actor=actor,
            )
        )
    need, offer = made[0], made[1]
    for ent, text in (
        (water[0], "请问550ml瓶坯每万个报价及交货期？（演示）"),
        (packaging[0], "现货充足，每万个报价已在平台内回复，七日内可交货。（演示）"),
    ):
        exchange_service.send(
            session,
            need_id=need.id,
            offer_id=offer.id,
            text=text,
            actor=Actor(role=Role.ENTERPRISE_USER, scope=f"enterprise:{ent.uscc}"),
        )
    return len(made)
