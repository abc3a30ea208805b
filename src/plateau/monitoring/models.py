"""Tables of the monitoring domain: enterprises' returns, their values, locks and audit trail,
and region-level inputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
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
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the latest submission
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The first submission decides timeliness (None: submitted_at is the first).
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")  # the filer's note to the reviewer
    review_comment: Mapped[str] = mapped_column(Text, default="")  # why it was returned, …
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AnnualReturn(Base):
    """One enterprise's annual return (年报): the figures only a year has."""

    __tablename__ = "annual_return"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year"),
        Index("ix_annual_return_year", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")
    review_comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReturnValue(Base):
    """A value of a data element kept outside the monthly columns (extras, annual figures)."""

    __tablename__ = "return_value"
    __table_args__ = (
        UniqueConstraint("monthly_return_id", "element"),
        UniqueConstraint("annual_return_id", "element"),
        CheckConstraint(
            "(monthly_return_id IS NULL) <> (annual_return_id IS NULL)", name="one_return"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    monthly_return_id: Mapped[int | None] = mapped_column(
        ForeignKey("monthly_return.id", ondelete="CASCADE"), index=True
    )
    annual_return_id: Mapped[int | None] = mapped_column(
        ForeignKey("annual_return.id", ondelete="CASCADE"), index=True
    )
    element: Mapped[str] = mapped_column(String(48))
    value: Mapped[Decimal] = mapped_column(Numeric(20, 4))


class PeriodLock(Base):
    """A period locked by the region administrator; reopening keeps the row as history."""

    __tablename__ = "period_lock"
    __table_args__ = (Index("ix_period_lock_period", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM or YYYY
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by: Mapped[str] = mapped_column(String(64))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by: Mapped[str | None] = mapped_column(String(64))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")


class ReturnAudit(Base):
    """One entry of a return's audit trail: a value change or a workflow step."""

    __tablename__ = "return_audit"
    __table_args__ = (Index("ix_return_audit_enterprise_period", "enterprise_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64))
    # value | create | submit | approve | return | lock | reopen | explain
    action: Mapped[str] = mapped_column(String(16))
    element: Mapped[str | None] = mapped_column(String(48))
    old_value: Mapped[str | None] = mapped_column(String(64))  # a number or a status
    new_value: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")


class ReturnExplanation(Base):
    """The filer's comment on one warning of a return (needed before submission)."""

    __tablename__ = "return_explanation"
    __table_args__ = (UniqueConstraint("enterprise_id", "period", "warning"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    warning: Mapped[str] = mapped_column(String(96))  # <rule id>:<element id>
    text: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


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
