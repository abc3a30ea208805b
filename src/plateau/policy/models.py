"""Tables of the policy domain: runs of a policy for a year, entitlements, payments, audit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow

Money = Numeric(18, 2)

# computed (数据比对, the bureau reviews) → published (公示) → closed
RUN_STATUSES: tuple[str, ...] = ("computed", "published", "closed")
# proposed → confirmed (意愿确认) → paid (拨付到账); or excluded by the bureau, declined by the enterprise
ENTITLEMENT_STATUSES: tuple[str, ...] = ("proposed", "excluded", "confirmed", "declined", "paid")


class PolicyRun(Base):
    """A policy run for one year: the list of entitled enterprises (拟享受名单)."""

    __tablename__ = "policy_run"
    __table_args__ = (UniqueConstraint("policy_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int]
    year: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="computed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    notice_from_date: Mapped[date | None] = mapped_column(Date)
    notice_to_date: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Entitlement(Base):
    """What one enterprise is entitled to under one rule of a run, with its reason."""

    __tablename__ = "policy_entitlement"
    __table_args__ = (
        UniqueConstraint("run_id", "enterprise_id", "rule_id"),
        Index("ix_policy_entitlement_enterprise", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("policy_run.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(64))
    once_key: Mapped[str] = mapped_column(String(8))  # "once", or the year
    amount_cny: Mapped[Decimal] = mapped_column(Money)
    # The explanation: a list of {"msgid", "params"} rendered in the reader's language.
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assumption: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    exclusion_reason: Mapped[str] = mapped_column(Text, default="")
    account_name: Mapped[str] = mapped_column(String(200), default="")
    account_bank: Mapped[str] = mapped_column(String(200), default="")
    account_no: Mapped[str] = mapped_column(String(64), default="")
    # The enterprise agreed that the 公示 list may show its amount.
    disclose_amount: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Payment(Base):
    """A payment recorded by the finance officer; the unique key forbids paying twice."""

    __tablename__ = "policy_payment"
    __table_args__ = (UniqueConstraint("policy_id", "rule_id", "enterprise_id", "once_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    once_key: Mapped[str] = mapped_column(String(8))
    year: Mapped[int]
    entitlement_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_entitlement.id", ondelete="SET NULL")
    )
    amount_cny: Mapped[Decimal] = mapped_column(Money)
    paid_date: Mapped[date] = mapped_column(Date)
    voucher_no: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Objection(Base):
    """An objection raised against a published list during its notice period (公示异议)."""

    __tablename__ = "policy_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("policy_run.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PolicyAudit(Base):
    """One step of a run's audit trail: run, exclude, publish, confirm, decline, pay, object."""

    __tablename__ = "policy_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("policy_run.id", ondelete="CASCADE"), index=True)
    entitlement_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_entitlement.id", ondelete="SET NULL")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
