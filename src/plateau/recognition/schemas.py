"""Input and output models of the recognition domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plateau.i18n import _

EditionKind = Literal["fashion_week", "third_pole", "catalogue", "design"]
EntryKind = Literal["brand", "product", "design", "model"]
Eligibility = Literal["none", "lhasa_garment_brand", "valid_certificate"]
TieBreak = Literal["jury", "public", "earliest"]
Stage = Literal["draft", "nominations", "review", "scoring", "voting", "publicity", "final"]
ConflictReason = Literal["employer", "family", "business"]


class CriterionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_zh: str = Field(min_length=1, max_length=64)
    name_en: str = Field(default="", max_length=128)
    weight: int = Field(ge=1, le=100)


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")
    name_zh: str = Field(min_length=1, max_length=128)
    name_en: str = Field(default="", max_length=200)
    entry_kind: EntryKind
    eligibility: Eligibility = "none"
    awards: int = Field(default=1, ge=1, le=50)
    criteria: list[CriterionCreate] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _weights(self) -> CategoryCreate:
        if sum(c.weight for c in self.criteria) != 100:
            raise ValueError(_("The weights of a category's criteria must add up to 100."))
        return self


class EditionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=2, max_length=48, pattern=r"^[a-z0-9_-]+$")
    name_zh: str = Field(min_length=1, max_length=128)
    name_en: str = Field(default="", max_length=200)
    kind: EditionKind
    year: int = Field(ge=2000, le=2100)
    jury_weight: int = Field(default=100, ge=0, le=100)
    score_max: int = Field(default=10, ge=1, le=100)
    drop_extremes: bool = True
    normalise: bool = False
    tie_break: TieBreak = "jury"
    nominations_close_date: date
    scoring_start_date: date
    vote_close_date: date | None = None
    publicity_end_date: date
    categories: list[CategoryCreate] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _timetable(self) -> EditionCreate:
        if not (self.nominations_close_date <= self.scoring_start_date <= self.publicity_end_date):
            raise ValueError(_("The timetable must run from nominations to scoring to 公示."))
        if self.jury_weight < 100 and self.vote_close_date is None:
            raise ValueError(_("An edition with a public vote needs the date the vote closes."))
        if len({c.code for c in self.categories}) != len(self.categories):
            raise ValueError(_("Each category needs its own code."))
        return self


class EditionUpdate(BaseModel):
    """Everything an organiser may still change before scoring starts (the page's form)."""

    model_config = ConfigDict(extra="forbid")

    name_zh: str = Field(min_length=1, max_length=128)
    name_en: str = Field(default="", max_length=200)
    year: int = Field(ge=2000, le=2100)
    jury_weight: int = Field(ge=0, le=100)
    score_max: int = Field(ge=1, le=100)
    drop_extremes: bool = False
    normalise: bool = False
    tie_break: TieBreak = "jury"
    nominations_close_date: date
    scoring_start_date: date
    vote_close_date: date | None = None
    publicity_end_date: date

    @model_validator(mode="after")
    def _timetable(self) -> EditionUpdate:
        if not (self.nominations_close_date <= self.scoring_start_date <= self.publicity_end_date):
            raise ValueError(_("The timetable must run from nominations to scoring to 公示."))
        if self.jury_weight < 100 and self.vote_close_date is None:
            raise ValueError(_("An edition with a public vote needs the date the vote closes."))
        return self


class RulesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jury_weight: int | None = Field(default=None, ge=0, le=100)
    drop_extremes: bool | None = None
    normalise: bool | None = None
    tie_break: TieBreak | None = None


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64)
    kind: Literal["organiser", "juror"]
    display_name: str = Field(default="", max_length=128)
    employer_uscc: str = Field(default="", max_length=18)
    # An employer that is not in the register (a school, a studio abroad): named only.
    employer_name: str = Field(default="", max_length=200)


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(default="", max_length=128)
    employer_uscc: str = Field(default="", max_length=18)
    employer_name: str = Field(default="", max_length=200)


class NominationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(min_length=1, max_length=32)
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=4000)
    brand_id: int | None = None
    gtin: str | None = Field(default=None, max_length=14)
    enterprise_uscc: str | None = Field(default=None, max_length=18)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accept: bool
    reason: str = Field(default="", max_length=2000)


class ConflictDeclare(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nomination_id: int
    reason: ConflictReason
    note: str = Field(default="", max_length=1000)


class ScoreSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # criterion id → score on the edition's scale
    scores: dict[int, Decimal]


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=5, max_length=20)


class VoteCast(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=5, max_length=20)
    code: str = Field(min_length=4, max_length=8)
    nomination_id: int


class VoidRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ballot_ids: list[int] = Field(min_length=1, max_length=5000)
    reason: str = Field(min_length=4, max_length=2000)


class ObjectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nomination_id: int
    text: str = Field(min_length=4, max_length=4000)


class ObjectionAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=2, max_length=4000)


class StageChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Stage


class CriterionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name_zh: str
    name_en: str
    weight: int


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_zh: str
    name_en: str
    entry_kind: str
    eligibility: str
    awards: int
    criteria: list[CriterionRead]


class EditionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name_zh: str
    name_en: str
    kind: str
    year: int
    stage: str
    jury_weight: int
    public_weight: int
    score_max: int
    drop_extremes: bool
    normalise: bool
    tie_break: str
    nominations_close_date: date
    scoring_start_date: date
    vote_close_date: date | None
    publicity_end_date: date
    frozen_at: datetime | None
    categories: list[CategoryRead]


class NominationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category_id: int
    title: str
    description: str
    status: str
    reason: str
    submitted_at: datetime


class OwnScore(BaseModel):
    nomination_id: int
    criterion_id: int
    value: Decimal


class ResultRead(BaseModel):
    category: str
    category_name: str
    nomination_id: int
    title: str
    rank: int
    jury_score: float
    public_score: float
    votes: int
    total: float
    recognised: bool


class BallotRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category_id: int
    nomination_id: int
    voter_id: int
    address: str
    cast_at: datetime
    flag: str
    void_reason: str


class VoteReceipt(BaseModel):
    ballot_id: int
    changed: bool
    message: str


class ObjectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nomination_id: int
    text: str
    filed_at: datetime
    answer: str


class Recognition(BaseModel):
    """One recognition a brand or product holds, as the public pages show it."""

    edition: str
    edition_name: str
    category_name: str
    year: int
    rank: int
