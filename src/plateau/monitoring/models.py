"""Tables of the monitoring domain: enterprises' monthly returns and region-level inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime

# Money: CNY with fen precision; physical quantities with three decimals.
Money = Numeric(18, 2)
Quantity = Numeric(18, 3)

# The life of a return: the enterprise drafts and submits it, a park or prefecture
# officer approves it or returns it for correction, the region administrator locks the period.
RETURN_STATUSES: tuple[str, ...] = ("draft", "submitted", "approved", "returned", "locked")


class MonthlyReturn(Base):
    """One enterprise's statistical return for one month (the month's own figures, not year to date)."""

    __tablename__ = "monthly_return"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "period"),
        Index("ix_monthly_return_period", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[date] = mapped_column(Date)  # first day of the month
    status: Mapped[str] = mapped_column(String(16), default="draft")
    output_value_cny: Mapped[Decimal | None] = mapped_column(Money)  # 工业总产值 (current prices)
    revenue_cny: Mapped[Decimal | None] = mapped_column(Money)  # 营业收入
    value_added_cny: Mapped[Decimal | None] = mapped_column(Money)  # 工业增加值
    exports_cny: Mapped[Decimal | None] = mapped_column(Money)  # 出口交货值
    rd_spending_cny: Mapped[Decimal | None] = mapped_column(Money)  # 研发经费支出
    employees: Mapped[int | None]  # 从业人员 (at the end of the month)
    energy_tce: Mapped[Decimal | None] = mapped_column(
        Quantity
    )  # 综合能源消费量, tonnes of coal equivalent
    water_m3: Mapped[Decimal | None] = mapped_column(Quantity)  # 用水量
    # The industry's physical product, where it has one: drinking water bottled (t),
    # highland barley processed (t) for barley-processing and brewing enterprises.
    product_volume_t: Mapped[Decimal | None] = mapped_column(Quantity)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RegionInput(Base):
    """A region-level figure no enterprise files: barley production, price indices, …"""

    __tablename__ = "region_input"
    __table_args__ = (UniqueConstraint("indicator", "scope", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. highland_barley_production (t), price_index (previous year = 1)
    indicator: Mapped[str] = mapped_column(String(64))
    # region | industry:<id> | prefecture:<code>
    scope: Mapped[str] = mapped_column(String(64), default="region")
    year: Mapped[int]
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    unit: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
