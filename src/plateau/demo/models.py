"""Tables of the demo domain: a record of each synthetic dataset loaded."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow


class DemoRun(Base):
    """One load of the synthetic demo world: how it was generated and what it holds."""

    __tablename__ = "demo_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    seed: Mapped[int]
    version: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The "today" the history was generated up to (its last month is the one before).
    as_of_date: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")  # JSON: counts and calibration
