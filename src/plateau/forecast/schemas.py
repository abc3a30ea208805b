"""Pydantic schemas of the forecasting domain's API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    finished_at: datetime | None
    status: str = Field(description="queued, running, done or failed")
    measure: str = Field(description="quantity or revenue")
    horizon: int
    data_version: str
    reconciliation: str
    n_series: int
    job_id: int | None = Field(None, description="the background job computing the run")
    chosen: dict[str, Any] = Field(description="level -> chosen model and the reason")
    exog: bool = Field(False, description="calendar effects fed to ARIMA+X")
    subtree: str = Field("", description="columns reconciled subtree by subtree ('' = whole tree)")


class RunCreate(BaseModel):
    measure: str = Field("quantity", description="quantity or revenue")
    horizon: int = Field(0, ge=0, le=96, description="months; 0 forecasts to the end of 2030")
    exog: bool = Field(
        False, description="calendar effects as regressors: ARIMA+X beside AutoARIMA (slower)"
    )
    subtree: list[str] = Field(
        default_factory=list,
        description="columns whose subtrees are reconciled one by one (market_kind, province, "
        "industry …); default: per market kind above 3,000 bottom series",
    )


class Point(BaseModel):
    period: str
    forecast: float
    lo_80: float
    hi_80: float
    lo_95: float
    hi_95: float


class SeriesRead(BaseModel):
    """One series of a run; ``suppressed`` hides the numbers of cells of fewer than 3 enterprises."""

    level: str
    level_name: str
    market: str | None
    industry: str | None
    category: str | None
    product_id: int | None
    channel: str | None
    model: str
    suppressed: bool
    history: list[tuple[str, float]] | None
    forecast: list[Point] | None


class ScoreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    level: str
    model: str
    mase: float | None
    rmsse: float | None
    smape: float | None
    coverage_80: float | None
    coverage_95: float | None
    n_series: int
    job_id: int | None = Field(None, description="the background job computing the run")
    chosen: bool
