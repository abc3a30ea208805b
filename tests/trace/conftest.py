"""The EPCIS conformance corpus in ../shared/epcis, and a semantic comparison of documents.

The corpus is test data only: the platform reads its own packaged copies of the schemas.
Set ``PLATEAU_EPCIS_CORPUS`` to run the tests against another checkout of the corpus.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plateau.trace.epcis import cbv

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("PLATEAU_EPCIS_CORPUS", REPO_ROOT.parent / "shared" / "epcis"))
EXAMPLES = CORPUS / "examples"
OPENEPCIS = CORPUS / "openepcis" / "test-resources"
OPENEPCIS_20 = OPENEPCIS / "2.0" / "EPCIS"

requires_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"EPCIS conformance corpus not found at {CORPUS}"
)


def corpus_id(path: Path) -> str:
    """Return a short, stable test id for a corpus file (its path inside the corpus)."""
    try:
        return str(path.relative_to(CORPUS))
    except ValueError:
        return path.name


def _files(root: Path, *patterns: str) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted({p for pattern in patterns for p in root.glob(pattern)})


def gs1_json_examples() -> list[Path]:
    """Return GS1's JSON-LD example documents (all schema-valid upstream)."""
    return _files(EXAMPLES / "json", "**/*.jsonld")


def gs1_simple_context_examples() -> list[Path]:
    """Return GS1's examples written against the simplified context (some are stale)."""
    return _files(EXAMPLES / "json-simple-context", "**/*.jsonld")


def gs1_xml_examples() -> list[Path]:
    """Return GS1's EPCIS 2.0 XML example documents."""
    return _files(EXAMPLES / "xml", "**/*.xml")


def gs1_xml_12_examples() -> list[Path]:
    """Return GS1's EPCIS 1.2 XML examples (one per event type)."""
    return _files(EXAMPLES / "xml-epcis-1.2", "*.xml")


def is_deliberately_invalid(path: Path) -> bool:
    """Tell whether an OpenEPCIS file is a negative test (an ``Invalid`` folder or name)."""
    return "Invalid" in path.parts or "invalid" in path.stem.lower()


def is_query_definition(path: Path) -> bool:
    """Tell whether an OpenEPCIS file is a query (REST query / SOAP Poll), not a document."""
    return "Queries" in path.parts


def openepcis_files(fmt: str, *, invalid: bool, version: str = "2.0") -> list[Path]:
    """Return OpenEPCIS documents of one format (``json`` or ``xml``), valid or invalid."""
    root = OPENEPCIS / version / "EPCIS" / fmt.upper()
    suffix = "*.json" if fmt == "json" else "*.xml"
    return [p for p in _files(root, f"**/{suffix}") if is_deliberately_invalid(p) == invalid]


def openepcis_pairs() -> list[tuple[Path, Path]]:
    """Return OpenEPCIS XML documents and their JSON twins (same folder and base name)."""
    pairs = []
    for xml_path in _files(OPENEPCIS_20 / "XML", "**/*.xml"):
        relative = xml_path.relative_to(OPENEPCIS_20 / "XML").with_suffix(".json")
        json_path = OPENEPCIS_20 / "JSON" / relative
        if json_path.exists():
            pairs.append((xml_path, json_path))
    return pairs


# ---------------------------------------------------------------------------------------------
# Semantic comparison

_TIME_KEYS = frozenset(
    {
        "eventTime",
        "recordTime",
        "creationDate",
        "declarationTime",
        "time",
        "startTime",
        "endTime",
        "createdAt",
        "finishedAt",
    }
)
_VOCAB_KEYS = {
    "bizStep": "bizStep",
    "disposition": "disposition",
    "reason": "errorReason",
    "component": "component",
    "exception": "sensorAlertType",
}
_GS1_PREFIXES = {
    k: v
    for k, v in cbv.epcis_context().items()
    if isinstance(v, str) and ":" in v and not v.startswith("@")
}
_CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*):(.+)$")


def context_prefixes(
    document: dict[str, Any], outer: dict[str, str] | None = None
) -> dict[str, str]:
    """Return prefix → namespace of the outer context overlaid with the object's ``@context``."""
    prefixes = dict(_GS1_PREFIXES if outer is None else outer)
    context = document.get("@context")
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, dict):
            prefixes.update({k: v for k, v in item.items() if isinstance(v, str)})
    return prefixes


def _expand_key(key: str, prefixes: dict[str, str]) -> str:
    match = _CURIE.match(key)
    if match is None or match.group(1) in ("http", "https", "urn"):
        return key
    namespace = prefixes.get(match.group(1))
    if namespace is None:
        return key
    # XML namespaces and JSON-LD prefixes differ in their last separator ("…/mda" vs "…/mda:").
    return f"{{{namespace.rstrip('/:#')}}}{match.group(2)}"


def _instant(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return value
    return parsed.astimezone(UTC).isoformat(timespec="microseconds")


def _vocab(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return cbv.to_bare(cbv.vocabulary(name), value)


def _identifier(value: str) -> str:
    """Return an EPC URI or a Digital Link on any host as a Digital Link on id.gs1.org."""
    from plateau.trace import identifiers

    try:
        if value.startswith("urn:epc:"):
            return identifiers.epc_to_digital_link(value)
        if value.startswith(("http://", "https://")):
            return identifiers.parse_digital_link(value, verify=False).uri()
    except Exception:  # not an identifier: compare it as written
        return value
    return value


def as_text(value: Any) -> Any:
    """Return ``value`` with booleans and numbers spelled as XML text ("true", "20.5").

    XML carries user extension values as text, so a JSON extension value ``true`` comes back
    from XML as ``"true"``; comparisons across the binding use this on extension values.
    """
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def textual_extensions(value: Any) -> Any:
    """Apply :func:`as_text` to every value under an expanded extension key (``{ns}name``)."""
    if isinstance(value, dict):
        return {
            k: as_text(v) if k.startswith("{") else textual_extensions(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [textual_extensions(v) for v in value]
    return value


def normalise(value: Any, prefixes: dict[str, str], key: str | None = None) -> Any:
    """Return ``value`` in a canonical form: expanded keys, bare CBV terms, UTC instants,
    identifiers as canonical Digital Links."""
    if isinstance(value, dict):
        if "@context" in value:
            # An embedded context (allowed on any object in JSON-LD) scopes its prefixes.
            prefixes = context_prefixes(value, prefixes)
        if set(value) == {"@attributes", "@value"}:
            # XML text with attributes (kept for writing XML again): as JSON-LD, the text.
            return normalise(value["@value"], prefixes, key)
        result: dict[str, Any] = {}
        for k, v in value.items():
            if k in ("@context", "@attributes"):  # JSON-LD ignores "@attributes"
                continue
            result[_expand_key(k, prefixes)] = _normalise_field(k, v, prefixes, key)
        return result
    if isinstance(value, list):
        return [normalise(v, prefixes, key) for v in value]
    if key in _TIME_KEYS:
        return _instant(value)
    if isinstance(value, str):
        return _identifier(value.strip())
    return value


def _normalise_field(key: str, value: Any, prefixes: dict[str, str], parent: str | None) -> Any:
    if key in _VOCAB_KEYS:
        return _vocab(_VOCAB_KEYS[key], value)
    if key in ("set", "unset") and isinstance(value, list):
        return sorted(_vocab("disposition", v) for v in value)
    if key == "type" and parent in ("bizTransactionList",):
        return _vocab("bizTransactionType", value)
    if key == "type" and parent in ("sourceList", "destinationList"):
        return _vocab("sourceDestType", value)
    if key == "type" and parent == "sensorReport":
        return _vocab("measurementType", value)
    if key == "certificationInfo" and isinstance(value, str):
        return [value]
    return normalise(value, prefixes, key)


def normalised(document: dict[str, Any]) -> Any:
    """Return ``document`` normalised against its own ``@context``."""
    return normalise(document, context_prefixes(document))


def event_list(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the events of a document (capture, query results, or a bare event)."""
    body = document.get("epcisBody") or {}
    if "eventList" in body:
        events: list[dict[str, Any]] = body["eventList"]
        return events
    results = (body.get("queryResults") or {}).get("resultsBody") or {}
    if "eventList" in results:
        found: list[dict[str, Any]] = results["eventList"]
        return found
    return [document] if "eventTime" in document else []


def differences(left: Any, right: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield (path, what differs) for every difference between two normalised values."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right), key=str):
            if key not in right:
                yield f"{path}/{key}", "only on the left"
            elif key not in left:
                yield f"{path}/{key}", "only on the right"
            else:
                yield from differences(left[key], right[key], f"{path}/{key}")
    elif isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            yield from differences(a, b, f"{path}/{index}")
    elif left != right:
        yield path, f"{left!r} != {right!r}"


# ---------------------------------------------------------------------------------------------
# Files published as valid that do not conform, and why. Each names a rule and a path (part)
# that validation must report for it; everything else published as valid must pass.

KNOWN_NON_CONFORMING: dict[str, tuple[str, str, str]] = {
    # SOURCE.md: an event-hash equivalence fixture, with CBV values as URNs, which the JSON
    # binding does not allow (GS1's own schema refuses them too).
    "examples/xml/WithEventHashID/event_with_identical_hash_id_7.json": (
        "cbv:BizStep",
        "/epcisBody/eventList/0/bizStep",
        "CBV URNs in JSON-LD",
    ),
    # GS1's XML examples still use measurement types that did not make it into CBV 2.0; the
    # JSON versions of the same examples were corrected (DoseEquivalentRate,
    # AmountOfSubstancePerUnitVolume). SensorDataExamples.xml also writes "Bizstep-".
    "examples/xml/WithExtension/TransactionEvent.xml": (
        "cbv:MeasurementType",
        "sensorReport[1]/@type",
        "gs1:EffectiveDoseRate is no GS1 measurement type",
    ),
    "examples/xml/WithSensorData/SensorDataExamples.xml": (
        "cbv:BizStep",
        "/bizStep",
        "https://ref.gs1.org/cbv/Bizstep-sensor_reporting (lower-case s); gs1:Molar_concentration",
    ),
    # OpenEPCIS documents listed as valid that its own negative tests, the XSD or the CBV refute.
    "openepcis/test-resources/2.0/EPCIS/JSON/Capture/Documents/SensorData_with_combined_events.json": (
        "json-schema:required",
        "/sensorReport/0/type",
        "sensor reports without type; Molar_concentration, EffectiveDoseRate are no GS1 types",
    ),
    "openepcis/test-resources/2.0/EPCIS/JSON/Query/SensorData_with_combined_events.json": (
        "json-schema:required",
        "/sensorReport/0/type",
        "the same events as a query result",
    ),
    "openepcis/test-resources/2.0/EPCIS/JSON/Capture/Documents/TransactionEvent_with_userExtensions.json": (
        "cbv:MeasurementType",
        "/sensorReport/0/type",
        "EffectiveDoseRate is no GS1 measurement type",
    ),
    "openepcis/test-resources/2.0/EPCIS/JSON/Query/TransactionEvent_with_userExtensions.json": (
        "cbv:MeasurementType",
        "/sensorReport/0/type",
        "the same event as a query result",
    ),
    "openepcis/test-resources/2.0/EPCIS/XML/Capture/Documents/SensorData_with_combined_events.xml": (
        "cbv:MeasurementType",
        "/@type",
        "gs1:Molar_concentration, gs1:EffectiveDoseRate",
    ),
    "openepcis/test-resources/2.0/EPCIS/XML/Capture/Documents/TransactionEvent_with_userExtensions.xml": (
        "cbv:MeasurementType",
        "/@type",
        "gs1:EffectiveDoseRate",
    ),
    "openepcis/test-resources/2.0/EPCIS/XML/Query/Documents/TransactionEvent_with_userExtensions.xml": (
        "cbv:MeasurementType",
        "/@type",
        "gs1:EffectiveDoseRate",
    ),
    "openepcis/test-resources/2.0/EPCIS/XML/Capture/Documents/epcisDocWithAllGS1Keys.xml": (
        "epc:duplicate",
        "/epcList/epc[3]",
        "the same SSCC twice in epcList (GS1's JSON Schema makes epcList unique)",
    ),
    # The XSD is a sequence: OpenEPCIS's own ObjectEvent_with_wrong_element_order is a
    # negative test of exactly this.
    "openepcis/test-resources/2.0/EPCIS/XML/Capture/Documents/JumbledFieldsOrder.xml": (
        "xsd:element_content",
        "/TransactionEvent/disposition",
        "elements out of the XSD order",
    ),
    # Events are unqualified elements (elementFormDefault="unqualified"): <epcis:ObjectEvent>
    # is not an EPCIS event.
    "openepcis/test-resources/2.0/EPCIS/XML/Capture/Documents/Namespace_document.xml": (
        "xsd:element_content",
        "/epcis:ObjectEvent",
        "namespace-qualified event element",
    ),
    "openepcis/test-resources/2.0/EPCIS/XML/Capture/Events/Namespace_event.xml": (
        "xsd:element_content",
        "/epcis:ObjectEvent",
        "namespace-qualified event element",
    ),
    # Query results: QueryResults is declared globally in the query namespace
    # (<epcisq:QueryResults>), and queryName and creationDate are required.
    "openepcis/test-resources/2.0/EPCIS/XML/Query/Combination_of_different_event.xml": (
        "xsd:cvc_complex_type_4",
        "/epcisq:EPCISQueryDocument",
        "no creationDate (createdAt instead), unqualified QueryResults",
    ),
    **{
        f"openepcis/test-resources/2.0/EPCIS/XML/Query/{name}.xml": (
            "xsd:element_content",
            "/EPCISBody/QueryResults",
            "unqualified QueryResults without queryName",
        )
        for name in (
            "CurieString_document",
            "JumbledFieldsOrder",
            "ObjectEventWithAllPossibleFields",
            "SensorData_with_combined_events",
            "TransactionEvent_with_userExtensions",
            "TransformationEvent_with_error_declaration",
        )
    },
}

# SOURCE.md: four files of the simplified-context set are stale against the 2.0 schema. The
# whole simplified-context set is another dialect (blank-node ids "_:document1", sensor
# elements typed epcis:SensorElement) and is not part of the valid corpus.
STALE_SIMPLE_CONTEXT: dict[str, tuple[str, str]] = {
    "Example-TransactionEvents-2020_07_03y.jsonld": (
        "json-schema:type",
        "/epcisBody/eventList/1/sourceList",
    ),
    "WithFullCombinationOfFields/object_event_all_possible_fields.jsonld": (
        "event:ilmd-needs-add",
        "/epcisBody/eventList/0/ilmd",
    ),
    "WithSensorData/SensorDataExample12.jsonld": ("json-schema:required", "/schemaVersion"),
    "WithSensorData/SensorDataExample17.jsonld": ("json-schema:type", "/schemaVersion"),
}

# EPCIS 1.2 (optional): what the 1.2 XSD or the 2.0 reading of the document refutes.
KNOWN_NON_CONFORMING_12: dict[str, tuple[str, str]] = {
    # 2.0 content in the reserved (##local) 1.2 extension slots
    "examples/xml-epcis-1.2/AssociationEvent.xml": ("extension:not-namespaced", "sensorMetaData"),
    "examples/xml-epcis-1.2/ObjectEvent.xml": ("extension:not-namespaced", "/myField"),
    "openepcis/test-resources/1.2/EPCIS/XML/Capture/Documents/AssociationEvent_all_possible_fields.xml": (
        "xsd:cvc_datatype_valid_1_2_1",
        "ext1:int",  # xsi:type="xsd:integer" with no xsd prefix in scope
    ),
    "openepcis/test-resources/1.2/EPCIS/XML/Capture/Documents/Document_with_namespace.xml": (
        "xsd:element_content",
        "epcis:ObjectEvent",
    ),
    "openepcis/test-resources/1.2/EPCIS/XML/Capture/Documents/Jumbled_attributes_order.xml": (
        "xsd:element_content",
        "example:myField",
    ),
    "openepcis/test-resources/1.2/EPCIS/XML/Capture/Documents/ObjectEvent_all_possible_fields.xml": (
        "xsd:element_content",
        "certificationInfo",  # a 2.0 field
    ),
    "openepcis/test-resources/1.2/EPCIS/XML/Capture/Documents/Single_event_with_namespace.xml": (
        "xsd:element_content",
        "epcis:ObjectEvent",
    ),
    "openepcis/test-resources/1.2/EPCIS/XML/Capture/Documents/TransactionEvent_all_possible_fields.xml": (
        "xsd:cvc_datatype_valid_1_2_1",
        "declarationTime",  # 2006-11-07T13:00Z has no seconds
    ),
}
