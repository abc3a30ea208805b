"""Filing returns: check a batch completely, then write every return of it or none.

One path for every way in: the web form (one return), the JSON API (one or many) and file
imports (many rows). ``check`` parses each filing, applies the access, lock and workflow
rules and the declared validation rules, and collects every problem with its row and field;
``apply`` writes the checked batch, auditing each changed value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.errors import FieldError
from plateau.i18n import _, get_locale
from plateau.monitoring import access, store, workflow
from plateau.monitoring.elements import DataElement, NumberError, catalog, parse_number
from plateau.monitoring.models import ReturnExplanation
from plateau.monitoring.periods import Period, PeriodError, parse_period
from plateau.monitoring.rules import Finding, Stage, Subject, evaluate, ruleset
from plateau.monitoring.store import Record, Values
from plateau.registry.identifiers import IdentifierError, validate_uscc
from plateau.registry.models import Enterprise


@dataclass
class Filing:
    """One return as given: raw values by element id, and what to do with it."""

    row: int  # spreadsheet row, or 1-based position in a JSON list
    uscc: str
    period: str
    values: dict[str, object] = field(default_factory=dict)
    # Files leave cells empty for "not given"; forms and the API send null to clear a value.
    clears: bool = False
    comment: str | None = None
    explanations: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    submit: bool = False


@dataclass
class Checked:
    """A filing that passed the checks, with what it will change."""

    filing: Filing
    enterprise: Enterprise
    period: Period
    record: Record | None
    elements: list[DataElement]
    before: Values
    after: Values
    stored: dict[str, ReturnExplanation]
    findings: list[Finding] = field(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def changed(self) -> list[DataElement]:
        return [e for e in self.elements if self.before.get(e.id) != self.after.get(e.id)]

    def explanation(self, finding: Finding) -> str:
        """The comment that explains a warning: given now, stored earlier, or the general one."""
        given = self.filing.explanations.get(finding.key, "").strip()
        if given:
            return given
        stored = self.stored.get(finding.key)
        if stored is not None and stored.text.strip():
            return stored.text
        return (self.filing.comment or "").strip()


@dataclass
class Batch:
    checked: list[Checked]
    errors: list[FieldError]


@dataclass
class Outcome:
    """What writing a batch did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    submitted: int = 0
    warnings: list[FieldError] = field(default_factory=list)


def locked_message(period: Period) -> str:
    return _(
        "%(period)s is locked by the region administrator: its returns change only after the period is reopened.",
        period=str(period),
    )


def filed_message(period: Period, status: str) -> str:
    return _(
        "The return of %(period)s was already filed (status: %(status)s): only a draft or a returned return can be changed.",
        period=str(period),
        status=workflow.status_label(status),
    )


def _uscc(f: Filing, errors: list[FieldError]) -> str | None:
    if not f.uscc.strip():
        errors.append(FieldError(_("This column must not be empty."), "uscc", f.row))
        return None
    try:
        return validate_uscc(f.uscc)
    except IdentifierError as exc:
        errors.append(FieldError(exc.message, "uscc", f.row, f.uscc))
        return None


def _period(f: Filing, errors: list[FieldError], today: date, first: Period) -> Period | None:
    try:
        return parse_period(f.period, today=today, first=first)
    except PeriodError as exc:
        errors.append(FieldError(exc.message, "period", f.row, f.period or None))
        return None


def _enterprises(session: Session, usccs: set[str], actor: Actor) -> dict[str, Enterprise]:
    found: dict[str, Enterprise] = {}
    ordered = sorted(usccs)
    for i in range(0, len(ordered), 400):
        stmt = select(Enterprise).where(
            Enterprise.uscc.in_(ordered[i : i + 400]), access.visible(actor)
        )
        found.update({e.uscc: e for e in session.scalars(stmt)})
    return found


def _element_error(element: DataElement, period: Period, industry_name: str) -> str:
    if element.frequency != period.frequency:
        if element.frequency == "annual":
            return _(
                "%(element)s is an annual figure: file it in the return of the year (YYYY), not of a month.",
                element=element.name,
            )
        return _(
            "%(element)s is a monthly figure: file it in the month's return (YYYY-MM), not in the annual one.",
            element=element.name,
        )
    return _(
        "%(element)s is not filed by enterprises of the industry %(industry)s.",
        element=element.name,
        industry=industry_name,
    )


def _values(
    f: Filing,
    elements: list[DataElement],
    before: Values,
    period: Period,
    industry_name: str,
    errors: list[FieldError],
) -> Values:
    cat = catalog()
    allowed = {e.id for e in elements}
    after = dict(before)
    for key, raw in f.values.items():
        element = cat.elements.get(key)
        if element is None:
            errors.append(FieldError(_("Unknown data element “%(id)s”.", id=key), key, f.row, raw))
            continue
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if key not in allowed:
            if not empty:
                errors.append(
                    FieldError(_element_error(element, period, industry_name), key, f.row, raw)
                )
            continue
        if empty:
            if f.clears:
                after[key] = None
            continue
        try:
            after[key] = parse_number(element, raw)
        except NumberError as exc:
            errors.append(FieldError(exc.message, key, f.row, raw))
    return after


def _syntax(f: Filing, errors: list[FieldError]) -> None:
    """Check what can be checked of a row that failed earlier: element ids and numbers."""
    cat = catalog()
    for key, raw in f.values.items():
        element = cat.elements.get(key)
        if element is None:
            errors.append(FieldError(_("Unknown data element “%(id)s”.", id=key), key, f.row, raw))
            continue
        try:
            parse_number(element, raw)
        except NumberError as exc:
            errors.append(FieldError(exc.message, key, f.row, raw))


def check(
    session: Session,
    filings: Sequence[Filing],
    *,
    actor: Actor,
    today: date,
    stage: Stage | None = None,
) -> Batch:
    """Check every filing; collect every problem (row, field, message) without writing."""
    from plateau.registry import service as registry_service

    cat, rs = catalog(), ruleset()
    errors: list[FieldError] = []
    parsed: list[tuple[Filing, str | None, Period | None]] = []
    for f in filings:
        parsed.append((f, _uscc(f, errors), _period(f, errors, today, rs.schedule.first_period)))
    if rs.unique_period:
        seen: dict[tuple[str, str], int] = {}
        for f, uscc, period in parsed:
            if uscc is None or period is None:
                continue
            key = (uscc, str(period))
            if key in seen:
                errors.append(
                    FieldError(
                        _(
                            "Duplicate of row %(row)s: an enterprise files one return for %(period)s.",
                            row=seen[key],
                            period=str(period),
                        ),
                        "period",
                        f.row,
                        f.period,
                    )
                )
            else:
                seen[key] = f.row
    enterprises = _enterprises(session, {u for _f, u, _p in parsed if u}, actor)
    rows: list[tuple[Filing, Enterprise, Period]] = []
    for f, uscc, period in parsed:
        if uscc is None:
            continue
        ent = enterprises.get(uscc)
        if ent is None:
            errors.append(
                FieldError(
                    _(
                        "No enterprise with 统一社会信用代码 %(uscc)s in your area; it must be registered first.",
                        uscc=uscc,
                    ),
                    "uscc",
                    f.row,
                    f.uscc,
                )
            )
        elif not access.may_file(actor, ent):
            errors.append(
                FieldError(
                    _(
                        "You may not file returns for %(name)s: only its own users (or the region administrator) may.",
                        name=ent.name,
                    ),
                    "uscc",
                    f.row,
                    f.uscc,
                )
            )
        elif period is not None and ent.closed_date is not None and ent.closed_date < period.start:
            errors.append(
                FieldError(
                    _(
                        "%(name)s closed on %(date)s: no returns are filed for later periods.",
                        name=ent.name,
                        date=ent.closed_date.isoformat(),
                    ),
                    "period",
                    f.row,
                    f.period,
                )
            )
        elif period is not None:
            rows.append((f, ent, period))
    keys = [(ent.id, period) for _f, ent, period in rows]
    records = store.find_records(session, keys)
    locks = store.active_locks(session, {str(p) for _f, _e, p in rows})
    extras = store.extras_of(session, list(records.values()))
    stored = store.explanations(session, [(eid, str(p)) for eid, p in keys])
    industries = {i.id: i for i in registry_service.list_industries(session, actor=actor)}
    checked: list[Checked] = []
    valued: set[int] = set()  # filings whose values were read (and their errors reported)
    for f, ent, period in rows:
        before_errors = len(errors)
        record = records.get((ent.id, str(period)))
        if str(period) in locks or (record is not None and record.status == "locked"):
            errors.append(FieldError(locked_message(period), "period", f.row, f.period))
            continue
        if record is not None and record.status not in workflow.EDITABLE:
            correction = actor.is_admin and bool(f.reason.strip()) and not f.submit
            if not correction:
                errors.append(
                    FieldError(filed_message(period, record.status), "period", f.row, f.period)
                )
                continue
        industry = industries.get(ent.industry_id)
        industry_name = ent.industry_id
        if industry is not None:
            en = get_locale() == "en" and industry.name_en
            industry_name = industry.name_en if en else industry.name_zh
        elements = cat.for_return(period.frequency, ent.industry_id)
        if record is not None:
            before = store.values_of(record, ent.industry_id, extras.get(store.extras_key(record)))
        else:
            before = {e.id: None for e in elements}
        after = _values(f, elements, before, period, industry_name, errors)
        valued.add(id(f))
        if len(errors) > before_errors:
            continue
        checked.append(
            Checked(
                filing=f,
                enterprise=ent,
                period=period,
                record=record,
                elements=elements,
                before=before,
                after=after,
                stored=stored.get((ent.id, str(period)), {}),
            )
        )
    for f in filings:
        if id(f) not in valued:
            _syntax(f, errors)
    run_rules(session, checked, stage)
    for c in checked:
        for finding in c.errors:
            errors.append(
                FieldError(
                    finding.message,
                    finding.element,
                    c.filing.row,
                    _plain(c.after.get(finding.element or "")),
                )
            )
        if c.filing.submit:
            for w in c.warnings:
                if not c.explanation(w):
                    errors.append(
                        FieldError(
                            _(
                                "Explain this warning before submitting: %(warning)s",
                                warning=w.message,
                            ),
                            w.element,
                            c.filing.row,
                        )
                    )
    errors.sort(key=lambda e: e.row or 0)
    return Batch(checked=checked, errors=errors)


def _plain(value: Decimal | None) -> str | None:
    return store.number_text(value)


def run_rules(session: Session, checked: list[Checked], stage: Stage | None) -> None:
    """Evaluate the declared rules, loading the history and peers they compare with."""
    rs = ruleset()
    monthly = [c for c in checked if not c.period.is_annual]
    history: dict[int, dict[Period, Values]] = {}
    if monthly and rs.history_months:
        first = min((c.period for c in monthly), key=lambda p: p.index).add_months(
            -rs.history_months
        )
        last = max((c.period for c in monthly), key=lambda p: p.index)
        history = store.monthly_history(
            session, {c.enterprise.id: c.enterprise.industry_id for c in monthly}, first, last
        )
        # Months filed in the same batch count as history for each other.
        for c in monthly:
            history.setdefault(c.enterprise.id, {})[c.period] = c.after
    peers: dict[tuple[str, str], list[tuple[int, Values]]] = {}
    peer_rules = rs.by_kind("outlier_peers")
    if monthly and peer_rules:
        cat = catalog()
        for c in monthly:
            key = (c.enterprise.industry_id, str(c.period))
            if key in peers:
                continue
            columns = []
            for rule in peer_rules:
                for name in (rule.params["numerator"], rule.params["denominator"]):
                    element = cat.elements[str(name)]
                    if element.column and element.applies_to(c.enterprise.industry_id):
                        columns.append(element.column)
            peers[key] = store.peer_values(
                session,
                industry_id=c.enterprise.industry_id,
                period=c.period,
                columns=sorted(set(columns)),
            )
    for c in checked:
        subject = Subject(
            industry_id=c.enterprise.industry_id,
            period=c.period,
            elements=c.elements,
            values=c.after,
            history=history.get(c.enterprise.id, {}),
            peers=[
                v
                for eid, v in peers.get((c.enterprise.industry_id, str(c.period)), [])
                if eid != c.enterprise.id
            ],
        )
        c.findings = evaluate(subject, stage=stage or ("submit" if c.filing.submit else "save"))


def findings_for(
    session: Session,
    *,
    enterprise: Enterprise,
    period: Period,
    record: Record | None,
    values: Values,
    stored: dict[str, ReturnExplanation],
    stage: Stage = "submit",
) -> list[Finding]:
    """Run the rules over a return's values as they stand (for display and review)."""
    cat = catalog()
    c = Checked(
        filing=Filing(row=1, uscc=enterprise.uscc, period=str(period)),
        enterprise=enterprise,
        period=period,
        record=record,
        elements=cat.for_return(period.frequency, enterprise.industry_id),
        before=values,
        after=values,
        stored=stored,
    )
    run_rules(session, [c], stage)
    return c.findings


def preview(batch: Batch) -> Outcome:
    """What ``apply`` would do with a checked batch (for trial runs)."""
    outcome = Outcome(rows=len(batch.checked))
    for c in batch.checked:
        if c.record is None:
            outcome.created += 1
        elif c.changed:
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        outcome.submitted += int(c.filing.submit)
        outcome.warnings += [FieldError(w.message, w.element, c.filing.row) for w in c.warnings]
    return outcome


def apply(
    session: Session, batch: Batch, *, actor: Actor, now: datetime, reason: str = ""
) -> Outcome:
    """Write a checked batch (which must have no errors): values, audit, comments, submissions."""
    assert not batch.errors
    outcome = Outcome(rows=len(batch.checked))
    for c in batch.checked:
        f = c.filing
        record = c.record
        if record is None:
            record = store.new_record(c.enterprise.id, c.period)
            session.add(record)
            session.flush()
            store.audit(
                session,
                enterprise_id=c.enterprise.id,
                period=c.period,
                actor=actor,
                action="create",
                at=now,
                new="draft",
                reason=f.reason or reason,
            )
            outcome.created += 1
        elif c.changed:
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        for element in c.changed:
            old, new = c.before.get(element.id), c.after.get(element.id)
            store.write_value(session, record, element, new)
            store.audit(
                session,
                enterprise_id=c.enterprise.id,
                period=c.period,
                actor=actor,
                action="value",
                at=now,
                element=element.id,
                old=store.number_text(old),
                new=store.number_text(new),
                reason=f.reason or reason,
            )
        if f.comment is not None:
            record.comment = f.comment
        for w in c.warnings:
            text = f.explanations.get(w.key, "").strip()
            if not text and w.key not in c.stored:
                text = (f.comment or "").strip()
            if text:
                store.save_explanation(
                    session,
                    existing=c.stored,
                    enterprise_id=c.enterprise.id,
                    period=c.period,
                    warning=w.key,
                    text=text,
                    actor=actor,
                    at=now,
                )
            outcome.warnings.append(FieldError(w.message, w.element, f.row))
        record.updated_at = now
        if f.submit:
            workflow.transition(
                session, record, action="submit", actor=actor, now=now, comment=f.comment or ""
            )
            outcome.submitted += 1
    session.flush()
    return outcome
