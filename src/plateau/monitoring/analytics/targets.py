"""Targets, their trajectories, statuses, projections and decomposition to prefectures.

- **Target**: a plan figure of kind ``target`` (ranges count at their lower end, as in the
  plan's coherence check), or a prefecture's share of a region target (decomposition).
- **Progress measure**: what a target is compared with. Usually the indicator's value; for
  a target "since" a year (new enterprises 2023–2025, 1–2 new innovation carriers), the
  difference (stocks) or the sum (flows) since that year; for an average growth rate, the
  growth from the since year (or the plan's base year).
- **Trajectory** from the baseline to the target: geometric for money and volumes, linear
  for counts and rates, constant for average growth rates. The baseline is the plan's own
  (latest before the target), else the previous target, else the observed value of the
  plan's base year; targets "since" a year start from zero in that year.
- **Status** of a year: ``on_track`` when the progress measure is at least the trajectory,
  ``at_risk`` at 95% of it or more, else ``off_track``. For a year in progress, stocks are
  compared with the trajectory at that point of the year, and money and volumes by their
  year-end estimate: year to date × (last year ÷ last year's same months). Figures entered
  once a year and added up since a year (new green factories, …) are judged, until the year
  in progress is entered, on the years entered so far against the trajectory at the end of
  the last of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from plateau.monitoring.analytics.engine import IndicatorTable
from plateau.monitoring.analytics.indicators import Indicator
from plateau.monitoring.analytics.projection import (
    Model,
    Projection,
    project_level,
    project_sum,
)

Status = Literal["on_track", "at_risk", "off_track"]
STATUSES: tuple[Status, ...] = ("on_track", "at_risk", "off_track")
DECOMPOSABLE_KINDS = frozenset({"sum", "count", "status_count", "park_count", "new_members"})


@dataclass(frozen=True)
class Target:
    plan_id: str
    indicator: str
    scope: str
    year: int
    value: float
    value_max: float | None
    bound: str
    unit: str
    since_year: int | None
    source: str


@dataclass(frozen=True)
class Baseline:
    indicator: str
    scope: str
    year: int
    value: float


@dataclass(frozen=True)
class Anchor:
    year: int
    value: float
    source: Literal["plan_baseline", "previous_target", "data", "since", "none"]


@dataclass(frozen=True)
class Trajectory:
    shape: Literal["geometric", "linear", "constant"]
    start: Anchor
    end_year: int
    end_value: float

    def at(self, t: float) -> float | None:
        """The trajectory's value at time ``t`` (a year; fractions inside a year)."""
        if self.shape == "constant":
            return self.end_value
        if t < self.start.year:
            return None
        if t >= self.end_year or self.end_year == self.start.year:
            return self.end_value
        frac = (t - self.start.year) / (self.end_year - self.start.year)
        if self.shape == "geometric":
            return float(self.start.value * (self.end_value / self.start.value) ** frac)
        return self.start.value + (self.end_value - self.start.value) * frac


def status_of(actual: float | None, expected: float | None, *, at_risk: float) -> Status | None:
    """Classify an actual value against its trajectory value (direction: up)."""
    if actual is None or expected is None:
        return None
    if actual >= expected - 1e-9 * max(1.0, abs(expected)):
        return "on_track"
    if expected > 0 and actual >= at_risk * expected:
        return "at_risk"
    return "off_track"


def select_target(targets: Sequence[Target], year: int) -> Target | None:
    """The target a year works towards: the first due in or after it, else the last one."""
    ordered = sorted(targets, key=lambda t: t.year)
    for t in ordered:
        if t.year >= year:
            return t
    return ordered[-1] if ordered else None


def trajectory_for(
    target: Target,
    indicator: Indicator,
    *,
    all_targets: Sequence[Target],
    baselines: Sequence[Baseline],
    table: IndicatorTable,
    base_year: int,
) -> Trajectory | None:
    """The path from the target's baseline to the target."""
    if indicator.kind == "growth" or indicator.trajectory == "constant":
        base = target.since_year or indicator.base_year or base_year
        return Trajectory(
            "constant", Anchor(base, target.value, "since"), target.year, target.value
        )
    if target.since_year is not None:
        start = Anchor(target.since_year, 0.0, "since")
        return Trajectory("linear", start, target.year, target.value)
    earlier = [
        t
        for t in all_targets
        if t.indicator == target.indicator
        and t.scope == target.scope
        and t.since_year is None
        and t.year < target.year
    ]
    anchor: Anchor | None = None
    plan_base = [
        b
        for b in baselines
        if b.indicator == target.indicator and b.scope == target.scope and b.year < target.year
    ]
    if earlier:
        prev = max(earlier, key=lambda t: t.year)
        anchor = Anchor(prev.year, prev.value, "previous_target")
    elif plan_base:
        b = max(plan_base, key=lambda b: b.year)
        anchor = Anchor(b.year, b.value, "plan_baseline")
    else:
        observed = table.value(target.indicator, target.scope, base_year)
        if observed is not None and table.periods.get(base_year, None) is not None:
            anchor = Anchor(base_year, observed, "data")
    if anchor is None:
        # No baseline at all: only the target year itself can be judged.
        return Trajectory(
            "linear", Anchor(target.year, target.value, "none"), target.year, target.value
        )
    shape: Literal["geometric", "linear"] = (
        "geometric"
        if indicator.trajectory == "geometric" and anchor.value > 0 and target.value > 0
        else "linear"
    )
    return Trajectory(shape, anchor, target.year, target.value)


# --- the progress measure ---


def measure(table: IndicatorTable, indicator: Indicator, target: Target, year: int) -> float | None:
    """The value a target is judged on, in ``year`` (complete, or year to date)."""
    if year not in table.periods:
        return None
    scope = target.scope
    if indicator.kind == "growth":
        base = target.since_year or indicator.base_year
        return None if base is None else table.growth(indicator, scope, year, base)
    series = table.series(indicator.id, scope)
    if target.since_year is None:
        return series.get(year)
    since = target.since_year
    if year <= since:
        return 0.0 if year == since else None
    if indicator.accumulation == "flow":
        values = [series.get(t) for t in range(since + 1, year + 1)]
        known = [v for v in values if v is not None]
        return sum(known) if known else None
    now, then = series.get(year), series.get(since)
    if now is None or then is None:
        return None
    return now - then


def comparable(
    table: IndicatorTable,
    indicator: Indicator,
    target: Target,
    year: int,
) -> tuple[float | None, float]:
    """The measure of ``year`` to set against the trajectory, and the time to read it at.

    For a year in progress, money and volumes become a year-end estimate (read at the year's
    end); stocks are read at the point of the year reached.
    """
    period = table.periods.get(year)
    value = measure(table, indicator, target, year)
    if period is None or period.complete or value is None:
        return value, float(year)
    if (
        indicator.kind == "region_input"
        and indicator.accumulation == "flow"
        and target.since_year is not None
    ):
        # A figure entered once a year is judged at the end of the last year entered: the
        # year in progress has no figure until it is over, which is not falling behind.
        series = table.series(indicator.id, target.scope)
        entered = [t for t in range(target.since_year + 1, year + 1) if series.get(t) is not None]
        return value, float(entered[-1] if entered else target.since_year)
    if indicator.kind == "sum" and target.since_year is None:
        ytd = table.ytd.get((indicator.id, target.scope), {})
        now = ytd.get((year, period.month))
        before = ytd.get((year - 1, period.month))
        full = table.value(indicator.id, target.scope, year - 1)
        if now is None or not before or full is None:
            return None, float(year)
        return now * full / before, float(year)
    if indicator.kind in ("growth", "ratio"):
        return value, float(year)
    return value, (year - 1) + period.month / 12.0


@dataclass(frozen=True)
class YearStatus:
    year: int
    period: str
    actual: float | None  # the progress measure (year to date in a year in progress)
    compared: float | None  # what was compared (the year-end estimate for money)
    expected: float | None
    status: Status | None


def yearly_statuses(
    table: IndicatorTable,
    indicator: Indicator,
    target: Target,
    trajectory: Trajectory | None,
    *,
    at_risk: float,
) -> list[YearStatus]:
    """The status of every observed year from the baseline to the target year."""
    out: list[YearStatus] = []
    if trajectory is None:
        return out
    start = trajectory.start.year
    for year in table.years:
        if trajectory.shape != "constant" and (
            year < start or (year == start and trajectory.start.source != "none")
        ):
            continue
        if year > target.year:
            break
        if indicator.kind == "growth" and year <= (target.since_year or indicator.base_year or 0):
            continue
        actual = measure(table, indicator, target, year)
        compared, t = comparable(table, indicator, target, year)
        expected = trajectory.at(t)
        out.append(
            YearStatus(
                year,
                table.periods[year].label,
                actual,
                compared,
                expected,
                status_of(compared, expected, at_risk=at_risk),
            )
        )
    return out


def _model(indicator: Indicator) -> Model:
    return "linear" if indicator.trajectory == "linear" else "log"


def project(
    table: IndicatorTable, indicator: Indicator, target: Target
) -> tuple[Projection | None, float | None, float | None]:
    """Project the progress measure to the target year.

    Returns (projection, point, probability). When the target year is already observed
    the point is the observed measure and the probability 1 or 0.
    """
    complete = table.complete_years
    if not complete:
        return None, None, None
    # Only growth rates can fall below zero; every other measure is a count, an amount or a
    # share of something, and its projection is clipped at zero (never "-0 – 2").
    nonnegative = indicator.kind != "growth"
    last = complete[-1]
    if target.year <= last:
        observed = measure(table, indicator, target, target.year)
        if observed is None:
            return None, None, None
        return None, observed, 1.0 if observed >= target.value - 1e-9 else 0.0
    key = (indicator.id, target.scope)
    if indicator.kind == "growth":
        levels = table.levels.get(key, {})
        base = target.since_year or indicator.base_year
        if base is None or base not in levels or levels[base] <= 0:
            return None, None, None
        lb = levels[base]
        points = [(y, v) for y, v in levels.items() if y in complete and v > 0]

        def growth(y: int, level: float) -> float:
            if level <= 0:
                return -100.0
            return float(((level / lb) ** (1.0 / (y - base)) - 1.0) * 100.0)

        p = project_level(
            points, "log", to_year=target.year, transform=growth, threshold=target.value
        )
        return (p, p.point, p.probability) if p else (None, None, None)
    series = table.series(indicator.id, target.scope)
    points = [(y, v) for y, v in series.items() if y in complete and v is not None]
    if target.since_year is not None and indicator.accumulation == "flow":
        since = target.since_year
        observed = sum(v for y, v in points if since < y <= last)
        p = project_sum(
            points,
            to_year=target.year,
            observed=observed,
            threshold=target.value,
            unit=indicator.unit,
            start_year=max(last, since),
            nonnegative=nonnegative,
        )
        return (p, p.point, p.probability) if p else (None, None, None)
    if target.since_year is not None:
        then = series.get(target.since_year)
        if then is None or target.since_year > last:
            return None, None, None
        p = project_level(
            points,
            _model(indicator),
            to_year=target.year,
            transform=lambda _y, v: v - then,
            threshold=target.value,
            unit=indicator.unit,
            nonnegative=nonnegative,
        )
        return (p, p.point, p.probability) if p else (None, None, None)
    p = project_level(
        points,
        _model(indicator),
        to_year=target.year,
        threshold=target.value,
        unit=indicator.unit,
        nonnegative=nonnegative,
    )
    return (p, p.point, p.probability) if p else (None, None, None)


# --- decomposition to prefectures ---


def decomposable(indicator: Indicator) -> bool:
    """Whether a region target of this indicator can be split into prefecture targets."""
    return indicator.kind in DECOMPOSABLE_KINDS


def suggested_shares(
    table: IndicatorTable, indicator: Indicator, prefectures: Iterable[str], base_year: int
) -> dict[str, float]:
    """Shares in proportion to each prefecture's value in the base year (equal if none)."""
    codes = list(prefectures)
    values = {c: table.value(indicator.id, f"prefecture:{c}", base_year) or 0.0 for c in codes}
    total = sum(values.values())
    if total <= 0:
        return {c: 1.0 / len(codes) for c in codes} if codes else {}
    return {c: v / total for c, v in values.items()}


def allocate(total: float, shares: dict[str, float], unit: str) -> dict[str, float]:
    """Split ``total`` by ``shares``; counts become whole numbers that still add up."""
    raw = {c: total * s for c, s in shares.items()}
    if unit != "count":
        return raw
    whole = round(total)
    floors = {c: int(v) for c, v in raw.items()}
    left = whole - sum(floors.values())
    order = sorted(raw, key=lambda c: (raw[c] - floors[c], shares[c]), reverse=True)
    for c in order[: max(left, 0)]:
        floors[c] += 1
    return {c: float(v) for c, v in floors.items()}
