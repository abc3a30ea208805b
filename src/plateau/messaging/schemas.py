"""What the messages API returns."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class MessageRead(BaseModel):
    """A message to the caller's enterprise, in the caller's language."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    subject: str
    body: str
    note: str
    sent_at: datetime
    url: str | None
    read: bool


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int
