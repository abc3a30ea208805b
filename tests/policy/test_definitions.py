"""The policy loader: what it refuses (with file and line) and what the shipped policy says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from plateau.plan.data import load_plan
from plateau.policy.definitions import PolicyLoadError, parse_policy, shipped_policies


def _shipped_text() -> str:
    root = resources.files("plateau.policy") / "policies"
    return (root / "lhasa_garment_support.yaml").read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_policy_loads() -> None:
    policy = shipped_policies()["lhasa_garment_support"]
    assert [r.id for r in policy.rules] == [
        "leading_revenue_support",
        "investment_award",
        "first_above_size_award",
    ]
    assert policy.parameters["investment_award_scale"].assumption
    assert not policy.parameters["leading_support_rate"].assumption


def test_the_policy_figures_are_the_plan_figures() -> None:
    plan = load_plan("lhasa_garment")
    policy = shipped_policies()["lhasa_garment_support"]
    on = date(2025, 1, 1)

    def value(pid: str) -> Decimal:
        v = policy.parameters[pid].at(on)
        assert v is not None and v.value is not None
        return v.value

    assert value("leading_support_rate") * 100 == Decimal(
        str(plan.incentive("leading_enterprise_support_rate").amount)
    )
    assert value("leading_support_cap") == Decimal(
        str(plan.incentive("leading_enterprise_support_cap").amount)
    )
    assert value("first_above_size_award") == Decimal(
        str(plan.incentive("first_time_above_size_award").amount)
    )
    award = plan.incentive("technology_upgrade_award")
    scale = policy.parameters["investment_award_scale"].at(on)
    assert scale is not None
    paid = [b.amount_cny for b in scale.brackets if b.amount_cny > 0]
    assert min(paid) == Decimal(str(award.amount))
    assert max(paid) == Decimal(str(award.amount_max))


def test_unordered_dates_are_refused_with_the_line() -> None:
    text = _shipped_text().replace(
        "        reference: 拉萨市服装产业高质量发展三年行动方案（2024—2026）二(五)：最高50万元\n",
        "        reference: 拉萨市服装产业高质量发展三年行动方案（2024—2026）二(五)：最高50万元\n"
        "      2023-01-01:\n        value: 400000\n        reference: earlier\n",
    )
    with pytest.raises(PolicyLoadError) as err:
        parse_policy(text, "p.yaml")
    assert err.value.source == "p.yaml"
    assert err.value.line == _line_of(text, "2023-01-01:")
    assert "increasing order" in err.value.message


def test_a_repeated_date_is_refused() -> None:
    text = _shipped_text().replace(
        "        reference: 拉萨市服装产业高质量发展三年行动方案（2024—2026）二(五)：最高50万元\n",
        "        reference: 拉萨市服装产业高质量发展三年行动方案（2024—2026）二(五)：最高50万元\n"
        "      2024-01-01:\n        value: 400000\n        reference: again\n",
        1,
    )
    # YAML keeps the last of two equal keys; the loader must not let that pass silently.
    with pytest.raises(PolicyLoadError):
        parse_policy(text, "p.yaml")


def test_a_value_without_reference_is_refused_with_the_line() -> None:
    text = _shipped_text().replace(
        "        reference: 拉萨市服装产业高质量发展三年行动方案（2024—2026）二(五)：首次升规入统的一次性奖励30万元\n",
        "",
    )
    with pytest.raises(PolicyLoadError) as err:
        parse_policy(text, "p.yaml")
    assert "no legal reference" in err.value.message
    assert err.value.line == _line_of(text, "value: 300000")


def test_an_unknown_parameter_is_refused_with_the_line() -> None:
    text = _shipped_text().replace("award: first_above_size_award", "award: first_award")
    with pytest.raises(PolicyLoadError) as err:
        parse_policy(text, "p.yaml")
    assert "unknown parameter 'first_award'" in err.value.message
    assert err.value.line == _line_of(text, "award: first_award")


def test_a_parameter_no_rule_uses_is_refused() -> None:
    text = _shipped_text() + (
        "  spare_award:\n    kind: amount\n    name_zh: 备用\n    name_en: Spare\n"
        "    values:\n      2024-01-01: {value: 1, reference: none}\n"
    )
    with pytest.raises(PolicyLoadError) as err:
        parse_policy(text, "p.yaml")
    assert "no rule uses it" in err.value.message
    assert err.value.line == _line_of(text, "spare_award:")


def test_an_unknown_rule_is_refused() -> None:
    text = _shipped_text().replace("rule: first_above_size", "rule: first_above_sized")
    with pytest.raises(PolicyLoadError) as err:
        parse_policy(text, "p.yaml")
    assert err.value.line == _line_of(text, "rule: first_above_sized")
