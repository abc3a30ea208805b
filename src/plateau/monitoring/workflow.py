"""The approval workflow of a return, as a table of transitions enforced in one place.

    draft ──submit──► submitted ──approve──► approved ──lock (period)──► locked
      ▲                  │                      ▲                          │
      └── returned ◄─return (with comment)      └──────reopen (period, with reason)

A returned return is corrected and submitted again. Only a period lock moves returns to
``locked`` and only reopening the period moves them back to ``approved``. Every step is
written to the audit trail with who, when, the old and new status and the comment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.errors import Conflict
from plateau.i18n import _, lazy
from plateau.monitoring import store
from plateau.monitoring.models import AnnualReturn, MonthlyReturn, PeriodLock
from plateau.monitoring.periods import Period
from plateau.monitoring.store import Record

STATUS_LABELS: dict[str, str] = {
    "draft": lazy("Draft"),
    "submitted": lazy("Submitted"),
    "approved": lazy("Approved"),
    "returned": lazy("Returned for correction"),
    "locked": lazy("Locked"),
}
STATUSES: tuple[str, ...] = tuple(STATUS_LABELS)
# Statuses whose values the filer may still change.
EDITABLE: frozenset[str] = frozenset({"draft", "returned"})
# Statuses that count as filed (for completeness).
FILED: frozenset[str] = frozenset({"submitted", "approved", "returned", "locked"})

ACTION_LABELS: dict[str, str] = {
    "create": lazy("Created"),
    "value": lazy("Value changed"),
    "submit": lazy("Submitted"),
    "approve": lazy("Approved"),
    "return": lazy("Returned for correction"),
    "withdraw": lazy("Withdrawn before review"),
    "lock": lazy("Period locked"),
    "reopen": lazy("Period reopened"),
}

# action -> (statuses it starts from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft", "returned"}), "submitted"),
    "approve": (frozenset({"submitted"}), "approved"),
    "return": (frozenset({"submitted"}), "returned"),
    # The filer takes a submitted return back before anyone reviewed it.
    "withdraw": (frozenset({"submitted"}), "draft"),
    "lock": (frozenset({"approved"}), "locked"),
    "reopen": (frozenset({"locked"}), "approved"),
}


def status_label(status: str | None) -> str:
    """The status in the reader's language."""
    from plateau.i18n import gettext

    if status is None:
        return gettext("Not filed")
    return gettext(STATUS_LABELS.get(status, status))


def refuse(action: str, status: str) -> Conflict:
    """The error for a step the workflow does not allow from ``status``."""
    label = status_label(status)
    if action == "submit":
        return Conflict(
            _(
                "Only a draft or a returned return can be submitted; this one is “%(status)s”.",
                status=label,
            )
        )
    if action == "approve":
        return Conflict(
            _("Only a submitted return can be approved; this one is “%(status)s”.", status=label)
        )
    if action == "return":
        return Conflict(
            _(
                "Only a submitted return can be returned for correction; this one is “%(status)s”.",
                status=label,
            )
        )
    if action == "withdraw":
        return Conflict(
            _(
                "Only a submitted return not yet reviewed can be withdrawn; this one is “%(status)s”.",
                status=label,
            )
        )
    return Conflict(_("This step is not possible for a return that is “%(status)s”.", status=label))


def transition(
    session: Session,
    record: Record,
    *,
    action: str,
    actor: Actor,
    now: datetime,
    comment: str = "",
) -> None:
    """Move ``record`` by ``action`` or raise Conflict; stamp the time and audit the step."""
    allowed_from, to = TRANSITIONS[action]
    if record.status not in allowed_from:
        raise refuse(action, record.status)
    old = record.status
    record.status = to
    if action == "submit":
        record.submitted_at = now
        if record.first_submitted_at is None:
            record.first_submitted_at = now
        record.approved_at = None
    elif action == "approve":
        record.approved_at = now
        record.review_comment = comment
    elif action == "return":
        record.review_comment = comment
        record.approved_at = None
    elif action == "withdraw":
        # first_submitted_at stays: timeliness counts the first submission.
        record.submitted_at = None
    store.audit(
        session,
        enterprise_id=record.enterprise_id,
        period=store.period_of(record),
        actor=actor,
        action=action,
        at=now,
        old=old,
        new=to,
        reason=comment,
    )


def active_lock(session: Session, period: Period) -> PeriodLock | None:
    return store.active_locks(session, [str(period)]).get(str(period))


def _records_in(session: Session, period: Period, status: str) -> list[Record]:
    if period.is_annual:
        return list(
            session.scalars(
                select(AnnualReturn).where(
                    AnnualReturn.year == period.year, AnnualReturn.status == status
                )
            )
        )
    return list(
        session.scalars(
            select(MonthlyReturn).where(
                MonthlyReturn.period == period.start, MonthlyReturn.status == status
            )
        )
    )


def lock(
    session: Session, period: Period, *, actor: Actor, now: datetime
) -> tuple[int, dict[str, int]]:
    """Lock ``period``: its approved returns become locked, every other return is frozen.

    Return how many were locked and how many of each other status were left as they are.
    """
    if active_lock(session, period) is not None:
        raise Conflict(_("%(period)s is already locked.", period=str(period)))
    session.add(PeriodLock(period=str(period), locked_at=now, locked_by=actor.username or "system"))
    approved = _records_in(session, period, "approved")
    for record in approved:
        transition(session, record, action="lock", actor=actor, now=now)
    others: dict[str, int] = {}
    for status in ("draft", "submitted", "returned"):
        n = len(_records_in(session, period, status))
        if n:
            others[status] = n
    session.flush()
    return len(approved), others


def reopen(session: Session, period: Period, *, reason: str, actor: Actor, now: datetime) -> int:
    """Reopen ``period``: its locked returns become approved again; return how many."""
    current = active_lock(session, period)
    locked = _records_in(session, period, "locked")
    if current is None and not locked:
        raise Conflict(_("%(period)s is not locked.", period=str(period)))
    if current is not None:
        current.reopened_at = now
        current.reopened_by = actor.username or "system"
        current.reopen_reason = reason
    for record in locked:
        transition(session, record, action="reopen", actor=actor, now=now, comment=reason)
    session.flush()
    return len(locked)
