"""Tables of the forecasting domain: the sales series that demand is forecast from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime

# retail: shops and supermarkets; ecommerce: online platforms; wholesale: distributors and
# institutional buyers; tourism: sales to visitors (scenic spots, hotels, souvenir shops).
SALES_CHANNELS: tuple[str, ...] = ("retail", "ecommerce", "wholesale", "tourism")
# Where a sales record comes from: an imported file (or the demo world), or scans at the till
# read from the traceability repository (``retail_selling`` events). A key holds one record:
# an import replaces a traced figure and a sync never overwrites an imported one.
SALES_SOURCES: tuple[str, ...] = ("import", "trace")


class SalesRecord(Base):
    """Monthly sales of one product in one market region through one channel."""

    __tablename__ = "sales_record"
    __table_args__ = (
        UniqueConstraint("product_id", "market_region_id", "period", "channel"),
        Index("ix_sales_record_period", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    market_region_id: Mapped[str] = mapped_column(ForeignKey("market_region.id"), index=True)
    period: Mapped[date] = mapped_column(Date)  # first day of the month
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 3))  # sales units of the product
    revenue_cny: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(8), default="import", server_default="import")


class ForecastRun(Base):
    """One forecast of every sales series, with the data version it was computed from."""

    __tablename__ = "forecast_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed
    measure: Mapped[str] = mapped_column(String(16))  # quantity | revenue
    horizon: Mapped[int] = mapped_column(Integer)
    data_version: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    reconciliation: Mapped[str] = mapped_column(String(32), default="")
    chosen: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # level -> model, reason
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    n_series: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the background job
    # Options of the run: calendar regressors (ARIMA+X) and the columns whose subtrees were
    # reconciled one by one ("" = the whole tree at once).
    exog: Mapped[bool] = mapped_column(Boolean, default=False)
    subtree: Mapped[str] = mapped_column(String(64), default="")


class ForecastSeries(Base):
    """One series of a run: a market, product-tree node and channel (None meaning all)."""

    __tablename__ = "forecast_series"
    __table_args__ = (
        UniqueConstraint("run_id", "uid"),
        Index("ix_forecast_series_run_level", "run_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(64))
    market_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # A province's own series (四川省 = 成都 + the rest of Sichuan) has its province here and
    # no market region; a city's series has both.
    province: Mapped[str | None] = mapped_column(String(48), nullable=True)
    market_region_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    industry_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    product_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    model: Mapped[str] = mapped_column(String(32), default="")
    # How many enterprises make up the series (cells of fewer than 3 are suppressed), and
    # the enterprise when there is only one (so that it sees its own series).
    n_enterprises: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Estimates, not accounts: history and forecast points as JSON lists of
    # [period, value, lo_80, hi_80, lo_95, hi_95] (None where not applicable).
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    points: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ForecastScore(Base):
    """One line of a run's leaderboard: a model's backtest accuracy on one level."""

    __tablename__ = "forecast_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("forecast_run.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(32))
    mase: Mapped[float | None] = mapped_column(Float, nullable=True)
    rmsse: Mapped[float | None] = mapped_column(Float, nullable=True)
    smape: Mapped[float | None] = mapped_column(Float, nullable=True)
    coverage_80: Mapped[float | None] = mapped_column(Float, nullable=True)
    coverage_95: Mapped[float | None] = mapped_column(Float, nullable=True)
    n_series: Mapped[int] = mapped_column(Integer, default=0)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)
