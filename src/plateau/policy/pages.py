"""HTML pages of incentive policies: the bureau's lists, the enterprise's page, the public notices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plateau.auth.schemas import Actor, Role
from plateau.errors import Conflict, DomainError, Forbidden, ValidationFailed
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.policy import exports, service
from plateau.policy.rules import REASONS
from plateau.registry import service as registry_service
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PostedForm
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])


def _names(session: Any, actor: Actor) -> dict[str, Any]:
    return {
        "prefectures": {p.code: p for p in registry_service.list_prefectures(session, actor=actor)},
        "industries": {i.id: i for i in registry_service.list_industries(session, actor=actor)},
    }


def _page(
    request: Request, template: str, ctx: dict[str, Any], actor: Actor, status: int = 200
) -> HTMLResponse:
    labels = {
        "REASONS": REASONS,
        "RUN_STATUS_LABELS": service.RUN_STATUS_LABELS,
        "ENTITLEMENT_STATUS_LABELS": service.ENTITLEMENT_STATUS_LABELS,
        "AUDIT_LABELS": service.AUDIT_LABELS,
    }
    return render(request, template, labels | ctx, actor=actor, active="policy", status_code=status)


def _year(text: str | None, default: int) -> int:
    try:
        year = int(text) if text else default
    except ValueError:
        raise ValidationFailed(_("“%(value)s” is not a year.", value=text)) from None
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("“%(value)s” is not a year.", value=text))
    return year


def _default_year() -> int:
    # Annual figures of a year are approved in the spring of the next one.
    return service.beijing_today().year - 1


@router.get("/policy", response_class=HTMLResponse)
def index(
    request: Request, session: DbSession, actor: UserActor, job: int | None = None
) -> Response:
    """Policies, their runs, and the form to run one (the enterprise's page for enterprise users)."""
    if actor.role is Role.ENTERPRISE_USER:
        return RedirectResponse("/policy/mine", status_code=303)
    from plateau.jobs import service as jobs_service

    ctx = {
        "job": jobs_service.get_job(session, job, actor=actor) if job else None,
        "policies": service.list_policies(),
        "policies_by_id": {p.id: p for p in service.list_policies()},
        "runs": service.list_runs(session, actor=actor),
        "year": _default_year(),
        "pipeline": service.upgrade_pipeline(session, actor=actor),
    } | _names(session, actor)
    return _page(request, "policy/index.html", ctx, actor)


@router.post("/policy/runs", response_class=HTMLResponse)
def run(request: Request, session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    """Queue the run of a policy for a year (数据比对) as a background job; follow its progress."""
    year = _year(str(form.get("period", "")), _default_year())
    job = service.submit_run(session, policy_id=str(form.get("policy", "")), year=year, actor=actor)
    return RedirectResponse(f"/policy?job={job.id}", status_code=303)


def _run_page(
    request: Request, session: Any, actor: Actor, run_id: int, message: str = "", status: int = 200
) -> HTMLResponse:
    run = service.get_run(session, run_id=run_id, actor=actor)
    views = service.run_entitlements(session, run_id=run_id, actor=actor)
    ctx = {
        "run": run,
        "policy": service.get_policy(run.policy_id),
        "views": views,
        "total": sum(
            (v.row.amount_cny for v in views if v.row.status not in ("excluded", "declined")),
            Decimal(0),
        ),
        "objections": service.list_objections(session, run_id=run_id, actor=actor),
        "audit": service.audit_trail(session, run_id=run_id, actor=actor),
        "today": service.beijing_today(),
        "beijing": BEIJING,
        "message": message,
    } | _names(session, actor)
    return _page(request, "policy/run.html", ctx, actor, status)


@router.get("/policy/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, session: DbSession, actor: UserActor, run_id: int) -> Response:
    """A run's list: entitlements with their reasons, exclusions, objections, payments, audit."""
    return _run_page(request, session, actor, run_id)


def _act(
    request: Request, session: Any, actor: Actor, run_id: int, form: Any, action: Any
) -> Response:
    try:
        action({k: str(v) for k, v in form.items()})
    except DomainError as exc:
        session.rollback()
        return _run_page(request, session, actor, run_id, exc.message, exc.status_code)
    return RedirectResponse(f"/policy/runs/{run_id}", status_code=303)


@router.post("/policy/runs/{run_id}/publish", response_class=HTMLResponse)
def publish(
    request: Request, session: DbSession, actor: UserActor, run_id: int, form: PostedForm
) -> Response:
    """Publish the list for its notice period (公示)."""
    return _act(
        request,
        session,
        actor,
        run_id,
        form,
        lambda f: service.publish(session, run_id=run_id, actor=actor),
    )


@router.post(
    "/policy/runs/{run_id}/entitlements/{entitlement_id}/exclude", response_class=HTMLResponse
)
def exclude(
    request: Request,
    session: DbSession,
    actor: UserActor,
    run_id: int,
    entitlement_id: int,
    form: PostedForm,
) -> Response:
    """Exclude an enterprise from the list with a written reason."""
    return _act(
        request,
        session,
        actor,
        run_id,
        form,
        lambda f: service.exclude(
            session, entitlement_id=entitlement_id, reason=f.get("reason", ""), actor=actor
        ),
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            _("“%(value)s” is not a date: write it as 2020-05-01.", value=text)
        ) from None


@router.post("/policy/runs/{run_id}/entitlements/{entitlement_id}/pay", response_class=HTMLResponse)
def pay(
    request: Request,
    session: DbSession,
    actor: UserActor,
    run_id: int,
    entitlement_id: int,
    form: PostedForm,
) -> Response:
    """Record the payment of a confirmed award (拨付到账)."""
    return _act(
        request,
        session,
        actor,
        run_id,
        form,
        lambda f: service.record_payment(
            session,
            entitlement_id=entitlement_id,
            paid_date=_date(f.get("paid_date", "")),
            voucher_no=f.get("voucher_no", ""),
            actor=actor,
        ),
    )


@router.get("/policy/runs/{run_id}/payout.xlsx")
def payout(session: DbSession, actor: UserActor, run_id: int) -> Response:
    """The payout list for the finance bureau, as Excel."""
    run = service.get_run(session, run_id=run_id, actor=actor)
    rows = service.payout_rows(session, run_id=run_id, actor=actor)
    body = exports.xlsx(
        exports.columns(exports.PAYOUT_LABELS), rows, sheet=f"{run.policy_id} {run.year}"
    )
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="payout-{run.policy_id}-{run.year}.xlsx"'
        },
    )


@router.get("/policy/entitlements/{entitlement_id}/notice.pdf")
def notice_letter(session: DbSession, actor: UserActor, entitlement_id: int) -> Response:
    """The notice of entitlement (告知书) as PDF, for the enterprise and the officers."""
    pdf = service.notice_letter_pdf(session, entitlement_id=entitlement_id, actor=actor)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="notice-{entitlement_id}.pdf"'},
    )


@router.get("/policy/mine", response_class=HTMLResponse)
def mine(
    request: Request, session: DbSession, actor: UserActor, year: str | None = None
) -> Response:
    """The enterprise's policies: what it receives, could receive, and what is missing."""
    y = _year(year, _default_year())
    ctx = {"mine": service.my_policies(session, year=y, actor=actor), "year": y, "message": ""}
    return _page(request, "policy/mine.html", ctx, actor)


@router.get("/policy/calculator", response_class=HTMLResponse)
def calculator(
    request: Request,
    session: DbSession,
    actor: UserActor,
    year: str | None = None,
    revenue_wan: str = "",
    investment_wan: str = "",
) -> Response:
    """The 政策计算器: what if the enterprise's revenue (and investment) were …"""
    y = _year(year, _default_year())
    try:
        revenue = Decimal(revenue_wan or "0") * 10000
        investment = Decimal(investment_wan) * 10000 if investment_wan else None
    except InvalidOperation:
        raise ValidationFailed(_("Write the amounts in 10,000 CNY, digits only.")) from None
    if not revenue.is_finite() or (investment is not None and not investment.is_finite()):
        raise ValidationFailed(_("Write the amounts in 10,000 CNY, digits only."))
    lines = service.calculate(
        session, year=y, revenue_cny=revenue, investment_cny=investment, actor=actor
    )
    return _page(request, "policy/_calculator.html", {"lines": lines, "year": y}, actor)


@router.post("/policy/entitlements/{entitlement_id}/confirm", response_class=HTMLResponse)
def confirm(
    request: Request, session: DbSession, actor: UserActor, entitlement_id: int, form: PostedForm
) -> Response:
    """The enterprise confirms (意愿确认) with the account to pay into."""
    try:
        service.confirm(
            session,
            entitlement_id=entitlement_id,
            account_name=str(form.get("account_name", "")),
            account_bank=str(form.get("account_bank", "")),
            account_no=str(form.get("account_no", "")),
            disclose_amount=form.get("disclose_amount") in ("1", "on", "true"),
            actor=actor,
        )
    except ValidationFailed as exc:
        session.rollback()
        y = _default_year()
        ctx = {
            "mine": service.my_policies(session, year=y, actor=actor),
            "year": y,
            "message": exc.message,
        }
        return _page(request, "policy/mine.html", ctx, actor, 422)
    return RedirectResponse("/policy/mine", status_code=303)


@router.post("/policy/entitlements/{entitlement_id}/decline", response_class=HTMLResponse)
def decline(session: DbSession, actor: UserActor, entitlement_id: int) -> Response:
    """The enterprise declines the award."""
    service.decline(session, entitlement_id=entitlement_id, actor=actor)
    return RedirectResponse("/policy/mine", status_code=303)


@router.get("/policy/whatif", response_class=HTMLResponse)
def whatif_form(request: Request, actor: UserActor) -> Response:
    """The what-if form: a draft policy document against the one in force."""
    if actor.role is Role.ENTERPRISE_USER:
        raise Forbidden(_("What-if is for the bureau's officers."))
    text = service.shipped_text("lhasa_garment_support")
    return _page(
        request,
        "policy/whatif.html",
        {"text": text, "result": None, "message": "", "year": _default_year()},
        actor,
    )


@router.post("/policy/whatif", response_class=HTMLResponse)
def whatif(request: Request, session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    """Compare a draft policy with the one in force (writes nothing)."""
    text = str(form.get("text", ""))
    year = _year(str(form.get("period", "")), _default_year())
    try:
        draft = service.read_policy_file(text, "draft.yaml")
        result = service.whatif(session, policy=draft, year=year, actor=actor)
    except ValidationFailed as exc:
        return _page(
            request,
            "policy/whatif.html",
            {"text": text, "result": None, "message": exc.message, "year": year},
            actor,
            422,
        )
    ctx = {"text": text, "result": result, "message": "", "year": year} | _names(session, actor)
    return _page(request, "policy/whatif.html", ctx, actor)


@router.get("/policy/notices", response_class=HTMLResponse)
def notices(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The published lists (公示), for everyone."""
    runs = service.published_runs(session)
    policies = {p.id: p for p in service.list_policies()}
    return _page(request, "policy/notices.html", {"runs": runs, "policies": policies}, actor)


@router.get("/policy/notices/{run_id}", response_class=HTMLResponse)
def notice(request: Request, session: DbSession, actor: CurrentActor, run_id: int) -> Response:
    """One published list: names and awards; amounts only where the enterprise agreed."""
    run_row, policy, rows = service.public_notice(session, run_id=run_id)
    ctx = {
        "run": run_row,
        "policy": policy,
        "rows": rows,
        "message": "",
        "sent": False,
        "today": service.beijing_today(),
    }
    return _page(request, "policy/notice.html", ctx, actor)


@router.post("/policy/notices/{run_id}/objections", response_class=HTMLResponse)
def objection(
    request: Request, session: DbSession, actor: CurrentActor, run_id: int, form: PostedForm
) -> Response:
    """Raise an objection during the notice period (anyone may)."""
    message, sent, status = "", False, 200
    try:
        service.raise_objection(
            session,
            run_id=run_id,
            name=str(form.get("name", "")),
            contact=str(form.get("contact", "")),
            text=str(form.get("text", "")),
        )
        sent = True
    except (ValidationFailed, Conflict) as exc:
        session.rollback()
        message, status = exc.message, exc.status_code
    run_row, policy, rows = service.public_notice(session, run_id=run_id)
    ctx = {
        "run": run_row,
        "policy": policy,
        "rows": rows,
        "message": message,
        "sent": sent,
        "today": service.beijing_today(),
    }
    return _page(request, "policy/notice.html", ctx, actor, status)
