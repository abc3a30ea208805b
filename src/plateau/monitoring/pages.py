"""HTML pages of the statistical returns: landing page, return form with live validation,
review queue, import, periods, completeness, late filers, elements and rules, region inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from plateau.auth.schemas import Actor, Role
from plateau.errors import DomainError, FieldError, ValidationFailed
from plateau.formatting import BEIJING, loc
from plateau.i18n import _
from plateau.jobs.models import Job
from plateau.monitoring import access, service
from plateau.monitoring.elements import format_in_unit, format_value
from plateau.monitoring.periods import Period, beijing_today, latest_monthly
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
        "fmt_in_unit": format_in_unit,
        "pct": lambda v: "—" if v is None else f"{v:.1f}%",
        "access": access,
        "query_pairs": lambda q: parse_qsl(q or "", keep_blank_values=True),
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


def _period_choices(selected: str) -> list[tuple[str, str]]:
    """Recent months and years for a period picker, newest first; the open one marked."""
    from plateau.monitoring.returns import recent_periods

    opened = str(service.open_period())
    out = []
    for p in recent_periods(beijing_today(), months=24, years=5):
        label = p.label()
        if str(p) == opened:
            label = _("%(period)s (open)", period=label)
        out.append((str(p), label))
    if selected and selected not in {v for v, _label in out}:
        out.insert(0, (selected, selected))
    return out


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
    if not set(request.query_params) - {"page", "done"}:
        # A bare list opens on the open period; a filtered one (the review queue's
        # ?status=submitted) keeps every period unless one is chosen, "" being all of them.
        filters = filters.model_copy(update={"period": str(service.open_period())})
    found = service.list_returns(
        session, filters=filters, page=max(page, 1), per_page=PER_PAGE, actor=actor
    )
    kept = {k: v for k, v in filters.model_dump(exclude_defaults=True).items() if v}
    query = urlencode({"period": filters.period or ""} | kept)
    ctx = {
        "periods": _period_choices(filters.period or ""),
        "found": found,
        "filters": filters,
        "query": query,
        "done": request.query_params.get("done", "")[:300],
        "bulk_period": filters.period or str(service.open_period()),
        "refs": registry_service.reference(session, actor=actor),
    }
    if _is_htmx(request):
        return _page(request, "monitoring/_return_table.html", ctx, actor)
    return _page(request, "monitoring/returns.html", ctx, actor)


@router.post("/monitoring/returns/approve-clean", response_class=HTMLResponse)
def approve_clean(session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    """Approve, in one step, the submitted returns of a period that raised no warning."""
    period = str(form.get("period", "")) or str(service.report_period())
    approved, left = service.approve_clean(session, period=period, actor=actor)
    message = _(
        "%(n)s returns without any warning approved; %(left)s with warnings wait for review.",
        n=len(approved),
        left=left,
    )
    query = urlencode({"period": period, "status": "submitted", "done": message})
    return RedirectResponse(f"/monitoring/returns?{query}", status_code=303)


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
    chosen = period or str(service.open_period())
    ctx = {
        "uscc": uscc,
        "period": chosen,
        "periods": _period_choices(chosen),
        "enterprises": (
            []
            if actor.role is Role.ENTERPRISE_USER
            else service.filing_choices(session, actor=actor)
        ),
        "refs": registry_service.reference(session, actor=actor),
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
    after: dict[str, Any] | None = None,
) -> HTMLResponse:
    ctx = {
        "after": after,
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
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    period: str,
    saved: str = "",
    reviewed: str = "",
    prev: str = "",
    left: int = 0,
) -> Response:
    view = service.get_return(session, uscc=uscc, period=period, actor=actor)
    after = None
    if reviewed in ("approve", "return") and prev:
        after = {"action": reviewed, "prev": prev[:300], "left": max(left, 0)}
    return _return_page(request, session, view, actor, saved=saved or None, after=after)


@router.post("/monitoring/returns/{uscc}/{period}", response_class=HTMLResponse)
def return_action(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    period: str,
    form: PostedForm,
) -> Response:
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
        elif action == "withdraw":
            view = service.withdraw_return(session, uscc=uscc, period=period, actor=actor)
        elif action == "return":
            view = service.return_for_correction(
                session, uscc=uscc, period=period, comment=texts["review_comment"], actor=actor
            )
        else:
            raise ValidationFailed(_("Unknown action."))
    except ValidationFailed as exc:
        view = service.get_return(session, uscc=uscc, period=period, actor=actor)
        return _return_page(request, session, view, actor, entered=entered, failure=exc, form=texts)
    if action in ("approve", "return"):
        return _after_review(session, actor, view, action)
    return RedirectResponse(
        f"{_return_url(view.enterprise.uscc, view.period)}?saved={action}", status_code=303
    )


def _after_review(session: Any, actor: Actor, view: service.ReturnView, action: str) -> Response:
    """Straight on to the next return waiting for review; the queue when none is left."""
    done = view.enterprise.name + " · " + view.period.label()
    nxt = service.next_pending(session, actor=actor, period=str(view.period))
    if nxt is None:
        message = (
            _("%(what)s approved.", what=done)
            if action == "approve"
            else _("%(what)s returned for correction.", what=done)
        )
        message += " " + _("No return is waiting for review.")
        query = urlencode({"status": "submitted", "period": "", "done": message})
        return RedirectResponse(f"/monitoring/returns?{query}", status_code=303)
    uscc, period, left = nxt
    query = urlencode({"reviewed": action, "prev": done, "left": left})
    return RedirectResponse(f"{_return_url(uscc, period)}?{query}", status_code=303)


@router.post("/monitoring/returns/{uscc}/{period}/check", response_class=HTMLResponse)
def check(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    period: str,
    form: PostedForm,
) -> Response:
    """HTMX: the findings for the figures as typed, before anything is saved."""
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
def reopen(
    request: Request, session: DbSession, actor: UserActor, period: str, form: PostedForm
) -> Response:
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
    request: Request,
    session: DbSession,
    actor: UserActor,
    period: str = "",
    format: str = "html",
    by: str = "prefecture",
) -> Response:
    """Completeness and timeliness by prefecture, park and industry; Excel or CSV per table."""
    access.require_monitor(actor)
    chosen = period or str(service.report_period())
    if format != "html":
        return _completeness_export(session, actor, chosen, format, by)
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


def _completeness_export(session: Any, actor: Actor, period: str, fmt: str, by: str) -> Response:
    from plateau.tabular import Column, export_response

    titles = {"prefecture": _("Prefecture"), "park": _("Park"), "industry": _("Industry")}
    if by not in titles:
        raise ValidationFailed(_("Some of the values are not valid."))
    rep = service.completeness(session, period=period, by=by, actor=actor)
    columns = [
        Column("name", titles[by]),
        Column("expected", _("Expected")),
        Column("filed", _("Filed")),
        Column("on_time", _("On time")),
        Column("approved", _("Approved")),
        Column("completeness", _("Completeness (%)")),
        Column("timeliness", _("Timeliness (%)")),
    ]
    rows = [
        {
            "name": t.name or _("No park"),
            "expected": t.expected,
            "filed": t.filed,
            "on_time": t.on_time,
            "approved": t.approved,
            "completeness": t.completeness,
            "timeliness": t.timeliness,
        }
        for t in [*rep.rows, rep.total]
    ]
    rows[-1]["name"] = _("Total")
    return export_response(fmt, columns, rows, filename=f"completeness-{rep.period}-{by}")


@router.get("/monitoring/late", response_class=HTMLResponse)
def late(
    request: Request, session: DbSession, actor: UserActor, period: str = "", done: str = ""
) -> Response:
    chosen = period or str(service.report_period())
    rows = service.late_filers(session, period=chosen, actor=actor)
    ctx = {
        "period": chosen,
        "periods": _period_choices(chosen),
        "rows": rows,
        "reminded": service.last_reminded(session, period=chosen, rows=rows),
        "may_remind": access.may_review_any(actor),
        "remindable": [r for r in rows if r.overdue and r.submitted_at is None],
        "done": done[:300],
        "refs": registry_service.reference(session, actor=actor),
        "deadline": rows[0].deadline if rows else None,
    }
    return _page(request, "monitoring/late.html", ctx, actor)


@router.post("/monitoring/late/remind", response_class=HTMLResponse)
def remind(session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    """催报: remind the chosen overdue enterprises (every one when none is ticked)."""
    period = str(form.get("period", "")) or str(service.report_period())
    chosen = [str(v) for v in form.getlist("uscc") if str(v).strip()]
    outcome = service.remind_late_filers(
        session,
        period=period,
        usccs=chosen or None,
        note=str(form.get("note", "")),
        actor=actor,
    )
    message = _("Reminders sent to %(n)s enterprises.", n=len(outcome.sent))
    if outcome.skipped:
        message += " " + _(
            "%(n)s were left out: already reminded today, or no longer overdue.",
            n=outcome.skipped,
        )
    query = urlencode({"period": period, "done": message})
    return RedirectResponse(f"/monitoring/late?{query}", status_code=303)


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
    from plateau.monitoring.analytics import service as analytics_service
    from plateau.monitoring.analytics.labels import SCOPE_KIND_LABELS

    specs = service.region_input_specs()
    scopes = [
        s
        for s in analytics_service.reference(session, actor=actor).scopes
        if s.kind in SCOPE_KIND_LABELS and s.kind != "enterprise"
    ]
    return {
        "scopes": scopes,
        "scope_names": {s.id: s.name for s in scopes},
        "scope_groups": [(k, v) for k, v in SCOPE_KIND_LABELS.items() if k != "enterprise"],
        "specs": specs,
        "names": {s.id: s.name for s in specs},
        "rows": service.list_region_inputs(session, indicator=indicator or None, actor=actor),
        "indicator": indicator,
        "failure": None,
        "form": {},
        "year": date.today().year - 1,
    }


@router.post("/monitoring/region-inputs", response_class=HTMLResponse)
def region_input_save(
    request: Request, session: DbSession, actor: UserActor, form: PostedForm
) -> Response:
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
