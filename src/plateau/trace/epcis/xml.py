"""The EPCIS XML binding, read into and written from the JSON-LD binding.

Plateau works on one shape of EPCIS data: the dicts of the EPCIS 2.0 JSON-LD binding
(``type``, ``eventTime``, ``epcList``, ``bizStep: "shipping"``, ``readPoint: {"id": ...}``,
extensions as ``"prefix:name"`` keys with the prefix declared in ``@context``). This module
turns XML documents into that shape and back:

- EPCIS 2.0 ``EPCISDocument`` (with the SBDH header and master data),
  ``EPCISQueryDocument`` (query results, and a ``Poll`` as a REST query), master data
  documents, capture jobs, and bare events;
- EPCIS 1.2 documents, whose ``extension``/``baseExtension`` wrappers are flattened into
  the 2.0 shape.

The JSON binding's rules are followed: CBV values become bare terms (``shipping``), sensor
measurement types lose their ``gs1:`` prefix, numbers of EPCIS fields become JSON numbers,
user extension values stay strings, repeated extension elements become arrays, an extension
element with attributes and no text becomes an object of its attributes. Writing XML
reverses it (CBV URNs, ``gs1:Temperature``).

What the JSON binding cannot carry is dropped on reading, as GS1's and OpenEPCIS's JSON
twins of the XML examples drop it: SBDH fields other than sender, receiver and instance
identifier, XML comments, ``xsi:type`` annotations (extension values stay text), attributes
of extension elements that have text, and empty extension elements. So XML → JSON → XML →
JSON is stable, and JSON → XML → JSON gives the same events except that extension values
come back as text (``true`` → ``"true"``) and one-element arrays as single values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from plateau.i18n import _
from plateau.trace.epcis import cbv

NS_EPCIS = "urn:epcglobal:epcis:xsd:2"
NS_EPCIS_12 = "urn:epcglobal:epcis:xsd:1"
NS_QUERY = "urn:epcglobal:epcis-query:xsd:2"
NS_QUERY_12 = "urn:epcglobal:epcis-query:xsd:1"
NS_MASTERDATA = "urn:epcglobal:epcis-masterdata:xsd:2"
NS_MASTERDATA_12 = "urn:epcglobal:epcis-masterdata:xsd:1"
NS_SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_CBVMDA = "urn:epcglobal:cbv:mda"
QUERY_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/query-schema.json"

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
_EPCIS_NAMESPACES = {NS_EPCIS, NS_EPCIS_12}
_QUERY_NAMESPACES = {NS_QUERY, NS_QUERY_12}
_MASTERDATA_NAMESPACES = {NS_MASTERDATA, NS_MASTERDATA_12}

_COMMON_FIELDS = (
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "errorDeclaration",
    "certificationInfo",
)
_WHY_WHERE = ("bizStep", "disposition", "readPoint", "bizLocation")
_TAIL = ("sourceList", "destinationList", "sensorElementList", "persistentDisposition")
# Element order of each event type in the EPCIS 2.0 XSD; JSON keys are written in this order.
FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "ObjectEvent": (
        *_COMMON_FIELDS,
        "epcList",
        "action",
        *_WHY_WHERE,
        "bizTransactionList",
        "quantityList",
        *_TAIL,
        "ilmd",
    ),
    "AggregationEvent": (
        *_COMMON_FIELDS,
        "parentID",
        "childEPCs",
        "action",
        *_WHY_WHERE,
        "bizTransactionList",
        "childQuantityList",
        *_TAIL,
    ),
    "TransactionEvent": (
        *_COMMON_FIELDS,
        "bizTransactionList",
        "parentID",
        "epcList",
        "action",
        *_WHY_WHERE,
        "quantityList",
        *_TAIL,
    ),
    "TransformationEvent": (
        *_COMMON_FIELDS,
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        *_WHY_WHERE,
        "bizTransactionList",
        *_TAIL,
        "ilmd",
    ),
    "AssociationEvent": (
        *_COMMON_FIELDS,
        "parentID",
        "childEPCs",
        "childQuantityList",
        "action",
        *_WHY_WHERE,
        "bizTransactionList",
        *_TAIL,
    ),
}
# Every field of every event type, for events of unknown type and misplaced fields.
ALL_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f for o in FIELD_ORDER.values() for f in o))
EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
_TEXT_FIELDS = frozenset(
    {
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "eventID",
        "action",
        "parentID",
        "transformationID",
    }
)
_SENSOR_NUMBERS = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
# Attribute order of sensorMetadata / sensorReport in the XSD, for tidy output.
_METADATA_ATTRS = (
    "time",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "startTime",
    "endTime",
    "bizRules",
    "dataProcessingMethod",
)
_REPORT_ATTRS = (
    "type",
    "value",
    "component",
    "stringValue",
    "booleanValue",
    "hexBinaryValue",
    "uriValue",
    "uom",
    "minValue",
    "maxValue",
    "sDev",
    "chemicalSubstance",
    "microorganism",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "time",
    "meanValue",
    "percRank",
    "percValue",
    "dataProcessingMethod",
    "coordinateReferenceSystem",
    "exception",
)
_INTEGER_PARAMS = frozenset({"eventCountLimit", "maxEventCount"})
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*):(.+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")


class XmlBindingError(ValueError):
    """A payload that cannot be read (malformed XML or JSON, not EPCIS), or a dict that cannot
    be written as XML. ``path`` says where, as far as it is known."""

    def __init__(self, message: str, path: str = "/") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


# ---------------------------------------------------------------------------------------------
# Reading


def _parser() -> etree.XMLParser:
    # No entity expansion, no network: capture accepts XML from outside the platform.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


def parse_xml(data: bytes) -> Any:
    """Parse ``data`` into an lxml element tree root, safely; raise XmlBindingError when malformed."""
    try:
        return etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XmlBindingError(
            _("The XML is not well-formed: %(error)s", error=str(exc)), "/"
        ) from exc


def parse_document(data: bytes, content_type: str | None = None) -> dict[str, Any]:
    """Read an EPCIS document given as JSON/JSON-LD or XML into its JSON-LD dict."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.endswith("xml") or (not kind and data.lstrip()[:1] == b"<"):
        return xml_to_json(data)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise XmlBindingError(_("The JSON is not well-formed: %(error)s", error=str(exc))) from exc
    if not isinstance(document, dict):
        raise XmlBindingError(_("An EPCIS document must be a JSON object."))
    return document


def xml_to_json(data: bytes) -> dict[str, Any]:
    """Read an EPCIS XML document (2.0 or 1.2) into the EPCIS 2.0 JSON-LD dict."""
    return _Reader().read(parse_xml(data))


def element_to_json(root: Any) -> dict[str, Any]:
    """Read an already parsed EPCIS XML root element into the EPCIS 2.0 JSON-LD dict."""
    return _Reader().read(root)


def qname(element: Any) -> tuple[str | None, str]:
    """Return the namespace (None when unqualified) and local name of an element."""
    name = etree.QName(element)
    return name.namespace, name.localname


def _children(element: Any) -> Iterator[Any]:
    for child in element:
        if isinstance(child.tag, str):
            yield child


def _text(element: Any) -> str:
    return (element.text or "").strip()


def _number(text: str) -> int | float | str:
    text = text.strip()
    if _INTEGER.match(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    # INF and NaN are xsd:double values but not JSON numbers: keep them as written.
    return number if math.isfinite(number) else text


def _boolean(text: str) -> bool | str:
    text = text.strip()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return text


def _append(target: dict[str, Any], key: str, value: Any) -> None:
    # Values read from XML are strings or dicts, so a list here is a repeated element.
    if key not in target:
        target[key] = value
    elif isinstance(target[key], list):
        target[key].append(value)
    else:
        target[key] = [target[key], value]


class _Reader:
    """One XML → JSON conversion; collects the extension namespaces for ``@context``."""

    def __init__(self) -> None:
        self.prefix_of: dict[str, str] = {}
        self.context: dict[str, str] = {}
        gs1 = cbv.epcis_context()
        self.reserved = {k for k in gs1 if not k.startswith("@")}
        self.known = {
            v.rstrip(":") if k == "cbvmda" else v: k
            for k, v in gs1.items()
            if isinstance(v, str) and not v.startswith("@") and ":" in v
        }
        self.known[NS_CBVMDA + ":"] = "cbvmda"

    # -- documents ----------------------------------------------------------------------------

    def read(self, root: Any) -> dict[str, Any]:
        ns, name = qname(root)
        if name == "EPCISDocument" and ns in _EPCIS_NAMESPACES:
            body = self._document(root)
        elif name == "EPCISQueryDocument" and ns in _QUERY_NAMESPACES:
            body = self._query_document(root)
        elif name == "EPCISMasterDataDocument" and ns in _MASTERDATA_NAMESPACES:
            body = self._masterdata_document(root)
        elif name == "EPCISCaptureJob" and ns in _EPCIS_NAMESPACES:
            return self._capture_job(root)
        elif name in EVENT_TYPES and ns in (None, NS_EPCIS, NS_EPCIS_12):
            body = self._event(root, f"/{name}")
        else:
            raise XmlBindingError(
                _("The root element %(name)s is not an EPCIS document.", name=root.tag), "/"
            )
        if body.get("@context") == QUERY_CONTEXT:
            return body
        return {"@context": self._context(), **body}

    def _context(self) -> str | list[Any]:
        if not self.context:
            return cbv.CONTEXT_URL
        return [cbv.CONTEXT_URL, *({k: v} for k, v in self.context.items())]

    def _document(self, root: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": "EPCISDocument"}
        self._document_attributes(root, doc)
        body: dict[str, Any] = {"eventList": []}
        for child in _children(root):
            ns, name = qname(child)
            if name == "EPCISHeader" and ns is None:
                self._header(child, doc)
            elif name == "EPCISBody" and ns is None:
                for part in _children(child):
                    pns, pname = qname(part)
                    if pname == "EventList" and pns is None:
                        body["eventList"] = self._event_list(part, "/EPCISBody/EventList")
                    elif pns is not None:
                        self._extend(body, part)
            elif ns is not None:
                self._extend(doc, child)
        doc["epcisBody"] = body
        return doc

    def _document_attributes(self, root: Any, doc: dict[str, Any]) -> None:
        if root.get("schemaVersion") is not None:
            doc["schemaVersion"] = root.get("schemaVersion")
        if root.get("creationDate") is not None:
            doc["creationDate"] = root.get("creationDate")

    def _header(self, header: Any, doc: dict[str, Any]) -> None:
        for child in _children(header):
            ns, name = qname(child)
            if name == "StandardBusinessDocumentHeader" and ns == NS_SBDH:
                self._sbdh(child, doc)
            elif name == "extension" and ns is None:
                for part in _children(child):
                    if qname(part) == (None, "EPCISMasterData"):
                        vocabularies = part.find("VocabularyList")
                        doc.setdefault("epcisHeader", {})["epcisMasterData"] = {
                            "vocabularyList": self._vocabulary_list(vocabularies)
                        }

    def _sbdh(self, sbdh: Any, doc: dict[str, Any]) -> None:
        def first(path: str) -> str | None:
            found = sbdh.find(path, namespaces={"s": NS_SBDH})
            return _text(found) if found is not None and _text(found) else None

        for key, path in (
            ("sender", "s:Sender/s:Identifier"),
            ("receiver", "s:Receiver/s:Identifier"),
            ("instanceIdentifier", "s:DocumentIdentification/s:InstanceIdentifier"),
        ):
            value = first(path)
            if value is not None:
                doc[key] = value

    def _query_document(self, root: Any) -> dict[str, Any]:
        body = root.find("EPCISBody")
        if body is None or not len(body):
            raise XmlBindingError(_("The query document has no body."), "/EPCISBody")
        message = next(_children(body))
        _ns, name = qname(message)
        if name == "Poll":
            return self._poll(message)
        if name != "QueryResults":
            raise XmlBindingError(
                _("The query message %(name)s is not supported.", name=name), "/EPCISBody"
            )
        doc: dict[str, Any] = {"type": "EPCISQueryDocument"}
        self._document_attributes(root, doc)
        header = root.find("EPCISHeader")
        if header is not None:
            self._header(header, doc)
        results: dict[str, Any] = {}
        for child in _children(message):
            ns, cname = qname(child)
            if cname in ("queryName", "subscriptionID") and ns is None:
                results[cname] = _text(child)
            elif cname == "resultsBody" and ns is None:
                results_body: dict[str, Any] = {}
                for part in _children(child):
                    if qname(part) == (None, "EventList"):
                        results_body["eventList"] = self._event_list(
                            part, "/EPCISBody/QueryResults/resultsBody/EventList"
                        )
                    elif qname(part) == (None, "VocabularyList"):
                        results_body["vocabularyList"] = self._vocabulary_list(part)
                results["resultsBody"] = results_body
            elif ns is not None:
                self._extend(results, child)
        doc["epcisBody"] = {"queryResults": results}
        return doc

    def _poll(self, poll: Any) -> dict[str, Any]:
        name = poll.findtext("queryName")
        if name is None or name.strip() != "SimpleEventQuery":
            raise XmlBindingError(
                _("Only SimpleEventQuery can be read as a REST query."), "/EPCISBody/Poll"
            )
        query: dict[str, Any] = {"@context": QUERY_CONTEXT}
        for param in poll.iterfind("params/param"):
            pname = (param.findtext("name") or "").strip()
            value = param.find("value")
            if not pname or value is None:
                continue
            strings = value.findall("string")
            xsi_type = value.get(f"{{{NS_XSI}}}type", "")
            if strings or xsi_type.endswith("ArrayOfString"):
                query[pname] = [_text(s) for s in strings]
            elif pname in _INTEGER_PARAMS or pname.startswith("EXISTS_"):
                query[pname] = _number(_text(value)) if _text(value) else None
            elif pname.endswith("_quantity") or xsi_type.endswith(("int", "integer", "double")):
                query[pname] = _number(_text(value))
            else:
                query[pname] = _text(value)
        return query

    def _masterdata_document(self, root: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": "EPCISMasterDataDocument"}
        self._document_attributes(root, doc)
        header = root.find("EPCISHeader")
        if header is not None:
            self._header(header, doc)
        vocabularies = root.find("EPCISBody/VocabularyList")
        doc["epcisBody"] = {"vocabularyList": self._vocabulary_list(vocabularies)}
        return doc

    def _capture_job(self, root: Any) -> dict[str, Any]:
        job: dict[str, Any] = {"captureID": root.get("captureID")}
        for key in ("running", "success"):
            if root.get(key) is not None:
                job[key] = _boolean(root.get(key))
        for child in _children(root):
            ns, name = qname(child)
            if ns is not None:
                continue
            if name == "errors":
                job["errors"] = [self._problem(error) for error in _children(child)]
            else:
                job[name] = _text(child)
        return job

    def _problem(self, error: Any) -> dict[str, Any]:
        problem: dict[str, Any] = {}
        for child in _children(error):
            ns, name = qname(child)
            if ns is not None:
                self._extend(problem, child)
            elif name == "status":
                problem[name] = _number(_text(child))
            else:
                problem[name] = _text(child)
        return problem

    def _vocabulary_list(self, vocabularies: Any) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        if vocabularies is None:
            return result
        for vocabulary in vocabularies.iterfind("Vocabulary"):
            item: dict[str, Any] = {"type": vocabulary.get("type")}
            elements = []
            for element in vocabulary.iterfind("VocabularyElementList/VocabularyElement"):
                entry: dict[str, Any] = {"id": element.get("id")}
                attributes = []
                for child in _children(element):
                    ns, name = qname(child)
                    if name == "attribute" and ns is None:
                        value: Any = (
                            self._object(child) if len(child) else (child.text or "").strip()
                        )
                        attributes.append({"id": child.get("id"), "attribute": value})
                    elif name == "children" and ns is None:
                        entry["children"] = [_text(i) for i in child.iterfind("id")]
                    elif ns is not None:
                        self._extend(entry, child)
                if attributes:
                    entry["attributes"] = attributes
                elements.append(entry)
            item["vocabularyElementList"] = elements
            result.append(item)
        return result

    # -- events -------------------------------------------------------------------------------

    def _event_list(self, event_list: Any, path: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for index, child in enumerate(self._flatten(event_list), start=1):
            ns, _name = qname(child)
            events.append(self._event(child, f"{path}/*[{index}]"))
            if ns is not None and ns not in _EPCIS_NAMESPACES:
                events[-1]["type"] = self._key(child)
        return events

    def _flatten(self, element: Any) -> Iterator[Any]:
        """Yield children, replacing the unqualified extension wrappers by their content."""
        for child in _children(element):
            ns, name = qname(child)
            if ns is None and name in ("extension", "baseExtension"):
                yield from self._flatten(child)
            else:
                yield child

    def _event(self, element: Any, path: str) -> dict[str, Any]:
        _ns, name = qname(element)
        event: dict[str, Any] = {"type": name}
        for attr, value in element.attrib.items():
            if attr.startswith("{") and not attr.startswith(f"{{{NS_XSI}}}"):
                event[self._attribute_key(element, attr)] = value
        for child in self._flatten(element):
            ns, field = qname(child)
            if ns is not None:
                self._extend(event, child)
                continue
            value = self._field(field, child)
            if field == "certificationInfo" and field in event:
                previous = event[field]
                event[field] = [*(previous if isinstance(previous, list) else [previous]), value]
            else:
                event[field] = value
        return event

    def _field(self, field: str, child: Any) -> Any:
        if field in _TEXT_FIELDS or field == "certificationInfo":
            return _text(child)
        if field in EPC_LISTS:
            return [_text(epc) for epc in _children(child)]
        if field in QUANTITY_LISTS:
            return [self._quantity(q) for q in _children(child)]
        if field == "bizStep":
            return self._vocab(cbv.biz_step(), _text(child), child)
        if field == "disposition":
            return self._vocab(cbv.disposition(), _text(child), child)
        if field in ("readPoint", "bizLocation"):
            return self._location(child)
        if field == "bizTransactionList":
            return [
                self._typed(t, "bizTransaction", cbv.biz_transaction_type())
                for t in _children(child)
            ]
        if field == "sourceList":
            return [self._typed(s, "source", cbv.source_dest_type()) for s in _children(child)]
        if field == "destinationList":
            return [self._typed(d, "destination", cbv.source_dest_type()) for d in _children(child)]
        if field == "sensorElementList":
            return [self._sensor_element(s) for s in _children(child) if qname(s)[1] != "extension"]
        if field == "persistentDisposition":
            return self._persistent_disposition(child)
        if field == "ilmd":
            return self._object(child, flatten=True)
        if field == "errorDeclaration":
            return self._error_declaration(child)
        # Not an EPCIS field: keep it, so that validation can name it.
        return self._value(child)

    def _vocab(self, vocabulary: cbv.Vocabulary, value: str, context: Any) -> str:
        term = vocabulary.bare(value)
        if term is not None:
            return term
        match = _CURIE.match(value)
        if match and match.group(1) in (context.nsmap or {}):
            expanded = context.nsmap[match.group(1)] + match.group(2)
            term = vocabulary.bare(expanded)
            if term is not None:
                return term
        return value

    def _quantity(self, element: Any) -> dict[str, Any]:
        quantity: dict[str, Any] = {}
        for child in _children(element):
            ns, name = qname(child)
            if ns is not None:
                self._extend(quantity, child)
            elif name == "quantity":
                if child.get(f"{{{NS_XSI}}}nil") not in ("true", "1"):
                    quantity[name] = _number(_text(child))
            else:
                quantity[name] = _text(child)
        return quantity

    def _location(self, element: Any) -> dict[str, Any]:
        location: dict[str, Any] = {}
        for child in self._flatten(element):
            ns, name = qname(child)
            if ns is None and name == "id":
                location["id"] = _text(child)
            elif ns is None:
                location[name] = self._value(child)
            else:
                self._extend(location, child)
        return location

    def _typed(self, element: Any, key: str, vocabulary: cbv.Vocabulary) -> dict[str, Any]:
        item: dict[str, Any] = {}
        if element.get("type") is not None:
            item["type"] = self._vocab(vocabulary, element.get("type").strip(), element)
        item[key] = _text(element)
        return item

    def _sensor_element(self, element: Any) -> dict[str, Any]:
        sensor: dict[str, Any] = {}
        for child in self._flatten(element):
            ns, name = qname(child)
            if ns is not None:
                self._extend(sensor, child)
            elif name == "sensorMetadata":
                sensor["sensorMetadata"] = self._sensor_attributes(child, report=False)
            elif name == "sensorReport":
                sensor.setdefault("sensorReport", []).append(
                    self._sensor_attributes(child, report=True)
                )
            else:
                sensor[name] = self._value(child)
        return sensor

    def _sensor_attributes(self, element: Any, *, report: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for attr, raw in element.attrib.items():
            if attr.startswith("{"):
                if not attr.startswith(f"{{{NS_XSI}}}"):
                    result[self._attribute_key(element, attr)] = raw
                continue
            value: Any = raw
            if report and attr == "type":
                value = self._vocab(cbv.measurement_type(), raw, element)
            elif report and attr == "exception":
                value = self._vocab(cbv.sensor_alert_type(), raw, element)
            elif report and attr == "component":
                value = self._vocab(cbv.component(), raw, element)
            elif report and attr in _SENSOR_NUMBERS:
                value = _number(raw)
            elif report and attr == "booleanValue":
                value = _boolean(raw)
            result[attr] = value
        return result

    def _persistent_disposition(self, element: Any) -> dict[str, Any]:
        result: dict[str, list[str]] = {}
        for child in _children(element):
            _ns, name = qname(child)
            result.setdefault(name, []).append(self._vocab(cbv.disposition(), _text(child), child))
        return dict(result)

    def _error_declaration(self, element: Any) -> dict[str, Any]:
        declaration: dict[str, Any] = {}
        for child in self._flatten(element):
            ns, name = qname(child)
            if ns is not None:
                self._extend(declaration, child)
            elif name == "reason":
                declaration["reason"] = self._vocab(cbv.error_reason(), _text(child), child)
            elif name == "correctiveEventIDs":
                declaration["correctiveEventIDs"] = [_text(i) for i in _children(child)]
            elif name == "declarationTime":
                declaration[name] = _text(child)
            else:
                declaration[name] = self._value(child)
        return declaration

    # -- user extensions ----------------------------------------------------------------------

    def _extend(self, target: dict[str, Any], element: Any) -> None:
        """Add a user extension element to ``target``; empty ones carry nothing and are left out
        (as GS1's and OpenEPCIS's JSON twins of the XML examples do)."""
        value = self._value(element)
        if value not in ("", {}):
            _append(target, self._key(element), value)

    def _value(self, element: Any) -> Any:
        attributes = self._extension_attributes(element)
        if any(isinstance(c.tag, str) for c in element):
            return {**attributes, **self._object(element)}
        text = (element.text or "").strip()
        # An element with attributes and no text becomes an object of its attributes (as
        # OpenEPCIS reads it); with text, the text wins, as in GS1's JSON twins.
        return attributes if attributes and not text else text

    def _extension_attributes(self, element: Any) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for attr, value in element.attrib.items():
            if attr.startswith(f"{{{NS_XSI}}}"):
                continue
            key = self._attribute_key(element, attr) if attr.startswith("{") else attr
            result[key] = value
        return result

    def _object(self, element: Any, *, flatten: bool = False) -> dict[str, Any]:
        # Only EPCIS's own containers (ilmd) have an unqualified extension wrapper to flatten;
        # inside user content an element named "extension" is the user's.
        result: dict[str, Any] = {}
        for child in self._flatten(element) if flatten else _children(element):
            self._extend(result, child)
        return result

    def _key(self, element: Any) -> str:
        ns, name = qname(element)
        if ns is None:
            return name
        return f"{self._prefix(ns, element.prefix)}:{name}"

    def _attribute_key(self, element: Any, attr: str) -> str:
        qname = etree.QName(attr)
        ns = qname.namespace or ""
        hint = next((p for p, uri in (element.nsmap or {}).items() if uri == ns and p), None)
        return f"{self._prefix(ns, hint)}:{qname.localname}"

    def _prefix(self, namespace: str, hint: str | None) -> str:
        if namespace in self.prefix_of:
            return self.prefix_of[namespace]
        prefix = self.known.get(namespace)
        if prefix is None:
            taken = self.reserved | set(self.context)
            prefix = hint if hint and _NCNAME.match(hint) and hint not in taken else None
            if prefix is None:
                stem = hint if hint and _NCNAME.match(hint) else "ns"
                number = 1
                while f"{stem}{number}" in taken:
                    number += 1
                prefix = f"{stem}{number}"
            self.context[prefix] = namespace
        self.prefix_of[namespace] = prefix
        return prefix


# ---------------------------------------------------------------------------------------------
# Writing


def to_xml(document: Mapping[str, Any]) -> bytes:
    """Write a JSON-LD EPCIS document (or bare event, query, capture job) as EPCIS 2.0 XML."""
    return _Writer(document).write()


def _format_number(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        try:
            return format(Decimal(repr(value)), "f")
        except InvalidOperation:
            return repr(value)
    return str(value)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return _format_number(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class _Writer:
    """One JSON → XML conversion; maps ``@context`` prefixes to XML namespaces."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.namespaces: dict[str, str] = {}
        gs1 = cbv.epcis_context()
        for key, value in gs1.items():
            if isinstance(value, str) and ":" in value and not value.startswith("@"):
                self.namespaces[key] = value
        self.namespaces["cbvmda"] = NS_CBVMDA
        self._read_context(document.get("@context"))
        self.used: dict[str, str] = {}

    def _read_context(self, context: Any) -> None:
        items = context if isinstance(context, list) else [context]
        for item in items:
            if isinstance(item, Mapping):
                for key, value in item.items():
                    if isinstance(value, str) and not key.startswith("@"):
                        self.namespaces[key] = value
                    elif isinstance(value, Mapping) and isinstance(value.get("@id"), str):
                        self.namespaces[key] = value["@id"]

    # -- documents ----------------------------------------------------------------------------

    def write(self) -> bytes:
        doc = self.document
        kind = doc.get("type")
        if kind == "EPCISDocument":
            root = self._document()
        elif kind == "EPCISQueryDocument":
            root = self._query_document()
        elif kind == "EPCISMasterDataDocument":
            root = self._masterdata_document()
        elif "captureID" in doc:
            root = self._capture_job()
        elif kind is None and doc.get("@context") == QUERY_CONTEXT:
            root = self._poll()
        elif isinstance(kind, str):
            holder = self._event(doc, etree.Element("holder"))
            tag = kind if kind in EVENT_TYPES else self._tag(kind)
            root = self._finish(tag, list(holder), {})
        else:
            raise XmlBindingError(_("The document has no type."), "/type")
        return bytes(
            etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        )

    def _finish(self, tag: str, parts: list[Any], nsmap: dict[str, str]) -> Any:
        """Build the root last: namespaces are collected while the parts are written."""
        root = etree.Element(tag, nsmap={**nsmap, **self.used})
        doc = self.document
        if "}" in tag and doc.get("schemaVersion") is not None:
            root.set("schemaVersion", str(doc["schemaVersion"]))
        if "}" in tag and doc.get("creationDate") is not None:
            root.set("creationDate", str(doc["creationDate"]))
        for part in parts:
            root.append(part)
        # gs1: and cbv: only occur inside attribute values (gs1:Temperature), keep them.
        etree.cleanup_namespaces(
            root,
            top_nsmap=self.used,
            keep_ns_prefixes=[p for p in ("gs1", "cbv") if p in self.used],
        )
        return root

    def _document(self) -> Any:
        doc = self.document
        parts = []
        header = self._header()
        if header is not None:
            parts.append(header)
        body = etree.Element("EPCISBody")
        epcis_body = doc.get("epcisBody") or {}
        events = etree.SubElement(body, "EventList")
        for event in epcis_body.get("eventList") or []:
            self._event_into(events, event)
        for key, value in epcis_body.items():
            if key != "eventList":
                self._extension(body, key, value)
        parts.append(body)
        for key, value in doc.items():
            if self._is_extension_key(key):
                holder = etree.Element("holder")
                self._extension(holder, key, value)
                parts.extend(holder)
        return self._finish(f"{{{NS_EPCIS}}}EPCISDocument", parts, {"epcis": NS_EPCIS})

    def _header(self) -> Any | None:
        doc = self.document
        master = (doc.get("epcisHeader") or {}).get("epcisMasterData")
        partners = [doc.get(k) for k in ("sender", "receiver", "instanceIdentifier")]
        if master is None and not any(partners):
            return None
        header = etree.Element("EPCISHeader")
        if any(partners):
            header.append(self._sbdh())
        if master is not None:
            extension = etree.SubElement(header, "extension")
            holder = etree.SubElement(extension, "EPCISMasterData")
            holder.append(self._vocabulary_list(master.get("vocabularyList") or []))
        return header

    def _sbdh(self) -> Any:
        doc = self.document
        self.used.setdefault("sbdh", NS_SBDH)

        def s(tag: str) -> str:
            return f"{{{NS_SBDH}}}{tag}"

        sbdh = etree.Element(s("StandardBusinessDocumentHeader"))
        etree.SubElement(sbdh, s("HeaderVersion")).text = "1.0"
        for key, tag in (("sender", "Sender"), ("receiver", "Receiver")):
            partner = etree.SubElement(sbdh, s(tag))
            etree.SubElement(partner, s("Identifier")).text = _scalar(doc.get(key))
        ident = etree.SubElement(sbdh, s("DocumentIdentification"))
        etree.SubElement(ident, s("Standard")).text = "EPCglobal"
        etree.SubElement(ident, s("TypeVersion")).text = "2.0"
        etree.SubElement(ident, s("InstanceIdentifier")).text = _scalar(
            doc.get("instanceIdentifier")
        )
        etree.SubElement(ident, s("Type")).text = "Events"
        etree.SubElement(ident, s("CreationDateAndTime")).text = _scalar(doc.get("creationDate"))
        return sbdh

    def _query_document(self) -> Any:
        doc = self.document
        self.used.setdefault("epcis", NS_EPCIS)
        parts = []
        header = self._header()
        if header is not None:
            parts.append(header)
        body = etree.Element("EPCISBody")
        results_json = (doc.get("epcisBody") or {}).get("queryResults") or {}
        results = etree.SubElement(body, f"{{{NS_QUERY}}}QueryResults")
        if results_json.get("queryName") is not None:
            etree.SubElement(results, "queryName").text = _scalar(results_json["queryName"])
        if results_json.get("subscriptionID") is not None:
            etree.SubElement(results, "subscriptionID").text = _scalar(
                results_json["subscriptionID"]
            )
        results_body = etree.SubElement(results, "resultsBody")
        body_json = results_json.get("resultsBody") or {}
        if "eventList" in body_json or "vocabularyList" not in body_json:
            events = etree.SubElement(results_body, "EventList")
            for event in body_json.get("eventList") or []:
                self._event_into(events, event)
        else:
            results_body.append(self._vocabulary_list(body_json["vocabularyList"]))
        for key, value in results_json.items():
            if self._is_extension_key(key):
                self._extension(results, key, value)
        parts.append(body)
        return self._finish(f"{{{NS_QUERY}}}EPCISQueryDocument", parts, {"epcisq": NS_QUERY})

    def _poll(self) -> Any:
        body = etree.Element("EPCISBody")
        poll = etree.SubElement(body, f"{{{NS_QUERY}}}Poll")
        etree.SubElement(poll, "queryName").text = "SimpleEventQuery"
        params = etree.SubElement(poll, "params")
        for key, value in self.document.items():
            if key.startswith("@"):
                continue
            param = etree.SubElement(params, "param")
            etree.SubElement(param, "name").text = key
            holder = etree.SubElement(param, "value")
            if isinstance(value, list):
                self.used.setdefault("xsi", NS_XSI)
                holder.set(f"{{{NS_XSI}}}type", "epcisq:ArrayOfString")
                for item in value:
                    etree.SubElement(holder, "string").text = _scalar(item)
            else:
                holder.text = _scalar(value)
        return self._finish(f"{{{NS_QUERY}}}EPCISQueryDocument", [body], {"epcisq": NS_QUERY})

    def _masterdata_document(self) -> Any:
        doc = self.document
        self.used.setdefault("epcis", NS_EPCIS)
        body = etree.Element("EPCISBody")
        vocabularies = (doc.get("epcisBody") or {}).get("vocabularyList") or []
        body.append(self._vocabulary_list(vocabularies))
        return self._finish(
            f"{{{NS_MASTERDATA}}}EPCISMasterDataDocument", [body], {"epcismd": NS_MASTERDATA}
        )

    def _capture_job(self) -> Any:
        job = self.document
        root = etree.Element(f"{{{NS_EPCIS}}}EPCISCaptureJob", nsmap={"epcis": NS_EPCIS})
        for key in ("running", "success", "captureID"):
            if key in job:
                root.set(key, _scalar(job[key]))
        for key in ("captureErrorBehaviour", "createdAt", "finishedAt"):
            if job.get(key) is not None:
                etree.SubElement(root, key).text = _scalar(job[key])
        if job.get("errors"):
            errors = etree.SubElement(root, "errors")
            for problem in job["errors"]:
                error = etree.SubElement(errors, "error")
                for key in ("type", "title", "status", "detail", "instance"):
                    if problem.get(key) is not None:
                        etree.SubElement(error, key).text = _scalar(problem[key])
        elif job.get("errorFile") is not None:
            etree.SubElement(root, "errorFile").text = _scalar(job["errorFile"])
        return root

    def _vocabulary_list(self, vocabularies: list[Any]) -> Any:
        holder = etree.Element("VocabularyList")
        for vocabulary in vocabularies:
            item = etree.SubElement(holder, "Vocabulary")
            item.set("type", _scalar(vocabulary.get("type")))
            element_list = etree.SubElement(item, "VocabularyElementList")
            for entry in vocabulary.get("vocabularyElementList") or []:
                element = etree.SubElement(element_list, "VocabularyElement")
                element.set("id", _scalar(entry.get("id")))
                for attribute in entry.get("attributes") or []:
                    node = etree.SubElement(element, "attribute")
                    node.set("id", _scalar(attribute.get("id")))
                    value = attribute.get("attribute")
                    if isinstance(value, Mapping):
                        for key, inner in value.items():
                            self._extension(node, key, inner)
                    elif value is not None:
                        node.text = _scalar(value)
                if entry.get("children"):
                    children = etree.SubElement(element, "children")
                    for child in entry["children"]:
                        etree.SubElement(children, "id").text = _scalar(child)
                for key, value in entry.items():
                    if self._is_extension_key(key):
                        self._extension(element, key, value)
        return holder

    # -- events -------------------------------------------------------------------------------

    def _event_into(self, event_list: Any, event: Mapping[str, Any]) -> None:
        kind = str(event.get("type") or "Event")
        if kind in EVENT_TYPES or not self._is_extension_key(kind):
            self._event(event, etree.SubElement(event_list, self._tag(kind)))
            return
        # User-defined event types go in the EventList extension (##other namespaces).
        holder = etree.SubElement(event_list, "extension")
        self._event(event, etree.SubElement(holder, self._tag(kind)))

    def _event(self, event: Mapping[str, Any], element: Any) -> Any:
        if "@context" not in event:
            return self._event_fields(event, element)
        # An embedded @context scopes its prefixes to this event.
        outer = dict(self.namespaces)
        self._read_context(event["@context"])
        try:
            return self._event_fields(event, element)
        finally:
            self.namespaces = outer

    def _event_fields(self, event: Mapping[str, Any], element: Any) -> Any:
        order = FIELD_ORDER.get(str(event.get("type")), ALL_FIELDS)
        for field in order:
            if field in event:
                self._field(element, field, event[field])
        for key, value in event.items():
            if key in order or key in ("type", "@context"):
                continue
            # Misplaced EPCIS fields keep their structure; the XSD will name them.
            if key in ALL_FIELDS:
                self._field(element, key, value)
            else:
                self._extension(element, key, value)
        return element

    def _field(self, parent: Any, field: str, value: Any) -> None:
        if field in _TEXT_FIELDS:
            etree.SubElement(parent, field).text = _scalar(value)
        elif field == "certificationInfo":
            for item in value if isinstance(value, list) else [value]:
                etree.SubElement(parent, field).text = _scalar(item)
        elif field in EPC_LISTS:
            holder = etree.SubElement(parent, field)
            for epc in value or []:
                etree.SubElement(holder, "epc").text = _scalar(epc)
        elif field in QUANTITY_LISTS:
            holder = etree.SubElement(parent, field)
            for item in value or []:
                self._quantity(holder, item)
        elif field == "bizStep":
            etree.SubElement(parent, field).text = cbv.to_urn(cbv.biz_step(), _scalar(value))
        elif field == "disposition":
            etree.SubElement(parent, field).text = cbv.to_urn(cbv.disposition(), _scalar(value))
        elif field in ("readPoint", "bizLocation"):
            holder = etree.SubElement(parent, field)
            location = value if isinstance(value, Mapping) else {"id": value}
            etree.SubElement(holder, "id").text = _scalar(location.get("id"))
            for key, inner in location.items():
                if key != "id":
                    self._extension(holder, key, inner)
        elif field == "bizTransactionList":
            self._typed_list(parent, field, "bizTransaction", value, cbv.biz_transaction_type())
        elif field == "sourceList":
            self._typed_list(parent, field, "source", value, cbv.source_dest_type())
        elif field == "destinationList":
            self._typed_list(parent, field, "destination", value, cbv.source_dest_type())
        elif field == "sensorElementList":
            holder = etree.SubElement(parent, field)
            for sensor in value or []:
                self._sensor_element(holder, sensor)
        elif field == "persistentDisposition":
            holder = etree.SubElement(parent, field)
            for key in ("unset", "set"):
                for item in (value or {}).get(key) or []:
                    etree.SubElement(holder, key).text = cbv.to_urn(
                        cbv.disposition(), _scalar(item)
                    )
        elif field == "ilmd":
            holder = etree.SubElement(parent, field)
            for key, inner in (value or {}).items():
                self._extension(holder, key, inner)
        elif field == "errorDeclaration":
            self._error_declaration(parent, value or {})

    def _quantity(self, holder: Any, item: Mapping[str, Any]) -> None:
        element = etree.SubElement(holder, "quantityElement")
        etree.SubElement(element, "epcClass").text = _scalar(item.get("epcClass"))
        if "quantity" in item:
            etree.SubElement(element, "quantity").text = _scalar(item["quantity"])
        if "uom" in item:
            etree.SubElement(element, "uom").text = _scalar(item["uom"])
        for key, value in item.items():
            if key not in ("epcClass", "quantity", "uom"):
                self._extension(element, key, value)

    def _typed_list(
        self, parent: Any, field: str, key: str, items: Any, vocabulary: cbv.Vocabulary
    ) -> None:
        holder = etree.SubElement(parent, field)
        for item in items or []:
            element = etree.SubElement(holder, key)
            if item.get("type") is not None:
                element.set("type", cbv.to_urn(vocabulary, _scalar(item["type"])))
            element.text = _scalar(item.get(key))

    def _sensor_element(self, holder: Any, sensor: Mapping[str, Any]) -> None:
        element = etree.SubElement(holder, "sensorElement")
        if "sensorMetadata" in sensor:
            metadata = etree.SubElement(element, "sensorMetadata")
            self._sensor_attributes(metadata, sensor["sensorMetadata"] or {}, _METADATA_ATTRS)
        for report in sensor.get("sensorReport") or []:
            node = etree.SubElement(element, "sensorReport")
            self._sensor_attributes(node, report, _REPORT_ATTRS)
        for key, value in sensor.items():
            if key not in ("sensorMetadata", "sensorReport"):
                self._extension(element, key, value)

    def _sensor_attributes(
        self, element: Any, values: Mapping[str, Any], order: tuple[str, ...]
    ) -> None:
        keys = [k for k in order if k in values] + [k for k in values if k not in order]
        for key in keys:
            value = values[key]
            if key == "type" and isinstance(value, str):
                text = self._gs1_curie(cbv.measurement_type(), value)
            elif key == "exception" and isinstance(value, str):
                text = self._gs1_curie(cbv.sensor_alert_type(), value)
            elif key == "component" and isinstance(value, str):
                term = cbv.component().bare(value)
                text = f"cbv:Comp-{term}" if term else value
                if term:
                    self.used.setdefault("cbv", cbv.CBV_WEB)
            else:
                text = _scalar(value)
            element.set(self._attribute_name(key), text)

    def _gs1_curie(self, vocabulary: cbv.Vocabulary, value: str) -> str:
        term = vocabulary.bare(value)
        if term is None:
            return value
        self.used.setdefault("gs1", cbv.GS1_VOC)
        return f"gs1:{term}"

    def _error_declaration(self, parent: Any, value: Mapping[str, Any]) -> None:
        holder = etree.SubElement(parent, "errorDeclaration")
        if "declarationTime" in value:
            etree.SubElement(holder, "declarationTime").text = _scalar(value["declarationTime"])
        if "reason" in value:
            etree.SubElement(holder, "reason").text = cbv.to_urn(
                cbv.error_reason(), _scalar(value["reason"])
            )
        if "correctiveEventIDs" in value:
            ids = etree.SubElement(holder, "correctiveEventIDs")
            for item in value["correctiveEventIDs"] or []:
                etree.SubElement(ids, "correctiveEventID").text = _scalar(item)
        for key, inner in value.items():
            if key not in ("declarationTime", "reason", "correctiveEventIDs"):
                self._extension(holder, key, inner)

    # -- user extensions ----------------------------------------------------------------------

    @staticmethod
    def _is_extension_key(key: str) -> bool:
        return ":" in key and not key.startswith("@")

    def _split(self, key: str) -> tuple[str | None, str]:
        """Return (namespace, local name) of a JSON key; (None, key) when unqualified."""
        if key.startswith(("http://", "https://", "urn:")):
            cut = max(key.rfind("/"), key.rfind("#"), key.rfind(":"))
            return key[: cut + 1], key[cut + 1 :]
        match = _CURIE.match(key)
        if match is None:
            return None, key
        prefix, local = match.groups()
        namespace = self.namespaces.get(prefix)
        if namespace is None:
            raise XmlBindingError(
                _(
                    "The prefix %(prefix)s of %(key)s is not declared in @context.",
                    prefix=prefix,
                    key=key,
                ),
                f"/{key}",
            )
        return namespace, local

    def _register(self, namespace: str, hint: str | None) -> str:
        for prefix, ns in self.used.items():
            if ns == namespace:
                return prefix
        usable = bool(hint and _NCNAME.match(hint) and not hint.lower().startswith("xml"))
        if hint and usable and hint not in self.used:
            prefix = hint
        else:
            number = 1
            while f"ns{number}" in self.used:
                number += 1
            prefix = f"ns{number}"
        self.used[prefix] = namespace
        return prefix

    def _tag(self, key: str) -> str:
        namespace, local = self._split(key)
        if not _NCNAME.match(local):
            raise XmlBindingError(
                _("%(key)s cannot be written as an XML element name.", key=key), f"/{key}"
            )
        if namespace is None:
            return local
        match = _CURIE.match(key)
        self._register(namespace, match.group(1) if match else None)
        return f"{{{namespace}}}{local}"

    def _attribute_name(self, key: str) -> str:
        if not self._is_extension_key(key):
            return key
        return self._tag(key)

    def _extension(self, parent: Any, key: str, value: Any) -> None:
        if key.startswith("@"):
            if key == "@value":
                parent.text = _scalar(value)
            return
        tag = self._tag(key)
        for item in value if isinstance(value, list) else [value]:
            element = etree.SubElement(parent, tag)
            if isinstance(item, Mapping):
                for inner_key, inner in item.items():
                    self._extension(element, inner_key, inner)
            elif item is not None:
                element.text = _scalar(item)
