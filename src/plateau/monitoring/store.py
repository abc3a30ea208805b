"""Reading and writing return values, locks and the audit trail (no rules here).

Monthly returns keep their core figures in columns of ``monthly_return`` and everything
else in ``return_value`` rows; annual returns keep all their figures in ``return_value``.
Callers speak in data-element ids and never see that split.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import chunked
from plateau.monitoring.elements import DataElement, catalog, element_for_column
from plateau.monitoring.models import (
    AnnualReturn,
    MonthlyReturn,
    PeriodLock,
    ReturnAudit,
    ReturnExplanation,
    ReturnValue,
)
from plateau.monitoring.periods import Period

Record = MonthlyReturn | AnnualReturn
T = TypeVar("T")
Values = dict[str, Decimal | None]


def period_of(record: Record) -> Period:
    if isinstance(record, MonthlyReturn):
        return Period(record.period.year, record.period.month)
    return Period(record.year)


def new_record(enterprise_id: int, period: Period) -> Record:
    if period.is_annual:
        return AnnualReturn(enterprise_id=enterprise_id, year=period.year, status="draft")
    return MonthlyReturn(enterprise_id=enterprise_id, period=period.start, status="draft")


def find_records(
    session: Session, keys: Iterable[tuple[int, Period]]
) -> dict[tuple[int, str], Record]:
    """The existing returns for (enterprise id, period) pairs, keyed by (id, "YYYY-MM"/"YYYY")."""
    monthly = {(eid, p.start) for eid, p in keys if not p.is_annual}
    annual = {(eid, p.year) for eid, p in keys if p.is_annual}
    found: dict[tuple[int, str], Record] = {}
    for chunk in _chunks(sorted(monthly), 400):
        stmt = select(MonthlyReturn).where(
            tuple_(MonthlyReturn.enterprise_id, MonthlyReturn.period).in_(chunk)
        )
        for m in session.scalars(stmt):
            found[(m.enterprise_id, str(period_of(m)))] = m
    for chunk_a in _chunks(sorted(annual), 400):
        stmt_a = select(AnnualReturn).where(
            tuple_(AnnualReturn.enterprise_id, AnnualReturn.year).in_(chunk_a)
        )
        for a in session.scalars(stmt_a):
            found[(a.enterprise_id, str(a.year))] = a
    return found


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def extras_of(
    session: Session, records: Sequence[Record]
) -> dict[tuple[str, int], dict[str, Decimal]]:
    """The return_value rows of ``records``, keyed by ("monthly"|"annual", record id)."""
    monthly_ids = [r.id for r in records if isinstance(r, MonthlyReturn) and r.id is not None]
    annual_ids = [r.id for r in records if isinstance(r, AnnualReturn) and r.id is not None]
    out: dict[tuple[str, int], dict[str, Decimal]] = {}
    conditions = [ReturnValue.monthly_return_id.in_(c) for c in chunked(monthly_ids)]
    conditions += [ReturnValue.annual_return_id.in_(c) for c in chunked(annual_ids)]
    found = (
        v for condition in conditions for v in session.scalars(select(ReturnValue).where(condition))
    )
    for v in found:
        key = (
            ("monthly", v.monthly_return_id)
            if v.monthly_return_id
            else ("annual", v.annual_return_id)
        )
        out.setdefault((key[0], int(key[1] or 0)), {})[v.element] = v.value
    return out


def extras_key(record: Record) -> tuple[str, int]:
    return ("monthly" if isinstance(record, MonthlyReturn) else "annual", record.id)


def values_of(
    record: Record, industry_id: str | None, extras: dict[str, Decimal] | None = None
) -> Values:
    """Every element value of a return, by element id (columns and extras)."""
    cat = catalog()
    period = period_of(record)
    out: Values = {}
    for e in cat.for_return(period.frequency, industry_id):
        if e.column is not None and isinstance(record, MonthlyReturn):
            raw = getattr(record, e.column)
            out[e.id] = None if raw is None else Decimal(raw)
        else:
            found = (extras or {}).get(e.id)
            out[e.id] = None if found is None else e.quantize(Decimal(found))
    return out


def load_values(session: Session, record: Record, industry_id: str | None) -> Values:
    if record.id is None:
        return values_of(record, industry_id, {})
    extras = extras_of(session, [record]).get(extras_key(record), {})
    return values_of(record, industry_id, extras)


def write_value(
    session: Session, record: Record, element: DataElement, value: Decimal | None
) -> None:
    """Set one element of a (flushed) return."""
    if element.column is not None and isinstance(record, MonthlyReturn):
        if element.kind == "integer" and value is not None:
            setattr(record, element.column, int(value))
        else:
            setattr(record, element.column, value)
        return
    column = (
        ReturnValue.monthly_return_id
        if isinstance(record, MonthlyReturn)
        else ReturnValue.annual_return_id
    )
    row = session.scalar(
        select(ReturnValue).where(column == record.id, ReturnValue.element == element.id)
    )
    if value is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = ReturnValue(element=element.id, value=value)
        if isinstance(record, MonthlyReturn):
            row.monthly_return_id = record.id
        else:
            row.annual_return_id = record.id
        session.add(row)
    else:
        row.value = value


def monthly_history(
    session: Session,
    industries: dict[int, str | None],
    first: Period,
    last: Period,
) -> dict[int, dict[Period, Values]]:
    """Monthly values of the given enterprises from ``first`` to ``last`` (any status)."""
    out: dict[int, dict[Period, Values]] = {}
    if not industries:
        return out
    ids = sorted(industries)
    records: list[MonthlyReturn] = []
    for chunk in _chunks(ids, 400):
        records.extend(
            session.scalars(
                select(MonthlyReturn).where(
                    MonthlyReturn.enterprise_id.in_(chunk),
                    MonthlyReturn.period >= first.start,
                    MonthlyReturn.period <= last.start,
                )
            )
        )
    extras = extras_of(session, records) if _has_monthly_extras() else {}
    for r in records:
        out.setdefault(r.enterprise_id, {})[period_of(r)] = values_of(
            r, industries[r.enterprise_id], extras.get(extras_key(r), {})
        )
    return out


def _has_monthly_extras() -> bool:
    return any(e.column is None for e in catalog().of_frequency("monthly"))


def peer_values(
    session: Session, *, industry_id: str, period: Period, columns: Sequence[str]
) -> list[tuple[int, Values]]:
    """Filed (not draft) monthly values of ``industry_id``'s enterprises in ``period``."""
    from plateau.registry.models import Enterprise

    cols = [getattr(MonthlyReturn, c) for c in columns]
    stmt = (
        select(MonthlyReturn.enterprise_id, *cols)
        .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(
            Enterprise.industry_id == industry_id,
            MonthlyReturn.period == period.start,
            MonthlyReturn.status != "draft",
        )
    )
    out: list[tuple[int, Values]] = []
    for row in session.execute(stmt):
        values: Values = {}
        for column, raw in zip(columns, row[1:], strict=True):
            element = element_for_column(column, industry_id)
            if element is not None:
                values[element.id] = None if raw is None else Decimal(raw)
        out.append((int(row[0]), values))
    return out


def active_locks(session: Session, periods: Iterable[str]) -> dict[str, PeriodLock]:
    """The active (not reopened) locks among ``periods``."""
    wanted = sorted(set(periods))
    if not wanted:
        return {}
    stmt = select(PeriodLock).where(PeriodLock.period.in_(wanted), PeriodLock.reopened_at.is_(None))
    return {lock.period: lock for lock in session.scalars(stmt)}


def audit(
    session: Session,
    *,
    enterprise_id: int,
    period: Period,
    actor: Actor,
    action: str,
    at: datetime,
    element: str | None = None,
    old: str | None = None,
    new: str | None = None,
    reason: str = "",
) -> None:
    """Append one entry to a return's audit trail."""
    session.add(
        ReturnAudit(
            enterprise_id=enterprise_id,
            period=str(period),
            at=at,
            user_id=actor.user_id,
            username=actor.username or "system",
            action=action,
            element=element,
            old_value=old,
            new_value=new,
            reason=reason,
        )
    )


def number_text(value: Decimal | None) -> str | None:
    """A value as the audit trail keeps it (plain decimal notation)."""
    if value is None:
        return None
    text = format(value, "f")
    return text[:64]


def explanations(
    session: Session, keys: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], dict[str, ReturnExplanation]]:
    """Stored comments on warnings, by (enterprise id, period) then warning key."""
    wanted = sorted(set(keys))
    out: dict[tuple[int, str], dict[str, ReturnExplanation]] = {}
    for chunk in _chunks(wanted, 400):
        stmt = select(ReturnExplanation).where(
            tuple_(ReturnExplanation.enterprise_id, ReturnExplanation.period).in_(chunk)
        )
        for x in session.scalars(stmt):
            out.setdefault((x.enterprise_id, x.period), {})[x.warning] = x
    return out


def save_explanation(
    session: Session,
    *,
    existing: dict[str, ReturnExplanation],
    enterprise_id: int,
    period: Period,
    warning: str,
    text: str,
    actor: Actor,
    at: datetime,
) -> None:
    found = existing.get(warning)
    if found is None:
        found = ReturnExplanation(
            enterprise_id=enterprise_id, period=str(period), warning=warning[:96]
        )
        session.add(found)
        existing[warning] = found
    found.text = text
    found.username = actor.username or "system"
    found.at = at


def status_counts(
    session: Session, *, periods: Sequence[Period], where: object
) -> dict[str, dict[str, int]]:
    """Counts of returns by period and status among enterprises matching ``where``."""
    from sqlalchemy import func

    from plateau.registry.models import Enterprise

    out: dict[str, dict[str, int]] = {}
    months = [p.start for p in periods if not p.is_annual]
    years = [p.year for p in periods if p.is_annual]
    if months:
        stmt = (
            select(MonthlyReturn.period, MonthlyReturn.status, func.count())
            .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
            .where(MonthlyReturn.period.in_(months), where)  # type: ignore[arg-type]
            .group_by(MonthlyReturn.period, MonthlyReturn.status)
        )
        for d, status, n in session.execute(stmt):
            out.setdefault(f"{d.year:04d}-{d.month:02d}", {})[status] = int(n)
    if years:
        stmt_a = (
            select(AnnualReturn.year, AnnualReturn.status, func.count())
            .join(Enterprise, Enterprise.id == AnnualReturn.enterprise_id)
            .where(AnnualReturn.year.in_(years), where)  # type: ignore[arg-type]
            .group_by(AnnualReturn.year, AnnualReturn.status)
        )
        for y, status, n in session.execute(stmt_a):
            out.setdefault(str(y), {})[status] = int(n)
    return out
