"""What the repository sends: EPCISQueryDocuments, collections, and the identifier and CBV
spellings a client asks for (``GS1-EPC-Format``, ``GS1-CBV-XML-Format``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from lxml import etree

from plateau.db import utcnow
from plateau.i18n import _
from plateau.registry.identifiers import IdentifierError
from plateau.trace import identifiers
from plateau.trace.epcis import cbv, problems
from plateau.trace.epcis import xml as epcis_xml
from plateau.trace.epcis.events import format_time
from plateau.trace.epcis.xml_names import NS_PLATEAU

EpcFormat = Literal[
    "No_Preference", "Always_GS1_Digital_Link", "Always_EPC_URN", "Never_Translates"
]
CbvXmlFormat = Literal["No_Preference", "Always_Web_URI", "Always_URN", "Never_Translates"]
EPC_FORMATS: tuple[EpcFormat, ...] = (
    "No_Preference",
    "Always_GS1_Digital_Link",
    "Always_EPC_URN",
    "Never_Translates",
)
CBV_XML_FORMATS: tuple[CbvXmlFormat, ...] = (
    "No_Preference",
    "Always_Web_URI",
    "Always_URN",
    "Never_Translates",
)
# The REST binding: "If absent the default value is Always_GS1_Digital_Link".
DEFAULT_EPC_FORMAT: EpcFormat = "Always_GS1_Digital_Link"
SIMPLE_EVENT_QUERY = "SimpleEventQuery"

_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


def epc_format(header: str | None) -> EpcFormat:
    """Read the ``GS1-EPC-Format`` request header."""
    if header is None or not header.strip():
        return DEFAULT_EPC_FORMAT
    for fmt in EPC_FORMATS:
        if header.strip() == fmt:
            return fmt
    raise problems.EpcisError(
        problems.NOT_ACCEPTABLE,
        _(
            "GS1-EPC-Format takes one of %(values)s, not %(value)s.",
            values=", ".join(EPC_FORMATS),
            value=header,
        ),
        406,
    )


def cbv_xml_format(header: str | None) -> CbvXmlFormat:
    """Read the ``GS1-CBV-XML-Format`` request header (URNs unless web URIs are asked for)."""
    if header is None or not header.strip():
        return "No_Preference"
    for fmt in CBV_XML_FORMATS:
        if header.strip() == fmt:
            return fmt
    raise problems.EpcisError(
        problems.NOT_ACCEPTABLE,
        _(
            "GS1-CBV-XML-Format takes one of %(values)s, not %(value)s.",
            values=", ".join(CBV_XML_FORMATS),
            value=header,
        ),
        406,
    )


# Our annotations of a query document live under this namespace (a user extension of
# queryResults, which GS1's JSON Schema and XSD both allow).
PLATEAU_NS = NS_PLATEAU
IDENTIFIER_FORMS = "plateau:identifierForms"


@dataclass
class Spelling:
    """Which identifiers a response spelt differently from how they were captured, and which
    it could not translate: a client comparing URNs with a partner needs to know."""

    derived: dict[str, str] = field(default_factory=dict)  # spelt -> as captured
    untranslated: dict[str, str] = field(default_factory=dict)  # as captured -> why

    def annotation(self) -> list[dict[str, str]]:
        """Return the ``plateau:identifierForms`` list of a query document."""
        forms = [{"value": v, "derivedFrom": o} for v, o in sorted(self.derived.items())]
        forms += [
            {"value": v, "untranslated": "companyPrefixLengthUnknown", "reason": w}
            for v, w in sorted(self.untranslated.items())
        ]
        return forms


def spell(value: str, fmt: EpcFormat, notes: Spelling | None = None) -> str:
    """Return an identifier in the spelling ``fmt`` asks for (others as they are).

    An identifier already in the asked-for form is returned exactly as it was captured (the
    partner's URN, escapes and all). Going from a Digital Link to a URN needs the company
    prefix length: where GS1's table does not know it, the Digital Link stays and ``notes``
    says why; whatever was translated is listed in ``notes`` with its captured form.
    """
    if fmt in ("No_Preference", "Never_Translates"):
        return value
    target: identifiers.Format = "dl" if fmt == "Always_GS1_Digital_Link" else "urn"
    text = value.strip()
    if target == "urn" and text.lower().startswith("urn:epc:"):
        return value
    try:
        spelt = identifiers.normalize_epc(text, target)
    except identifiers.UnknownCompanyPrefix as exc:
        if notes is not None:
            notes.untranslated[value] = str(exc)
        return value
    except IdentifierError:
        # Stored data that a later rule would refuse is shown as written (or moved to the
        # canonical Digital Link host), never hidden.
        try:
            spelt = identifiers.normalize_epc(text, target, strict=False)
        except IdentifierError:
            return value
    if notes is not None and spelt != value:
        notes.derived[spelt] = value
    return spelt


def convert_event(
    event: Mapping[str, Any], fmt: EpcFormat, notes: Spelling | None = None
) -> dict[str, Any]:
    """Return a copy of ``event`` with its EPCs, classes and locations spelt as ``fmt`` asks."""
    result = dict(event)
    if fmt in ("No_Preference", "Never_Translates"):
        return result
    for name in _EPC_LISTS:
        if isinstance(result.get(name), list):
            result[name] = [spell(v, fmt, notes) if isinstance(v, str) else v for v in result[name]]
    if isinstance(result.get("parentID"), str):
        result["parentID"] = spell(result["parentID"], fmt, notes)
    for name in _QUANTITY_LISTS:
        if isinstance(result.get(name), list):
            result[name] = [_respell(item, "epcClass", fmt, notes) for item in result[name]]
    for name in ("readPoint", "bizLocation"):
        if isinstance(result.get(name), Mapping):
            result[name] = _respell(result[name], "id", fmt, notes)
    for name, member in (("sourceList", "source"), ("destinationList", "destination")):
        if isinstance(result.get(name), list):
            result[name] = [_respell(item, member, fmt, notes) for item in result[name]]
    return result


def _respell(item: Any, key: str, fmt: EpcFormat, notes: Spelling | None) -> Any:
    if not isinstance(item, Mapping) or not isinstance(item.get(key), str):
        return item
    changed = dict(item)
    changed[key] = spell(item[key], fmt, notes)
    return changed


def query_document(
    events: Iterable[Mapping[str, Any]],
    *,
    fmt: EpcFormat,
    query_name: str = SIMPLE_EVENT_QUERY,
    subscription_id: str | None = None,
    created: datetime | None = None,
) -> dict[str, Any]:
    """Return an EPCISQueryDocument (JSON-LD) carrying ``events``.

    Each event keeps its own ``@context`` (the prefixes of its extensions), so events
    captured from different documents never clash over a prefix.
    """
    results: dict[str, Any] = {}
    if subscription_id is not None:
        results["subscriptionID"] = subscription_id
    results["queryName"] = query_name
    notes = Spelling()
    results["resultsBody"] = {"eventList": [convert_event(e, fmt, notes) for e in events]}
    context: list[Any] = [cbv.CONTEXT_URL]
    if notes.derived or notes.untranslated:
        results[IDENTIFIER_FORMS] = notes.annotation()
        context.append({"plateau": PLATEAU_NS})
    return {
        "@context": context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": format_time(created or utcnow()),
        "epcisBody": {"queryResults": results},
    }


def collection(members: Iterable[str]) -> dict[str, Any]:
    """Return a JSON-LD Collection of resource names or URIs (the top-level resources)."""
    return {"@context": cbv.CONTEXT_URL, "type": "Collection", "member": list(members)}


# --- XML ----------------------------------------------------------------------------------

# Elements (and attributes) of the XML binding whose value is a CBV term, and its list.
_CBV_TEXT = {
    "bizStep": "bizStep",
    "disposition": "disposition",
    "set": "disposition",
    "unset": "disposition",
    "reason": "errorReason",
}
_CBV_ATTRIBUTE = {
    "bizTransaction": "bizTransactionType",
    "source": "sourceDestType",
    "destination": "sourceDestType",
}


def xml_document(document: Mapping[str, Any], cbv_format: CbvXmlFormat) -> bytes:
    """Write a document as XML, with CBV values as URNs or, if asked, as web URIs."""
    data = epcis_xml.to_xml(document)
    if cbv_format != "Always_Web_URI":
        return data
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter():
        if not isinstance(element.tag, str) or "}" in element.tag:
            continue
        name = _CBV_TEXT.get(element.tag)
        if name is not None and element.text:
            element.text = cbv.to_web_uri(cbv.vocabulary(name), element.text.strip())
        name = _CBV_ATTRIBUTE.get(element.tag)
        if name is not None and element.get("type"):
            element.set("type", cbv.to_web_uri(cbv.vocabulary(name), element.get("type")))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
