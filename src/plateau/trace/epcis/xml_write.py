"""Writing the JSON-LD binding as EPCIS 2.0 XML; see ``xml`` for the rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from plateau.i18n import _
from plateau.trace.epcis import cbv
from plateau.trace.epcis.xml_names import (
    ALL_FIELDS,
    CURIE,
    EPC_LISTS,
    EVENT_TYPES,
    FIELD_ORDER,
    METADATA_ATTRS,
    NCNAME,
    NS_CBVMDA,
    NS_EPCIS,
    NS_MASTERDATA,
    NS_PLATEAU,
    NS_QUERY,
    NS_SBDH,
    NS_XSI,
    QUANTITY_LISTS,
    QUERY_CONTEXT,
    REPORT_ATTRS,
    TEXT_FIELDS,
    XmlBindingError,
)


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
        self.more_certification_info: list[str] = []
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
        if self.more_certification_info:
            self._register(NS_PLATEAU, "plateau")
            for text in self.more_certification_info:
                etree.SubElement(element, f"{{{NS_PLATEAU}}}certificationInfo").text = text
        return element

    def _field(self, parent: Any, field: str, value: Any) -> None:
        if field in TEXT_FIELDS:
            etree.SubElement(parent, field).text = _scalar(value)
        elif field == "certificationInfo":
            # GS1's XSD allows one certificationInfo; JSON, several. The first is written as
            # GS1's element, the others as plateau:certificationInfo extension elements at the
            # end of the event (where the XSD takes other namespaces); xml_read merges them back.
            items = value if isinstance(value, list) else [value]
            if items:
                etree.SubElement(parent, field).text = _scalar(items[0])
            self.more_certification_info = [_scalar(item) for item in items[1:]]
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
            self._sensor_attributes(metadata, sensor["sensorMetadata"] or {}, METADATA_ATTRS)
        for report in sensor.get("sensorReport") or []:
            node = etree.SubElement(element, "sensorReport")
            self._sensor_attributes(node, report, REPORT_ATTRS)
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
        match = CURIE.match(key)
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
        usable = bool(hint and NCNAME.match(hint) and not hint.lower().startswith("xml"))
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
        if not NCNAME.match(local):
            raise XmlBindingError(
                _("%(key)s cannot be written as an XML element name.", key=key), f"/{key}"
            )
        if namespace is None:
            return local
        match = CURIE.match(key)
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
            elif key == "@attributes" and isinstance(value, Mapping):
                # The element's XML attributes (see xml_read._value).
                for name, text in value.items():
                    parent.set(self._attribute_name(str(name)), _scalar(text))
            return
        tag = self._tag(key)
        for item in value if isinstance(value, list) else [value]:
            element = etree.SubElement(parent, tag)
            if isinstance(item, Mapping):
                attributes = item.get("@attributes")
                written = attributes if isinstance(attributes, Mapping) else {}
                for inner_key, inner in item.items():
                    # A namespaced attribute is also a member (xml_read._value): once only.
                    if inner_key not in written or written[inner_key] != inner:
                        self._extension(element, inner_key, inner)
            elif item is not None:
                element.text = _scalar(item)
