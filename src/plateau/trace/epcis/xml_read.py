"""Reading EPCIS XML (2.0 and 1.2) into the JSON-LD binding; see ``xml`` for the rules."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from lxml import etree

from plateau.i18n import _
from plateau.trace.epcis import cbv
from plateau.trace.epcis.xml_names import (
    CURIE,
    EPC_LISTS,
    EPCIS_NAMESPACES,
    EVENT_TYPES,
    INTEGER,
    INTEGER_PARAMS,
    MASTERDATA_NAMESPACES,
    NCNAME,
    NS_CBVMDA,
    NS_EPCIS,
    NS_EPCIS_12,
    NS_PLATEAU,
    NS_SBDH,
    NS_XSI,
    QUANTITY_LISTS,
    QUERY_CONTEXT,
    QUERY_NAMESPACES,
    SENSOR_NUMBERS,
    TEXT_FIELDS,
    XmlBindingError,
)


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
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise XmlBindingError(
            _("The XML is not well-formed: %(error)s", error=str(exc)), "/"
        ) from exc
    docinfo = root.getroottree().docinfo
    internal = docinfo.internalDTD
    if (
        docinfo.system_url
        or docinfo.public_id
        or (internal is not None and any(True for _e in internal.iterentities()))
    ):
        # Entities stay unresolved by the parser, and the schema validator then fails on
        # the entity references; an EPCIS document has no use for entities or an external
        # DTD. A bare "<!DOCTYPE project>" (as in some of GS1's examples) declares nothing.
        raise XmlBindingError(
            _(
                "The XML declares entities or an external DTD; EPCIS documents may not. "
                "Remove the <!DOCTYPE …> declaration."
            ),
            "/",
        )
    return root


def parse_document(data: bytes, content_type: str | None = None) -> dict[str, Any]:
    """Read an EPCIS document given as JSON/JSON-LD or XML into its JSON-LD dict."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.endswith("xml") or (not kind and data.lstrip()[:1] == b"<"):
        return xml_to_json(data)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise XmlBindingError(_("The JSON is not well-formed: %(error)s", error=str(exc))) from exc
    except RecursionError:
        document = None
    if document is None or _deeper_than(document, MAX_JSON_DEPTH):
        # Refused before any recursive walk (hashing, validation) can exhaust the stack.
        raise XmlBindingError(
            _("The JSON is nested more than %(depth)s levels deep.", depth=MAX_JSON_DEPTH)
        )
    if not isinstance(document, dict):
        raise XmlBindingError(_("An EPCIS document must be a JSON object."))
    return document


#: Nesting levels a JSON document may have; EPCIS documents stay well under 20.
MAX_JSON_DEPTH = 64


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests more than ``limit`` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def xml_to_json(data: bytes) -> dict[str, Any]:
    """Read an EPCIS XML document (2.0 or 1.2) into the EPCIS 2.0 JSON-LD dict."""
    return _Reader().read(parse_xml(data))


def element_to_json(root: Any, conversions: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Read an already parsed EPCIS XML root element into the EPCIS 2.0 JSON-LD dict.

    ``conversions`` receives (path, message) for each event the reader had to convert (an
    EPCIS 1.2 QuantityEvent becomes an ObjectEvent).
    """
    reader = _Reader()
    document = reader.read(root)
    if conversions is not None:
        conversions.extend(reader.conversions)
    return document


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
    if INTEGER.match(text):
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


def _has_children(element: Any) -> bool:
    return any(isinstance(c.tag, str) for c in element)


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
        self.conversions: list[tuple[str, str]] = []
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
        if name == "EPCISDocument" and ns in EPCIS_NAMESPACES:
            body = self._document(root)
        elif name == "EPCISQueryDocument" and ns in QUERY_NAMESPACES:
            body = self._query_document(root)
        elif name == "EPCISMasterDataDocument" and ns in MASTERDATA_NAMESPACES:
            body = self._masterdata_document(root)
        elif name == "EPCISCaptureJob" and ns in EPCIS_NAMESPACES:
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
            elif pname in INTEGER_PARAMS or pname.startswith("EXISTS_"):
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
            ns, name = qname(child)
            if ns is None and name == "QuantityEvent":
                events.append(self._quantity_event(child, f"{path}/*[{index}]"))
                continue
            events.append(self._event(child, f"{path}/*[{index}]"))
            if ns is not None and ns not in EPCIS_NAMESPACES:
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
            if ns == NS_PLATEAU and field == "certificationInfo":
                # The values past GS1's one certificationInfo element (see xml_write).
                previous = event.get(field, [])
                items = previous if isinstance(previous, list) else [previous]
                event[field] = [*items, _text(child)]
                continue
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

    def _quantity_event(self, element: Any, path: str) -> dict[str, Any]:
        """Convert an EPCIS 1.2 QuantityEvent as EPCIS 2.0 prescribes for the deprecated type:
        an ObjectEvent, action OBSERVE, no EPCs, and one quantity element (epcClass and
        quantity, no unit: a 1.2 quantity counts instances)."""
        event = self._event(element, path)
        event["type"] = "ObjectEvent"
        epc_class = event.pop("epcClass", None)
        quantity = event.pop("quantity", None)
        element_json: dict[str, Any] = {"epcClass": epc_class}
        if quantity is not None:
            element_json["quantity"] = _number(str(quantity))
        converted = dict(event)
        converted["epcList"] = []
        converted["action"] = "OBSERVE"
        converted["quantityList"] = [element_json]
        self.conversions.append(
            (
                path,
                _(
                    "An EPCIS 1.2 QuantityEvent of %(quantity)s × %(epc_class)s was converted to an "
                    "ObjectEvent (action OBSERVE, a quantityList), as EPCIS 2.0 and GS1's 1.2→2.0 "
                    "conversion do.",
                    quantity=str(quantity),
                    epc_class=str(epc_class),
                ),
            )
        )
        return converted

    def _field(self, field: str, child: Any) -> Any:
        if field in TEXT_FIELDS or field == "certificationInfo":
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
        match = CURIE.match(value)
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
            elif report and attr in SENSOR_NUMBERS:
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
        """Read a user extension element: text, or an object of its children and attributes.

        A namespaced attribute becomes a member of the object (``example:cv``), as GS1's and
        OpenEPCIS's JSON twins write it (unless the element has text: then the text is the value,
        as in GS1's twins). To write the same XML again, every attribute is also
        listed under ``@attributes`` (``{"orderItemNumber": "910", "example:cv": "1"}``):
        JSON-LD processors ignore that member (and the event hash does), and an unqualified
        attribute, which has no namespace a JSON-LD key could name, lives only there. Text
        beside attributes is ``@value``.
        """
        attributes = self._extension_attributes(element)
        text = (element.text or "").strip()
        if not attributes:
            return {**self._object(element)} if _has_children(element) else text
        if text and not _has_children(element):
            # The text is the value (GS1's twins keep only it); the attributes ride along.
            return {"@attributes": attributes, "@value": text}
        members: dict[str, Any] = {k: v for k, v in attributes.items() if ":" in k}
        members["@attributes"] = attributes
        return {**members, **self._object(element)} if _has_children(element) else members

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
            prefix = hint if hint and NCNAME.match(hint) and hint not in taken else None
            if prefix is None:
                stem = hint if hint and NCNAME.match(hint) else "ns"
                number = 1
                while f"{stem}{number}" in taken:
                    number += 1
                prefix = f"{stem}{number}"
            self.context[prefix] = namespace
        self.prefix_of[namespace] = prefix
        return prefix
