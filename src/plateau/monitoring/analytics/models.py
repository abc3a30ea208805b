"""Tables of indicators and targets: prefecture shares of region targets (decomposition)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, LargeBinary, Numeric, String, UniqueConstraint
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


# --- pre-aggregated facts of the indicator engine (see docs/decisions/0004) ---
#
# Derived data, maintained by ``aggregates`` whenever a return, an enterprise or a status
# changes (and rebuilt from scratch when missing): nothing here is ever entered by hand.
# No foreign keys on purpose: when an enterprise is deleted its rows must still be there to
# tell which cells to recompute.

# Sums of many Money/Quantity values: unconstrained NUMERIC keeps them exact on PostgreSQL.
FactSum = Numeric()


class IndicatorFact(Base):
    """One enterprise-year: its counted months, element sums, cell and above-size status."""

    __tablename__ = "indicator_fact"

    enterprise_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # "industry|prefecture|park|program": the finest grain of every aggregate scope.
    cell: Mapped[str] = mapped_column(String(160), index=True)
    months: Mapped[int]
    # 规上 in this year as the engine decides it for the latest month with data.
    above_size: Mapped[bool] = mapped_column(default=False)
    output_value: Mapped[Decimal | None] = mapped_column(FactSum)
    revenue: Mapped[Decimal | None] = mapped_column(FactSum)
    value_added: Mapped[Decimal | None] = mapped_column(FactSum)
    exports: Mapped[Decimal | None] = mapped_column(FactSum)
    rd_spending: Mapped[Decimal | None] = mapped_column(FactSum)
    energy_tce: Mapped[Decimal | None] = mapped_column(FactSum)
    water_m3: Mapped[Decimal | None] = mapped_column(FactSum)
    product_volume_t: Mapped[Decimal | None] = mapped_column(FactSum)


class IndicatorCellMonth(Base):
    """Sums of one cell in one month, for above-size enterprises or the others."""

    __tablename__ = "indicator_cell_month"

    cell: Mapped[str] = mapped_column(String(160), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    above_size: Mapped[bool] = mapped_column(primary_key=True)
    output_value: Mapped[Decimal | None] = mapped_column(FactSum)
    revenue: Mapped[Decimal | None] = mapped_column(FactSum)
    value_added: Mapped[Decimal | None] = mapped_column(FactSum)
    exports: Mapped[Decimal | None] = mapped_column(FactSum)
    rd_spending: Mapped[Decimal | None] = mapped_column(FactSum)
    energy_tce: Mapped[Decimal | None] = mapped_column(FactSum)
    water_m3: Mapped[Decimal | None] = mapped_column(FactSum)
    product_volume_t: Mapped[Decimal | None] = mapped_column(FactSum)


class AnalyticsPending(Base):
    """A change the pre-aggregates have not absorbed yet (written at flush, read at sync).

    ``enterprise_id``: the enterprise whose facts to recompute; 0: nothing to recompute but
    the indicators changed (a region input); -1: recompute everything (a bulk statement).
    """

    __tablename__ = "analytics_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int]


class AnalyticsState(Base):
    """The one row saying what the pre-aggregates hold, and the data version of indicators."""

    __tablename__ = "analytics_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # A fresh random token at every change: cached indicator tables are keyed by it, and a
    # token written by a transaction that was rolled back never comes back.
    version: Mapped[str] = mapped_column(String(32))
    # What the facts were built with (counted statuses, threshold, programs, elements).
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The latest month with counted returns when the above-size flags were decided.
    latest: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnalyticsTableCache(Base):
    """An indicator table computed by the dashboard warm-up job, for every web process.

    Written only by the warm-up job (a GET never writes), read by a request whose process
    has not computed the table itself; keyed by a digest of everything the table was
    computed from, the data version included, so a stale table is never found. Rows of
    older versions are deleted by the next warm-up.
    """

    __tablename__ = "analytics_table_cache"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(32), index=True)
    # The pickled ``engine.IndicatorTable``: written by this server only, never from input.
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Registers the session events that keep the pre-aggregates in step: wherever the tables
# are known, so are the hooks.
from plateau.monitoring.analytics import tracking as _tracking  # noqa: E402, F401
