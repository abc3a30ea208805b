"""Input and output models of indicators and targets."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["on_track", "at_risk", "off_track"]


class IndicatorRecord(BaseModel):
    """The stable record of ``plateau indicators`` and ``GET /api/monitoring/analytics/indicators``.

    ``value`` is in ``unit`` (CNY, count, %, t); for a target "since" a year or a growth
    target it is the indicator's own value (the status compares the progress measure).
    """

    indicator: str
    scope: str
    period: str
    value: float | None
    unit: str
    target: float | None
    target_year: int | None
    status: Status | None
    projection: float | None
    probability: float | None


class IndicatorDefinition(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    element: str | None
    population: str
    industries: tuple[str, ...]
    statuses: tuple[str, ...]
    trajectory: str
    monthly: bool
    scopes: tuple[str, ...]


class ScopeRead(BaseModel):
    id: str
    kind: str
    name: str


class FanPointRead(BaseModel):
    year: int
    point: float
    low50: float
    high50: float
    low80: float
    high80: float
    low95: float
    high95: float


class YearStatusRead(BaseModel):
    year: int
    period: str
    actual: float | None
    compared: float | None
    expected: float | None
    status: Status | None


class TargetProgress(BaseModel):
    """One target of one scope: baseline, where it stands, its status and projection."""

    plan_id: str
    indicator: str
    indicator_name: str
    scope: str
    scope_name: str
    unit: str
    above_size: bool
    target_year: int
    target: float
    target_max: float | None
    bound: str
    since_year: int | None
    source: str
    measure: str  # level | difference | cumulative | growth
    baseline_year: int | None
    baseline: float | None
    baseline_source: str | None
    period: str | None
    actual: float | None
    compared: float | None
    expected: float | None
    completion_pct: float | None
    status: Status | None
    projection: float | None
    projection_low: float | None
    projection_high: float | None
    probability: float | None
    method: str | None
    computable: bool
    yearly: list[YearStatusRead] = Field(default_factory=list)
    fan: list[FanPointRead] = Field(default_factory=list)


class SeriesPoint(BaseModel):
    year: int
    period: str
    value: float | None
    trajectory: float | None


class ChartSeries(BaseModel):
    """An indicator's trend for a chart: values, trajectory, projection fan, targets."""

    indicator: str
    indicator_name: str
    scope: str
    unit: str
    measure: str
    points: list[SeriesPoint]
    fan: list[FanPointRead]
    targets: list[tuple[int, float]]


class MonthRow(BaseModel):
    month: str
    value: float | None
    previous: float | None
    change_pct: float | None
    ytd_period: str
    ytd: float | None
    previous_ytd: float | None
    ytd_change_pct: float | None


class MonthlyRead(BaseModel):
    indicator: str
    indicator_name: str
    scope: str
    unit: str
    year: int
    rows: list[MonthRow]


class BreakdownRow(BaseModel):
    scope: str
    kind: str
    name: str
    values: dict[str, float | None]
    share_pct: float | None
    growth_pct: float | None


class Breakdown(BaseModel):
    title_key: str
    year: int
    period: str
    indicators: list[str]
    rows: list[BreakdownRow]


class DecliningEnterprise(BaseModel):
    uscc: str
    name: str
    industry: str
    prefecture: str
    months: int  # consecutive months down by more than the threshold, up to the last month
    latest_period: str
    latest: float
    previous: float
    change_pct: float


class LateFiler(BaseModel):
    uscc: str
    name: str
    prefecture: str
    park: str | None
    period: str
    state: Literal["missing", "draft"]
    last_filed: str | None


class WarningsRead(BaseModel):
    as_of: str | None
    last_month: str
    decline_share: float
    decline_months: int
    off_track: list[TargetProgress]
    declining: list[DecliningEnterprise]
    late_filers: list[LateFiler]
    outliers: list[dict[str, Any]] | None  # None: the returns module does not expose them


class ShareRow(BaseModel):
    prefecture: str
    name: str
    baseline: float | None
    suggested_pct: float | None
    share_pct: float | None
    target: float | None
    target_max: float | None
    actual: float | None
    status: Status | None


class DecompositionRead(BaseModel):
    plan_id: str
    indicator: str
    indicator_name: str
    unit: str
    target_year: int
    region_target: float
    region_target_max: float | None
    bound: str
    since_year: int | None
    base_year: int
    rows: list[ShareRow]
    shares_set: bool
    share_sum_pct: float | None
    target_sum: float | None
    difference: float | None
    consistent: bool | None
    message: str
    set_by: str | None
    set_at: datetime | None


class DecomposableTarget(BaseModel):
    plan_id: str
    indicator: str
    indicator_name: str
    target_year: int
    shares_set: bool


class SharesInput(BaseModel):
    """Shares in percent by prefecture code; they must add up to 100."""

    model_config = ConfigDict(extra="forbid")

    shares: dict[str, float]


class CoverageRead(BaseModel):
    level: float
    horizon: int | None
    cases: int
    held: int
    rate: float | None


class BacktestRead(BaseModel):
    method: str
    origins: list[int]
    series: int
    cases: int
    coverage: list[CoverageRead]
