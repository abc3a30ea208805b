"""Input and output models of the standards programme."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["national", "industry", "local", "group", "enterprise"]
Status = Literal["planned", "drafting", "consultation", "published", "superseded"]


class StandardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(default="", max_length=48)
    title_zh: str = Field(min_length=2, max_length=200)
    title_en: str = Field(default="", max_length=300)
    level: Level
    status: Status = "planned"
    industry_id: str = Field(max_length=32)
    programme_item: str | None = Field(default=None, max_length=48)
    lead_organisation: str = Field(default="", max_length=200)
    lead_enterprise_uscc: str | None = Field(default=None, max_length=18)
    participant_usccs: list[str] = Field(default_factory=list, max_length=200)
    published_date: date | None = None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    code: str | None = Field(default=None, max_length=48)
    published_date: date | None = None


class StandardUpdate(BaseModel):
    """The register entry's descriptive fields; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    # Titles are stripped and checked by the service, so that the message is ours.
    title_zh: str | None = Field(default=None, max_length=200)
    title_en: str | None = Field(default=None, max_length=300)
    level: Level | None = None
    industry_id: str | None = Field(default=None, max_length=32)
    lead_organisation: str | None = Field(default=None, max_length=200)


class ChangeRead(BaseModel):
    """One recorded change of a register entry, with names rather than codes."""

    field: str
    field_name: str
    old_value: str
    new_value: str
    username: str
    changed_at: datetime


class DocumentRead(BaseModel):
    filename: str
    size_bytes: int
    uploaded_at: datetime


class ParticipantAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(min_length=18, max_length=18)


class DeclarationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enterprise_uscc: str = Field(max_length=18)
    standard_id: int
    scope_zh: str = Field(default="", max_length=2000)
    gtins: list[str] = Field(default_factory=list, max_length=500)


class StandardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    title_zh: str
    title_en: str
    level: str
    status: str
    industry_id: str
    programme_item: str | None
    lead_organisation: str
    published_date: date | None


class ProgrammeItem(BaseModel):
    code: str
    industry: str
    name_zh: str
    name_en: str
    levels: list[str]
    min: int | None = None
    max: int | None = None
    published: int = 0
    in_progress: int = 0


class DeclarationRead(BaseModel):
    id: int
    enterprise: str
    enterprise_uscc: str = ""
    standard_id: int
    standard_code: str
    standard_title: str
    scope_zh: str
    declared_on: date


class ProductStandardRead(BaseModel):
    code: str
    title: str
    level: str
