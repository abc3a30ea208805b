"""One return at a time: view it (month and year to date), save, submit, approve, return it;
lists for the review queue, the periods overview and a return's audit trail.

Called only from ``service``. Every function resolves the enterprise through the registry
with the caller's scope (404 outside it) before checking the caller's right to act (403).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import utcnow
from plateau.errors import Conflict, FieldError, NotFound, ValidationFailed
from plateau.i18n import _
from plateau.monitoring import access, filing, store, workflow
from plateau.monitoring.elements import DataElement, catalog
from plateau.monitoring.filing import Filing, Outcome
from plateau.monitoring.models import AnnualReturn, MonthlyReturn, PeriodLock, ReturnAudit
from plateau.monitoring.periods import (
    Period,
    PeriodError,
    beijing_today,
    deadline,
    latest_annual,
    latest_monthly,
    parse_period,
)
from plateau.monitoring.rules import Finding, ruleset
from plateau.monitoring.schemas import ReturnFilter
from plateau.monitoring.store import Record, Values
from plateau.paging import MAX_PER_PAGE, Paged, paginate
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise


@dataclass
class ElementLine:
    """One element of a return: the month, the year to date, and a year earlier."""

    element: DataElement
    value: Decimal | None
    ytd: Decimal | None = None
    last_year: Decimal | None = None
    ytd_last_year: Decimal | None = None

    @property
    def yoy_pct(self) -> float | None:
        return _pct(self.value, self.last_year)

    @property
    def ytd_yoy_pct(self) -> float | None:
        return _pct(self.ytd, self.ytd_last_year)


def _pct(now: Decimal | None, before: Decimal | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return float((now - before) / before * 100)


@dataclass
class ReturnView:
    """Everything a page or the API shows about one return (filed or not yet)."""

    enterprise: Enterprise
    period: Period
    record: Record | None
    lines: list[ElementLine]
    values: Values
    findings: list[Finding]
    explanations: dict[str, str]
    locked: bool
    deadline: datetime
    may_edit: bool
    may_correct: bool  # the administrator may change a filed (not locked) return, with a reason
    may_submit: bool
    may_review: bool
    may_withdraw: bool = False  # the filer may take a submitted return back before review

    @property
    def status(self) -> str | None:
        return self.record.status if self.record is not None else None

    @property
    def late(self) -> bool:
        first = None
        if self.record is not None:
            first = self.record.first_submitted_at or self.record.submitted_at
        if first is None:
            return utcnow() > self.deadline
        return first > self.deadline

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


#: A page of returns, each a row of the review list.
Listing = Paged[dict[str, Any]]


@dataclass
class PeriodLine:
    period: Period
    lock: PeriodLock | None
    deadline: datetime
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def locked(self) -> bool:
        return self.lock is not None


def today_or(today: date | None) -> date:
    return today or beijing_today()


def parse(text: str, *, today: date, field_name: str = "period") -> Period:
    """Read a period or raise ValidationFailed naming the field."""
    try:
        return parse_period(text, today=today, first=ruleset().schedule.first_period)
    except PeriodError as exc:
        raise ValidationFailed(
            exc.message, [FieldError(exc.message, field_name, value=text)]
        ) from None


def due(period: Period) -> datetime:
    sched = ruleset().schedule
    return deadline(period, monthly_due_day=sched.monthly_due_day, annual_due=sched.annual_due)


def _record(session: Session, enterprise: Enterprise, period: Period) -> Record | None:
    return store.find_records(session, [(enterprise.id, period)]).get((enterprise.id, str(period)))


def _locked(session: Session, period: Period, record: Record | None) -> bool:
    if record is not None and record.status == "locked":
        return True
    return workflow.active_lock(session, period) is not None


def get_view(
    session: Session, *, uscc: str, period: str, actor: Actor, today: date | None = None
) -> ReturnView:
    """Return a return as its viewers see it, with month, year-to-date and findings."""
    enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
    p = parse(period, today=today_or(today))
    return _view(session, enterprise, p, actor)


def _view(session: Session, enterprise: Enterprise, p: Period, actor: Actor) -> ReturnView:
    record = _record(session, enterprise, p)
    values: Values = (
        store.load_values(session, record, enterprise.industry_id)
        if record is not None
        else {e.id: None for e in catalog().for_return(p.frequency, enterprise.industry_id)}
    )
    stored = store.explanations(session, [(enterprise.id, str(p))]).get((enterprise.id, str(p)), {})
    findings = filing.findings_for(
        session, enterprise=enterprise, period=p, record=record, values=values, stored=stored
    )
    locked = _locked(session, p, record)
    status = record.status if record is not None else None
    may_file = access.may_file(actor, enterprise)
    editable = status is None or status in workflow.EDITABLE
    return ReturnView(
        enterprise=enterprise,
        period=p,
        record=record,
        lines=_lines(session, enterprise, p, values),
        values=values,
        findings=findings,
        explanations={k: x.text for k, x in stored.items()},
        locked=locked,
        deadline=due(p),
        may_edit=may_file and editable and not locked,
        may_correct=actor.is_admin and not editable and not locked,
        may_submit=may_file and status in workflow.EDITABLE and not locked,
        may_review=access.may_review(actor, enterprise) and status == "submitted" and not locked,
        may_withdraw=may_file and status == "submitted" and not locked,
    )


def _total(element: DataElement, values: list[Decimal]) -> Decimal | None:
    if not values or element.ytd == "none":
        return None
    if element.ytd == "average":
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"))
    return sum(values, Decimal(0))


def _lines(
    session: Session, enterprise: Enterprise, p: Period, values: Values
) -> list[ElementLine]:
    elements = catalog().for_return(p.frequency, enterprise.industry_id)
    if p.is_annual:
        return [ElementLine(e, values.get(e.id)) for e in elements]
    assert p.month is not None
    history = store.monthly_history(
        session, {enterprise.id: enterprise.industry_id}, Period(p.year - 1, 1), p
    ).get(enterprise.id, {})
    history[p] = values
    lines = []
    for e in elements:
        this_year = [v for m in p.year_to_date() if (v := history.get(m, {}).get(e.id)) is not None]
        last_year = [
            v
            for m in range(1, p.month + 1)
            if (v := history.get(Period(p.year - 1, m), {}).get(e.id)) is not None
        ]
        lines.append(
            ElementLine(
                e,
                values.get(e.id),
                ytd=_total(e, this_year),
                last_year=history.get(p.add_months(-12), {}).get(e.id),
                ytd_last_year=_total(e, last_year),
            )
        )
    return lines


def _prechecks(
    session: Session, enterprise: Enterprise, p: Period, actor: Actor, *, submit: bool, reason: str
) -> Record | None:
    """The single-return refusals with their own status codes (403, 409) before validation."""
    if not access.may_file(actor, enterprise):
        raise access.forbid_filing(actor)
    record = _record(session, enterprise, p)
    if _locked(session, p, record):
        raise Conflict(filing.locked_message(p))
    if record is not None and record.status not in workflow.EDITABLE:
        if submit:
            raise workflow.refuse("submit", record.status)
        if not (actor.is_admin and reason.strip()):
            if actor.is_admin:
                raise ValidationFailed(
                    _("Give a reason for changing a filed return: it is kept in the audit trail."),
                    [FieldError(_("Required."), "reason")],
                )
            raise Conflict(filing.filed_message(p, record.status))
    return record


def _write(
    session: Session, filings: list[Filing], *, actor: Actor, today: date, reason: str = ""
) -> Outcome:
    batch = filing.check(session, filings, actor=actor, today=today)
    if batch.errors:
        raise ValidationFailed(
            _("Nothing was saved: %(num)s problem(s) found.", num=len(batch.errors)), batch.errors
        )
    return filing.apply(session, batch, actor=actor, now=utcnow(), reason=reason)


def save_return(
    session: Session,
    *,
    uscc: str,
    period: str,
    values: dict[str, object],
    comment: str | None = None,
    explanations: dict[str, str] | None = None,
    reason: str = "",
    submit: bool = False,
    actor: Actor,
    today: date | None = None,
) -> ReturnView:
    """Create or change one return (and submit it when asked); all checks first."""
    day = today_or(today)
    enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
    p = parse(period, today=day)
    _prechecks(session, enterprise, p, actor, submit=submit, reason=reason)
    f = Filing(
        row=1,
        uscc=enterprise.uscc,
        period=str(p),
        values=values,
        clears=True,
        comment=comment,
        explanations=explanations or {},
        reason=reason,
        submit=submit,
    )
    _write(session, [f], actor=actor, today=day)
    return _view(session, enterprise, p, actor)


def submit_return(
    session: Session,
    *,
    uscc: str,
    period: str,
    comment: str | None = None,
    explanations: dict[str, str] | None = None,
    actor: Actor,
    today: date | None = None,
) -> ReturnView:
    """Submit a saved draft (or a corrected returned return) for review."""
    day = today_or(today)
    enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
    p = parse(period, today=day)
    if _prechecks(session, enterprise, p, actor, submit=True, reason="") is None:
        raise NotFound(_("No return of %(period)s has been saved yet.", period=str(p)))
    f = Filing(
        row=1,
        uscc=enterprise.uscc,
        period=str(p),
        comment=comment,
        explanations=explanations or {},
        submit=True,
    )
    _write(session, [f], actor=actor, today=day)
    return _view(session, enterprise, p, actor)


def _review_target(
    session: Session, *, uscc: str, period: str, actor: Actor, today: date | None
) -> tuple[Enterprise, Period, Record]:
    enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
    p = parse(period, today=today_or(today))
    if not access.may_review(actor, enterprise):
        raise access.forbid_review(actor)
    record = _record(session, enterprise, p)
    if record is None:
        raise NotFound(_("No return of %(period)s has been saved yet.", period=str(p)))
    if _locked(session, p, record):
        raise Conflict(filing.locked_message(p))
    return enterprise, p, record


def approve_return(
    session: Session,
    *,
    uscc: str,
    period: str,
    comment: str = "",
    actor: Actor,
    today: date | None = None,
) -> ReturnView:
    """Approve a submitted return (park or prefecture officer of the enterprise, or admin)."""
    enterprise, p, record = _review_target(
        session, uscc=uscc, period=period, actor=actor, today=today
    )
    workflow.transition(
        session, record, action="approve", actor=actor, now=utcnow(), comment=comment.strip()
    )
    session.flush()
    return _view(session, enterprise, p, actor)


def withdraw_return(
    session: Session, *, uscc: str, period: str, actor: Actor, today: date | None = None
) -> ReturnView:
    """Take a submitted return back to a draft before anyone has reviewed it (its filer)."""
    enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
    p = parse(period, today=today_or(today))
    if not access.may_file(actor, enterprise):
        raise access.forbid_filing(actor)
    record = _record(session, enterprise, p)
    if record is None:
        raise NotFound(_("No return of %(period)s has been saved yet.", period=str(p)))
    if _locked(session, p, record):
        raise Conflict(filing.locked_message(p))
    workflow.transition(session, record, action="withdraw", actor=actor, now=utcnow())
    session.flush()
    return _view(session, enterprise, p, actor)


def approve_clean(
    session: Session, *, period: str, actor: Actor, today: date | None = None
) -> tuple[list[str], int]:
    """Approve every submitted return of a period in the caller's review scope that raised no
    warning at all; return the approved USCCs and how many submitted returns were left for a
    person to read (a warning, even an explained one, needs someone to look)."""
    access.require_reader(actor)
    if not access.may_review_any(actor):
        raise access.forbid_review(actor)
    p = parse(period, today=today_or(today))
    warned = {w.enterprise.uscc for w in period_warnings(session, period=str(p), actor=actor)}
    filters = ReturnFilter(period=str(p), status="submitted")
    submitted = [_row(*r)["uscc"] for r in session.execute(_list_stmt(filters, p, actor)).all()]
    approved: list[str] = []
    for uscc in submitted:
        if uscc in warned:
            continue
        enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
        if not access.may_review(actor, enterprise):
            continue
        approve_return(
            session,
            uscc=uscc,
            period=str(p),
            comment=_("Approved in bulk: no rule raised a warning."),
            actor=actor,
            today=today,
        )
        approved.append(uscc)
    return approved, len(submitted) - len(approved)


def return_for_correction(
    session: Session,
    *,
    uscc: str,
    period: str,
    comment: str,
    actor: Actor,
    today: date | None = None,
) -> ReturnView:
    """Send a submitted return back to the enterprise with a comment saying what to correct."""
    enterprise, p, record = _review_target(
        session, uscc=uscc, period=period, actor=actor, today=today
    )
    if not comment.strip():
        raise ValidationFailed(
            _("Say what must be corrected: the comment is sent to the enterprise."),
            [FieldError(_("Required."), "comment")],
        )
    workflow.transition(
        session, record, action="return", actor=actor, now=utcnow(), comment=comment.strip()
    )
    session.flush()
    return _view(session, enterprise, p, actor)


def check_values(
    session: Session,
    *,
    uscc: str,
    period: str,
    values: dict[str, object],
    explanations: dict[str, str] | None = None,
    comment: str | None = None,
    reason: str = "",
    actor: Actor,
    today: date | None = None,
) -> tuple[list[Finding], list[FieldError]]:
    """Validate figures without saving them: the findings and every problem found."""
    day = today_or(today)
    enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
    if not access.may_file(actor, enterprise):
        raise access.forbid_filing(actor)
    f = Filing(
        row=1,
        uscc=enterprise.uscc,
        period=period,
        values=values,
        clears=True,
        comment=comment,
        explanations=explanations or {},
        reason=reason,
    )
    batch = filing.check(session, [f], actor=actor, today=day, stage="submit")
    findings = batch.checked[0].findings if batch.checked else []
    return findings, batch.errors


def audit_trail(
    session: Session, *, uscc: str, period: str, actor: Actor, today: date | None = None
) -> list[ReturnAudit]:
    """Every change and workflow step of one return, oldest first."""
    enterprise = registry_service.get_enterprise(session, uscc=uscc, actor=actor)
    p = parse(period, today=today_or(today))
    stmt = (
        select(ReturnAudit)
        .where(ReturnAudit.enterprise_id == enterprise.id, ReturnAudit.period == str(p))
        .order_by(ReturnAudit.at, ReturnAudit.id)
    )
    return list(session.scalars(stmt))


# --- lists ---


def _filter_period(filters: ReturnFilter, today: date) -> Period | None:
    if not filters.period:
        return None
    return parse(filters.period, today=today)


def _list_stmt(filters: ReturnFilter, p: Period | None, actor: Actor) -> Any:
    annual = p.is_annual if p is not None else filters.frequency == "annual"
    conditions: list[Any] = [access.visible(actor)]
    if filters.prefecture:
        conditions.append(Enterprise.prefecture_code == filters.prefecture)
    if filters.park:
        conditions.append(Enterprise.park_id == filters.park)
    if filters.industry:
        conditions.append(Enterprise.industry_id == filters.industry)
    if filters.q:
        like = f"%{filters.q.strip()}%"
        conditions.append(or_(Enterprise.name.ilike(like), Enterprise.uscc.ilike(like.upper())))
    ent_cols = (
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.prefecture_code,
        Enterprise.park_id,
        Enterprise.industry_id,
    )
    if annual:
        annual_stmt = select(AnnualReturn, *ent_cols).join(
            Enterprise, Enterprise.id == AnnualReturn.enterprise_id
        )
        if p is not None:
            conditions.append(AnnualReturn.year == p.year)
        if filters.status:
            conditions.append(AnnualReturn.status == filters.status)
        return annual_stmt.where(*conditions).order_by(
            AnnualReturn.year.desc(), Enterprise.name_sort
        )
    stmt = select(MonthlyReturn, *ent_cols).join(
        Enterprise, Enterprise.id == MonthlyReturn.enterprise_id
    )
    if p is not None:
        conditions.append(MonthlyReturn.period == p.start)
    if filters.status:
        conditions.append(MonthlyReturn.status == filters.status)
    return stmt.where(*conditions).order_by(MonthlyReturn.period.desc(), Enterprise.name_sort)


def _row(
    record: Record, uscc: str, name: str, prefecture: str, park: str | None, industry: str
) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "enterprise_name": name,
        "prefecture_code": prefecture,
        "park_id": park,
        "industry_id": industry,
        "period": str(store.period_of(record)),
        "status": record.status,
        "output_value": record.output_value_cny if isinstance(record, MonthlyReturn) else None,
        "submitted_at": record.submitted_at,
        "approved_at": record.approved_at,
        "review_comment": record.review_comment or "",
    }


def list_returns(
    session: Session,
    *,
    filters: ReturnFilter,
    page: int = 1,
    per_page: int = 50,
    actor: Actor,
    today: date | None = None,
) -> Listing:
    """List the returns in the caller's scope (the review queue filters by status)."""
    access.require_reader(actor)
    if not 1 <= per_page <= MAX_PER_PAGE or page < 1:
        raise ValidationFailed(
            _("per_page must be between 1 and %(max)s.", max=MAX_PER_PAGE),
            [FieldError(_("Out of range."), "per_page", value=per_page)],
        )
    p = _filter_period(filters, today_or(today))
    stmt = _list_stmt(filters, p, actor)
    found = paginate(session, stmt, page=page, per_page=per_page)
    return Listing(
        items=[_row(*r) for r in found.items], total=found.total, page=page, per_page=per_page
    )


def all_returns(
    session: Session, *, filters: ReturnFilter, actor: Actor, today: date | None = None
) -> list[dict[str, Any]]:
    """Every matching return (for CSV and Excel downloads)."""
    access.require_reader(actor)
    p = _filter_period(filters, today_or(today))
    return [_row(*r) for r in session.execute(_list_stmt(filters, p, actor)).all()]


def recent_periods(today: date, *, months: int = 24, years: int = 5) -> list[Period]:
    """The latest months and years, newest first."""
    last = latest_monthly(today)
    out = [last.add_months(-k) for k in range(months)]
    first = ruleset().schedule.first_period
    out = [p for p in out if p.index >= first.index]
    top = latest_annual(today).year
    out += [Period(y) for y in range(top, top - years, -1) if y >= first.year]
    return out


def periods_overview(
    session: Session,
    *,
    actor: Actor,
    today: date | None = None,
    months: int = 24,
    years: int = 5,
) -> list[PeriodLine]:
    """Recent periods with their lock and the caller's returns counted by status."""
    access.require_reader(actor)
    periods = recent_periods(today_or(today), months=months, years=years)
    locks = store.active_locks(session, [str(p) for p in periods])
    counts = store.status_counts(session, periods=periods, where=access.visible(actor))
    return [
        PeriodLine(period=p, lock=locks.get(str(p)), deadline=due(p), counts=counts.get(str(p), {}))
        for p in periods
    ]


def lock_period(
    session: Session, *, period: str, actor: Actor, today: date | None = None
) -> tuple[Period, int, dict[str, int]]:
    """Lock a period (region administrator): approved returns become locked."""
    access.require_admin(actor)
    p = parse(period, today=today_or(today))
    locked, others = workflow.lock(session, p, actor=actor, now=utcnow())
    return p, locked, others


def reopen_period(
    session: Session, *, period: str, reason: str, actor: Actor, today: date | None = None
) -> tuple[Period, int]:
    """Reopen a locked period with a reason (region administrator)."""
    access.require_admin(actor)
    p = parse(period, today=today_or(today))
    if not reason.strip():
        raise ValidationFailed(
            _("Give the reason for reopening the period: it is kept in the audit trail."),
            [FieldError(_("Required."), "reason")],
        )
    return p, workflow.reopen(session, p, reason=reason.strip(), actor=actor, now=utcnow())


@dataclass
class PeriodWarning:
    """A warning on a filed return, and its explanation if the filer gave one."""

    enterprise: Enterprise
    period: Period
    status: str
    finding: Finding
    explanation: str | None


def period_warnings(
    session: Session,
    *,
    period: str,
    actor: Actor,
    unexplained_only: bool = False,
    today: date | None = None,
) -> list[PeriodWarning]:
    """The warnings (outliers, year-on-year jumps, …) on the filed returns of a period in scope."""
    access.require_reader(actor)
    p = parse(period, today=today_or(today))
    record_type: Any = AnnualReturn if p.is_annual else MonthlyReturn
    match = AnnualReturn.year == p.year if p.is_annual else MonthlyReturn.period == p.start
    rows = session.execute(
        select(record_type, Enterprise)
        .join(Enterprise, Enterprise.id == record_type.enterprise_id)
        .where(match, record_type.status != "draft", access.visible(actor))
        .order_by(Enterprise.name_sort)
    ).all()
    records = [r for r, _e in rows]
    extras = store.extras_of(session, records)
    stored = store.explanations(session, [(e.id, str(p)) for _r, e in rows])
    cat = catalog()
    checked = []
    for record, enterprise in rows:
        values = store.values_of(
            record, enterprise.industry_id, extras.get(store.extras_key(record))
        )
        checked.append(
            filing.Checked(
                filing=Filing(row=0, uscc=enterprise.uscc, period=str(p)),
                enterprise=enterprise,
                period=p,
                record=record,
                elements=cat.for_return(p.frequency, enterprise.industry_id),
                before=values,
                after=values,
                stored=stored.get((enterprise.id, str(p)), {}),
            )
        )
    filing.run_rules(session, checked, "save")
    out = []
    for c in checked:
        assert c.record is not None
        for w in c.warnings:
            text = c.explanation(w) or None
            if unexplained_only and text:
                continue
            out.append(PeriodWarning(c.enterprise, p, c.record.status, w, text))
    return out


def next_pending(
    session: Session, *, actor: Actor, period: str | None = None, today: date | None = None
) -> tuple[str, str, int] | None:
    """The next submitted return the caller may review, in the queue's order, preferring the
    given period; with how many of that list wait. None when nothing is left to review."""
    access.require_reader(actor)
    if not access.may_review_any(actor):
        return None
    day = today_or(today)
    lists = [ReturnFilter(status="submitted", frequency=f) for f in ("monthly", "annual")]
    if period:
        lists.insert(0, ReturnFilter(status="submitted", period=period))
    for filters in lists:
        stmt = _list_stmt(filters, _filter_period(filters, day), actor)
        first = session.execute(stmt.limit(1)).first()
        if first is not None:
            total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
            row = _row(*first)
            return str(row["uscc"]), str(row["period"]), int(total or 0)
    return None
