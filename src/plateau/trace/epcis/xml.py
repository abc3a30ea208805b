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

The names live in ``xml_names``, reading in ``xml_read`` and writing in ``xml_write``; this
module is the binding's one public face.
"""

from __future__ import annotations

from plateau.trace.epcis.xml_names import (
    ALL_FIELDS,
    EPC_LISTS,
    EVENT_TYPES,
    FIELD_ORDER,
    NS_EPCIS,
    NS_EPCIS_12,
    NS_MASTERDATA,
    NS_QUERY,
    NS_SBDH,
    QUANTITY_LISTS,
    QUERY_CONTEXT,
    XmlBindingError,
)
from plateau.trace.epcis.xml_read import (
    element_to_json,
    parse_document,
    parse_xml,
    qname,
    xml_to_json,
)
from plateau.trace.epcis.xml_write import to_xml

__all__ = [
    "ALL_FIELDS",
    "EPC_LISTS",
    "EVENT_TYPES",
    "FIELD_ORDER",
    "NS_EPCIS",
    "NS_EPCIS_12",
    "NS_MASTERDATA",
    "NS_QUERY",
    "NS_SBDH",
    "QUANTITY_LISTS",
    "QUERY_CONTEXT",
    "XmlBindingError",
    "element_to_json",
    "parse_document",
    "parse_xml",
    "qname",
    "to_xml",
    "xml_to_json",
]
