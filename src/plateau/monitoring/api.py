"""JSON API of the statistical returns: data elements and rules, filing (one, many, or a file),
the review workflow, period locks, completeness and late filers, region-level inputs.

Lists take ``format=csv|xlsx`` to download every matching row instead of one page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from plateau.errors import FieldError
from plateau.formatting import beijing_time
from plateau.i18n import _
from plateau.jobs import api as jobs_api
from plateau.jobs.api import JOB_ACCEPTED
from plateau.jobs.models import Job
from plateau.monitoring import service, workflow
from plateau.monitoring.schemas import (
    AuditRead,
    CompletenessRead,
    ElementRead,
    ElementValueRead,
    FilingReport,
    FindingRead,
    GroupBy,
    LateFilerRead,
    LockReport,
    PeriodRead,
    ProblemRead,
    ReasonInput,
    RegionInputRead,
    RegionInputWrite,
    ReopenReport,
    ReturnFilter,
    ReturnInput,
    ReturnRead,
    ReturnRow,
    ReturnUpdate,
    ReviewInput,
    RuleRead,
    SubmitInput,
    TallyRead,
    ValidationRead,
    WarningRead,
)
from plateau.paging import Page, page_of, page_of_rows
from plateau.registry.names import reference_names
from plateau.tabular import XLSX_MEDIA, Column, export_response, to_csv
from plateau.web.deps import Csrf, DbSession, UserActor
from plateau.web.params import Format, PageNo, PerPage, read_upload_sync

router = APIRouter(prefix="/monitoring", tags=["monitoring"], dependencies=[Csrf])

PeriodQuery = Annotated[
    str | None,
    Query(description="YYYY-MM or YYYY; by default the latest month whose deadline has passed."),
]


def problems(errors: list[FieldError]) -> list[ProblemRead]:
    return [ProblemRead(row=e.row, field=e.field, message=e.message) for e in errors]


def report(outcome: service.Outcome, *, dry_run: bool) -> FilingReport:
    return FilingReport(
        rows=outcome.rows,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        submitted=outcome.submitted,
        dry_run=dry_run,
        warnings=problems(outcome.warnings),
    )


def return_read(view: service.ReturnView) -> ReturnRead:
    """The API shape of a return."""
    r = view.record
    ent = view.enterprise
    return ReturnRead(
        uscc=ent.uscc,
        enterprise_name=ent.name,
        industry_id=ent.industry_id,
        prefecture_code=ent.prefecture_code,
        park_id=ent.park_id,
        period=str(view.period),
        frequency="annual" if view.period.is_annual else "monthly",
        status=view.status,  # type: ignore[arg-type]
        submitted_at=r.submitted_at if r else None,
        first_submitted_at=(r.first_submitted_at or r.submitted_at) if r else None,
        approved_at=r.approved_at if r else None,
        updated_at=r.updated_at if r else None,
        comment=r.comment if r else "",
        review_comment=r.review_comment if r else "",
        locked=view.locked,
        deadline=view.deadline,
        late=view.late,
        values=view.values,
        elements=[
            ElementValueRead(
                element=line.element.id,
                name=line.element.name,
                unit=line.element.unit,
                value=line.value,
                ytd=line.ytd,
                last_year=line.last_year,
                yoy_pct=line.yoy_pct,
                ytd_last_year=line.ytd_last_year,
                ytd_yoy_pct=line.ytd_yoy_pct,
            )
            for line in view.lines
        ],
        findings=findings_read(view.findings, view.explanations),
    )


def findings_read(findings: list[Any], explanations: dict[str, str]) -> list[FindingRead]:
    return [
        FindingRead(
            key=f.key,
            rule=f.rule,
            severity=f.severity,
            element=f.element,
            message=f.message,
            explanation=explanations.get(f.key),
        )
        for f in findings
    ]


def return_columns() -> list[Column]:
    return [
        Column("uscc", _("USCC")),
        Column("enterprise_name", _("Enterprise name")),
        Column("prefecture_name", _("Prefecture")),
        Column("park_name", _("Park")),
        Column("industry_name", _("Industry")),
        Column("period", _("Reporting period")),
        Column("status_label", _("Status")),
        Column("output_value", _("Output value (CNY)")),
        Column("submitted_at_bj", _("Submitted at (Beijing time)")),
        Column("approved_at_bj", _("Approved at (Beijing time)")),
        Column("review_comment", _("Reviewer's comment")),
    ]


def named_rows(session: Session, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Export rows with names beside the codes: prefecture, park, industry and status in
    the reader's language, times in Beijing time (the file is read by people)."""
    names = reference_names(session)
    out = []
    for row in rows:
        named = dict(row)
        named["prefecture_name"] = names.prefecture(row.get("prefecture_code"))
        named["park_name"] = names.park(row.get("park_id"))
        named["industry_name"] = names.industry(row.get("industry_id"))
        named["status_label"] = workflow.status_label(row.get("status"))
        for key in ("submitted_at", "approved_at"):
            value = row.get(key)
            named[f"{key}_bj"] = beijing_time(value) if isinstance(value, datetime) else value
        out.append(named)
    return out


def _period_or_default(period: str | None) -> str:
    return period or str(service.report_period())


# --- metadata (public) ---


@router.get("/elements", response_model=list[ElementRead])
def elements() -> list[ElementRead]:
    """List the data elements an enterprise files (monthly and annual) and where each is kept."""
    return [
        ElementRead(
            id=e.id,
            name_zh=e.name_zh,
            name_en=e.name_en,
            unit=e.unit,
            kind=e.kind,
            frequency=e.frequency,
            storage=f"column:{e.column}" if e.column else "extra",
            industries=sorted(e.industries) if e.industries is not None else None,
        )
        for e in service.data_elements().elements.values()
    ]


@router.get("/rules", response_model=list[RuleRead])
def rules() -> list[RuleRead]:
    """List the validation rules (errors block submission, warnings need a comment)."""
    return [
        RuleRead(
            id=r.id,
            kind=r.kind,
            severity=r.severity,
            at=r.at,
            name_zh=r.name_zh,
            name_en=r.name_en,
            elements=list(r.elements) if r.elements is not None else None,
            params=dict(r.params),
        )
        for r in service.rules().rules
    ]


@router.get("/returns/template")
def template(
    format: Annotated[Literal["xlsx", "csv"], Query(description="xlsx or csv.")] = "xlsx",
) -> Response:
    """Download the import template (the columns; the Excel file also explains each)."""
    if format == "csv":
        columns = [Column(c, c) for c in service.template_columns()]
        body, media = to_csv(columns, []), "text/csv; charset=utf-8"
    else:
        body, media = service.template_workbook(), XLSX_MEDIA
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="returns-template.{format}"'},
    )


# --- returns ---


@router.get("/returns", response_model=Page[ReturnRow])
def list_returns(
    session: DbSession,
    actor: UserActor,
    filters: Annotated[ReturnFilter, Query()],
    page: PageNo = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Page[ReturnRow] | Response:
    """List the returns in your scope; filter by period, status, prefecture, park or industry."""
    if format != "json":
        rows = service.all_returns(session, filters=filters, actor=actor)
        return export_response(
            format, return_columns(), named_rows(session, rows), filename="returns"
        )
    found = service.list_returns(
        session, filters=filters, page=page, per_page=per_page, actor=actor
    )
    return page_of(ReturnRow, found)


@router.post("/returns", response_model=FilingReport)
def file_returns(
    session: DbSession,
    actor: UserActor,
    body: Annotated[ReturnInput | list[ReturnInput], Body()],
    dry_run: Annotated[bool, Query(description="Check everything but save nothing.")] = False,
) -> FilingReport:
    """File one return or a list of them: every one is checked, and all are saved or none."""
    items = body if isinstance(body, list) else [body]
    outcome = service.file_returns(session, items=items, actor=actor, dry_run=dry_run)
    return report(outcome, dry_run=dry_run)


@router.post("/returns/import", response_model=FilingReport, responses=JOB_ACCEPTED)
def import_returns(
    request: Request,
    session: DbSession,
    actor: UserActor,
    file: Annotated[UploadFile, File(description="CSV or Excel (.xlsx) with a header row.")],
    dry_run: Annotated[bool, Form(description="Check every row but save nothing.")] = False,
    submit: Annotated[bool, Form(description="Submit the returns after saving them.")] = False,
) -> FilingReport | Response:
    """Import returns from a file: uscc, period, output_value, revenue, value_added, employees, …

    A file above 256 KB (``PLATEAU_IMPORT_JOB_BYTES``) is checked and saved by a background
    job: the answer is then 202 with the job, followed at ``/api/jobs/{id}``."""
    data, name = read_upload_sync(request, file)
    outcome = service.import_upload(
        session,
        data=data,
        filename=name,
        actor=actor,
        dry_run=dry_run,
        submit=submit,
        job_above=request.app.state.settings.import_job_bytes,
    )
    if isinstance(outcome, Job):
        return jobs_api.accepted(outcome)
    return report(outcome, dry_run=dry_run)


@router.post("/returns/validate", response_model=ValidationRead)
def validate(session: DbSession, actor: UserActor, body: ReturnInput) -> ValidationRead:
    """Run the validation rules over figures without saving them."""
    findings, errors = service.check_values(
        session,
        uscc=body.uscc,
        period=body.period,
        values=dict(body.values),
        explanations=body.explanations,
        comment=body.comment,
        actor=actor,
    )
    return ValidationRead(findings=findings_read(findings, {}), problems=problems(errors))


@router.get("/returns/{uscc}/{period}", response_model=ReturnRead)
def get_return(session: DbSession, actor: UserActor, uscc: str, period: str) -> ReturnRead:
    """Return one return: the month, 1–N月累计, a year earlier, status and findings."""
    return return_read(service.get_return(session, uscc=uscc, period=period, actor=actor))


@router.put("/returns/{uscc}/{period}", response_model=ReturnRead)
def save_return(
    session: DbSession, actor: UserActor, uscc: str, period: str, body: ReturnUpdate
) -> ReturnRead:
    """Create or change a return (draft or returned; the administrator corrects with a reason)."""
    view = service.save_return(
        session,
        uscc=uscc,
        period=period,
        values=dict(body.values),
        comment=body.comment,
        explanations=body.explanations,
        reason=body.reason,
        submit=body.submit,
        actor=actor,
    )
    return return_read(view)


@router.post("/returns/{uscc}/{period}/submit", response_model=ReturnRead)
def submit_return(
    session: DbSession, actor: UserActor, uscc: str, period: str, body: SubmitInput
) -> ReturnRead:
    """Submit a draft or returned return for review (warnings need a comment)."""
    view = service.submit_return(
        session,
        uscc=uscc,
        period=period,
        comment=body.comment,
        explanations=body.explanations,
        actor=actor,
    )
    return return_read(view)


@router.post("/returns/{uscc}/{period}/approve", response_model=ReturnRead)
def approve_return(
    session: DbSession, actor: UserActor, uscc: str, period: str, body: ReviewInput
) -> ReturnRead:
    """Approve a submitted return (park or prefecture officer of the enterprise, or admin)."""
    view = service.approve_return(
        session, uscc=uscc, period=period, comment=body.comment, actor=actor
    )
    return return_read(view)


@router.post("/returns/{uscc}/{period}/return", response_model=ReturnRead)
def return_for_correction(
    session: DbSession, actor: UserActor, uscc: str, period: str, body: ReviewInput
) -> ReturnRead:
    """Return a submitted return to the enterprise for correction, saying what to correct."""
    view = service.return_for_correction(
        session, uscc=uscc, period=period, comment=body.comment, actor=actor
    )
    return return_read(view)


@router.get("/returns/{uscc}/{period}/audit", response_model=list[AuditRead])
def audit(session: DbSession, actor: UserActor, uscc: str, period: str) -> list[AuditRead]:
    """The audit trail of a return: every value change and workflow step, oldest first."""
    rows = service.audit_trail(session, uscc=uscc, period=period, actor=actor)
    return [AuditRead.model_validate(r) for r in rows]


# --- periods ---


@router.get("/periods", response_model=list[PeriodRead])
def periods(session: DbSession, actor: UserActor) -> list[PeriodRead]:
    """Recent months and years: lock state, deadline and your returns by status."""
    return [
        PeriodRead(
            period=str(line.period),
            frequency="annual" if line.period.is_annual else "monthly",
            locked=line.locked,
            locked_at=line.lock.locked_at if line.lock else None,
            locked_by=line.lock.locked_by if line.lock else None,
            deadline=line.deadline,
            counts=line.counts,
        )
        for line in service.periods_overview(session, actor=actor)
    ]


@router.post("/periods/{period}/lock", response_model=LockReport)
def lock(session: DbSession, actor: UserActor, period: str) -> LockReport:
    """Lock a period (region administrator): its approved returns become locked."""
    p, locked, left = service.lock_period(session, period=period, actor=actor)
    return LockReport(period=str(p), locked=locked, left=left)


@router.post("/periods/{period}/reopen", response_model=ReopenReport)
def reopen(session: DbSession, actor: UserActor, period: str, body: ReasonInput) -> ReopenReport:
    """Reopen a locked period with a reason (region administrator)."""
    p, n = service.reopen_period(session, period=period, reason=body.reason, actor=actor)
    return ReopenReport(period=str(p), reopened=n)


# --- completeness and timeliness ---


def tally_read(t: service.Tally) -> TallyRead:
    return TallyRead(
        key=t.key,
        name=t.name,
        expected=t.expected,
        filed=t.filed,
        on_time=t.on_time,
        approved=t.approved,
        completeness=t.completeness,
        timeliness=t.timeliness,
    )


@router.get("/completeness", response_model=CompletenessRead)
def completeness(
    session: DbSession,
    actor: UserActor,
    period: PeriodQuery = None,
    by: Annotated[GroupBy, Query(description="prefecture, park or industry.")] = "prefecture",
) -> CompletenessRead:
    """Completeness (filed / expected) and timeliness (on time / expected) of a period."""
    found = service.completeness(session, period=_period_or_default(period), by=by, actor=actor)
    return CompletenessRead(
        period=str(found.period),
        by=by,
        deadline=found.deadline,
        due_passed=found.due_passed,
        rows=[tally_read(t) for t in found.rows],
        total=tally_read(found.total),
    )


@router.get("/completeness/trend", response_model=list[TallyRead])
def completeness_trend(
    session: DbSession,
    actor: UserActor,
    last: Annotated[str | None, Query(description="The last month (YYYY-MM).")] = None,
    count: Annotated[int, Query(ge=1, le=36, description="How many months.")] = 12,
) -> list[TallyRead]:
    """Completeness and timeliness month by month, in your scope."""
    rows = service.completeness_trend(session, last=last, count=count, actor=actor)
    return [tally_read(t) for t in rows]


def _late_row(x: service.LateFiler) -> dict[str, Any]:
    e = x.enterprise
    return {
        "uscc": e["uscc"],
        "enterprise_name": e["name"],
        "prefecture_code": e["prefecture_code"],
        "park_id": e["park_id"],
        "industry_id": e["industry_id"],
        "status": x.status,
        "submitted_at": x.submitted_at,
        "deadline": x.deadline,
        "days_late": x.days_late,
        "overdue": x.overdue,
    }


@router.get("/late-filers", response_model=Page[LateFilerRead])
def late_filers(
    session: DbSession,
    actor: UserActor,
    period: PeriodQuery = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Page[LateFilerRead] | Response:
    """Enterprises that have not filed a period by its deadline, or filed after it."""
    rows = [
        _late_row(x)
        for x in service.late_filers(session, period=_period_or_default(period), actor=actor)
    ]
    if format != "json":
        columns = [
            Column("uscc", _("USCC")),
            Column("enterprise_name", _("Enterprise name")),
            Column("prefecture_name", _("Prefecture")),
            Column("park_name", _("Park")),
            Column("industry_name", _("Industry")),
            Column("status_label", _("Status")),
            Column("submitted_at_bj", _("Submitted at (Beijing time)")),
            Column("days_late", _("Days late")),
        ]
        return export_response(format, columns, named_rows(session, rows), filename="late-filers")
    return page_of_rows(LateFilerRead, rows, page=page, per_page=per_page)


@router.get("/warnings", response_model=Page[WarningRead])
def warnings(
    session: DbSession,
    actor: UserActor,
    period: PeriodQuery = None,
    unexplained: Annotated[bool, Query(description="Only warnings nobody has explained.")] = False,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[WarningRead]:
    """Warnings (outliers, year-on-year jumps, …) on the filed returns of a period in your scope."""
    found = service.period_warnings(
        session, period=_period_or_default(period), actor=actor, unexplained_only=unexplained
    )
    items = [
        WarningRead(
            uscc=w.enterprise.uscc,
            enterprise_name=w.enterprise.name,
            prefecture_code=w.enterprise.prefecture_code,
            park_id=w.enterprise.park_id,
            period=str(w.period),
            status=w.status,  # type: ignore[arg-type]
            key=w.finding.key,
            rule=w.finding.rule,
            element=w.finding.element,
            message=w.finding.message,
            explanation=w.explanation,
        )
        for w in found
    ]
    return page_of_rows(WarningRead, items, page=page, per_page=per_page)


# --- region-level inputs ---


@router.get("/region-inputs", response_model=list[RegionInputRead])
def region_inputs(
    session: DbSession,
    actor: UserActor,
    indicator: str | None = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[RegionInputRead]:
    """List region-level inputs: highland-barley production, price indices, …"""
    rows = service.list_region_inputs(session, indicator=indicator, year=year, actor=actor)
    return [RegionInputRead.model_validate(r) for r in rows]


@router.put("/region-inputs", response_model=RegionInputRead)
def set_region_input(
    session: DbSession, actor: UserActor, body: RegionInputWrite
) -> RegionInputRead:
    """Create or change one region-level input (region administrator)."""
    return RegionInputRead.model_validate(service.set_region_input(session, data=body, actor=actor))
