"""Messages the platform sends to enterprises (催报 reminders first), kept as sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow


class Message(Base):
    """One message to one enterprise. Its words are drawn from ``kind`` and ``params`` in the
    reader's language when shown; ``note`` is what the sender typed, kept as typed."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_enterprise_created", "enterprise_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # reminder | design
    topic: Mapped[str] = mapped_column(String(64), default="")  # e.g. the period "2026-10"
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    sender_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    sender_name: Mapped[str] = mapped_column(String(128), default="")
    channel: Mapped[str] = mapped_column(String(32), default="inbox")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Read by the enterprise (any of its users): set by a POST when the message is opened or
    # all are marked read, never by a page view.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
