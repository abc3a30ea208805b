"""JSON API of incentive policies: policies, computed entitlements, runs and their workflow."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from plateau.formatting import loc
from plateau.policy import service
from plateau.policy.schemas import (
    ConfirmInput,
    EntitlementRead,
    EntitlementRecord,
    ExcludeInput,
    NoticeRowRead,
    ObjectionInput,
    PaymentInput,
    PolicyRead,
    RunCreate,
    RunQueued,
    RunRead,
    RunSummaryRead,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor

router = APIRouter(prefix="/policy", tags=["policy"], dependencies=[Csrf])


@router.get("/policies", response_model=list[PolicyRead])
def policies(actor: CurrentActor) -> list[PolicyRead]:
    """List the incentive policies (public documents)."""
    return [
        PolicyRead(
            id=p.id,
            version=p.version,
            title_zh=p.title_zh,
            title_en=p.title_en,
            document_zh=p.document_zh,
            section=p.section,
            effective_from=p.effective_from,
            effective_to=p.effective_to,
            budget_cny=p.budget_cny,
            rules=[r.id for r in p.rules],
        )
        for p in service.list_policies()
    ]


@router.get("/entitlements", response_model=list[EntitlementRecord])
def entitlements(
    session: DbSession,
    actor: UserActor,
    period: int = Query(ge=2000, le=2100),
    uscc: str | None = Query(default=None, max_length=18),
) -> list[EntitlementRecord]:
    """Compute every policy in force for the year for every enterprise the caller sees (no run needed)."""
    lines = service.compute(session, year=period, actor=actor, uscc=uscc)
    return [EntitlementRecord(**line.record()) for line in lines]


@router.get("/runs", response_model=list[RunRead])
def runs(session: DbSession, actor: UserActor) -> list[RunRead]:
    """List the runs (lists of entitled enterprises)."""
    return [RunRead.model_validate(r) for r in service.list_runs(session, actor=actor)]


@router.post(
    "/runs",
    response_model=RunSummaryRead | RunQueued,
    status_code=201,
    responses={202: {"model": RunQueued, "description": "The run was queued as a job."}},
)
def create_run(
    session: DbSession, actor: UserActor, data: RunCreate, response: Response
) -> RunSummaryRead | RunQueued:
    """Run a policy for a year (数据比对) as a background job (202); dry_run computes now (201)."""
    if not data.dry_run:
        job = service.submit_run(session, policy_id=data.policy, year=data.period, actor=actor)
        response.status_code = 202
        return RunQueued(job_id=job.id, job_url=f"/api/jobs/{job.id}")
    s = service.run_policy(
        session, policy_id=data.policy, year=data.period, actor=actor, dry_run=True
    )
    return RunSummaryRead(
        run_id=s.run_id,
        policy=s.policy.id,
        period=s.year,
        entitled=s.entitled,
        total_cny=s.total_cny,
        requested_cny=s.requested_cny,
    )


def _read(v: service.EntitlementView) -> EntitlementRead:
    return EntitlementRead(
        id=v.row.id,
        run_id=v.row.run_id,
        uscc=v.uscc,
        enterprise=v.enterprise,
        rule=v.row.rule_id,
        period=v.year,
        amount_cny=v.row.amount_cny,
        status=v.row.status,
        reason=v.explanation(),
        assumption=v.row.assumption,
        paid_date=v.payment.paid_date if v.payment else None,
        voucher_no=v.payment.voucher_no if v.payment else None,
        difference_cny=v.difference_cny,
    )


@router.get("/runs/{run_id}/entitlements", response_model=list[EntitlementRead])
def run_entitlements(session: DbSession, actor: UserActor, run_id: int) -> list[EntitlementRead]:
    """List a run's entitlements in the caller's scope."""
    return [_read(v) for v in service.run_entitlements(session, run_id=run_id, actor=actor)]


@router.post("/runs/{run_id}/publish", response_model=RunRead)
def publish(session: DbSession, actor: UserActor, run_id: int) -> RunRead:
    """Publish a list for its notice period (公示)."""
    return RunRead.model_validate(service.publish(session, run_id=run_id, actor=actor))


@router.post("/entitlements/{entitlement_id}/exclude", status_code=204)
def exclude(session: DbSession, actor: UserActor, entitlement_id: int, data: ExcludeInput) -> None:
    """Exclude an enterprise from a list not yet published, with a reason."""
    service.exclude(session, entitlement_id=entitlement_id, reason=data.reason, actor=actor)


@router.post("/entitlements/{entitlement_id}/confirm", status_code=204)
def confirm(session: DbSession, actor: UserActor, entitlement_id: int, data: ConfirmInput) -> None:
    """The enterprise confirms (意愿确认) and gives its account."""
    service.confirm(session, entitlement_id=entitlement_id, actor=actor, **data.model_dump())


@router.post("/entitlements/{entitlement_id}/decline", status_code=204)
def decline(session: DbSession, actor: UserActor, entitlement_id: int) -> None:
    """The enterprise declines."""
    service.decline(session, entitlement_id=entitlement_id, actor=actor)


@router.post("/entitlements/{entitlement_id}/payment", status_code=204)
def payment(session: DbSession, actor: UserActor, entitlement_id: int, data: PaymentInput) -> None:
    """Record the payment of a confirmed award; a second payment answers 409."""
    service.record_payment(
        session,
        entitlement_id=entitlement_id,
        paid_date=data.paid_date,
        voucher_no=data.voucher_no,
        actor=actor,
    )


@router.get("/notices/{run_id}", response_model=list[NoticeRowRead])
def notice(session: DbSession, actor: CurrentActor, run_id: int) -> list[NoticeRowRead]:
    """A published list (公示): public, amounts only where the enterprise agreed."""
    _run, _policy, rows = service.public_notice(session, run_id=run_id)
    return [
        NoticeRowRead(enterprise=r.enterprise, rule=loc(r), amount_cny=r.amount_cny) for r in rows
    ]


@router.post("/notices/{run_id}/objections", status_code=204)
def objection(session: DbSession, actor: CurrentActor, run_id: int, data: ObjectionInput) -> None:
    """Raise an objection during the notice period."""
    service.raise_objection(
        session, run_id=run_id, name=data.name, contact=data.contact, text=data.text
    )
