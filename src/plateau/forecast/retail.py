"""Retail sales read from the traceability repository: scans at the till become sales.

Each live ``retail_selling`` ObjectEvent (not error-declared) counts what it names: an
instance EPC (SGTIN) is one unit, a quantity of a class (LGTIN or GTIN) without a unit or in
pieces (EA, H87, C62) is that many units; masses are left out (sales count sales units). The
market region is that of the event's business location (else its read point) as registered
in ``trace_location``: a county of Tibet gives its prefecture's market (区内), a place
elsewhere gives the market whose name its region text holds ("四川省成都市" → 成都市;
"四川省绵阳市" → 四川省其他地区). The period is the month of the event time in Beijing; the
current month is left out until it is complete.

Records are stored with ``source = "trace"``, channel ``retail``. A key (product, region,
period, channel) holds one record: an imported figure is never overwritten nor added to
(the import wins), and a sync replaces the traced figures it made before, so running it
twice changes nothing. Revenue is estimated from the product's imported unit price (revenue
over quantity of its imported records), zero when it has none. Called through
``service.sync_retail``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.forecast.models import SalesRecord
from plateau.formatting import BEIJING

SELLING = "retail_selling"
CHANNEL = "retail"
COUNT_UOM = frozenset({"", "EA", "H87", "C62"})


@dataclass
class RetailSync:
    """What a sync did."""

    events: int = 0  # selling events read
    units: float = 0.0  # units counted into sales records
    created: int = 0
    updated: int = 0
    removed: int = 0  # traced records no event supports any more (e.g. error-declared)
    kept_imported: int = 0  # keys where an imported record stands: the scans are not added
    unknown_products: list[str] = field(default_factory=list)  # GTINs not in the registry
    unplaced: list[str] = field(default_factory=list)  # locations without a market region
    skipped_mass: int = 0  # quantities in a unit of mass


def market_of_place(
    county_code: str | None, region_text: str, markets: Iterable[Any]
) -> str | None:
    """The market region of a registered place, or None when it cannot be told."""
    markets = list(markets)
    ids = {m.id for m in markets}
    if county_code:
        market = f"in_{county_code[:4]}00"
        return market if market in ids else None
    text = "".join((region_text or "").split())
    if not text:
        return None
    matched = [m for m in markets if m.id != "all" and m.name_zh and m.name_zh in text]
    if not matched:
        return None
    # The most specific: a match none of whose children also matched.
    names = {m.id for m in matched}
    leaves = [m for m in matched if not any(c.parent_id == m.id for c in matched)]
    best = max(leaves, key=lambda m: len(m.name_zh))
    children = [m for m in markets if m.parent_id == best.id]
    if children:
        # A province without a listed city: its "rest of" market when it has one.
        rest = [c for c in children if c.id.endswith("_other") and c.id not in names]
        return str(rest[0].id) if rest else str(best.id)
    return str(best.id)


def sync(session: Session, *, today: date, markets: list[Any], products: Any) -> RetailSync:
    """Turn selling events into traced sales records (see the module docstring).

    ``products`` maps a 14-digit GTIN to a product id (None when unknown).
    """
    from plateau.trace.epcis.models import EpcisEvent, EpcisEventEpc
    from plateau.trace.lineage.genealogy import live_events
    from plateau.trace.lineage.models import TraceLocation

    report = RetailSync()
    place: dict[str, str | None] = {}
    for loc_key, county, region in session.execute(
        select(TraceLocation.key, TraceLocation.county_code, TraceLocation.region_zh)
    ):
        place[loc_key] = market_of_place(county, region, markets)
    this_month = today.replace(day=1)
    totals: dict[tuple[int, str, date], float] = {}
    events: set[int] = set()
    unplaced: set[str] = set()
    unknown: set[str] = set()
    stmt = (
        select(
            EpcisEvent.id,
            EpcisEvent.event_time,
            EpcisEvent.biz_location,
            EpcisEvent.read_point,
            EpcisEventEpc.role,
            EpcisEventEpc.gtin,
            EpcisEventEpc.quantity,
            EpcisEventEpc.uom,
        )
        .join(EpcisEventEpc, EpcisEventEpc.event_id == EpcisEvent.id)
        .where(
            EpcisEvent.biz_step == SELLING,
            EpcisEvent.event_type == "ObjectEvent",
            EpcisEventEpc.role.in_(("epc", "quantity_class")),
            EpcisEventEpc.gtin.is_not(None),
            live_events(),
        )
        .execution_options(yield_per=2000)
    )
    for eid, when, biz, read, role, gtin, quantity, uom in session.execute(stmt):
        where = biz if biz in place else read
        market = place.get(where or "")
        if market is None:
            unplaced.add(where or biz or read or "")
            continue
        period = _month(when)
        if period >= this_month:
            continue
        pid = products(gtin)
        if pid is None:
            unknown.add(str(gtin))
            continue
        if role == "epc":
            units = 1.0
        elif quantity is not None and (uom or "").upper() in COUNT_UOM:
            units = float(quantity)
        else:
            report.skipped_mass += 1
            continue
        events.add(eid)
        key = (pid, market, period)
        totals[key] = totals.get(key, 0.0) + units
    report.events = len(events)
    report.unplaced = sorted(unplaced)
    report.unknown_products = sorted(unknown)
    _store(session, totals, report)
    return report


def _month(when: datetime) -> date:
    local = when.astimezone(BEIJING) if when.tzinfo else when.replace(tzinfo=ZoneInfo("UTC"))
    local = local.astimezone(BEIJING)
    return date(local.year, local.month, 1)


def _unit_prices(session: Session, product_ids: set[int]) -> dict[int, Decimal]:
    """Imported revenue per unit of each product (products without imports are left out)."""
    out: dict[int, Decimal] = {}
    ids = sorted(product_ids)
    for i in range(0, len(ids), 400):
        for pid, qty, revenue in session.execute(
            select(
                SalesRecord.product_id,
                func.sum(SalesRecord.quantity),
                func.sum(SalesRecord.revenue_cny),
            )
            .where(SalesRecord.source == "import", SalesRecord.product_id.in_(ids[i : i + 400]))
            .group_by(SalesRecord.product_id)
        ):
            if qty and Decimal(qty) > 0:
                out[int(pid)] = Decimal(revenue) / Decimal(qty)
    return out


def _store(
    session: Session, totals: dict[tuple[int, str, date], float], report: RetailSync
) -> None:
    prices = _unit_prices(session, {pid for pid, _m, _p in totals})
    # Every retail record of the products and of the products traced before: few rows per
    # product and month, read in one pass per chunk of products.
    traced_before = set(
        session.scalars(
            select(SalesRecord.product_id).where(SalesRecord.source == "trace").distinct()
        )
    )
    pids = sorted({pid for pid, _m, _p in totals} | traced_before)
    existing: dict[tuple[int, str, date], SalesRecord] = {}
    for i in range(0, len(pids), 400):
        for rec in session.scalars(
            select(SalesRecord).where(
                SalesRecord.channel == CHANNEL, SalesRecord.product_id.in_(pids[i : i + 400])
            )
        ):
            existing[(rec.product_id, rec.market_region_id, rec.period)] = rec
    for key, units in sorted(totals.items()):
        pid, market, period = key
        qty = Decimal(f"{units:.3f}")
        revenue = (qty * prices.get(pid, Decimal(0))).quantize(Decimal("0.01"))
        found = existing.pop(key, None)
        if found is None:
            session.add(
                SalesRecord(
                    product_id=pid, market_region_id=market, period=period, channel=CHANNEL,
                    quantity=qty, revenue_cny=revenue, source="trace",
                )
            )  # fmt: skip
            report.created += 1
            report.units += units
        elif found.source != "trace":
            report.kept_imported += 1  # the import stands; the scans are not added to it
        else:
            if found.quantity != qty or found.revenue_cny != revenue:
                found.quantity, found.revenue_cny = qty, revenue
                report.updated += 1
            report.units += units
    for rec in existing.values():
        if rec.source == "trace":  # no live event supports it any more
            session.delete(rec)
            report.removed += 1
    session.flush()
