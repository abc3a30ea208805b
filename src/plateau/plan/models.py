"""Tables of the plan domain: plans as versioned data, their indicators, figures and incentives."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow

Value = Numeric(24, 4)


class PlanDocument(Base):
    """A plan as published; ``version`` is the digest of the data it was loaded from."""

    __tablename__ = "plan_document"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300))
    document_no: Mapped[str] = mapped_column(String(64), default="")
    issuer_zh: Mapped[str] = mapped_column(String(128), default="")
    issued: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    period_start: Mapped[int]
    period_end: Mapped[int]
    base_year: Mapped[int]
    version: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanIndicator(Base):
    """An indicator a plan sets figures for (output value, counts, rates, …)."""

    __tablename__ = "plan_indicator"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan_document.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8), default="up")
    sort_order: Mapped[int] = mapped_column(default=0)


class PlanFigure(Base):
    """One baseline or target of a plan: indicator × scope × year."""

    __tablename__ = "plan_figure"
    __table_args__ = (
        UniqueConstraint("plan_id", "indicator", "scope", "year", "kind"),
        Index("ix_plan_figure_indicator_scope", "indicator", "scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan_document.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))  # baseline | target
    value: Mapped[Decimal] = mapped_column(Value)
    value_max: Mapped[Decimal | None] = mapped_column(Value)
    bound: Mapped[str] = mapped_column(String(8))  # min | approx | exact
    unit: Mapped[str] = mapped_column(String(16))
    since_year: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(64))
    text_zh: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)


class PlanIncentive(Base):
    """A money amount a plan promises (subsidy, award, fund): the seed of policies as code."""

    __tablename__ = "plan_incentive"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan_document.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    amount: Mapped[Decimal] = mapped_column(Value)
    amount_max: Mapped[Decimal | None] = mapped_column(Value)
    unit: Mapped[str] = mapped_column(String(16))
    bound: Mapped[str] = mapped_column(String(8))
    per_zh: Mapped[str] = mapped_column(String(200), default="")
    condition_zh: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(64))
    text_zh: Mapped[str] = mapped_column(Text, default="")


class PlanAction(Base):
    """A special action (专项行动) and its sub-items, flattened with a parent link."""

    __tablename__ = "plan_action"
    __table_args__ = (UniqueConstraint("plan_id", "sort_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan_document.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), default="")
    section: Mapped[str] = mapped_column(String(32))
    parent_section: Mapped[str | None] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(default=0)
