"""Monthly history of every demo enterprise: yearly levels, then months, then returns.

Years first: each firm's output per year follows its industry's growth with its own noise,
anchored on its 2022 level (so 2022 matches the plan exactly) and shaped by what the firm
is meant to do (cross the above-size threshold in a given year, fall back below it, slump
recently). Months second: a year's output is spread over its months by the industry's
season, Losar, COVID-19 shutdowns and noise, so that the months add up to the year.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from plateau.demo.firms import ABOVE, BELOW, EARLY_EXIT, ENTRANT, Firm
from plateau.demo.profiles import (
    ABOVE_SIZE_REVENUE,
    BASE_YEAR,
    COVID,
    LOSAR,
    SEASON_TOURISM,
    WAN,
)

BELOW_CAP = 19.4e6  # below-size firms stay under the threshold unless meant to cross it
RAMP_MONTHS = 9  # a new plant reaches its run-rate over its first months


def month_add(d: date, n: int) -> date:
    """The first day of the month ``n`` months after ``d``'s month."""
    idx = d.year * 12 + d.month - 1 + n
    return date(idx // 12, idx % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every first-of-month from ``first`` to ``last`` inclusive."""
    out: list[date] = []
    cur = date(first.year, first.month, 1)
    while cur <= last:
        out.append(cur)
        cur = month_add(cur, 1)
    return out


def last_complete_month(today: date) -> date:
    """The month before ``today``'s month."""
    return month_add(date(today.year, today.month, 1), -1)


@dataclass
class Series:
    """One firm's monthly figures (floats until they become rows)."""

    firm: Firm
    months: list[date] = field(default_factory=list)
    output: list[float] = field(default_factory=list)
    revenue: list[float] = field(default_factory=list)
    value_added: list[float] = field(default_factory=list)
    exports: list[float] = field(default_factory=list)
    rd: list[float] = field(default_factory=list)
    employees: list[int] = field(default_factory=list)
    energy: list[float] = field(default_factory=list)
    water: list[float] = field(default_factory=list)
    volume: list[float | None] = field(default_factory=list)
    annual_output: dict[int, float] = field(default_factory=dict)
    annual_revenue: dict[int, float] = field(default_factory=dict)

    def revenue_in(self, year: int) -> float:
        return sum(r for m, r in zip(self.months, self.revenue, strict=True) if m.year == year)

    def output_in(self, year: int) -> float:
        return sum(o for m, o in zip(self.months, self.output, strict=True) if m.year == year)


def first_month(firm: Firm, start: date) -> date:
    """The first month a firm files a return: the month after it was founded, or ``start``."""
    return max(start, month_add(firm.founded, 1))


def _noise(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma))


def annual_revenue_path(rng: random.Random, firm: Firm, years: list[int]) -> dict[int, float]:
    """Yearly revenue run-rate (what a full year would bring) for every year of the window."""
    growth = firm.profile.growth
    sigma = 0.04 if firm.size == ABOVE else 0.07
    path: dict[int, float] = {}
    if firm.size in (ABOVE, BELOW):
        anchor = BASE_YEAR
        path[anchor] = firm.output_2022 * 0.98 if firm.size == ABOVE else firm.revenue_2022
    elif firm.size == EARLY_EXIT:
        anchor = years[0]
        path[anchor] = firm.level
    else:
        anchor = firm.founded.year
        path[anchor] = firm.level
    for y in range(anchor + 1, years[-1] + 1):
        rate = growth.get(y, 0.05)
        path[y] = path[y - 1] * (1 + rate) * _noise(rng, sigma)
    for y in range(anchor - 1, years[0] - 1, -1):
        rate = growth.get(y + 1, 0.05)
        path[y] = path[y + 1] / ((1 + rate) * _noise(rng, sigma))

    if firm.cross_year is not None and firm.cross_year <= BASE_YEAR:
        # Crossed on the way to 2022: below the threshold the year before, growing since.
        cy = firm.cross_year
        before = rng.uniform(16.5e6, 19.3e6)
        rate = (path[BASE_YEAR] / before) ** (1 / (BASE_YEAR - cy + 1))
        for y in range(BASE_YEAR - 1, years[0] - 1, -1):
            path[y] = (
                path[y + 1] / (rate * _noise(rng, 0.02))
                if y >= cy - 1
                else path[y + 1] / ((1 + growth.get(y + 1, 0.05)) * _noise(rng, sigma))
            )
            if y >= cy:
                path[y] = max(path[y], 20.6e6)
            elif y == cy - 1:
                path[y] = min(path[y], 19.3e6)
    elif firm.cross_year is not None:
        cy = firm.cross_year
        before = max(path[BASE_YEAR], rng.uniform(17.8e6, 19.3e6))
        after = rng.uniform(21.5e6, 27.0e6)
        span = cy - 1 - BASE_YEAR
        for i, y in enumerate(range(BASE_YEAR + 1, cy)):
            path[y] = path[BASE_YEAR] * (before / path[BASE_YEAR]) ** ((i + 1) / span)
        path[cy] = after
        for y in range(cy + 1, years[-1] + 1):
            path[y] = path[y - 1] * (1 + max(growth.get(y, 0.05), 0.03)) * _noise(rng, 0.03)
    elif firm.drop_year is not None:
        dy = firm.drop_year
        for y in range(BASE_YEAR + 1, dy):
            path[y] = max(21.0e6, path[y - 1] * rng.uniform(0.97, 1.03))
        path[dy] = rng.uniform(16.0e6, 19.0e6)
        for y in range(dy + 1, years[-1] + 1):
            path[y] = min(path[y - 1] * rng.uniform(0.95, 1.04), BELOW_CAP * 0.97)
    elif firm.size != ABOVE and "leader" not in firm.tags:
        for y in path:
            if path[y] > BELOW_CAP:
                path[y] = BELOW_CAP * rng.uniform(0.9, 0.99)
    return {y: path[y] for y in years}


def _losar_factor(year: int, month: int, pre_losar: float) -> float:
    losar = LOSAR.get(year)
    if losar is None:
        return 1.0
    if month == losar.month:
        return 0.86  # the holiday: plants stand still for a week or two
    if month == losar.month - 1:
        return pre_losar
    return 1.0


def _covid_factor(year: int, month: int, industry: str) -> float:
    f = COVID.get((year, month), 1.0)
    if industry == "tibetan_medicine" and f < 1.0:
        return 1.0 - (1.0 - f) * 0.5  # medicines kept moving (some were even in demand)
    return f


def build_series(
    rng: random.Random,
    firm: Firm,
    *,
    start: date,
    last_month: date,
    rev_ratio: float,
    revenue_path: dict[int, float] | None = None,
) -> Series:
    """Generate a firm's months, anchored on its yearly path (given, or drawn here)."""
    profile = firm.profile
    sub = firm.sub
    years = list(range(start.year, last_month.year + 1))
    if revenue_path is None:
        revenue_path = annual_revenue_path(rng, firm, years)
    first = first_month(firm, start)
    last = min(last_month, firm.exit_month) if firm.exit_month else last_month
    series = Series(firm=firm)
    if first > last:
        return series
    months = months_between(first, last)
    va_ratio = profile.value_added_ratio * rng.uniform(0.9, 1.1)
    productivity = profile.productivity * rng.uniform(0.75, 1.3)
    rd_share = rng.uniform(*profile.rd_share)
    if firm.size == BELOW and rng.random() < 0.4:
        rd_share = 0.0
    if "high_tech" in firm.tags:
        rd_share = max(rd_share, rng.uniform(0.03, 0.045))
    exporter = rng.random() < profile.exporter_share
    export_share = rng.uniform(*profile.export_share) if exporter else 0.0
    energy_int = profile.energy_tce_per_wan * rng.uniform(0.7, 1.3)
    water_int = profile.water_m3_per_wan * rng.uniform(0.7, 1.3)
    ratio_by_year = {y: rev_ratio * _noise(rng, 0.012) for y in years}

    # The output of each year, from the revenue path; 2022 for above-size firms is exact.
    annual_output: dict[int, float] = {}
    for y in years:
        annual_output[y] = revenue_path[y] / ratio_by_year[y]
    if firm.size == ABOVE:
        annual_output[BASE_YEAR] = firm.output_2022
        ratio_by_year[BASE_YEAR] = max(
            ratio_by_year[BASE_YEAR], (ABOVE_SIZE_REVENUE * 1.03) / firm.output_2022
        )
    series.annual_output = annual_output

    decline_start = (
        month_add(last_month, -(firm.decline_months - 1)) if firm.decline_depth else None
    )
    for y in years:
        weights = []
        for m in range(1, 13):
            w = sub.season[m - 1] * _losar_factor(y, m, profile.pre_losar)
            w *= _covid_factor(y, m, firm.industry) * _noise(rng, 0.06)
            weights.append(w)
        norm = sum(weights)
        year_months = [d for d in months if d.year == y]
        if not year_months:
            continue
        outs: list[float] = []
        for d in year_months:
            o = annual_output[y] * weights[d.month - 1] / norm
            age = (d.year - first.year) * 12 + d.month - first.month
            ramping = firm.size == ENTRANT or (first > start and firm.size != ABOVE)
            if ramping and age < RAMP_MONTHS:
                o *= 0.35 + 0.65 * age / RAMP_MONTHS
            if decline_start is not None and d >= decline_start:
                k = (d.year - decline_start.year) * 12 + d.month - decline_start.month
                o *= 1.0 - firm.decline_depth * min(1.0, (k + 1) / 2)
            outs.append(o)
        # Revenue follows output with a little timing noise, adding up to the year's ratio.
        rev_w = [o * _noise(rng, 0.04) for o in outs]
        total_rev = sum(outs) * ratio_by_year[y]
        revs = [total_rev * w / sum(rev_w) for w in rev_w]
        series.annual_revenue[y] = total_rev
        t = y - 2019
        price_year = (1 + profile.price_trend) ** (y - BASE_YEAR)
        for d, o, r in zip(year_months, outs, revs, strict=True):
            series.months.append(d)
            series.output.append(o)
            series.revenue.append(r)
            series.value_added.append(o * va_ratio * _noise(rng, 0.03))
            series.exports.append(r * export_share * _noise(rng, 0.2) if export_share else 0.0)
            rd_month = r * rd_share * (1.9 if d.month == 12 else 0.92) * _noise(rng, 0.15)
            series.rd.append(rd_month if rd_share else 0.0)
            season = SEASON_TOURISM[d.month - 1] if profile.tourism_staff else 1.0
            staff = annual_output[y] / (productivity * (1.03**t) * price_year)
            staff *= 1 + (0.35 if profile.tourism_staff else 0.05) * (season - 1)
            series.employees.append(max(3, round(staff * _noise(rng, 0.02))))
            heating = 1.15 if d.month in (11, 12, 1, 2, 3) else 1.0
            series.energy.append(o / WAN * energy_int * (0.97**t) * heating * _noise(rng, 0.05))
            series.water.append(o / WAN * water_int * (0.96**t) * _noise(rng, 0.06))
            series.volume.append(None)
    return series


def water_volumes(series: Series, price_per_t: float, drift: float) -> None:
    """Bottled water in tonnes from output at the firm's price per tonne; water used from it."""
    for i, (d, o) in enumerate(zip(series.months, series.output, strict=True)):
        price = price_per_t * (1 + drift) ** (d.year - BASE_YEAR)
        vol = o / price
        series.volume[i] = vol
        series.water[i] = vol * 1.38


def barley_volumes(series: Series, t_per_wan: float, deepening: float) -> None:
    """Highland barley processed in tonnes, from output; ``deepening`` raises it yearly."""
    for i, (d, o) in enumerate(zip(series.months, series.output, strict=True)):
        series.volume[i] = o / WAN * t_per_wan * (1 + deepening) ** (d.year - 2020)


def scale_volumes(all_series: list[Series], factor: float) -> None:
    for s in all_series:
        s.volume = [v * factor if v is not None else None for v in s.volume]


def above_size_years(series: Series, last_month: date) -> list[int]:
    """Complete years in which the firm's revenue reached the above-size threshold."""
    years = sorted({d.year for d in series.months})
    out = []
    for y in years:
        if y > last_month.year or (y == last_month.year and last_month.month < 12):
            continue
        if series.revenue_in(y) >= ABOVE_SIZE_REVENUE:
            out.append(y)
    return out
