"""Projections with prediction intervals, and the probability of meeting a target.

Method (documented on the pages and in the report):

- The series is the indicator's annual values of the complete years observed (at least
  three). Money and volumes, and the levels behind growth rates, follow a **log-linear
  trend** (constant growth): ``ln y = a + b·year + ε``; counts and rates a **linear trend**
  ``y = a + b·year + ε``. Both are fitted by ordinary least squares.
- The prediction interval for a future year is the classical t interval of a new
  observation of a regression: ``ŷ ± t(n−2) · s · √(1 + 1/n + (x−x̄)²/Sxx)``, built in log
  space for log-linear trends and transformed back (so it is asymmetric around the median).
  The residual standard deviation ``s`` has a floor (2% in log space; 2% of the mean level
  and half a unit for counts) so a series that happens to lie on a line does not claim
  certainty.
- The probability of meeting a target ``T`` is ``P(Y ≥ T)`` under that same Student t
  predictive distribution. Targets on a sum of future values (e.g. new above-size
  enterprises 2023–2025) use the predictive distribution of the sum (a linear contrast).
- ``backtest`` fits through year t and projects t+1..t+3 on the history, and counts how
  often the 50%, 80% and 95% intervals held.

Pure Python (no numpy): the t distribution comes from the regularised incomplete beta.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Model = Literal["log", "linear"]
LEVELS: tuple[float, ...] = (0.5, 0.8, 0.95)
LOG_FLOOR = 0.02
REL_FLOOR = 0.02
MIN_POINTS = 3


# --- Student t distribution ---


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(ln_front + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Cumulative distribution function of Student's t with ``df`` degrees of freedom."""
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


@lru_cache(maxsize=4096)
def t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t (bisection on the cdf; accurate to 1e-10; memoised)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    if p == 0.5:
        return 0.0
    lo, hi = -1.0, 1.0
    while t_cdf(lo, df) > p:
        lo *= 2.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-10:
            break
    return (lo + hi) / 2.0


# --- the trend model ---


@dataclass(frozen=True)
class Fit:
    """An OLS trend fitted on (year, value) points."""

    model: Model
    n: int
    intercept: float
    slope: float
    s: float  # residual standard deviation (after the floor), in model space
    xbar: float
    sxx: float
    last_year: int

    @property
    def df(self) -> int:
        return max(self.n - 2, 1)

    def _fwd(self, y: float) -> float:
        return math.log(y) if self.model == "log" else y

    def _back(self, z: float) -> float:
        # Clamped: a wild extrapolation must not overflow (exp(700) is about 1e304).
        return math.exp(min(z, 700.0)) if self.model == "log" else z

    def mean(self, x: float) -> float:
        """Predicted value in model space."""
        return self.intercept + self.slope * x

    def scale(self, x: float) -> float:
        """Scale of the t predictive distribution of a new observation at ``x``."""
        return self.s * math.sqrt(1.0 + 1.0 / self.n + (x - self.xbar) ** 2 / self.sxx)

    def point(self, x: float) -> float:
        """The median prediction, back in the series' units."""
        return self._back(self.mean(x))

    def quantile(self, x: float, p: float) -> float:
        return self._back(self.mean(x) + t_ppf(p, self.df) * self.scale(x))

    def interval(self, x: float, level: float) -> tuple[float, float]:
        a = (1.0 - level) / 2.0
        return self.quantile(x, a), self.quantile(x, 1.0 - a)

    def prob_at_least(self, x: float, threshold: float) -> float:
        """P(value at ``x`` ≥ threshold) under the predictive distribution."""
        if self.model == "log" and threshold <= 0:
            return 1.0
        z = (self._fwd(threshold) - self.mean(x)) / self.scale(x)
        return 1.0 - t_cdf(z, self.df)

    def sum_distribution(self, xs: Sequence[float]) -> tuple[float, float]:
        """Mean and t scale of the sum of new observations at ``xs`` (linear model)."""
        h = len(xs)
        mean = sum(self.mean(x) for x in xs)
        contrast = sum(x - self.xbar for x in xs)
        var = self.s**2 * (h + h * h / self.n + contrast**2 / self.sxx)
        return mean, math.sqrt(var)


def fit(points: Iterable[tuple[int, float]], model: Model, *, unit: str = "") -> Fit | None:
    """Fit a trend; None with fewer than three points (or non-positive values for log)."""
    pts = sorted((int(x), float(y)) for x, y in points)
    if len(pts) < MIN_POINTS:
        return None
    if model == "log" and any(y <= 0 for _x, y in pts):
        model = "linear"
    xs = [float(x) for x, _y in pts]
    zs = [math.log(y) if model == "log" else y for _x, y in pts]
    n = len(pts)
    xbar = sum(xs) / n
    zbar = sum(zs) / n
    sxx = sum((x - xbar) ** 2 for x in xs)
    slope = sum((x - xbar) * (z - zbar) for x, z in zip(xs, zs, strict=True)) / sxx
    intercept = zbar - slope * xbar
    sse = sum((z - intercept - slope * x) ** 2 for x, z in zip(xs, zs, strict=True))
    s = math.sqrt(sse / max(n - 2, 1))
    if model == "log":
        floor = LOG_FLOOR
    else:
        floor = REL_FLOOR * sum(abs(y) for _x, y in pts) / n
        if unit == "count":
            floor = max(floor, 0.5)
        floor = max(floor, 1e-9)
    return Fit(model, n, intercept, slope, max(s, floor), xbar, sxx, pts[-1][0])


# --- projections of a target's progress measure ---


@dataclass(frozen=True)
class FanPoint:
    year: int
    point: float
    low50: float
    high50: float
    low80: float
    high80: float
    low95: float
    high95: float


@dataclass(frozen=True)
class Projection:
    """Where the progress measure is heading: the fan to the target year and P(meet)."""

    year: int
    point: float
    low80: float
    high80: float
    probability: float | None
    fan: tuple[FanPoint, ...]
    method: str
    n: int


def _fan_point(year: int, q: Callable[[float], float]) -> FanPoint:
    lo50, hi50 = q(0.25), q(0.75)
    lo80, hi80 = q(0.10), q(0.90)
    lo95, hi95 = q(0.025), q(0.975)
    return FanPoint(year, q(0.5), lo50, hi50, lo80, hi80, lo95, hi95)


def project_level(
    points: Iterable[tuple[int, float]],
    model: Model,
    *,
    to_year: int,
    transform: Callable[[int, float], float] | None = None,
    threshold: float | None = None,
    unit: str = "",
    nonnegative: bool = False,
) -> Projection | None:
    """Project a level series to ``to_year``; ``transform`` maps (year, level) to the measure.

    ``transform`` must increase with the level (a difference from a base, a growth rate);
    ``threshold`` is in the measure's units and the probability is P(measure ≥ threshold).
    ``nonnegative``: the level cannot fall below zero (counts, money, volumes, rates of a
    quantity), so the quantiles of a linear trend are clipped there; the probability of a
    threshold above zero is unchanged by the clipping.
    """
    f = fit(points, model, unit=unit)
    if f is None or to_year <= f.last_year:
        return None
    tr = transform or (lambda _y, v: v)

    def level(y: int, p: float) -> float:
        q = f.quantile(y, p)
        # + 0.0 turns a negative zero into zero.
        return max(q, 0.0) + 0.0 if nonnegative else q

    fan = tuple(
        _fan_point(y, lambda p, y=y: tr(y, level(y, p)))  # type: ignore[misc]
        for y in range(f.last_year + 1, to_year + 1)
    )
    last = fan[-1]
    probability = None
    if threshold is not None:
        probability = _prob_transformed(f, to_year, tr, threshold)
    method = "log-linear" if f.model == "log" else "linear"
    return Projection(
        to_year, last.point, last.low80, last.high80, probability, fan, method + " trend", f.n
    )


def _prob_transformed(
    f: Fit, year: int, tr: Callable[[int, float], float], threshold: float
) -> float:
    """P(tr(level) ≥ threshold): invert the increasing transform by bisection in model space."""
    m, sc = f.mean(year), f.scale(year)
    k = t_ppf(1.0 - 1e-9, f.df)

    def measure(z: float) -> float:
        return tr(year, f._back(z))

    lo, hi = m - k * sc, m + k * sc
    if measure(lo) >= threshold:
        return 1.0
    if measure(hi) < threshold:
        return 0.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if measure(mid) < threshold:
            lo = mid
        else:
            hi = mid
    return 1.0 - t_cdf(((lo + hi) / 2.0 - m) / sc, f.df)


def project_sum(
    points: Iterable[tuple[int, float]],
    *,
    to_year: int,
    observed: float,
    threshold: float | None = None,
    unit: str = "",
    start_year: int | None = None,
    nonnegative: bool = False,
) -> Projection | None:
    """Project a cumulative sum of a yearly flow: ``observed`` so far plus the years after
    ``start_year`` (default: the last observed year) up to ``to_year``.

    ``nonnegative``: the flow cannot be negative (a count of new things), so the sum never
    falls below what is observed and the quantiles are clipped there."""
    f = fit(points, "linear", unit=unit)
    first = max(f.last_year, start_year or f.last_year) if f else 0
    if f is None or to_year <= first:
        return None
    df = f.df
    fan: list[FanPoint] = []
    for y in range(first + 1, to_year + 1):
        mean, scale = f.sum_distribution([float(x) for x in range(first + 1, y + 1)])
        fan.append(
            _fan_point(
                y,
                lambda p, m=mean, s=scale: _floor(  # type: ignore[misc]
                    observed + m + t_ppf(p, df) * s, observed if nonnegative else None
                ),
            )
        )
    mean, scale = f.sum_distribution([float(x) for x in range(first + 1, to_year + 1)])
    probability = None
    if threshold is not None:
        probability = 1.0 - t_cdf((threshold - observed - mean) / scale, df)
    last = fan[-1]
    return Projection(
        to_year,
        last.point,
        last.low80,
        last.high80,
        probability,
        tuple(fan),
        "linear trend of the yearly flow",
        f.n,
    )


def _floor(value: float, floor: float | None) -> float:
    return value if floor is None else max(value, floor) + 0.0


# --- backtest ---


@dataclass(frozen=True)
class BacktestCase:
    series: str
    origin: int
    horizon: int
    actual: float
    point: float
    covered: dict[float, bool]


@dataclass(frozen=True)
class Coverage:
    level: float
    horizon: int | None  # None: all horizons
    cases: int
    held: int

    @property
    def rate(self) -> float | None:
        return self.held / self.cases if self.cases else None


def backtest_series(
    name: str,
    points: dict[int, float],
    model: Model,
    *,
    origins: Iterable[int],
    horizons: int = 3,
    unit: str = "",
) -> list[BacktestCase]:
    """Fit through each origin year and check the intervals of the next ``horizons`` years."""
    cases: list[BacktestCase] = []
    years = sorted(points)
    for t in origins:
        train = [(y, points[y]) for y in years if y <= t]
        f = fit(train, model, unit=unit)
        if f is None:
            continue
        for h in range(1, horizons + 1):
            y = t + h
            if y not in points:
                continue
            actual = points[y]
            if f.model == "log" and actual <= 0:
                continue
            covered = {}
            for level in LEVELS:
                lo, hi = f.interval(y, level)
                covered[level] = lo <= actual <= hi
            cases.append(BacktestCase(name, t, h, actual, f.point(y), covered))
    return cases


def coverage(cases: Sequence[BacktestCase], horizons: int = 3) -> list[Coverage]:
    """How often each interval held, per level, overall and per horizon."""
    out: list[Coverage] = []
    for level in LEVELS:
        held = sum(1 for c in cases if c.covered[level])
        out.append(Coverage(level, None, len(cases), held))
        for h in range(1, horizons + 1):
            mine = [c for c in cases if c.horizon == h]
            out.append(Coverage(level, h, len(mine), sum(1 for c in mine if c.covered[level])))
    return out
