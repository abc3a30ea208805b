"""Incentive policies (惠企政策 免申即享): the entry point routers, the CLI and jobs call.

数据比对 → 意愿确认 → 拨付到账: ``run_policy`` computes the list of entitled enterprises of a
policy for a year from the registry's statuses and the monitoring's approved or locked
returns (read through their services); the bureau excludes with a reason and publishes the
list for its notice period (公示); the enterprise confirms (account details) or declines; the
finance officer records the payment, which the database refuses to record twice. Every
step is audited. Services flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.formatting import BEIJING
from plateau.i18n import _, get_locale, lazy
from plateau.monitoring import service as monitoring_service
from plateau.policy import engine
from plateau.policy.definitions import Policy, PolicyLoadError, load_file, shipped_policies
from plateau.policy.models import (
    Entitlement,
    Objection,
    Payment,
    PolicyAudit,
    PolicyRun,
)
from plateau.policy.rules import REASONS, ZERO, Facts, Note, StatusFact, money
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise

Progress = Callable[[int, int, str], None]

RUN_STATUS_LABELS: dict[str, str] = {
    "computed": lazy("Computed, under review"),
    "published": lazy("Published for public notice"),
    "closed": lazy("Closed"),
}
ENTITLEMENT_STATUS_LABELS: dict[str, str] = {
    "proposed": lazy("Awaiting the enterprise's confirmation"),
    "excluded": lazy("Excluded"),
    "confirmed": lazy("Confirmed by the enterprise"),
    "declined": lazy("Declined by the enterprise"),
    "paid": lazy("Paid"),
}
AUDIT_LABELS: dict[str, str] = {
    "run": lazy("List computed"),
    "exclude": lazy("Excluded"),
    "publish": lazy("Published"),
    "object": lazy("Objection received"),
    "confirm": lazy("Confirmed"),
    "decline": lazy("Declined"),
    "pay": lazy("Payment recorded"),
}


def beijing_today() -> date:
    """Today's date in Beijing (notice periods and payment dates are Beijing dates)."""
    return datetime.now(BEIJING).date()


# --- policies ---


def list_policies() -> list[Policy]:
    """Return the policies shipped with Plateau, by id."""
    return list(shipped_policies().values())


def get_policy(policy_id: str) -> Policy:
    """Return one policy, or 404."""
    found = shipped_policies().get(policy_id)
    if found is None:
        raise NotFound(_("No policy %(id)s.", id=policy_id))
    return found


def read_policy_file(text: str, source: str) -> Policy:
    """Parse a policy document (a draft for what-if); refuse it with its file and line."""
    from plateau.policy.definitions import parse_policy

    try:
        return parse_policy(text, source)
    except PolicyLoadError as exc:
        raise ValidationFailed(
            _(
                "The policy file cannot be used: %(where)s: %(problem)s",
                where=f"{exc.source}:{exc.line}",
                problem=exc.message,
            )
        ) from None


def policy_from_path(path: Any) -> Policy:
    """Load a policy document from a file path (the CLI's what-if)."""
    try:
        return load_file(path)
    except PolicyLoadError as exc:
        raise ValidationFailed(
            _(
                "The policy file cannot be used: %(where)s: %(problem)s",
                where=f"{exc.source}:{exc.line}",
                problem=exc.message,
            )
        ) from None


# --- facts ---


@dataclass(frozen=True)
class Subject:
    """An enterprise as the policy pages show it, with its facts for one year."""

    id: int
    uscc: str
    name: str
    prefecture_code: str
    industry_id: str
    facts: Facts


def _require_user(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in to see incentive policies."))


def _subjects(
    session: Session,
    *,
    year: int,
    actor: Actor,
    uscc: str | None = None,
    policy_ids: Iterable[str] = (),
    with_payments: bool = True,
    progress: Progress | None = None,
) -> list[Subject]:
    enterprises = registry_service.enterprises_with_statuses(session, actor=actor, uscc=uscc)
    figures = monitoring_service.settled_figures(
        session, year=year, enterprise_ids=[e.id for e in enterprises], actor=actor
    )
    paid: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if with_payments and enterprises:
        wanted = list(policy_ids)
        ids = [e.id for e in enterprises]
        for i in range(0, len(ids), 500):
            stmt = select(Payment).where(Payment.enterprise_id.in_(ids[i : i + 500]))
            if wanted:
                stmt = stmt.where(Payment.policy_id.in_(wanted))
            for p in session.scalars(stmt):
                paid[p.enterprise_id].append((p.rule_id, p.year))
    out = []
    for n, e in enumerate(enterprises, 1):
        f = figures[e.id]
        out.append(
            Subject(
                id=e.id,
                uscc=e.uscc,
                name=e.name,
                prefecture_code=e.prefecture_code,
                industry_id=e.industry_id,
                facts=Facts(
                    uscc=e.uscc,
                    name=e.name,
                    prefecture_code=e.prefecture_code,
                    county_code=e.county_code,
                    industry_id=e.industry_id,
                    gbt4754=e.gbt4754,
                    statuses=tuple(
                        StatusFact(s.kind, s.valid_from, s.valid_to, s.level, s.certificate_no)
                        for s in e.statuses
                    ),
                    monthly_revenue=f.monthly_revenue,
                    months_pending=f.months_pending,
                    fixed_asset_investment=f.fixed_asset_investment,
                    paid=tuple(paid.get(e.id, ())),
                ),
            )
        )
        if progress and (n % 200 == 0 or n == len(enterprises)):
            progress(n, len(enterprises), _("Facts gathered"))
    return out


# --- computing without a run ---


@dataclass(frozen=True)
class Line:
    """One decision for the pages, the API and the CLI: policy, rule, enterprise, amount, why."""

    policy: Policy
    rule_id: str
    rule_name_zh: str
    rule_name_en: str
    uscc: str
    enterprise: str
    prefecture_code: str
    industry_id: str
    year: int
    amount_cny: Decimal
    reason: str
    notes: tuple[Note, ...]
    assumption: bool

    @property
    def name_zh(self) -> str:
        return self.rule_name_zh

    @property
    def name_en(self) -> str:
        return self.rule_name_en

    def reason_text(self) -> str:
        return _(REASONS.get(self.reason, self.reason))

    def explanation(self) -> str:
        return " ".join(n.text() for n in self.notes) or self.reason_text()

    def record(self) -> dict[str, Any]:
        return {
            "policy": self.policy.id,
            "rule": self.rule_id,
            "uscc": self.uscc,
            "period": self.year,
            "amount_cny": self.amount_cny,
            "status": self.reason,
            "reason": f"{self.reason_text()}: {self.explanation()}",
        }


def _line(subject: Subject, result: engine.Result) -> Line:
    return Line(
        policy=result.policy,
        rule_id=result.rule.id,
        rule_name_zh=result.rule.name_zh,
        rule_name_en=result.rule.name_en,
        uscc=subject.uscc,
        enterprise=subject.name,
        prefecture_code=subject.prefecture_code,
        industry_id=subject.industry_id,
        year=result.year,
        amount_cny=result.amount_cny,
        reason=result.outcome.reason,
        notes=result.outcome.notes,
        assumption=result.outcome.assumption,
    )


def compute(
    session: Session,
    *,
    year: int,
    actor: Actor,
    uscc: str | None = None,
    policies: Sequence[Policy] | None = None,
) -> list[Line]:
    """Decide every policy in force in ``year`` for every enterprise the caller sees; write nothing."""
    _require_user(actor)
    chosen = [p for p in (policies or list_policies()) if p.in_force(year)]
    subjects = _subjects(
        session, year=year, actor=actor, uscc=uscc, policy_ids=[p.id for p in chosen]
    )
    return [
        _line(s, r) for s in subjects for p in chosen for r in engine.evaluate(p, s.facts, year)
    ]


def calculate(
    session: Session,
    *,
    year: int,
    revenue_cny: Decimal,
    investment_cny: Decimal | None,
    actor: Actor,
) -> list[Line]:
    """The 政策计算器: what the caller's enterprise would get with this year's revenue and investment."""
    _require_user(actor)
    if actor.role is not Role.ENTERPRISE_USER:
        raise Forbidden(_("The policy calculator is for enterprise users."))
    if revenue_cny < 0 or (investment_cny is not None and investment_cny < 0):
        raise ValidationFailed(_("Amounts may not be negative."))
    subjects = _subjects(session, year=year, actor=actor, uscc=actor.scope_value)
    if not subjects:
        raise NotFound(_("Your enterprise is not in the registry."))
    s = subjects[0]
    month = (revenue_cny / 12).quantize(Decimal("0.01"))
    months = dict.fromkeys(range(1, 12), month) | {12: revenue_cny - month * 11}
    what_if = replace(
        s,
        facts=replace(
            s.facts,
            monthly_revenue=months,
            fixed_asset_investment=investment_cny
            if investment_cny is not None
            else s.facts.fixed_asset_investment,
        ),
    )
    return [
        _line(what_if, r)
        for p in list_policies()
        if p.in_force(year)
        for r in engine.evaluate(p, what_if.facts, year)
    ]


# --- runs ---


def _require_admin(actor: Actor) -> None:
    _require_user(actor)
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may run, publish and pay policies."))


def _audit(
    session: Session,
    run: PolicyRun,
    actor: Actor,
    action: str,
    detail: str = "",
    ent: Entitlement | None = None,
) -> None:
    session.add(
        PolicyAudit(
            run_id=run.id,
            entitlement_id=ent.id if ent else None,
            username=actor.username or actor.role.value,
            action=action,
            detail=detail,
        )
    )


@dataclass
class RunSummary:
    """What a run produced: the list's size and total, before and after the budget."""

    policy: Policy
    year: int
    entitled: int
    total_cny: Decimal
    requested_cny: Decimal
    run_id: int | None
    lines: list[Line] = field(default_factory=list)
    pairs: list[tuple[Subject, engine.Result]] = field(default_factory=list, repr=False)


def _published_conflict(session: Session, policy: Policy, year: int) -> PolicyRun | None:
    existing = session.scalar(
        select(PolicyRun).where(PolicyRun.policy_id == policy.id, PolicyRun.year == year)
    )
    if existing is not None and existing.status != "computed":
        raise Conflict(
            _(
                "The %(year)s list of this policy is already published: it cannot be computed again.",
                year=year,
            )
        )
    return existing


def compute_run(
    session: Session, *, policy_id: str, year: int, actor: Actor, progress: Progress | None = None
) -> RunSummary:
    """Compute the list of a policy for a year (数据比对) without writing anything."""
    _require_admin(actor)
    policy = get_policy(policy_id)
    if not policy.in_force(year):
        raise ValidationFailed(
            _("Policy %(id)s is not in force in %(year)s.", id=policy.id, year=year)
        )
    _published_conflict(session, policy, year)
    subjects = _subjects(session, year=year, actor=actor, policy_ids=[policy.id], progress=progress)
    results = [(s, r) for s in subjects for r in engine.evaluate(policy, s.facts, year)]
    requested = engine.totals(r for _s, r in results)
    budgeted = engine.apply_budget(policy, [r for _s, r in results])
    pairs = [(s, r) for (s, _old), r in zip(results, budgeted, strict=True) if r.outcome.entitled]
    return RunSummary(
        policy=policy,
        year=year,
        entitled=len(pairs),
        total_cny=engine.totals(r for _s, r in pairs),
        requested_cny=requested,
        run_id=None,
        lines=[_line(s, r) for s, r in pairs],
        pairs=pairs,
    )


def store_run(session: Session, *, summary: RunSummary, actor: Actor) -> RunSummary:
    """Store a computed list (replacing an unpublished one of the same policy and year)."""
    _require_admin(actor)
    policy, year = summary.policy, summary.year
    existing = _published_conflict(session, policy, year)
    if existing is None:
        existing = PolicyRun(
            policy_id=policy.id, policy_version=policy.version, year=year, created_by=actor.username
        )
        session.add(existing)
        session.flush()
    else:
        session.execute(delete(Entitlement).where(Entitlement.run_id == existing.id))
        existing.policy_version = policy.version
    for s, r in summary.pairs:
        session.add(
            Entitlement(
                run_id=existing.id,
                enterprise_id=s.id,
                rule_id=r.rule.id,
                once_key=r.once_key,
                amount_cny=r.amount_cny,
                notes=[n.as_dict() for n in r.outcome.notes],
                assumption=r.outcome.assumption,
            )
        )
    session.flush()
    detail = _(
        "%(n)s entitlements, %(total)s CNY", n=summary.entitled, total=money(summary.total_cny)
    )
    _audit(session, existing, actor, "run", detail)
    session.flush()
    summary.run_id = existing.id
    return summary


def run_policy(
    session: Session,
    *,
    policy_id: str,
    year: int,
    actor: Actor,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RunSummary:
    """Compute the list of entitled enterprises of a policy for a year (数据比对) and store it."""
    summary = compute_run(session, policy_id=policy_id, year=year, actor=actor, progress=progress)
    if dry_run:
        return summary
    return store_run(session, summary=summary, actor=actor)


def submit_run(session: Session, *, policy_id: str, year: int, actor: Actor) -> Any:
    """Queue the run of a policy for a year as a background job; return the job."""
    from plateau.jobs import service as jobs_service

    _require_admin(actor)
    policy = get_policy(policy_id)
    if not policy.in_force(year):
        raise ValidationFailed(
            _("Policy %(id)s is not in force in %(year)s.", id=policy.id, year=year)
        )
    return jobs_service.submit(
        session,
        kind="policy.run",
        params={"policy": policy.id, "period": year},
        actor=actor,
        dedup_key=f"policy.run:{policy.id}:{year}",
    )


def list_runs(session: Session, *, actor: Actor) -> list[PolicyRun]:
    """List the runs (officers see every run; the enterprise rows inside are scoped)."""
    _require_user(actor)
    if actor.role is Role.ENTERPRISE_USER:
        raise Forbidden(_("Enterprises see their own policies under “My policies”."))
    return list(
        session.scalars(select(PolicyRun).order_by(PolicyRun.year.desc(), PolicyRun.policy_id))
    )


def get_run(session: Session, *, run_id: int, actor: Actor) -> PolicyRun:
    """Return one run, or 404."""
    _require_user(actor)
    run = session.get(PolicyRun, run_id)
    if run is None or actor.role is Role.ENTERPRISE_USER:
        raise NotFound(_("No such policy run."))
    return run


@dataclass
class EntitlementView:
    """An entitlement with its enterprise, payment and any difference a later correction makes."""

    row: Entitlement
    uscc: str
    enterprise: str
    prefecture_code: str
    industry_id: str
    rule_name_zh: str
    rule_name_en: str
    year: int
    payment: Payment | None = None
    # What the rule gives now, with the returns as they are today (for paid rows).
    current_cny: Decimal | None = None

    @property
    def name_zh(self) -> str:
        return self.rule_name_zh

    @property
    def name_en(self) -> str:
        return self.rule_name_en

    @property
    def difference_cny(self) -> Decimal | None:
        """Under-payment (> 0) or over-payment (< 0) after a correction, else None."""
        if self.payment is None or self.current_cny is None:
            return None
        diff = self.current_cny - self.payment.amount_cny
        return diff if diff != 0 else None

    def explanation(self) -> str:
        return " ".join(Note(n["msgid"], n.get("params", {})).text() for n in self.row.notes)

    def status_text(self) -> str:
        return _(ENTITLEMENT_STATUS_LABELS[self.row.status])


def _views(
    session: Session, runs: dict[int, PolicyRun], rows: Sequence[Entitlement], actor: Actor
) -> list[EntitlementView]:
    if not rows:
        return []
    by_ent = {e.id: e for e in registry_service.enterprises_with_statuses(session, actor=actor)}
    payments = (
        {
            p.entitlement_id: p
            for p in session.scalars(
                select(Payment).where(Payment.entitlement_id.in_([r.id for r in rows]))
            )
        }
        if len(rows) <= 500
        else _payments_chunked(session, [r.id for r in rows])
    )
    views = []
    for r in rows:
        ent = by_ent.get(r.enterprise_id)
        if ent is None:
            continue  # outside the caller's scope
        run = runs[r.run_id]
        policy = shipped_policies().get(run.policy_id)
        rule = policy.rule(r.rule_id) if policy else None
        views.append(
            EntitlementView(
                row=r,
                uscc=ent.uscc,
                enterprise=ent.name,
                prefecture_code=ent.prefecture_code,
                industry_id=ent.industry_id,
                rule_name_zh=rule.name_zh if rule else r.rule_id,
                rule_name_en=rule.name_en if rule else r.rule_id,
                year=run.year,
                payment=payments.get(r.id),
            )
        )
    _corrections(session, views, runs, actor)
    return views


def _payments_chunked(session: Session, ids: list[int]) -> dict[int | None, Payment]:
    out: dict[int | None, Payment] = {}
    for i in range(0, len(ids), 500):
        for p in session.scalars(
            select(Payment).where(Payment.entitlement_id.in_(ids[i : i + 500]))
        ):
            out[p.entitlement_id] = p
    return out


def _corrections(
    session: Session, views: list[EntitlementView], runs: dict[int, PolicyRun], actor: Actor
) -> None:
    """Recompute paid entitlements on today's returns: a correction shows as a difference."""
    paid = [v for v in views if v.payment is not None]
    by_year: dict[tuple[str, int], list[EntitlementView]] = defaultdict(list)
    for v in paid:
        by_year[(runs[v.row.run_id].policy_id, v.year)].append(v)
    for (policy_id, year), group in by_year.items():
        policy = shipped_policies().get(policy_id)
        if policy is None:
            continue
        uscc = group[0].uscc if len({v.uscc for v in group}) == 1 else None
        subjects = {
            s.id: s
            for s in _subjects(session, year=year, actor=actor, uscc=uscc, with_payments=False)
        }
        for v in group:
            s = subjects.get(v.row.enterprise_id)
            if s is None:
                continue
            outcome = engine.evaluate_rule(policy, policy.rule(v.row.rule_id), s.facts, year)
            v.current_cny = outcome.amount_cny


def run_entitlements(session: Session, *, run_id: int, actor: Actor) -> list[EntitlementView]:
    """List a run's entitlements the caller may see, largest first."""
    run = get_run(session, run_id=run_id, actor=actor)
    rows = list(
        session.scalars(
            select(Entitlement)
            .where(Entitlement.run_id == run.id)
            .order_by(Entitlement.amount_cny.desc(), Entitlement.id)
        )
    )
    return _views(session, {run.id: run}, rows, actor)


def _entitlement(
    session: Session, entitlement_id: int, actor: Actor
) -> tuple[Entitlement, PolicyRun, Enterprise]:
    _require_user(actor)
    row = session.get(Entitlement, entitlement_id)
    if row is not None:
        uscc = session.scalar(select(Enterprise.uscc).where(Enterprise.id == row.enterprise_id))
        found = (
            registry_service.enterprises_with_statuses(session, actor=actor, uscc=uscc)
            if uscc
            else []
        )
        if found:
            run = session.get(PolicyRun, row.run_id)
            assert run is not None
            return row, run, found[0]
    raise NotFound(_("No such entitlement."))


def exclude(session: Session, *, entitlement_id: int, reason: str, actor: Actor) -> Entitlement:
    """Take an enterprise off the list before publication, with a written reason."""
    row, run, ent = _entitlement(session, entitlement_id, actor)
    if not (
        actor.is_admin
        or (actor.role is Role.PREFECTURE_OFFICER and actor.scope_value == ent.prefecture_code)
    ):
        raise Forbidden(_("Only the region administrator or the prefecture's officer may exclude."))
    if not reason.strip():
        raise ValidationFailed(_("Write the reason for the exclusion."))
    if run.status != "computed" or row.status != "proposed":
        raise Conflict(_("Only an entitlement of a list not yet published can be excluded."))
    row.status = "excluded"
    row.exclusion_reason = reason.strip()
    _audit(session, run, actor, "exclude", reason.strip(), row)
    session.flush()
    return row


def publish(session: Session, *, run_id: int, actor: Actor, today: date | None = None) -> PolicyRun:
    """Publish a computed list for its notice period (公示)."""
    _require_admin(actor)
    run = get_run(session, run_id=run_id, actor=actor)
    if run.status != "computed":
        raise Conflict(_("This list is already published."))
    policy = get_policy(run.policy_id)
    start = today or beijing_today()
    run.status = "published"
    run.notice_from_date = start
    run.notice_to_date = start + timedelta(days=policy.notice_days)
    from plateau.db import utcnow

    run.published_at = utcnow()
    _audit(session, run, actor, "publish", f"{run.notice_from_date} – {run.notice_to_date}")
    session.flush()
    return run


@dataclass(frozen=True)
class NoticeRow:
    enterprise: str
    rule_name_zh: str
    rule_name_en: str
    amount_cny: Decimal | None  # None: the enterprise has not agreed to show it

    @property
    def name_zh(self) -> str:
        return self.rule_name_zh

    @property
    def name_en(self) -> str:
        return self.rule_name_en


def published_runs(session: Session) -> list[PolicyRun]:
    """The published lists anyone may read (public by nature: no caller)."""
    return list(
        session.scalars(
            select(PolicyRun)
            .where(PolicyRun.status != "computed")
            .order_by(PolicyRun.published_at.desc())
        )
    )


def public_notice(session: Session, *, run_id: int) -> tuple[PolicyRun, Policy, list[NoticeRow]]:
    """The 公示 list of a published run: names and rules; an amount only where the enterprise agreed."""
    run = session.get(PolicyRun, run_id)
    if run is None or run.status == "computed":
        raise NotFound(_("No such published list."))
    policy = get_policy(run.policy_id)
    rows = session.execute(
        select(Entitlement, Enterprise.name)
        .join(Enterprise, Enterprise.id == Entitlement.enterprise_id)
        .where(Entitlement.run_id == run.id, Entitlement.status.not_in(("excluded", "declined")))
        .order_by(Enterprise.name, Entitlement.rule_id)
    )
    out = []
    for row, name in rows:
        rule = policy.rule(row.rule_id)
        out.append(
            NoticeRow(
                name, rule.name_zh, rule.name_en, row.amount_cny if row.disclose_amount else None
            )
        )
    return run, policy, out


def raise_objection(
    session: Session, *, run_id: int, name: str, contact: str, text: str, today: date | None = None
) -> Objection:
    """Record an objection to a list during its notice period (anyone may raise one)."""
    run = session.get(PolicyRun, run_id)
    if run is None or run.status == "computed":
        raise NotFound(_("No such published list."))
    day = today or beijing_today()
    assert run.notice_from_date is not None and run.notice_to_date is not None
    if not run.notice_from_date <= day <= run.notice_to_date:
        raise Conflict(_("The notice period of this list is over; objections are closed."))
    if not name.strip() or not text.strip():
        raise ValidationFailed(_("Give your name and the objection."))
    if len(name) > 100 or len(contact) > 100 or len(text) > 4000:
        raise ValidationFailed(_("The objection is too long."))
    objection = Objection(
        run_id=run.id, name=name.strip(), contact=contact.strip(), text=text.strip()
    )
    session.add(objection)
    session.add(
        PolicyAudit(run_id=run.id, username=name.strip()[:64], action="object", detail=text.strip())
    )
    session.flush()
    return objection


def list_objections(session: Session, *, run_id: int, actor: Actor) -> list[Objection]:
    """The objections to a run, for the officers."""
    run = get_run(session, run_id=run_id, actor=actor)
    return list(
        session.scalars(select(Objection).where(Objection.run_id == run.id).order_by(Objection.id))
    )


def audit_trail(session: Session, *, run_id: int, actor: Actor) -> list[PolicyAudit]:
    """The steps of a run, oldest first."""
    run = get_run(session, run_id=run_id, actor=actor)
    return list(
        session.scalars(
            select(PolicyAudit).where(PolicyAudit.run_id == run.id).order_by(PolicyAudit.id)
        )
    )


def _owner_row(
    session: Session, entitlement_id: int, actor: Actor
) -> tuple[Entitlement, PolicyRun]:
    row, run, ent = _entitlement(session, entitlement_id, actor)
    if actor.role is not Role.ENTERPRISE_USER or actor.scope_value != ent.uscc:
        raise Forbidden(_("Only the enterprise itself confirms or declines."))
    if run.status != "published":
        raise Conflict(_("The list is not published yet."))
    if row.status not in ("proposed", "confirmed", "declined"):
        raise Conflict(_("This entitlement can no longer be changed."))
    return row, run


def confirm(
    session: Session,
    *,
    entitlement_id: int,
    account_name: str,
    account_bank: str,
    account_no: str,
    disclose_amount: bool,
    actor: Actor,
) -> Entitlement:
    """The enterprise confirms it wants the award (意愿确认) and gives the account to pay into."""
    row, run = _owner_row(session, entitlement_id, actor)
    if not account_name.strip() or not account_bank.strip() or not account_no.strip():
        raise ValidationFailed(_("Give the account name, bank and account number."))
    digits = account_no.replace(" ", "")
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise ValidationFailed(_("The account number has 8 to 30 digits."))
    if len(account_name) > 200 or len(account_bank) > 200:
        raise ValidationFailed(_("The account name or bank is too long."))
    from plateau.db import utcnow

    row.status = "confirmed"
    row.account_name = account_name.strip()
    row.account_bank = account_bank.strip()
    row.account_no = digits
    row.disclose_amount = disclose_amount
    row.decided_at = utcnow()
    _audit(session, run, actor, "confirm", "", row)
    session.flush()
    return row


def decline(session: Session, *, entitlement_id: int, actor: Actor) -> Entitlement:
    """The enterprise declines the award."""
    row, run = _owner_row(session, entitlement_id, actor)
    from plateau.db import utcnow

    row.status = "declined"
    row.account_name = row.account_bank = row.account_no = ""
    row.decided_at = utcnow()
    _audit(session, run, actor, "decline", "", row)
    session.flush()
    return row


def record_payment(
    session: Session, *, entitlement_id: int, paid_date: date, voucher_no: str, actor: Actor
) -> Payment:
    """Record that a confirmed award was paid (拨付到账); the database refuses a second payment."""
    _require_admin(actor)
    row, run, _ent = _entitlement(session, entitlement_id, actor)
    if row.status != "confirmed":
        raise Conflict(_("Only an award the enterprise has confirmed can be paid."))
    voucher = voucher_no.strip()
    if not voucher or len(voucher) > 64:
        raise ValidationFailed(_("Give the payment voucher number (at most 64 characters)."))
    if paid_date > beijing_today() or (
        run.published_at is not None and paid_date < run.notice_from_date  # type: ignore[operator]
    ):
        raise ValidationFailed(_("The payment date must lie between the publication and today."))
    payment = Payment(
        policy_id=run.policy_id,
        rule_id=row.rule_id,
        enterprise_id=row.enterprise_id,
        once_key=row.once_key,
        year=run.year,
        entitlement_id=row.id,
        amount_cny=row.amount_cny,
        paid_date=paid_date,
        voucher_no=voucher,
        recorded_by=actor.username,
    )
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        raise Conflict(
            _("This award was already paid to the enterprise: it is never paid twice.")
        ) from None
    row.status = "paid"
    _audit(session, run, actor, "pay", f"{paid_date} {voucher} {row.amount_cny}", row)
    session.flush()
    return payment


# --- the enterprise's own view ---


@dataclass
class MyPolicies:
    """An enterprise's page: what it receives, could receive and what is missing."""

    year: int
    lines: list[Line]
    entitlements: list[EntitlementView]


def my_policies(session: Session, *, year: int, actor: Actor) -> MyPolicies:
    """Return the caller's enterprise's decisions for ``year`` and its entitlements of every run."""
    _require_user(actor)
    if actor.role is not Role.ENTERPRISE_USER:
        raise Forbidden(_("“My policies” is the page of an enterprise user."))
    lines = compute(session, year=year, actor=actor, uscc=actor.scope_value)
    enterprises = registry_service.enterprises_with_statuses(
        session, actor=actor, uscc=actor.scope_value
    )
    views: list[EntitlementView] = []
    if enterprises:
        rows = list(
            session.scalars(
                select(Entitlement)
                .join(PolicyRun, PolicyRun.id == Entitlement.run_id)
                .where(
                    Entitlement.enterprise_id == enterprises[0].id, PolicyRun.status != "computed"
                )
                .order_by(PolicyRun.year.desc(), Entitlement.id)
            )
        )
        runs = {
            r.id: r
            for r in session.scalars(
                select(PolicyRun).where(PolicyRun.id.in_({e.run_id for e in rows}))
            )
        }
        views = _views(session, runs, rows, actor)
    return MyPolicies(year=year, lines=lines, entitlements=views)


# --- exports ---


def payout_rows(session: Session, *, run_id: int, actor: Actor) -> list[dict[str, Any]]:
    """The payout list of a run (confirmed and paid awards) for the finance bureau."""
    out = []
    for v in run_entitlements(session, run_id=run_id, actor=actor):
        if v.row.status not in ("confirmed", "paid"):
            continue
        out.append(
            {
                "uscc": v.uscc,
                "enterprise": v.enterprise,
                "rule": v.rule_name_en if get_locale() == "en" else v.rule_name_zh,
                "amount_cny": v.row.amount_cny,
                "status": v.status_text(),
                "account_name": v.row.account_name,
                "account_bank": v.row.account_bank,
                "account_no": v.row.account_no,
                "paid_date": v.payment.paid_date if v.payment else None,
                "voucher_no": v.payment.voucher_no if v.payment else "",
                "difference_cny": v.difference_cny,
            }
        )
    return out


def shipped_text(policy_id: str) -> str:
    """The YAML text of a shipped policy (the starting point of a what-if draft)."""
    from importlib import resources

    get_policy(policy_id)
    source = shipped_policies()[policy_id].source
    return (resources.files("plateau.policy") / "policies" / source).read_text(encoding="utf-8")


def entitlement_view(
    session: Session, *, entitlement_id: int, actor: Actor
) -> tuple[EntitlementView, PolicyRun, Policy]:
    """One entitlement for its enterprise or an officer of its area (the 告知书)."""
    row, run, _ent = _entitlement(session, entitlement_id, actor)
    if actor.role is Role.ENTERPRISE_USER and run.status == "computed":
        raise NotFound(_("No such entitlement."))
    views = _views(session, {run.id: run}, [row], actor)
    if not views:
        raise NotFound(_("No such entitlement."))
    return views[0], run, get_policy(run.policy_id)


def notice_letter_pdf(session: Session, *, entitlement_id: int, actor: Actor) -> bytes:
    """The notice (告知书) of one entitlement as an A4 PDF in a CJK font."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    from plateau.i18n import HTML_LANG
    from plateau.web.templating import environment

    view, run, policy = entitlement_view(session, entitlement_id=entitlement_id, actor=actor)
    english = get_locale() == "en"
    html = (
        environment()
        .get_template("policy/letter.html")
        .render(
            v=view,
            run=run,
            policy=policy,
            money=money,
            document=policy.document_en if english and policy.document_en else policy.document_zh,
            issued=beijing_today().isoformat(),
            html_lang=HTML_LANG[get_locale()],
        )
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


# --- the 升规 pipeline ---

ABOVE_SIZE_THRESHOLD_CNY = 20_000_000  # 规模以上: annual main-business revenue ≥ 20 million CNY


@dataclass(frozen=True)
class Candidate:
    uscc: str
    name: str
    prefecture_code: str
    industry_id: str
    last_year: int
    last_revenue_cny: Decimal
    projected_cny: float
    probability: float
    award_cny: Decimal  # the first-time award it would receive (0 outside every policy)


@dataclass
class Pipeline:
    """Enterprises likely to enter the above-size statistics next year, and what it would cost."""

    year: int
    candidates: list[Candidate]
    expected_count: float
    expected_awards_cny: Decimal
    target: PlanTarget | None = None  # the plan's nearest 新增入规企业 target, where there is one


@dataclass
class PlanTarget:
    """The plan's 新增入规企业 target the pipeline contributes to, and where it stands."""

    year: int
    since_year: int | None
    target: float
    actual: float | None  # measured new above-size enterprises since ``since_year``
    expected_total: float | None  # actual + the pipeline's expected newcomers


NEW_ABOVE_SIZE = "new_enterprises_above_size"


def _new_above_size_target(
    session: Session, *, actor: Actor, year: int, expected: float
) -> PlanTarget | None:
    """The region's nearest 新增入规企业 target from ``year`` on, through the analytics service."""
    from plateau.monitoring.analytics import service as analytics_service

    try:
        rows = analytics_service.target_progress(session, actor=actor, scope="region")
    except (Forbidden, NotFound):
        return None
    ahead = sorted(
        (r for r in rows if r.indicator == NEW_ABOVE_SIZE and r.target_year >= year),
        key=lambda r: r.target_year,
    )
    if not ahead:
        return None
    row = ahead[0]
    total = None if row.actual is None else row.actual + expected
    return PlanTarget(row.target_year, row.since_year, row.target, row.actual, total)


def upgrade_pipeline(session: Session, *, actor: Actor, year: int | None = None) -> Pipeline:
    """Project who crosses 20 million CNY of revenue next year (monitoring projections), with P."""
    _require_user(actor)
    to_year = year or beijing_today().year
    crossings = monitoring_service.revenue_crossings(
        session, actor=actor, to_year=to_year, threshold_cny=ABOVE_SIZE_THRESHOLD_CNY
    )
    by_id = {
        e.id: e
        for e in registry_service.enterprises_with_statuses(session, actor=actor)
        if e.id in {c.enterprise_id for c in crossings}
    }
    candidates = []
    for c in crossings:
        e = by_id.get(c.enterprise_id)
        if e is None or any(s.kind == "above_designated_size" for s in e.statuses):
            continue
        # What the first-time award would be if it entered the statistics on 1 January.
        facts = Facts(
            uscc=e.uscc,
            prefecture_code=e.prefecture_code,
            industry_id=e.industry_id,
            gbt4754=e.gbt4754,
            statuses=(StatusFact("above_designated_size", date(to_year, 1, 1)),),
        )
        award = sum(
            (
                r.amount_cny
                for p in list_policies()
                if p.in_force(to_year)
                for r in engine.evaluate(p, facts, to_year)
                if r.rule.rule == "first_above_size"
            ),
            ZERO,
        )
        candidates.append(
            Candidate(
                e.uscc, e.name, e.prefecture_code, e.industry_id, c.last_year,
                c.last_revenue_cny, c.projected_cny, c.probability, award,
            )
        )  # fmt: skip
    expected = sum(c.probability for c in candidates)
    expected_awards = sum(
        (c.award_cny * Decimal(str(round(c.probability, 4))) for c in candidates), ZERO
    ).quantize(Decimal("0.01"))
    target = _new_above_size_target(session, actor=actor, year=to_year, expected=expected)
    return Pipeline(to_year, candidates, expected, expected_awards, target)


# --- what-if ---


@dataclass
class Group:
    key: str
    count: int = 0
    before_cny: Decimal = ZERO
    after_cny: Decimal = ZERO


@dataclass
class WhatIf:
    """A draft policy against the one in force: cost, gainers and losers, by place and industry."""

    policy: Policy
    year: int
    baseline: Policy | None
    total_before_cny: Decimal
    total_after_cny: Decimal
    requested_cny: Decimal
    budget_cny: Decimal | None
    gainers: list[tuple[str, str, Decimal, Decimal]]
    losers: list[tuple[str, str, Decimal, Decimal]]
    by_prefecture: list[Group]
    by_industry: list[Group]

    @property
    def over_budget(self) -> bool:
        return self.budget_cny is not None and self.requested_cny > self.budget_cny


def whatif(session: Session, *, policy: Policy, year: int, actor: Actor) -> WhatIf:
    """Compare a draft policy (or parameter change) with the shipped one over every visible enterprise."""
    _require_user(actor)
    if actor.role is Role.ENTERPRISE_USER:
        raise Forbidden(_("What-if is for the bureau's officers."))
    baseline = shipped_policies().get(policy.id)
    subjects = _subjects(session, year=year, actor=actor, with_payments=False)

    def amounts(p: Policy | None) -> tuple[dict[int, Decimal], Decimal]:
        if p is None or not p.in_force(year):
            return {}, ZERO
        results = [(s, r) for s in subjects for r in engine.evaluate(p, s.facts, year)]
        requested = engine.totals(r for _s, r in results)
        budgeted = engine.apply_budget(p, [r for _s, r in results])
        per: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for (s, _r), r in zip(results, budgeted, strict=True):
            per[s.id] += r.amount_cny
        return per, requested

    before, _req = amounts(baseline)
    after, requested = amounts(policy)
    gainers, losers = [], []
    pref: dict[str, Group] = {}
    ind: dict[str, Group] = {}
    for s in subjects:
        b, a = before.get(s.id, ZERO), after.get(s.id, ZERO)
        if a > b:
            gainers.append((s.uscc, s.name, b, a))
        elif a < b:
            losers.append((s.uscc, s.name, b, a))
        for groups, key in ((pref, s.prefecture_code), (ind, s.industry_id)):
            g = groups.setdefault(key, Group(key))
            g.before_cny += b
            g.after_cny += a
            g.count += 1 if (a or b) else 0
    return WhatIf(
        policy=policy,
        year=year,
        baseline=baseline,
        total_before_cny=sum(before.values(), ZERO),
        total_after_cny=sum(after.values(), ZERO),
        requested_cny=requested,
        budget_cny=policy.budget_cny,
        gainers=sorted(gainers, key=lambda g: g[2] - g[3]),
        losers=sorted(losers, key=lambda g: g[3] - g[2]),
        by_prefecture=sorted((g for g in pref.values() if g.count), key=lambda g: g.key),
        by_industry=sorted((g for g in ind.values() if g.count), key=lambda g: g.key),
    )
