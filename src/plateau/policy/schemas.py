"""Input and output models of the policy API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PolicyRead(BaseModel):
    id: str
    version: int
    title_zh: str
    title_en: str
    document_zh: str
    section: str
    effective_from: date
    effective_to: date | None
    budget_cny: Decimal | None
    rules: list[str]


class EntitlementRecord(BaseModel):
    """One decision: 0 when not entitled, with the reason in the caller's language."""

    policy: str
    rule: str
    uscc: str
    period: int
    amount_cny: Decimal
    status: str
    reason: str


class RunCreate(_Input):
    policy: str = Field(min_length=1, max_length=64)
    period: int = Field(ge=2000, le=2100)
    dry_run: bool = False


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    policy_id: str
    year: int
    status: str
    notice_from_date: date | None
    notice_to_date: date | None


class RunSummaryRead(BaseModel):
    run_id: int | None
    policy: str
    period: int
    entitled: int
    total_cny: Decimal
    requested_cny: Decimal


class RunQueued(BaseModel):
    """A run queued as a background job: follow it at ``job_url``."""

    job_id: int
    job_url: str


class EntitlementRead(BaseModel):
    id: int
    run_id: int
    uscc: str
    enterprise: str
    rule: str
    period: int
    amount_cny: Decimal
    status: str
    reason: str
    assumption: bool
    paid_date: date | None
    voucher_no: str | None
    difference_cny: Decimal | None


class ExcludeInput(_Input):
    reason: str = Field(min_length=1, max_length=2000)


class ConfirmInput(_Input):
    account_name: str = Field(min_length=1, max_length=200)
    account_bank: str = Field(min_length=1, max_length=200)
    account_no: str = Field(min_length=8, max_length=40)
    disclose_amount: bool = False


class PaymentInput(_Input):
    paid_date: date
    voucher_no: str = Field(min_length=1, max_length=64)


class NoticeRowRead(BaseModel):
    enterprise: str
    rule: str
    amount_cny: Decimal | None


class ObjectionInput(_Input):
    name: str = Field(min_length=1, max_length=100)
    contact: str = Field(default="", max_length=100)
    text: str = Field(min_length=1, max_length=4000)
