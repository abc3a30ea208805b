"""Validation over the EPCIS conformance corpus, rule by rule, and the CBV vocabularies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plateau.i18n import get_locale, set_locale
from plateau.trace.epcis import cbv
from plateau.trace.epcis.validation import (
    Problem,
    ValidationReport,
    pointer_to_xpath,
    report,
    validate_document,
    validate_payload,
    validate_query,
    validate_xml,
)
from tests.trace.conftest import (
    CORPUS,
    EXAMPLES,
    KNOWN_NON_CONFORMING,
    KNOWN_NON_CONFORMING_12,
    OPENEPCIS,
    STALE_SIMPLE_CONTEXT,
    corpus_id,
    gs1_json_examples,
    gs1_xml_12_examples,
    gs1_xml_examples,
    is_query_definition,
    openepcis_files,
    requires_corpus,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Messages are asserted in English; leave the locale as other test modules found it.
    before = get_locale()
    set_locale("en")
    yield
    set_locale(before)


def problems_of(path: Path) -> list[Problem]:
    """Validate a corpus file the way capture would: XML by the XSDs, JSON by the schema."""
    if path.suffix == ".xml":
        return validate_xml(path.read_bytes())
    document = json.loads(path.read_text(encoding="utf-8"))
    if is_query_definition(path):
        return validate_query(document)
    return validate_document(document)


def _valid_corpus() -> list[Path]:
    paths = (
        gs1_json_examples()
        + gs1_xml_examples()
        + [EXAMPLES / "xml/WithEventHashID/event_with_identical_hash_id_7.json"]
        + openepcis_files("json", invalid=False)
        + openepcis_files("xml", invalid=False)
    )
    return [p for p in paths if p.exists()]


VALID = [p for p in _valid_corpus() if corpus_id(p) not in KNOWN_NON_CONFORMING]
NON_CONFORMING = [p for p in _valid_corpus() if corpus_id(p) in KNOWN_NON_CONFORMING]
INVALID = openepcis_files("json", invalid=True) + openepcis_files("xml", invalid=True)


@requires_corpus
@pytest.mark.parametrize("path", VALID, ids=corpus_id)
def test_every_valid_corpus_document_passes(path: Path) -> None:
    assert problems_of(path) == []


@requires_corpus
@pytest.mark.parametrize("path", NON_CONFORMING, ids=corpus_id)
def test_documents_published_as_valid_that_do_not_conform_are_refused_for_the_known_reason(
    path: Path,
) -> None:
    rule, where, _why = KNOWN_NON_CONFORMING[corpus_id(path)]
    found = problems_of(path)
    assert any(p.rule == rule and where in p.path for p in found), found


# Each deliberately invalid OpenEPCIS file, with a problem that must be among those reported.
EXPECTED_INVALID: dict[str, tuple[str, str]] = {
    "JSON/Capture/Invalid/Combination_of_events_with_missing_mandatory_fields.json": (
        "json-schema:required",
        "/epcisBody/eventList/1/eventTimeZoneOffset",
    ),
    "JSON/Capture/Invalid/Combination_of_multiple_invalid_fields.json": (
        "cbv:SDT",
        "/epcisBody/eventList/2/sourceList/0/type",
    ),
    "JSON/Capture/Invalid/Combination_of_non_standard_bizStep_and_disposition.json": (
        "cbv:Disp",
        "/epcisBody/eventList/1/disposition",
    ),
    "JSON/Capture/Invalid/EPCISDocument_without_context.json": (
        "json-schema:required",
        "/@context",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_ilmd_field_without_namespace.json": (
        "extension:not-namespaced",
        "/epcisBody/eventList/0/ilmd/materialType",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_invalid_action.json": (
        "event:action-value",
        "/epcisBody/eventList/0/action",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_invalid_certificationInfo.json": (
        "json-schema:type",
        "/epcisBody/eventList/0/certificationInfo",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_invalid_eventTime_format.json": (
        "json-schema:format",
        "/epcisBody/eventList/0/eventTime",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_non_standard_bizStep.json": (
        "cbv:BizStep",
        "/epcisBody/eventList/0/bizStep",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json": (
        "cbv:BizStep",
        "/epcisBody/eventList/1/bizStep",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_non_standard_disposition.json": (
        "cbv:Disp",
        "/epcisBody/eventList/0/disposition",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_quantity_as_text.json": (
        "json-schema:type",
        "/epcisBody/eventList/0/quantityList/0/quantity",
    ),
    "JSON/Capture/Invalid/ObjectEvent_with_unknown_field_in_quantityList.json": (
        "json-schema:additionalProperties",
        "/epcisBody/eventList/0/quantityList/0/weight",
    ),
    "JSON/Capture/Invalid/ObjectEvent_without_action_and_eventTime.json": (
        "event:action-required",
        "/epcisBody/eventList/0/action",
    ),
    "JSON/Capture/Invalid/ObjectEvent_without_identifier_list.json": (
        "event:what",
        "/epcisBody/eventList/0",
    ),
    "JSON/Query/Invalid/QueryDocument_with_invalid_action.json": (
        "event:action-value",
        "/epcisBody/queryResults/resultsBody/eventList/0/action",
    ),
    "JSON/Query/Invalid/QueryDocument_with_invalid_eventType.json": (
        "event:type",
        "/epcisBody/queryResults/resultsBody/eventList/0/type",
    ),
    "JSON/Query/Queries/Invalid/Query_with_invalid_values.json": (
        "query-schema:enum",
        "/orderDirection",
    ),
    "JSON/Query/Queries/Invalid/Query_with_unknown_parameter.json": (
        "query-schema:additionalProperties",
        "/GE_eventDate",
    ),
    "XML/Capture/Invalid/ObjectEvent_bare_event_without_action.xml": (
        "event:action-required",
        "/ObjectEvent/action",
    ),
    "XML/Capture/Invalid/ObjectEvent_with_invalid_action.xml": (
        "xsd:cvc_enumeration_valid",
        "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/action",
    ),
    "XML/Capture/Invalid/ObjectEvent_with_invalid_eventTime_format.xml": (
        "xsd:cvc_datatype_valid_1_2_1",
        "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/eventTime",
    ),
    "XML/Capture/Invalid/ObjectEvent_with_near_miss_action.xml": (
        "event:action-value",
        "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[1]/action",
    ),
    "XML/Capture/Invalid/ObjectEvent_with_unknown_element.xml": (
        "extension:not-namespaced",
        "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[1]/madeUpField",
    ),
    "XML/Capture/Invalid/ObjectEvent_with_wrong_element_order.xml": (
        "xsd:element_content",
        "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/action",
    ),
    "XML/Capture/Invalid/ObjectEvent_without_eventTime.xml": (
        "xsd:element_content",
        "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent/eventTimeZoneOffset",
    ),
    "XML/Query/Invalid/QueryDocument_with_invalid_action.xml": (
        "event:action-value",
        "/EventList/ObjectEvent[1]/action",
    ),
    "XML/Query/Invalid/QueryDocument_with_invalid_eventType.xml": (
        "event:type",
        "/EventList/*[1]",
    ),
    "XML/Query/Invalid/QueryDocument_with_missing_value.xml": (
        "xsd:element_content",
        "/epcisq:Poll/params/param[2]",
    ),
    "XML/Query/Queries/Invalid/Query_without_queryName.xml": (
        "xsd:element_content",
        "/epcisq:EPCISQueryDocument/EPCISBody/epcisq:Poll/params",
    ),
}


def _short(path: Path) -> str:
    return str(path.relative_to(OPENEPCIS / "2.0" / "EPCIS"))


def _first_problem_id(path: Path) -> str:
    # The id shows what a reader of the test report wants: the file and its first problem.
    found = problems_of(path)
    first = f"{found[0].rule}@{found[0].path}" if found else "NO PROBLEM"
    return f"{_short(path)} -> {first}"


@requires_corpus
@pytest.mark.parametrize("path", INVALID, ids=[_first_problem_id(p) for p in INVALID])
def test_every_invalid_corpus_document_is_refused_with_a_telling_problem(path: Path) -> None:
    rule, where = EXPECTED_INVALID[_short(path)]
    found = problems_of(path)
    assert found, "an invalid document passed"
    assert any(p.rule == rule and where in p.path for p in found), found
    for problem in found:
        assert problem.path.startswith("/") and problem.rule and problem.message


@requires_corpus
def test_every_invalid_file_has_an_expectation() -> None:
    assert {_short(p) for p in INVALID} == set(EXPECTED_INVALID)


@requires_corpus
@pytest.mark.parametrize("name", sorted(STALE_SIMPLE_CONTEXT))
def test_stale_simple_context_examples_are_refused(name: str) -> None:
    rule, where = STALE_SIMPLE_CONTEXT[name]
    path = EXAMPLES / "json-simple-context" / name
    found = problems_of(path)
    assert any(p.rule == rule and p.path == where for p in found), found


def _epcis_12() -> list[Path]:
    return gs1_xml_12_examples() + sorted((OPENEPCIS / "1.2").glob("**/*.xml"))


@requires_corpus
@pytest.mark.parametrize("path", _epcis_12(), ids=corpus_id)
def test_epcis_12_documents_are_validated_by_the_12_xsd(path: Path) -> None:
    found = problems_of(path)
    expected = KNOWN_NON_CONFORMING_12.get(corpus_id(path))
    if expected is None:
        assert found == []
    else:
        rule, where = expected
        assert any(p.rule == rule and where in p.path for p in found), found


@requires_corpus
def test_the_corpus_is_all_there() -> None:
    # Guards against a silently empty parametrisation when the corpus moves.
    assert CORPUS.is_dir()
    assert len(gs1_json_examples()) == 47
    assert len([p for p in gs1_xml_examples() if p.suffix == ".xml"]) == 37
    assert len(INVALID) == len(EXPECTED_INVALID) == 30


# ---------------------------------------------------------------------------------------------
# The rules, one by one, on small documents

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def document(*events: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return {
        "@context": context or [CONTEXT, {"plateau": "https://plateau.example.cn/epcis/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-01T08:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def observe(**fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2024-05-01T10:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": ["https://id.gs1.org/01/06901234123457/21/1001"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": {"id": "https://id.gs1.org/414/6901234000017"},
    }
    event.update(fields)
    return {k: v for k, v in event.items() if v is not None}


def rules(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p.rule, p.path) for p in validate_document(doc)}


E0 = "/epcisBody/eventList/0"


def test_a_good_event_passes() -> None:
    assert validate_document(document(observe())) == []


@pytest.mark.parametrize(
    "value",
    [
        "shipping",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "https://plateau.example.cn/bizstep/grading",
        "urn:plateau:bizstep:grading",
    ],
)
def test_cbv_terms_their_web_uris_and_user_uris_are_allowed(value: str) -> None:
    assert validate_document(document(observe(bizStep=value))) == []


def test_a_bare_word_that_is_no_cbv_term_is_refused() -> None:
    assert rules(document(observe(bizStep="grading"))) == {("cbv:BizStep", f"{E0}/bizStep")}


def test_an_unknown_term_in_a_cbv_namespace_is_refused() -> None:
    found = rules(document(observe(disposition="https://ref.gs1.org/cbv/Disp-lost")))
    assert found == {("cbv:Disp", f"{E0}/disposition")}


def test_urns_of_cbv_terms_are_refused_in_json_with_the_bare_term_suggested() -> None:
    (problem,) = validate_document(document(observe(bizStep="urn:epcglobal:cbv:bizstep:shipping")))
    assert problem.rule == "cbv:BizStep" and "shipping" in problem.message


def test_transaction_source_destination_and_sensor_vocabularies_are_checked() -> None:
    event = observe(
        bizTransactionList=[{"type": "invoice", "bizTransaction": "urn:plateau:bt:1"}],
        sourceList=[{"type": "owner", "source": "urn:plateau:party:1"}],
        destinationList=[{"type": "location", "destination": "urn:plateau:loc:1"}],
        sensorElementList=[{"sensorReport": [{"type": "Temperatur", "value": 4, "uom": "CEL"}]}],
    )
    assert rules(document(event)) == {
        ("cbv:BTT", f"{E0}/bizTransactionList/0/type"),
        ("cbv:SDT", f"{E0}/sourceList/0/type"),
        ("cbv:MeasurementType", f"{E0}/sensorElementList/0/sensorReport/0/type"),
    }


def test_extension_fields_need_a_declared_namespace_outside_gs1() -> None:
    event = observe(
        **{
            "plateau:grade": "A",
            "grade": "A",
            "nowhere:grade": "A",
            "gs1:grade": "A",
            "https://plateau.example.cn/epcis/batch": "B1",
        }
    )
    assert rules(document(event)) == {
        ("extension:not-namespaced", f"{E0}/grade"),
        ("extension:undeclared-prefix", f"{E0}/nowhere:grade"),
        ("extension:gs1-namespace", f"{E0}/gs1:grade"),
    }


def test_cbv_master_data_attributes_are_allowed_in_ilmd() -> None:
    event = observe(action="ADD", bizStep="commissioning", ilmd={"cbvmda:lotNumber": "L1"})
    assert validate_document(document(event)) == []


def test_an_embedded_context_declares_prefixes_for_its_event_only() -> None:
    scoped = observe(**{"@context": {"yak": "https://yak.example.cn/"}, "yak:herd": "H1"})
    assert validate_document(document(scoped, context=CONTEXT)) == []
    unscoped = observe(**{"yak:herd": "H1"})
    found = rules(document(scoped, unscoped, context=CONTEXT))
    assert found == {("extension:undeclared-prefix", "/epcisBody/eventList/1/yak:herd")}


def test_time_zone_offsets_are_checked_in_xml_too() -> None:
    found = rules(document(observe(eventTimeZoneOffset="+8:00")))
    assert found == {("event:timezone-offset", f"{E0}/eventTimeZoneOffset")}
    xml = _xml_event("<eventTimeZoneOffset>+15:00</eventTimeZoneOffset>")
    assert any(p.rule == "event:timezone-offset" for p in validate_xml(xml))


def test_actions_are_required_except_on_transformations_where_they_are_forbidden() -> None:
    assert rules(document(observe(action=None))) == {("event:action-required", f"{E0}/action")}
    transformation = {
        "type": "TransformationEvent",
        "eventTime": "2024-05-01T10:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.012345.B1", "quantity": 3}],
        "outputEPCList": ["urn:epc:id:sgtin:6901234.012346.1"],
    }
    assert ("event:action-forbidden", f"{E0}/action") in rules(document(transformation))


def test_aggregations_that_add_or_delete_name_their_parent() -> None:
    aggregation = {
        "type": "AggregationEvent",
        "eventTime": "2024-05-01T10:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "childEPCs": ["urn:epc:id:sgtin:6901234.012345.1001"],
        "action": "ADD",
        "bizStep": "packing",
    }
    assert rules(document(aggregation)) == {("aggregation:parent-required", f"{E0}/parentID")}
    aggregation["action"] = "OBSERVE"
    assert validate_document(document(aggregation)) == []


def test_quantities_units_and_counts() -> None:
    class_id = "urn:epc:class:lgtin:6901234.012345.L1"
    event = observe(
        epcList=None,
        quantityList=[
            {"epcClass": class_id, "quantity": 12.5, "uom": "KGM"},
            {"epcClass": class_id, "uom": "KGM"},
            {"epcClass": class_id, "quantity": 2.5},
            {"epcClass": class_id, "quantity": -1, "uom": "KGM"},
        ],
    )
    assert rules(document(event)) == {
        ("quantity:uom-without-quantity", f"{E0}/quantityList/1/uom"),
        ("quantity:count-not-integer", f"{E0}/quantityList/2/quantity"),
        ("quantity:negative", f"{E0}/quantityList/3/quantity"),
    }


def test_ilmd_needs_an_adding_object_event() -> None:
    found = rules(document(observe(ilmd={"plateau:origin": "Nagqu"})))
    assert found == {("event:ilmd-needs-add", f"{E0}/ilmd")}


def test_identifiers_must_be_absolute_uris_and_unique() -> None:
    event = observe(
        epcList=["urn:epc:id:sgtin:6901234.012345.1", "urn:epc:id:sgtin:6901234.012345.1"]
    )
    assert ("epc:duplicate", f"{E0}/epcList/1") in rules(document(event))
    found = rules(document(observe(readPoint={"id": "dock 7"})))
    assert ("uri:absolute", f"{E0}/readPoint/id") in found


def test_event_hash_ids_have_the_cbv_form() -> None:
    found = rules(document(observe(eventID="ni:///sha-256;abc?ver=CBV2.0")))
    assert found == {("event:event-hash-form", f"{E0}/eventID")}


def test_error_declarations_need_their_time() -> None:
    xml = _xml_event(
        "<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>"
        "<errorDeclaration><reason>urn:epcglobal:cbv:er:incorrect_data</reason></errorDeclaration>"
    )
    found = validate_xml(xml)
    assert [p.rule for p in found] == ["errorDeclaration:time-required"]
    assert found[0].path.endswith("ObjectEvent[1]/errorDeclaration/declarationTime")


def test_bare_words_are_refused_where_xml_needs_uris() -> None:
    # A word that is no term of the field's list is refused; a term is normalised (notes),
    # and refused only in strict mode (tests/trace/test_interop.py).
    xml = _xml_event("<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>", biz_step="shippin")
    problem, _unknown_term = validate_xml(xml)
    assert problem.rule == "cbv:xml-form" and problem.path.endswith("/bizStep")
    term = _xml_event("<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>", biz_step="shipping")
    assert validate_xml(term) == []
    (strict,) = validate_xml(term, strict=True)
    assert strict.rule == "cbv:xml-bare-word" and strict.path.endswith("/bizStep")


def test_malformed_xml_and_json_are_problems_not_exceptions() -> None:
    assert [p.rule for p in validate_xml(b"<EPCISDocument")] == ["xml:well-formed"]
    assert [p.rule for p in validate_xml(b"<html/>")] == ["xsd:cvc_elt_1", "xml:binding"]
    _doc, outcome = validate_payload(b"{oops", "application/json")
    assert not outcome.ok and outcome.problems[0].rule == "json:well-formed"
    assert [p.rule for p in validate_document([1, 2])] == ["json:object"]


def test_validate_payload_returns_the_document_and_its_report() -> None:
    good = json.dumps(document(observe())).encode()
    parsed, outcome = validate_payload(good, "application/ld+json")
    assert outcome.ok and parsed is not None and parsed["type"] == "EPCISDocument"
    xml = _xml_event("<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>")
    parsed, outcome = validate_payload(xml, "application/xml")
    assert outcome.ok and parsed is not None
    assert parsed["epcisBody"]["eventList"][0]["bizStep"] == "shipping"


def test_a_report_summarises_its_problems() -> None:
    problems = [Problem(f"/p/{i}", "rule:x", f"message {i}") for i in range(12)]
    outcome = report(problems)
    assert not outcome.ok and ValidationReport().ok
    detail = outcome.detail(limit=2)
    assert detail.splitlines() == [
        "/p/0: message 0 [rule:x]",
        "/p/1: message 1 [rule:x]",
        "… and 10 more.",
    ]


def test_messages_are_translated() -> None:
    set_locale("zh_Hans_CN")
    (problem,) = validate_document(document(observe(bizStep="grading")))
    assert problem.rule == "cbv:BizStep"
    assert "CBV" in problem.message and "不是" in problem.message


def test_queries_are_checked_against_the_rest_query_schema() -> None:
    good = {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/query-schema.json",
        "EQ_bizStep": ["shipping"],
        "EQ_plateau:grade": ["A"],
        "GE_eventTime": "2024-01-01T00:00:00Z",
    }
    # GS1's patterns for extension filters are escaped twice; ours match EQ_prefix:name.
    assert validate_query(good) == []
    assert validate_document(good) == []
    bad = {**good, "EQ_bizStep": ["grading"], "GE_eventDate": "2024-01-01T00:00:00Z"}
    assert {(p.rule, p.path) for p in validate_query(bad)} == {
        ("cbv:BizStep", "/EQ_bizStep/0"),
        ("query-schema:additionalProperties", "/GE_eventDate"),
    }


def test_pointers_become_xpaths_of_the_xml_form() -> None:
    doc = document(observe(), {"type": "AggregationEvent"}, observe())
    pointer = "/epcisBody/eventList/2/bizTransactionList/1/type"
    assert pointer_to_xpath(pointer, "/epcis:EPCISDocument", doc) == (
        "/epcis:EPCISDocument/EPCISBody/EventList/ObjectEvent[2]/bizTransactionList/bizTransaction[2]/@type"
    )
    pointer = "/epcisBody/eventList/0/sensorElementList/0/sensorReport/3/value"
    assert pointer_to_xpath(pointer, "/epcis:EPCISDocument", doc).endswith(
        "ObjectEvent[1]/sensorElementList/sensorElement[1]/sensorReport[4]/@value"
    )


def _xml_event(extra: str, *, biz_step: str = "urn:epcglobal:cbv:bizstep:shipping") -> bytes:
    return (
        '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
        'creationDate="2024-05-01T08:00:00Z"><EPCISBody><EventList><ObjectEvent>'
        "<eventTime>2024-05-01T10:00:00+08:00</eventTime>"
        f"{extra}"
        "<epcList><epc>urn:epc:id:sgtin:6901234.012345.1001</epc></epcList>"
        f"<action>OBSERVE</action><bizStep>{biz_step}</bizStep>"
        "</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"
    ).encode()


# ---------------------------------------------------------------------------------------------
# CBV


def test_cbv_vocabularies_come_from_gs1s_context() -> None:
    assert len(cbv.biz_step().terms) == 41 and "sensor_reporting" in cbv.biz_step().terms
    assert len(cbv.disposition().terms) == 33
    assert cbv.biz_transaction_type().terms >= {"po", "inv", "desadv", "prodorder"}
    assert cbv.source_dest_type().terms == {"owning_party", "possessing_party", "location"}
    assert cbv.error_reason().terms == {"did_not_occur", "incorrect_data"}
    assert "Temperature" in cbv.measurement_type().terms
    assert cbv.sensor_alert_type().terms == {"ALARM_CONDITION", "ERROR_CONDITION"}
    assert "latitude" in cbv.component().terms


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("shipping", cbv.Form.BARE),
        ("urn:epcglobal:cbv:bizstep:shipping", cbv.Form.URN),
        ("https://ref.gs1.org/cbv/BizStep-shipping", cbv.Form.WEB),
        ("http://ns.gs1.org/cbv/BizStep-shipping", cbv.Form.WEB),
        ("cbv:BizStep-shipping", cbv.Form.CURIE),
        ("urn:epcglobal:cbv:bizstep:grading", None),
        ("https://plateau.example.cn/bizstep/grading", None),
    ],
)
def test_a_cbv_term_is_recognised_in_each_of_its_forms(value: str, form: cbv.Form | None) -> None:
    assert cbv.biz_step().form(value) == form
    if form is not None:
        assert cbv.to_bare(cbv.biz_step(), value) == "shipping"
        assert cbv.to_urn(cbv.biz_step(), value) == "urn:epcglobal:cbv:bizstep:shipping"
        assert cbv.to_web_uri(cbv.biz_step(), value) == "https://ref.gs1.org/cbv/BizStep-shipping"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("in_transit", cbv.Status.STANDARD),
        ("https://plateau.example.cn/disp/graded", cbv.Status.USER_DEFINED),
        ("urn:plateau:disp:graded", cbv.Status.USER_DEFINED),
        ("graded", cbv.Status.UNKNOWN_TERM),
        ("urn:epcglobal:cbv:disp:graded", cbv.Status.UNKNOWN_TERM),
        ("https://ref.gs1.org/cbv/graded", cbv.Status.UNKNOWN_TERM),
        ("urn:epcglobal:cbv:bizstep:shipping", cbv.Status.UNKNOWN_TERM),
        ("", cbv.Status.INVALID),
        ("not a uri:really", cbv.Status.INVALID),
    ],
)
def test_values_are_terms_user_uris_or_errors(value: str, status: cbv.Status) -> None:
    assert cbv.status(cbv.disposition(), value) == status


def test_measurement_types_use_the_gs1_web_vocabulary() -> None:
    types = cbv.measurement_type()
    assert types.bare("gs1:Temperature") == "Temperature"
    assert types.bare("https://gs1.org/voc/Temperature") == "Temperature"
    assert cbv.status(types, "gs1:EffectiveDoseRate") == cbv.Status.UNKNOWN_TERM
    assert cbv.status(types, "example:Abc") == cbv.Status.USER_DEFINED
