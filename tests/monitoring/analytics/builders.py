"""Builders of small, exact datasets for indicator tests: returns straight into the table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from plateau.monitoring.models import MonthlyReturn, RegionInput
from plateau.registry.models import Enterprise


def add_months(
    session: Session,
    ent: Enterprise,
    year: int,
    *,
    months: range = range(1, 13),
    output: float,
    revenue: float,
    value_added: float = 0.0,
    volume: float | None = None,
    status: str = "approved",
) -> None:
    """File ``months`` of ``year`` with the yearly amounts spread evenly over twelve months."""
    for m in months:
        session.add(
            MonthlyReturn(
                enterprise_id=ent.id,
                period=date(year, m, 1),
                status=status,
                output_value_cny=Decimal(f"{output / 12:.2f}"),
                revenue_cny=Decimal(f"{revenue / 12:.2f}"),
                value_added_cny=Decimal(f"{value_added / 12:.2f}"),
                exports_cny=Decimal(0),
                rd_spending_cny=Decimal(0),
                employees=10,
                energy_tce=Decimal(0),
                water_m3=Decimal(0),
                product_volume_t=None if volume is None else Decimal(f"{volume / 12:.3f}"),
            )
        )
    session.flush()


def add_input(
    session: Session, indicator: str, year: int, value: float, *, scope: str = "region"
) -> None:
    unit = {"price_index": "ratio", "highland_barley_production": "t"}.get(indicator, "count")
    session.add(
        RegionInput(
            indicator=indicator, scope=scope, year=year, value=Decimal(str(value)), unit=unit
        )
    )
    session.flush()
