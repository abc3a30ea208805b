"""Issue 12, identifiers and bindings: how Plateau's EPCIS repository meets its peers' data."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.trace import output
from plateau.trace.epcis import validation
from plateau.trace.epcis.xml import to_xml
from plateau.trace.identifiers import check_digit
from plateau.trace.models import CaptureJob, EpcisEvent
from tests.builders import bearer
from tests.trace import test_capture_builders as shared

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
admin_token, client, epcis_app, enterprise, enterprise_token = (
    shared.admin_token,
    shared.client,
    shared.epcis_app,
    shared.enterprise,
    shared.enterprise_token,
)

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


# --- capture: lenient inputs, strict mode, queries, eventIDs ----------------------------

QUANTITY_EVENT_12 = b"""<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2"
    creationDate="2024-05-01T08:00:00Z">
  <EPCISBody><EventList>
    <QuantityEvent>
      <eventTime>2024-05-01T10:00:00+08:00</eventTime>
      <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
      <epcClass>urn:epc:class:lgtin:4012345.012345.LOT7</epcClass>
      <quantity>200</quantity>
      <bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>
      <readPoint><id>urn:epc:id:sgln:4012345.00001.0</id></readPoint>
    </QuantityEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>"""

SENSOR_WITH_BARE_WORD = b"""<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
    creationDate="2024-05-01T08:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2024-05-01T10:00:00+08:00</eventTime>
      <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:4012345.012345.77</epc></epcList>
      <action>OBSERVE</action>
      <sensorElementList><sensorElement>
        <sensorMetadata time="2024-05-01T10:00:00+08:00"/>
        <sensorReport type="gs1:Temperature" value="31.5" uom="CEL" exception="ALARM_CONDITION"/>
      </sensorElement></sensorElementList>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>"""

POLL = b"""<?xml version="1.0" encoding="UTF-8"?>
<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2" schemaVersion="2.0"
    creationDate="2024-05-01T08:00:00Z">
  <EPCISBody><epcisq:Poll><queryName>SimpleEventQuery</queryName><params>
    <param><name>EQ_bizStep</name><value><string>shipping</string></value></param>
  </params></epcisq:Poll></EPCISBody>
</epcisq:EPCISQueryDocument>"""


def _post_xml(client: TestClient, token: str, body: bytes, **headers: str) -> Response:
    return client.post(
        "/epcis/capture",
        content=body,
        headers={**bearer(token), "Content-Type": "application/xml", **headers},
    )


def _job(client: TestClient, token: str, resp: Response) -> dict[str, Any]:
    assert resp.status_code == 202, resp.text
    job = client.get(resp.headers["Location"], headers=bearer(token))
    assert job.status_code == 200
    body: dict[str, Any] = job.json()
    return body


def test_a_bare_cbv_word_is_normalised_and_reported_in_the_job(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    job = _job(client, enterprise_token, _post_xml(client, enterprise_token, SENSOR_WITH_BARE_WORD))
    assert job["storedCount"] == 1 and job["success"]
    (note,) = job["notes"]
    assert note["rule"] == "cbv:xml-bare-word"
    assert note["instance"].endswith("/sensorReport/@exception")
    assert "ALARM_CONDITION" in note["detail"]
    stored = session.scalar(select(EpcisEvent.event_json))
    assert stored["sensorElementList"][0]["sensorReport"][0]["exception"] == "ALARM_CONDITION"


def test_strict_capture_refuses_the_bare_word(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    resp = _post_xml(
        client, enterprise_token, SENSOR_WITH_BARE_WORD, **{"Plateau-Capture-Strict": "true"}
    )
    assert resp.status_code == 400
    assert "[cbv:xml-bare-word]" in resp.json()["detail"]
    assert session.scalar(select(func.count()).select_from(EpcisEvent)) == 0
    bad = _post_xml(
        client, enterprise_token, SENSOR_WITH_BARE_WORD, **{"Plateau-Capture-Strict": "yes"}
    )
    assert bad.status_code == 400 and "Plateau-Capture-Strict" in bad.json()["detail"]


def test_a_1_2_quantity_event_becomes_an_object_event_with_a_quantity_list(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    job = _job(client, enterprise_token, _post_xml(client, enterprise_token, QUANTITY_EVENT_12))
    assert job["storedCount"] == 1
    (note,) = job["notes"]
    assert note["rule"] == "epcis:1.2-quantity-event" and "ObjectEvent" in note["detail"]
    stored = session.scalar(select(EpcisEvent.event_json))
    assert stored["type"] == "ObjectEvent" and stored["action"] == "OBSERVE"
    assert stored["epcList"] == []
    assert stored["quantityList"] == [
        {"epcClass": "urn:epc:class:lgtin:4012345.012345.LOT7", "quantity": 200}
    ]
    assert "epcClass" not in stored and "quantity" not in stored
    strict = _post_xml(
        client, enterprise_token, QUANTITY_EVENT_12, **{"Plateau-Capture-Strict": "true"}
    )
    assert strict.status_code == 400 and "epcis:1.2-quantity-event" in strict.json()["detail"]


def test_a_poll_sent_to_capture_is_told_it_is_a_query(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    resp = _post_xml(client, enterprise_token, POLL)
    assert resp.status_code == 400
    detail = resp.json()["detail"]
    assert "[capture:query-document]" in detail and "Poll" in detail
    assert "None" not in detail
    assert session.scalar(select(func.count()).select_from(CaptureJob)) == 0
