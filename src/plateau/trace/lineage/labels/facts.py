"""What the pack's label says of a lot: its production date and its best-before or expiry
date, read from the instance/lot master data (ILMD) of the event that made the lot.

Public (the consumer page): only dates a shopper reads on the pack, nothing else of the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.formatting import BEIJING
from plateau.trace.epcis.models import EpcisEvent, EpcisEventEpc
from plateau.trace.lineage import genealogy
from plateau.trace.lineage.models import TraceLotItem

_LOOK_AT = 20  # events of a lot read at most (the making event is among the first)


@dataclass(frozen=True)
class LotFacts:
    produced: date | None = None  # 生产日期, Beijing date of the making event
    best_before: date | None = None  # 保质期至 (cbvmda:bestBeforeDate)
    expires: date | None = None  # 有效期至 (cbvmda:itemExpirationDate, medicines)


def _attribute(ilmd: dict[str, Any], name: str) -> Any:
    for key, value in ilmd.items():
        if key == name or key.endswith(":" + name) or key.endswith("#" + name):
            return value
    return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def lot_facts(session: Session, *, gtin: str, lot: str | None, serial: str | None) -> LotFacts:
    """Dates of the lot (or of the item's lot) as recorded when it was made; empty when the
    lot is unknown. Lot numbers match exactly, as GS1 AI 10 is case-sensitive."""
    if not lot and serial:
        lot_key = session.scalar(
            select(TraceLotItem.lot_key)
            .where(TraceLotItem.item_key == genealogy.item_key(gtin, serial))
            .limit(1)
        )
        lot = genealogy.key_parts(lot_key).lot if lot_key else None
    if not lot:
        return LotFacts()
    key = genealogy.lot_key(gtin, lot)
    first_item = session.scalar(
        select(TraceLotItem.item_key).where(TraceLotItem.lot_key == key).limit(1)
    )
    keys = [key] + ([first_item] if first_item else [])
    rows = session.execute(
        select(EpcisEvent.event_time, EpcisEvent.event_json)
        .where(EpcisEvent.id.in_(select(EpcisEventEpc.event_id).where(EpcisEventEpc.epc.in_(keys))))
        .order_by(EpcisEvent.event_time)
        .limit(_LOOK_AT)
    ).all()
    for when, doc in rows:
        ilmd = doc.get("ilmd") if isinstance(doc, dict) else None
        if not isinstance(ilmd, dict):
            continue
        if str(_attribute(ilmd, "lotNumber") or "").strip() != lot:
            continue
        return LotFacts(
            produced=when.astimezone(BEIJING).date(),
            best_before=_day(_attribute(ilmd, "bestBeforeDate")),
            expires=_day(_attribute(ilmd, "itemExpirationDate")),
        )
    return LotFacts()
