"""Sales intake: CSV/XLSX files of monthly sales, all or nothing, each bad row named.

Columns: ``gtin, market_region, period, channel, quantity, revenue_cny``. A row replaces
the stored value of the same (product, region, period, channel). Called through
``service.import_sales``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from plateau import tabular
from plateau.auth.schemas import Actor
from plateau.errors import FieldError, Forbidden, NotFound, ValidationFailed
from plateau.forecast.models import SALES_CHANNELS, SalesRecord
from plateau.i18n import _
from plateau.registry import service as registry_service

COLUMNS = ("gtin", "market_region", "period", "channel", "quantity", "revenue_cny")
_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})(?:-01)?$")
CHUNK = 400  # keeps every IN (...) list far below the drivers' parameter limits


@dataclass
class SalesImport:
    rows: int
    created: int
    updated: int
    dry_run: bool


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def import_sales(
    session: Session,
    *,
    data: bytes,
    filename: str,
    actor: Actor,
    today: date,
    dry_run: bool = False,
) -> SalesImport:
    """Check every row; store all of them or none."""
    if not actor.is_authenticated:
        raise Forbidden(_("Please log in to import sales."))
    table = tabular.read_table(data, filename)
    missing = [c for c in COLUMNS if c not in table.headers]
    if missing:
        raise ValidationFailed(
            _("Missing column(s): %(columns)s.", columns=", ".join(missing)),
            [FieldError(_("Missing column."), field=c) for c in missing],
        )
    markets = {m.id for m in registry_service.list_market_regions(session, actor=actor)}
    products: dict[str, int | None] = {}
    errors: list[FieldError] = []
    seen: dict[tuple[int, str, date, str], int] = {}
    parsed: list[tuple[int, str, date, str, Decimal, Decimal]] = []
    this_month = today.replace(day=1)
    for row, cells in table.rows:
        gtin = cells.get("gtin", "")
        if gtin not in products:
            try:
                products[gtin] = registry_service.get_product(session, gtin=gtin, actor=actor).id
            except NotFound:
                products[gtin] = None
        pid = products[gtin]
        if pid is None:
            errors.append(
                FieldError(_("Unknown GTIN (or not one of your products)."), "gtin", row, gtin)
            )
        region = cells.get("market_region", "")
        if region not in markets or region == "all":
            errors.append(FieldError(_("Unknown market region."), "market_region", row, region))
        m = _PERIOD.match(cells.get("period", ""))
        period = None
        if m and 1 <= int(m.group(2)) <= 12:
            period = date(int(m.group(1)), int(m.group(2)), 1)
            if period > this_month:
                errors.append(
                    FieldError(_("The period is in the future."), "period", row, cells["period"])
                )
        else:
            errors.append(
                FieldError(_("Not a month (YYYY-MM)."), "period", row, cells.get("period", ""))
            )
        channel = cells.get("channel", "")
        if channel not in SALES_CHANNELS:
            errors.append(
                FieldError(
                    _("Unknown channel: use %(channels)s.", channels=", ".join(SALES_CHANNELS)),
                    "channel",
                    row,
                    channel,
                )
            )
        qty = _decimal(cells.get("quantity", ""))
        if qty is None or qty < 0:
            errors.append(
                FieldError(
                    _("Not a number of zero or more."), "quantity", row, cells.get("quantity", "")
                )
            )
        revenue = _decimal(cells.get("revenue_cny", ""))
        if revenue is None or revenue < 0:
            errors.append(
                FieldError(
                    _("Not a number of zero or more."),
                    "revenue_cny",
                    row,
                    cells.get("revenue_cny", ""),
                )
            )
        if pid is not None and period is not None:
            key = (pid, region, period, channel)
            if key in seen:
                errors.append(
                    FieldError(
                        _(
                            "Duplicates row %(row)s (same product, region, period, channel).",
                            row=seen[key],
                        ),
                        "gtin",
                        row,
                        gtin,
                    )
                )
            seen[key] = row
            if qty is not None and revenue is not None:
                parsed.append((pid, region, period, channel, qty, revenue))
    if errors:
        raise ValidationFailed(
            _("Nothing was imported: %(n)s problem(s) found.", n=len(errors)), errors
        )
    existing: dict[tuple[int, str, date, str], SalesRecord] = {}
    keys = list(seen)
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        for rec in session.scalars(
            select(SalesRecord).where(
                tuple_(
                    SalesRecord.product_id,
                    SalesRecord.market_region_id,
                    SalesRecord.period,
                    SalesRecord.channel,
                ).in_(chunk)
            )
        ):
            existing[(rec.product_id, rec.market_region_id, rec.period, rec.channel)] = rec
    created = updated = 0
    for pid, region, period, channel, qty, revenue in parsed:
        found = existing.get((pid, region, period, channel))
        if found is None:
            created += 1
            if not dry_run:
                session.add(
                    SalesRecord(
                        product_id=pid, market_region_id=region, period=period, channel=channel,
                        quantity=qty, revenue_cny=revenue,
                    )
                )  # fmt: skip
        else:
            updated += 1
            if not dry_run:
                # An imported figure replaces one read from the till scans (never both).
                found.quantity, found.revenue_cny, found.source = qty, revenue, "import"
    session.flush()
    return SalesImport(len(parsed), created, updated, dry_run)
