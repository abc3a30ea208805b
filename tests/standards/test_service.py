"""The standards programme: progress against 专栏2, the register's rules, self-declarations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Role
from plateau.errors import Conflict, Forbidden, ValidationFailed
from plateau.standards import service
from plateau.standards.models import SelfDeclaration, Standard
from plateau.standards.schemas import DeclarationCreate, StandardCreate, StatusChange
from tests.builders import actor_of, bearer, make_token, make_user
from tests.registry.builders import make_enterprise, make_product


def _standard(session: Session, n: int, status: str = "published", **over: object) -> Standard:
    data = {
        "code": f"T/XZFJ {n:03d}—2025" if status == "published" else "",
        "title_zh": f"发酵制品标准{n}",
        "level": "group",
        "status": status,
        "industry_id": "bio_fermentation",
        "programme_item": "fermented_products",
    } | over
    return service.create_standard(session, data=StandardCreate.model_validate(data), actor=SYSTEM)


def test_progress_counts_published_and_under_way_standards(session: Session) -> None:
    for n in range(3):
        _standard(session, n)
    _standard(session, 9, status="drafting")
    _standard(session, 10, status="planned")
    item = next(i for i in service.programme(session) if i.code == "fermented_products")
    assert (item.published, item.in_progress, item.min, item.max) == (3, 1, 3, 5)
    diagnosis = next(
        i for i in service.programme(session) if i.code == "tibetan_medicine_diagnosis"
    )
    assert (diagnosis.published, diagnosis.min) == (0, 30)


def test_the_register_keeps_its_rules(session: Session) -> None:
    ent = make_enterprise(session, n=9301)
    user = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}"))
    before = session.scalar(select(func.count(Standard.id)))
    with pytest.raises(Forbidden):
        service.create_standard(
            session,
            data=StandardCreate(title_zh="自定标准", level="group", industry_id="agri_food"),
            actor=user,
        )
    with pytest.raises(ValidationFailed):
        _standard(session, 1, status="published", code="")
    with pytest.raises(ValidationFailed):
        _standard(session, 2, programme_item="no_such_item")
    assert session.scalar(select(func.count(Standard.id))) == before
    s = _standard(session, 3, status="drafting")
    with pytest.raises(ValidationFailed):
        service.change_status(
            session, standard_id=s.id, data=StatusChange(status="published"), actor=SYSTEM
        )
    service.change_status(
        session,
        standard_id=s.id,
        data=StatusChange(status="published", code="DB54/T 0301—2025"),
        actor=SYSTEM,
    )
    with pytest.raises(Conflict):
        service.change_status(
            session, standard_id=s.id, data=StatusChange(status="drafting"), actor=SYSTEM
        )


def test_a_self_declaration_is_public_and_shows_on_the_consumer_page(
    client: TestClient, session: Session
) -> None:
    ent = make_enterprise(session, n=9302, industry="bio_fermentation")
    other = make_enterprise(session, n=9303, industry="bio_fermentation")
    product = make_product(session, ent, n=9302, name="青稞醋")
    foreign = make_product(session, other, n=9303, name="青稞料酒")
    user = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}"))
    s = _standard(session, 5)
    planned = _standard(session, 6, status="planned")
    with pytest.raises(Forbidden):
        service.declare(
            session,
            data=DeclarationCreate(enterprise_uscc=other.uscc, standard_id=s.id),
            actor=user,
        )
    with pytest.raises(ValidationFailed):
        service.declare(
            session,
            data=DeclarationCreate(enterprise_uscc=ent.uscc, standard_id=planned.id),
            actor=user,
        )
    with pytest.raises(ValidationFailed):
        service.declare(
            session,
            data=DeclarationCreate(
                enterprise_uscc=ent.uscc, standard_id=s.id, gtins=[foreign.gtin]
            ),
            actor=user,
        )
    assert not session.scalar(select(func.count(SelfDeclaration.id)))
    service.declare(
        session,
        data=DeclarationCreate(
            enterprise_uscc=ent.uscc, standard_id=s.id, scope_zh="青稞醋", gtins=[product.gtin]
        ),
        actor=user,
    )
    assert [d.standard_code for d in service.list_declarations(session)] == [s.code]
    assert [p.code for p in service.product_standards(session, gtin=product.gtin)] == [s.code]
    session.commit()
    page = client.get(f"/01/{product.gtin}")
    assert f'data-standard="{s.code}"' in page.text
    listing = client.get("/standards")
    assert listing.status_code == 200 and "青稞醋" in listing.text
    assert client.get("/api/standards/declarations").json()[0]["enterprise"] == ent.name


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("public", False), ("analyst", False), ("enterprise_user", False), ("region_admin", True)],
)
def test_only_the_region_administrator_writes_the_register(
    client: TestClient, session: Session, role: str, allowed: bool
) -> None:
    s = _standard(session, 7, status="drafting")
    ent = make_enterprise(session, n=9304)
    headers: dict[str, str] = {}
    if role != "public":
        scope = f"enterprise:{ent.uscc}" if role == "enterprise_user" else None
        headers = bearer(make_token(session, make_user(session, Role(role), scope)))
    session.commit()
    calls = [
        ("GET", "/api/standards", None, True),
        ("GET", "/api/standards/programme", None, True),
        ("GET", "/api/standards/declarations", None, True),
        (
            "POST",
            "/api/standards",
            {"title_zh": "新标准", "level": "local", "industry_id": "agri_food"},
            allowed,
        ),
        ("POST", f"/api/standards/{s.id}/status", {"status": "consultation"}, allowed),
        (
            "POST",
            "/api/standards/declarations",
            {"enterprise_uscc": ent.uscc, "standard_id": s.id},
            False,  # a drafting standard cannot be declared, by anyone
        ),
    ]
    for method, path, body, ok in calls:
        resp = client.request(method, path, json=body, headers=headers)
        assert (200 <= resp.status_code < 300) == ok, (method, path, resp.status_code, resp.text)
