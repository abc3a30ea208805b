"""Builders of EPCIS 2.0 events and documents in the demo's shape: GS1 keys as Digital Links,
object/aggregation/transformation events with their where, why and parties, sensor readings,
and the capture document. Used by the demo's trace world and by ``bench trace``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from plateau.formatting import BEIJING
from plateau.registry.identifiers import gtin_check_digit, make_gtin

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
MAX_BYTES = 64 * 1024 * 1024
DL = "https://id.gs1.org"


# --- GS1 keys ---------------------------------------------------------------------------


def check(body: str) -> str:
    return body + gtin_check_digit(body)


@dataclass
class Company:
    """A GS1 company prefix (9 digits here) and the keys minted under it."""

    gcp: str
    _sscc: int = 0

    def gln(self, ref: int) -> str:
        return check(f"{self.gcp}{ref:03d}")

    def gtin(self, ref: int) -> str:
        return make_gtin(f"{self.gcp}{ref:03d}")

    def sscc(self, extension: int = 3) -> str:
        self._sscc += 1
        return check(f"{extension}{self.gcp}{self._sscc:07d}")


def loc_dl(gln: str) -> str:
    return f"{DL}/414/{gln}"


def party_dl(gln: str) -> str:
    return f"{DL}/417/{gln}"


def sscc_dl(sscc: str) -> str:
    return f"{DL}/00/{sscc}"


def item_dl(gtin: str, serial: str) -> str:
    return f"{DL}/01/{gtin}/21/{serial}"


def lot_dl(gtin: str, lot: str) -> str:
    return f"{DL}/01/{gtin}/10/{lot}"


# --- events ---------------------------------------------------------------------------


@dataclass
class Clock:
    """Event times: days before the demo's today, at a time of day, in China time."""

    today: date

    def at(self, days_ago: float, hour: int = 9, minute: int = 0) -> datetime:
        day = self.today - timedelta(days=int(days_ago))
        return datetime.combine(day, time(hour, minute), BEIJING) + timedelta(
            hours=(days_ago % 1) * 24
        )


def when(moment: datetime) -> dict[str, str]:
    return {
        "eventTime": moment.isoformat(timespec="seconds"),
        "eventTimeZoneOffset": "+08:00",
    }


def qty(epc_class: str, quantity: float, uom: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"epcClass": epc_class, "quantity": quantity}
    if uom:
        entry["uom"] = uom
    return entry


def place(event: dict[str, Any], read: str | None, where: str | None) -> None:
    if read:
        event["readPoint"] = {"id": loc_dl(read)}
    if where:
        event["bizLocation"] = {"id": loc_dl(where)}


def parties(
    event: dict[str, Any],
    *,
    source: tuple[str, str] | None = None,
    destination: tuple[str, str] | None = None,
) -> None:
    """Add owning parties and locations (party GLN, location GLN) of a move."""
    if source:
        event["sourceList"] = [
            {"type": "owning_party", "source": party_dl(source[0])},
            {"type": "location", "source": loc_dl(source[1])},
        ]
    if destination:
        event["destinationList"] = [
            {"type": "owning_party", "destination": party_dl(destination[0])},
            {"type": "location", "destination": loc_dl(destination[1])},
        ]


def object_event(
    moment: datetime,
    *,
    step: str,
    epcs: Sequence[str] = (),
    quantities: Sequence[dict[str, Any]] = (),
    action: str = "OBSERVE",
    disposition: str | None = None,
    read: str | None = None,
    where: str | None = None,
    ilmd: dict[str, Any] | None = None,
    documents: Sequence[tuple[str, str]] = (),
    sensors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "ObjectEvent", **when(moment), "epcList": list(epcs)}
    if quantities:
        event["quantityList"] = list(quantities)
    event["action"] = action
    event["bizStep"] = step
    if disposition:
        event["disposition"] = disposition
    place(event, read, where)
    if documents:
        event["bizTransactionList"] = [
            {"type": kind, "bizTransaction": value} for kind, value in documents
        ]
    if ilmd:
        event["ilmd"] = ilmd
    if sensors:
        event["sensorElementList"] = sensors
    return event


def aggregation_event(
    moment: datetime,
    *,
    parent: str,
    children: Sequence[str] = (),
    action: str = "ADD",
    step: str = "packing",
    disposition: str | None = "in_progress",
    read: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "AggregationEvent", **when(moment), "parentID": parent}
    if children or action != "DELETE":
        event["childEPCs"] = list(children)
    event["action"] = action
    event["bizStep"] = step
    if disposition:
        event["disposition"] = disposition
    place(event, read, read)
    return event


def transformation_event(
    moment: datetime,
    *,
    inputs: Sequence[dict[str, Any]],
    outputs: Sequence[dict[str, Any]] = (),
    output_epcs: Sequence[str] = (),
    step: str = "commissioning",
    read: str | None = None,
    ilmd: dict[str, Any] | None = None,
    documents: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "TransformationEvent", **when(moment)}
    event["inputQuantityList"] = list(inputs)
    if output_epcs:
        event["outputEPCList"] = list(output_epcs)
    if outputs:
        event["outputQuantityList"] = list(outputs)
    event["bizStep"] = step
    event["disposition"] = "active"
    place(event, read, read)
    if documents:
        event["bizTransactionList"] = [
            {"type": kind, "bizTransaction": value} for kind, value in documents
        ]
    if ilmd:
        event["ilmd"] = ilmd
    return event


def temperature(device: str, readings: Sequence[tuple[datetime, float]]) -> list[dict[str, Any]]:
    """Return a sensorElementList of temperature readings from one logger."""
    return [
        {
            "sensorMetadata": {"deviceID": f"{DL}/8004/{device}"},
            "sensorReport": [
                {
                    "type": "Temperature",
                    "value": round(value, 1),
                    "uom": "CEL",
                    "time": moment.isoformat(timespec="seconds"),
                }
                for moment, value in readings
            ],
        }
    ]


def document(events: Sequence[dict[str, Any]], created: datetime) -> bytes:
    return json.dumps(
        {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": created.isoformat(timespec="seconds"),
            "epcisBody": {"eventList": list(events)},
        },
        ensure_ascii=False,
    ).encode("utf-8")


def bt(gln: str, number: str) -> str:
    return f"urn:epcglobal:cbv:bt:{gln}:{number}"
