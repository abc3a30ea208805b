"""The demo's 众包设计 briefs: garment makers and a brewery ask, two craft enterprises design.

Everything goes through ``design.service`` (so messages and the production link happen as in
real use), dated from the real current day so that the open briefs are open whenever the
demo is loaded. One brief is awarded and carried into one of its maker's products.
"""

from __future__ import annotations

import io
import secrets
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.models import User
from plateau.auth.schemas import Actor, Role, UserCreate
from plateau.demo.schemas import DemoCredential
from plateau.design import service as design_service
from plateau.design.schemas import BriefCreate, ProposalCreate
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise
from plateau.registry.schemas import ProductFilter

GARMENT = ("1819", "1830", "1921", "1932")


def _picture(colours: tuple[str, str]) -> bytes:
    """A small striped picture standing in for a design draft."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 200), colours[0])
    draw = ImageDraw.Draw(img)
    for x in range(0, 320, 40):
        draw.rectangle((x, 0, x + 18, 200), fill=colours[1])
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _as(uscc: str) -> Actor:
    return Actor(role=Role.ENTERPRISE_USER, username="demo", scope=f"enterprise:{uscc}")


def _designer_account(session: Session, uscc: str, *, actor: Actor) -> list[DemoCredential]:
    if session.scalar(select(User.id).where(User.username == "designer")) is not None:
        return []
    password = secrets.token_urlsafe(12)
    scope = f"enterprise:{uscc}"
    auth_service.create_user(
        session,
        data=UserCreate(
            username="designer",
            password=password,
            role=Role.ENTERPRISE_USER,
            scope=scope,
            display_name="设计师（演示）",
        ),
        actor=actor,
    )
    return [
        DemoCredential(
            username="designer", password=password, role=Role.ENTERPRISE_USER.value, scope=scope
        )
    ]


def load_design_world(session: Session, *, actor: Actor) -> list[DemoCredential]:
    """Put out the demo briefs with proposals, award one; return the designer's account."""
    garment = list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.gbt4754.in_(GARMENT))
            .order_by(Enterprise.id)
            .limit(2)
        )
    )
    brewer = session.scalar(
        select(Enterprise)
        .where(Enterprise.industry_id.in_(("brewing", "drinking_water")))
        .order_by(Enterprise.id)
    )
    if len(garment) < 2 or brewer is None:
        return []
    # The designers: craft enterprises of the register (唐卡, 文创) that also design for others.
    studios = list(
        session.scalars(
            select(Enterprise)
            .where(
                Enterprise.industry_id == "ethnic_handicraft",
                Enterprise.gbt4754.not_in(GARMENT) | Enterprise.gbt4754.is_(None),
                Enterprise.id.not_in([garment[0].id, garment[1].id]),
            )
            .order_by(Enterprise.id)
            .limit(2)
        )
    )
    if len(studios) < 2:
        return []
    today = design_service.today()

    def brief(owner: Enterprise, **fields: object) -> int:
        data = BriefCreate.model_validate(
            {"description": "演示数据（虚构）", "proposals_public": False} | fields
        )
        return design_service.create_brief(session, data=data, actor=_as(owner.uscc)).id

    def propose(
        brief_id: int, studio: Enterprise, title: str, designer: str, colours: tuple[str, str]
    ) -> int:
        return design_service.submit_proposal(
            session,
            brief_id=brief_id,
            data=ProposalCreate(
                title=title, description="演示方案（虚构）", designer_name=designer
            ),
            actor=_as(studio.uscc),
            images=[_picture(colours)],
        ).id

    spring = brief(
        garment[0],
        title="2026春夏日常藏装系列设计（演示）",
        category="garment",
        deliverables="效果图三套、工艺单、尺码表",
        reward_cny=Decimal("30000"),
        deadline_date=today + timedelta(days=30),
    )
    propose(spring, studios[0], "雪山晨曦系列", "次仁卓玛", ("#f4efe6", "#8a1c1c"))
    propose(spring, studios[1], "八吉祥纹样系列", "扎西", ("#1d3557", "#e9c46a"))
    tags = brief(
        garment[1],
        title="民族服饰吊牌与品牌标识设计（演示）",
        category="brand_identity",
        deliverables="标识矢量文件、吊牌两款",
        reward_cny=Decimal("8000"),
        deadline_date=today + timedelta(days=7),
        proposals_public=True,
    )
    chosen = propose(tags, studios[0], "格桑花标识", "次仁卓玛", ("#ffffff", "#2a9d8f"))
    propose(tags, studios[1], "转经筒吊牌", "扎西", ("#fefae0", "#bc6c25"))
    gift = brief(
        brewer,
        title="青稞酒礼盒包装设计（演示）",
        category="packaging",
        deliverables="礼盒结构图、印刷稿",
        reward_cny=Decimal("15000"),
        deadline_date=today + timedelta(days=21),
        proposals_public=True,
    )
    propose(gift, studios[1], "布达拉宫剪影礼盒", "扎西", ("#264653", "#f4a261"))
    owner = _as(garment[1].uscc)
    design_service.send(
        session, proposal_id=chosen, text="标识能否提供单色版本？（演示）", actor=owner
    )
    design_service.send(
        session,
        proposal_id=chosen,
        text="可以，单色与反白版本已一并上传。（演示）",
        actor=_as(studios[0].uscc),
    )
    products = registry_service.list_products(
        session, filters=ProductFilter(enterprise=garment[1].uscc), per_page=1, actor=actor
    ).items
    design_service.award(
        session,
        brief_id=tags,
        proposal_id=chosen,
        note="标识简洁，民族特色鲜明（演示）",
        product_gtin=products[0].gtin if products else None,
        actor=owner,
    )
    return _designer_account(session, studios[0].uscc, actor=actor)
