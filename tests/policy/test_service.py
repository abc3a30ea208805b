"""The workflow on the database: run, exclude, publish, confirm, pay; never twice; corrections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.errors import Conflict, NotFound, ValidationFailed
from plateau.monitoring.models import MonthlyReturn
from plateau.policy import service
from plateau.policy.models import Payment
from tests.policy.builders import garment_maker, investment, leading, revenue
from tests.registry.builders import add_status

POLICY = "lhasa_garment_support"


def owner(ent_uscc: str) -> Actor:
    return Actor(role=Role.ENTERPRISE_USER, username="owner", scope=f"enterprise:{ent_uscc}")


def _world(session: Session) -> dict[str, object]:
    a = garment_maker(session, 1)
    leading(session, a)
    revenue(session, a, 2025, 8_000_000)
    investment(session, a, 2025, 6_000_000)
    b = garment_maker(session, 2)
    leading(session, b)
    revenue(session, b, 2025, 9_000_000, status="submitted")  # not approved: does not count
    c = garment_maker(session, 3)
    add_status(session, c, "above_designated_size", "2025-01-01")
    nagqu = garment_maker(session, 4, prefecture="540600")
    leading(session, nagqu)
    revenue(session, nagqu, 2025, 8_000_000)
    return {"a": a, "b": b, "c": c, "nagqu": nagqu}


def _entitlement(
    views: list[service.EntitlementView], uscc: str, rule: str
) -> service.EntitlementView:
    return next(v for v in views if v.uscc == uscc and v.row.rule_id == rule)


def test_run_lists_who_is_entitled_and_only_approved_returns_count(session: Session) -> None:
    w = _world(session)
    summary = service.run_policy(session, policy_id=POLICY, year=2025, actor=SYSTEM)
    got = {(line.uscc, line.rule_id): line.amount_cny for line in summary.lines}
    a, c = w["a"].uscc, w["c"].uscc  # type: ignore[attr-defined]
    assert got == {
        (a, "leading_revenue_support"): Decimal("400000.00"),
        (a, "investment_award"): Decimal("500000.00"),
        (c, "first_above_size_award"): Decimal("300000.00"),
    }
    assert summary.total_cny == Decimal("1200000.00")
    lines = service.compute(session, year=2025, actor=SYSTEM, uscc=w["b"].uscc)  # type: ignore[attr-defined]
    support = next(line for line in lines if line.rule_id == "leading_revenue_support")
    assert (support.amount_cny, support.reason) == (0, "no_revenue")


def test_the_whole_workflow_and_never_paying_twice(session: Session) -> None:
    w = _world(session)
    a_uscc = w["a"].uscc  # type: ignore[attr-defined]
    run_id = service.run_policy(session, policy_id=POLICY, year=2025, actor=SYSTEM).run_id
    assert run_id is not None
    views = service.run_entitlements(session, run_id=run_id, actor=SYSTEM)
    invest = _entitlement(views, a_uscc, "investment_award")
    support = _entitlement(views, a_uscc, "leading_revenue_support")
    with pytest.raises(ValidationFailed):
        service.exclude(session, entitlement_id=invest.row.id, reason=" ", actor=SYSTEM)
    service.exclude(session, entitlement_id=invest.row.id, reason="投资项目未验收", actor=SYSTEM)
    with pytest.raises(Conflict):  # not published yet
        service.confirm(
            session,
            entitlement_id=support.row.id,
            account_name="甲",
            account_bank="农行",
            account_no="6228480012345678",
            disclose_amount=False,
            actor=owner(a_uscc),
        )
    service.publish(session, run_id=run_id, actor=SYSTEM, today=date(2026, 3, 1))
    _run, _policy, notice = service.public_notice(session, run_id=run_id)
    assert {(n.enterprise, n.amount_cny) for n in notice} == {
        ("测试企业1", None),
        ("测试企业3", None),
    }
    with pytest.raises(Conflict):  # 2026-03-20 is after the seven-day notice period
        service.raise_objection(
            session, run_id=run_id, name="张三", contact="", text="异议", today=date(2026, 3, 20)
        )
    service.raise_objection(
        session, run_id=run_id, name="张三", contact="", text="异议", today=date(2026, 3, 2)
    )
    other = owner(w["c"].uscc)  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        service.confirm(
            session,
            entitlement_id=support.row.id,
            account_name="x",
            account_bank="y",
            account_no="6228480012345678",
            disclose_amount=True,
            actor=other,
        )
    service.confirm(
        session,
        entitlement_id=support.row.id,
        account_name="测试企业1",
        account_bank="农行拉萨分行",
        account_no="6228 4800 1234 5678",
        disclose_amount=True,
        actor=owner(a_uscc),
    )
    _run, _policy, notice = service.public_notice(session, run_id=run_id)
    assert ("测试企业1", Decimal("400000.00")) in {(n.enterprise, n.amount_cny) for n in notice}
    service.record_payment(
        session,
        entitlement_id=support.row.id,
        paid_date=date(2026, 3, 10),
        voucher_no="财拨2026-001",
        actor=SYSTEM,
    )
    with pytest.raises(Conflict):
        service.record_payment(
            session,
            entitlement_id=support.row.id,
            paid_date=date(2026, 3, 11),
            voucher_no="again",
            actor=SYSTEM,
        )
    actions = [a.action for a in service.audit_trail(session, run_id=run_id, actor=SYSTEM)]
    assert actions == ["run", "exclude", "publish", "object", "confirm", "pay"]
    # The database itself refuses a second payment of the same award for the same year.
    ent_id = w["a"].id  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(
            Payment(
                policy_id=POLICY,
                rule_id="leading_revenue_support",
                enterprise_id=ent_id,
                once_key="2025",
                year=2025,
                amount_cny=Decimal(1),
                paid_date=date(2026, 3, 12),
                voucher_no="x",
                recorded_by="test",
            )
        )
        session.flush()
    # A later run for the same year is refused once published; next year's decision says "already paid" only for once-awards.
    with pytest.raises(Conflict):
        service.run_policy(session, policy_id=POLICY, year=2025, actor=SYSTEM)


def test_a_correction_after_payment_shows_the_difference(session: Session) -> None:
    w = _world(session)
    a = w["a"]
    run_id = service.run_policy(session, policy_id=POLICY, year=2025, actor=SYSTEM).run_id
    assert run_id is not None
    support = _entitlement(
        service.run_entitlements(session, run_id=run_id, actor=SYSTEM),
        a.uscc,
        "leading_revenue_support",
    )  # type: ignore[attr-defined]
    service.publish(session, run_id=run_id, actor=SYSTEM, today=date(2026, 3, 1))
    service.confirm(
        session,
        entitlement_id=support.row.id,
        account_name="甲",
        account_bank="农行",
        account_no="6228480012345678",
        disclose_amount=False,
        actor=owner(a.uscc),
    )  # type: ignore[attr-defined]
    service.record_payment(
        session,
        entitlement_id=support.row.id,
        paid_date=date(2026, 3, 10),
        voucher_no="V1",
        actor=SYSTEM,
    )
    row = session.scalar(
        select(MonthlyReturn).where(
            MonthlyReturn.enterprise_id == a.id, MonthlyReturn.period == date(2025, 12, 1)
        )
    )  # type: ignore[attr-defined]
    assert row is not None
    row.revenue_cny = (row.revenue_cny or 0) - Decimal("600000")  # revised down after payment
    session.flush()
    mine = service.my_policies(session, year=2025, actor=owner(a.uscc))  # type: ignore[attr-defined]
    paid = next(v for v in mine.entitlements if v.row.rule_id == "leading_revenue_support")
    assert paid.row.status == "paid"
    assert paid.payment is not None and paid.payment.amount_cny == Decimal("400000.00")
    assert paid.difference_cny == Decimal("-30000.00")  # over-paid: 5 % of 600,000
    now = next(line for line in mine.lines if line.rule_id == "leading_revenue_support")
    assert now.reason == "already_paid"


def test_scopes(session: Session) -> None:
    w = _world(session)
    run_id = service.run_policy(session, policy_id=POLICY, year=2025, actor=SYSTEM).run_id
    assert run_id is not None
    nagqu_officer = Actor(role=Role.PREFECTURE_OFFICER, username="n", scope="prefecture:540600")
    assert service.run_entitlements(session, run_id=run_id, actor=nagqu_officer) == []
    lhasa = Actor(role=Role.PREFECTURE_OFFICER, username="l", scope="prefecture:540100")
    assert len(service.run_entitlements(session, run_id=run_id, actor=lhasa)) == 3
    with pytest.raises(NotFound):
        service.get_run(session, run_id=run_id, actor=owner(w["a"].uscc))  # type: ignore[attr-defined]
    lines = service.compute(session, year=2025, actor=owner(w["a"].uscc))  # type: ignore[attr-defined]
    assert {line.uscc for line in lines} == {w["a"].uscc}  # type: ignore[attr-defined]


def test_calculator_and_whatif(session: Session) -> None:
    w = _world(session)
    a = owner(w["a"].uscc)  # type: ignore[attr-defined]
    lines = service.calculate(
        session, year=2025, revenue_cny=Decimal(4_000_000), investment_cny=None, actor=a
    )
    support = next(line for line in lines if line.rule_id == "leading_revenue_support")
    assert support.amount_cny == Decimal("200000.00")
    from dataclasses import replace

    base = service.get_policy(POLICY)
    cheaper = replace(base, budget_cny=Decimal(600_000))
    result = service.whatif(session, policy=cheaper, year=2025, actor=SYSTEM)
    assert result.requested_cny == Decimal("1200000.00")
    assert result.over_budget
    assert result.total_after_cny == Decimal("600000.00")  # pro rata: every award halved
    assert len(result.losers) == 2 and not result.gainers
    assert [g.key for g in result.by_prefecture] == ["540100"]


def test_above_size_pipeline_projects_who_crosses_next_year(session: Session) -> None:
    rising = garment_maker(session, 61)
    flat = garment_maker(session, 62)
    for year, total in (
        (2022, 12_000_000),
        (2023, 14_500_000),
        (2024, 16_800_000),
        (2025, 19_300_000),
    ):
        revenue(session, rising, year, total)
        revenue(session, flat, year, 3_000_000 + (year % 2) * 100_000)
    pipeline = service.upgrade_pipeline(session, actor=SYSTEM, year=2026)
    found = {c.uscc: c for c in pipeline.candidates}
    assert rising.uscc in found and flat.uscc not in found
    assert 0.5 < found[rising.uscc].probability <= 1
    assert found[rising.uscc].award_cny == Decimal("300000.00")  # Lhasa garment: first-time award
    assert pipeline.expected_awards_cny > 0


def test_above_size_pipeline_counts_towards_the_plans_new_above_size_target(
    session: Session,
) -> None:
    # 2024 and 2025 are counted against "新增入规企业 15 家左右" (2022–2025); 2026 on against
    # "再新增入规企业 20 家" (2025–2030), both region targets of the 533 plan.
    for year, (target_year, target, since) in {
        2024: (2025, 15, 2022),
        2026: (2030, 20, 2025),
    }.items():
        pipeline = service.upgrade_pipeline(session, actor=SYSTEM, year=year)
        assert pipeline.target is not None
        assert (pipeline.target.year, pipeline.target.target, pipeline.target.since_year) == (
            target_year,
            target,
            since,
        )
        if pipeline.target.actual is not None:
            assert pipeline.target.expected_total == pytest.approx(
                pipeline.target.actual + pipeline.expected_count
            )
