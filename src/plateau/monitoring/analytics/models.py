"""Tables of indicators and targets: prefecture shares of region targets (decomposition)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow


class TargetShare(Base):
    """A prefecture's share of a region target (目标分解), set or accepted by the region admin."""

    __tablename__ = "target_share"
    __table_args__ = (UniqueConstraint("plan_id", "indicator", "target_year", "prefecture_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(32))
    indicator: Mapped[str] = mapped_column(String(64))
    target_year: Mapped[int]
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    # A fraction of the region target (0.25 = 25%); the shares of one target add up to 1.
    share: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    # True when the admin accepted the share suggested from the baseline unchanged.
    suggested: Mapped[bool] = mapped_column(default=False)
    set_by: Mapped[str] = mapped_column(String(64), default="")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
