"""Tables of the demo domain: a record of each synthetic dataset loaded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow


class DemoRun(Base):
    __tablename__ = "demo_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    seed: Mapped[int]
    version: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    summary: Mapped[str] = mapped_column(String(2000), default="")
