"""Builders of returns for tests: through the service (as a user would) or straight into the
table (for histories a test only reads)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor
from plateau.monitoring import service
from plateau.monitoring.models import MonthlyReturn, PeriodLock
from plateau.monitoring.periods import Period
from plateau.registry.models import Enterprise

# A fixed "today" for service calls: the latest month that can be filed is 2025-11.
TODAY = date(2025, 12, 20)

CORE: dict[str, Any] = {
    "output_value": "1000000",
    "revenue": "950000",
    "value_added": "300000",
    "employees": "20",
}


def core(**overrides: Any) -> dict[str, Any]:
    """The four required figures of a monthly return, with ``overrides``."""
    return CORE | overrides


def file(
    session: Session,
    uscc: str,
    period: str,
    *,
    actor: Actor = SYSTEM,
    submit: bool = False,
    comment: str | None = None,
    today: date = TODAY,
    **values: Any,
) -> service.ReturnView:
    """Save (and optionally submit) a return through the service."""
    return service.save_return(
        session,
        uscc=uscc,
        period=period,
        values=values or core(),
        comment=comment,
        submit=submit,
        actor=actor,
        today=today,
    )


def approved(session: Session, uscc: str, period: str, **values: Any) -> service.ReturnView:
    """A return filed, submitted and approved by the administrator."""
    file(session, uscc, period, submit=True, comment="ok", **values)
    return service.approve_return(session, uscc=uscc, period=period, actor=SYSTEM, today=TODAY)


def month_row(
    session: Session,
    enterprise: Enterprise | int,
    period: str,
    *,
    status: str = "approved",
    submitted_at: datetime | None = None,
    output: float | int | Decimal | None = 1_000_000,
    employees: int | None = 20,
    **columns: Any,
) -> MonthlyReturn:
    """Insert a monthly return row directly (history a test reads but does not file)."""
    eid = enterprise if isinstance(enterprise, int) else enterprise.id
    p = Period(int(period[:4]), int(period[5:7]))
    money = None if output is None else Decimal(str(output))
    fields: dict[str, Any] = {
        "output_value_cny": money,
        "revenue_cny": None if money is None else money * Decimal("0.95"),
        "value_added_cny": None if money is None else money * Decimal("0.3"),
        "employees": employees,
        "submitted_at": submitted_at,
    }
    if submitted_at is None and status != "draft":
        after = p.add_months(1)
        fields["submitted_at"] = datetime(after.year, after.month or 1, 5, 3, tzinfo=UTC)
    row = MonthlyReturn(enterprise_id=eid, period=p.start, status=status, **(fields | columns))
    session.add(row)
    session.flush()
    return row


def lock_row(session: Session, period: str) -> None:
    """Mark a period locked the way the demo will (a lock row, no workflow)."""
    session.add(PeriodLock(period=period, locked_at=datetime.now(UTC), locked_by="test"))
    session.flush()
