"""Recall: everything downstream of a lot, and its critical tracking events as the FDA's
FSMA 204 sortable spreadsheet lays them out (one row per critical tracking event and
traceability lot, with the key data elements).

Critical tracking events (CTE) from CBV business steps: ``killing``/``collecting``, and
``commissioning`` at a raw-material base, are harvesting; other ``commissioning`` is
initial packing; a TransformationEvent (or events sharing a transformationID) is
transformation; ``shipping`` and ``receiving`` (``arriving``, ``accepting``) are what they
say. Packing into cases and pallets, sensor reports and retail sales are not CTEs: they
are on the recall page but not in the spreadsheet.

Quantities: a lot's own rows carry the quantity of the event; an event about items, cases
or pallets counts the recalled lot's items inside them at that point of the walk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, String, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from plateau.i18n import _, lazy
from plateau.tabular import Column
from plateau.trace.epcis.models import (
    MAX_URI_LENGTH,
    EpcisEventBizTransaction,
    EpcisEventSensor,
    EpcisEventSourceDest,
)
from plateau.trace.lineage import reach
from plateau.trace.lineage.genealogy import (
    CLASS_ROLES,
    INPUT_ROLES,
    OUTPUT_ROLES,
    TRANSFORMATION,
    Ev,
    Genealogy,
    key_parts,
)
from plateau.trace.lineage.resolver import Catalog, local_time, short_key
from plateau.trace.lineage.schemas import RecallRow

CTE_LABELS: dict[str, str] = {
    "harvesting": lazy("Harvesting"),
    "initial_packing": lazy("Initial packing"),
    "transformation": lazy("Transformation"),
    "shipping": lazy("Shipping"),
    "receiving": lazy("Receiving"),
}
DOCUMENT_LABELS: dict[str, str] = {
    "po": lazy("Purchase order"),
    "poc": lazy("Purchase order confirmation"),
    "desadv": lazy("Despatch advice"),
    "recadv": lazy("Receiving advice"),
    "inv": lazy("Invoice"),
    "bol": lazy("Bill of lading"),
    "prodorder": lazy("Production order"),
    "cert": lazy("Certificate"),
    "rma": lazy("Return authorisation"),
}
UNIT_LABELS: dict[str, str] = {
    "EA": lazy("units"),
    "KGM": lazy("kg"),
    "GRM": lazy("g"),
    "TNE": lazy("t"),
    "LTR": lazy("L"),
}


def cte_of(ev: Ev, place_kind: str | None) -> str | None:
    """Return the FSMA critical tracking event an event is, or None."""
    if ev.event_type == TRANSFORMATION or ev.transformation_id:
        return "transformation"
    step = ev.biz_step
    if step in ("killing", "collecting"):
        return "harvesting"
    if step in ("commissioning", "creating_class_instance"):
        return "harvesting" if place_kind == "base" else "initial_packing"
    if step == "shipping":
        return "shipping"
    if step in ("receiving", "arriving", "accepting"):
        return "receiving"
    return None


@dataclass
class Details:
    """Sources, destinations, business transactions and sensor report counts of events."""

    sources: dict[int, list[tuple[str, str]]]
    destinations: dict[int, list[tuple[str, str]]]
    documents: dict[int, list[tuple[str | None, str]]]
    sensors: dict[int, int] = field(default_factory=dict)


@lru_cache(maxsize=4)
def _details_statement(dialect: str) -> Any:
    """Return the one statement of :func:`details` (parameter ``ids``), built once."""
    ids = select(reach.param_set(dialect, "ids", BigInteger()).c.value)
    text = String(MAX_URI_LENGTH)
    return union_all(
        select(
            EpcisEventSourceDest.event_id,
            EpcisEventSourceDest.kind,
            cast(EpcisEventSourceDest.type, text),
            cast(EpcisEventSourceDest.value, text),
        ).where(EpcisEventSourceDest.event_id.in_(ids)),
        select(
            EpcisEventBizTransaction.event_id,
            literal(_DOCUMENT, String(16)),
            cast(EpcisEventBizTransaction.type, text),
            cast(EpcisEventBizTransaction.value, text),
        ).where(EpcisEventBizTransaction.event_id.in_(ids)),
        select(
            EpcisEventSensor.event_id,
            literal(_SENSORS, String(16)),
            cast(null(), text),
            cast(func.count(), text),
        )
        .where(EpcisEventSensor.event_id.in_(ids))
        .group_by(EpcisEventSensor.event_id),
    )


_DOCUMENT, _SENSORS = "document", "sensors"


def details(session: Session, event_ids: Iterable[int]) -> Details:
    """Read the sources, destinations, business transactions and sensor report counts of
    the given events, in one statement however many."""
    result = Details({}, {}, {})
    ids = set(event_ids)
    if not ids:
        return result
    dialect = session.get_bind().dialect.name
    # A Core statement, built once, on the session's connection: no ORM entities to load.
    rows = session.connection().execute(
        _details_statement(dialect), {"ids": reach.param_list(dialect, ids)}
    )
    for event_id, kind, type_, value in rows:
        if kind == _DOCUMENT:
            result.documents.setdefault(event_id, []).append((type_, value))
        elif kind == _SENSORS:
            result.sensors[event_id] = int(value)
        else:
            target = result.sources if kind == "source" else result.destinations
            target.setdefault(event_id, []).append((type_, value))
    return result


def document_number(value: str) -> str:
    """Return the number of a business transaction URI (``urn:epcglobal:cbv:bt:GLN:NUMBER``)."""
    if value.startswith("urn:epcglobal:cbv:bt:"):
        return value.rsplit(":", 1)[-1]
    return value


def attribution(walk: Genealogy, lot_key: str) -> dict[str, set[str]]:
    """Return, for each reached identifier, the recalled lot's items (or the lot) inside it."""
    inside: dict[str, set[str]] = {}
    for link in walk.links.values():
        if link.relation == "lot" and link.source == lot_key:
            inside.setdefault(link.target, set()).add(link.target)
    children: dict[str, set[str]] = {}
    for link in walk.links.values():
        if link.relation == "aggregation":
            children.setdefault(link.target, set()).add(link.source)
    # Containers hold what their children hold; repeat until nothing changes (cycle-safe).
    for _round in range(len(children) + 1):
        changed = False
        for parent, kids in children.items():
            held = inside.setdefault(parent, set())
            before = len(held)
            for kid in kids:
                held |= inside.get(kid, set())
            changed = changed or len(held) != before
        if not changed:
            break
    return inside


def rows(session: Session, walk: Genealogy, catalog: Catalog, *, lot_key: str) -> list[RecallRow]:
    """Return the critical tracking events of a forward walk from ``lot_key``."""
    info = details(session, walk.events)
    catalog.load_places(
        k for ev in walk.events.values() for k in (ev.biz_location, ev.read_point) if k
    )
    held = attribution(walk, lot_key)
    lots = {k for k in walk.nodes if key_parts(k).kind == "lot"}
    origin = _lot_origins(walk, catalog, lots)
    found: list[RecallRow] = []
    for ev in walk.sorted_events():
        place_key = ev.biz_location or ev.read_point
        place = catalog.place(place_key)
        cte = cte_of(ev, place.kind if place else None)
        if cte is None:
            continue
        subjects = walk.subjects.get(ev.id, set())
        per_lot: dict[str, tuple[float, str]] = {}
        if cte == "transformation":
            made: set[str] = set()
            for key, role in subjects:
                if role in OUTPUT_ROLES and key in lots:
                    quantity = _class_quantity(walk, ev.id, key)
                    per_lot[key] = (quantity or 0.0, _class_uom(walk, ev.id, key))
                elif role in OUTPUT_ROLES:
                    made |= held.get(key, set())
            if made:
                quantity, uom = per_lot.get(lot_key, (0.0, "EA"))
                per_lot[lot_key] = (quantity + len(made), uom)
            inputs = "; ".join(
                sorted(
                    {
                        key_parts(m.epc).lot or short_key(m.epc)
                        for m in walk.quantities.get(ev.id, [])
                        if m.role in INPUT_ROLES
                    }
                    | {
                        key_parts(k).lot or short_key(k)
                        for k, role in subjects
                        if role in INPUT_ROLES
                    }
                )
            )
        else:
            inputs = ""
            items: set[str] = set()
            for key, role in subjects:
                if key in lots and role in CLASS_ROLES | {"epc"}:
                    quantity = _class_quantity(walk, ev.id, key)
                    per_lot[key] = (quantity or 0.0, _class_uom(walk, ev.id, key))
                else:
                    items |= held.get(key, set())
            if items:
                per_lot.setdefault(lot_key, (0.0, "EA"))
                quantity, uom = per_lot[lot_key]
                per_lot[lot_key] = (quantity + len(items), uom)
        if not per_lot:
            continue
        sources = info.sources.get(ev.id, [])
        destinations = info.destinations.get(ev.id, [])
        ship_from = _party(catalog, sources) or (
            catalog.place_name(place_key) if cte == "shipping" else ""
        )
        ship_to = _party(catalog, destinations)
        documents = info.documents.get(ev.id, [])
        local = local_time(ev.time, ev.offset)
        identifiers = sorted(short_key(k) for k, _role in subjects if k not in lots)
        for key, (quantity, uom) in sorted(per_lot.items()):
            parts = key_parts(key)
            found.append(
                RecallRow(
                    traceability_lot_code=parts.lot or "",
                    gtin=parts.gtin,
                    product=catalog.product_label(parts.gtin),
                    quantity=quantity,
                    unit=_unit(uom),
                    cte=cte,
                    cte_label=_(CTE_LABELS[cte]),
                    event_date=local.date().isoformat(),
                    event_time=local,
                    location=catalog.place_name(place_key),
                    location_key=place_key,
                    ship_from=ship_from if cte in ("shipping", "receiving") else "",
                    ship_to=ship_to if cte in ("shipping", "receiving") else "",
                    previous_source=_party(catalog, sources) if cte == "receiving" else "",
                    tlc_source=origin.get(f"{parts.gtin}/{parts.lot}", ""),
                    input_lots=inputs,
                    reference_type="; ".join(
                        _(DOCUMENT_LABELS[t]) if t in DOCUMENT_LABELS else (t or "")
                        for t, _v in documents
                    ),
                    reference_number="; ".join(document_number(v) for _t, v in documents),
                    identifier="; ".join(identifiers[:20]),
                    event_id=ev.event_id,
                )
            )
    # Where each lot got its code: the place of its first creating event.
    for row in found:
        if row.cte in ("harvesting", "initial_packing", "transformation"):
            origin.setdefault(_lot_of_row(row), row.location)
    for row in found:
        if not row.tlc_source:
            row.tlc_source = origin.get(_lot_of_row(row), "")
    return found


def _lot_of_row(row: RecallRow) -> str:
    return f"{row.gtin}/{row.traceability_lot_code}"


def _unit(uom: str | None) -> str:
    code = uom or "EA"
    return _(UNIT_LABELS[code]) if code in UNIT_LABELS else code


def _class_quantity(walk: Genealogy, event_id: int, key: str) -> float | None:
    total = None
    for m in walk.quantities.get(event_id, []):
        if m.epc == key and m.quantity is not None:
            total = (total or 0.0) + m.quantity
    return total


def _class_uom(walk: Genealogy, event_id: int, key: str) -> str:
    for m in walk.quantities.get(event_id, []):
        if m.epc == key and m.uom:
            return m.uom
    return "EA"


def _party(catalog: Catalog, entries: list[tuple[str, str]]) -> str:
    """Return the location (or else the owning party) of a source or destination list."""
    for wanted in ("location", "owning_party", "possessing_party"):
        for type_, value in entries:
            if type_ == wanted:
                return catalog.place_name(value)
    return ""


def _lot_origins(walk: Genealogy, catalog: Catalog, lots: set[str]) -> dict[str, str]:
    """Return where each lot got its lot code (the place of the first event that made it),
    keyed ``GTIN/lot``."""
    found: dict[str, str] = {}
    creating = ("commissioning", "creating_class_instance")
    for ev in walk.sorted_events():
        for key, role in walk.subjects.get(ev.id, set()):
            if key not in lots:
                continue
            if role in OUTPUT_ROLES or (ev.action == "ADD" and ev.biz_step in creating):
                parts = key_parts(key)
                found.setdefault(
                    f"{parts.gtin}/{parts.lot}",
                    catalog.place_name(ev.biz_location or ev.read_point),
                )
    return found


def columns() -> list[Column]:
    """Return the spreadsheet's columns, headers in the user's language."""
    return [
        Column("traceability_lot_code", _("Traceability lot code")),
        Column("product", _("Product description")),
        Column("gtin", _("GTIN")),
        Column("quantity", _("Quantity")),
        Column("unit", _("Unit of measure")),
        Column("cte_label", _("Critical tracking event")),
        Column("event_date", _("Date")),
        Column("time", _("Time")),
        Column("location", _("Location description")),
        Column("ship_from", _("Ship-from location")),
        Column("ship_to", _("Ship-to location")),
        Column("previous_source", _("Immediate previous source")),
        Column("tlc_source", _("Traceability lot code source")),
        Column("input_lots", _("Input traceability lot codes")),
        Column("reference_type", _("Reference document type")),
        Column("reference_number", _("Reference document number")),
        Column("identifier", _("Logistic units and items")),
        Column("event_id", _("EPCIS event ID")),
    ]


def table_rows(found: list[RecallRow]) -> list[dict[str, object]]:
    """Return recall rows as spreadsheet cells."""
    return [{**row.model_dump(), "time": row.event_time.strftime("%H:%M")} for row in found]
