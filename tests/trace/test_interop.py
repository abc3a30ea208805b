"""Issue 12, identifiers and bindings: how Plateau's EPCIS repository meets its peers' data."""

from __future__ import annotations

from plateau.trace import output
from plateau.trace.epcis import validation
from plateau.trace.epcis.xml import to_xml
from plateau.trace.identifiers import check_digit

GLN_030001 = "https://id.gs1.org/414/030001111124" + check_digit("030001111124")
BOOKLAND = "https://id.gs1.org/01/09780345418913/21/1"


def _event(**fields: object) -> dict[str, object]:
    return {
        "type": "ObjectEvent",
        "eventTime": "2024-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": [],
        **fields,
    }


# --- identifier forms in the output -----------------------------------------------------


def test_urn_output_splits_the_prefix_as_gs1s_table_says_and_names_what_it_derived() -> None:
    event = _event(epcList=["urn:epc:id:sgtin:4012345.012345.a%21"], readPoint={"id": GLN_030001})
    document = output.query_document([event], fmt="Always_EPC_URN")
    results = document["epcisBody"]["queryResults"]
    spelt = results["resultsBody"]["eventList"][0]
    assert spelt["readPoint"]["id"] == "urn:epc:id:sgln:030001.111124.0"
    # A URN as captured stays exactly as the partner wrote it (its escapes too).
    assert spelt["epcList"] == ["urn:epc:id:sgtin:4012345.012345.a%21"]
    assert results[output.IDENTIFIER_FORMS] == [
        {"value": "urn:epc:id:sgln:030001.111124.0", "derivedFrom": GLN_030001}
    ]
    assert {"plateau": output.PLATEAU_NS} in document["@context"]
    assert validation.validate_document(document) == []
    assert validation.validate_xml(to_xml(document)) == []


def test_urn_output_keeps_a_digital_link_whose_prefix_length_is_unknown_and_says_so() -> None:
    document = output.query_document([_event(epcList=[BOOKLAND])], fmt="Always_EPC_URN")
    results = document["epcisBody"]["queryResults"]
    assert results["resultsBody"]["eventList"][0]["epcList"] == [BOOKLAND]
    (form,) = results[output.IDENTIFIER_FORMS]
    assert form["value"] == BOOKLAND
    assert form["untranslated"] == "companyPrefixLengthUnknown"
    assert "978034541891" in form["reason"]


def test_output_as_captured_carries_no_annotation() -> None:
    document = output.query_document([_event(epcList=[BOOKLAND])], fmt="Always_GS1_Digital_Link")
    assert output.IDENTIFIER_FORMS not in document["epcisBody"]["queryResults"]
    assert document["@context"] == [output.cbv.CONTEXT_URL]
