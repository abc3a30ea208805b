"""From identifiers to things people recognise: parsing what a user or a QR code gives,
naming products, enterprises and places, and the public side of it (the consumer page's
journey and its authenticity verdict).

The registry is read through its service with the system actor: the catalogue only turns
keys that a caller already holds into names. What a caller may *see* is decided by the
events the walk reads (``access.Scope``) and, for the public, by :func:`public_place` and
:func:`journey`, which leave out names of other enterprises' sites, parties, quantities
and business transactions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import String, bindparam, func, literal, null, or_, select, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError, ValidationFailed
from plateau.i18n import _, get_locale, lazy
from plateau.registry import service as registry_service
from plateau.registry.identifiers import IdentifierError
from plateau.registry.models import County, Enterprise, Prefecture, Product, RawMaterialBase
from plateau.registry.names import EnterpriseName, ProductName
from plateau.registry.reference import Refs
from plateau.trace import identifiers
from plateau.trace.epcis.models import MAX_URI_LENGTH
from plateau.trace.lineage import ecode, handles, reach
from plateau.trace.lineage.genealogy import Ev, Genealogy, KeyParts, item_key, key_parts, lot_key
from plateau.trace.lineage.models import TraceLocation
from plateau.trace.lineage.schemas import (
    LOCATION_KIND_LABELS,
    BalanceFlag,
    JourneyStep,
    TracePlaceRead,
    Verdict,
)

BIZ_STEP_LABELS: dict[str, str] = {
    "accepting": lazy("Accepted"),
    "arriving": lazy("Arrived"),
    "collecting": lazy("Collected"),
    "commissioning": lazy("Produced and labelled"),
    "creating_class_instance": lazy("Produced"),
    "decommissioning": lazy("Taken out of use"),
    "departing": lazy("Departed"),
    "destroying": lazy("Destroyed"),
    "holding": lazy("Held"),
    "inspecting": lazy("Inspected"),
    "killing": lazy("Slaughtered"),
    "loading": lazy("Loaded"),
    "packing": lazy("Packed"),
    "picking": lazy("Picked"),
    "receiving": lazy("Received"),
    "repackaging": lazy("Repacked"),
    "retail_selling": lazy("Sold to a consumer"),
    "sampling": lazy("Sampled"),
    "sensor_reporting": lazy("Sensor reading"),
    "shipping": lazy("Shipped"),
    "staging_outbound": lazy("Ready for dispatch"),
    "stocking": lazy("Stocked"),
    "storing": lazy("Stored"),
    "transporting": lazy("In transport"),
    "unloading": lazy("Unloaded"),
    "unpacking": lazy("Unpacked"),
}
TRANSFORMED = lazy("Processed")
HARVESTED = lazy("Harvested at the base")
VERDICT_LABELS: dict[str, str] = {
    "genuine": lazy("Genuine: the records check out"),
    "unverified": lazy("Cannot be verified"),
    "warning": lazy("Warning: the records do not add up"),
}
_ELEMENT = re.compile(r"\((\d{2,4})\)([^()]+)")


def verdict_label(verdict: str) -> str:
    """Return the verdict's headline in the user's language."""
    return _(VERDICT_LABELS[verdict])


def loc(zh: str | None, en: str | None) -> str:
    """Return a name in the current language (Chinese when there is no English one)."""
    return (en if get_locale() == "en" and en else zh) or ""


def step_label(ev: Ev) -> str:
    """Return what an event did, in the user's language."""
    if ev.event_type == "TransformationEvent":
        return _(TRANSFORMED)
    if ev.biz_step in BIZ_STEP_LABELS:
        return _(BIZ_STEP_LABELS[ev.biz_step])
    return ev.biz_step or ev.event_type


def local_time(moment: datetime, offset: str) -> datetime:
    """Return an instant in the time zone the event was recorded in (``+08:00``)."""
    try:
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = offset.lstrip("+-").split(":")
        zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except ValueError:
        zone = UTC
    return moment.astimezone(zone)


# --- identifiers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """An identifier as written, and what the repository indexes it under."""

    written: str
    key: str
    parts: KeyParts
    # The lot written next to a serial (the index key of an item drops it).
    lot: str | None = None


def _from_elements(text: str) -> str | None:
    """Return a GS1 element string ``(01)…(10)…(21)…`` as a Digital Link."""
    pairs = _ELEMENT.findall(text)
    if not pairs or "".join(f"({a}){v}" for a, v in pairs) != text.replace(" ", ""):
        return None
    return "https://id.gs1.org" + "".join(f"/{a}/{identifiers.dl_escape(v)}" for a, v in pairs)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_identifier(session: Session, text: str) -> Parsed:
    """Read an EPC URI, a GS1 Digital Link (any host), an element string, a bare SSCC, or an
    industrial-internet identifier ``prefix/suffix``; raise ValidationFailed otherwise."""
    value = text.strip()
    if not value:
        raise ValidationFailed(_("Give an identifier to trace."))
    if len(value) > MAX_URI_LENGTH or _CONTROL.search(value):
        raise ValidationFailed(_("%(id)s is not an identifier.", id=value[:80]))
    # Some clients fold the double slash of a URI written into a URL path.
    value = re.sub(r"^(https?):/(?!/)", r"\1://", value)
    # A digit string may be an Ecode Plateau minted or a bare GS1 key: only minted ones
    # are read as Ecodes, the rest falls through to the GS1 forms below.
    target = (
        handles.resolve(session, value)
        if handles.looks_like_handle(value) or ecode.looks_like_ecode(value)
        else None
    )
    if target is None and handles.looks_like_handle(value):
        raise ValidationFailed(_("The identifier %(id)s is not registered.", id=value))
    if target is not None:
        if target.serial:
            key = item_key(target.gtin, target.serial)
        elif target.lot:
            key = lot_key(target.gtin, target.lot)
        else:
            key = identifiers.DigitalLink((("01", target.gtin),)).uri()
        return Parsed(value, key, key_parts(key), target.lot)
    if value.isdigit() and len(value) == 18:
        value = f"https://id.gs1.org/00/{value}"
    elif value.startswith("("):
        value = _from_elements(value) or value
    try:
        key = identifiers.normalize_epc(value, "dl")
    except IdentifierError as exc:
        raise ValidationFailed(str(exc)) from None
    written_lot = None
    if value.startswith(("http://", "https://")):
        try:
            written_lot = identifiers.parse_digital_link(value).get("10")
        except IdentifierError:
            written_lot = None
    return Parsed(value, key, key_parts(key), written_lot)


# --- names --------------------------------------------------------------------------------


# Built once: a trace reads places on every call.
_PLACES = select(TraceLocation).where(TraceLocation.key.in_(bindparam("keys", expanding=True)))

# The columns of a place read as a plain row by :func:`_names_statement`.
_PLACE_COLUMNS = (
    "id",
    "key",
    "gln",
    "kind",
    "name_zh",
    "name_en",
    "region_zh",
    "region_en",
    "county_code",
    "raw_material_base_id",
    "enterprise_uscc",
    "source",
)
_PLACE, _PRODUCT, _ENTERPRISE = "p", "g", "e"


@lru_cache(maxsize=4)
def _names_statement(dialect: str) -> Any:
    """Return the one statement of :meth:`Catalog.load_names`, built once: tagged rows of the
    places (parameter ``places``), the products (``gtins``) and the enterprises (``usccs``,
    and those operating the places found), each list one parameter (``reach.param_set``).

    Every reader of the catalog reads as the system (``registry.access.visible_enterprises``
    of a region-wide reader is no condition), so there is no visibility test."""
    places = select(reach.param_set(dialect, "places").c.value)
    gtins = select(reach.param_set(dialect, "gtins").c.value)
    usccs = select(reach.param_set(dialect, "usccs").c.value)
    text = String(256)
    none = sql_cast(null(), text)

    def row(tag: str, *columns: Any) -> list[Any]:
        padded = [sql_cast(c, text) for c in columns]
        return [literal(tag, String(1)), *padded, *[none] * (len(_PLACE_COLUMNS) - len(padded))]

    place_columns = [getattr(TraceLocation, c) for c in _PLACE_COLUMNS]
    operators = select(func.upper(func.trim(TraceLocation.enterprise_uscc))).where(
        TraceLocation.key.in_(places), TraceLocation.enterprise_uscc.is_not(None)
    )
    return union_all(
        select(*row(_PLACE, *place_columns)).where(TraceLocation.key.in_(places)),
        select(*row(_PRODUCT, Product.gtin, Product.name_zh, Product.name_en, Enterprise.uscc))
        .join(Enterprise, Enterprise.id == Product.enterprise_id)
        .where(Product.gtin.in_(gtins)),
        select(*row(_ENTERPRISE, Enterprise.uscc, Enterprise.name, Enterprise.name_en)).where(
            or_(Enterprise.uscc.in_(usccs), Enterprise.uscc.in_(operators))
        ),
    )


class Catalog:
    """Names of products, enterprises, places and bases, read once per request.

    A trace names everything it passed: ``load_*`` read the names of a whole set of codes
    in one statement, as plain rows, and the single-code accessors use what was loaded (or
    load that one code)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._refs: Refs | None = None
        self._products: dict[str, Product | None] = {}
        self._product_names: dict[str, ProductName | None] = {}
        self._enterprises: dict[str, Enterprise | None] = {}
        self._enterprise_names: dict[str, EnterpriseName | None] = {}
        self._places: dict[str, TraceLocation | None] = {}
        self._rows: dict[tuple[type[Any], str], Any] = {}

    @property
    def refs(self) -> Refs:
        if self._refs is None:
            self._refs = registry_service.reference(self.session, actor=SYSTEM)
        return self._refs

    def product(self, gtin: str | None) -> Product | None:
        if not gtin:
            return None
        if gtin not in self._products:
            try:
                self._products[gtin] = registry_service.get_product(
                    self.session, gtin=gtin, actor=SYSTEM
                )
            except DomainError:
                self._products[gtin] = None
        return self._products[gtin]

    def load_products(self, gtins: Iterable[str | None]) -> None:
        """Read the names of the products of ``gtins`` (one statement)."""
        todo = {g for g in gtins if g and g not in self._product_names}
        if not todo:
            return
        found = registry_service.product_names(self.session, gtins=todo, actor=SYSTEM)
        for gtin in todo:
            self._product_names[gtin] = found.get(gtin)

    def _product_name(self, gtin: str) -> ProductName | None:
        if gtin not in self._product_names:
            self.load_products([gtin])
        return self._product_names[gtin]

    def product_label(self, gtin: str | None) -> str:
        product = self._product_name(gtin) if gtin else None
        if product is not None:
            return loc(product.name_zh, product.name_en)
        return f"GTIN {gtin}" if gtin else ""

    def owner(self, gtin: str | None) -> str | None:
        product = self._product_name(gtin) if gtin else None
        return product.enterprise_uscc if product is not None else None

    def enterprise(self, uscc: str | None) -> Enterprise | None:
        if not uscc:
            return None
        if uscc not in self._enterprises:
            try:
                self._enterprises[uscc] = registry_service.get_enterprise(
                    self.session, uscc=uscc, actor=SYSTEM
                )
            except DomainError:
                self._enterprises[uscc] = None
        return self._enterprises[uscc]

    def load_enterprises(self, usccs: Iterable[str | None]) -> None:
        """Read the names of the enterprises of ``usccs`` (one statement)."""
        todo = {u for u in usccs if u and u not in self._enterprise_names}
        if not todo:
            return
        found = registry_service.enterprise_names(self.session, usccs=todo, actor=SYSTEM)
        for uscc in todo:
            self._enterprise_names[uscc] = found.get(uscc)

    def enterprise_name(self, uscc: str | None) -> str | None:
        if not uscc:
            return None
        if uscc not in self._enterprise_names:
            self.load_enterprises([uscc])
        ent = self._enterprise_names[uscc]
        return loc(ent.name, ent.name_en) if ent is not None else None

    def load_names(
        self,
        places: Iterable[str],
        gtins: Iterable[str | None],
        usccs: Iterable[str | None],
    ) -> None:
        """Read what ``load_places``, ``load_products`` and ``load_enterprises`` read, the
        enterprises operating the places included, in one statement (the counties, bases
        and prefectures of registered places, when there are any, as ``load_places``)."""
        place_todo = {k for k in places if k and k not in self._places}
        wanted = place_todo | {k.split("/254/")[0] for k in place_todo if "/254/" in k}
        asked_gtins: dict[str, list[str]] = {}
        for gtin in gtins:
            if gtin and gtin not in self._product_names:
                asked_gtins.setdefault(gtin.strip().zfill(14), []).append(gtin)
        asked_usccs = {u for u in usccs if u and u not in self._enterprise_names}
        if not (wanted or asked_gtins or asked_usccs):
            return
        dialect = self.session.get_bind().dialect.name
        params = {
            "places": reach.param_list(dialect, wanted),
            "gtins": reach.param_list(dialect, asked_gtins),
            "usccs": reach.param_list(dialect, {u.strip().upper() for u in asked_usccs}),
        }
        found_places: dict[str, TraceLocation] = {}
        products: dict[str, ProductName] = {}
        enterprises: dict[str, EnterpriseName] = {}
        # A Core statement on the session's connection; places become detached rows of the
        # model (read-only here, as the ORM's would be).
        for tag, *values in self.session.connection().execute(_names_statement(dialect), params):
            if tag == _PLACE:
                fields = dict(zip(_PLACE_COLUMNS, values, strict=True))
                fields["id"] = int(fields["id"])
                found_places[fields["key"]] = TraceLocation(**fields)
            elif tag == _PRODUCT:
                gtin, name_zh, name_en, uscc = values[:4]
                products[gtin] = ProductName(gtin, name_zh, name_en or "", uscc)
            else:
                uscc, name, name_en = values[:3]
                enterprises[uscc] = EnterpriseName(uscc, name, name_en or "")
        self._placed(place_todo, found_places)
        for normal, given in asked_gtins.items():
            for gtin in given:
                self._product_names[gtin] = products.get(normal)
        operators = {p.enterprise_uscc for p in found_places.values() if p.enterprise_uscc}
        for uscc in asked_usccs | {u for u in operators if u not in self._enterprise_names}:
            self._enterprise_names[uscc] = enterprises.get(uscc.strip().upper())

    def load_places(self, keys: Iterable[str]) -> None:
        """Read the registered locations of ``keys`` (an SGLN falls back to its GLN), and
        the counties, prefectures and bases they name (one statement each)."""
        todo = {k for k in keys if k and k not in self._places}
        if not todo:
            return
        wanted = todo | {k.split("/254/")[0] for k in todo if "/254/" in k}
        rows = {row.key: row for row in self.session.scalars(_PLACES, {"keys": sorted(wanted)})}
        self._placed(todo, rows)

    def _placed(self, todo: set[str], rows: dict[str, TraceLocation]) -> None:
        for key in todo:
            self._places[key] = rows.get(key) or rows.get(key.split("/254/")[0])
        self._load_rows(County, {r.county_code for r in rows.values() if r.county_code})
        self._load_rows(
            RawMaterialBase,
            {r.raw_material_base_id for r in rows.values() if r.raw_material_base_id},
        )
        self._load_rows(
            Prefecture,
            {c.prefecture_code for k, c in self._rows.items() if k[0] is County and c is not None},
        )

    def place(self, key: str | None) -> TraceLocation | None:
        if not key:
            return None
        if key not in self._places:
            self.load_places([key])
        return self._places.get(key)

    def _load_rows(self, model: type[Any], keys: set[str]) -> None:
        todo = sorted(k for k in keys if (model, k) not in self._rows)
        if not todo:
            return
        column = model.__mapper__.primary_key[0]
        found = {
            getattr(r, column.key): r
            for r in self.session.scalars(select(model).where(column.in_(todo)))
        }
        for key in todo:
            self._rows[(model, key)] = found.get(key)

    # A page names a handful of places: read those rows by key (the session's identity map
    # keeps them for the request) rather than every reference table.
    def _by_key(self, model: type[Any], key: str | None) -> Any:
        if not key:
            return None
        if (model, key) not in self._rows:
            self._rows[(model, key)] = self.session.get(model, key)
        return self._rows[(model, key)]

    def county(self, code: str | None) -> County | None:
        return cast(County | None, self._by_key(County, code))

    def base(self, base_id: str | None) -> RawMaterialBase | None:
        return cast(RawMaterialBase | None, self._by_key(RawMaterialBase, base_id))

    def prefecture(self, code: str | None) -> Prefecture | None:
        return cast(Prefecture | None, self._by_key(Prefecture, code))

    def county_text(self, code: str | None) -> tuple[str | None, str | None]:
        """Return (county, prefecture) names of a county code."""
        county = self.county(code)
        if county is None:
            return None, None
        prefecture = self.prefecture(county.prefecture_code)
        return loc(county.name_zh, county.name_en), (
            loc(prefecture.name_zh, prefecture.name_en) if prefecture else None
        )

    def place_read(self, key: str) -> TracePlaceRead:
        """Return what is known of a location or party, for logged-in users."""
        row = self.place(key)
        if row is None:
            return TracePlaceRead(key=key, name=short_key(key))
        county, prefecture = self.county_text(row.county_code)
        return TracePlaceRead(
            key=key,
            kind=row.kind,
            name=loc(row.name_zh, row.name_en),
            region=loc(row.region_zh, row.region_en) or None,
            county_code=row.county_code,
            county=county,
            prefecture=prefecture,
            raw_material_base_id=row.raw_material_base_id,
            enterprise_uscc=row.enterprise_uscc,
            enterprise=self.enterprise_name(row.enterprise_uscc),
            registered=True,
        )

    def place_name(self, key: str | None) -> str:
        """Return a place's name with its GLN, or the short identifier."""
        if not key:
            return ""
        row = self.place(key)
        if row is None:
            return short_key(key)
        return f"{loc(row.name_zh, row.name_en)} ({short_key(key)})"

    def node_label(self, key: str) -> str:
        parts = key_parts(key)
        if parts.kind in ("item", "lot", "product"):
            name = self.product_label(parts.gtin)
            if parts.kind == "lot":
                return _("%(product)s, lot %(lot)s", product=name, lot=parts.lot)
            if parts.kind == "item":
                return _("%(product)s, no. %(serial)s", product=name, serial=parts.serial)
            return name
        if parts.kind == "container":
            return _("Logistic unit %(sscc)s", sscc=parts.sscc)
        if parts.kind in ("location", "party"):
            return self.place_name(key)
        return short_key(key)


def short_key(key: str) -> str:
    """Return an index key without the canonical host (``01/0690…/10/L1``)."""
    return key.removeprefix(identifiers.CANONICAL_HOST + "/")


# --- the public side ----------------------------------------------------------------------


def public_place(
    catalog: Catalog, key: str | None, *, owner: str | None
) -> tuple[str, str, str | None]:
    """Return (name, region, kind) of a place as the public may see it.

    Bases and the brand owner's own sites are named; anyone else's site is only a kind and
    a region ("Shop · Chengdu"), so a scan never reveals who buys from whom.
    """
    row = catalog.place(key)
    if row is None:
        return "", "", None
    county, prefecture = catalog.county_text(row.county_code)
    region = loc(row.region_zh, row.region_en) or " ".join(p for p in (prefecture, county) if p)
    if row.kind == "base" or (owner is not None and row.enterprise_uscc == owner):
        return loc(row.name_zh, row.name_en), region, row.kind
    return _(LOCATION_KIND_LABELS.get(row.kind, row.kind)), region, row.kind


def journey(
    catalog: Catalog, walk: Genealogy, *, owner: str | None, limit: int = 40
) -> list[JourneyStep]:
    """Return the steps of a walk the public may see, oldest first, repeats folded."""
    steps: list[JourneyStep] = []
    last: tuple[str, str] | None = None
    catalog.load_places(
        k for ev in walk.events.values() for k in (ev.biz_location, ev.read_point) if k
    )
    for ev in walk.sorted_events():
        if ev.biz_step == "sensor_reporting":
            continue
        name, region, kind = public_place(catalog, ev.biz_location or ev.read_point, owner=owner)
        label = step_label(ev)
        if kind == "base" and ev.biz_step in ("commissioning", "creating_class_instance"):
            label = _(HARVESTED)
        if (label, name) == last:
            continue
        last = (label, name)
        steps.append(
            JourneyStep(
                time=local_time(ev.time, ev.offset),
                step=ev.biz_step or ev.event_type,
                label=label,
                place=name,
                region=region,
                kind=kind,
            )
        )
    if len(steps) > limit:
        steps = steps[: limit // 2] + steps[-(limit // 2) :]
    return steps


@dataclass(frozen=True)
class Evidence:
    """What the verdict looks at."""

    walk: Genealogy
    start_key: str
    owner: str | None
    claimed_base: str | None
    reached_bases: set[str]
    written_lot: str | None
    recorded_lots: set[str]
    flags: list[BalanceFlag]


def verdict(evidence: Evidence) -> tuple[Verdict, list[str]]:
    """Decide genuine, cannot verify or warning, with the reasons in the user's language."""
    walk = evidence.walk
    mine = {evidence.start_key} | evidence.recorded_lots
    own = [
        ev
        for ev in walk.events.values()
        if any(key in mine for key, _role in walk.subjects.get(ev.id, set()))
    ]
    if not own:
        return "unverified", [_("There are no traceability records for this code.")]
    warnings: list[str] = []
    if (
        evidence.written_lot
        and evidence.recorded_lots
        and evidence.written_lot not in evidence.recorded_lots
    ):
        warnings.append(
            _(
                "The lot printed on this label (%(lot)s) is not the lot this item was recorded in.",
                lot=evidence.written_lot,
            )
        )
    if any(ev.disposition == "recalled" for ev in own):
        warnings.append(_("This product has been recalled."))
    if any(ev.disposition in ("destroyed", "stolen", "expired") for ev in own):
        warnings.append(_("This item was recorded as destroyed, stolen or expired."))
    for flag in evidence.flags:
        if flag.severity == "warning":
            warnings.append(flag.message)
    if (
        evidence.claimed_base
        and evidence.reached_bases
        and evidence.claimed_base not in evidence.reached_bases
    ):
        warnings.append(_("The raw material comes from another base than the product claims."))
    if warnings:
        return "warning", warnings
    reasons: list[str] = []
    by_owner = evidence.owner is not None and any(
        ev.enterprise == evidence.owner for ev in walk.events.values()
    )
    if not by_owner:
        return "unverified", [_("The brand owner has not recorded this product's production.")]
    reasons.append(_("Production is recorded by the brand owner."))
    if evidence.claimed_base:
        if evidence.claimed_base not in evidence.reached_bases:
            return "unverified", [
                *reasons,
                _("The origin could not be traced to its raw-material base."),
            ]
        reasons.append(_("The raw material is traced to its registered base."))
    reasons.append(_("Quantities produced and sold are consistent with the inputs."))
    return "genuine", reasons
