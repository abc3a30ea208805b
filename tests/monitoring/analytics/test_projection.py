"""The projection method: Student t, trend fits, intervals and probabilities, backtests."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plateau.monitoring.analytics import projection as pj

GROWING = [(2019, 100.0), (2020, 108.0), (2021, 121.0), (2022, 128.0), (2023, 142.0)]


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [(0.975, 1, 12.7062), (0.975, 5, 2.5706), (0.9, 10, 1.3722), (0.95, 30, 1.6973)],
)
def test_t_quantiles_match_the_tables(p: float, df: int, expected: float) -> None:
    assert pj.t_ppf(p, df) == pytest.approx(expected, abs=1e-3)
    assert pj.t_cdf(expected, df) == pytest.approx(p, abs=1e-4)
    assert pj.t_ppf(1 - p, df) == pytest.approx(-expected, abs=1e-3)


def test_log_linear_fit_recovers_constant_growth() -> None:
    points = [(2019 + i, 100.0 * 1.1**i) for i in range(5)]
    f = pj.fit(points, "log")
    assert f is not None and f.model == "log"
    assert math.exp(f.slope) == pytest.approx(1.1)
    assert f.point(2025) == pytest.approx(100 * 1.1**6)
    assert f.s == pj.LOG_FLOOR  # an exact line still has the floor's uncertainty


def test_too_few_points_give_no_fit() -> None:
    assert pj.fit([(2022, 1.0), (2023, 2.0)], "linear") is None


def test_non_positive_values_fall_back_to_a_linear_trend() -> None:
    f = pj.fit([(2020, 0.0), (2021, 1.0), (2022, 3.0)], "log")
    assert f is not None and f.model == "linear"


def test_interval_contains_the_point_and_widens_with_horizon() -> None:
    f = pj.fit(GROWING, "log")
    assert f is not None
    widths = []
    for year in (2024, 2025, 2026):
        lo80, hi80 = f.interval(year, 0.8)
        lo95, hi95 = f.interval(year, 0.95)
        assert lo95 < lo80 < f.point(year) < hi80 < hi95
        widths.append(hi80 - lo80)
    assert widths == sorted(widths)


def test_probability_of_the_median_is_a_half_and_falls_as_the_target_rises() -> None:
    f = pj.fit(GROWING, "log")
    assert f is not None
    assert f.prob_at_least(2025, f.point(2025)) == pytest.approx(0.5, abs=1e-6)
    lo, hi = f.interval(2025, 0.8)
    assert f.prob_at_least(2025, lo) == pytest.approx(0.9, abs=1e-6)
    assert f.prob_at_least(2025, hi) == pytest.approx(0.1, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=4, max_size=8),
    st.floats(min_value=0.5, max_value=2e6),
    st.floats(min_value=0.5, max_value=2e6),
)
def test_probability_is_monotone_in_the_target(values: list[float], t1: float, t2: float) -> None:
    points = [(2015 + i, v) for i, v in enumerate(values)]
    lo, hi = sorted((t1, t2))
    for model in ("log", "linear"):
        p = pj.project_level(points, model, to_year=2030, threshold=lo)  # type: ignore[arg-type]
        q = pj.project_level(points, model, to_year=2030, threshold=hi)  # type: ignore[arg-type]
        assert p is not None and q is not None
        assert p.probability is not None and q.probability is not None
        assert 0.0 <= q.probability <= p.probability + 1e-9 <= 1.0 + 1e-9
        assert p.low80 <= p.point <= p.high80


def test_projection_of_a_transformed_measure() -> None:
    # Growth since 2020 of a level growing 10% a year: the projection is about 10%.
    points = [(2019 + i, 100.0 * 1.1**i) for i in range(5)]

    def growth(y: int, level: float) -> float:
        return float(((level / 110.0) ** (1 / (y - 2020)) - 1) * 100)

    p = pj.project_level(points, "log", to_year=2025, transform=growth, threshold=9.0)
    assert p is not None
    assert p.point == pytest.approx(10.0, abs=0.01)
    assert p.low80 < 10.0 < p.high80
    assert p.probability is not None and 0.5 < p.probability < 1.0


def test_projection_of_a_sum_of_future_flows() -> None:
    points = [(2019, 3.0), (2020, 5.0), (2021, 4.0), (2022, 6.0), (2023, 5.0)]
    p = pj.project_sum(points, to_year=2025, observed=5.0, threshold=16.0)
    assert p is not None
    # 2024 and 2025 at the trend (about 6.1 and 6.6) on top of the 5 observed.
    f = pj.fit(points, "linear")
    assert f is not None
    assert p.point == pytest.approx(5.0 + f.mean(2024) + f.mean(2025))
    assert p.probability is not None and 0.4 < p.probability < 0.9
    assert [fp.year for fp in p.fan] == [2024, 2025]


def test_backtest_counts_how_often_intervals_held() -> None:
    points = {2015 + i: 100.0 * 1.08**i * (1.03 if i % 2 else 0.97) for i in range(10)}
    cases = pj.backtest_series("x", points, "log", origins=range(2018, 2024), horizons=3)
    assert cases and all(c.origin + c.horizon in points for c in cases)
    rows = pj.coverage(cases, 3)
    overall = {c.level: c for c in rows if c.horizon is None}
    assert overall[0.95].held >= overall[0.8].held >= overall[0.5].held
    assert overall[0.8].cases == len(cases)


# --- counts and amounts never project below zero (issue #3, defect 3) ---

SHRINKING = [(2019, 5.0), (2020, 4.0), (2021, 2.0), (2022, 1.0), (2023, 1.0)]


def _unsigned(v: float) -> bool:
    return v >= 0 and math.copysign(1.0, v) > 0


def test_a_count_heading_for_zero_is_clipped_at_zero() -> None:
    raw = pj.project_level(SHRINKING, "linear", to_year=2026, unit="count")
    assert raw is not None and raw.low80 < 0  # the trend alone goes below zero
    clipped = pj.project_level(
        SHRINKING, "linear", to_year=2026, unit="count", threshold=1.0, nonnegative=True
    )
    assert clipped is not None
    for f in clipped.fan:
        for v in (f.point, f.low50, f.high50, f.low80, f.high80, f.low95, f.high95):
            assert _unsigned(v), f
    # Clipping only lifts what lies below zero: here the whole 80% band does.
    assert clipped.low80 == 0.0 and clipped.high80 == max(raw.high80, 0.0)
    # Above zero the clipping changes nothing, the probability included.
    assert clipped.probability == pytest.approx(
        pj.project_level(SHRINKING, "linear", to_year=2026, unit="count", threshold=1.0).probability  # type: ignore[union-attr]
    )


def test_a_flow_sum_never_falls_below_what_is_observed() -> None:
    raw = pj.project_sum(SHRINKING, to_year=2026, observed=2.0, unit="count")
    assert raw is not None and raw.low80 < 2.0
    clipped = pj.project_sum(SHRINKING, to_year=2026, observed=2.0, unit="count", nonnegative=True)
    assert clipped is not None
    assert all(f.low95 >= 2.0 and f.low80 >= 2.0 for f in clipped.fan)
    assert clipped.high80 == max(raw.high80, 2.0)


def test_growth_rates_may_still_be_negative() -> None:
    falling = [(2019, 100.0), (2020, 90.0), (2021, 80.0), (2022, 72.0), (2023, 65.0)]
    p = pj.project_level(
        falling,
        "log",
        to_year=2025,
        transform=lambda y, v: ((v / 100.0) ** (1 / (y - 2019)) - 1) * 100,
        nonnegative=True,
    )
    assert p is not None and p.high80 < 0  # a growth rate below zero is not clipped


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (-0.3, "count", "0"),
        (-0.0, "count", "0"),
        (-0.001, "%", "0%"),
        (-0.4, "CNY", "0元"),
        (-0.4, "t", "0吨"),
        (-2.0, "count", "-2"),
        (-1.5, "%", "-1.5%"),
    ],
)
def test_no_negative_zero_is_printed(value: float, unit: str, expected: str) -> None:
    from plateau.formatting import fmt_value

    assert fmt_value(value, unit) == expected
