"""The approval workflow: every transition allowed or refused, per role and per status; locked
periods; the audit trail of a return's whole life."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor
from plateau.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from plateau.monitoring import service
from tests.builders import ROLES, Users
from tests.monitoring.builders import TODAY, approved, core, file
from tests.monitoring.conftest import World

P = "2025-10"

# Who may do what to a return of enterprise A (Lhasa, park lhasa_etdz).
FILERS = {"region_admin", "enterprise_a"}
REVIEWERS = {"region_admin", "prefecture_lhasa", "park_etdz"}
OUT_OF_SCOPE = {"prefecture_nagqu", "enterprise_b"}  # they cannot see A: 404


def _expect(role: str, allowed: set[str], action: Callable[[], Any]) -> None:
    if role in allowed:
        action()
        return
    expected: type[DomainError]
    if role == "public":
        expected = Unauthorized
    elif role in OUT_OF_SCOPE:
        expected = NotFound
    else:
        expected = Forbidden
    with pytest.raises(expected):
        action()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_save_and_submit(session: Session, world: World, users: Users, role: str) -> None:
    actor = users.actors[role]
    _expect(role, FILERS, lambda: file(session, world.a, P, actor=actor))
    file(session, world.a, P)  # make sure a draft exists for everyone
    _expect(
        role,
        FILERS,
        lambda: service.submit_return(session, uscc=world.a, period=P, actor=actor, today=TODAY),
    )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_approve_and_return(
    session: Session, world: World, users: Users, role: str
) -> None:
    actor = users.actors[role]
    file(session, world.a, P, submit=True, comment="ok")
    _expect(
        role,
        REVIEWERS,
        lambda: service.return_for_correction(
            session, uscc=world.a, period=P, comment="请核对增加值", actor=actor, today=TODAY
        ),
    )
    if role in REVIEWERS:
        service.submit_return(session, uscc=world.a, period=P, actor=SYSTEM, today=TODAY)
    _expect(
        role,
        REVIEWERS,
        lambda: service.approve_return(session, uscc=world.a, period=P, actor=actor, today=TODAY),
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_administrator_locks_and_reopens(
    session: Session, world: World, users: Users, role: str
) -> None:
    actor = users.actors[role]
    approved(session, world.a, P)
    expected = Unauthorized if role == "public" else Forbidden
    if role == "region_admin":
        service.lock_period(session, period=P, actor=actor, today=TODAY)
        service.reopen_period(session, period=P, reason="更正", actor=actor, today=TODAY)
        return
    with pytest.raises(expected):
        service.lock_period(session, period=P, actor=actor, today=TODAY)
    service.lock_period(session, period=P, actor=SYSTEM, today=TODAY)
    with pytest.raises(expected):
        service.reopen_period(session, period=P, reason="更正", actor=actor, today=TODAY)


def test_a_park_officer_reviews_only_its_park(session: Session, world: World, users: Users) -> None:
    file(session, world.c, P, submit=True)  # Lhasa, outside any park
    with pytest.raises(NotFound):
        service.approve_return(
            session, uscc=world.c, period=P, actor=users.actors["park_etdz"], today=TODAY
        )
    view = service.approve_return(
        session, uscc=world.c, period=P, actor=users.actors["prefecture_lhasa"], today=TODAY
    )
    assert view.status == "approved"


def _status(session: Session, uscc: str) -> str | None:
    return service.get_return(session, uscc=uscc, period=P, actor=SYSTEM, today=TODAY).status


def test_steps_from_the_wrong_status_are_refused(session: Session, world: World) -> None:
    def approve() -> Any:
        return service.approve_return(session, uscc=world.a, period=P, actor=SYSTEM, today=TODAY)

    def send_back() -> Any:
        return service.return_for_correction(
            session, uscc=world.a, period=P, comment="x", actor=SYSTEM, today=TODAY
        )

    def submit() -> Any:
        return service.submit_return(session, uscc=world.a, period=P, actor=SYSTEM, today=TODAY)

    file(session, world.a, P)
    with pytest.raises(Conflict) as caught:
        approve()
    assert caught.value.message == "只有已提交的报表可以审核通过；此报表状态为“草稿”。"
    with pytest.raises(Conflict):
        send_back()
    submit()
    with pytest.raises(Conflict) as caught:
        submit()
    assert caught.value.message == "只有草稿或被退回的报表可以提交；此报表状态为“已提交”。"
    send_back()
    assert _status(session, world.a) == "returned"
    with pytest.raises(Conflict):
        send_back()
    with pytest.raises(Conflict):
        approve()
    # A returned return is corrected and submitted again.
    file(session, world.a, P, actor=SYSTEM, **core(value_added="310000"))
    submit()
    approve()
    with pytest.raises(Conflict):
        approve()
    with pytest.raises(Conflict):
        send_back()
    with pytest.raises(Conflict):
        submit()


def test_returning_needs_a_comment(session: Session, world: World, users: Users) -> None:
    file(session, world.a, P, submit=True)
    with pytest.raises(ValidationFailed) as caught:
        service.return_for_correction(
            session,
            uscc=world.a,
            period=P,
            comment="  ",
            actor=users.actors["park_etdz"],
            today=TODAY,
        )
    assert caught.value.errors[0].field == "comment"
    assert _status(session, world.a) == "submitted"


def test_a_locked_period_changes_only_after_reopening(
    session: Session, world: World, users: Users
) -> None:
    approved(session, world.a, P)
    file(session, world.c, P, submit=True)  # submitted, not approved
    period, locked, left = service.lock_period(session, period=P, actor=SYSTEM, today=TODAY)
    assert (str(period), locked, left) == (P, 1, {"submitted": 1})
    assert _status(session, world.a) == "locked"
    with pytest.raises(Conflict) as caught:
        service.lock_period(session, period=P, actor=SYSTEM, today=TODAY)
    assert caught.value.message == "报告期 2025-10 已经锁定。"
    # Nothing in the period changes: not the locked return, not the frozen one, not a new one.
    locked_message = "报告期 2025-10 已被自治区管理员锁定：须重新开放后才能修改其报表。"
    for attempt in (
        lambda: service.save_return(
            session,
            uscc=world.a,
            period=P,
            values=core(revenue="1"),
            reason="更正",
            actor=SYSTEM,
            today=TODAY,
        ),
        lambda: service.approve_return(session, uscc=world.c, period=P, actor=SYSTEM, today=TODAY),
        lambda: file(session, world.b, P),
    ):
        with pytest.raises(Conflict) as caught:
            attempt()
        assert caught.value.message == locked_message
    with pytest.raises(ValidationFailed):
        service.reopen_period(session, period=P, reason=" ", actor=SYSTEM, today=TODAY)
    _period, n = service.reopen_period(
        session, period=P, reason="统计局更正数据", actor=SYSTEM, today=TODAY
    )
    assert n == 1 and _status(session, world.a) == "approved"
    with pytest.raises(Conflict):
        service.reopen_period(session, period=P, reason="again", actor=SYSTEM, today=TODAY)
    # Approved: the enterprise cannot change it; the administrator can, with a reason.
    with pytest.raises(Conflict):
        file(session, world.a, P, actor=users.actors["enterprise_a"], **core(revenue="1"))
    with pytest.raises(ValidationFailed) as caught_reason:
        service.save_return(
            session,
            uscc=world.a,
            period=P,
            values=core(revenue="900000"),
            actor=SYSTEM,
            today=TODAY,
        )
    assert caught_reason.value.errors[0].field == "reason"
    view = service.save_return(
        session,
        uscc=world.a,
        period=P,
        values=core(revenue="900000"),
        reason="统计局更正数据",
        actor=SYSTEM,
        today=TODAY,
    )
    assert view.status == "approved" and view.values["revenue"] == 900000
    service.lock_period(session, period=P, actor=SYSTEM, today=TODAY)
    assert _status(session, world.a) == "locked"


def _actor(users: Users, role: str) -> Actor:
    return users.actors[role]


def test_the_audit_trail_records_who_when_what_and_why(
    session: Session, world: World, users: Users
) -> None:
    ent, park, admin = (_actor(users, r) for r in ("enterprise_a", "park_etdz", "region_admin"))
    file(session, world.a, P, actor=ent, **core())
    service.submit_return(session, uscc=world.a, period=P, actor=ent, today=TODAY)
    service.return_for_correction(
        session, uscc=world.a, period=P, comment="增加值偏高，请核对", actor=park, today=TODAY
    )
    file(session, world.a, P, actor=ent, value_added="280000")
    service.submit_return(session, uscc=world.a, period=P, comment="已更正", actor=ent, today=TODAY)
    service.approve_return(session, uscc=world.a, period=P, comment="同意", actor=park, today=TODAY)
    service.lock_period(session, period=P, actor=admin, today=TODAY)
    service.reopen_period(session, period=P, reason="统计局更正数据", actor=admin, today=TODAY)
    service.save_return(
        session,
        uscc=world.a,
        period=P,
        values={"employees": "21"},
        reason="补报1人",
        actor=admin,
        today=TODAY,
    )
    trail = service.audit_trail(
        session, uscc=world.a, period=P, actor=users.actors["analyst"], today=TODAY
    )
    rows = [(a.username, a.action, a.element, a.old_value, a.new_value, a.reason) for a in trail]
    e, o, a = (
        users.usernames["enterprise_a"],
        users.usernames["park_etdz"],
        users.usernames["region_admin"],
    )
    assert rows == [
        (e, "create", None, None, "draft", ""),
        (e, "value", "output_value", None, "1000000.00", ""),
        (e, "value", "revenue", None, "950000.00", ""),
        (e, "value", "value_added", None, "300000.00", ""),
        (e, "value", "employees", None, "20", ""),
        (e, "submit", None, "draft", "submitted", ""),
        (o, "return", None, "submitted", "returned", "增加值偏高，请核对"),
        (e, "value", "value_added", "300000.00", "280000.00", ""),
        (e, "submit", None, "returned", "submitted", "已更正"),
        (o, "approve", None, "submitted", "approved", "同意"),
        (a, "lock", None, "approved", "locked", ""),
        (a, "reopen", None, "locked", "approved", "统计局更正数据"),
        (a, "value", "employees", "20", "21", "补报1人"),
    ]
    assert all(x.at is not None and x.at.tzinfo is not None for x in trail)
    assert [x.at for x in trail] == sorted(x.at for x in trail)
    assert trail[6].user_id == users.actors["park_etdz"].user_id
    with pytest.raises(NotFound):
        service.audit_trail(
            session, uscc=world.a, period=P, actor=users.actors["enterprise_b"], today=TODAY
        )


def test_submission_timestamps_keep_the_first_for_timeliness(
    session: Session, world: World
) -> None:
    view = file(session, world.a, P, submit=True)
    assert view.record is not None
    first = view.record.first_submitted_at
    assert first is not None and view.record.submitted_at == first
    service.return_for_correction(
        session, uscc=world.a, period=P, comment="x", actor=SYSTEM, today=TODAY
    )
    view = service.submit_return(session, uscc=world.a, period=P, actor=SYSTEM, today=TODAY)
    assert view.record is not None
    assert view.record.first_submitted_at == first and view.record.submitted_at >= first  # type: ignore[operator]
