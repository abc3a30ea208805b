"""Builders of the policy tests: Lhasa garment makers with statuses and approved returns."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from plateau.monitoring.models import AnnualReturn, ReturnValue
from plateau.registry.models import Enterprise
from tests.monitoring.builders import month_row
from tests.registry.builders import add_status, make_enterprise


def garment_maker(session: Session, n: int, *, prefecture: str = "540100") -> Enterprise:
    """A garment maker (GB/T 4754 1819) of Lhasa (or of ``prefecture``)."""
    return make_enterprise(
        session, n=n, prefecture=prefecture, industry="ethnic_handicraft", gbt4754="1819"
    )


def leading(session: Session, ent: Enterprise, start: str = "2024-01-01") -> None:
    add_status(session, ent, "leading_enterprise", start)


def revenue(
    session: Session, ent: Enterprise, year: int, total: int, *, status: str = "approved"
) -> None:
    """Twelve monthly returns of ``status`` whose revenue adds up to ``total``."""
    month = (Decimal(total) / 12).quantize(Decimal("0.01"))
    for m in range(1, 13):
        value = month if m < 12 else Decimal(total) - month * 11
        month_row(session, ent, f"{year}-{m:02d}", status=status, revenue_cny=value)


def investment(
    session: Session, ent: Enterprise, year: int, amount: int, *, status: str = "approved"
) -> None:
    annual = AnnualReturn(enterprise_id=ent.id, year=year, status=status)
    session.add(annual)
    session.flush()
    session.add(
        ReturnValue(
            annual_return_id=annual.id, element="fixed_asset_investment", value=Decimal(amount)
        )
    )
    session.flush()
