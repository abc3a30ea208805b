"""Faster review and filing: bulk approval of clean returns, withdrawal before review,
completeness as Excel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.errors import Conflict, Forbidden, NotFound
from plateau.monitoring import service
from plateau.monitoring.schemas import ReturnFilter
from tests.builders import Users, csrf_from, login
from tests.monitoring.builders import TODAY, file, month_row
from tests.monitoring.conftest import World


def test_only_clean_returns_in_scope_are_approved(
    session: Session, world: World, users: Users
) -> None:
    # A: a jump against last year's month (a warning, explained); C: clean; both in Lhasa.
    month_row(session, world.ents["a"], "2024-10", output=400_000, revenue_cny=Decimal(900_000))
    view_a = file(session, world.a, "2025-10")
    assert view_a.warnings
    service.submit_return(
        session,
        uscc=world.a,
        period="2025-10",
        explanations={k: "新生产线投产" for k in (w.key for w in view_a.warnings)},
        actor=users.actors["region_admin"],
        today=TODAY,
    )
    file(session, world.c, "2025-10", submit=True)
    # B is clean too, but in Nagqu: outside the Lhasa officer's area.
    file(session, world.b, "2025-10", submit=True)

    approved, left = service.approve_clean(
        session, period="2025-10", actor=users.actors["prefecture_lhasa"], today=TODAY
    )
    assert approved == [world.c]
    assert left == 1  # A waits for a person: its warning was explained, not absent
    status = {
        r["uscc"]: r["status"]
        for r in service.all_returns(
            session,
            filters=ReturnFilter(period="2025-10"),
            actor=users.actors["region_admin"],
            today=TODAY,
        )
    }
    assert status == {world.a: "submitted", world.b: "submitted", world.c: "approved"}


def test_an_enterprise_cannot_approve_in_bulk(session: Session, users: Users) -> None:
    with pytest.raises(Forbidden):
        service.approve_clean(
            session, period="2025-10", actor=users.actors["enterprise_a"], today=TODAY
        )


def test_the_review_queue_offers_bulk_approval_and_says_what_it_did(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.c, "2025-10", submit=True)
    session.commit()
    login(client, users.usernames["prefecture_lhasa"])
    queue = client.get("/monitoring/returns?status=submitted&period=2025-10")
    assert "data-bulk-approve" in queue.text
    done = client.post(
        "/monitoring/returns/approve-clean",
        data={"period": "2025-10", "csrf_token": csrf_from(queue.text)},
    )
    assert done.status_code == 200 and "已审核通过 1 份无预警报表" in done.text
    assert "data-bulk-approve" not in client.get("/monitoring/returns?period=2025-10").text


def test_the_filer_withdraws_a_submitted_return_before_review_and_not_after(
    session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10", submit=True)
    with pytest.raises(NotFound):  # another enterprise's user does not even see it
        service.withdraw_return(
            session, uscc=world.a, period="2025-10", actor=users.actors["enterprise_b"], today=TODAY
        )
    with pytest.raises(Forbidden):  # the park officer reviews it, but did not file it
        service.withdraw_return(
            session, uscc=world.a, period="2025-10", actor=users.actors["park_etdz"], today=TODAY
        )
    view = service.withdraw_return(
        session, uscc=world.a, period="2025-10", actor=users.actors["enterprise_a"], today=TODAY
    )
    assert view.status == "draft" and view.may_edit and not view.may_withdraw
    trail = service.audit_trail(
        session, uscc=world.a, period="2025-10", actor=users.actors["region_admin"]
    )
    assert any(a.action == "withdraw" for a in trail)
    service.submit_return(
        session, uscc=world.a, period="2025-10", actor=users.actors["enterprise_a"], today=TODAY
    )
    service.approve_return(
        session, uscc=world.a, period="2025-10", actor=users.actors["region_admin"], today=TODAY
    )
    with pytest.raises(Conflict):
        service.withdraw_return(
            session, uscc=world.a, period="2025-10", actor=users.actors["enterprise_a"], today=TODAY
        )


def test_the_return_page_offers_withdrawal_to_its_filer(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10", submit=True)
    session.commit()
    login(client, users.usernames["enterprise_a"])
    page = client.get(f"/monitoring/returns/{world.a}/2025-10")
    assert "data-withdraw-form" in page.text
    done = client.post(
        f"/monitoring/returns/{world.a}/2025-10",
        data={"action": "withdraw", "csrf_token": csrf_from(page.text)},
    )
    assert (
        done.status_code == 200 and "已撤回" in done.text and "data-withdraw-form" not in done.text
    )


def test_completeness_downloads_as_excel_with_names_and_numbers(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    import io

    from openpyxl import load_workbook

    file(session, world.c, "2025-10", submit=True)
    session.commit()
    login(client, users.usernames["region_admin"])
    page = client.get("/monitoring/completeness?period=2025-10")
    assert 'data-export="xlsx"' in page.text
    resp = client.get("/monitoring/completeness?period=2025-10&by=prefecture&format=xlsx")
    assert resp.status_code == 200 and "spreadsheetml" in resp.headers["content-type"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "地市" and rows[0][5] == "完整率（%）"
    names = {r[0] for r in rows[1:]}
    assert "拉萨市" in names and "合计" in names
    lhasa = next(r for r in rows[1:] if r[0] == "拉萨市")
    assert isinstance(lhasa[1], int) and lhasa[2] >= 1  # numbers stay numbers
    assert client.get("/monitoring/completeness?format=xlsx&by=nonsense").status_code == 422
