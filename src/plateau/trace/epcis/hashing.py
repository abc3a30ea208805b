"""The EPCIS Event Hash ID of CBV 2.0 §8.9: ``ni:///sha-256;<hex>?ver=CBV2.0``.

The hash identifies an event whatever its syntax (JSON-LD or XML), the order of its fields
or of list members, the time zone its times are written in, the spelling of its
identifiers (EPC URI or any Digital Link) and of CBV values (bare word, URN or web URI).
The event is reduced to a *pre-hash string* and that string is hashed.

The input is an event in the JSON/JSON-LD binding, as a parsed dict. An XML event is
hashed after conversion to that form (``plateau.trace.epcis.xml``).

The pre-hash string, as the CBV text and GS1's reference implementation build it:

- ``eventType=…`` then the standard fields in the canonical property order: ``eventTime``
  ``eventTimeZoneOffset`` ``certificationInfo`` ``parentID`` ``epcList`` ``inputEPCList``
  ``childEPCs`` ``quantityList`` ``childQuantityList`` ``inputQuantityList``
  ``outputEPCList`` ``outputQuantityList`` ``action`` ``transformationID`` ``bizStep``
  ``disposition`` ``persistentDisposition`` ``readPoint`` ``bizLocation``
  ``sensorElementList``; each as ``name=value`` (no separators), a structure as its name
  followed by its members; members of a list sorted;
- then, sorted as whole strings, everything else: ``bizTransactionList``, ``sourceList``,
  ``destinationList``, ``ilmd``, user extensions as ``{namespace}localName=value``;
- times in UTC with milliseconds (``…T10:00:30.000Z``, the third decimal rounded up when
  the fourth is 5–9); numbers without trailing zeros; CBV URNs and bare CBV words as
  ``https://ref.gs1.org/cbv/…`` URIs; CURIEs of GS1's context (``gs1:``, ``cbv:`` …)
  expanded; EPC URIs and Digital Links on any host as constrained canonical Digital Links
  (``https://id.gs1.org/…``);
- ``recordTime``, ``eventID``, ``errorDeclaration`` and comments are left out.

Where the published test vectors (computed by GS1's reference implementation) and the
CBV text part ways, this module follows the vectors, so that its hashes are everybody
else's: ``destinationList`` before ``sourceList``, ``sensorElementList`` before the
business transactions, a business transaction's type before its identifier, a
repository's ``ignoreFields`` honoured, CURIEs with a document's own prefix kept as
written, numbers read as binary doubles. Where no vector decides, the reference
implementation's order is kept too (``parentID`` before ``epcList``, ``ilmd`` before
``sourceList``). ``tests/trace/test_event_hash.py`` shows each difference as a strict
xfail.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from plateau.i18n import _
from plateau.trace.identifiers import canonical_digital_link

HASH_VERSION = "CBV2.0"
ALGORITHMS = {"sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512", "sha3-256": "sha3_256"}

CBV_WEB = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"

# The prefixes of GS1's EPCIS JSON-LD context, which every EPCIS 2.0 document imports.
STANDARD_PREFIXES: dict[str, str] = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": CBV_WEB,
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": GS1_VOC,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}

_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", CBV_WEB + "BizStep-"),
    ("urn:epcglobal:cbv:disp:", CBV_WEB + "Disp-"),
    ("urn:epcglobal:cbv:btt:", CBV_WEB + "BTT-"),
    ("urn:epcglobal:cbv:sdt:", CBV_WEB + "SDT-"),
    ("urn:epcglobal:cbv:er:", CBV_WEB + "ER-"),
)

# Where the JSON binding lets a bare word stand for a standard vocabulary URI.
_BARE_TERMS: dict[tuple[str, ...], str] = {
    ("bizStep",): CBV_WEB + "BizStep-",
    ("disposition",): CBV_WEB + "Disp-",
    ("persistentDisposition", "set"): CBV_WEB + "Disp-",
    ("persistentDisposition", "unset"): CBV_WEB + "Disp-",
    ("bizTransactionList", "type"): CBV_WEB + "BTT-",
    ("sourceList", "type"): CBV_WEB + "SDT-",
    ("destinationList", "type"): CBV_WEB + "SDT-",
    ("sensorElementList", "sensorReport", "type"): GS1_VOC,
    ("sensorElementList", "sensorReport", "exception"): GS1_VOC,
    ("sensorElementList", "sensorReport", "component"): CBV_WEB + "Comp-",
}

# Fields that are not part of what happened: the repository's bookkeeping and annotations.
IGNORED_FIELDS = frozenset(
    {"type", "eventID", "recordTime", "errorDeclaration", "rdfs:comment", "comment"}
)

# The JSON binding drops the member element names of these lists; the pre-hash keeps them.
_LIST_MEMBERS = {
    "epcList": "epc",
    "inputEPCList": "epc",
    "outputEPCList": "epc",
    "childEPCs": "epc",
    "quantityList": "quantityElement",
    "childQuantityList": "quantityElement",
    "inputQuantityList": "quantityElement",
    "outputQuantityList": "quantityElement",
    "sensorElementList": "sensorElement",
}
_TYPED_LISTS = {
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
}
_TIME_FIELDS = frozenset({"eventTime", "time", "startTime", "endTime"})

Spec = tuple[tuple[str, "Spec | None"], ...]

_EPCS: Spec = (("epc", None),)
_QUANTITIES: Spec = (("quantityElement", (("epcClass", None), ("quantity", None), ("uom", None))),)
_SENSOR_METADATA: Spec = tuple(
    (name, None)
    for name in (
        "time",
        "startTime",
        "endTime",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
    )
)
_SENSOR_REPORT: Spec = tuple(
    (name, None)
    for name in (
        "type",
        "exception",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "time",
        "microorganism",
        "chemicalSubstance",
        "value",
        "component",
        "stringValue",
        "booleanValue",
        "hexBinaryValue",
        "uriValue",
        "minValue",
        "maxValue",
        "meanValue",
        "sDev",
        "percRank",
        "percValue",
        "uom",
        "coordinateReferenceSystem",
    )
)
CANONICAL_ORDER: Spec = (
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", _EPCS),
    ("inputEPCList", _EPCS),
    ("childEPCs", _EPCS),
    ("quantityList", _QUANTITIES),
    ("childQuantityList", _QUANTITIES),
    ("inputQuantityList", _QUANTITIES),
    ("outputEPCList", _EPCS),
    ("outputQuantityList", _QUANTITIES),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", (("set", None), ("unset", None))),
    ("readPoint", (("id", None),)),
    ("bizLocation", (("id", None),)),
    (
        "sensorElementList",
        (
            (
                "sensorElement",
                (("sensorMetadata", _SENSOR_METADATA), ("sensorReport", _SENSOR_REPORT)),
            ),
        ),
    ),
)


@dataclass
class _Node:
    """One field: its name (``{namespace}local`` for an extension), value and members.

    ``pair`` marks a business transaction, source or destination: its type is written
    before its identifier instead of sorting the two.
    """

    name: str
    value: str = ""
    children: list[_Node] = field(default_factory=list)
    pair: bool = False


# --- JSON-LD to nodes -----------------------------------------------------------------


class _Names:
    """Prefixes in scope: GS1's own and those the document's @context declares."""

    def __init__(self, context: Any) -> None:
        self.prefixes = dict(STANDARD_PREFIXES)
        self._collect(context)

    def _collect(self, context: Any) -> None:
        if isinstance(context, list):
            for item in context:
                self._collect(item)
        elif isinstance(context, Mapping):
            for term, definition in context.items():
                if term.startswith("@"):
                    continue
                if isinstance(definition, str):
                    self.prefixes[term] = definition
                elif isinstance(definition, Mapping) and isinstance(definition.get("@id"), str):
                    self.prefixes[term] = definition["@id"]

    @staticmethod
    def expand_value(value: str) -> str:
        """Expand a CURIE of GS1's context (``gs1:Temperature``); leave other text alone.

        A value with a document-declared prefix (``example:x``) stays as written: the XML
        binding reads it as a URI of scheme ``example``, and the test vectors
        (``SensorDataExamples.xml``) hash it unexpanded, so both syntaxes agree.
        """
        prefix, sep, rest = value.partition(":")
        if sep and not rest.startswith("//") and prefix in STANDARD_PREFIXES:
            return STANDARD_PREFIXES[prefix] + rest
        return value

    def expand_key(self, key: str) -> str:
        """Return an extension field name as ``{namespace}local``; standard names unchanged."""
        if key.startswith("{"):
            return key
        prefix, sep, rest = key.partition(":")
        if sep and not rest.startswith("//") and prefix in self.prefixes:
            return "{" + self.prefixes[prefix] + "}" + rest
        if sep and rest.startswith("//"):
            cut = max(key.rfind("/"), key.rfind("#")) + 1
            if 0 < cut < len(key):
                return "{" + key[:cut] + "}" + key[cut:]
        return key


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _leaf(name: str, value: Any, path: tuple[str, ...], names: _Names) -> _Node:
    text = _scalar(value).strip()
    bare = _BARE_TERMS.get(path)
    if bare is not None and text and ":" not in text:
        text = bare + text
    return _Node(name, names.expand_value(text))


def _nodes(name: str, value: Any, path: tuple[str, ...], names: _Names) -> list[_Node]:
    """Turn one JSON member into nodes (a list becomes one node per item, as in XML)."""
    if isinstance(value, list):
        return [node for item in value for node in _nodes(name, item, path, names)]
    if isinstance(value, Mapping) and "@value" in value and all(k.startswith("@") for k in value):
        # Text with XML attributes (xml_read keeps them under "@attributes"): the text is
        # the value, as when the element had none.
        return [_leaf(name, value["@value"], path, names)]
    if isinstance(value, Mapping):
        node = _Node(name)
        for key, member in value.items():
            if key in ("@value", "#text"):
                node.value = names.expand_value(_scalar(member).strip())
            elif not key.startswith("@"):
                child = names.expand_key(key)
                node.children += _nodes(child, member, (*path, child), names)
        return [node]
    return [_leaf(name, value, path, names)]


def _event_nodes(event: Mapping[str, Any], names: _Names, ignore: frozenset[str]) -> list[_Node]:
    nodes: list[_Node] = []
    for key, value in event.items():
        if key in IGNORED_FIELDS or key.startswith("@"):
            continue
        name = names.expand_key(key)
        if name in ignore:
            continue
        if name in _LIST_MEMBERS:
            items = value if isinstance(value, list) else [value]
            member = _LIST_MEMBERS[name]
            members = [n for v in items for n in _nodes(member, v, (name,), names)]
            nodes.append(_Node(name, children=members))
        elif name in _TYPED_LISTS:
            nodes.append(_typed_list(name, value, names))
        else:
            nodes += _nodes(name, value, (name,), names)
    return nodes


def _typed_list(name: str, value: Any, names: _Names) -> _Node:
    member = _TYPED_LISTS[name]
    node = _Node(name)
    for item in value if isinstance(value, list) else [value]:
        pair = _Node("", pair=True)
        if isinstance(item, Mapping):
            if item.get("type") is not None:
                pair.children.append(_leaf("type", item["type"], (name, "type"), names))
            pair.children.append(_leaf(member, item.get(member), (name, member), names))
        else:
            pair.children.append(_leaf(member, item, (name, member), names))
        node.children.append(pair)
    return node


# --- values ---------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def canonical_number(text: str) -> str | None:
    """Write a decimal number without sign noise or trailing zeros; None if not a number.

    The number is read as a binary double, as GS1's reference implementation does, and so
    the published hashes: ``26.0`` is ``26``, ``0.100`` is ``0.1``, but a numeric string of
    more than 15 significant digits loses its tail (``111100001111000011110000`` becomes
    ``111100001111000003641344`` in vector ``SensorDataExamples.xml``), and very small or
    large values take exponent form (``1e-05``).
    """
    if not _NUMBER.match(text):
        return None
    number = float(text)
    if math.isinf(number):
        return None
    if number.is_integer():
        return str(int(number))
    return repr(number)


def canonical_time(text: str) -> str:
    """Write an xsd:dateTime in UTC with milliseconds (``2020-03-04T10:00:30.000Z``).

    The third decimal is rounded up when the fourth is 5–9 (CBV 2.0 §8.9.2). A time
    without offset is taken as UTC; text that is not a time is returned unchanged.
    """
    m = _TIMESTAMP.match(text.strip())
    if not m:
        return text
    day, hour, minute, second, fraction, offset = m.groups()
    digits = (fraction or "").ljust(4, "0")
    millis = int(digits[:3]) + (1 if digits[3] >= "5" else 0)
    tz = UTC
    if offset and offset.upper() != "Z":
        sign = -1 if offset[0] == "-" else 1
        hh, mm = int(offset[1:3]), int(offset[-2:])
        tz = timezone(sign * timedelta(hours=hh, minutes=mm))
    try:
        moment = datetime.fromisoformat(f"{day}T{hour}:{minute}:{second}").replace(tzinfo=tz)
    except ValueError:
        return text
    moment = (moment + timedelta(milliseconds=millis)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@lru_cache(maxsize=65536)
def canonical_value(text: str) -> str:
    """Normalise one value: CBV URN to web URI, number, GS1 identifier to Digital Link.

    Cached: a capture repeats the same locations, parties, steps and classes in almost
    every event, and parsing a Digital Link is the dearest part of a pre-hash string.
    """
    text = text.strip()
    for urn, web in _CBV_URNS:
        if text.startswith(urn):
            return web + text[len(urn) :]
    number = canonical_number(text)
    if number is not None:
        return number
    if text.startswith(("urn:epc:", "http://", "https://")):
        try:
            return canonical_digital_link(text, verify=False)
        except ValueError:  # IdentifierError, or a URL urllib cannot split
            return text
    return text


# --- rendering ------------------------------------------------------------------------


def _generic(node: _Node) -> str:
    """Render a field outside the canonical order: name, value, members sorted."""
    text = node.name
    value = canonical_value(node.value) if node.value else ""
    if value:
        text += "=" + value
    parts = [_generic(child) for child in node.children]
    if not node.pair:
        parts.sort()
    return text + "".join(parts)


def _ordered(node: _Node, spec: Spec | None) -> tuple[str, _Node | None]:
    """Render a standard field; return its text and what of it the order did not cover."""
    value = ""
    if node.value:
        value = (
            canonical_time(node.value) if node.name in _TIME_FIELDS else canonical_value(node.value)
        )
    text = f"{node.name}={value}" if value else ""
    residue: list[_Node] = []
    if spec is not None:
        members = ""
        known = {name for name, _sub in spec}
        for name, sub in spec:
            rendered = []
            for child in node.children:
                if child.name != name:
                    continue
                child_text, child_rest = _ordered(child, sub)
                if child_text:
                    rendered.append(child_text)
                if child_rest is not None:
                    residue.append(child_rest)
            members += "".join(sorted(rendered))
        # User extensions inside a standard structure close that structure.
        members += "".join(sorted(_generic(c) for c in node.children if c.name.startswith("{")))
        residue += [c for c in node.children if c.name not in known and not c.name.startswith("{")]
        if members:
            text = (text or node.name) + members
    elif node.children:
        residue = node.children
    rest = _Node(node.name, children=residue) if residue else None
    return text, rest


def _event_type(event: Mapping[str, Any]) -> str:
    kind = event.get("type", event.get("@type"))
    if not isinstance(kind, str) or not kind:
        raise ValueError(
            _("An EPCIS event needs a type (ObjectEvent, AggregationEvent …) to be hashed.")
        )
    return kind


def prehash_string(
    event: Mapping[str, Any],
    *,
    context: Any = None,
    ignore: Iterable[str] = (),
) -> str:
    """Return the canonical pre-hash string of one EPCIS event (JSON-LD form).

    ``context`` is the document's ``@context`` (prefixes for extension fields and CURIEs);
    the event's own ``@context``, if any, is added. ``ignore`` names extension fields a
    repository declared as not part of the event (``ignoreFields``).
    """
    names = _Names(context)
    names._collect(event.get("@context"))
    ignored = frozenset(names.expand_key(name) for name in ignore)
    nodes = _event_nodes(event, names, ignored)
    ordered_names = {name for name, _spec in CANONICAL_ORDER}
    parts = ["eventType=" + _event_type(event)]
    tail: list[str] = []
    for name, spec in CANONICAL_ORDER:
        rendered = []
        for node in nodes:
            if node.name == name:
                text, rest = _ordered(node, spec)
                if text:
                    rendered.append(text)
                if rest is not None:
                    tail.append(_generic(rest))
        parts += sorted(rendered)
    tail += [_generic(node) for node in nodes if node.name not in ordered_names]
    return "".join(parts) + "".join(sorted(tail))


def hash_prehash(prehash: str, *, algorithm: str = "sha-256") -> str:
    """Return the ``ni:`` URI (RFC 6920) of a pre-hash string."""
    try:
        digest = hashlib.new(ALGORITHMS[algorithm], prehash.encode("utf-8")).hexdigest()
    except KeyError:
        raise ValueError(
            _(
                "Unknown hash algorithm “%(name)s”; use one of %(names)s.",
                name=algorithm,
                names=", ".join(ALGORITHMS),
            )
        ) from None
    return f"ni:///{algorithm};{digest}?ver={HASH_VERSION}"


def event_hash(
    event: Mapping[str, Any],
    *,
    context: Any = None,
    ignore: Iterable[str] = (),
    algorithm: str = "sha-256",
) -> str:
    """Return the CBV 2.0 event hash ID of one event (``ni:///sha-256;…?ver=CBV2.0``)."""
    return hash_prehash(prehash_string(event, context=context, ignore=ignore), algorithm=algorithm)


# --- documents ------------------------------------------------------------------------


def document_events(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the events of an EPCISDocument or EPCISQueryDocument, in document order."""
    body = document.get("epcisBody")
    if not isinstance(body, Mapping):
        return []
    results = body.get("queryResults")
    if isinstance(results, Mapping):
        body = results.get("resultsBody")
        if not isinstance(body, Mapping):
            return []
    if "eventList" in body:
        events = body.get("eventList")
        return [e for e in events if isinstance(e, Mapping)] if isinstance(events, list) else []
    event = body.get("event")
    return [event] if isinstance(event, Mapping) else []


def ignored_fields(document: Mapping[str, Any]) -> list[str]:
    """Return the extension fields a document says to leave out of event hashes.

    GS1's reference implementation honours an ``ignoreFields`` member, in any namespace,
    of the document, its body or its query results (a list of names, or an object whose
    keys are the names, which is what an XML element with empty children becomes).
    CBV 2.0 itself has no such rule.
    """
    found: list[str] = []
    holders: list[Any] = [document]
    body = document.get("epcisBody")
    if isinstance(body, Mapping):
        holders += [body, body.get("queryResults")]
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        for key, value in holder.items():
            if (
                key == "ignoreFields"
                or key.endswith(":ignoreFields")
                or key.endswith("}ignoreFields")
            ):
                if isinstance(value, str):
                    found.append(value)
                elif isinstance(value, list):
                    found += [v for v in value if isinstance(v, str)]
                elif isinstance(value, Mapping):
                    found += [k for k in value if not k.startswith("@")]
    return found


def document_prehash_strings(
    document: Mapping[str, Any], *, ignore: Iterable[str] | None = None
) -> list[str]:
    """Return the pre-hash string of every event of a document.

    ``ignore`` defaults to the document's own ``ignoreFields`` (see :func:`ignored_fields`).
    """
    context = document.get("@context")
    names = ignored_fields(document) if ignore is None else list(ignore)
    return [prehash_string(e, context=context, ignore=names) for e in document_events(document)]


def document_event_hashes(
    document: Mapping[str, Any],
    *,
    ignore: Iterable[str] | None = None,
    algorithm: str = "sha-256",
) -> list[str]:
    """Return the event hash ID of every event of a document, in document order."""
    return [
        hash_prehash(p, algorithm=algorithm)
        for p in document_prehash_strings(document, ignore=ignore)
    ]
