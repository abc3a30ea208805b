"""The report as data: what every output (page, PDF, Excel) shows, computed once."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from plateau.monitoring.analytics.schemas import Breakdown, ChartSeries, TargetProgress

ReportFormat = Literal["html", "pdf", "xlsx"]


class KeyFigure(BaseModel):
    """An indicator of the report's scope in its year, the year before and its share of the region."""

    indicator: str
    indicator_name: str
    unit: str
    above_size: bool
    value: float | None
    previous: float | None
    change_pct: float | None
    region_share_pct: float | None


class StatusCount(BaseModel):
    status: str  # on_track | at_risk | off_track | none
    label: str
    count: int


class TargetGroup(BaseModel):
    """Targets of one part of the report (the scope itself, industries, prefectures)."""

    key: str  # main | industry | prefecture
    title: str
    targets: list[TargetProgress]


class Report(BaseModel):
    """The mid-term evaluation report of one scope for one year."""

    year: int
    period: str  # "2024", or "2026-01/2026-02" for a year in progress
    complete: bool
    as_of: str | None  # last month of returns used, YYYY-MM
    scope: str
    scope_kind: str
    scope_name: str
    title: str
    generated_at: datetime
    synthetic: bool
    summary: list[str]  # generated paragraphs, in the current locale
    paragraphs: list[str]
    status_counts: list[StatusCount]
    key_figures: list[KeyFigure]
    groups: list[TargetGroup]
    charts: list[ChartSeries]
    breakdowns: list[Breakdown]
    notes: dict[str, str]
    years: list[int]  # every year a report can be made for
    plan_names: dict[str, str] = {}  # plan id -> its title in the reader's language
