"""Mass balance: could the recorded outputs have come from the recorded inputs?

Per transformation, the output mass of each product kind is compared with what the input
mass can give at the configured yields (yak carcass → jerky 0.35–0.45 …). Per lot, the
units produced, dispatched by the brand owner and sold to consumers are compared with each
other and with what the lot's inputs can give. A lot that sells more "Nagqu yak jerky" than
the Nagqu yak that went in could give is flagged, with the eventIDs that show it.

Quantities: a quantity in KGM, GRM, TNE, LBR or MGM is a mass; a quantity without unit (or
EA) counts units, turned into mass with the product's ``unit_kg``; an EPC counts one unit.
Kinds, yields and storage temperatures have defaults here; rows of ``trace_kind`` and
``trace_yield`` override them, and ``trace_product_kind`` says which kind each GTIN is.

Dispatched counts the brand owner's own shipping events (internal moves are better recorded
as ``transporting``); sold counts ``retail_selling`` events. Items inside shipped cases or
pallets are not counted here (only direct references), so a lot shipped only on pallets
shows no dispatch, never a false alarm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from plateau.i18n import _
from plateau.trace.epcis.models import EpcisEvent, EpcisEventEpc
from plateau.trace.lineage.genealogy import (
    INPUT_ROLES,
    OUTPUT_ROLES,
    TRANSFORMATION,
    Epc,
    chunks,
    key_parts,
    live_events,
)
from plateau.trace.lineage.models import TraceKind, TraceLotItem, TraceProductKind, TraceYield
from plateau.trace.lineage.resolver import Catalog, loc
from plateau.trace.lineage.schemas import (
    BalanceFlag,
    KindRead,
    LotBalance,
    MassBalanceRead,
    MassFlow,
    TransformationBalance,
)

# id: (name_zh, name_en, lowest °C, highest °C)
DEFAULT_KINDS: dict[str, tuple[str, str, float | None, float | None]] = {
    "yak_carcass": ("牦牛胴体", "Yak carcass", -1.0, 4.0),
    "yak_jerky": ("牦牛肉干", "Yak jerky", None, 25.0),
    "barley_grain": ("青稞原粮", "Highland barley grain", None, 25.0),
    "barley_flour": ("青稞面粉", "Highland barley flour", None, 25.0),
    "barley_biscuit": ("青稞饼干", "Highland barley biscuits", None, 25.0),
    "tibetan_herb": ("藏药材", "Tibetan medicinal herbs", None, 25.0),
    "tibetan_medicine": ("藏药成药", "Tibetan medicine", None, 20.0),
    "drinking_water": ("天然饮用水", "Natural drinking water", 0.0, 35.0),
}
# (input kind, output kind): (lowest, highest) output mass per unit of input mass
DEFAULT_YIELDS: dict[tuple[str, str], tuple[float, float]] = {
    ("yak_carcass", "yak_jerky"): (0.35, 0.45),
    ("barley_grain", "barley_flour"): (0.70, 0.90),
    # Biscuits weigh more than their barley flour: sugar, butter and water go in too.
    ("barley_flour", "barley_biscuit"): (1.10, 1.60),
    ("tibetan_herb", "tibetan_medicine"): (0.20, 1.00),
}
MASS_UOM: dict[str, float] = {
    "KGM": 1.0,
    "GRM": 0.001,
    "MGM": 0.000001,
    "TNE": 1000.0,
    "LBR": 0.45359237,
}
COUNT_UOM = frozenset({"EA", "H87", "C62"})
SHIPPING = "shipping"
SELLING = "retail_selling"
PRODUCING = frozenset({"commissioning", "creating_class_instance"})
# Rounding slack: a few grams or half a unit is not fraud.
_SLACK = 1.001
_MAX_EVIDENCE = 40


@dataclass
class Config:
    """Kinds, yields and the kind of each GTIN, defaults overlaid with the tables."""

    kinds: dict[str, KindRead] = field(default_factory=dict)
    products: dict[str, tuple[str, float | None]] = field(default_factory=dict)
    yields: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    def kind_of(self, gtin: str | None) -> str | None:
        return self.products[gtin][0] if gtin in self.products else None

    def unit_kg(self, gtin: str | None) -> float | None:
        return self.products[gtin][1] if gtin in self.products else None

    def kind_name(self, kind: str | None) -> str | None:
        if kind is None:
            return None
        found = self.kinds.get(kind)
        return loc(found.name_zh, found.name_en) if found else kind


def load_config(session: Session) -> Config:
    """Read the configuration (defaults where the tables say nothing)."""
    config = Config()
    for kind, (zh, en, low, high) in DEFAULT_KINDS.items():
        config.kinds[kind] = KindRead(
            id=kind, name_zh=zh, name_en=en, temp_min_c=low, temp_max_c=high
        )
    for row in session.scalars(select(TraceKind)):
        config.kinds[row.id] = KindRead.model_validate(row)
    config.yields = dict(DEFAULT_YIELDS)
    for y in session.scalars(select(TraceYield)):
        config.yields[(y.input_kind_id, y.output_kind_id)] = (y.min_ratio, y.max_ratio)
    for p in session.scalars(select(TraceProductKind)):
        config.products[p.gtin] = (p.kind_id, p.unit_kg)
    return config


def ensure_defaults(session: Session) -> None:
    """Store the default kinds and yields that the tables do not have yet (idempotent)."""
    have = set(session.scalars(select(TraceKind.id)))
    for kind, (zh, en, low, high) in DEFAULT_KINDS.items():
        if kind not in have:
            session.add(TraceKind(id=kind, name_zh=zh, name_en=en, temp_min_c=low, temp_max_c=high))
    session.flush()
    pairs = {
        (source, target)
        for source, target in session.execute(
            select(TraceYield.input_kind_id, TraceYield.output_kind_id)
        )
    }
    for (source, target), (low, high) in DEFAULT_YIELDS.items():
        if (source, target) not in pairs:
            session.add(
                TraceYield(
                    input_kind_id=source, output_kind_id=target, min_ratio=low, max_ratio=high
                )
            )
    session.flush()


def kg_of(quantity: float | None, uom: str | None, unit_kg: float | None) -> float | None:
    """Return the mass of a quantity (an EPC is one unit), or None when it cannot be known."""
    amount = 1.0 if quantity is None else quantity
    if uom in MASS_UOM:
        return amount * MASS_UOM[uom]
    if (uom is None or uom in COUNT_UOM) and unit_kg is not None:
        return amount * unit_kg
    return None


def units_of(quantity: float | None, uom: str | None, unit_kg: float | None) -> float | None:
    """Return a quantity as a number of units (packs, bottles), or None."""
    amount = 1.0 if quantity is None else quantity
    if uom is None or uom in COUNT_UOM:
        return amount
    if uom in MASS_UOM and unit_kg:
        return amount * MASS_UOM[uom] / unit_kg
    return None


@dataclass
class _Row:
    event: int
    epc: str
    role: str
    quantity: float | None
    uom: str | None


@dataclass
class _Group:
    id: str
    events: list[
        tuple[int, str, datetime, str | None, str | None]
    ]  # id, eventID, time, place, enterprise
    rows: list[_Row] = field(default_factory=list)


def _transformation_groups(
    session: Session, visible: ColumnElement[bool], *, outputs: set[str] | None
) -> list[_Group]:
    columns = (
        EpcisEvent.id,
        EpcisEvent.event_id,
        EpcisEvent.event_time,
        EpcisEvent.biz_location,
        EpcisEvent.read_point,
        EpcisEvent.captured_by_enterprise,
        EpcisEvent.transformation_id,
        EpcisEvent.event_type,
    )
    found: dict[int, Any] = {}
    is_transformation = or_(
        EpcisEvent.event_type == TRANSFORMATION, EpcisEvent.transformation_id.is_not(None)
    )
    if outputs is None:
        for row in session.execute(select(*columns).where(is_transformation, visible)):
            found[row[0]] = row
    else:
        tids: set[str] = set()
        for chunk in chunks(outputs):
            stmt = (
                select(*columns)
                .join(Epc, Epc.event_id == EpcisEvent.id)
                .where(
                    Epc.epc.in_(chunk),
                    Epc.role.in_(sorted(OUTPUT_ROLES)),
                    is_transformation,
                    visible,
                )
            )
            for row in session.execute(stmt):
                found[row[0]] = row
                if row[6]:
                    tids.add(row[6])
        for chunk in chunks(tids):
            for row in session.execute(
                select(*columns).where(EpcisEvent.transformation_id.in_(chunk), visible)
            ):
                found[row[0]] = row
    groups: dict[str, _Group] = {}
    for row in sorted(found.values(), key=lambda r: (r[2], r[0])):
        group_id = row[6] or row[1]
        group = groups.setdefault(group_id, _Group(group_id, []))
        group.events.append((row[0], row[1], row[2], row[3] or row[4], row[5]))
    by_event = {e[0]: g for g in groups.values() for e in g.events}
    for chunk in chunks(by_event):
        for event_id, epc, role, quantity, uom in session.execute(
            select(
                EpcisEventEpc.event_id,
                EpcisEventEpc.epc,
                EpcisEventEpc.role,
                EpcisEventEpc.quantity,
                EpcisEventEpc.uom,
            ).where(
                EpcisEventEpc.event_id.in_(chunk),
                EpcisEventEpc.role.in_(sorted(INPUT_ROLES | OUTPUT_ROLES)),
            )
        ):
            by_event[event_id].rows.append(_Row(event_id, epc, role, quantity, uom))
    return list(groups.values())


def _flows(rows: Iterable[_Row], config: Config, catalog: Catalog) -> list[MassFlow]:
    """Sum a side of a transformation per identifier (EPCs per GTIN)."""
    merged: dict[str, MassFlow] = {}
    for row in rows:
        parts = key_parts(row.epc)
        unit = config.unit_kg(parts.gtin)
        mass = kg_of(row.quantity, row.uom, unit)
        if row.role in ("input", "output") and parts.gtin:
            key = f"https://id.gs1.org/01/{parts.gtin}"
            label = catalog.product_label(parts.gtin)
            quantity: float | None = 1.0
        else:
            key, label, quantity = row.epc, catalog.node_label(row.epc), row.quantity
        flow = merged.get(key)
        if flow is None:
            merged[key] = MassFlow(
                key=key,
                label=label,
                kind=config.kind_of(parts.gtin),
                quantity=quantity,
                uom=row.uom,
                kg=mass,
            )
        else:
            flow.quantity = (flow.quantity or 0) + (quantity or 0)
            flow.kg = None if flow.kg is None or mass is None else flow.kg + mass
    for flow in merged.values():
        flow.kg = round(flow.kg, 3) if flow.kg is not None else None
    return list(merged.values())


def _by_kind(flows: Iterable[MassFlow]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for flow in flows:
        if flow.kind is not None and flow.kg is not None:
            totals[flow.kind] = totals.get(flow.kind, 0.0) + flow.kg
    return totals


def _fmt(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


@dataclass
class _Check:
    balance: TransformationBalance
    # output kind -> most kg the inputs can give
    capacity: dict[str, float]
    out_kg: dict[str, float]


def _check_transformation(group: _Group, config: Config, catalog: Catalog) -> _Check:
    inputs = _flows((r for r in group.rows if r.role in INPUT_ROLES), config, catalog)
    outputs = _flows((r for r in group.rows if r.role in OUTPUT_ROLES), config, catalog)
    in_kg, out_kg = _by_kind(inputs), _by_kind(outputs)
    event_ids = [e[1] for e in group.events]
    flags: list[BalanceFlag] = []
    capacity: dict[str, float] = {}
    floor: dict[str, float] = {}
    pairs: list[tuple[str, str]] = []
    for out_kind, made in out_kg.items():
        for in_kind, used in in_kg.items():
            rule = config.yields.get((in_kind, out_kind))
            if rule is None:
                continue
            pairs.append((in_kind, out_kind))
            capacity[out_kind] = capacity.get(out_kind, 0.0) + used * rule[1]
            floor[out_kind] = floor.get(out_kind, 0.0) + used * rule[0]
        if out_kind in capacity and made > capacity[out_kind] * _SLACK:
            flags.append(
                BalanceFlag(
                    code="yield_above_max",
                    severity="warning",
                    message=_(
                        "%(made)s kg of %(kind)s recorded, but the recorded inputs can give at most %(max)s kg.",
                        made=_fmt(made),
                        kind=config.kind_name(out_kind),
                        max=_fmt(capacity[out_kind]),
                    ),
                    evidence=event_ids,
                )
            )
        elif out_kind in floor and made < floor[out_kind] / _SLACK:
            flags.append(
                BalanceFlag(
                    code="yield_below_min",
                    severity="info",
                    message=_(
                        "%(made)s kg of %(kind)s is less than the usual yield of the inputs (at least %(min)s kg).",
                        made=_fmt(made),
                        kind=config.kind_name(out_kind),
                        min=_fmt(floor[out_kind]),
                    ),
                    evidence=event_ids,
                )
            )
    rule_in = sum(in_kg[i] for i in {p[0] for p in pairs})
    rule_out = sum(out_kg[o] for o in {p[1] for p in pairs})
    ratio = rule_out / rule_in if pairs and rule_in > 0 else None
    low = high = None
    if len(pairs) == 1:
        low, high = config.yields[pairs[0]]
    first = group.events[0]
    balance = TransformationBalance(
        id=group.id,
        time=first[2],
        location=catalog.place_name(first[3]) or None,
        captured_by=first[4],
        inputs=inputs,
        outputs=outputs,
        input_kg=round(sum(f.kg for f in inputs if f.kg is not None), 3) if inputs else None,
        output_kg=round(sum(f.kg for f in outputs if f.kg is not None), 3) if outputs else None,
        ratio=round(ratio, 4) if ratio is not None else None,
        min_ratio=low,
        max_ratio=high,
        flags=flags,
        event_ids=event_ids,
    )
    return _Check(balance, capacity, out_kg)


@dataclass
class _Lot:
    """What the records say of one lot, in units (packs, bottles) or, for products sold by
    weight without a unit mass, in kilograms."""

    key: str
    unit_kg: float | None
    measure: str = "units"  # units | kg
    produced: float = 0.0
    supportable: float | None = None
    used: float = 0.0
    dispatched: float = 0.0
    sold: float = 0.0
    produced_by: list[str] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)
    dispatch_events: list[str] = field(default_factory=list)
    sale_events: list[str] = field(default_factory=list)
    _measured: bool = False

    def amount(self, quantity: float | None, uom: str | None) -> float | None:
        """Return a quantity in this lot's measure (the first quantity seen decides it)."""
        units = units_of(quantity, uom, self.unit_kg)
        mass = kg_of(quantity, uom, self.unit_kg)
        if not self._measured:
            self._measured = True
            self.measure = "units" if units is not None else "kg"
        return units if self.measure == "units" else mass

    def from_kg(self, kg: float) -> float | None:
        if self.measure == "kg":
            return kg
        return kg / self.unit_kg if self.unit_kg else None


def balance(
    session: Session,
    *,
    visible: ColumnElement[bool],
    catalog: Catalog,
    config: Config,
    lots: set[str] | None = None,
) -> MassBalanceRead:
    """Return the mass balance of every visible transformation and lot (or of ``lots`` only)."""
    visible = and_(visible, live_events())
    groups = _transformation_groups(session, visible, outputs=lots)
    catalog.load_places(e[3] for g in groups for e in g.events if e[3])
    checks = [_check_transformation(g, config, catalog) for g in groups]
    found: dict[str, _Lot] = {}

    def lot(key: str) -> _Lot:
        if key not in found:
            found[key] = _Lot(key, config.unit_kg(key_parts(key).gtin))
        return found[key]

    item_lots = _lots_of_items(
        session, {r.epc for g in groups for r in g.rows if r.role == "output"}
    )
    for group, check in zip(groups, checks, strict=True):
        made: dict[str, float] = {}
        event_ids = [e[1] for e in group.events]
        for row in group.rows:
            parts = key_parts(row.epc)
            if row.role == "input_quantity_class" and parts.kind == "lot":
                if lots is None or row.epc in lots:
                    entry = lot(row.epc)
                    amount = entry.amount(row.quantity, row.uom)
                    if amount is not None:
                        entry.used += amount
                        entry.used_by.extend(event_ids)
                continue
            if row.role == "output_quantity_class" and parts.kind == "lot":
                entry = lot(row.epc)
                amount = entry.amount(row.quantity, row.uom)
                if amount is not None:
                    entry.produced += amount
                entry.produced_by.extend(event_ids)
                mass = kg_of(row.quantity, row.uom, entry.unit_kg)
                if mass is not None:
                    made[row.epc] = made.get(row.epc, 0.0) + mass
            elif row.role == "output":
                # Serialised outputs count towards their lot (produced is counted from
                # the lot index); here only what the inputs can give is shared out.
                mass = kg_of(None, None, config.unit_kg(parts.gtin))
                for lot_key in item_lots.get(row.epc, ()):
                    if mass is not None:
                        made[lot_key] = made.get(lot_key, 0.0) + mass
        # Share what the inputs can give among the output lots of each kind.
        for key, mass in made.items():
            kind = config.kind_of(key_parts(key).gtin)
            if kind is None or kind not in check.capacity:
                continue
            total = check.out_kg.get(kind) or mass
            entry = lot(key)
            can = entry.from_kg(check.capacity[kind] * mass / total if total else 0.0)
            if can is not None:
                entry.supportable = (entry.supportable or 0.0) + can
    _class_quantities(session, visible, lot, lots, catalog)
    _item_counts(session, visible, lot, lots, catalog)
    lot_reads = [_lot_read(entry, config, catalog) for entry in found.values()]
    lot_reads.sort(key=lambda r: (not r.flags, r.label))
    transformations = [c.balance for c in checks]
    transformations.sort(key=lambda t: (not any(f.severity == "warning" for f in t.flags), t.time))
    return MassBalanceRead(
        transformations=transformations,
        lots=lot_reads,
        flagged_transformations=sum(
            1 for t in transformations if any(f.severity == "warning" for f in t.flags)
        ),
        flagged_lots=sum(1 for r in lot_reads if any(f.severity == "warning" for f in r.flags)),
    )


def _lots_of_items(session: Session, items: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for chunk in chunks(items):
        for item, lot_key in session.execute(
            select(TraceLotItem.item_key, TraceLotItem.lot_key).where(
                TraceLotItem.item_key.in_(chunk)
            )
        ):
            found.setdefault(item, set()).add(lot_key)
    return found


def _class_quantities(
    session: Session,
    visible: ColumnElement[bool],
    lot: Callable[[str], _Lot],
    lots: set[str] | None,
    catalog: Catalog,
) -> None:
    """Add commissioned, dispatched and sold quantities of lot classes."""
    stmt = (
        select(
            Epc.epc,
            Epc.quantity,
            Epc.uom,
            EpcisEvent.biz_step,
            EpcisEvent.action,
            EpcisEvent.captured_by_enterprise,
            EpcisEvent.event_id,
        )
        .join(EpcisEvent, EpcisEvent.id == Epc.event_id)
        .where(
            Epc.role == "quantity_class",
            EpcisEvent.event_type == "ObjectEvent",
            or_(
                EpcisEvent.biz_step.in_([SHIPPING, SELLING]),
                and_(EpcisEvent.action == "ADD", EpcisEvent.biz_step.in_(sorted(PRODUCING))),
            ),
            visible,
        )
    )
    batches = [stmt] if lots is None else [stmt.where(Epc.epc.in_(c)) for c in chunks(lots)]
    for batch in batches:
        for epc, quantity, uom, step, action, enterprise, event_id in session.execute(batch):
            parts = key_parts(epc)
            if parts.kind != "lot":
                continue
            entry = lot(epc)
            amount = entry.amount(quantity, uom)
            if amount is None:
                continue
            if step in PRODUCING and action == "ADD":
                entry.produced += amount
                entry.produced_by.append(event_id)
            elif step == SELLING:
                entry.sold += amount
                entry.sale_events.append(event_id)
            elif step == SHIPPING:
                owner = catalog.owner(parts.gtin)
                if owner is None or enterprise == owner:
                    entry.dispatched += amount
                    entry.dispatch_events.append(event_id)


def _item_counts(
    session: Session,
    visible: ColumnElement[bool],
    lot: Callable[[str], _Lot],
    lots: set[str] | None,
    catalog: Catalog,
) -> None:
    """Add the serialised items of lots: commissioned, dispatched and sold."""
    stmt = (
        select(
            TraceLotItem.lot_key,
            Epc.epc,
            EpcisEvent.biz_step,
            EpcisEvent.captured_by_enterprise,
            EpcisEvent.event_id,
        )
        .join(Epc, Epc.epc == TraceLotItem.item_key)
        .join(EpcisEvent, EpcisEvent.id == Epc.event_id)
        .where(
            Epc.role.in_(["epc", "output"]),
            or_(
                EpcisEvent.biz_step.in_([SHIPPING, SELLING]),
                EpcisEvent.id == TraceLotItem.event_id,
            ),
            visible,
        )
    )
    batches = (
        [stmt] if lots is None else [stmt.where(TraceLotItem.lot_key.in_(c)) for c in chunks(lots)]
    )
    seen: dict[tuple[str, str], set[str]] = {}
    events: dict[tuple[str, str], set[str]] = {}
    for batch in batches:
        for lot_key, item, step, enterprise, event_id in session.execute(batch):
            if step == SHIPPING:
                owner = catalog.owner(key_parts(lot_key).gtin)
                if owner is not None and enterprise != owner:
                    continue
                what = "dispatched"
            elif step == SELLING:
                what = "sold"
            else:
                what = "produced"
            seen.setdefault((lot_key, what), set()).add(item)
            events.setdefault((lot_key, what), set()).add(event_id)
    for (lot_key, what), items in seen.items():
        entry = lot(lot_key)
        entry.amount(None, None)
        ids = sorted(events[(lot_key, what)])
        if what == "produced":
            entry.produced += len(items)
            entry.produced_by.extend(ids)
        elif what == "dispatched":
            entry.dispatched += len(items)
            entry.dispatch_events.extend(ids)
        else:
            entry.sold += len(items)
            entry.sale_events.extend(ids)


def _lot_read(entry: _Lot, config: Config, catalog: Catalog) -> LotBalance:
    parts = key_parts(entry.key)
    flags: list[BalanceFlag] = []
    lot_name = parts.lot or entry.key
    made = sorted(set(entry.produced_by))
    unit = _("kg") if entry.measure == "kg" else _("units")
    slack = 0.5 if entry.measure == "units" else 0.01
    if entry.sold > entry.produced + slack:
        flags.append(
            BalanceFlag(
                code="sold_exceeds_produced",
                severity="warning",
                message=_(
                    "Lot %(lot)s: %(sold)s %(unit)s sold, but only %(made)s produced.",
                    lot=lot_name,
                    sold=_fmt(entry.sold),
                    made=_fmt(entry.produced),
                    unit=unit,
                ),
                evidence=(made + sorted(set(entry.sale_events)))[:_MAX_EVIDENCE],
            )
        )
    if entry.dispatched > entry.produced + slack:
        flags.append(
            BalanceFlag(
                code="dispatched_exceeds_produced",
                severity="warning",
                message=_(
                    "Lot %(lot)s: %(sent)s %(unit)s dispatched, but only %(made)s produced.",
                    lot=lot_name,
                    sent=_fmt(entry.dispatched),
                    made=_fmt(entry.produced),
                    unit=unit,
                ),
                evidence=(made + sorted(set(entry.dispatch_events)))[:_MAX_EVIDENCE],
            )
        )
    if made and entry.used > entry.produced * _SLACK + slack:
        flags.append(
            BalanceFlag(
                code="used_exceeds_produced",
                severity="warning",
                message=_(
                    "Lot %(lot)s: %(used)s %(unit)s went into processing, but only %(made)s were produced.",
                    lot=lot_name,
                    used=_fmt(entry.used),
                    made=_fmt(entry.produced),
                    unit=unit,
                ),
                evidence=(made + sorted(set(entry.used_by)))[:_MAX_EVIDENCE],
            )
        )
    claimed = max(entry.produced, entry.dispatched, entry.sold)
    if entry.supportable is not None and claimed > entry.supportable * _SLACK + slack:
        flags.append(
            BalanceFlag(
                code="exceeds_inputs",
                severity="warning",
                message=_(
                    "Lot %(lot)s: %(made)s %(unit)s produced and %(sold)s sold, but its recorded inputs can give at most %(max)s.",
                    lot=lot_name,
                    made=_fmt(entry.produced),
                    sold=_fmt(entry.sold),
                    unit=unit,
                    max=_fmt(entry.supportable),
                ),
                evidence=(
                    made + sorted(set(entry.sale_events)) + sorted(set(entry.dispatch_events))
                )[:_MAX_EVIDENCE],
            )
        )
    return LotBalance(
        key=entry.key,
        gtin=parts.gtin,
        lot=parts.lot,
        label=catalog.node_label(entry.key),
        kind=config.kind_name(config.kind_of(parts.gtin)),
        unit_kg=entry.unit_kg,
        measure=entry.measure,
        produced=round(entry.produced, 3),
        supportable=round(entry.supportable, 1) if entry.supportable is not None else None,
        used=round(entry.used, 3),
        dispatched=round(entry.dispatched, 3),
        sold=round(entry.sold, 3),
        flags=flags,
    )
