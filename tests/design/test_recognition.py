"""A design recognised in a final fashion week is carried into production as an awarded brief."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Role
from plateau.design import service
from plateau.design.models import Brief, ProposalImage
from plateau.errors import Conflict, Forbidden, ValidationFailed
from plateau.recognition import service as recognition_service
from plateau.recognition.schemas import NominationCreate
from plateau.registry import service as registry_service
from plateau.registry.schemas import ProductCreate
from tests.builders import actor_of, csrf_from, login, make_user
from tests.recognition.builders import (
    PNG_1PX,
    make_world,
    nominate_brands,
    open_nominations,
    score_all,
    to_scoring,
)
from tests.registry.builders import gtin


def test_a_recognised_design_goes_into_production(client: TestClient, session: Session) -> None:
    w = make_world(session, jury_weight=100, code="fw-design")
    code = w.edition.code
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    e = recognition_service.nominate(
        session,
        code=code,
        data=NominationCreate(category="best_design", title="格桑花开"),
        actor=w.maker_a,
        images=[PNG_1PX],
    )
    to_scoring(session, w, [a, b, d, e])
    scores = {}
    for j in range(3):
        for n, v in ((a, 6), (b, 8), (d, 5), (e, 9)):
            if j == 0 and n in (a, e):
                continue  # the first juror works for maker A
            scores[(j, n.id)] = v
    score_all(session, w, scores)
    # Not final yet: nothing to carry.
    recognition_service.advance(session, code=code, to="publicity", actor=w.organiser)
    with pytest.raises(ValidationFailed):
        service.adopt_recognised_design(session, code=code, nomination_id=e.id, actor=w.maker_a)
    recognition_service.advance(session, code=code, to="final", actor=w.organiser)
    assert [x.nomination_id for x in service.recognised_designs(session, actor=w.organiser)] == [
        e.id
    ]
    other = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{w.ent_b.uscc}"))
    assert service.recognised_designs(session, actor=other) == []
    with pytest.raises(Forbidden):
        service.adopt_recognised_design(session, code=code, nomination_id=e.id, actor=other)
    with pytest.raises(ValidationFailed):  # ranked below the award: not recognised
        service.adopt_recognised_design(session, code=code, nomination_id=d.id, actor=w.organiser)
    product = registry_service.create_product(
        session,
        data=ProductCreate(
            gtin=gtin(9911),
            name_zh="格桑花藏装",
            enterprise_uscc=w.ent_a.uscc,
            industry_id="ethnic_handicraft",
        ),
        actor=SYSTEM,
    )
    session.commit()
    # The entering enterprise carries it into production from the design page.
    login(client, w.maker_a.username)
    page = client.get("/design")
    assert 'id="adopt-form"' in page.text and "格桑花开" in page.text
    done = client.post(
        "/design/from-recognition",
        data={"csrf_token": csrf_from(page.text), "design": f"{code}/{e.id}"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    brief = session.scalars(select(Brief)).one()
    service.carry_into_production(
        session, brief_id=brief.id, product_gtin=product.gtin, actor=w.maker_a
    )
    row = service.read_brief(service.brief_row(session, brief_id=brief.id, actor=other))
    assert (row.phase, row.awarded_to, row.product_name, row.recognition_code) == (
        "awarded",
        w.ent_a.name,
        "格桑花藏装",
        code,
    )
    assert session.scalar(select(func.count(ProposalImage.id))) == 1
    assert [d_.designer for d_ in service.product_designs(session, gtin=product.gtin)] == [
        w.ent_a.name
    ]
    with pytest.raises(Conflict):
        service.adopt_recognised_design(session, code=code, nomination_id=e.id, actor=w.organiser)
    assert session.scalar(select(func.count(Brief.id))) == 1
    assert service.recognised_designs(session, actor=w.organiser) == []
