"""Tables of the forecasting domain: the sales series that demand is forecast from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base

# retail: shops and supermarkets; ecommerce: online platforms; wholesale: distributors and
# institutional buyers; tourism: sales to visitors (scenic spots, hotels, souvenir shops).
SALES_CHANNELS: tuple[str, ...] = ("retail", "ecommerce", "wholesale", "tourism")


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
