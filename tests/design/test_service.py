"""The 众包设计 rules: brief → proposals → award or close, scope, bad input, messages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, SYSTEM
from plateau.design import service
from plateau.design.models import Brief, Proposal, ProposalImage
from plateau.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.messaging import service as messaging_service
from plateau.messaging.models import Message
from plateau.registry import service as registry_service
from plateau.registry.schemas import ProductCreate
from tests.design.builders import PNG_1PX, brief_data, make_world, proposal_data
from tests.registry.builders import gtin


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _inbox(session: Session, enterprise_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Message.topic)
            .where(Message.enterprise_id == enterprise_id, Message.kind == "design")
            .order_by(Message.id)
        )
    )


def test_brief_proposals_award_and_production(session: Session) -> None:
    w = make_world(session)
    brief = service.create_brief(session, data=brief_data(), actor=w.u_maker)
    assert service.phase(brief) == "open"
    mine = service.submit_proposal(
        session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio, images=[PNG_1PX]
    )
    theirs = service.submit_proposal(
        session, brief_id=brief.id, data=proposal_data(title="转经筒系列"), actor=w.u_studio2
    )
    # The owner is told of each proposal; the owner sees both, a designer its own, the public none.
    assert _inbox(session, w.maker.id) == ["proposal", "proposal"]
    seen = {
        name: [p.id for p, _n in service.list_proposals(session, brief_id=brief.id, actor=a)]
        for name, a in (
            ("owner", w.u_maker),
            ("studio", w.u_studio),
            ("public", PUBLIC),
            ("other", w.u_other),
        )
    }
    assert seen == {"owner": [mine.id, theirs.id], "studio": [mine.id], "public": [], "other": []}
    with pytest.raises(NotFound):
        service.get_proposal(session, proposal_id=mine.id, actor=w.u_studio2)
    # The designer edits until the deadline; the thread goes both ways.
    service.update_proposal(
        session,
        proposal_id=mine.id,
        data=proposal_data(title="雪山纹样系列（修订）"),
        actor=w.u_studio,
    )
    service.send(session, proposal_id=mine.id, text="能否提供面料小样？", actor=w.u_maker)
    service.send(session, proposal_id=mine.id, text="可以，下周寄出。", actor=w.u_studio)
    assert [
        m.from_owner for m in service.thread(session, proposal_id=mine.id, actor=w.u_studio)
    ] == [True, False]
    with pytest.raises(NotFound):
        service.thread(session, proposal_id=mine.id, actor=w.u_other)
    # Award, with the product made from it picked from the maker's own products.
    product = registry_service.create_product(
        session,
        data=ProductCreate(
            gtin=gtin(9601),
            name_zh="雪山纹氆氇藏装",
            enterprise_uscc=w.maker.uscc,
            industry_id="ethnic_handicraft",
        ),
        actor=SYSTEM,
    )
    assert product.gtin in [
        g for g, _l in service.product_choices(session, brief_id=brief.id, actor=w.u_maker)
    ]
    service.award(
        session, brief_id=brief.id, proposal_id=mine.id, note="纹样最具文化内涵", actor=w.u_maker
    )
    assert service.phase(brief) == "awarded"
    assert _inbox(session, w.studio.id)[-1] == "awarded"
    assert _inbox(session, w.studio2.id) == ["not_chosen"]
    service.carry_into_production(
        session, brief_id=brief.id, product_gtin=product.gtin, actor=w.u_maker
    )
    row = service.read_brief(service.brief_row(session, brief_id=brief.id, actor=PUBLIC))
    assert (row.phase, row.awarded_to, row.product_name) == ("awarded", "次仁", "雪山纹氆氇藏装")
    designs = service.product_designs(session, gtin=product.gtin)
    assert [(d.designer, d.brief_id) for d in designs] == [("次仁", brief.id)]
    # Decided: no second award, no more proposals, no edits.
    with pytest.raises(Conflict):
        service.award(session, brief_id=brief.id, proposal_id=theirs.id, note="", actor=w.u_maker)
    with pytest.raises(Conflict):
        service.update_proposal(
            session, proposal_id=mine.id, data=proposal_data(), actor=w.u_studio
        )


def test_bad_input_changes_nothing(session: Session) -> None:
    w = make_world(session, base=9611)
    with pytest.raises(ValidationFailed, match="截止"):
        service.create_brief(
            session,
            data=brief_data(deadline_date=service.today() - timedelta(days=1)),
            actor=w.u_maker,
        )
    for reward in ("-1", "两万元"):
        with pytest.raises(ValidationError):
            brief_data(reward_cny=reward)
    with pytest.raises(ValidationFailed):
        service.create_brief(
            session, data=brief_data(description="请联系 13912345678"), actor=w.u_maker
        )
    assert _count(session, Brief) == 0
    brief = service.create_brief(session, data=brief_data(), actor=w.u_maker)
    with pytest.raises(ValidationFailed, match="图片"):
        service.submit_proposal(
            session,
            brief_id=brief.id,
            data=proposal_data(),
            actor=w.u_studio,
            images=[b"%PDF-1.4 not a picture"],
        )
    too_big = PNG_1PX + b"\0" * (service.MAX_IMAGE_BYTES + 1)
    with pytest.raises(ValidationFailed, match="MB"):
        service.submit_proposal(
            session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio, images=[too_big]
        )
    assert _count(session, Proposal) == 0
    service.submit_proposal(session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio)
    with pytest.raises(Conflict):
        service.submit_proposal(session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio)
    with pytest.raises(Forbidden):
        service.submit_proposal(session, brief_id=brief.id, data=proposal_data(), actor=w.u_maker)
    assert _count(session, Proposal) == 1
    # Past the deadline: in review, no proposal and no edit.
    brief.deadline_date = service.today() - timedelta(days=1)
    session.flush()
    assert service.phase(brief) == "review"
    with pytest.raises(Conflict):
        service.submit_proposal(session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio2)
    assert _count(session, Proposal) == 1 and _count(session, ProposalImage) == 0


def test_scope_one_enterprise_cannot_act_on_anothers_brief(session: Session) -> None:
    w = make_world(session, base=9621)
    brief = service.create_brief(session, data=brief_data(), actor=w.u_maker)
    p = service.submit_proposal(session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio)
    for actor in (w.u_other, w.u_studio, w.organiser):
        with pytest.raises(Forbidden):
            service.award(session, brief_id=brief.id, proposal_id=p.id, note="", actor=actor)
        with pytest.raises(Forbidden):
            service.close(session, brief_id=brief.id, reason="不合适", actor=actor)
    with pytest.raises(NotFound):
        service.shortlist(session, proposal_id=p.id, on=True, actor=w.u_other)
    with pytest.raises(Forbidden):
        service.create_brief(
            session, data=brief_data(enterprise_uscc=w.other.uscc), actor=w.u_maker
        )
    with pytest.raises(Forbidden):
        service.update_proposal(session, proposal_id=p.id, data=proposal_data(), actor=w.u_maker)
    # A product of another enterprise cannot be linked.
    other_product = registry_service.create_product(
        session,
        data=ProductCreate(
            gtin=gtin(9622), name_zh="纸箱", enterprise_uscc=w.other.uscc, industry_id="packaging"
        ),
        actor=SYSTEM,
    )
    with pytest.raises(ValidationFailed):
        service.award(
            session,
            brief_id=brief.id,
            proposal_id=p.id,
            note="",
            product_gtin=other_product.gtin,
            actor=w.u_maker,
        )
    assert session.get(Brief, brief.id).status == "open"  # type: ignore[union-attr]


def test_public_proposals_and_the_association_closing_without_award(session: Session) -> None:
    w = make_world(session, base=9631)
    brief = service.create_brief(
        session, data=brief_data(category="packaging", proposals_public=True), actor=w.organiser
    )
    assert service.brief_row(session, brief_id=brief.id, actor=PUBLIC).owner == "行业协会"
    p = service.submit_proposal(session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio)
    assert [x.id for x, _n in service.list_proposals(session, brief_id=brief.id, actor=PUBLIC)] == [
        p.id
    ]
    with pytest.raises(ValidationFailed):
        service.close(session, brief_id=brief.id, reason=" ", actor=w.organiser)
    service.close(session, brief_id=brief.id, reason="方案均未达到要求", actor=w.organiser)
    assert service.phase(brief) == "closed"
    assert _inbox(session, w.studio.id) == ["closed"]
    rows = service.export_rows(session, actor=PUBLIC)
    row = next(r for r in rows if r["id"] == brief.id)
    assert (
        row["category"] == "包装设计"
        and row["phase"] == "未授奖关闭"
        and row["owner"] == "行业协会"
    )
    assert row["reward_cny"] == Decimal("20000")


def test_the_association_hides_a_brief_with_a_reason_and_only_its_owner_still_sees_it(
    session: Session,
) -> None:
    w = make_world(session, base=9661)
    brief = service.create_brief(session, data=brief_data(), actor=w.u_maker)
    session.commit()

    for actor in (w.u_maker, w.u_studio, PUBLIC):  # owners and strangers do not moderate
        with pytest.raises((Forbidden, Unauthorized)):
            service.hide(session, brief_id=brief.id, reason="涉嫌违规", actor=actor)
    with pytest.raises(ValidationFailed):
        service.hide(session, brief_id=brief.id, reason=" ", actor=w.organiser)
    assert service.get_brief(session, brief_id=brief.id, actor=PUBLIC).hidden_at is None

    service.hide(session, brief_id=brief.id, reason="涉嫌违规", actor=w.organiser)
    session.commit()
    listed = lambda actor: {r.brief.id for r in service.list_briefs(session, actor=actor)}  # noqa: E731
    assert brief.id not in listed(PUBLIC) and brief.id not in listed(w.u_studio)
    assert brief.id in listed(w.u_maker) and brief.id in listed(w.organiser)
    for actor in (PUBLIC, w.u_studio):
        with pytest.raises(NotFound):
            service.get_brief(session, brief_id=brief.id, actor=actor)
    with pytest.raises(NotFound):  # nobody answers a brief they cannot see
        service.submit_proposal(session, brief_id=brief.id, data=proposal_data(), actor=w.u_studio)
    assert (
        service.get_brief(session, brief_id=brief.id, actor=w.u_maker).hidden_reason == "涉嫌违规"
    )
    told = messaging_service.inbox(session, actor=w.u_maker)
    assert any("涉嫌违规" in m.body for m in told), told

    service.restore(session, brief_id=brief.id, actor=w.organiser)
    session.commit()
    assert brief.id in listed(PUBLIC)


def test_the_briefs_are_paged_in_sql(client: TestClient, session: Session) -> None:
    w = make_world(session, base=9671)
    for i in range(23):
        service.create_brief(session, data=brief_data(title=f"包装设计{i:02d}"), actor=w.u_maker)
    session.commit()
    first = service.page_briefs(session, actor=PUBLIC, page=1, per_page=20)
    second = service.page_briefs(session, actor=PUBLIC, page=2, per_page=20)
    assert first.total == 23 and first.pages == 2 and len(second.items) == 3
    assert first.items[0].brief.title == "包装设计22"  # newest first
    assert {r.brief.id for r in first.items}.isdisjoint(r.brief.id for r in second.items)
    api = client.get("/api/design/briefs", params={"per_page": 5, "page": 5}).json()
    assert api["total"] == 23 and [b["title"] for b in api["items"]] == [
        "包装设计02",
        "包装设计01",
        "包装设计00",
    ]
    page = client.get("/design?page=2")
    assert 'id="brief-pages"' in page.text and "包装设计00" in page.text
    assert "包装设计22" not in page.text
