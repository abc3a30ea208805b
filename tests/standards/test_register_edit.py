"""Correcting a register entry with its history, the standard's text as a PDF, the paged register."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau.auth.schemas import SYSTEM, Role
from plateau.errors import Forbidden, NotFound, ValidationFailed
from plateau.standards import service
from plateau.standards.models import Standard, StandardChange, StandardDocument
from plateau.standards.schemas import StandardCreate, StandardUpdate, StatusChange
from tests.builders import actor_of, bearer, csrf_from, login, make_token, make_user
from tests.registry.builders import make_enterprise

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _standard(session: Session, n: int, **over: object) -> Standard:
    data = {
        "title_zh": f"牦牛肉分级标准{n}",
        "level": "group",
        "industry_id": "agri_food",
        "status": "drafting",
    } | over
    return service.create_standard(session, data=StandardCreate.model_validate(data), actor=SYSTEM)


def test_an_officer_corrects_the_entry_and_each_change_is_recorded(session: Session) -> None:
    s = _standard(session, 1, lead_organisation="西藏牦牛协会")
    admin = actor_of(make_user(session, Role.REGION_ADMIN, username="std-officer"))
    service.update_standard(
        session,
        standard_id=s.id,
        data=StandardUpdate(
            title_zh="  牦牛肉质量分级  ",
            title_en="Yak meat grades",
            level="local",
            industry_id="agri_food",  # unchanged: not recorded
            lead_organisation="自治区市场监管局",
        ),
        actor=admin,
    )
    assert (s.title_zh, s.title_en, s.level, s.lead_organisation) == (
        "牦牛肉质量分级",
        "Yak meat grades",
        "local",
        "自治区市场监管局",
    )
    service.change_status(
        session, standard_id=s.id, data=StatusChange(status="consultation"), actor=admin
    )
    changes = service.history(session, standard_id=s.id, actor=admin)
    fields = {c.field: c for c in changes}
    assert set(fields) == {"title_zh", "title_en", "level", "lead_organisation", "status"}
    # Names, not codes, and who did it.
    assert (fields["level"].old_value, fields["level"].new_value) == ("团体标准", "地方标准")
    assert fields["status"].new_value == "征求意见"
    assert fields["title_zh"].old_value == "牦牛肉分级标准1"
    assert {c.username for c in changes} == {"std-officer"}


def test_bad_corrections_are_refused_and_change_nothing(session: Session) -> None:
    s = _standard(session, 2)
    ent = make_enterprise(session, n=9401)
    user = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}"))
    with pytest.raises(Forbidden):
        service.update_standard(
            session, standard_id=s.id, data=StandardUpdate(title_zh="改名了"), actor=user
        )
    with pytest.raises(ValidationFailed, match="至少"):
        service.update_standard(
            session, standard_id=s.id, data=StandardUpdate(title_zh="  x "), actor=SYSTEM
        )
    with pytest.raises(ValidationFailed):
        service.update_standard(
            session, standard_id=s.id, data=StandardUpdate(industry_id="nope"), actor=SYSTEM
        )
    with pytest.raises(NotFound):
        service.update_standard(
            session, standard_id=987654, data=StandardUpdate(title_zh="改名"), actor=SYSTEM
        )
    session.refresh(s)
    assert (s.title_zh, s.industry_id) == ("牦牛肉分级标准2", "agri_food")
    count = select(func.count(StandardChange.id)).where(StandardChange.standard_id == s.id)
    assert session.scalar(count) == 0
    with pytest.raises(Forbidden):
        service.history(session, standard_id=s.id, actor=user)


def test_the_text_is_a_checked_pdf_public_once_published(session: Session) -> None:
    lead = make_enterprise(session, n=9402)
    other = make_enterprise(session, n=9403)
    s = _standard(session, 3, lead_enterprise_uscc=lead.uscc)
    lead_user = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{lead.uscc}"))
    other_user = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{other.uscc}"))
    public = actor_of(make_user(session, Role.ANALYST))
    with pytest.raises(ValidationFailed, match="PDF"):
        service.attach_document(
            session, standard_id=s.id, filename="a.pdf", blob=b"\x89PNG\r\n", actor=lead_user
        )
    too_big = b"%PDF-1.7\n" + b"0" * service.MAX_DOCUMENT_BYTES + b"%%EOF"
    with pytest.raises(ValidationFailed, match="20 MB"):
        service.attach_document(
            session, standard_id=s.id, filename="a.pdf", blob=too_big, actor=lead_user
        )
    with pytest.raises(Forbidden):
        service.attach_document(
            session, standard_id=s.id, filename="a.pdf", blob=PDF, actor=other_user
        )
    assert session.scalar(select(func.count(StandardDocument.id))) == 0
    service.attach_document(
        session, standard_id=s.id, filename="C:\\草案\\征求意见稿.pdf", blob=PDF, actor=lead_user
    )
    assert service.get_document(session, standard_id=s.id, actor=lead_user).filename == (
        "征求意见稿.pdf"
    )
    # A draft's text stays with its officers and lead until publication.
    with pytest.raises(NotFound):
        service.get_document(session, standard_id=s.id, actor=public)
    service.change_status(
        session,
        standard_id=s.id,
        data=StatusChange(status="published", code="T/XZ 009—2026"),
        actor=SYSTEM,
    )
    assert service.get_document(session, standard_id=s.id, actor=public).data == PDF
    # A new upload replaces the old one, and both are in the history.
    service.attach_document(
        session, standard_id=s.id, filename="正式稿.pdf", blob=PDF, actor=SYSTEM
    )
    assert session.scalar(select(func.count(StandardDocument.id))) == 1
    docs = [c for c in service.history(session, standard_id=s.id, actor=SYSTEM)]
    assert [(c.old_value, c.new_value) for c in docs if c.field == "document"] == [
        ("征求意见稿.pdf", "正式稿.pdf"),
        ("—", "征求意见稿.pdf"),
    ]


def test_the_register_is_paged_and_filtered(session: Session) -> None:
    before = service.find_standards(session, level="enterprise").total
    for n in range(25):
        _standard(session, 100 + n, level="enterprise")
    first = service.find_standards(session, level="enterprise", page=1, per_page=20)
    second = service.find_standards(session, level="enterprise", page=2, per_page=20)
    assert first.total == second.total == before + 25
    assert len(first.items) == 20
    assert {s.id for s in first.items}.isdisjoint({s.id for s in second.items})
    assert all(s.level == "enterprise" for s in first.items + second.items)


def test_editing_and_uploading_over_http(client: TestClient, session: Session) -> None:
    s = _standard(session, 4)
    admin = make_user(session, Role.REGION_ADMIN)
    analyst = make_user(session, Role.ANALYST)
    admin_h = bearer(make_token(session, admin))
    analyst_h = bearer(make_token(session, analyst))
    session.commit()
    assert (
        client.patch(f"/api/standards/{s.id}", json={"level": "local"}, headers=analyst_h)
    ).status_code == 403
    bad = client.patch(f"/api/standards/{s.id}", json={"level": "galactic"}, headers=admin_h)
    assert bad.status_code == 422
    ok = client.patch(
        f"/api/standards/{s.id}", json={"title_en": "Yak meat", "level": "local"}, headers=admin_h
    )
    assert ok.status_code == 200 and ok.json()["level"] == "local"
    hist = client.get(f"/api/standards/{s.id}/history", headers=admin_h).json()
    assert {h["field"] for h in hist} == {"title_en", "level"}
    assert client.get(f"/api/standards/{s.id}/history", headers=analyst_h).status_code == 403
    refused = client.put(
        f"/api/standards/{s.id}/document",
        files={"file": ("a.pdf", b"not a pdf at all", "application/pdf")},
        headers=admin_h,
    )
    assert refused.status_code == 422 and "PDF" in refused.json()["detail"]
    put = client.put(
        f"/api/standards/{s.id}/document",
        files={"file": ("标准文本.pdf", PDF, "application/pdf")},
        headers=admin_h,
    )
    assert put.status_code == 204
    # Still drafting: the public sees nothing.
    assert client.get(f"/api/standards/{s.id}/document").status_code == 404
    client.post(
        f"/api/standards/{s.id}/status",
        json={"status": "published", "code": "DB54/T 0101—2026"},
        headers=admin_h,
    )
    got = client.get(f"/api/standards/{s.id}/document")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert "%E6%A0%87%E5%87%86" in got.headers["content-disposition"]  # 标准, UTF-8
    listed = client.get("/api/standards", params={"level": "local", "per_page": 5}).json()
    assert listed["per_page"] == 5 and s.id in {i["id"] for i in listed["items"]}


def test_the_pages_edit_attach_and_page(client: TestClient, session: Session) -> None:
    s = _standard(session, 5)
    for n in range(22):
        _standard(session, 200 + n, level="national")
    admin = make_user(session, Role.REGION_ADMIN)
    session.commit()
    login(client, admin.username)
    page = client.get(f"/standards/{s.id}")
    token = csrf_from(page.text)
    assert 'id="edit-form"' in page.text and 'id="document-form"' in page.text
    bad = client.post(
        f"/standards/{s.id}/edit",
        data={"csrf_token": token, "title_zh": "x", "level": "group", "industry_id": "agri_food"},
    )
    assert bad.status_code == 422 and "至少" in bad.text
    assert 'value="x"' in bad.text  # the form keeps what was typed
    done = client.post(
        f"/standards/{s.id}/edit",
        data={
            "csrf_token": token,
            "title_zh": "牦牛肉等级",
            "title_en": "",
            "level": "local",
            "industry_id": "agri_food",
            "lead_organisation": "拉萨市市场监管局",
        },
    )
    assert done.status_code == 200 and "牦牛肉等级" in done.text
    history = done.text[done.text.index('id="history-table"') :]
    history = history[: history.index("</table>")]
    assert "地方标准" in history and "团体标准" in history and "local" not in history
    not_pdf = client.post(
        f"/standards/{s.id}/document",
        data={"csrf_token": token},
        files={"file": ("x.pdf", b"GIF89a", "application/pdf")},
    )
    assert not_pdf.status_code == 422 and "不是 PDF" in not_pdf.text
    attached = client.post(
        f"/standards/{s.id}/document",
        data={"csrf_token": token},
        files={"file": ("文本.pdf", PDF, "application/pdf")},
    )
    assert attached.status_code == 200 and "文本.pdf" in attached.text
    assert client.get(f"/standards/{s.id}/document").content == PDF
    # The register: 20 a page, filters by name, a link to the next page keeping the filter.
    reg = client.get("/standards", params={"level": "national"})
    rows = re.findall(r'<tr data-standard="(\d+)"', reg.text)
    assert len(rows) == 20
    assert "level=national&amp;page=2" in reg.text
    second = client.get("/standards", params={"level": "national", "page": 2})
    assert set(re.findall(r'<tr data-standard="(\d+)"', second.text)).isdisjoint(rows)
    assert ">国家标准<" in reg.text


def test_the_cli_edits_shows_history_and_attaches(
    session: Session, session_factory: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from plateau.cli import app
    from plateau.standards import cli as standards_cli

    s = _standard(session, 6)
    session.commit()

    @contextmanager
    def _open(*, write: bool = True) -> Iterator[Session]:
        inner = session_factory()
        try:
            yield inner
            inner.commit()
        except BaseException:
            inner.rollback()
            raise
        finally:
            inner.close()

    monkeypatch.setattr(standards_cli, "open_session", _open)
    cli = CliRunner()
    out = cli.invoke(app, ["standards", "edit", str(s.id), "--level", "galactic"])
    assert out.exit_code == 1 and "层级" in out.output
    out = cli.invoke(app, ["standards", "edit", str(s.id), "--title-zh", "青稞米标准"])
    assert out.exit_code == 0, out.output
    not_pdf = tmp_path / "a.pdf"
    not_pdf.write_bytes(b"hello")
    out = cli.invoke(app, ["standards", "attach", str(s.id), str(not_pdf)])
    assert out.exit_code == 1 and "PDF" in out.output
    good = tmp_path / "b.pdf"
    good.write_bytes(PDF)
    assert cli.invoke(app, ["standards", "attach", str(s.id), str(good)]).exit_code == 0
    out = cli.invoke(app, ["standards", "history", str(s.id)])
    assert out.exit_code == 0 and "青稞米标准" in out.output and "b.pdf" in out.output
