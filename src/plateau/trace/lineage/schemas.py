"""Input and output models of genealogy, recall, mass balance, cold chain, the consumer page,
locations, product kinds and industrial-internet identifiers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plateau.i18n import _, lazy

LocationKind = Literal["base", "site", "warehouse", "distributor", "shop", "party"]
LOCATION_KINDS: tuple[LocationKind, ...] = (
    "base",
    "site",
    "warehouse",
    "distributor",
    "shop",
    "party",
)
LOCATION_KIND_LABELS: dict[str, str] = {
    "base": lazy("Raw-material base"),
    "site": lazy("Production site"),
    "warehouse": lazy("Warehouse"),
    "distributor": lazy("Distributor"),
    "shop": lazy("Shop"),
    "party": lazy("Trading party"),
}
Verdict = Literal["genuine", "unverified", "warning"]
HandleKind = Literal["product", "lot", "item"]

# A GS1 GLN-based key (Digital Link or EPC URI) is checked by the identifier functions; this
# only keeps absurd input away.
_KEY = Field(min_length=3, max_length=1024)
# A Handle-style prefix (88.118.8) or an Ecode prefix (version + NSI + enterprise code).
_PREFIX_PATTERN = r"^(\d{2,3}(\.\d{1,10}){1,4}|[0-9A-Z]{6,35})$"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- locations -------------------------------------------------------------------------


class LocationCreate(_Input):
    """A location (GLN or SGLN) or party (PGLN), as an EPC URI or Digital Link."""

    identifier: str = _KEY
    kind: LocationKind
    name_zh: str = Field(min_length=1, max_length=128)
    name_en: str = Field(default="", max_length=256)
    region_zh: str = Field(default="", max_length=64)
    region_en: str = Field(default="", max_length=128)
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    raw_material_base_id: str | None = Field(default=None, max_length=48)
    enterprise_uscc: str | None = Field(
        default=None, description="Operator; enterprise users may only give their own."
    )

    @model_validator(mode="after")
    def _base_needs_base(self) -> LocationCreate:
        if self.kind == "base" and not self.raw_material_base_id:
            raise ValueError(_("A raw-material base location needs raw_material_base_id."))
        return self


class LocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    gln: str | None = None
    kind: str
    name_zh: str
    name_en: str = ""
    region_zh: str = ""
    region_en: str = ""
    county_code: str | None = None
    raw_material_base_id: str | None = None
    enterprise_uscc: str | None = None


# --- genealogy --------------------------------------------------------------------------


class TraceNodeRead(BaseModel):
    """An identifier the trace reached."""

    key: str
    kind: str = Field(description="item, lot, product, container, location, party, asset, other")
    label: str = Field(description="Product name, or the identifier's short form.")
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    sscc: str | None = None
    depth: int
    modes: list[str] = Field(description="back, forward, carrier")
    start: bool = False


class TraceEdgeRead(BaseModel):
    """A link in the direction goods flow: aggregation (child → parent), transformation
    (input → output) or lot (lot → item)."""

    source: str
    target: str
    relation: Literal["aggregation", "transformation", "lot"]
    event_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    quantity: float | None = None
    uom: str | None = None


class SourceDestRead(BaseModel):
    kind: str
    type: str
    value: str
    name: str | None = None


class BizTransactionRead(BaseModel):
    type: str | None
    value: str


class TraceEventRead(BaseModel):
    """An event of the trace (indexed fields; the full event is at ``/epcis/events/{id}``)."""

    event_id: str
    event_type: str
    action: str | None
    event_time: datetime
    event_time_offset: str
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    transformation_id: str | None
    captured_by: str | None = Field(description="USCC of the capturing enterprise.")
    subjects: list[str]
    quantities: list[dict[str, object]] = Field(default_factory=list)
    sources: list[SourceDestRead] = Field(default_factory=list)
    destinations: list[SourceDestRead] = Field(default_factory=list)
    biz_transactions: list[BizTransactionRead] = Field(default_factory=list)
    sensor_reports: int = 0


class TracePlaceRead(BaseModel):
    """A location or party the trace passed, with what Plateau knows of it."""

    key: str
    kind: str | None = None
    name: str | None = None
    region: str | None = None
    county_code: str | None = None
    county: str | None = None
    prefecture: str | None = None
    raw_material_base_id: str | None = None
    enterprise_uscc: str | None = None
    enterprise: str | None = None
    registered: bool = False


class BaseRead(BaseModel):
    """A raw-material base (专栏4) the trace reached."""

    id: str
    name: str
    product_zh: str
    location_key: str
    location: str
    county_code: str | None = None
    county: str | None = None
    prefecture: str | None = None


class CountyRead(BaseModel):
    code: str
    name: str
    prefecture_code: str
    prefecture: str


class EnterpriseRef(BaseModel):
    uscc: str
    name: str


class TraceRead(BaseModel):
    """One call, one answer: everything a trace reached."""

    identifier: str
    key: str
    kind: str
    direction: Literal["back", "forward", "both"]
    truncated: bool
    nodes: list[TraceNodeRead]
    edges: list[TraceEdgeRead]
    events: list[TraceEventRead]
    locations: list[TracePlaceRead]
    parties: list[TracePlaceRead]
    enterprises: list[EnterpriseRef]
    bases: list[BaseRead]
    base: BaseRead | None = Field(description="The first raw-material base reached, if any.")
    county: CountyRead | None = Field(description="The county of that base location.")


# --- recall -----------------------------------------------------------------------------


class RecallRow(BaseModel):
    """One critical tracking event with its key data elements (FSMA 204 sortable spreadsheet)."""

    traceability_lot_code: str
    gtin: str | None
    product: str
    quantity: float | None
    unit: str
    cte: str
    cte_label: str
    event_date: str
    event_time: datetime
    location: str
    location_key: str | None
    ship_from: str
    ship_to: str
    previous_source: str
    tlc_source: str
    input_lots: str
    reference_type: str
    reference_number: str
    identifier: str
    event_id: str


class RecallRead(BaseModel):
    """What a recall of one lot reaches downstream, and its critical tracking events."""

    identifier: str
    lot_key: str
    gtin: str | None
    lot: str | None
    product: str | None
    truncated: bool
    lots: list[TraceNodeRead]
    items: int
    containers: list[TraceNodeRead]
    locations: list[TracePlaceRead]
    holders: list[TracePlaceRead]
    rows: list[RecallRow]


# --- mass balance -----------------------------------------------------------------------


class KindRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name_zh: str
    name_en: str = ""
    temp_min_c: float | None = None
    temp_max_c: float | None = None


class KindUpdate(_Input):
    name_zh: str = Field(min_length=1, max_length=64)
    name_en: str = Field(default="", max_length=128)
    temp_min_c: float | None = None
    temp_max_c: float | None = None


class YieldRead(BaseModel):
    input_kind: str
    output_kind: str
    min_ratio: float
    max_ratio: float


class YieldUpdate(_Input):
    input_kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    output_kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    min_ratio: float = Field(ge=0)
    max_ratio: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> YieldUpdate:
        if self.min_ratio > self.max_ratio:
            raise ValueError(_("min_ratio must not exceed max_ratio."))
        return self


class ProductKindUpdate(_Input):
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    unit_kg: float | None = Field(default=None, gt=0)


class ProductKindRead(BaseModel):
    gtin: str
    kind: str
    unit_kg: float | None = None


class BalanceFlag(BaseModel):
    """Something that could not have happened as recorded, and the events that show it."""

    code: str
    severity: Literal["warning", "info"]
    message: str
    evidence: list[str] = Field(description="EPCIS eventIDs.")


class MassFlow(BaseModel):
    key: str
    label: str
    kind: str | None
    quantity: float | None
    uom: str | None
    kg: float | None


class TransformationBalance(BaseModel):
    id: str = Field(description="transformationID, or the eventID of a TransformationEvent.")
    time: datetime
    location: str | None
    captured_by: str | None
    inputs: list[MassFlow]
    outputs: list[MassFlow]
    input_kg: float | None
    output_kg: float | None
    ratio: float | None
    min_ratio: float | None
    max_ratio: float | None
    flags: list[BalanceFlag]
    event_ids: list[str]


class LotBalance(BaseModel):
    key: str
    gtin: str | None
    lot: str | None
    label: str
    kind: str | None
    unit_kg: float | None
    measure: Literal["units", "kg"] = Field(description="What the quantities count.")
    produced: float
    supportable: float | None = Field(description="Most the recorded inputs can give.")
    used: float = Field(description="How much went into transformations as input.")
    dispatched: float
    sold: float
    flags: list[BalanceFlag]


class MassBalanceRead(BaseModel):
    transformations: list[TransformationBalance]
    lots: list[LotBalance]
    flagged_transformations: int
    flagged_lots: int


# --- cold chain -------------------------------------------------------------------------


class SensorReading(BaseModel):
    time: datetime
    type: str
    value: float
    min_value: float | None = None
    max_value: float | None = None
    uom: str
    device: str | None = None
    place: str | None = None
    event_id: str
    excursion: bool = False


class ColdChainRead(BaseModel):
    kind: str | None
    temp_min_c: float | None
    temp_max_c: float | None
    readings: list[SensorReading]
    excursions: int


# --- consumer page ----------------------------------------------------------------------


class JourneyStep(BaseModel):
    time: datetime
    step: str
    label: str
    place: str
    region: str
    kind: str | None


class CertificateRead(BaseModel):
    kind: str
    label: str
    number: str
    issuer: str
    valid_to: str | None


class ConsumerView(BaseModel):
    """What anyone may see behind a QR code: nothing private, no prices, no transactions."""

    gtin: str
    lot: str | None
    serial: str | None
    digital_link: str
    product: str
    brand: str | None
    enterprise: str
    net_content: str
    licence_label: str | None = Field(
        default=None, description="Which number it is: SC licence, drug approval number, …"
    )
    licence_no: str | None = None
    photo_url: str | None = Field(default=None, description="The product's photo, if given.")
    origin_base: str | None
    origin_county: str | None
    origin_prefecture: str | None
    journey: list[JourneyStep]
    certificates: list[CertificateRead]
    cold_chain: ColdChainRead
    verdict: Verdict
    verdict_label: str
    reasons: list[str]


# --- industrial-internet identifiers ----------------------------------------------------


class PrefixCreate(_Input):
    prefix: str = Field(pattern=_PREFIX_PATTERN, description="e.g. 88.118.8, or Ecode 100865400001")
    enterprise_uscc: str = Field(min_length=18, max_length=18)
    allocated_by: str = Field(default="", max_length=128)


class PrefixRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    prefix: str
    enterprise_uscc: str
    allocated_by: str
    created_at: datetime


class HandleCreate(_Input):
    """Mint an identifier for a product (GTIN), a lot, or an item (lot optional)."""

    prefix: str = Field(pattern=_PREFIX_PATTERN)
    gtin: str = Field(pattern=r"^\d{8,14}$")
    lot: str | None = Field(default=None, min_length=1, max_length=20)
    serial: str | None = Field(default=None, min_length=1, max_length=20)


class HandleRead(BaseModel):
    handle: str
    kind: HandleKind
    gtin: str
    lot: str | None
    serial: str | None
    digital_link: str
    created_at: datetime
