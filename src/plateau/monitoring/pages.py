"""HTML pages of the statistical returns: landing page, return form with live validation,
review queue, import, periods, completeness, late filers, elements and rules, region inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from plateau.auth.schemas import Actor, Role
from plateau.errors import DomainError, FieldError, ValidationFailed
from plateau.formatting import loc
from plateau.i18n import _
from plateau.jobs.models import Job
from plateau.monitoring import access, service
from plateau.monitoring.elements import format_value
from plateau.monitoring.periods import BEIJING, Period, beijing_today, latest_monthly
from plateau.monitoring.schemas import RegionInputWrite, ReturnFilter
from plateau.registry import service as registry_service
from plateau.web.deps import Csrf, DbSession, UserActor
from plateau.web.params import PostedForm, read_upload_sync
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])

PER_PAGE = 25
STATUS_COLOURS = {
    "draft": "is-light",
    "submitted": "is-info is-light",
    "approved": "is-success is-light",
    "returned": "is-warning is-light",
    "locked": "is-dark",
}


def when(value: datetime | None) -> str:
    """A moment in Beijing time, as officials read it."""
    return "—" if value is None else value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def day(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(BEIJING).strftime("%Y-%m-%d")


def _helpers() -> dict[str, Any]:
    return {
        "when": when,
        "day": day,
        "due_day": service.rules().schedule.monthly_due_day,
        "loc": loc,
        "status_label": service.status_label,
        "STATUSES": service.STATUSES,
        "STATUS_COLOURS": STATUS_COLOURS,
        "fmt_el": format_value,
        "pct": lambda v: "—" if v is None else f"{v:.1f}%",
        "access": access,
    }


def _page(
    request: Request, template: str, ctx: dict[str, Any], actor: Actor, status: int = 200
) -> HTMLResponse:
    return render(
        request,
        template,
        _helpers() | ctx,
        actor=actor,
        active="monitoring",
        status_code=status,
    )


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _return_url(uscc: str, period: Period | str) -> str:
    return f"/monitoring/returns/{quote(uscc)}/{period}"


# --- landing page ---


@router.get("/monitoring", response_class=HTMLResponse)
def index(request: Request, session: DbSession, actor: UserActor) -> Response:
    period = service.report_period()
    ctx: dict[str, Any] = {
        "period": period,
        "latest": latest_monthly(beijing_today()),
        "own": None,
        "queue": None,
        "totals": None,
    }
    if actor.role is Role.ENTERPRISE_USER and actor.scope_value:
        enterprise = registry_service.get_enterprise(session, uscc=actor.scope_value, actor=actor)
        filed = {
            r["period"]: r
            for r in service.list_returns(
                session, filters=ReturnFilter(), per_page=24, actor=actor
            ).items
        }
        lines = service.periods_overview(session, actor=actor, months=12, years=2)
        ctx["own"] = {
            "enterprise": enterprise,
            "periods": [(line, filed.get(str(line.period))) for line in lines],
        }
        annual = service.list_returns(
            session, filters=ReturnFilter(frequency="annual"), per_page=5, actor=actor
        )
        ctx["own"]["annual"] = {r["period"]: r for r in annual.items}
    if access.may_monitor(actor):
        ctx["queue"] = service.list_returns(
            session, filters=ReturnFilter(status="submitted"), per_page=1, actor=actor
        ).total
        ctx["totals"] = service.completeness(session, period=str(period), actor=actor).total
        ctx["overview"] = service.periods_overview(session, actor=actor, months=6, years=0)
    return _page(request, "monitoring/index.html", ctx, actor)


# --- review queue and lists ---


def _filters(request: Request) -> ReturnFilter:
    try:
        return ReturnFilter.model_validate(dict(request.query_params))
    except ValidationError:
        raise ValidationFailed(_("Some of the values are not valid.")) from None


@router.get("/monitoring/returns", response_class=HTMLResponse)
def returns_list(request: Request, session: DbSession, actor: UserActor, page: int = 1) -> Response:
    filters = _filters(request)
    found = service.list_returns(
        session, filters=filters, page=max(page, 1), per_page=PER_PAGE, actor=actor
    )
    query = urlencode(
        {k: v for k, v in filters.model_dump(exclude_defaults=True).items() if v not in (None, "")}
    )
    ctx = {
        "found": found,
        "filters": filters,
        "query": query,
        "refs": registry_service.reference(session, actor=actor),
    }
    if _is_htmx(request):
        return _page(request, "monitoring/_return_table.html", ctx, actor)
    return _page(request, "monitoring/returns.html", ctx, actor)


@router.get("/monitoring/returns/new", response_class=HTMLResponse)
def new_return(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str = "",
    period: str = "",
) -> Response:
    access.require_filer(actor)
    if actor.role is Role.ENTERPRISE_USER:
        uscc = actor.scope_value or ""
    error = None
    if uscc and period:
        try:
            p = service.parse_period(period)
            registry_service.get_enterprise(session, uscc=uscc, actor=actor)
            return RedirectResponse(_return_url(uscc.strip().upper(), p), status_code=303)
        except DomainError as exc:
            error = exc.message
    ctx = {
        "uscc": uscc,
        "period": period or str(service.report_period()),
        "error": error,
    }
    return _page(request, "monitoring/new.html", ctx, actor, 422 if error else 200)


# --- one return ---


def _form_values(form: Any, view: service.ReturnView) -> dict[str, object]:
    return {
        line.element.id: str(form.get(f"v_{line.element.id}", "")).strip() for line in view.lines
    }


def _explanations(form: Any) -> dict[str, str]:
    return {
        str(k)[2:]: str(v).strip()
        for k, v in form.multi_items()
        if str(k).startswith("x_") and str(v).strip()
    }


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e.field or "", e.message)
    return out


def _return_page(
    request: Request,
    session: Any,
    view: service.ReturnView,
    actor: Actor,
    *,
    entered: dict[str, object] | None = None,
    failure: DomainError | None = None,
    form: dict[str, str] | None = None,
    saved: str | None = None,
) -> HTMLResponse:
    ctx = {
        "view": view,
        "refs": registry_service.reference(session, actor=actor),
        "entered": entered
        or {
            line.element.id: "" if line.value is None else _plain(line.value) for line in view.lines
        },
        "failure": failure,
        "errors": _by_field(failure.errors) if failure else {},
        "form": form or {},
        "saved": saved,
        "url": _return_url(view.enterprise.uscc, view.period),
    }
    return _page(request, "monitoring/return.html", ctx, actor, 422 if failure else 200)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@router.get("/monitoring/returns/{uscc}/{period}", response_class=HTMLResponse)
def return_page(
    request: Request, session: DbSession, actor: UserActor, uscc: str, period: str, saved: str = ""
) -> Response:
    view = service.get_return(session, uscc=uscc, period=period, actor=actor)
    return _return_page(request, session, view, actor, saved=saved or None)


@router.post("/monitoring/returns/{uscc}/{period}", response_class=HTMLResponse)
async def return_action(
    request: Request, session: DbSession, actor: UserActor, uscc: str, period: str
) -> Response:
    form = await request.form()
    action = str(form.get("action", "save"))
    view = service.get_return(session, uscc=uscc, period=period, actor=actor)
    comment = str(form.get("comment", "")).strip()
    texts = {k: str(form.get(k, "")).strip() for k in ("comment", "reason", "review_comment")}
    entered: dict[str, object] | None = None
    try:
        if action in ("save", "submit"):
            entered = _form_values(form, view)
            view = service.save_return(
                session,
                uscc=uscc,
                period=period,
                values=entered,
                comment=comment or None,
                explanations=_explanations(form),
                reason=texts["reason"],
                submit=action == "submit",
                actor=actor,
            )
        elif action == "submit_only":
            view = service.submit_return(
                session,
                uscc=uscc,
                period=period,
                comment=comment or None,
                explanations=_explanations(form),
                actor=actor,
            )
            action = "submit"
        elif action == "approve":
            view = service.approve_return(
                session, uscc=uscc, period=period, comment=texts["review_comment"], actor=actor
            )
        elif action == "return":
            view = service.return_for_correction(
                session, uscc=uscc, period=period, comment=texts["review_comment"], actor=actor
            )
        else:
            raise ValidationFailed(_("Unknown action."))
    except ValidationFailed as exc:
        view = service.get_return(session, uscc=uscc, period=period, actor=actor)
        return _return_page(request, session, view, actor, entered=entered, failure=exc, form=texts)
    return RedirectResponse(
        f"{_return_url(view.enterprise.uscc, view.period)}?saved={action}", status_code=303
    )


@router.post("/monitoring/returns/{uscc}/{period}/check", response_class=HTMLResponse)
async def check(
    request: Request, session: DbSession, actor: UserActor, uscc: str, period: str
) -> Response:
    """HTMX: the findings for the figures as typed, before anything is saved."""
    form = await request.form()
    view = service.get_return(session, uscc=uscc, period=period, actor=actor)
    values = _form_values(form, view)
    findings, errors = service.check_values(
        session,
        uscc=uscc,
        period=period,
        values=values,
        explanations=_explanations(form),
        comment=str(form.get("comment", "")).strip() or None,
        reason=str(form.get("reason", "")).strip(),
        actor=actor,
    )
    ctx = {
        "findings": findings,
        "problems": [e for e in errors if not any(e.message == f.message for f in findings)],
        "explanations": view.explanations | _explanations(form),
        "editable": True,
        "checked": True,
    }
    return _page(request, "monitoring/_findings.html", ctx, actor)


@router.get("/monitoring/returns/{uscc}/{period}/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, session: DbSession, actor: UserActor, uscc: str, period: str
) -> Response:
    view = service.get_return(session, uscc=uscc, period=period, actor=actor)
    rows = service.audit_trail(session, uscc=uscc, period=period, actor=actor)
    names = {e.id: e.name for e in service.data_elements().elements.values()}
    from plateau.monitoring.workflow import ACTION_LABELS

    ctx = {
        "view": view,
        "rows": rows,
        "names": names,
        "ACTION_LABELS": ACTION_LABELS,
        "url": _return_url(view.enterprise.uscc, view.period),
    }
    return _page(request, "monitoring/audit.html", ctx, actor)


# --- import ---


def _import_ctx() -> dict[str, Any]:
    cat = service.data_elements()
    return {
        "elements": list(cat.elements.values()),
        "result": None,
        "failure": None,
        "dry_run": False,
        "submit": False,
    }


@router.get("/monitoring/import", response_class=HTMLResponse)
def import_form(request: Request, actor: UserActor) -> Response:
    access.require_filer(actor)
    return _page(request, "monitoring/import.html", _import_ctx(), actor)


@router.post("/monitoring/import", response_class=HTMLResponse)
def import_upload(
    request: Request, session: DbSession, actor: UserActor, form: PostedForm
) -> Response:
    access.require_filer(actor)
    upload = form.get("file")
    dry_run = form.get("dry_run") in ("1", "on", "true")
    submit = form.get("submit") in ("1", "on", "true")
    result = failure = None
    try:
        data, filename = read_upload_sync(request, upload)
        outcome = service.import_upload(
            session,
            data=data,
            filename=filename,
            actor=actor,
            dry_run=dry_run,
            submit=submit,
            job_above=request.app.state.settings.import_job_bytes,
        )
        if isinstance(outcome, Job):
            # A large file: its job's page shows the progress and then the outcome.
            return RedirectResponse(f"/jobs/{outcome.id}", status_code=303)
        result = outcome
    except ValidationFailed as exc:
        failure = exc
    ctx = _import_ctx() | {
        "result": result,
        "failure": failure,
        "dry_run": dry_run,
        "submit": submit,
    }
    return _page(request, "monitoring/import.html", ctx, actor, 422 if failure else 200)


# --- periods ---


@router.get("/monitoring/periods", response_class=HTMLResponse)
def periods(request: Request, session: DbSession, actor: UserActor, done: str = "") -> Response:
    lines = service.periods_overview(session, actor=actor)
    ctx = {"lines": lines, "done": done, "failure": None}
    return _page(request, "monitoring/periods.html", ctx, actor)


@router.post("/monitoring/periods/{period}/lock", response_class=HTMLResponse)
def lock(request: Request, session: DbSession, actor: UserActor, period: str) -> Response:
    p, n, left = service.lock_period(session, period=period, actor=actor)
    message = _("%(period)s locked: %(n)s approved returns locked.", period=str(p), n=n)
    if left:
        message += " " + _(
            "%(n)s returns not approved stay as they are and can no longer change.",
            n=sum(left.values()),
        )
    return RedirectResponse(f"/monitoring/periods?{urlencode({'done': message})}", status_code=303)


@router.post("/monitoring/periods/{period}/reopen", response_class=HTMLResponse)
async def reopen(request: Request, session: DbSession, actor: UserActor, period: str) -> Response:
    form = await request.form()
    try:
        p, n = service.reopen_period(
            session, period=period, reason=str(form.get("reason", "")), actor=actor
        )
    except ValidationFailed as exc:
        lines = service.periods_overview(session, actor=actor)
        ctx = {"lines": lines, "done": "", "failure": exc, "failed_period": period}
        return _page(request, "monitoring/periods.html", ctx, actor, 422)
    message = _("%(period)s reopened: %(n)s returns are approved again.", period=str(p), n=n)
    return RedirectResponse(f"/monitoring/periods?{urlencode({'done': message})}", status_code=303)


# --- completeness and late filers ---


@router.get("/monitoring/completeness", response_class=HTMLResponse)
def completeness(
    request: Request, session: DbSession, actor: UserActor, period: str = ""
) -> Response:
    access.require_monitor(actor)
    chosen = period or str(service.report_period())
    reports = {
        by: service.completeness(session, period=chosen, by=by, actor=actor)
        for by in ("prefecture", "park", "industry")
    }
    trend = service.completeness_trend(session, actor=actor, count=12)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Completeness"), _("Timeliness")]},
        "xAxis": {"type": "category", "data": [t.key for t in reversed(trend)]},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": _("Completeness"),
                "type": "line",
                "data": [t.completeness for t in reversed(trend)],
            },
            {
                "name": _("Timeliness"),
                "type": "line",
                "data": [t.timeliness for t in reversed(trend)],
            },
        ],
    }
    ctx = {"period": chosen, "reports": reports, "trend": trend, "chart": chart}
    return _page(request, "monitoring/completeness.html", ctx, actor)


@router.get("/monitoring/late", response_class=HTMLResponse)
def late(request: Request, session: DbSession, actor: UserActor, period: str = "") -> Response:
    chosen = period or str(service.report_period())
    rows = service.late_filers(session, period=chosen, actor=actor)
    ctx = {
        "period": chosen,
        "rows": rows,
        "refs": registry_service.reference(session, actor=actor),
        "deadline": rows[0].deadline if rows else None,
    }
    return _page(request, "monitoring/late.html", ctx, actor)


# --- elements, rules, region inputs ---


@router.get("/monitoring/elements", response_class=HTMLResponse)
def elements(request: Request, session: DbSession, actor: UserActor) -> Response:
    cat = service.data_elements()
    industries = {i.id: i for i in registry_service.list_industries(session, actor=actor)}
    ctx = {
        "elements": list(cat.elements.values()),
        "rules": service.rules(),
        "industries": industries,
        "inputs": service.region_input_specs(),
    }
    return _page(request, "monitoring/elements.html", ctx, actor)


@router.get("/monitoring/region-inputs", response_class=HTMLResponse)
def region_inputs(
    request: Request, session: DbSession, actor: UserActor, indicator: str = ""
) -> Response:
    ctx = _inputs_ctx(session, actor, indicator)
    return _page(request, "monitoring/region_inputs.html", ctx, actor)


def _inputs_ctx(session: Any, actor: Actor, indicator: str) -> dict[str, Any]:
    specs = service.region_input_specs()
    return {
        "specs": specs,
        "names": {s.id: s.name for s in specs},
        "rows": service.list_region_inputs(session, indicator=indicator or None, actor=actor),
        "indicator": indicator,
        "failure": None,
        "form": {},
        "year": date.today().year - 1,
    }


@router.post("/monitoring/region-inputs", response_class=HTMLResponse)
async def region_input_save(request: Request, session: DbSession, actor: UserActor) -> Response:
    form = await request.form()
    fields = {
        k: str(form.get(k, "")).strip() for k in ("indicator", "scope", "year", "value", "note")
    }
    try:
        try:
            data = RegionInputWrite.model_validate(fields)
        except ValidationError as exc:
            raise ValidationFailed(
                _("Some of the values are not valid."),
                [
                    FieldError(str(e["msg"]), str(e["loc"][0]) if e["loc"] else None)
                    for e in exc.errors()
                ],
            ) from None
        service.set_region_input(session, data=data, actor=actor)
    except ValidationFailed as exc:
        ctx = _inputs_ctx(session, actor, "") | {"failure": exc, "form": fields}
        return _page(request, "monitoring/region_inputs.html", ctx, actor, 422)
    return RedirectResponse(
        f"/monitoring/region-inputs?indicator={quote(fields['indicator'])}", status_code=303
    )
