"""Input and output models of the returns API (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Frequency = Literal["monthly", "annual"]
StatusName = Literal["draft", "submitted", "approved", "returned", "locked"]
GroupBy = Literal["prefecture", "park", "industry"]
# A figure as a program sends it: a number, a numeric string, or null to clear it.
RawValue = Decimal | int | str | None


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class ReturnFilter(BaseModel):
    """Which returns to list: by period, frequency, status, place, industry or name."""

    model_config = ConfigDict(extra="ignore")

    period: str | None = Field(None, description="YYYY-MM (a month) or YYYY (a year).")
    frequency: Frequency = Field(
        "monthly", description="monthly or annual returns (implied by period when given)."
    )
    status: StatusName | None = None
    prefecture: str | None = Field(None, description="GB/T 2260 prefecture code.")
    park: str | None = Field(None, description="Park id.")
    industry: str | None = Field(None, description="533 industry id.")
    q: str | None = Field(None, max_length=100, description="Part of a name or USCC.")

    _blank = field_validator(
        "period", "status", "prefecture", "park", "industry", "q", mode="before"
    )(_blank_to_none)


class ReturnInput(BaseModel):
    """One return as a program files it (POST /returns takes one or a list)."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(description="统一社会信用代码 of the enterprise.")
    period: str = Field(description="YYYY-MM for a monthly return, YYYY for an annual one.")
    values: dict[str, RawValue] = Field(
        default_factory=dict,
        description="Figures by data element id (money in CNY); null clears a figure.",
    )
    comment: str | None = Field(
        None, max_length=2000, description="A note; also explains warnings without their own."
    )
    explanations: dict[str, str] = Field(
        default_factory=dict, description="Comments on warnings, by warning key (rule:element)."
    )
    submit: bool = Field(False, description="Submit the return for review after saving it.")


class ReturnUpdate(BaseModel):
    """New figures for one return (only the elements given change)."""

    model_config = ConfigDict(extra="forbid")

    values: dict[str, RawValue] = Field(default_factory=dict)
    comment: str | None = Field(None, max_length=2000)
    explanations: dict[str, str] = Field(default_factory=dict)
    reason: str = Field(
        "",
        max_length=2000,
        description="Why the figures change; required for the administrator's corrections of filed returns.",
    )
    submit: bool = False


class SubmitInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(None, max_length=2000)
    explanations: dict[str, str] = Field(default_factory=dict)


class ReviewInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", max_length=2000)


class ReasonInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class ProblemRead(BaseModel):
    row: int | None
    field: str | None
    message: str


class FindingRead(BaseModel):
    key: str
    rule: str
    severity: Literal["error", "warning"]
    element: str | None
    message: str
    explanation: str | None = None


class ElementValueRead(BaseModel):
    element: str
    name: str
    unit: str
    value: Decimal | None
    ytd: Decimal | None = Field(description="Months 1..N of the year (1–N月累计).")
    last_year: Decimal | None = Field(description="The same month a year earlier.")
    yoy_pct: float | None
    ytd_last_year: Decimal | None
    ytd_yoy_pct: float | None


class ReturnRead(BaseModel):
    uscc: str
    enterprise_name: str
    industry_id: str
    prefecture_code: str
    park_id: str | None
    period: str
    frequency: Frequency
    status: StatusName | None = Field(description="None: nothing filed yet.")
    submitted_at: datetime | None
    first_submitted_at: datetime | None
    approved_at: datetime | None
    updated_at: datetime | None
    comment: str
    review_comment: str
    locked: bool
    deadline: datetime
    late: bool
    values: dict[str, Decimal | None]
    elements: list[ElementValueRead]
    findings: list[FindingRead]


class ReturnRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    enterprise_name: str
    prefecture_code: str
    park_id: str | None
    industry_id: str
    period: str
    status: StatusName
    output_value: Decimal | None
    submitted_at: datetime | None
    approved_at: datetime | None
    review_comment: str


class FilingReport(BaseModel):
    """What a batch of returns did (or, on a trial run, would do)."""

    rows: int
    created: int
    updated: int
    unchanged: int
    submitted: int
    dry_run: bool
    warnings: list[ProblemRead]


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    username: str
    action: str
    element: str | None
    old_value: str | None
    new_value: str | None
    reason: str


class PeriodRead(BaseModel):
    period: str
    frequency: Frequency
    locked: bool
    locked_at: datetime | None
    locked_by: str | None
    deadline: datetime
    counts: dict[str, int]


class LockReport(BaseModel):
    period: str
    locked: int = Field(description="Approved returns now locked.")
    left: dict[str, int] = Field(description="Returns of other statuses, frozen as they are.")


class ReopenReport(BaseModel):
    period: str
    reopened: int


class TallyRead(BaseModel):
    key: str
    name: str
    expected: int
    filed: int
    on_time: int
    approved: int
    completeness: float | None = Field(description="Filed / expected, in %.")
    timeliness: float | None = Field(description="Filed by the deadline / expected, in %.")


class CompletenessRead(BaseModel):
    period: str
    by: GroupBy
    deadline: datetime
    due_passed: bool
    rows: list[TallyRead]
    total: TallyRead


class LateFilerRead(BaseModel):
    uscc: str
    enterprise_name: str
    prefecture_code: str
    park_id: str | None
    industry_id: str
    status: StatusName | None
    submitted_at: datetime | None
    deadline: datetime
    days_late: int
    overdue: bool


class ElementRead(BaseModel):
    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    frequency: Frequency
    storage: str
    industries: list[str] | None


class RuleRead(BaseModel):
    id: str
    kind: str
    severity: Literal["error", "warning"]
    at: Literal["save", "submit"]
    name_zh: str
    name_en: str
    elements: list[str] | None
    params: dict[str, Any]


class RegionInputRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    indicator: str
    scope: str
    year: int
    value: Decimal
    unit: str
    note: str


class RegionInputWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(max_length=64)
    scope: str = Field("region", max_length=64)
    year: int = Field(ge=2000, le=2100)
    value: Decimal = Field(max_digits=20, decimal_places=4)
    note: str = Field("", max_length=2000)


class ValidationRead(BaseModel):
    """What the rules say about figures that were not saved."""

    findings: list[FindingRead]
    problems: list[ProblemRead]


class WarningRead(BaseModel):
    """A warning on a filed return, with the filer's explanation if there is one."""

    uscc: str
    enterprise_name: str
    prefecture_code: str
    park_id: str | None
    period: str
    status: StatusName
    key: str
    rule: str
    element: str | None
    message: str
    explanation: str | None
