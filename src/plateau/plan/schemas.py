"""Input and output models of the plan domain."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["baseline", "target"]
Bound = Literal["min", "approx", "exact"]


def plain_number(value: Decimal | None) -> int | float | None:
    """Return a Decimal as an int when whole (7500000000), else a float (17.8)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class FigureRecord(BaseModel):
    """The stable record of ``plateau plan targets`` and ``GET /api/plan/targets``."""

    indicator: str
    scope: str
    year: int
    kind: Kind
    value: int | float
    value_max: int | float | None
    bound: Bound
    unit: str
    source: str


class FigureRead(FigureRecord):
    """A figure with the context a page shows beside it."""

    model_config = ConfigDict(from_attributes=True)

    plan_id: str
    since_year: int | None
    text_zh: str
    indicator_name: str = ""


class IndicatorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    plan_id: str
    code: str
    name_zh: str
    name_en: str
    unit: str
    direction: str


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title_zh: str
    title_en: str
    document_no: str
    issuer_zh: str
    issued: str
    period_start: int
    period_end: int
    base_year: int
    version: str


class IncentiveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    plan_id: str
    code: str
    name_zh: str
    name_en: str
    amount: int | float
    amount_max: int | float | None
    unit: str
    bound: str
    per_zh: str
    condition_zh: str
    source: str


class IndustryShare(BaseModel):
    industry: str
    name: str
    value: int | float | None
    value_max: int | float | None
    bound: str | None


class CoherenceRow(BaseModel):
    """The eleven industry targets against the region target, for one year."""

    year: int
    region_value: int | float | None
    region_bound: str | None
    industry_sum: int | float
    industry_sum_max: int | float
    difference: int | float | None
    ratio: float | None
    covers_region_target: bool | None
    missing_industries: list[str]
    industries: list[IndustryShare]
    message: str


class HeadlineTarget(BaseModel):
    year: int
    value: int | float
    value_max: int | float | None
    bound: str
    since_year: int | None


class HeadlineRow(BaseModel):
    indicator: str
    name: str
    unit: str
    baseline_year: int | None
    baseline: int | float | None
    targets: list[HeadlineTarget]


class LoadReport(BaseModel):
    plans: dict[str, str]  # plan id -> "loaded" | "unchanged"
    figures: int
    reference: dict[str, int]

    def __str__(self) -> str:
        plans = ", ".join(f"{k}: {v}" for k, v in self.plans.items())
        ref = ", ".join(f"{k} {v}" for k, v in self.reference.items())
        return f"plans {plans}; {self.figures} figures; reference data: {ref}"
