"""The demo world holds what the incentive policies read, and Lhasa's garment rules pay out on it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from plateau.demo.generator import World
from plateau.policy.definitions import shipped_policies
from plateau.policy.engine import evaluate
from plateau.policy.rules import Facts, StatusFact


def _facts(world: World, year: int) -> list[Facts]:
    statuses = defaultdict(list)
    for s in world.statuses:
        statuses[s["enterprise_key"]].append(
            StatusFact(s["kind"], s["valid_from"], s["valid_to"], s["level"], s["certificate_no"])
        )
    revenue: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for r in world.returns:
        if r["period"].year == year and r["status"] in ("approved", "locked") and r["revenue_cny"]:
            revenue[r["enterprise_key"]][r["period"].month] = r["revenue_cny"]
    invested = {
        a["enterprise_key"]: a["fixed_asset_investment"]
        for a in world.annual_returns
        if a["year"] == year
    }
    return [
        Facts(
            uscc=e["uscc"],
            prefecture_code=e["prefecture_code"],
            industry_id=e["industry_id"],
            gbt4754=e["gbt4754"],
            statuses=tuple(statuses[e["key"]]),
            monthly_revenue=revenue[e["key"]],
            fixed_asset_investment=invested.get(e["key"]),
        )
        for e in world.enterprises
    ]


def test_the_world_has_leading_enterprises_investment_and_a_restricted_firm(world: World) -> None:
    leading = [s for s in world.statuses if s["kind"] == "leading_enterprise"]
    assert any(s["valid_from"] == date(2025, 7, 1) for s in leading)  # a mid-year designation
    assert {s["level"] for s in leading} == {"prefecture", "regional"}
    assert any(s["kind"] == "credit_restricted" for s in world.statuses)
    holders = {s["enterprise_key"] for s in leading}
    assert {a["enterprise_key"] for a in world.annual_returns} <= holders
    assert all(a["fixed_asset_investment"] > 0 for a in world.annual_returns)


def test_lhasa_garment_rules_pay_out_on_the_demo_world(world: World) -> None:
    policy = shipped_policies()["lhasa_garment_support"]
    paid: dict[str, list[Decimal]] = defaultdict(list)
    reasons: set[str] = set()
    for year in (2024, 2025):
        for facts in _facts(world, year):
            for r in evaluate(policy, facts, year):
                reasons.add(r.outcome.reason)
                if r.outcome.entitled:
                    paid[r.rule.id].append(r.amount_cny)
    assert set(paid) == {"leading_revenue_support", "investment_award", "first_above_size_award"}
    assert all(a <= Decimal(500_000) for a in paid["leading_revenue_support"])
    assert len(paid["first_above_size_award"]) == 2  # the plant in 2024, the leader in 2025
    assert {"credit_restricted", "outside_scope", "not_leading"} <= reasons
