"""Input and output models of the design platform."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Category = Literal["garment", "packaging", "brand_identity", "product", "other"]
Phase = Literal["open", "review", "awarded", "closed"]


class BriefCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    category: Category
    description: str = Field(default="", max_length=4000)
    deliverables: str = Field(default="", max_length=2000)
    reward_cny: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    deadline_date: date
    proposals_public: bool = False
    # Only the region administrator names the enterprise; others post as themselves.
    enterprise_uscc: str | None = Field(default=None, max_length=18)


class BriefRead(BaseModel):
    id: int
    title: str
    category: str
    category_name: str
    description: str
    deliverables: str
    reward_cny: Decimal
    deadline_date: date
    proposals_public: bool
    owner: str
    phase: Phase
    phase_name: str
    proposals: int
    awarded_to: str | None = None
    decision_note: str = ""
    product_gtin: str | None = None
    product_name: str | None = None
    recognition_code: str | None = None


class ProposalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=4000)
    designer_name: str = Field(default="", max_length=100)


class ProposalRead(BaseModel):
    id: int
    brief_id: int
    title: str
    description: str
    designer: str
    enterprise: str
    shortlisted: bool
    awarded: bool
    images: list[int]
    submitted_at: datetime


class AwardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    proposal_id: int
    note: str = Field(default="", max_length=2000)
    product_gtin: str | None = Field(default=None, max_length=14)


class AdoptRequest(BaseModel):
    """A design recognised in a final recognition edition, to carry into production."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=48, description="The recognition edition's code.")
    nomination_id: int
    product_gtin: str | None = Field(default=None, max_length=14)


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=2000)


class ProductionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_gtin: str = Field(min_length=8, max_length=14)


class ShortlistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shortlisted: bool = True


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class MessageRead(BaseModel):
    id: int
    sender: str
    from_owner: bool
    text: str
    sent_at: datetime
