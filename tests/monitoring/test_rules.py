"""Validation rules, outlier scores and periods, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from plateau.formatting import BEIJING
from plateau.i18n import set_locale
from plateau.monitoring import outliers
from plateau.monitoring.elements import catalog, parse_catalog
from plateau.monitoring.periods import Period, PeriodError, deadline, parse_period
from plateau.monitoring.rules import Subject, evaluate, parse_rules, ruleset

FIRST = Period(2019, 1)
TODAY = date(2025, 12, 20)
OCT = Period(2025, 10)


def subject(values: dict[str, Any], *, industry: str = "agri_food", **kw: Any) -> Subject:
    period = kw.pop("period", OCT)
    return Subject(
        industry_id=industry,
        period=period,
        elements=catalog().for_return(period.frequency, industry),
        values={k: None if v is None else Decimal(str(v)) for k, v in values.items()},
        **kw,
    )


CORE = {"output_value": 1_000_000, "revenue": 950_000, "value_added": 300_000, "employees": 20}


def rules_of(findings: list[Any]) -> list[tuple[str, str, str | None]]:
    return [(f.rule, f.severity, f.element) for f in findings]


# --- outliers: the modified z-score on the MAD, computed by hand ---


def test_median_and_mad_by_hand() -> None:
    # sorted 1 2 3 4 100: median 3; |x - 3| = 2 1 0 1 97 -> sorted 0 1 1 2 97: MAD 1
    assert outliers.median([4, 1, 100, 3, 2]) == 3
    assert outliers.mad([4, 1, 100, 3, 2]) == 1
    # even count: the mean of the two middle values
    assert outliers.median([1, 2, 3, 4]) == 2.5


def test_modified_z_score_by_hand() -> None:
    sample = [100, 102, 98, 101, 99, 100, 103, 97]
    # sorted 97 98 99 100 100 101 102 103: median 100
    # |x - 100| = 0 2 2 1 1 0 3 3 -> sorted 0 0 1 1 2 2 3 3: MAD (1 + 2) / 2 = 1.5
    high = outliers.modified_z(110, sample)
    assert high is not None
    assert (high.median, high.mad, high.n) == (100, 1.5, 8)
    assert high.z == pytest.approx(0.6745 * 10 / 1.5)  # 4.497
    assert high.exceeds(3.5)
    near = outliers.modified_z(106, sample)
    assert near is not None and near.z == pytest.approx(2.698) and not near.exceeds(3.5)
    low = outliers.modified_z(90, sample)
    assert low is not None and low.z == pytest.approx(-4.497, abs=1e-3) and low.exceeds(3.5)


def test_a_sample_without_spread_gives_no_score() -> None:
    assert outliers.modified_z(7, [5, 5, 5, 5]) is None
    assert outliers.modified_z(7, []) is None


# --- rules declared in rules.yaml ---


def test_clean_figures_pass_every_rule() -> None:
    assert evaluate(subject(CORE), stage="submit") == []


def test_negative_figures_and_fractional_heads_are_errors() -> None:
    found = evaluate(subject(CORE | {"exports": -5, "employees": "20.5"}), stage="save")
    assert rules_of(found) == [
        ("non_negative", "error", "exports"),
        ("whole_numbers", "error", "employees"),
    ]
    assert found[0].message == "出口交货值不得为负数（-5）。"
    assert found[1].message == "从业人员期末人数必须为整数，不能是20.5。"


def test_value_added_above_output_is_an_error_naming_both_figures() -> None:
    [found] = evaluate(subject(CORE | {"value_added": 1_200_000}), stage="save")
    assert (found.rule, found.severity, found.element) == (
        "value_added_within_output",
        "error",
        "value_added",
    )
    assert found.message == "工业增加值（120万元）不得超过工业总产值（100万元）。"
    set_locale("en")
    [found] = evaluate(subject(CORE | {"value_added": 1_200_000}), stage="save")
    assert found.message == (
        "Industrial value added (CNY 1.20 m) must not exceed "
        "Gross output value at current prices (CNY 1.00 m)."
    )


def test_required_figures_are_checked_on_submission_only() -> None:
    partial = {"output_value": 1_000_000}
    assert evaluate(subject(partial), stage="save") == []
    found = evaluate(subject(partial), stage="submit")
    assert rules_of(found) == [
        ("required_core", "error", "revenue"),
        ("required_core", "error", "value_added"),
        ("required_core", "error", "employees"),
    ]


def test_exports_above_revenue_is_a_warning() -> None:
    [found] = evaluate(subject(CORE | {"exports": 960_000}), stage="save")
    assert (found.rule, found.severity, found.key) == (
        "exports_within_revenue",
        "warning",
        "exports_within_revenue:exports",
    )


def test_year_on_year_change_beyond_the_threshold_is_a_warning() -> None:
    history = {Period(2024, 10): {"output_value": Decimal(1_000_000), "revenue": Decimal(600_000)}}
    found = evaluate(subject(CORE | {"output_value": 1_600_000}, history=history), stage="save")
    assert rules_of(found) == [
        ("yoy_change", "warning", "output_value"),
        ("yoy_change", "warning", "revenue"),
    ]
    assert found[0].message == ("工业总产值比上年同月变动+60.0%（100万元 → 160万元），超过±50%。")
    # 950,000 against 600,000 is +58.3 %
    assert "+58.3%" in found[1].message
    # Within the threshold, or against a tiny base: nothing.
    calm = {Period(2024, 10): {"output_value": Decimal(800_000), "revenue": Decimal(50_000)}}
    assert evaluate(subject(CORE, history=calm), stage="save") == []


def _months_before(
    p: Period, values: list[int], element: str = "output_value"
) -> dict[Period, dict[str, Decimal | None]]:
    return {p.add_months(-(i + 1)): {element: Decimal(v)} for i, v in enumerate(values)}


def test_an_outlier_against_the_enterprises_own_last_24_months_is_a_warning() -> None:
    own = [1_000_000 + (i % 5 - 2) * 20_000 for i in range(24)]  # 960k … 1,040k
    history = _months_before(OCT, own)
    # median 1,000,000; |x - median| in {0, 20k, 40k} -> MAD 20,000
    found = evaluate(subject(CORE | {"output_value": 1_200_000}, history=history), stage="save")
    outlier = [f for f in found if f.rule == "outlier_own_history"]
    assert rules_of(outlier) == [("outlier_own_history", "warning", "output_value")]
    assert outlier[0].detail["z"] == pytest.approx(0.6745 * 200_000 / 20_000)
    assert outlier[0].detail["n"] == 24
    assert "中位数为100万元" in outlier[0].message and "+6.7" in outlier[0].message
    # An ordinary month, or too short a history (under 12 months), raises nothing.
    assert not [
        f
        for f in evaluate(
            subject(CORE | {"output_value": 1_030_000}, history=history), stage="save"
        )
        if f.rule == "outlier_own_history"
    ]
    short = _months_before(OCT, own[:11])
    assert not [
        f
        for f in evaluate(subject(CORE | {"output_value": 1_200_000}, history=short), stage="save")
        if f.rule == "outlier_own_history"
    ]


def test_an_outlier_among_industry_peers_is_a_warning() -> None:
    # Output per employee of six peers: 48k … 53k, median 50.5k.
    peers = [
        {"output_value": Decimal(r * 20), "employees": Decimal(20)}
        for r in (48_000, 49_000, 50_000, 51_000, 52_000, 53_000)
    ]
    odd = CORE | {"output_value": 2_000_000, "value_added": 600_000}  # 100k per person
    [found] = [
        f
        for f in evaluate(subject(odd, peers=peers), stage="save")
        if f.rule == "outlier_industry_peers"
    ]
    # |r - 50.5k| = 2.5k 1.5k 0.5k 0.5k 1.5k 2.5k -> MAD 1.5k; z = 0.6745 * 49.5k / 1.5k
    assert found.detail["z"] == pytest.approx(0.6745 * 49_500 / 1_500)
    assert found.element == "output_value"
    assert "6家同行业企业" in found.message
    # Fewer than five peers: no comparison.
    assert not [
        f
        for f in evaluate(subject(odd, peers=peers[:4]), stage="save")
        if f.rule == "outlier_industry_peers"
    ]


def test_annual_returns_have_their_own_elements_and_skip_monthly_comparisons() -> None:
    annual = Period(2024)
    values = {"total_assets": 5_000_000, "rd_personnel": "3.5"}
    found = evaluate(subject(values, period=annual), stage="submit")
    assert rules_of(found) == [("whole_numbers", "error", "rd_personnel")]


# --- the declarations themselves are checked ---


def test_unknown_rule_kinds_and_elements_are_refused() -> None:
    cat = catalog()
    with pytest.raises(ValueError, match="unknown kind"):
        parse_rules({"rules": [{"id": "x", "kind": "magic"}]}, cat)
    with pytest.raises(ValueError, match="unknown data element"):
        parse_rules({"rules": [{"id": "x", "kind": "non_negative", "elements": ["gold"]}]}, cat)
    with pytest.raises(ValueError, match="parameter op"):
        parse_rules(
            {"rules": [{"id": "x", "kind": "compare", "left": "revenue", "right": "exports"}]}, cat
        )


def test_a_column_shared_by_elements_of_one_industry_is_refused() -> None:
    element = {
        "name_zh": "甲",
        "name_en": "A",
        "unit": "t",
        "kind": "quantity",
        "storage": "column:product_volume_t",
        "frequency": "monthly",
    }
    with pytest.raises(ValueError, match="shared"):
        parse_catalog(
            {
                "elements": [
                    element | {"id": "a", "industries": ["brewing"]},
                    element | {"id": "b", "industries": ["brewing", "agri_food"]},
                ]
            }
        )


def test_the_shipped_declarations_cover_the_issue() -> None:
    cat = catalog()
    for element in (
        "output_value",
        "revenue",
        "value_added",
        "employees",
        "exports",
        "energy_tce",
        "water_m3",
        "rd_spending",
        "drinking_water_volume",
        "highland_barley_processed",
    ):
        assert element in cat.elements
    assert {r.kind for r in ruleset().rules} >= {
        "non_negative",
        "compare",
        "integer",
        "unique_period",
        "yoy_change",
        "outlier_history",
        "outlier_peers",
    }
    assert [
        e.id for e in cat.for_return("monthly", "drinking_water") if e.column == "product_volume_t"
    ] == ["drinking_water_volume"]


# --- periods ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-10", Period(2025, 10)),
        ("2025-1", Period(2025, 1)),
        ("2025/10", Period(2025, 10)),
        ("202510", Period(2025, 10)),
        ("2025年10月", Period(2025, 10)),
        ("2025-10-01", Period(2025, 10)),
        ("2024", Period(2024)),
        ("2024年", Period(2024)),
    ],
)
def test_periods_are_read_in_their_usual_spellings(text: str, expected: Period) -> None:
    assert parse_period(text, today=TODAY, first=FIRST) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Oct 2025", "“Oct 2025”不是报告期：月报写作YYYY-MM（如2026-09），年报写作YYYY。"),
        ("2025-13", "“2025-13”不是报告期：没有第13月。"),
        ("2018-12", "报告期2018-12未知：平台自2019-01起收集报表。"),
        ("2025-12", "报告期2025-12尚未结束：报表在期后填报，目前最近可填报的是2025-11。"),
        ("2025", "报告期2025尚未结束：报表在期后填报，目前最近可填报的是2024。"),
        ("", "缺少报告期：月报写作YYYY-MM（如2026-09），年报写作YYYY。"),
    ],
)
def test_bad_periods_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, today=TODAY, first=FIRST)
    assert caught.value.message == message


def test_deadlines_are_the_end_of_the_due_day_in_beijing() -> None:
    due = deadline(OCT, monthly_due_day=15, annual_due=(3, 31))
    assert due.astimezone(BEIJING).isoformat() == "2025-11-15T23:59:59+08:00"
    due_year = deadline(Period(2024), monthly_due_day=15, annual_due=(3, 31))
    assert due_year.astimezone(BEIJING).date() == date(2025, 3, 31)
    assert Period(2025, 12).add_months(1) == Period(2026, 1)
    assert [str(p) for p in Period(2025, 3).year_to_date()] == ["2025-01", "2025-02", "2025-03"]
