"""Validation of EPCIS documents, as JSON-LD or XML, against GS1's artefacts and what they miss.

Three layers, each reporting :class:`Problem` values that name a path and a rule:

1. structure: GS1's JSON Schema (draft 7, with the ``uri`` and ``date-time`` formats
   enforced) for JSON, GS1's XSDs for XML (2.0, and 1.2 for 1.2 documents);
2. what a schema cannot see, checked on the JSON-LD form (XML is read into it first): CBV
   vocabularies of bizStep, disposition, business transaction, source/destination and error
   reason types and sensor values; user extensions (namespaced, in a namespace declared in
   ``@context`` and not one of GS1's); time zone offsets; quantities and units; action and
   parentID rules per event type; identifiers that must be absolute URIs;
3. for XML, the forms the XML binding requires (CBV values as URIs, not bare words).

Paths are JSON pointers for JSON and XPath-like paths for XML. When a schema and a rule of
layer 2 report the same path, the rule's problem is kept: it says more.

The packaged GS1 JSON Schema is corrected in memory in two places, both noted in
``_patched_document_schema`` and ``_patched_query_schema``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from lxml import etree
from referencing import Registry, Resource

from plateau.i18n import _, lazy
from plateau.trace.epcis import cbv, contexts
from plateau.trace.epcis import xml as epcis_xml

EVENT_TYPES = epcis_xml.EVENT_TYPES
_DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
_TIME_ZONE_OFFSET = re.compile(r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$")
_UOM = re.compile(r"^[A-Z0-9]{2,3}$")
_EVENT_HASH = re.compile(r"^ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0$")
_CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*):(.*)$")
_CBVMDA = ("urn:epcglobal:cbv:mda:", "urn:epcglobal:cbv:mda")


@dataclass(frozen=True)
class Problem:
    """One reason a document is not valid EPCIS: where, which rule, and what to do."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one document.

    ``notes`` lists what was accepted only after normalising it (a bare CBV word in XML, an
    EPCIS 1.2 QuantityEvent): in strict mode each would have been a problem instead.
    """

    problems: tuple[Problem, ...] = ()
    notes: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """Tell whether the document has no problem at all."""
        return not self.problems

    def detail(self, limit: int = 10) -> str:
        """Return the problems as one text for an RFC 7807 ``detail``, at most ``limit`` lines."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(_("… and %(count)s more.", count=len(self.problems) - limit))
        return "\n".join(lines)


def report(problems: Iterable[Problem]) -> ValidationReport:
    """Wrap problems in a report."""
    return ValidationReport(tuple(problems))


# ---------------------------------------------------------------------------------------------
# Schemas, compiled once


def _schema_file(*parts: str) -> Any:
    return resources.files("plateau.trace.epcis").joinpath("gs1", *parts)


def _load_json(*parts: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_schema_file(*parts).read_text(encoding="utf-8"))
    return data


def _is_absolute_uri(value: object) -> bool:
    return not isinstance(value, str) or cbv.is_absolute_uri(value)


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@cache
def _format_checker() -> FormatChecker:
    # jsonschema checks "uri" and "date-time" only with optional packages; say what we mean.
    checker = FormatChecker(formats=())
    checker.checks("uri")(_is_absolute_uri)
    checker.checks("date-time")(_is_date_time)
    return checker


def _patched_document_schema() -> dict[str, Any]:
    schema = copy.deepcopy(_load_json("json", "EPCIS-JSON-Schema.json"))
    definitions = schema["definitions"]
    # GS1's schema forgets persistentDisposition on three event types, although the
    # standard (EPCIS 2.0 §7.4) and the XSD give it to every event type.
    for name in ("AggregationEvent", "TransactionEvent", "AssociationEvent"):
        part = definitions[name]["allOf"][1]
        part["properties"].setdefault(
            "persistentDisposition", {"$ref": "#/definitions/persistentDisposition"}
        )
        names = part["propertyNames"]["anyOf"][1]["enum"]
        if "persistentDisposition" not in names:
            names.append("persistentDisposition")
    return schema


def _patched_query_schema() -> dict[str, Any]:
    schema = copy.deepcopy(_load_json("json", "query-schema.json"))
    query = schema["definitions"]["EPCIS-Query"]
    # The published patterns escape twice ("\\\\:"), so they match a literal backslash and
    # no real parameter; with additionalProperties false every extension filter would be
    # refused. Restore the intended regular expressions.
    query["patternProperties"] = {
        pattern.replace("\\\\:", ":").replace("\\\\w", "\\w"): sub
        for pattern, sub in query["patternProperties"].items()
    }
    return schema


@dataclass(frozen=True)
class SchemaValidator:
    """One JSON Schema compiled twice: a fast yes/no check, and the explaining validator.

    jsonschema-rs (compiled Rust) answers "valid?" about a hundred times faster than
    python-jsonschema, which dominated capture. It only decides; when it says no, the
    python validator walks the document again to name each problem with the paths and
    messages clients rely on. Both enforce the same two formats with the same functions.
    """

    fast: Any
    explain: Draft7Validator

    def problems(self, instance: Any, layer: str) -> list[Problem]:
        """List the schema problems of ``instance`` (none when the fast check passes)."""
        if self.fast.is_valid(instance):
            return []
        return _schema_problems(self.explain, instance, layer)


def _validator(schema: dict[str, Any]) -> SchemaValidator:
    # Every $ref is local; the registry holds the schema under its $id and nothing else,
    # so a remote reference fails instead of reaching the network.
    registry: Registry[Any] = Registry().with_resource(
        schema["$id"], Resource.from_contents(schema)
    )
    explain = Draft7Validator(schema, format_checker=_format_checker(), registry=registry)
    fast = jsonschema_rs.Draft7Validator(
        schema,
        formats={"uri": _is_absolute_uri, "date-time": _is_date_time},
        validate_formats=True,
        ignore_unknown_formats=True,
    )
    return SchemaValidator(fast, explain)


@cache
def document_validator() -> SchemaValidator:
    """Return the compiled GS1 EPCIS JSON Schema validator (corrected, formats enforced)."""
    return _validator(_patched_document_schema())


@cache
def query_validator() -> SchemaValidator:
    """Return the compiled validator of the EPCIS REST query language schema."""
    return _validator(_patched_query_schema())


@cache
def _masterdata_validator() -> SchemaValidator:
    base = _patched_document_schema()
    schema = {
        "$id": "urn:plateau:epcis-masterdata-document",
        "definitions": base["definitions"],
        "type": "object",
        "required": ["epcisBody"],
        "properties": {
            "epcisBody": {
                "type": "object",
                "properties": {"vocabularyList": {"$ref": "#/definitions/vocabularyList"}},
            }
        },
    }
    return _validator(schema)


@cache
def xml_schema(version: str = "2.0") -> Any:
    """Return GS1's XSDs (documents, queries and master data) compiled as one lxml schema."""
    folder, suffix, ns = ("xsd", "2_0", "2") if version == "2.0" else ("xsd-1.2", "1_2", "1")
    base = Path(str(_schema_file(folder)))
    imports = "".join(
        f'<xsd:import namespace="urn:epcglobal:{name}:xsd:{ns}" '
        f'schemaLocation="{(base / f"EPCglobal-{name}-{suffix}.xsd").as_uri()}"/>'
        for name in ("epcis", "epcis-query", "epcis-masterdata")
    )
    wrapper = f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{imports}</xsd:schema>'
    return etree.XMLSchema(etree.XML(wrapper.encode()))


# ---------------------------------------------------------------------------------------------
# Public entry points


def validate_document(doc: Any, *, registered: frozenset[str] = frozenset()) -> list[Problem]:
    """Validate an EPCIS JSON-LD document (or bare event, or REST query) and list its problems.

    ``registered``: remote context URLs whose registered copy was read into ``doc``.
    """
    if not isinstance(doc, Mapping):
        return [Problem("", "json:object", _("An EPCIS document must be a JSON object."))]
    if "type" not in doc and doc.get("@context") == epcis_xml.QUERY_CONTEXT:
        return validate_query(doc)
    if doc.get("type") == "EPCISMasterDataDocument":
        structural = _masterdata_validator().problems(doc, "json-schema")
    else:
        structural = document_validator().problems(doc, "json-schema")
    return _merge(structural, _semantic_problems(doc, json_binding=True, registered=registered))


def validate_query(query: Any) -> list[Problem]:
    """Validate a query of the REST binding (``SimpleEventQuery`` parameters) and list its problems."""
    if not isinstance(query, Mapping):
        return [Problem("", "json:object", _("A query must be a JSON object."))]
    structural = query_validator().problems(query, "query-schema")
    semantic: list[Problem] = []
    for name, vocabulary in (
        ("EQ_bizStep", cbv.biz_step()),
        ("EQ_disposition", cbv.disposition()),
        ("EQ_persistentDisposition_set", cbv.disposition()),
        ("EQ_persistentDisposition_unset", cbv.disposition()),
        ("EQ_errorReason", cbv.error_reason()),
    ):
        for index, value in enumerate(_as_list(query.get(name))):
            semantic += _vocab_problems(vocabulary, value, f"/{name}/{index}", json_binding=True)
    return _merge(structural, semantic)


def validate_xml(data: bytes, *, strict: bool = False) -> list[Problem]:
    """Validate an EPCIS XML document (2.0, or 1.2) and list its problems."""
    return _read_and_validate_xml(data, strict=strict)[1]


def _read_and_validate_xml(
    data: bytes, *, strict: bool = False
) -> tuple[dict[str, Any] | None, list[Problem], list[Problem]]:
    """Return the document, its problems, and the notes of what was normalised."""
    try:
        root = epcis_xml.parse_xml(data)
    except epcis_xml.XmlBindingError as exc:
        return None, [Problem("/", "xml:well-formed", exc.message)], []
    namespace, name = epcis_xml.qname(root)
    version = "1.2" if namespace and namespace.endswith(":xsd:1") else "2.0"
    problems = list(_xsd_problems(root, version))
    form_problems, notes = _xml_form_problems(root)
    problems += form_problems
    root_path = "/" + (f"{root.prefix}:{name}" if root.prefix else name)
    conversions: list[tuple[str, str]] = []
    try:
        document = epcis_xml.element_to_json(root, conversions)
    except epcis_xml.XmlBindingError as exc:
        problems.append(Problem(root_path + exc.path.rstrip("/"), "xml:binding", exc.message))
        return None, problems, notes
    for path, message in conversions:
        notes.append(Problem(root_path + path, "epcis:1.2-quantity-event", message))
    if strict:
        problems += [Problem(n.path, n.rule, _strict_message(n)) for n in notes]
        notes = []
    for problem in _semantic_problems(document, json_binding=False):
        path = pointer_to_xpath(problem.path, root_path, document)
        problems.append(Problem(path, problem.rule, problem.message))
    return document, _unique(problems), notes


def _strict_message(note: Problem) -> str:
    return _("%(note)s Strict capture refuses it; write the standard form.", note=note.message)


def validate_payload(
    data: bytes,
    content_type: str | None = None,
    *,
    strict: bool = False,
    registered: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[dict[str, Any] | None, ValidationReport]:
    """Read and validate a capture payload (JSON or XML); return the JSON-LD dict and the report.

    The dict is None when the payload could not be read at all. ``strict`` refuses what is
    otherwise accepted after normalising it (the report's notes). ``registered`` maps remote
    context URLs to the prefixes of their registered copy, read in where a JSON document
    imports them (the returned document carries them, so stored events keep them).
    """
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.endswith("xml") or (not kind and data.lstrip()[:1] == b"<"):
        document, problems, notes = _read_and_validate_xml(data, strict=strict)
        return document, ValidationReport(tuple(problems), tuple(notes))
    try:
        parsed = epcis_xml.parse_document(data, "application/json")
    except epcis_xml.XmlBindingError as exc:
        return None, report([Problem("/", "json:well-formed", exc.message)])
    if registered:
        parsed, _used = contexts.inline(parsed, registered)
    return parsed, report(validate_document(parsed, registered=frozenset(registered or ())))


# ---------------------------------------------------------------------------------------------
# Layer 1: schemas


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(parts: Iterable[object]) -> str:
    """Return the JSON pointer of a path given as keys and indexes."""
    return "".join(f"/{_escape(p)}" for p in parts)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


def _leaf(error: ValidationError) -> ValidationError:
    while error.context:
        error = best_match(error.context)
    return error


def _schema_problems(validator: Draft7Validator, instance: Any, layer: str) -> list[Problem]:
    problems: list[Problem] = []
    for error in validator.iter_errors(instance):
        problems += _problems_of(_leaf(error), layer)
    return problems


def _problems_of(error: ValidationError, layer: str) -> list[Problem]:
    path = pointer(error.absolute_path)  # "" is the document itself: shown as "/"
    keyword = str(error.validator)
    rule = f"{layer}:{keyword}"
    value = error.instance
    if "propertyNames" in error.absolute_schema_path:
        return [
            Problem(
                f"{path}/{_escape(value)}",
                f"{layer}:propertyNames",
                _(
                    "%(field)s is not a field here: EPCIS fields are fixed, and an extension "
                    "needs a namespace prefix declared in @context.",
                    field=_show(value),
                ),
            )
        ]
    if keyword == "required" and isinstance(value, Mapping):
        missing = [name for name in error.validator_value if name not in value]
        return [
            Problem(f"{path}/{_escape(name)}", rule, _("%(field)s is required.", field=name))
            for name in missing
        ]
    if keyword == "additionalProperties" and isinstance(value, Mapping):
        known = set(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        extra = [k for k in value if k not in known and not any(p.search(k) for p in patterns)]
        return [
            Problem(
                f"{path}/{_escape(name)}", rule, _("%(field)s is not allowed here.", field=name)
            )
            for name in extra
        ]
    return [Problem(path or "/", rule, _schema_message(keyword, error))]


_FORMAT_NAMES = {
    "uri": lazy("absolute URI"),
    "date-time": lazy("date and time with a time zone (RFC 3339)"),
}


def _schema_message(keyword: str, error: ValidationError) -> str:
    value = _show(error.instance)
    if keyword == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return _(
            "%(value)s is not one of the allowed values: %(allowed)s.", value=value, allowed=allowed
        )
    if keyword == "type":
        return _("%(value)s should be of type %(type)s.", value=value, type=error.validator_value)
    if keyword == "format":
        kind = _FORMAT_NAMES.get(str(error.validator_value), str(error.validator_value))
        return _("%(value)s is not a valid %(format)s.", value=value, format=_(kind))
    if keyword == "pattern":
        return _(
            "%(value)s does not have the required form %(pattern)s.",
            value=value,
            pattern=error.validator_value,
        )
    if keyword in ("minItems", "minLength"):
        return _("%(value)s is too short.", value=value)
    if keyword == "uniqueItems":
        return _("The list contains duplicates.")
    if keyword in ("anyOf", "oneOf"):
        return _("%(value)s does not match any allowed form.", value=value)
    return _(
        "Does not conform to the GS1 schema (%(keyword)s): %(error)s",
        keyword=keyword,
        error=error.message,
    )


def _collapsed(root: Any) -> Any:
    """Return ``root``, or a copy with leaf text stripped when any has surrounding white space.

    libxml2 does not apply the whiteSpace="collapse" facet of xs:dateTime (and friends), so
    ``<eventTime> 2020-01-01T00:00:00Z </eventTime>`` would be refused although XML Schema
    accepts it. The reader strips leaf text too, so nothing valid is lost this way.
    """

    def padded(element: Any) -> bool:
        text = element.text
        return bool(text) and not len(element) and text != text.strip()

    if not any(padded(e) for e in root.iter() if isinstance(e.tag, str)):
        return root
    copied = copy.deepcopy(root)
    for element in copied.iter():
        if isinstance(element.tag, str) and padded(element):
            element.text = element.text.strip()
    return copied


def _xsd_problems(root: Any, version: str) -> Iterator[Problem]:
    schema = xml_schema(version)
    _namespace, name = epcis_xml.qname(root)
    target = root
    strip = ""
    if name in EVENT_TYPES:
        # A bare event has no global declaration; validate it inside a minimal document.
        ns = epcis_xml.NS_EPCIS_12 if version == "1.2" else epcis_xml.NS_EPCIS
        target = etree.Element(
            f"{{{ns}}}EPCISDocument",
            schemaVersion=version,
            creationDate="2000-01-01T00:00:00Z",
            nsmap={"epcis": ns},
        )
        event_list = etree.SubElement(etree.SubElement(target, "EPCISBody"), "EventList")
        event_list.append(copy.deepcopy(root))
        strip = "/epcis:EPCISDocument/EPCISBody/EventList"
    if schema.validate(_collapsed(target)):
        return
    for entry in schema.error_log:
        path = entry.path or "/"
        if strip and path.startswith(strip):
            path = path[len(strip) :] or "/"
        yield Problem(
            path,
            f"xsd:{entry.type_name.lower().replace('schemav_', '')}",
            _("The XML does not conform to the GS1 EPCIS XSD: %(error)s", error=entry.message),
        )


# ---------------------------------------------------------------------------------------------
# Layer 2: what the schemas cannot see


_COMMON = frozenset(
    {
        "@context",
        "type",
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "eventID",
        "certificationInfo",
        "errorDeclaration",
    }
)
_SENSOR_METADATA = frozenset(
    {
        "time",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "startTime",
        "endTime",
        "dataProcessingMethod",
        "bizRules",
    }
)
_SENSOR_REPORT = frozenset(
    {
        "type",
        "exception",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
        "time",
        "microorganism",
        "chemicalSubstance",
        "coordinateReferenceSystem",
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
    }
)
_URI_FIELDS = ("parentID", "transformationID", "eventID")
_ACTION_EVENTS = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "AssociationEvent")


class _Scope:
    """The prefixes in force at one place of a JSON-LD document."""

    def __init__(
        self,
        prefixes: dict[str, str],
        remote: tuple[str, ...] = (),
        registered: frozenset[str] = frozenset(),
    ) -> None:
        self.prefixes = prefixes
        # Context URLs imported here and not read in (no registered copy): undeclared
        # prefixes may come from them.
        self.remote = remote
        self.registered = registered

    @classmethod
    def root(cls, document: Mapping[str, Any], registered: frozenset[str] = frozenset()) -> _Scope:
        gs1 = {
            k: v
            for k, v in cbv.epcis_context().items()
            if isinstance(v, str) and ":" in v and not v.startswith("@")
        }
        return cls(gs1, registered=registered).within(document)

    def within(self, node: Mapping[str, Any]) -> _Scope:
        context = node.get("@context")
        if context is None:
            return self
        prefixes = dict(self.prefixes)
        items = context if isinstance(context, list) else [context]
        remote = list(self.remote)
        for item in items:
            known = self.registered | contexts.GS1_CONTEXTS
            if isinstance(item, str) and item not in known and item not in remote:
                remote.append(item)
            if not isinstance(item, Mapping):
                continue
            for key, value in item.items():
                if isinstance(value, str) and not key.startswith("@"):
                    prefixes[key] = value
                elif isinstance(value, Mapping) and isinstance(value.get("@id"), str):
                    prefixes[key] = value["@id"]
        return _Scope(prefixes, tuple(remote), self.registered)


def _semantic_problems(
    doc: Mapping[str, Any], *, json_binding: bool, registered: frozenset[str] = frozenset()
) -> list[Problem]:
    checker = _Checker(json_binding=json_binding)
    scope = _Scope.root(doc, registered)
    kind = doc.get("type")
    body = _mapping(doc.get("epcisBody"))
    events: Any
    if kind == "EPCISDocument":
        events, base = body.get("eventList"), "/epcisBody/eventList"
    elif kind == "EPCISQueryDocument":
        results_body = _mapping(_mapping(body.get("queryResults")).get("resultsBody"))
        events = results_body.get("eventList")
        base = "/epcisBody/queryResults/resultsBody/eventList"
    elif kind is None or kind == "EPCISMasterDataDocument":
        events, base = [], ""  # capture jobs, queries, master data: no events
    else:
        events, base = [doc], ""
    for index, event in enumerate(events if isinstance(events, list) else []):
        if isinstance(event, Mapping):
            path = f"{base}/{index}" if base or kind in _DOCUMENT_TYPES else ""
            checker.event(event, path, scope)
    return checker.problems


_DOCUMENT_TYPES = ("EPCISDocument", "EPCISQueryDocument", "EPCISMasterDataDocument")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _vocab_problems(
    vocabulary: cbv.Vocabulary, value: Any, path: str, *, json_binding: bool
) -> list[Problem]:
    rule = f"cbv:{vocabulary.name}"
    status = cbv.status(vocabulary, value)
    if status is cbv.Status.STANDARD:
        if (
            json_binding
            and isinstance(value, str)
            and vocabulary.urn_prefix
            and value.startswith(vocabulary.urn_prefix)
        ):
            return [
                Problem(
                    path,
                    rule,
                    _(
                        "In JSON-LD a CBV value is written as its bare term %(term)s, not as "
                        "the URN %(value)s.",
                        term=vocabulary.bare(value),
                        value=value,
                    ),
                )
            ]
        return []
    if status is cbv.Status.USER_DEFINED:
        return []
    if status is cbv.Status.UNKNOWN_TERM:
        return [
            Problem(
                path,
                rule,
                _(
                    "%(value)s is not a term of the CBV %(vocabulary)s vocabulary; a value of "
                    "your own must be an absolute URI outside GS1's namespaces.",
                    value=_show(value),
                    vocabulary=vocabulary.name,
                ),
            )
        ]
    return [
        Problem(
            path,
            rule,
            _(
                "%(value)s is neither a CBV %(vocabulary)s term nor an absolute URI.",
                value=_show(value),
                vocabulary=vocabulary.name,
            ),
        )
    ]


class _Checker:
    """Walks events and collects problems of layer 2."""

    def __init__(self, *, json_binding: bool) -> None:
        self.json_binding = json_binding
        self.problems: list[Problem] = []

    def add(self, path: str, rule: str, message: str) -> None:
        self.problems.append(Problem(path, rule, message))

    def vocab(self, vocabulary: cbv.Vocabulary, value: Any, path: str) -> None:
        self.problems += _vocab_problems(vocabulary, value, path, json_binding=self.json_binding)

    def uri(self, value: Any, path: str) -> None:
        if isinstance(value, str) and not cbv.is_absolute_uri(value):
            self.add(
                path,
                "uri:absolute",
                _(
                    "%(value)s must be an absolute URI (EPC URI, Digital Link, …).",
                    value=_show(value),
                ),
            )

    # -- events -------------------------------------------------------------------------------

    def event(self, event: Mapping[str, Any], path: str, scope: _Scope) -> None:
        scope = scope.within(event)
        kind = event.get("type")
        self.fields(event, path, scope, kind)
        self.action(event, path, kind)
        self.what(event, path, kind)
        offset = event.get("eventTimeZoneOffset")
        if isinstance(offset, str) and not _TIME_ZONE_OFFSET.match(offset):
            self.add(
                f"{path}/eventTimeZoneOffset",
                "event:timezone-offset",
                _(
                    "The time zone offset %(value)s must be written ±hh:mm, between -14:00 "
                    "and +14:00.",
                    value=_show(offset),
                ),
            )
        for name in _URI_FIELDS:
            self.uri(event.get(name), f"{path}/{name}")
        event_id = event.get("eventID")
        if (
            isinstance(event_id, str)
            and event_id.startswith("ni:")
            and not _EVENT_HASH.match(event_id)
        ):
            self.add(
                f"{path}/eventID",
                "event:event-hash-form",
                _(
                    "An eventID in ni: form must be a CBV 2.0 event hash "
                    "ni:///sha-256;<64 hex digits>?ver=CBV2.0."
                ),
            )
        for index, info in enumerate(_as_list(event.get("certificationInfo"))):
            suffix = f"/{index}" if isinstance(event.get("certificationInfo"), list) else ""
            self.uri(info, f"{path}/certificationInfo{suffix}")
        if "bizStep" in event:
            self.vocab(cbv.biz_step(), event["bizStep"], f"{path}/bizStep")
        if "disposition" in event:
            self.vocab(cbv.disposition(), event["disposition"], f"{path}/disposition")
        persistent = event.get("persistentDisposition")
        if isinstance(persistent, Mapping):
            for key in ("set", "unset"):
                for index, value in enumerate(_as_list(persistent.get(key))):
                    self.vocab(
                        cbv.disposition(), value, f"{path}/persistentDisposition/{key}/{index}"
                    )
        for name in ("readPoint", "bizLocation"):
            location = event.get(name)
            if isinstance(location, Mapping):
                self.uri(location.get("id"), f"{path}/{name}/id")
                self.extensions(location, f"{path}/{name}", scope, frozenset({"id"}))
        self.transactions(event, path)
        self.sources(event, path, scope)
        for name in epcis_xml.EPC_LISTS:
            self.epc_list(event.get(name), f"{path}/{name}")
        for name in epcis_xml.QUANTITY_LISTS:
            for index, element in enumerate(_as_list(event.get(name))):
                self.quantity(element, f"{path}/{name}/{index}")
        for index, sensor in enumerate(_as_list(event.get("sensorElementList"))):
            if isinstance(sensor, Mapping):
                self.sensor_element(sensor, f"{path}/sensorElementList/{index}", scope)
        ilmd = event.get("ilmd")
        if isinstance(ilmd, Mapping):
            self.extensions(ilmd, f"{path}/ilmd", scope.within(ilmd), frozenset())
        declaration = event.get("errorDeclaration")
        if isinstance(declaration, Mapping):
            self.error_declaration(declaration, f"{path}/errorDeclaration", scope)

    def fields(self, event: Mapping[str, Any], path: str, scope: _Scope, kind: Any) -> None:
        order = epcis_xml.FIELD_ORDER.get(str(kind))
        if order is None:
            # A user-defined event type is a URI (compact or not); its fields are its own.
            if isinstance(kind, str) and ":" in kind:
                self.extension_key(kind, f"{path}/type", scope)
            else:
                self.add(
                    f"{path}/type",
                    "event:type",
                    _(
                        "%(value)s is not an EPCIS event type (ObjectEvent, AggregationEvent, "
                        "TransactionEvent, TransformationEvent, AssociationEvent) nor a URI of "
                        "your own.",
                        value=_show(kind),
                    ),
                )
            return
        allowed = _COMMON | set(order)
        for key in event:
            if key in allowed:
                continue
            if key in epcis_xml.ALL_FIELDS:
                self.add(
                    f"{path}/{_escape(key)}",
                    "event:field-not-allowed",
                    _("%(field)s is not a field of %(type)s.", field=key, type=kind),
                )
            else:
                self.extension_key(key, f"{path}/{_escape(key)}", scope)

    def action(self, event: Mapping[str, Any], path: str, kind: Any) -> None:
        action = event.get("action")
        if kind in _ACTION_EVENTS and action is None:
            self.add(
                f"{path}/action",
                "event:action-required",
                _("%(type)s needs an action (ADD, OBSERVE or DELETE).", type=kind),
            )
        if action is not None and action not in ("ADD", "OBSERVE", "DELETE"):
            self.add(
                f"{path}/action",
                "event:action-value",
                _("The action %(value)s is none of ADD, OBSERVE, DELETE.", value=_show(action)),
            )
        if kind == "TransformationEvent" and "action" in event:
            self.add(
                f"{path}/action",
                "event:action-forbidden",
                _("A TransformationEvent has no action."),
            )
        if kind == "AggregationEvent" and action in ("ADD", "DELETE") and not event.get("parentID"):
            self.add(
                f"{path}/parentID",
                "aggregation:parent-required",
                _("An AggregationEvent with action %(action)s needs a parentID.", action=action),
            )
        if kind == "ObjectEvent" and "ilmd" in event and action in ("OBSERVE", "DELETE"):
            self.add(
                f"{path}/ilmd",
                "event:ilmd-needs-add",
                _(
                    "Instance/lot master data (ilmd) belongs to the event that creates the "
                    "objects: an ObjectEvent with action ADD, not %(action)s.",
                    action=action,
                ),
            )
        if kind == "AssociationEvent" and not event.get("parentID"):
            self.add(
                f"{path}/parentID",
                "association:parent-required",
                _("An AssociationEvent needs a parentID."),
            )

    def what(self, event: Mapping[str, Any], path: str, kind: Any) -> None:
        def has(name: str) -> bool:
            return isinstance(event.get(name), list) and len(event[name]) > 0

        delete = event.get("action") == "DELETE"
        if kind == "ObjectEvent":
            ok = (
                "epcList" in event
                or has("quantityList")
                or (has("sensorElementList") and "readPoint" in event)
            )
            message = _(
                "An ObjectEvent names its objects: epcList or quantityList (or sensor data "
                "with a readPoint)."
            )
        elif kind == "TransactionEvent":
            ok = "epcList" in event or has("quantityList") or delete
            message = _("A TransactionEvent names its objects: epcList or quantityList.")
        elif kind in ("AggregationEvent", "AssociationEvent"):
            ok = has("childEPCs") or has("childQuantityList") or delete
            message = _(
                "%(type)s with action %(action)s names its children: childEPCs or "
                "childQuantityList.",
                type=kind,
                action=event.get("action"),
            )
        elif kind == "TransformationEvent":
            ok = any(
                has(n)
                for n in (
                    "inputEPCList",
                    "inputQuantityList",
                    "outputEPCList",
                    "outputQuantityList",
                )
            )
            message = _("A TransformationEvent needs at least one input or output.")
        else:
            return
        if not ok:
            self.add(path or "/", "event:what", message)

    def transactions(self, event: Mapping[str, Any], path: str) -> None:
        for index, item in enumerate(_as_list(event.get("bizTransactionList"))):
            if not isinstance(item, Mapping):
                continue
            item_path = f"{path}/bizTransactionList/{index}"
            if "type" in item:
                self.vocab(cbv.biz_transaction_type(), item["type"], f"{item_path}/type")
            self.uri(item.get("bizTransaction"), f"{item_path}/bizTransaction")

    def sources(self, event: Mapping[str, Any], path: str, scope: _Scope) -> None:
        for name, key in (("sourceList", "source"), ("destinationList", "destination")):
            for index, item in enumerate(_as_list(event.get(name))):
                if not isinstance(item, Mapping):
                    continue
                item_path = f"{path}/{name}/{index}"
                if "type" in item:
                    self.vocab(cbv.source_dest_type(), item["type"], f"{item_path}/type")
                else:
                    self.add(
                        f"{item_path}/type",
                        "sourceDest:type-required",
                        _(
                            "A %(field)s needs a type (owning_party, possessing_party, location).",
                            field=key,
                        ),
                    )
                self.uri(item.get(key), f"{item_path}/{key}")

    def epc_list(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            return
        seen: set[str] = set()
        for index, epc in enumerate(value):
            self.uri(epc, f"{path}/{index}")
            if isinstance(epc, str):
                if epc in seen:
                    self.add(
                        f"{path}/{index}",
                        "epc:duplicate",
                        _("%(epc)s appears twice in the list.", epc=epc),
                    )
                seen.add(epc)

    def quantity(self, element: Any, path: str) -> None:
        if not isinstance(element, Mapping):
            return
        self.uri(element.get("epcClass"), f"{path}/epcClass")
        quantity = element.get("quantity")
        uom = element.get("uom")
        if uom is not None and quantity is None:
            self.add(
                f"{path}/uom",
                "quantity:uom-without-quantity",
                _("A unit of measure needs a quantity."),
            )
        if uom is not None and not (isinstance(uom, str) and _UOM.match(uom)):
            self.add(
                f"{path}/uom",
                "quantity:uom-code",
                _(
                    "%(value)s is not a UN/ECE Recommendation 20 unit code (2 or 3 capitals or "
                    "digits, e.g. KGM).",
                    value=_show(uom),
                ),
            )
        if isinstance(quantity, int | float) and not isinstance(quantity, bool):
            if quantity < 0:
                self.add(
                    f"{path}/quantity",
                    "quantity:negative",
                    _("A quantity cannot be negative."),
                )
            elif uom is None and quantity != int(quantity):
                self.add(
                    f"{path}/quantity",
                    "quantity:count-not-integer",
                    _(
                        "Without a unit of measure a quantity is a count and must be a whole number."
                    ),
                )

    def sensor_element(self, sensor: Mapping[str, Any], path: str, scope: _Scope) -> None:
        scope = scope.within(sensor)
        self.extensions(sensor, path, scope, frozenset({"sensorMetadata", "sensorReport"}))
        metadata = sensor.get("sensorMetadata")
        if isinstance(metadata, Mapping):
            self.extensions(metadata, f"{path}/sensorMetadata", scope, _SENSOR_METADATA)
        for index, sensor_report in enumerate(_as_list(sensor.get("sensorReport"))):
            if not isinstance(sensor_report, Mapping):
                continue
            report_path = f"{path}/sensorReport/{index}"
            self.extensions(sensor_report, report_path, scope, _SENSOR_REPORT)
            if "type" in sensor_report:
                self.vocab(cbv.measurement_type(), sensor_report["type"], f"{report_path}/type")
            if "exception" in sensor_report:
                self.vocab(
                    cbv.sensor_alert_type(), sensor_report["exception"], f"{report_path}/exception"
                )
            if "component" in sensor_report:
                self.vocab(cbv.component(), sensor_report["component"], f"{report_path}/component")

    def error_declaration(self, declaration: Mapping[str, Any], path: str, scope: _Scope) -> None:
        if "declarationTime" not in declaration:
            self.add(
                f"{path}/declarationTime",
                "errorDeclaration:time-required",
                _("An error declaration needs its declarationTime."),
            )
        if "reason" in declaration:
            self.vocab(cbv.error_reason(), declaration["reason"], f"{path}/reason")
        for index, event_id in enumerate(_as_list(declaration.get("correctiveEventIDs"))):
            self.uri(event_id, f"{path}/correctiveEventIDs/{index}")
        self.extensions(
            declaration,
            path,
            scope,
            frozenset({"declarationTime", "reason", "correctiveEventIDs"}),
        )

    # -- user extensions ----------------------------------------------------------------------

    def extensions(
        self, node: Mapping[str, Any], path: str, scope: _Scope, standard: frozenset[str]
    ) -> None:
        for key in node:
            if key not in standard and key != "@context":
                self.extension_key(key, f"{path}/{_escape(key)}", scope)

    def extension_key(self, key: str, path: str, scope: _Scope) -> None:
        if key.startswith("@"):
            return
        if key.startswith(("http://", "https://", "urn:")):
            namespace = key
        else:
            match = _CURIE.match(key)
            if match is None:
                self.add(
                    path,
                    "extension:not-namespaced",
                    _(
                        "%(field)s is not an EPCIS field; an extension field needs a namespace "
                        "prefix declared in @context, e.g. example:%(field)s.",
                        field=key,
                    ),
                )
                return
            namespace = scope.prefixes.get(match.group(1), "")
            if not namespace and scope.remote:
                self.add(
                    path,
                    "extension:unregistered-context",
                    _(
                        "The prefix %(prefix)s of %(field)s is not declared in @context; it may "
                        "come from the remote context %(urls)s, which this repository does not "
                        "fetch. An administrator can register a copy of that context under "
                        "Traceability → JSON-LD contexts (/trace/contexts) or with POST "
                        "/api/trace/contexts; then send the document again.",
                        prefix=match.group(1),
                        field=key,
                        urls=", ".join(scope.remote),
                    ),
                )
                return
            if not namespace:
                self.add(
                    path,
                    "extension:undeclared-prefix",
                    _(
                        "The prefix %(prefix)s of %(field)s is not declared in @context.",
                        prefix=match.group(1),
                        field=key,
                    ),
                )
                return
            namespace += match.group(2)
        if cbv.in_gs1_namespace(namespace) and not namespace.startswith(_CBVMDA):
            self.add(
                path,
                "extension:gs1-namespace",
                _(
                    "%(field)s lies in a GS1 namespace, where only GS1 defines fields; use a "
                    "namespace of your own.",
                    field=key,
                ),
            )


def _merge(structural: list[Problem], semantic: list[Problem]) -> list[Problem]:
    """Keep one schema problem per path, and none where a rule of layer 2 speaks."""
    spoken = {p.path for p in semantic}
    kept: list[Problem] = []
    seen: set[str] = set()
    for problem in structural:
        if problem.path in spoken or problem.path in seen:
            continue
        seen.add(problem.path)
        kept.append(problem)
    return _unique(kept + semantic)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    result = []
    for problem in problems:
        key = (problem.path, problem.rule)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result


# ---------------------------------------------------------------------------------------------
# Layer 3: XML forms


# Elements and attributes whose value is a standard vocabulary value, by their parent element.
_XML_VOCAB_TEXT = {
    "bizStep": None,  # any event
    "disposition": None,
    "reason": "errorDeclaration",
    "set": "persistentDisposition",
    "unset": "persistentDisposition",
}
_XML_VOCAB_ATTRIBUTES = {
    "bizTransaction": ("bizTransactionList", ("type",)),
    "source": ("sourceList", ("type",)),
    "destination": ("destinationList", ("type",)),
    "sensorReport": ("sensorElement", ("type", "exception")),
}


def _xml_vocabulary(name: str, attribute: str | None) -> cbv.Vocabulary:
    """Return the CBV list of an XML field (``attribute`` for sensorReport/@type and @exception)."""
    if name == "sensorReport":
        return cbv.measurement_type() if attribute == "type" else cbv.sensor_alert_type()
    return {
        "bizStep": cbv.biz_step,
        "disposition": cbv.disposition,
        "set": cbv.disposition,
        "unset": cbv.disposition,
        "reason": cbv.error_reason,
        "bizTransaction": cbv.biz_transaction_type,
        "source": cbv.source_dest_type,
        "destination": cbv.source_dest_type,
    }[name]()


def _xml_form_problems(root: Any) -> tuple[list[Problem], list[Problem]]:
    """CBV values in XML are URIs; a bare word there is neither a term nor a user URI.

    Real peers write bare words anyway (``sensorReport/@exception="ALARM_CONDITION"``). A bare
    word that is a term of the field's own list can mean only that term: it is accepted and
    listed as a note (the second list); any other bare word is a problem.
    """
    problems: list[Problem] = []
    notes: list[Problem] = []
    tree = root.getroottree()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace, name = epcis_xml.qname(element)
        parent = element.getparent()
        parent_name = epcis_xml.qname(parent)[1] if parent is not None else None
        if namespace is not None or parent is None:
            continue
        values: list[tuple[str, str, str | None]] = []
        if name in _XML_VOCAB_TEXT and not len(element):
            expected = _XML_VOCAB_TEXT[name]
            in_event = expected is None and parent_name in EVENT_TYPES
            if in_event or parent_name == expected:
                values.append(("", (element.text or "").strip(), None))
        if name in _XML_VOCAB_ATTRIBUTES and parent_name == _XML_VOCAB_ATTRIBUTES[name][0]:
            for attribute in _XML_VOCAB_ATTRIBUTES[name][1]:
                if element.get(attribute):
                    values.append((f"/@{attribute}", element.get(attribute).strip(), attribute))
        for suffix, value, field_attribute in values:
            if not value or ":" in value:
                continue
            vocabulary = _xml_vocabulary(name, field_attribute)
            path = tree.getpath(element) + suffix
            if value in vocabulary.terms:
                notes.append(
                    Problem(
                        path,
                        "cbv:xml-bare-word",
                        _(
                            "The bare word %(value)s was read as the standard value %(uri)s "
                            "(in XML a standard value is written as a URI).",
                            value=value,
                            uri=vocabulary.urn(value),
                        ),
                    )
                )
                continue
            problems.append(
                Problem(
                    path,
                    "cbv:xml-form",
                    _(
                        "In XML a standard value is a URI such as "
                        "urn:epcglobal:cbv:bizstep:shipping or gs1:Temperature, not the bare "
                        "word %(value)s.",
                        value=value,
                    ),
                )
            )
    return problems, notes


_XML_ITEMS = {
    "epcList": "epc",
    "childEPCs": "epc",
    "inputEPCList": "epc",
    "outputEPCList": "epc",
    "quantityList": "quantityElement",
    "childQuantityList": "quantityElement",
    "inputQuantityList": "quantityElement",
    "outputQuantityList": "quantityElement",
    "bizTransactionList": "bizTransaction",
    "sourceList": "source",
    "destinationList": "destination",
    "sensorElementList": "sensorElement",
    "correctiveEventIDs": "correctiveEventID",
}
_XML_NAMES = {
    "epcisBody": "EPCISBody",
    "eventList": "EventList",
    "epcisHeader": "EPCISHeader",
    "queryResults": "epcisq:QueryResults",
}
_XML_ATTRIBUTE_PARENTS = frozenset(
    {"bizTransaction", "source", "destination", "sensorReport", "sensorMetadata"}
)


def pointer_to_xpath(
    json_pointer: str, root: str, document: Mapping[str, Any] | None = None
) -> str:
    """Translate a JSON pointer into the JSON-LD form of an XML document into an XPath of the XML.

    With ``document`` (that JSON-LD form), events are named by their type, as in the XML.
    """
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in json_pointer.split("/")[1:]]
    steps: list[str] = []
    # A bare event is its own root element.
    parent = "" if root.rsplit(":", 1)[-1].lstrip("/") in _DOCUMENT_TYPES else "event"
    node: Any = document
    for token in tokens:
        if isinstance(node, Mapping):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = None
        if token == "type" and parent == "event":
            continue  # the type of an event is the name of its element
        if token.isdigit():
            position = int(token) + 1
            if parent == "EventList":
                steps.append(_event_step(node, position, document, tokens))
                parent = "event"
                continue
            elif parent in _XML_ITEMS:
                steps.append(f"{_XML_ITEMS[parent]}[{position}]")
            elif steps:
                steps[-1] = f"{steps[-1]}[{position}]"
            parent = _XML_ITEMS.get(parent, parent)
            continue
        if parent in _XML_ATTRIBUTE_PARENTS and token not in ("sensorReport", "sensorMetadata"):
            steps.append(f"@{token}")
        elif token in ("bizTransaction", "source", "destination") and parent == token:
            pass  # the element's own text
        else:
            steps.append(_XML_NAMES.get(token, token))
        parent = _XML_NAMES.get(token, token)
    return "/".join([root, *steps]) if steps else root


def _event_step(event: Any, position: int, document: Any, tokens: list[str]) -> str:
    kind = event.get("type") if isinstance(event, Mapping) else None
    if not isinstance(kind, str) or kind not in EVENT_TYPES or document is None:
        return f"*[{position}]"
    events: Any = document
    for token in tokens:
        if isinstance(events, list):
            break
        events = events.get(token) if isinstance(events, Mapping) else None
    if not isinstance(events, list):
        return f"*[{position}]"
    same = sum(
        1 for e in events[: position - 1] if isinstance(e, Mapping) and e.get("type") == kind
    )
    return f"{kind}[{same + 1}]"
