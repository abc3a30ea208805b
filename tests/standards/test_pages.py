"""The standards programme on pages: register, lifecycle by name, participants by picker,
self-declarations by an enterprise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from plateau.standards import service
from plateau.standards.models import SelfDeclaration, Standard
from tests.builders import csrf_from, login, make_user
from tests.registry.builders import make_enterprise, make_product


def test_the_administrator_registers_a_standard_and_moves_it_on(
    client: TestClient, session: Session
) -> None:
    lead = make_enterprise(session, n=9311, name="奇正青稞")
    helper = make_enterprise(session, n=9312, name="高原之宝")
    third = make_enterprise(session, n=9313, name="天佑青稞")
    admin = make_user(session, Role.REGION_ADMIN)
    session.commit()
    login(client, admin.username)
    page = client.get("/standards/new")
    assert page.status_code == 200 and "奇正青稞" in page.text
    token = csrf_from(page.text)
    form = {
        "csrf_token": token,
        "title_zh": "青稞米",
        "level": "group",
        "status": "published",  # published without a number: refused
        "industry_id": "agri_food",
        "programme_item": "barley_mandatory",
        "lead_enterprise_uscc": lead.uscc,
        "participants": [helper.uscc],
    }
    bad = client.post("/standards/new", data=form)
    assert bad.status_code == 422 and "编号" in bad.text
    assert session.scalar(select(func.count(Standard.id))) == 0
    made = client.post("/standards/new", data=form | {"status": "planned"})
    assert made.status_code == 200
    standard = session.scalars(select(Standard)).one()
    assert standard.lead_organisation == "奇正青稞"
    assert service.participants(session, standard_id=standard.id) == [(helper.uscc, "高原之宝")]
    # The lifecycle offers names, never codes, and only forward steps.
    assert ">起草中<" in made.text or "起草" in made.text
    assert 'value="planned"' not in made.text.split('id="status-form"')[1]
    back = client.post(
        f"/standards/{standard.id}/status", data={"csrf_token": token, "status": "consultation"}
    )
    assert back.status_code == 200
    again = client.post(
        f"/standards/{standard.id}/status", data={"csrf_token": token, "status": "drafting"}
    )
    assert (
        again.status_code == 409 and "征求意见" in again.text and "consultation" not in again.text
    )
    published = client.post(
        f"/standards/{standard.id}/status",
        data={"csrf_token": token, "status": "published", "code": "T/XZQK 001—2026"},
    )
    assert published.status_code == 200
    session.expire_all()
    assert (standard.status, standard.code) == ("published", "T/XZQK 001—2026")
    # Participants: add one by picker, remove another.
    client.post(
        f"/standards/{standard.id}/participants", data={"csrf_token": token, "uscc": third.uscc}
    )
    client.post(
        f"/standards/{standard.id}/participants",
        data={"csrf_token": token, "uscc": helper.uscc, "remove": "1"},
    )
    assert service.participants(session, standard_id=standard.id) == [(third.uscc, "天佑青稞")]
    item = next(i for i in service.programme(session) if i.code == "barley_mandatory")
    assert item.published == 1


def test_an_enterprise_declares_for_itself_only(client: TestClient, session: Session) -> None:
    from plateau.auth.schemas import SYSTEM
    from plateau.standards.schemas import StandardCreate

    ent = make_enterprise(session, n=9321, name="藏香酒业")
    other = make_enterprise(session, n=9322, name="别家酒业")
    mine = make_product(session, ent, n=9321, name="青稞酒")
    theirs = make_product(session, other, n=9322, name="别家酒")
    standard = service.create_standard(
        session,
        data=StandardCreate(
            code="T/XZ 002—2025",
            title_zh="青稞酒",
            level="group",
            status="published",
            industry_id="bio_fermentation",
        ),
        actor=SYSTEM,
    )
    planned = service.create_standard(
        session,
        data=StandardCreate(title_zh="酥油", level="group", industry_id="agri_food"),
        actor=SYSTEM,
    )
    user = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}")
    session.commit()
    login(client, user.username)
    page = client.get("/standards")
    assert page.status_code == 200 and 'id="declare-form"' in page.text
    assert "青稞酒" in page.text and "别家酒" not in page.text  # own products only
    token = csrf_from(page.text)
    refused = client.post(
        "/standards/declarations",
        data={"csrf_token": token, "standard_id": planned.id, "gtin": [mine.gtin]},
    )
    assert refused.status_code == 422
    foreign = client.post(
        "/standards/declarations",
        data={"csrf_token": token, "standard_id": standard.id, "gtin": [theirs.gtin]},
    )
    assert foreign.status_code == 422
    assert session.scalar(select(func.count(SelfDeclaration.id))) == 0
    done = client.post(
        "/standards/declarations",
        data={
            "csrf_token": token,
            "standard_id": standard.id,
            "gtin": [mine.gtin],
            "scope_zh": "全部青稞酒",
        },
    )
    assert done.status_code == 200 and "全部青稞酒" in done.text
    assert [s.code for s in service.product_standards(session, gtin=mine.gtin)] == ["T/XZ 002—2025"]
    # Registering is for the administrator.
    assert client.get("/standards/new").status_code == 403
    # Another enterprise cannot withdraw it; the enterprise itself can, and its product
    # stops showing the standard.
    declaration = session.scalars(select(SelfDeclaration)).one()
    stranger = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{other.uscc}")
    session.commit()
    from tests.builders import bearer, make_token

    foreign_withdraw = client.delete(
        f"/api/standards/declarations/{declaration.id}",
        headers=bearer(make_token(session, stranger)),
    )
    session.commit()
    assert foreign_withdraw.status_code == 403
    page = client.get("/standards")
    assert f'data-withdraw="{declaration.id}"' in page.text
    gone = client.post(
        f"/standards/declarations/{declaration.id}/withdraw", data={"csrf_token": token}
    )
    assert gone.status_code == 200
    assert session.scalar(select(func.count(SelfDeclaration.id))) == 0
    assert service.product_standards(session, gtin=mine.gtin) == []


def test_participants_through_the_api(client: TestClient, session: Session) -> None:
    from plateau.auth.schemas import SYSTEM
    from plateau.standards.schemas import StandardCreate
    from tests.builders import bearer, make_token

    ent = make_enterprise(session, n=9331, name="藏药集团")
    standard = service.create_standard(
        session,
        data=StandardCreate(title_zh="藏药外治", level="local", industry_id="tibetan_medicine"),
        actor=SYSTEM,
    )
    admin = bearer(make_token(session, make_user(session, Role.REGION_ADMIN)))
    firm = bearer(
        make_token(session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}"))
    )
    session.commit()
    url = f"/api/standards/{standard.id}/participants"
    assert client.post(url, json={"uscc": ent.uscc}, headers=firm).status_code == 403
    assert client.post(url, json={"uscc": ent.uscc}, headers=admin).status_code == 201
    assert client.post(url, json={"uscc": ent.uscc}, headers=admin).status_code == 409
    assert client.get(url).json() == [{"uscc": ent.uscc, "name": "藏药集团"}]
    assert client.delete(f"{url}/{ent.uscc}", headers=admin).status_code == 204
    assert client.get(url).json() == []


def test_the_cli_moves_a_standard_on_and_edits_participants(
    session: Session, session_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    from typer.testing import CliRunner

    from plateau.auth.schemas import SYSTEM
    from plateau.cli import app as cli_app
    from plateau.standards import cli as standards_cli
    from plateau.standards.schemas import StandardCreate

    ent = make_enterprise(session, n=9341, name="拉萨啤酒")
    standard = service.create_standard(
        session,
        data=StandardCreate(title_zh="青稞啤酒", level="group", industry_id="bio_fermentation"),
        actor=SYSTEM,
    )
    session.commit()

    @contextmanager
    def _open(*, write: bool = True) -> Iterator[Session]:
        s = session_factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    monkeypatch.setattr(standards_cli, "open_session", _open)
    runner = CliRunner()
    refused = runner.invoke(cli_app, ["standards", "status", str(standard.id), "published"])
    assert refused.exit_code == 1 and "编号" in refused.output
    moved = runner.invoke(
        cli_app,
        ["standards", "status", str(standard.id), "published", "--number", "T/XZ 009—2026"],
    )
    assert moved.exit_code == 0 and "已发布" in moved.output
    added = runner.invoke(cli_app, ["standards", "participant", str(standard.id), ent.uscc])
    assert added.exit_code == 0 and "拉萨啤酒" in added.output
    session.expire_all()
    assert session.get_one(Standard, standard.id).status == "published"
    assert service.participants(session, standard_id=standard.id) == [(ent.uscc, "拉萨啤酒")]


def test_the_declarations_pager_keeps_the_registers_filters(
    client: TestClient, session: Session
) -> None:
    from plateau.auth.schemas import SYSTEM
    from plateau.standards.schemas import DeclarationCreate, StandardCreate

    standard = service.create_standard(
        session,
        data=StandardCreate(
            code="T/XZ 063—2026",
            title_zh="分页测试",
            level="group",
            status="published",
            industry_id="agri_food",
        ),
        actor=SYSTEM,
    )
    for n in range(12):
        ent = make_enterprise(session, n=9630 + n, name=f"分页企业{n:02d}")
        service.declare(
            session,
            data=DeclarationCreate(enterprise_uscc=ent.uscc, standard_id=standard.id),
            actor=SYSTEM,
        )
    session.commit()
    page = client.get("/standards?level=group").text
    assert 'id="declaration-pages"' in page
    assert 'href="/standards?level=group&amp;page=1&amp;dpage=2#declarations-title"' in page
    second = client.get("/standards?level=group&dpage=2").text
    assert 'aria-current="page">2<' in second
