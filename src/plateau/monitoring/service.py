"""Statistical returns (统计报表): the entry point routers, the CLI and other packages call.

Filing, validation and the workflow are implemented beside this module (``filing``,
``rules``, ``outliers``, ``workflow``, ``returns``, ``imports``, ``completeness``) and
re-exported here. Every function takes the session first and the caller (``actor``) as a
keyword; reads are filtered by the caller's scope, writes checked against its rights.
Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _
from plateau.jobs.models import Job
from plateau.monitoring import access, filing, imports
from plateau.monitoring.analytics import indicators as analytics_indicators
from plateau.monitoring.completeness import LateFiler, Report, Tally, late_filers, trend
from plateau.monitoring.completeness import completeness as completeness_report
from plateau.monitoring.elements import Catalog, DataElement, RegionInputSpec, catalog
from plateau.monitoring.filing import Filing, Outcome
from plateau.monitoring.models import AnnualReturn, MonthlyReturn, RegionInput, ReturnValue
from plateau.monitoring.periods import Period, beijing_today
from plateau.monitoring.reminders import Reminded, last_reminded, remind_late_filers
from plateau.monitoring.returns import (
    Listing,
    PeriodLine,
    PeriodWarning,
    ReturnView,
    all_returns,
    approve_clean,
    approve_return,
    audit_trail,
    check_values,
    get_view,
    list_returns,
    lock_period,
    next_pending,
    parse,
    period_warnings,
    periods_overview,
    reopen_period,
    return_for_correction,
    save_return,
    submit_return,
    withdraw_return,
)
from plateau.monitoring.rules import RuleSet, ruleset
from plateau.monitoring.schemas import RegionInputWrite, ReturnInput
from plateau.monitoring.workflow import STATUS_LABELS, STATUSES, status_label
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise
from plateau.tabular import Table, read_table

__all__ = [
    "SETTLED_STATUSES",
    "STATUSES",
    "STATUS_LABELS",
    "LateFiler",
    "Listing",
    "Outcome",
    "PeriodLine",
    "PeriodWarning",
    "Reminded",
    "Report",
    "ReturnView",
    "Tally",
    "all_returns",
    "approve_clean",
    "approve_return",
    "audit_trail",
    "check_values",
    "completeness",
    "completeness_trend",
    "data_elements",
    "file_returns",
    "filing_choices",
    "get_return",
    "import_returns",
    "last_reminded",
    "late_filers",
    "list_region_inputs",
    "list_returns",
    "lock_period",
    "next_pending",
    "open_period",
    "outliers_awaiting_comment",
    "parse_period",
    "period_warnings",
    "periods_overview",
    "region_input_specs",
    "remind_late_filers",
    "reopen_period",
    "report_period",
    "return_for_correction",
    "revenue_crossings",
    "rules",
    "save_return",
    "set_region_input",
    "settled_figures",
    "status_label",
    "submit_return",
    "template_columns",
    "template_workbook",
    "withdraw_return",
]

get_return = get_view
completeness_trend = trend

# Returns whose figures count for money (incentive policies): reviewed, not just filed.
SETTLED_STATUSES = ("approved", "locked")
_CHUNK = 500  # keeps every IN (...) list far below the drivers' parameter limits


@dataclass(frozen=True)
class SettledFigures:
    """One enterprise's approved or locked figures of one year."""

    monthly_revenue: dict[int, Decimal]  # month (1-12) -> revenue of an approved/locked return
    months_pending: int  # months with a return not approved yet
    fixed_asset_investment: Decimal | None  # of the approved/locked annual return


def settled_figures(
    session: Session, *, year: int, enterprise_ids: Sequence[int], actor: Actor
) -> dict[int, SettledFigures]:
    """Return the approved or locked revenue and fixed-asset investment of ``year``, by enterprise."""
    access.require_reader(actor)
    revenue: dict[int, dict[int, Decimal]] = {}
    pending: dict[int, int] = {}
    investment: dict[int, Decimal] = {}
    ids = sorted(set(enterprise_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        months = session.execute(
            select(
                MonthlyReturn.enterprise_id,
                MonthlyReturn.period,
                MonthlyReturn.status,
                MonthlyReturn.revenue_cny,
            )
            .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
            .where(
                MonthlyReturn.enterprise_id.in_(chunk),
                MonthlyReturn.period >= date(year, 1, 1),
                MonthlyReturn.period <= date(year, 12, 1),
                access.visible(actor),
            )
        )
        for ent_id, period, status, value in months:
            if status in SETTLED_STATUSES and value is not None:
                revenue.setdefault(ent_id, {})[period.month] = value
            else:
                pending[ent_id] = pending.get(ent_id, 0) + 1
        annual = session.execute(
            select(AnnualReturn.enterprise_id, ReturnValue.value)
            .join(ReturnValue, ReturnValue.annual_return_id == AnnualReturn.id)
            .join(Enterprise, Enterprise.id == AnnualReturn.enterprise_id)
            .where(
                AnnualReturn.enterprise_id.in_(chunk),
                AnnualReturn.year == year,
                AnnualReturn.status.in_(SETTLED_STATUSES),
                ReturnValue.element == "fixed_asset_investment",
                access.visible(actor),
            )
        )
        for ent_id, value in annual:
            investment[ent_id] = value
    return {
        ent_id: SettledFigures(
            monthly_revenue=revenue.get(ent_id, {}),
            months_pending=pending.get(ent_id, 0),
            fixed_asset_investment=investment.get(ent_id),
        )
        for ent_id in ids
    }


def data_elements() -> Catalog:
    """Return the declared data elements and region-level inputs."""
    return catalog()


def elements_for(frequency: str, industry_id: str | None) -> list[DataElement]:
    """Return the elements an enterprise of ``industry_id`` files in a return of ``frequency``."""
    return catalog().for_return(frequency, industry_id)


def rules() -> RuleSet:
    """Return the declared validation rules and the reporting schedule."""
    return ruleset()


def region_input_specs() -> list[RegionInputSpec]:
    """Return the region-level inputs the administrator enters."""
    return list(catalog().region_inputs.values())


def parse_period(text: str, *, today: date | None = None) -> Period:
    """Read ``YYYY-MM`` or ``YYYY`` or raise ValidationFailed with the reason."""
    return parse(text, today=today or beijing_today())


def report_period(today: date | None = None) -> Period:
    """The period monitoring pages open on: the latest month whose deadline has passed."""
    from plateau.monitoring.periods import latest_monthly

    day = today or beijing_today()
    latest = latest_monthly(day)
    return latest if day.day > ruleset().schedule.monthly_due_day else latest.add_months(-1)


def open_period(today: date | None = None) -> Period:
    """The period being filed now (the latest month that has ended): period pickers open on it."""
    from plateau.monitoring.periods import latest_monthly

    return latest_monthly(today or beijing_today())


@dataclass(frozen=True)
class FilingChoice:
    uscc: str
    name: str
    prefecture_code: str


def filing_choices(session: Session, *, actor: Actor) -> list[FilingChoice]:
    """The enterprises the caller may file a return for, for a picker (by prefecture, name)."""
    access.require_filer(actor)
    rows = session.execute(
        select(Enterprise.uscc, Enterprise.name, Enterprise.prefecture_code)
        .where(access.visible(actor))
        .order_by(Enterprise.prefecture_code, Enterprise.name)
    ).all()
    return [FilingChoice(u, n, p) for u, n, p in rows]


def completeness(
    session: Session,
    *,
    period: str,
    by: str = "prefecture",
    actor: Actor,
    today: date | None = None,
) -> Report:
    """Return completeness and timeliness of a period per prefecture, park or industry."""
    return completeness_report(session, period=period, by=by, actor=actor, today=today)


def file_returns(
    session: Session,
    *,
    items: Sequence[ReturnInput],
    actor: Actor,
    dry_run: bool = False,
    today: date | None = None,
) -> Outcome:
    """File one or many returns from the API: all are written, or none (every problem listed)."""
    from plateau.db import utcnow

    access.require_filer(actor)
    if not items:
        raise ValidationFailed(_("Send at least one return."))
    filings = [
        Filing(
            row=i,
            uscc=item.uscc,
            period=item.period,
            values=dict(item.values),
            clears=True,
            comment=item.comment,
            explanations=dict(item.explanations),
            submit=item.submit,
        )
        for i, item in enumerate(items, start=1)
    ]
    batch = filing.check(session, filings, actor=actor, today=today or beijing_today())
    if batch.errors:
        raise ValidationFailed(
            _("Nothing was saved: %(num)s problem(s) found.", num=len(batch.errors)), batch.errors
        )
    if dry_run:
        return filing.preview(batch)
    return filing.apply(
        session, batch, actor=actor, now=utcnow(), reason=_("Filed through the API")
    )


def import_returns(
    session: Session,
    *,
    table: Table,
    actor: Actor,
    dry_run: bool = False,
    submit: bool = False,
    source: str = "",
    today: date | None = None,
) -> Outcome:
    """Import returns from a CSV or Excel table: every row checked, all or nothing."""
    return imports.import_returns(
        session,
        table=table,
        actor=actor,
        dry_run=dry_run,
        submit=submit,
        source=source,
        today=today or beijing_today(),
    )


def import_upload(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
    submit: bool = False,
    job_above: int | None = None,
) -> Outcome | Job:
    """Import an uploaded returns file now or, when larger than ``job_above`` bytes, by a job."""
    if job_above is not None and len(data) > job_above:
        return queue_import(
            session, data=data, filename=filename, actor=actor, dry_run=dry_run, submit=submit
        )
    return import_returns(
        session,
        table=read_table(data, filename),
        actor=actor,
        dry_run=dry_run,
        submit=submit,
        source=filename,
    )


def queue_import(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
    submit: bool = False,
) -> Job:
    """Queue a returns file as a background job, if the caller may file returns."""
    from plateau.jobs import service as jobs_service

    access.require_filer(actor)
    return jobs_service.submit(
        session,
        kind="monitoring.import",
        params={"filename": filename, "dry_run": dry_run, "submit": submit},
        actor=actor,
        payload=data,
    )


def outliers_awaiting_comment(
    session: Session, *, actor: Actor, period: str | None = None, today: date | None = None
) -> list[dict[str, object]]:
    """Outlier warnings nobody has explained on the filed returns of a month (default: the
    month before today's), as plain rows for the early-warning page."""
    from plateau.monitoring.periods import latest_monthly

    day = today or beijing_today()
    chosen = period or str(latest_monthly(day))
    from plateau.formatting import loc

    rules_by_id = {r.id: r for r in ruleset().rules}
    kinds = {r.id for r in rules_by_id.values() if r.kind in ("outlier_history", "outlier_peers")}
    elements = data_elements().elements
    refs = registry_service.reference(session, actor=actor)
    rows: list[dict[str, object]] = []
    for w in period_warnings(session, period=chosen, actor=actor, unexplained_only=True, today=day):
        if w.finding.rule not in kinds:
            continue
        rows.append(
            {
                "uscc": w.enterprise.uscc,
                "enterprise_name": w.enterprise.name,
                "prefecture_code": w.enterprise.prefecture_code,
                "park_id": w.enterprise.park_id,
                "industry_id": w.enterprise.industry_id,
                "period": str(w.period),
                "status": w.status,
                "rule": w.finding.rule,
                "element": w.finding.element,
                "message": w.finding.message,
                "z": w.finding.detail.get("z"),
                # The same facts by name, for people (pages and exports show these).
                "enterprise": w.enterprise.name,
                "prefecture": loc(refs.prefectures.get(w.enterprise.prefecture_code)),
                "park": loc(refs.parks.get(w.enterprise.park_id or ""))
                if w.enterprise.park_id
                else "—",
                "industry": loc(refs.industries.get(w.enterprise.industry_id or ""))
                if w.enterprise.industry_id
                else "—",
                "period_label": w.period.label(),
                "status_label": status_label(w.status),
                "rule_name": rules_by_id[w.finding.rule].name,
                "element_name": loc(elements.get(w.finding.element or ""))
                if w.finding.element
                else "—",
                "z_rounded": _round_z(w.finding.detail.get("z")),
            }
        )
    return rows


def _round_z(z: object) -> float | None:
    return round(float(z), 1) if isinstance(z, (int, float)) else None


def template_workbook() -> bytes:
    """Return the Excel template for return imports."""
    return imports.template_workbook()


def template_columns() -> list[str]:
    """Return the columns of the return import template."""
    return imports.template_columns()


# --- region-level inputs ---


def list_region_inputs(
    session: Session,
    *,
    indicator: str | None = None,
    year: int | None = None,
    actor: Actor,
) -> list[RegionInput]:
    """List region-level inputs (barley production, price indices, …) for logged-in users."""
    access.require_reader(actor)
    stmt = select(RegionInput).order_by(RegionInput.indicator, RegionInput.scope, RegionInput.year)
    if indicator:
        stmt = stmt.where(RegionInput.indicator == indicator)
    if year:
        stmt = stmt.where(RegionInput.year == year)
    return list(session.scalars(stmt))


def _check_scope(session: Session, spec: RegionInputSpec, scope: str, actor: Actor) -> str | None:
    kind, _sep, value = scope.partition(":")
    if kind not in spec.scopes:
        return _(
            "%(input)s is entered for %(kinds)s, not for “%(scope)s”.",
            input=spec.name,
            kinds=", ".join(spec.scopes),
            scope=scope,
        )
    if kind == "region":
        return None if not value else _("Write the region's scope as “region”.")
    if kind == "industry":
        known = {i.id for i in registry_service.list_industries(session, actor=actor)}
        return None if value in known else _("Unknown industry “%(value)s”.", value=value)
    if kind == "program" and value in analytics_indicators.catalog().programs:
        return None
    if registry_service.scope_exists(session, scope=scope):
        return None
    return _("Unknown scope “%(scope)s”.", scope=scope)


def set_region_input(session: Session, *, data: RegionInputWrite, actor: Actor) -> RegionInput:
    """Create or change one region-level input (region administrator)."""
    access.require_reader(actor)
    if not actor.is_admin:
        from plateau.errors import Forbidden

        raise Forbidden(_("Only the region administrator may enter region-level figures."))
    spec = catalog().region_inputs.get(data.indicator)
    if spec is None:
        message = _("Unknown region-level input “%(id)s”.", id=data.indicator)
        raise ValidationFailed(message, [FieldError(message, "indicator", value=data.indicator)])
    scope = data.scope.strip() or "region"
    problem = _check_scope(session, spec, scope, actor)
    if problem:
        raise ValidationFailed(problem, [FieldError(problem, "scope", value=scope)])
    row = session.scalar(
        select(RegionInput).where(
            RegionInput.indicator == spec.id,
            RegionInput.scope == scope,
            RegionInput.year == data.year,
        )
    )
    if row is None:
        row = RegionInput(indicator=spec.id, scope=scope, year=data.year, unit=spec.unit)
        session.add(row)
    row.value = data.value
    row.unit = spec.unit
    row.note = data.note
    session.flush()
    return row


@dataclass(frozen=True)
class Crossing:
    """An enterprise whose projected revenue may cross a threshold next year."""

    enterprise_id: int
    last_year: int
    last_revenue_cny: Decimal
    projected_cny: float
    probability: float


def revenue_crossings(
    session: Session,
    *,
    actor: Actor,
    to_year: int,
    threshold_cny: float,
    min_probability: float = 0.05,
) -> list[Crossing]:
    """Project each visible enterprise's annual revenue (approved or locked, whole years) to
    ``to_year`` and return those below ``threshold_cny`` now, likely enough to cross it."""
    from sqlalchemy import func

    from plateau.monitoring.analytics import projection

    access.require_reader(actor)
    year = func.extract("year", MonthlyReturn.period)
    rows = session.execute(
        select(MonthlyReturn.enterprise_id, year, func.sum(MonthlyReturn.revenue_cny), func.count())
        .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(
            MonthlyReturn.status.in_(SETTLED_STATUSES),
            MonthlyReturn.revenue_cny.is_not(None),
            MonthlyReturn.period < date(to_year, 1, 1),
            access.visible(actor),
        )
        .group_by(MonthlyReturn.enterprise_id, year)
    )
    series: dict[int, list[tuple[int, float]]] = {}
    for ent_id, y, total, months in rows:
        if months == 12:
            series.setdefault(ent_id, []).append((int(y), float(total or 0)))
    out = []
    for ent_id, points in series.items():
        points.sort()
        last_year, last = points[-1]
        if last >= threshold_cny or last_year < to_year - 2:
            continue
        p = projection.project_level(
            points, "log", to_year=to_year, threshold=threshold_cny, nonnegative=True
        )
        if p is None or p.probability is None or p.probability < min_probability:
            continue
        out.append(
            Crossing(ent_id, last_year, Decimal(str(round(last, 2))), p.point, p.probability)
        )
    return sorted(out, key=lambda c: -c.probability)
