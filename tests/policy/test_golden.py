"""Golden cases: one YAML file per policy, each case an enterprise's facts and the expected decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from plateau.i18n import set_locale
from plateau.policy.definitions import Parameter, ParameterValue, Policy, shipped_policies
from plateau.policy.engine import evaluate
from plateau.policy.rules import Facts, StatusFact

GOLDEN = Path(__file__).parent / "golden"


def _cases() -> list[Any]:
    out = []
    for path in sorted(GOLDEN.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            out.append(pytest.param(doc["policy"], case, id=f"{path.stem}: {case['name']}"))
    return out


def _spread(total: Decimal) -> dict[int, Decimal]:
    month = (total / 12).quantize(Decimal("0.01"))
    months = dict.fromkeys(range(1, 12), month)
    months[12] = total - month * 11
    return months


def facts_of(raw: dict[str, Any]) -> Facts:
    """Build an enterprise's facts from a golden case (a Lhasa garment maker by default)."""
    revenue = raw.get("revenue_by_month") or (
        _spread(Decimal(str(raw["revenue"]))) if "revenue" in raw else {}
    )
    return Facts(
        uscc="91540100MA6T000001",
        prefecture_code=raw.get("prefecture", "540100"),
        industry_id="ethnic_handicraft",
        gbt4754=raw.get("gbt4754", "1819"),
        statuses=tuple(
            StatusFact(kind, start, end) for kind, start, end in raw.get("statuses", [])
        ),
        monthly_revenue={int(k): Decimal(str(v)) for k, v in revenue.items()},
        months_pending=raw.get("pending_months", 0),
        fixed_asset_investment=Decimal(str(raw["investment"])) if "investment" in raw else None,
        paid=tuple((rule, int(year)) for rule, year in raw.get("paid", [])),
    )


def amended(policy: Policy, amend: dict[str, dict[date, dict[str, Any]]]) -> Policy:
    params = dict(policy.parameters)
    for pid, values in amend.items():
        p: Parameter = params[pid]
        extra = tuple(
            ParameterValue(start, v["reference"], value=Decimal(str(v["value"])))
            for start, v in values.items()
        )
        params[pid] = replace(p, values=tuple(sorted(p.values + extra, key=lambda v: v.start)))
    return replace(policy, parameters=params)


@pytest.mark.parametrize(("policy_id", "case"), _cases())
def test_golden_case(policy_id: str, case: dict[str, Any]) -> None:
    set_locale("en")
    policy = shipped_policies()[policy_id]
    if case.get("amend"):
        policy = amended(policy, case["amend"])
    results = {r.rule.id: r for r in evaluate(policy, facts_of(case["facts"]), case["year"])}
    for rule_id, expected in case["expect"].items():
        outcome = results[rule_id].outcome
        assert outcome.reason == expected["reason"], [n.text() for n in outcome.notes]
        assert outcome.amount_cny == Decimal(str(expected["amount"]))
        assert outcome.assumption == expected.get("assumption", False)
        text = " ".join(n.text() for n in outcome.notes)
        for sentence in expected.get("says", []):
            assert sentence in text


def test_every_shipped_policy_has_golden_cases() -> None:
    files = {p.stem for p in GOLDEN.glob("*.yaml")}
    assert set(shipped_policies()) <= files
