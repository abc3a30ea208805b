"""One EPCIS event in the shapes the repository needs: canonical JSON-LD and index rows.

Pure functions, no database: capture builds rows with them, queries normalise their
parameters with the same helpers, so a value is spelt the same way on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from plateau.i18n import _
from plateau.registry.identifiers import IdentifierError
from plateau.trace import identifiers
from plateau.trace.epcis import cbv
from plateau.trace.epcis import contexts as epcis_contexts
from plateau.trace.epcis.models import MAX_URI_LENGTH

GS1_CONTEXTS = epcis_contexts.GS1_CONTEXTS
_GTIN_IN_DL = re.compile(r"^https://id\.gs1\.org/01/(\d{14})(?:/|$)")
_CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*):([^/].*)?$")

# EPC lists and quantity lists, and the role their members play in epcis_event_epc.
EPC_ROLES: dict[str, str] = {
    "epcList": "epc",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
QUANTITY_ROLES: dict[str, str] = {
    "quantityList": "quantity_class",
    "childQuantityList": "child_quantity_class",
    "inputQuantityList": "input_quantity_class",
    "outputQuantityList": "output_quantity_class",
}


class EventError(ValueError):
    """An event that passed validation but cannot be stored (the message says why)."""


# --- spelling -------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def identifier_key(value: str) -> str:
    """Return the form an identifier is indexed under: a canonical Digital Link for GS1
    identifiers (EPC URIs and Digital Links on any host), the value itself otherwise.

    Cached: locations, parties and classes recur in almost every event of a capture.
    """
    text = value.strip()
    try:
        return identifiers.normalize_epc(text, "dl", strict=False)
    except IdentifierError:
        return text


def gtin_of(key: str) -> str | None:
    """Return the GTIN-14 inside an indexed identifier, if it names a trade item."""
    match = _GTIN_IN_DL.match(key)
    return match.group(1) if match else None


def vocab_key(vocabulary: cbv.Vocabulary, value: str, prefixes: Mapping[str, str]) -> str:
    """Return the form a CBV-typed value is indexed under: the bare term, or the full URI."""
    bare = vocabulary.bare(value)
    if bare is not None:
        return bare
    return expand_curie(value, prefixes)


def expand_curie(value: str, prefixes: Mapping[str, str]) -> str:
    """Expand ``prefix:local`` with a prefix of the context; anything else as written."""
    match = _CURIE.match(value)
    if match is None or match.group(1) in ("http", "https", "urn"):
        return value
    namespace = prefixes.get(match.group(1))
    return f"{namespace}{match.group(2) or ''}" if namespace else value


def parse_time(value: Any) -> datetime:
    """Read an xsd:dateTime with a time zone as an aware UTC datetime."""
    if not isinstance(value, str):
        raise EventError(_("%(value)s is not a date and time.", value=repr(value)))
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise EventError(_("%(value)s is not a date and time.", value=value)) from None
    if parsed.tzinfo is None:
        raise EventError(_("The time %(value)s has no time zone.", value=value))
    return parsed.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """Write an instant as EPCIS writes recordTime: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- contexts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """The parts of a JSON-LD ``@context`` that matter to an event: prefixes and other URLs."""

    prefixes: dict[str, str] = field(default_factory=dict)
    urls: tuple[str, ...] = ()

    @classmethod
    def of(cls, context: Any, outer: Context | None = None) -> Context:
        """Read a ``@context`` value, overlaying it on ``outer``."""
        prefixes = dict(outer.prefixes) if outer else {}
        urls = list(outer.urls) if outer else []
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, str) and item not in GS1_CONTEXTS and item not in urls:
                urls.append(item)
            elif isinstance(item, Mapping):
                for key, value in item.items():
                    if key.startswith("@"):
                        continue
                    if isinstance(value, str):
                        prefixes[key] = value
                    elif isinstance(value, Mapping) and isinstance(value.get("@id"), str):
                        prefixes[key] = value["@id"]
        return cls(prefixes, tuple(urls))

    def as_json(self) -> Any:
        """Return the ``@context`` value to embed in a stored event (None when empty)."""
        if not self.prefixes and not self.urls:
            return None
        if not self.urls:
            return dict(self.prefixes)
        return [*self.urls, dict(self.prefixes)] if self.prefixes else list(self.urls)


# --- one event, ready to store ---------------------------------------------------------


@dataclass
class PreparedEvent:
    """An event with its hash, canonical JSON-LD and every index row (without row ids)."""

    position: int
    event_hash: str
    event_json: dict[str, Any]
    columns: dict[str, Any]
    epcs: list[dict[str, Any]] = field(default_factory=list)
    biz_transactions: list[dict[str, Any]] = field(default_factory=list)
    source_dest: list[dict[str, Any]] = field(default_factory=list)
    sensors: list[dict[str, Any]] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)

    @property
    def declared(self) -> bool:
        return bool(self.columns["declared"])

    @property
    def key(self) -> tuple[str, bool]:
        return self.event_hash, self.declared


def canonical_event(
    event: Mapping[str, Any], *, context: Context, event_hash: str, record_time: datetime
) -> dict[str, Any]:
    """Return the JSON-LD an event is stored and served as.

    Its ``@context`` carries the prefixes of the document it came in (so the event stands
    alone), ``recordTime`` is the repository's, and an event sent without ``eventID`` gets
    its event hash as ID, as the REST binding asks ("the server should populate the event
    ID with a unique value").
    """
    result: dict[str, Any] = {}
    embedded = context.as_json()
    if embedded is not None:
        result["@context"] = embedded
    for key, value in event.items():
        if key in ("@context", "recordTime"):
            continue
        result[key] = value
    if not result.get("eventID"):
        result["eventID"] = event_hash
    result["recordTime"] = format_time(record_time)
    return result


def prepare(
    event: Mapping[str, Any],
    *,
    position: int,
    event_hash: str,
    context: Context,
    record_time: datetime,
) -> PreparedEvent:
    """Build the canonical event and its index rows; raise EventError when it cannot be stored."""
    scoped = Context.of(event.get("@context"), context)
    canonical = canonical_event(
        event, context=scoped, event_hash=event_hash, record_time=record_time
    )
    prefixes = scoped.prefixes
    event_time = parse_time(event.get("eventTime"))
    declaration = event.get("errorDeclaration")
    declaration = declaration if isinstance(declaration, Mapping) else None
    columns: dict[str, Any] = {
        "event_hash": event_hash,
        "declared": declaration is not None,
        "event_id": _uri(canonical["eventID"], "eventID"),
        "event_type": _uri(expand_curie(str(event.get("type")), prefixes), "type"),
        "event_time": event_time,
        "event_time_offset": str(event.get("eventTimeZoneOffset") or "+00:00"),
        "record_time": record_time,
        "action": event.get("action") if isinstance(event.get("action"), str) else None,
        "biz_step": _vocab(cbv.biz_step(), event.get("bizStep"), prefixes),
        "disposition": _vocab(cbv.disposition(), event.get("disposition"), prefixes),
        "read_point": _location(event.get("readPoint")),
        "biz_location": _location(event.get("bizLocation")),
        "transformation_id": _optional_uri(event.get("transformationID"), "transformationID"),
        "error_declaration_time": None,
        "error_reason": None,
        "event_json": canonical,
    }
    prepared = PreparedEvent(position, event_hash, canonical, columns)
    _index_epcs(prepared, event)
    for item in _mappings(event.get("bizTransactionList")):
        value = item.get("bizTransaction")
        if isinstance(value, str):
            kind = item.get("type")
            prepared.biz_transactions.append(
                {
                    "type": _vocab(cbv.biz_transaction_type(), kind, prefixes),
                    "value": _uri(identifier_key(value), "bizTransaction"),
                }
            )
    for list_name, kind, member in (
        ("sourceList", "source", "source"),
        ("destinationList", "destination", "destination"),
    ):
        for item in _mappings(event.get(list_name)):
            value = item.get(member)
            if isinstance(value, str):
                prepared.source_dest.append(
                    {
                        "kind": kind,
                        "type": _vocab(cbv.source_dest_type(), item.get("type"), prefixes) or "",
                        "value": _uri(identifier_key(value), member),
                    }
                )
    _index_sensors(prepared, event, prefixes)
    persistent = event.get("persistentDisposition")
    if isinstance(persistent, Mapping):
        for which in ("set", "unset"):
            for value in _strings(persistent.get(which)):
                prepared.values.append(
                    {
                        "field": f"persistent_{which}",
                        "value": _uri(vocab_key(cbv.disposition(), value, prefixes), which),
                    }
                )
    for value in _strings(event.get("certificationInfo")):
        prepared.values.append({"field": "certification", "value": _uri(value, "certification")})
    if declaration is not None:
        columns["error_declaration_time"] = parse_time(declaration.get("declarationTime"))
        columns["error_reason"] = _vocab(cbv.error_reason(), declaration.get("reason"), prefixes)
        for value in _strings(declaration.get("correctiveEventIDs")):
            prepared.values.append(
                {"field": "corrective_event_id", "value": _uri(value, "correctiveEventIDs")}
            )
    return prepared


def _index_epcs(prepared: PreparedEvent, event: Mapping[str, Any]) -> None:
    parent = event.get("parentID")
    if isinstance(parent, str):
        prepared.epcs.append(_epc_row(parent, "parent"))
    for list_name, role in EPC_ROLES.items():
        for value in _strings(event.get(list_name)):
            prepared.epcs.append(_epc_row(value, role))
    for list_name, role in QUANTITY_ROLES.items():
        for item in _mappings(event.get(list_name)):
            epc_class = item.get("epcClass")
            if not isinstance(epc_class, str):
                continue
            row = _epc_row(epc_class, role)
            quantity = item.get("quantity")
            if isinstance(quantity, int | float) and not isinstance(quantity, bool):
                row["quantity"] = float(quantity)
            uom = item.get("uom")
            row["uom"] = uom if isinstance(uom, str) else None
            prepared.epcs.append(row)


def _epc_row(value: str, role: str) -> dict[str, Any]:
    key = _uri(identifier_key(value), role)
    return {"epc": key, "role": role, "quantity": None, "uom": None, "gtin": gtin_of(key)}


def _index_sensors(
    prepared: PreparedEvent, event: Mapping[str, Any], prefixes: Mapping[str, str]
) -> None:
    for position, element in enumerate(_mappings(event.get("sensorElementList"))):
        metadata = element.get("sensorMetadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        for report in _mappings(element.get("sensorReport")):
            merged = {**metadata, **report}
            pick = merged.get
            device = pick("deviceID")
            exception = report.get("exception")
            prepared.sensors.append(
                {
                    "element": position,
                    "time": _optional_time(pick("time")),
                    "start_time": _optional_time(pick("startTime")),
                    "end_time": _optional_time(pick("endTime")),
                    "type": _vocab(cbv.measurement_type(), report.get("type"), prefixes),
                    "device_id": _uri(identifier_key(device), "deviceID")
                    if isinstance(device, str)
                    else None,
                    "value": _number(report.get("value")),
                    "min_value": _number(report.get("minValue")),
                    "max_value": _number(report.get("maxValue")),
                    "mean_value": _number(report.get("meanValue")),
                    "uom": report.get("uom") if isinstance(report.get("uom"), str) else None,
                    "exception": _vocab(cbv.sensor_alert_type(), exception, prefixes),
                }
            )


# --- small readers ------------------------------------------------------------------------


def _uri(value: Any, name: str) -> str:
    text = str(value)
    if len(text) > MAX_URI_LENGTH:
        raise EventError(
            _(
                "%(name)s is longer than %(max)s characters; the repository cannot index it.",
                name=name,
                max=MAX_URI_LENGTH,
            )
        )
    return text


def _optional_uri(value: Any, name: str) -> str | None:
    return _uri(value, name) if isinstance(value, str) else None


def _vocab(vocabulary: cbv.Vocabulary, value: Any, prefixes: Mapping[str, str]) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return _uri(vocab_key(vocabulary, value, prefixes), vocabulary.name)


def _location(value: Any) -> str | None:
    ident = value.get("id") if isinstance(value, Mapping) else value
    return _uri(identifier_key(ident), "id") if isinstance(ident, str) else None


def _optional_time(value: Any) -> datetime | None:
    return parse_time(value) if value is not None else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _strings(value: Any) -> list[str]:
    items: Iterable[Any] = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str) and v]


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []
