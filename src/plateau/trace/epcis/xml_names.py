"""Names of the EPCIS XML binding: namespaces, field orders and the binding error."""

from __future__ import annotations

import re

NS_EPCIS = "urn:epcglobal:epcis:xsd:2"
NS_EPCIS_12 = "urn:epcglobal:epcis:xsd:1"
NS_QUERY = "urn:epcglobal:epcis-query:xsd:2"
# Plateau's own XML namespace: certificationInfo values past the one GS1's XSD allows.
NS_PLATEAU = "https://ns.plateau.gov.cn/epcis/"
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
EPCIS_NAMESPACES = {NS_EPCIS, NS_EPCIS_12}
QUERY_NAMESPACES = {NS_QUERY, NS_QUERY_12}
MASTERDATA_NAMESPACES = {NS_MASTERDATA, NS_MASTERDATA_12}

COMMON_FIELDS = (
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "errorDeclaration",
    "certificationInfo",
)
WHY_WHERE = ("bizStep", "disposition", "readPoint", "bizLocation")
TAIL = ("sourceList", "destinationList", "sensorElementList", "persistentDisposition")
# Element order of each event type in the EPCIS 2.0 XSD; JSON keys are written in this order.
FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "ObjectEvent": (
        *COMMON_FIELDS,
        "epcList",
        "action",
        *WHY_WHERE,
        "bizTransactionList",
        "quantityList",
        *TAIL,
        "ilmd",
    ),
    "AggregationEvent": (
        *COMMON_FIELDS,
        "parentID",
        "childEPCs",
        "action",
        *WHY_WHERE,
        "bizTransactionList",
        "childQuantityList",
        *TAIL,
    ),
    "TransactionEvent": (
        *COMMON_FIELDS,
        "bizTransactionList",
        "parentID",
        "epcList",
        "action",
        *WHY_WHERE,
        "quantityList",
        *TAIL,
    ),
    "TransformationEvent": (
        *COMMON_FIELDS,
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        *WHY_WHERE,
        "bizTransactionList",
        *TAIL,
        "ilmd",
    ),
    "AssociationEvent": (
        *COMMON_FIELDS,
        "parentID",
        "childEPCs",
        "childQuantityList",
        "action",
        *WHY_WHERE,
        "bizTransactionList",
        *TAIL,
    ),
}
# Every field of every event type, for events of unknown type and misplaced fields.
ALL_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(f for o in FIELD_ORDER.values() for f in o))
EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
TEXT_FIELDS = frozenset(
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
SENSOR_NUMBERS = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
# Attribute order of sensorMetadata / sensorReport in the XSD, for tidy output.
METADATA_ATTRS = (
    "time",
    "deviceID",
    "deviceMetadata",
    "rawData",
    "startTime",
    "endTime",
    "bizRules",
    "dataProcessingMethod",
)
REPORT_ATTRS = (
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
INTEGER_PARAMS = frozenset({"eventCountLimit", "maxEventCount"})
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*):(.+)$")
INTEGER = re.compile(r"^[+-]?\d+$")


class XmlBindingError(ValueError):
    """A payload that cannot be read (malformed XML or JSON, not EPCIS), or a dict that cannot
    be written as XML. ``path`` says where, as far as it is known."""

    def __init__(self, message: str, path: str = "/") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
