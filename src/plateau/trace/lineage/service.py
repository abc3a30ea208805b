"""What the plan's users get on top of the EPCIS repository: genealogy, recall, mass balance,
cold chain, the consumer page behind every QR code, QR labels and industrial-internet
identifiers. The one entry point routers, commands and the demo call.

Every function takes the session first and the caller (``actor``); reads are limited to the
events ``access.scope_of`` lets the caller see (officials their jurisdiction, enterprises
their own, the public nothing), except the consumer page and the resolver, which are public
and show only :mod:`resolver`'s public projection. Functions flush, never commit.

Reads never write: capture keeps the lot index current in its own transaction
(``genealogy.index_captured``); ``refresh`` is the maintenance step that rebuilds links past
its watermark (the demo load and ``plateau trace`` maintenance call it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.caching import LruCache
from plateau.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.registry import service as registry_service
from plateau.registry.identifiers import IdentifierError
from plateau.registry.schemas import CERTIFICATION_LABELS, LICENCE_LABELS
from plateau.tabular import Column
from plateau.trace import identifiers
from plateau.trace.epcis import access
from plateau.trace.epcis.models import EpcisEvent, EpcisEventEpc
from plateau.trace.lineage import (
    cold_chain,
    genealogy,
    handles,
    mass_balance,
    recall,
    resolver,
)
from plateau.trace.lineage.genealogy import Direction, Genealogy, key_parts
from plateau.trace.lineage.labels import codes as labels
from plateau.trace.lineage.models import (
    TraceHandle,
    TraceHandlePrefix,
    TraceKind,
    TraceLocation,
    TraceLotItem,
    TraceProductKind,
    TraceYield,
)
from plateau.trace.lineage.resolver import Catalog, Parsed
from plateau.trace.lineage.schemas import (
    BaseRead,
    CertificateRead,
    ColdChainRead,
    ConsumerView,
    CountyRead,
    EnterpriseRef,
    HandleCreate,
    HandleKind,
    HandleRead,
    KindRead,
    KindUpdate,
    LocationCreate,
    MassBalanceRead,
    PrefixCreate,
    ProductKindRead,
    ProductKindUpdate,
    RecallRead,
    TraceNodeRead,
    TracePlaceRead,
    TraceRead,
    YieldRead,
    YieldUpdate,
)

PARTY_TYPES = frozenset({"owning_party", "possessing_party"})

__all__ = [
    "ColdChainRead",
    "cold_chain_of",
    "consumer_view",
    "ensure_defaults",
    "examples",
    "handle_record",
    "list_handles",
    "list_kinds",
    "list_locations",
    "list_prefixes",
    "list_product_kinds",
    "list_yields",
    "make_labels",
    "mass_balance_of",
    "mint_handle",
    "parse",
    "recall_of",
    "recall_table",
    "refresh",
    "register_location",
    "register_prefix",
    "resolve_handle",
    "set_product_kind",
    "trace",
    "update_kind",
    "update_yield",
]


def refresh(session: Session) -> int:
    """Rebuild lot-index links for events past the watermark (maintenance; reads never do)."""
    return genealogy.refresh_index(session)


def parse(session: Session, *, identifier: str) -> Parsed:
    """Read an identifier in any spelling the platform accepts (or raise ValidationFailed)."""
    return resolver.parse_identifier(session, identifier)


def _today() -> date:
    return datetime.now(BEIJING).date()


# --- genealogy ----------------------------------------------------------------------------


def trace(
    session: Session,
    *,
    identifier: str,
    direction: Direction = "both",
    actor: Actor,
    max_depth: int = genealogy.DEFAULT_DEPTH,
) -> TraceRead:
    """Trace an item, lot, case or pallet back to its raw-material base and forward to every
    location and party, over the events the caller may see."""
    scope = access.scope_of(session, actor)
    parsed = parse(session, identifier=identifier)
    walk = genealogy.walk(
        session, [parsed.key], direction=direction, scope=scope, max_depth=max_depth
    )
    if not walk.events:
        raise NotFound(_("No traceability records of %(id)s that you may see.", id=identifier))
    return _trace_read(session, parsed, walk, Catalog(session))


def _trace_read(session: Session, parsed: Parsed, walk: Genealogy, catalog: Catalog) -> TraceRead:
    info = recall.details(session, walk.events)
    sensor_counts = info.sensors
    place_keys: set[str] = set()
    party_keys: set[str] = set()
    for ev in walk.events.values():
        place_keys.update(k for k in (ev.read_point, ev.biz_location) if k)
    for entries in (*info.sources.values(), *info.destinations.values()):
        for type_, value in entries:
            (party_keys if type_ in PARTY_TYPES else place_keys).add(value)
    # Every name the answer shows, a statement per kind of thing, whatever the walk's size.
    catalog.load_names(
        place_keys | party_keys,
        (key_parts(key).gtin for key in walk.nodes),
        {ev.enterprise for ev in walk.events.values()},
    )
    # The answer's parts as plain dicts, validated once with the answer (in pydantic-core),
    # not a model constructed (and validated) per node, edge, event, party and document.
    nodes = [
        _node_fields(catalog, visit.key, visit.depth, visit.modes, visit.key in walk.start)
        for visit in sorted(walk.nodes.values(), key=lambda v: (v.depth, v.key))
    ]
    edges = [
        dict(
            source=link.source,
            target=link.target,
            relation=link.relation,
            event_id=walk.event_ids.get(link.event),
            start=link.start,
            end=link.end,
            quantity=link.quantity,
            uom=link.uom,
        )
        for link in walk.links.values()
    ]

    def named(kind: str, entries: list[tuple[str, str]]) -> list[dict[str, Any]]:
        return [
            {"kind": kind, "type": t, "value": v, "name": catalog.place_name(v)} for t, v in entries
        ]

    events = [
        dict(
            event_id=ev.event_id,
            event_type=ev.event_type,
            action=ev.action,
            event_time=ev.time,
            event_time_offset=ev.offset,
            biz_step=ev.biz_step,
            disposition=ev.disposition,
            read_point=ev.read_point,
            biz_location=ev.biz_location,
            transformation_id=ev.transformation_id,
            captured_by=ev.enterprise,
            subjects=sorted({k for k, _role in walk.subjects.get(ev.id, set())}),
            quantities=[
                {"epc": m.epc, "role": m.role, "quantity": m.quantity, "uom": m.uom}
                for m in walk.quantities.get(ev.id, [])
            ],
            sources=named("source", info.sources.get(ev.id, [])),
            destinations=named("destination", info.destinations.get(ev.id, [])),
            biz_transactions=[{"type": t, "value": v} for t, v in info.documents.get(ev.id, [])],
            sensor_reports=sensor_counts.get(ev.id, 0),
        )
        for ev in walk.sorted_events()
    ]
    locations = [catalog.place_read(k) for k in sorted(place_keys)]
    parties = [catalog.place_read(k) for k in sorted(party_keys)]
    usccs = {ev.enterprise for ev in walk.events.values() if ev.enterprise}
    usccs |= {p.enterprise_uscc for p in locations + parties if p.enterprise_uscc}
    enterprises = [
        EnterpriseRef(uscc=u, name=name)
        for u in sorted(usccs)
        if (name := catalog.enterprise_name(u)) is not None
    ]
    bases = _bases(catalog, walk)
    first = bases[0] if bases else None
    county = None
    if first is not None and first.county_code:
        row = catalog.county(first.county_code)
        if row is not None:
            pref = catalog.prefecture(row.prefecture_code)
            county = CountyRead(
                code=row.code,
                name=resolver.loc(row.name_zh, row.name_en),
                prefecture_code=row.prefecture_code,
                prefecture=resolver.loc(pref.name_zh, pref.name_en) if pref else "",
            )
    return TraceRead.model_validate(
        {
            "identifier": parsed.written,
            "key": parsed.key,
            "kind": parsed.parts.kind,
            "direction": walk.direction,
            "truncated": walk.truncated,
            "nodes": nodes,
            "edges": edges,
            "events": events,
            "locations": locations,
            "parties": parties,
            "enterprises": enterprises,
            "bases": bases,
            "base": first,
            "county": county,
        }
    )


def _node_read(
    catalog: Catalog, key: str, depth: int, modes: set[str], start: bool
) -> TraceNodeRead:
    return TraceNodeRead.model_validate(_node_fields(catalog, key, depth, modes, start))


def _node_fields(
    catalog: Catalog, key: str, depth: int, modes: set[str], start: bool
) -> dict[str, Any]:
    parts = key_parts(key)
    return dict(
        key=key,
        kind=parts.kind,
        label=catalog.node_label(key),
        gtin=parts.gtin,
        lot=parts.lot,
        serial=parts.serial,
        sscc=parts.sscc,
        depth=depth,
        modes=sorted(modes),
        start=start,
    )


def _bases(catalog: Catalog, walk: Genealogy) -> list[BaseRead]:
    """Return the raw-material bases where the walk's events happened, earliest first."""
    found: dict[str, BaseRead] = {}
    for ev in walk.sorted_events():
        for key in (ev.biz_location, ev.read_point):
            row = catalog.place(key)
            if row is None or row.kind != "base" or not row.raw_material_base_id:
                continue
            if row.raw_material_base_id in found or key is None:
                continue
            base = catalog.base(row.raw_material_base_id)
            county, prefecture = catalog.county_text(row.county_code)
            found[row.raw_material_base_id] = BaseRead(
                id=row.raw_material_base_id,
                name=resolver.loc(base.name_zh, base.name_en) if base else row.raw_material_base_id,
                product_zh=base.product_zh if base else "",
                location_key=key,
                location=resolver.loc(row.name_zh, row.name_en),
                county_code=row.county_code,
                county=county,
                prefecture=prefecture,
            )
    return list(found.values())


# --- recall -------------------------------------------------------------------------------


def _lot_of(parsed: Parsed) -> None:
    if parsed.parts.kind != "lot":
        raise ValidationFailed(
            _("%(id)s is not a lot: give a lot (LGTIN) to recall.", id=parsed.written)
        )


def recall_of(session: Session, *, identifier: str, actor: Actor) -> RecallRead:
    """Return everything downstream of a lot that the caller may see, and its critical
    tracking events (FSMA 204 key data elements)."""
    scope = access.scope_of(session, actor)
    parsed = parse(session, identifier=identifier)
    _lot_of(parsed)
    walk = genealogy.walk(session, [parsed.key], direction="forward", scope=scope)
    if not walk.events:
        raise NotFound(_("No traceability records of %(id)s that you may see.", id=identifier))
    catalog = Catalog(session)
    rows = recall.rows(session, walk, catalog, lot_key=parsed.key)
    info = recall.details(session, walk.events)
    place_keys = {k for ev in walk.events.values() for k in (ev.biz_location, ev.read_point) if k}
    holder_keys: set[str] = set()
    for entries in info.destinations.values():
        for type_, value in entries:
            (holder_keys if type_ in PARTY_TYPES else place_keys).add(value)
    catalog.load_places(place_keys | holder_keys)
    locations = [catalog.place_read(k) for k in sorted(place_keys)]
    holders: dict[str, TracePlaceRead] = {k: catalog.place_read(k) for k in sorted(holder_keys)}
    covered = {h.enterprise_uscc for h in holders.values() if h.enterprise_uscc}
    for place in locations:
        if place.enterprise_uscc and place.enterprise_uscc not in covered:
            covered.add(place.enterprise_uscc)
            holders[place.enterprise_uscc] = TracePlaceRead(
                key=place.enterprise_uscc,
                kind="party",
                name=place.enterprise,
                enterprise_uscc=place.enterprise_uscc,
                enterprise=place.enterprise,
                registered=True,
            )
        elif place.kind in ("shop", "distributor", "warehouse") and not place.enterprise_uscc:
            holders.setdefault(place.key, place)
    nodes = [
        _node_read(catalog, v.key, v.depth, v.modes, v.key in walk.start)
        for v in sorted(walk.nodes.values(), key=lambda v: (v.depth, v.key))
    ]
    parents = {link.target for link in walk.links.values() if link.relation == "aggregation"}
    return RecallRead(
        identifier=parsed.written,
        lot_key=parsed.key,
        gtin=parsed.parts.gtin,
        lot=parsed.parts.lot,
        product=catalog.product_label(parsed.parts.gtin),
        truncated=walk.truncated,
        lots=[n for n in nodes if n.kind == "lot"],
        items=sum(1 for n in nodes if n.kind == "item" and n.key not in parents),
        containers=[n for n in nodes if n.kind == "container" or n.key in parents],
        locations=locations,
        holders=list(holders.values()),
        rows=rows,
    )


def recall_table(
    session: Session, *, identifier: str, actor: Actor
) -> tuple[list[Column], list[dict[str, object]], str]:
    """Return the recall spreadsheet: columns, rows and a file name."""
    found = recall_of(session, identifier=identifier, actor=actor)
    name = f"recall-{found.gtin or 'lot'}-{found.lot or ''}".strip("-")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return recall.columns(), recall.table_rows(found.rows), safe


# --- mass balance and cold chain ----------------------------------------------------------


def mass_balance_of(session: Session, *, actor: Actor) -> MassBalanceRead:
    """Return outputs against inputs of every transformation and lot the caller may see."""
    scope = access.scope_of(session, actor)
    return mass_balance.balance(
        session,
        visible=scope.events(),
        catalog=Catalog(session),
        config=mass_balance.load_config(session),
    )


def cold_chain_of(session: Session, *, identifier: str, actor: Actor) -> ColdChainRead:
    """Return the temperature readings on an identifier's journey, excursions marked."""
    scope = access.scope_of(session, actor)
    parsed = parse(session, identifier=identifier)
    walk = genealogy.walk(session, [parsed.key], direction="back", scope=scope)
    if not walk.events:
        raise NotFound(_("No traceability records of %(id)s that you may see.", id=identifier))
    catalog = Catalog(session)
    return _cold_chain(session, walk, catalog, parsed.parts.gtin, catalog.place_name)


def _cold_chain(
    session: Session,
    walk: Genealogy,
    catalog: Catalog,
    gtin: str | None,
    name: Any,
    config: mass_balance.Config | None = None,
) -> ColdChainRead:
    config = config or mass_balance.load_config(session)
    kind = config.kind_of(gtin)
    info = config.kinds.get(kind) if kind else None
    catalog.load_places(
        k for ev in walk.events.values() for k in (ev.biz_location, ev.read_point) if k
    )

    def range_of(event_id: int) -> cold_chain.Range | None:
        for key, _role in sorted(walk.subjects.get(event_id, set())):
            found = config.kinds.get(config.kind_of(key_parts(key).gtin) or "")
            if found is not None and (found.temp_min_c, found.temp_max_c) != (None, None):
                return found.temp_min_c, found.temp_max_c
        return None

    return cold_chain.readings(
        session,
        walk,
        kind=config.kind_name(kind),
        temp_min_c=info.temp_min_c if info else None,
        temp_max_c=info.temp_max_c if info else None,
        place_name=name,
        range_of=range_of,
    )


# --- the consumer page (public) ------------------------------------------------------------


def consumer_view(
    session: Session,
    *,
    gtin: str,
    lot: str | None = None,
    serial: str | None = None,
    today: date | None = None,
) -> ConsumerView:
    """Return what anyone may see behind a GS1 Digital Link: product, origin, journey,
    certificates, cold chain and an authenticity verdict. Public; never private data."""
    return _consumer_read(session, gtin=gtin, lot=lot, serial=serial, today=today)[0]


def _consumer_read(
    session: Session,
    *,
    gtin: str,
    lot: str | None = None,
    serial: str | None = None,
    today: date | None = None,
) -> tuple[ConsumerView, frozenset[str]]:
    """Return what anyone may see behind a GS1 Digital Link: product, origin, journey,
    certificates, cold chain and an authenticity verdict. Public; never private data."""
    try:
        code = identifiers.validate_gtin(gtin)
    except IdentifierError:
        raise NotFound(_("No product with GTIN %(gtin)s.", gtin=gtin)) from None
    catalog = Catalog(session)
    # Only the label's facts: the registry decides what of a product is public.
    product = registry_service.public_product(session, gtin=code, today=today or _today())
    link = consumer_link(code, lot, serial) or ""
    try:
        identifiers.parse_digital_link(link)
    except IdentifierError:
        raise NotFound(_("No product with GTIN %(gtin)s.", gtin=gtin)) from None
    owner = product.enterprise_uscc
    claimed = product.origin_base_id
    certs = [
        CertificateRead(
            kind=c.kind,
            label=_(CERTIFICATION_LABELS.get(c.kind, c.kind)),
            number=c.certificate_no,
            issuer=c.issuer,
            valid_to=c.valid_to.isoformat() if c.valid_to else None,
        )
        for c in product.certificates
    ]
    base_row = catalog.base(claimed)
    empty_chain = ColdChainRead(
        kind=None, temp_min_c=None, temp_max_c=None, readings=[], excursions=0
    )
    view = ConsumerView(
        gtin=code,
        lot=lot,
        serial=serial,
        digital_link=link,
        product=resolver.loc(product.name_zh, product.name_en),
        brand=resolver.loc(product.brand_zh, product.brand_en) if product.brand_zh else None,
        enterprise=resolver.loc(product.enterprise_name, product.enterprise_name_en),
        net_content=product.net_content,
        licence_label=(
            _(LICENCE_LABELS[product.licence_kind])
            if product.licence_no and product.licence_kind in LICENCE_LABELS
            else None
        ),
        licence_no=product.licence_no or None,
        photo_url=(
            f"/registry/products/{product.gtin}/photo?v={product.photo_id}"
            if product.photo_id
            else None
        ),
        origin_base=resolver.loc(base_row.name_zh, base_row.name_en) if base_row else None,
        origin_county=None,
        origin_prefecture=None,
        journey=[],
        certificates=certs,
        cold_chain=empty_chain,
        verdict="unverified",
        verdict_label=resolver.verdict_label("unverified"),
        reasons=[],
    )
    if not lot and not serial:
        return view, frozenset()
    start = genealogy.item_key(code, serial) if serial else genealogy.lot_key(code, lot or "")
    everything = access.Scope(everything=True)
    walk = genealogy.walk(session, [start], direction="back", scope=everything)
    recorded_lots = {
        link.source
        for link in walk.links.values()
        if link.relation == "lot" and link.target == start
    }
    lot_nodes = {k for k in walk.nodes if key_parts(k).kind == "lot"}
    flags = []
    config = mass_balance.load_config(session)  # read once for the balance and the cold chain
    if lot_nodes:
        checked = mass_balance.balance(
            session,
            visible=true(),
            catalog=catalog,
            config=config,
            lots=lot_nodes,
        )
        flags = [f for t in checked.transformations for f in t.flags] + [
            f for lb in checked.lots for f in lb.flags
        ]
    catalog.load_places(
        k for ev in walk.events.values() for k in (ev.biz_location, ev.read_point) if k
    )
    reached: dict[str, str | None] = {}
    for base in _bases(catalog, walk):
        reached.setdefault(base.id, base.county_code)
    written_lot = genealogy.lot_key(code, lot) if lot and serial else None
    verdict, reasons = resolver.verdict(
        resolver.Evidence(
            walk=walk,
            start_key=start,
            owner=owner,
            claimed_base=claimed,
            reached_bases=set(reached),
            written_lot=written_lot,
            recorded_lots=recorded_lots,
            flags=flags,
        )
    )
    origin_id = claimed if claimed in reached else next(iter(reached), None)
    county_code = reached.get(origin_id) if origin_id else None
    county, prefecture = catalog.county_text(county_code)
    origin = catalog.base(origin_id)

    def public_name(key: str | None) -> str:
        name, region, _kind = resolver.public_place(catalog, key, owner=owner)
        return " · ".join(p for p in (name, region) if p)

    found = view.model_copy(
        update={
            "origin_base": resolver.loc(origin.name_zh, origin.name_en)
            if origin
            else view.origin_base,
            "origin_county": county,
            "origin_prefecture": prefecture,
            "journey": resolver.journey(catalog, walk, owner=owner),
            "cold_chain": _cold_chain(session, walk, catalog, code, public_name, config),
            "verdict": verdict,
            "verdict_label": resolver.verdict_label(verdict),
            "reasons": reasons,
        }
    )
    return found, frozenset(walk.nodes)


@dataclass(frozen=True)
class ConsumerPage:
    """Everything the consumer page shows of a code."""

    view: ConsumerView
    facts: Any  # labels.facts.LotFacts: dates of the lot as recorded when it was made
    recognitions: list[Any]
    standards: list[Any]
    lookups: int  # how often the code was looked up before this scan
    designs: list[Any] = dataclasses.field(default_factory=list)  # awarded designs made into it


@dataclass(frozen=True)
class CachedConsumerPage:
    """A consumer page's data as kept: built when ``event`` was the newest event, from the
    events about ``nodes`` (the identifiers its walk reached)."""

    page: ConsumerPage
    event: int
    nodes: frozenset[str]


#: A page whose walk reached more identifiers than this is rebuilt on any new event rather
#: than asked whether the new events concern it (one bounded IN list).
REVALIDATE_NODES = 500


def consumer_link(gtin: str, lot: str | None, serial: str | None) -> str | None:
    """The GS1 Digital Link of a code as :func:`consumer_view` names it (None: no such
    code)."""
    try:
        elements: list[tuple[str, str]] = [("01", identifiers.validate_gtin(gtin))]
    except IdentifierError:
        return None
    if lot:
        elements.append(("10", lot))
    if serial:
        elements.append(("21", serial))
    return identifiers.DigitalLink(tuple(elements)).uri()


def consumer_page(
    session: Session,
    *,
    cache: LruCache[CachedConsumerPage],
    gtin: str,
    lot: str | None = None,
    serial: str | None = None,
) -> ConsumerPage:
    """The consumer page's data, kept in ``cache`` (docs/decisions/0013).

    A scan whose page is cached reads one statement: the newest event's number, the newest
    entry of the public change log (``plateau.changes``: products, brands, enterprises,
    recognitions, standards) and the code's look-up count. A change in the log is part of
    the key, so a published recognition or an edited product shows on the next scan in
    every web process. When events were captured since the page was built, one more
    statement asks whether any of them is about an identifier the page's walk reached
    (the lot, its items, cases, pallets, inputs); only then is the page rebuilt, so other
    enterprises' captures do not empty the cache. Public: the same for every caller."""
    from plateau.changes import PublicChange
    from plateau.i18n import get_locale
    from plateau.trace.lineage import lookups
    from plateau.trace.lineage.models import TraceLookup

    link = consumer_link(gtin, lot, serial) or ""
    newest, changed, looked_up = session.execute(
        select(
            select(func.max(EpcisEvent.id)).scalar_subquery(),
            select(func.max(PublicChange.id)).scalar_subquery(),
            select(TraceLookup.count).where(TraceLookup.key == link).scalar_subquery(),
        )
    ).one()
    newest = int(newest or 0)
    today = _today()  # certificates and best-before turn with the day
    key = (get_locale(), gtin, lot, serial, today, int(changed or 0))
    kept = cache.get(key)
    if kept is None or (kept.event != newest and _concerned(session, kept, newest)):
        kept = _build_consumer_page(session, gtin=gtin, lot=lot, serial=serial, today=today)
        kept = dataclasses.replace(kept, event=newest)
        cache.put(key, kept)
    elif kept.event != newest:
        cache.put(key, dataclasses.replace(kept, event=newest), keep_expiry=True)
    count = int(looked_up or 0) + lookups.COUNTER.pending(kept.page.view.digital_link)
    return dataclasses.replace(kept.page, lookups=count)


def _concerned(session: Session, kept: CachedConsumerPage, newest: int) -> bool:
    """Whether an event after the page was built (up to ``newest``) is about an
    identifier its walk reached."""
    if newest < kept.event or len(kept.nodes) > REVALIDATE_NODES:
        return True
    if not kept.nodes:
        return False  # a product's page: no events on it
    return (
        session.scalar(
            select(EpcisEventEpc.id)
            .where(
                EpcisEventEpc.event_id > kept.event,
                EpcisEventEpc.event_id <= newest,
                EpcisEventEpc.epc.in_(sorted(kept.nodes)),
            )
            .limit(1)
        )
        is not None
    )


def _build_consumer_page(
    session: Session, *, gtin: str, lot: str | None, serial: str | None, today: date
) -> CachedConsumerPage:
    from plateau.design import service as design_service
    from plateau.recognition import service as recognition_service
    from plateau.standards import service as standards_service
    from plateau.trace.lineage.labels import facts as label_facts

    view, nodes = _consumer_read(session, gtin=gtin, lot=lot, serial=serial, today=today)
    page = ConsumerPage(
        view=view,
        facts=label_facts.lot_facts(session, gtin=view.gtin, lot=lot, serial=serial),
        recognitions=list(recognition_service.product_recognitions(session, gtin=view.gtin)),
        standards=list(standards_service.product_standards(session, gtin=view.gtin)),
        lookups=0,
        designs=list(design_service.product_designs(session, gtin=view.gtin)),
    )
    return CachedConsumerPage(page=page, event=0, nodes=nodes)


@dataclass(frozen=True)
class Example:
    """A code of the demo world to try (landing page)."""

    label: str
    path: str
    identifier: str
    kind: str


def examples(session: Session, *, per_product: int = 2) -> list[Example]:
    """Return a few lots and items of each product that has records (the landing page's
    examples of the demo world); raw materials are left out."""
    catalog = Catalog(session)
    lots = set(
        session.scalars(
            select(EpcisEventEpc.epc)
            .where(EpcisEventEpc.role == "output_quantity_class", EpcisEventEpc.gtin.is_not(None))
            .distinct()
        )
    )
    firsts = dict(
        session.execute(
            select(TraceLotItem.lot_key, func.min(TraceLotItem.item_key)).group_by(
                TraceLotItem.lot_key
            )
        ).all()
    )
    by_product: dict[str, list[str]] = {}
    for key in sorted(lots | set(firsts)):
        parts = key_parts(key)
        product = catalog.product(parts.gtin)
        if parts.gtin is None or product is None or product.category == "raw_material":
            continue
        by_product.setdefault(parts.gtin, []).append(key)
    found: list[Example] = []
    for gtin, keys in sorted(by_product.items()):
        for key in keys[:per_product]:
            lot = key_parts(key).lot
            found.append(Example(catalog.node_label(key), f"/01/{gtin}/10/{lot}", key, "lot"))
        item = firsts.get(keys[0])
        if item is not None:
            serial = key_parts(item).serial
            found.append(
                Example(
                    catalog.node_label(item),
                    f"/01/{gtin}/10/{key_parts(keys[0]).lot}/21/{serial}",
                    item,
                    "item",
                )
            )
    return found


# --- locations ----------------------------------------------------------------------------


def _require_user(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))


def _location_key(identifier: str) -> tuple[str, str | None]:
    try:
        key = identifiers.normalize_epc(identifier, "dl")
    except IdentifierError as exc:
        raise ValidationFailed(str(exc)) from None
    parts = key_parts(key)
    if parts.kind not in ("location", "party"):
        raise ValidationFailed(_("%(id)s is not a GLN, SGLN or PGLN.", id=identifier))
    return key, parts.gln


def register_location(session: Session, *, data: LocationCreate, actor: Actor) -> TraceLocation:
    """Register (or update) a location or party: name, kind, county, base and operator."""
    _require_user(actor)
    uscc = access.enterprise_of(actor)
    if not actor.is_admin and uscc is None:
        raise Forbidden(
            _("Only enterprise users and the region administrator may register locations.")
        )
    operator = data.enterprise_uscc if actor.is_admin else uscc
    if uscc is not None and data.enterprise_uscc not in (None, uscc):
        raise Forbidden(_("You may only register locations of your own enterprise."))
    catalog = Catalog(session)
    if data.county_code and catalog.county(data.county_code) is None:
        raise ValidationFailed(_("No county with code %(code)s.", code=data.county_code))
    if data.raw_material_base_id and catalog.base(data.raw_material_base_id) is None:
        raise ValidationFailed(_("No raw-material base %(id)s.", id=data.raw_material_base_id))
    if operator and catalog.enterprise(operator) is None:
        raise ValidationFailed(_("No enterprise with 统一社会信用代码 %(uscc)s.", uscc=operator))
    key, gln = _location_key(data.identifier)
    row = session.scalar(select(TraceLocation).where(TraceLocation.key == key))
    if row is not None and not actor.is_admin and row.enterprise_uscc != uscc:
        raise Forbidden(_("This location is registered by another enterprise."))
    if row is None:
        row = TraceLocation(key=key)
        session.add(row)
    row.gln = gln
    row.kind = data.kind
    row.name_zh, row.name_en = data.name_zh, data.name_en
    row.region_zh, row.region_en = data.region_zh, data.region_en
    row.county_code = data.county_code
    row.raw_material_base_id = data.raw_material_base_id
    row.enterprise_uscc = operator
    row.source = "api" if actor.via_token else "manual"
    session.flush()
    return row


def list_locations(
    session: Session, *, actor: Actor, kind: str | None = None
) -> list[TraceLocation]:
    """List the registered locations of the enterprises the caller may see (bases: all)."""
    scope = access.scope_of(session, actor)
    stmt = select(TraceLocation).order_by(TraceLocation.kind, TraceLocation.name_zh)
    if kind:
        stmt = stmt.where(TraceLocation.kind == kind)
    if not scope.everything:
        visible: ColumnElement[bool] = TraceLocation.enterprise_uscc.in_(sorted(scope.enterprises))
        stmt = stmt.where(visible | (TraceLocation.kind == "base"))
    return list(session.scalars(stmt))


# --- kinds and yields ---------------------------------------------------------------------


def ensure_defaults(session: Session) -> None:
    """Store the default product kinds and yields that are not configured yet."""
    mass_balance.ensure_defaults(session)


def list_kinds(session: Session, *, actor: Actor) -> list[KindRead]:
    """List product kinds with their storage temperatures (defaults included)."""
    _require_user(actor)
    return sorted(mass_balance.load_config(session).kinds.values(), key=lambda k: k.id)


def update_kind(session: Session, *, kind_id: str, data: KindUpdate, actor: Actor) -> KindRead:
    """Create or change a product kind (region administrator)."""
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may do this."))
    ensure_defaults(session)
    row = session.get(TraceKind, kind_id)
    if row is None:
        row = TraceKind(id=kind_id)
        session.add(row)
    row.name_zh, row.name_en = data.name_zh, data.name_en
    row.temp_min_c, row.temp_max_c = data.temp_min_c, data.temp_max_c
    session.flush()
    return KindRead.model_validate(row)


def list_yields(session: Session, *, actor: Actor) -> list[YieldRead]:
    """List the yields mass balance uses (defaults included)."""
    _require_user(actor)
    config = mass_balance.load_config(session)
    return [
        YieldRead(input_kind=i, output_kind=o, min_ratio=lo, max_ratio=hi)
        for (i, o), (lo, hi) in sorted(config.yields.items())
    ]


def update_yield(session: Session, *, data: YieldUpdate, actor: Actor) -> YieldRead:
    """Create or change the yield of an input kind into an output kind (region administrator)."""
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may do this."))
    ensure_defaults(session)
    for kind in (data.input_kind, data.output_kind):
        if session.get(TraceKind, kind) is None:
            raise ValidationFailed(_("No product kind %(kind)s.", kind=kind))
    row = session.scalar(
        select(TraceYield).where(
            TraceYield.input_kind_id == data.input_kind,
            TraceYield.output_kind_id == data.output_kind,
        )
    )
    if row is None:
        row = TraceYield(input_kind_id=data.input_kind, output_kind_id=data.output_kind)
        session.add(row)
    row.min_ratio, row.max_ratio = data.min_ratio, data.max_ratio
    session.flush()
    return YieldRead(
        input_kind=data.input_kind,
        output_kind=data.output_kind,
        min_ratio=data.min_ratio,
        max_ratio=data.max_ratio,
    )


def _may_change_product(catalog: Catalog, gtin: str, actor: Actor) -> None:
    owner = catalog.owner(gtin)
    if owner is None:
        raise NotFound(_("No product with GTIN %(gtin)s.", gtin=gtin))
    if actor.is_admin:
        return
    if access.enterprise_of(actor) != owner:
        raise Forbidden(_("Only the product's own enterprise may do this."))


def set_product_kind(
    session: Session, *, gtin: str, data: ProductKindUpdate, actor: Actor
) -> ProductKindRead:
    """Say which kind a product is and how much one unit weighs (its enterprise or the admin)."""
    _require_user(actor)
    try:
        code = identifiers.validate_gtin(gtin)
    except IdentifierError as exc:
        raise ValidationFailed(str(exc)) from None
    _may_change_product(Catalog(session), code, actor)
    ensure_defaults(session)
    if session.get(TraceKind, data.kind) is None:
        raise ValidationFailed(_("No product kind %(kind)s.", kind=data.kind))
    row = session.get(TraceProductKind, code)
    if row is None:
        row = TraceProductKind(gtin=code, kind_id=data.kind)
        session.add(row)
    row.kind_id, row.unit_kg = data.kind, data.unit_kg
    session.flush()
    return ProductKindRead(gtin=code, kind=row.kind_id, unit_kg=row.unit_kg)


def list_product_kinds(session: Session, *, actor: Actor) -> list[ProductKindRead]:
    """List the products with a kind (all logged-in users: kinds are not confidential)."""
    _require_user(actor)
    return [
        ProductKindRead(gtin=r.gtin, kind=r.kind_id, unit_kg=r.unit_kg)
        for r in session.scalars(select(TraceProductKind).order_by(TraceProductKind.gtin))
    ]


# --- labels -------------------------------------------------------------------------------

LabelFormat = Literal["zip", "pdf"]


def make_labels(
    session: Session,
    *,
    gtin: str,
    lot: str | None,
    serials: int,
    fmt: LabelFormat,
    base_url: str,
    actor: Actor,
) -> tuple[bytes, str, str]:
    """Return QR labels of a lot (and ``serials`` new serialised items) as .zip or .pdf;
    with the media type and a file name. The product's enterprise or the admin only."""
    _require_user(actor)
    try:
        code = identifiers.validate_gtin(gtin)
    except IdentifierError as exc:
        raise ValidationFailed(str(exc)) from None
    _may_change_product(Catalog(session), code, actor)
    numbers = labels.random_serials(serials) if serials else None
    try:
        made = labels.make_labels(gtin=code, lot=lot, serials=numbers, base_url=base_url)
    except IdentifierError as exc:
        raise ValidationFailed(str(exc)) from None
    stem = f"labels-{code}-{lot or ''}".strip("-")
    if fmt == "pdf":
        return labels.pdf_sheet(made), "application/pdf", f"{stem}.pdf"
    return labels.zip_archive(made), "application/zip", f"{stem}.zip"


# --- industrial-internet identifiers ------------------------------------------------------


def register_prefix(session: Session, *, data: PrefixCreate, actor: Actor) -> TraceHandlePrefix:
    """Record the identifier prefix a secondary node allocated to an enterprise."""
    return handles.register_prefix(session, data=data, actor=actor)


def list_prefixes(session: Session, *, actor: Actor) -> list[TraceHandlePrefix]:
    """List the identifier prefixes the caller may see."""
    return handles.list_prefixes(session, actor=actor)


def _handle_read(row: TraceHandle) -> HandleRead:
    target = handles.Target(row.handle, "product", row.gtin, row.lot, row.serial, "")
    kind = "item" if row.kind == "item" else "lot" if row.kind == "lot" else "product"
    return HandleRead(
        handle=row.handle,
        kind=kind,
        gtin=row.gtin,
        lot=row.lot,
        serial=row.serial,
        digital_link=target.digital_link(),
        created_at=row.created_at,
    )


def mint_handle(session: Session, *, data: HandleCreate, actor: Actor) -> HandleRead:
    """Mint the identifier of a product, lot or item under the caller's prefix."""
    return _handle_read(handles.mint(session, data=data, actor=actor))


def list_handles(session: Session, *, actor: Actor, gtin: str | None = None) -> list[HandleRead]:
    """List the identifiers minted under the caller's prefixes."""
    return [_handle_read(r) for r in handles.list_handles(session, actor=actor, gtin=gtin)]


def resolve_handle(session: Session, *, identifier: str) -> handles.Target:
    """Resolve an identifier (public) to its product, lot or item, or raise NotFound."""
    target = handles.resolve(session, identifier)
    if target is not None:
        return target
    try:
        parsed = parse(session, identifier=identifier)
    except ValidationFailed:
        raise NotFound(_("The identifier %(id)s is not registered.", id=identifier)) from None
    parts = parsed.parts
    if parts.gtin is None or Catalog(session).product(parts.gtin) is None:
        raise NotFound(_("The identifier %(id)s is not registered.", id=identifier))
    kind: HandleKind = "item" if parts.serial else "lot" if parts.lot else "product"
    owner = Catalog(session).owner(parts.gtin) or ""
    return handles.Target(
        identifier, kind, parts.gtin, parsed.lot or parts.lot, parts.serial, owner
    )


def handle_record(target: handles.Target, *, base_url: str) -> dict[str, Any]:
    """Return a resolved identifier as a Handle-style JSON record."""
    return handles.record(target, base_url=base_url)


def may_see_trace(actor: Actor) -> bool:
    """Tell whether the caller may use genealogy, recall and mass balance (logged in)."""
    return actor.is_authenticated and actor.role is not Role.PUBLIC


def system_actor() -> Actor:
    """Return the actor of trusted jobs (the demo)."""
    return SYSTEM


def event_count(session: Session) -> int:
    """Count the captured events (for the landing page)."""
    return session.scalar(select(func.count()).select_from(EpcisEvent)) or 0
