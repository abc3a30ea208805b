"""Input and output models of the exchange."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plateau.i18n import _

Kind = Literal["offer", "need"]
Category = Literal["materials", "packaging", "processing", "design", "finished_goods"]


class PostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    category: Category
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=4000)
    quantity: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    unit: str = Field(default="", max_length=16)
    prefecture_code: str = Field(min_length=6, max_length=6)
    from_date: date
    until_date: date
    enterprise_uscc: str | None = Field(default=None, max_length=18)

    @model_validator(mode="after")
    def _dates(self) -> PostCreate:
        if self.until_date < self.from_date:
            raise ValueError(_("The end date comes before the start date."))
        return self


class PostUpdate(BaseModel):
    """A post as its enterprise edits it (the kind and the enterprise stay)."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    title: str = Field(min_length=2, max_length=200)
    description: str = Field(default="", max_length=4000)
    quantity: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    unit: str = Field(default="", max_length=16)
    prefecture_code: str = Field(min_length=6, max_length=6)
    from_date: date
    until_date: date

    @model_validator(mode="after")
    def _dates(self) -> PostUpdate:
        if self.until_date < self.from_date:
            raise ValueError(_("The end date comes before the start date."))
        return self


class PostRead(BaseModel):
    id: int
    kind: str
    category: str
    title: str
    description: str
    quantity: Decimal | None
    unit: str
    prefecture_code: str
    from_date: date
    until_date: date
    enterprise: str
    expired: bool
    hidden: bool
    withdrawn: bool = False


class HideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=4, max_length=2000)


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)


class MessageRead(BaseModel):
    id: int
    sender: str
    text: str
    sent_at: datetime


class NoticeRead(BaseModel):
    need_id: int
    offer_id: int
    need_title: str
    offer_title: str
    created_at: datetime
