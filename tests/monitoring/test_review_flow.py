"""Faster review: straight on to the next pending return, page jumps, the open period by
default, a new return from a picker, and 催报 reminders to overdue enterprises."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.errors import Forbidden
from plateau.messaging import service as messaging
from plateau.messaging.models import Message
from plateau.monitoring import service
from plateau.monitoring.pages import PER_PAGE
from tests.builders import Users, csrf_from, login
from tests.monitoring.builders import TODAY, file
from tests.monitoring.conftest import World


def _review(client: TestClient, uscc: str, period: str, action: str, comment: str = "") -> str:
    page = client.get(f"/monitoring/returns/{uscc}/{period}")
    resp = client.post(
        f"/monitoring/returns/{uscc}/{period}",
        data={"action": action, "review_comment": comment, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    return resp.headers["location"]


def test_approving_goes_straight_to_the_next_pending_return(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    for uscc in (world.a, world.c):
        file(session, uscc, "2025-10", submit=True)
    file(session, world.b, "2025-10", submit=True)  # Nagqu: not the Lhasa officer's
    session.commit()
    login(client, users.usernames["prefecture_lhasa"])
    first, second = sorted((world.a, world.c), key=lambda u: world_name(world, u))
    where = _review(client, first, "2025-10", "approve")
    assert where.startswith(f"/monitoring/returns/{second}/2025-10?")
    page = client.get(where)
    assert "data-next-pending" in page.text and "已审核通过" in page.text
    # Returning the last one asks for a comment, then leads back to an empty queue.
    where = _review(client, second, "2025-10", "return", "产值填错了")
    assert where.startswith("/monitoring/returns?")
    queue = client.get(where)
    assert "没有待审核的报表" in queue.text


def world_name(world: World, uscc: str) -> str:
    return next(e.name for e in world.ents.values() if e.uscc == uscc)


def test_the_return_list_opens_on_the_open_period_and_can_show_every_period(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10", submit=True)
    session.commit()
    login(client, users.usernames["region_admin"])
    opened = str(service.open_period())
    page = client.get("/monitoring/returns")
    assert re.search(rf'<option value="{opened}" selected>', page.text)
    assert 'data-period="2025-10"' not in page.text
    every = client.get("/monitoring/returns?period=")
    assert 'data-period="2025-10"' in every.text
    assert client.get("/monitoring/returns/new").text.count(f'value="{opened}" selected') == 1


def test_long_lists_have_page_jumps(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    # Three enterprises, 22 months each: several pages of 25.
    months = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 11)]
    for uscc in (world.a, world.b, world.c):
        for m in months:
            file(session, uscc, m)
    session.commit()
    login(client, users.usernames["region_admin"])
    total = 3 * len(months)
    pages = -(-total // PER_PAGE)
    page = client.get("/monitoring/returns?period=&page=2")
    links = set(re.findall(r'data-page="(\d+)"', page.text))
    assert {"1", "2", "3", str(pages)} <= links
    last = client.get(f"/monitoring/returns?period=&page={pages}")
    assert 'aria-current="page"' in last.text and "data-next-page" not in last.text


def test_an_administrator_starts_a_return_from_a_picker_of_enterprises(
    client: TestClient, world: World, users: Users
) -> None:
    login(client, users.usernames["region_admin"])
    page = client.get("/monitoring/returns/new")
    assert "data-enterprise-picker" in page.text
    assert f'<option value="{world.b}">' in page.text and "那曲冰川水有限公司" in page.text
    go = client.get(
        f"/monitoring/returns/new?uscc={world.b}&period=2025-10", follow_redirects=False
    )
    assert go.headers["location"] == f"/monitoring/returns/{world.b}/2025-10"


def test_reminders_reach_only_overdue_unfiled_enterprises_in_scope_once_a_day(
    session: Session, world: World, users: Users
) -> None:
    file(session, world.c, "2025-10", submit=True)  # filed: nothing to remind
    officer = users.actors["prefecture_lhasa"]
    done = service.remind_late_filers(
        session, period="2025-10", usccs=None, actor=officer, today=TODAY
    )
    assert done.sent == [world.a]  # B is in Nagqu, C has filed
    again = service.remind_late_filers(
        session, period="2025-10", usccs=[world.a], actor=officer, today=TODAY
    )
    assert again.sent == [] and again.skipped == 1
    with pytest.raises(Forbidden):
        service.remind_late_filers(
            session, period="2025-10", usccs=None, actor=users.actors["analyst"], today=TODAY
        )
    # The enterprise reads it in its own inbox; another enterprise does not.
    shown = messaging.inbox(session, actor=users.actors["enterprise_a"])
    assert len(shown) == 1 and "2025年10月" in shown[0].subject
    assert messaging.inbox(session, actor=users.actors["enterprise_b"]) == []


class _Outbox:
    name = "sms-test"
    immediate = False

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    def deliver(self, message: Message, enterprise: object) -> None:
        self.sent.append((message.id, getattr(enterprise, "uscc", "")))


def test_another_sender_delivers_through_a_background_job(
    session: Session, world: World, users: Users
) -> None:
    from plateau.jobs.models import Job

    outbox = _Outbox()
    previous = messaging.use_sender(outbox)
    try:
        service.remind_late_filers(
            session, period="2025-10", usccs=[world.a], actor=users.actors["region_admin"]
        )
        stored = session.scalars(select(Message)).all()
        assert [m.delivered_at for m in stored] == [None] and outbox.sent == []
        job = session.scalars(select(Job).where(Job.kind == "messaging.deliver")).one()
        assert job.params == {"ids": [stored[0].id]}
    finally:
        messaging.use_sender(previous)


def test_the_late_page_sends_reminders_and_the_enterprise_sees_them_at_home(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    session.commit()
    login(client, users.usernames["park_etdz"])
    page = client.get("/monitoring/late?period=2025-10")
    assert "data-remind-form" in page.text
    sent = client.post(
        "/monitoring/late/remind",
        data={
            "period": "2025-10",
            "uscc": world.a,
            "note": "请本周内报送",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert sent.status_code == 200 and "已向 1 家企业发送催报" in sent.text
    assert session.scalar(select(func.count()).select_from(Message)) == 1
    client.post("/logout", data={"csrf_token": csrf_from(sent.text)})
    login(client, users.usernames["enterprise_a"])
    home = client.get("/")
    assert 'data-home-panel="messages"' in home.text and "请本周内报送" in home.text


def test_the_rule_box_never_says_passed_while_the_form_shows_errors(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10")  # a clean draft: its rule box says it passes
    session.commit()
    login(client, users.usernames["enterprise_a"])
    page = client.get(f"/monitoring/returns/{world.a}/2025-10")
    assert "data-clean" in page.text
    assert ">output_value<" not in page.text  # elements by name, not by their ids
    bad = client.post(
        f"/monitoring/returns/{world.a}/2025-10",
        data={"action": "save", "v_output_value": "一百万", "csrf_token": csrf_from(page.text)},
    )
    assert bad.status_code == 422 and "data-form-error" in bad.text
    assert "data-clean" not in bad.text and "data-problems" in bad.text


def test_an_enterprise_reads_its_reminders_through_the_api(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    service.remind_late_filers(
        session, period="2025-10", usccs=None, actor=users.actors["region_admin"], today=TODAY
    )
    session.commit()
    login(client, users.usernames["enterprise_b"])
    got = client.get("/api/messages").json()
    assert len(got) == 1 and "2025年10月" in got[0]["subject"]
    assert got[0]["url"] == f"/monitoring/returns/{world.b}/2025-10"
    assert client.get("/api/messages?limit=0").status_code == 422
