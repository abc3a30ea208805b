"""Capture through the REST binding: jobs, idempotency, validation, limits, versions."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.settings import get_settings
from plateau.trace.epcis import hashing
from plateau.trace.epcis.models import CaptureJob, EpcisEvent, EpcisEventEpc
from plateau.trace.epcis.xml import to_xml
from tests.builders import bearer
from tests.trace.epcis import test_capture_builders as shared
from tests.trace.epcis.test_capture_builders import (
    CONTEXT,
    capture,
    captured,
    document,
    events,
    ids,
    object_event,
    sgln,
    sgtin,
)

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
admin_token, client, epcis_app, enterprise, enterprise_token = (
    shared.admin_token,
    shared.client,
    shared.epcis_app,
    shared.enterprise,
    shared.enterprise_token,
)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EpcisEvent)) or 0


def test_capture_answers_202_with_the_job_location(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    event = object_event([sgtin(serial=1), sgtin(serial=2)], read_point=sgln())
    resp = capture(client, enterprise_token, document(event))
    assert resp.status_code == 202, resp.text
    location = resp.headers["Location"]
    assert location.startswith("/epcis/capture/")
    assert resp.headers["GS1-EPCIS-Version"] == "2.0.0"
    assert resp.headers["GS1-CBV-Version"] == "2.0.0"
    job = client.get(location, headers=bearer(enterprise_token))
    assert job.status_code == 200
    body = job.json()
    assert body["captureID"] == location.rsplit("/", 1)[1]
    assert body["running"] is False and body["success"] is True
    assert body["captureErrorBehaviour"] == "rollback"
    assert body["errors"] == [] and body["storedCount"] == 1
    stored = session.scalars(select(EpcisEvent)).one()
    assert stored.event_hash == hashing.event_hash(event)
    assert stored.captured_by_enterprise is not None
    assert stored.event_json["eventID"] == stored.event_hash  # filled in: none was sent
    roles = session.execute(select(EpcisEventEpc.role, EpcisEventEpc.epc)).all()
    assert ("epc", "https://id.gs1.org/01/10614141073464/21/1") in roles


def test_the_same_event_twice_even_as_xml_is_stored_once(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    doc = document(object_event(biz_location=sgln("00888")))
    first = captured(client, enterprise_token, *doc["epcisBody"]["eventList"])
    assert first["storedCount"] == 1
    again = captured(client, enterprise_token, *doc["epcisBody"]["eventList"])
    assert again["storedCount"] == 0 and again["duplicateCount"] == 1 and again["success"]
    xml = client.post(
        "/epcis/capture",
        content=to_xml(doc),
        headers={**bearer(enterprise_token), "Content-Type": "application/xml"},
    )
    assert xml.status_code == 202, xml.text
    job = client.get(xml.headers["Location"], headers=bearer(enterprise_token)).json()
    assert job["duplicateCount"] == 1 and job["storedCount"] == 0
    assert _count(session) == 1


def test_two_spellings_of_one_event_are_one_event(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    urn = object_event(["urn:epc:id:sgtin:0614141.107346.2017"], read_point=sgln("07346", "1234"))
    link = copy.deepcopy(urn)
    link["epcList"] = ["https://example.com/01/10614141073464/21/2017"]
    link["eventTime"] = "2024-05-01T02:00:00Z"
    captured(client, enterprise_token, urn)
    job = captured(client, enterprise_token, link)
    assert job["duplicateCount"] == 1
    assert _count(session) == 1


def test_an_invalid_event_rejects_the_whole_document(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    bad = object_event(biz_step="shippping")
    resp = capture(client, enterprise_token, document(object_event(), bad))
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["type"] == "epcisException:ValidationException"
    assert problem["status"] == 400 and problem["title"]
    assert "/epcisBody/eventList/1/bizStep" in problem["detail"]
    assert "cbv:BizStep" in problem["detail"]
    assert _count(session) == 0
    assert session.scalar(select(func.count()).select_from(CaptureJob)) == 0


def test_proceed_stores_the_valid_events_and_lists_the_others(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    good, bad = object_event(), object_event(action="MOVE")
    resp = capture(
        client,
        enterprise_token,
        document(good, bad, object_event()),
        GS1_Capture_Error_Behaviour="proceed",
    )
    assert resp.status_code == 202, resp.text
    job = client.get(resp.headers["Location"], headers=bearer(enterprise_token)).json()
    assert job["running"] is False and job["success"] is False
    assert job["captureErrorBehaviour"] == "proceed"
    assert job["storedCount"] == 2 and job["refusedCount"] == 1
    [error] = job["errors"]
    assert error["type"] == "epcisException:ValidationException"
    assert error["instance"] == "#/epcisBody/eventList/1"
    assert "/epcisBody/eventList/1/action" in error["detail"]
    assert _count(session) == 2


def test_proceed_works_for_xml_too(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    good = object_event()
    bad = object_event(biz_step="shipping")
    xml = to_xml(document(good, bad)).replace(
        b"urn:epcglobal:cbv:bizstep:shipping", b"urn:epcglobal:cbv:bizstep:shippping", 1
    )
    resp = client.post(
        "/epcis/capture",
        content=xml,
        headers={
            **bearer(enterprise_token),
            "Content-Type": "application/xml",
            "GS1-Capture-Error-Behaviour": "proceed",
        },
    )
    assert resp.status_code == 202, resp.text
    job = client.get(resp.headers["Location"], headers=bearer(enterprise_token)).json()
    assert job["storedCount"] == 1 and job["refusedCount"] == 1
    assert "ObjectEvent[1]/bizStep" in job["errors"][0]["detail"]
    assert _count(session) == 1


def test_a_broken_document_is_refused_even_with_proceed(
    client: TestClient, enterprise_token: str
) -> None:
    doc = document(object_event())
    del doc["schemaVersion"]
    resp = capture(client, enterprise_token, doc, GS1_Capture_Error_Behaviour="proceed")
    assert resp.status_code == 400
    assert "schemaVersion" in resp.json()["detail"]
    resp = client.post(
        "/epcis/capture",
        content=b"{not json",
        headers={**bearer(enterprise_token), "Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.json()["type"] == "epcisException:ValidationException"


def test_limits_answer_413(
    client: TestClient,
    enterprise_token: str,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "epcis_capture_limit", 2)
    resp = capture(client, enterprise_token, document(*(object_event() for _ in range(3))))
    assert resp.status_code == 413
    assert resp.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert resp.headers["GS1-EPCIS-Capture-Limit"] == "2"
    client.app.state.settings.max_upload_bytes = 600  # type: ignore[attr-defined]
    resp = capture(client, enterprise_token, document(object_event(), object_event()))
    assert resp.status_code == 413
    assert resp.headers["GS1-EPCIS-Capture-File-Size-Limit"] == "600"
    assert _count(session) == 0


def test_options_announce_the_capture_settings(client: TestClient, enterprise_token: str) -> None:
    resp = client.options("/epcis/capture", headers=bearer(enterprise_token))
    assert resp.status_code == 204
    assert resp.headers["GS1-EPCIS-Capture-Limit"] == str(get_settings().epcis_capture_limit)
    assert int(resp.headers["GS1-EPCIS-Capture-File-Size-Limit"]) > 0
    assert resp.headers["GS1-Capture-Error-Behaviour"] == "all"
    assert "POST" in resp.headers["Allow"]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("GS1-EPCIS-Version", "3.0.0"),
        ("GS1-CBV-Version", "1.0"),
        ("GS1-EPCIS-Max", "1.2.0"),
        ("GS1-EPCIS-Min", "2.1"),
        ("GS1-CBV-Max", "1.2"),
        ("GS1-EPCIS-Version", "two"),
    ],
)
def test_unsupported_versions_answer_406(
    client: TestClient, enterprise_token: str, header: str, value: str
) -> None:
    resp = capture(client, enterprise_token, document(object_event()), **{header: value})
    assert resp.status_code == 406
    assert resp.json()["type"] == "epcisException:NotAcceptableException"


def test_supported_versions_are_accepted(client: TestClient, enterprise_token: str) -> None:
    headers = {
        "GS1-EPCIS-Version": "2.0.0",
        "GS1-CBV-Version": "2.0",
        "GS1-EPCIS-Min": "1.2",
        "GS1-EPCIS-Max": "2.0.0",
    }
    resp = capture(client, enterprise_token, document(object_event()), **headers)
    assert resp.status_code == 202
    resp = client.get("/epcis/events", headers={**bearer(enterprise_token), **headers})
    assert resp.status_code == 200


def test_unsupported_media_type_answers_415(client: TestClient, enterprise_token: str) -> None:
    resp = client.post(
        "/epcis/capture",
        content=b"epc,time",
        headers={**bearer(enterprise_token), "Content-Type": "text/csv"},
    )
    assert resp.status_code == 415
    assert resp.json()["type"] == "epcisException:UnsupportedMediaTypeException"


def test_post_one_event_answers_201_then_200_for_the_same_event(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    event = {
        "@context": CONTEXT,
        **object_event(eventID="urn:uuid:4d4e5a2a-45b3-4b1a-9a0b-5c2a61d0e001"),
    }
    resp = client.post("/epcis/events", json=event, headers=bearer(enterprise_token))
    assert resp.status_code == 201, resp.text
    assert resp.headers["Location"] == (
        "/epcis/events/urn%3Auuid%3A4d4e5a2a-45b3-4b1a-9a0b-5c2a61d0e001"
    )
    assert resp.json()["eventID"] == event["eventID"]
    assert "recordTime" in resp.json()
    fetched = client.get(resp.headers["Location"], headers=bearer(enterprise_token))
    assert fetched.status_code == 200
    [one] = fetched.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert one["eventID"] == event["eventID"]
    # The identical event sent again: an idempotent success, nothing stored twice.
    again = client.post("/epcis/events", json=event, headers=bearer(enterprise_token))
    assert again.status_code == 200, again.text
    assert again.json()["eventID"] == event["eventID"]
    assert again.headers["Location"] == resp.headers["Location"]
    assert _count(session) == 1
    assert session.scalar(select(func.count()).select_from(CaptureJob)) == 1
    # A different event under the same eventID: a conflict naming the stored one's capture.
    job_id = session.scalar(select(EpcisEvent.capture_job_id))
    other = {**event, "action": "ADD"}
    clash = client.post("/epcis/events", json=other, headers=bearer(enterprise_token))
    assert clash.status_code == 409
    assert clash.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    assert str(job_id) in clash.json()["detail"]
    assert _count(session) == 1


def test_post_events_refuses_a_document_and_an_invalid_event(
    client: TestClient, enterprise_token: str
) -> None:
    resp = client.post(
        "/epcis/events", json=document(object_event()), headers=bearer(enterprise_token)
    )
    assert resp.status_code == 400
    resp = client.post(
        "/epcis/events",
        json={"@context": CONTEXT, **object_event(disposition="lost")},
        headers=bearer(enterprise_token),
    )
    assert resp.status_code == 400
    assert "disposition" in resp.json()["detail"]


def test_an_event_id_cannot_name_two_events(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    event_id = "urn:uuid:0b7c1cb2-7b0d-4a3c-a0d2-2f5b6f9b0002"
    captured(client, enterprise_token, object_event(eventID=event_id))
    job_id = session.scalar(select(EpcisEvent.capture_job_id))
    resp = capture(client, enterprise_token, document(object_event(eventID=event_id)))
    assert resp.status_code == 409
    assert resp.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    detail = resp.json()["detail"]
    assert "capture:event-id-taken" in detail and str(job_id) in detail
    assert _count(session) == 1


def test_an_error_declaration_is_kept_beside_the_event(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    event = object_event(eventID="urn:uuid:7e0f4f0e-0000-4000-8000-00000000e001")
    captured(client, enterprise_token, event)
    declaration = {
        **event,
        "errorDeclaration": {
            "declarationTime": "2024-05-02T09:00:00+08:00",
            "reason": "incorrect_data",
            "correctiveEventIDs": ["urn:uuid:7e0f4f0e-0000-4000-8000-00000000e002"],
        },
    }
    job = captured(client, enterprise_token, declaration)
    assert job["storedCount"] == 1
    assert _count(session) == 2
    both = events(client, enterprise_token, EQ_eventID=event["eventID"])
    assert len(both) == 2
    declared = events(client, enterprise_token, EXISTS_errorDeclaration="")
    assert [e["errorDeclaration"]["reason"] for e in declared] == ["incorrect_data"]
    assert events(client, enterprise_token, EQ_errorReason="incorrect_data") == declared
    assert (
        events(
            client,
            enterprise_token,
            EQ_correctiveEventID="urn:uuid:7e0f4f0e-0000-4000-8000-00000000e002",
        )
        == declared
    )
    by_id = client.get(
        "/epcis/events/urn:uuid:7e0f4f0e-0000-4000-8000-00000000e001",
        headers=bearer(enterprise_token),
    )
    assert len(by_id.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2


def test_master_data_in_the_header_is_kept(
    client: TestClient, admin_token: str, session: Session
) -> None:
    doc: dict[str, Any] = document(object_event(biz_location=sgln("00777", "201")))
    doc["epcisHeader"] = {
        "epcisMasterData": {
            "vocabularyList": [
                {
                    "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                    "vocabularyElementList": [
                        {"id": sgln("00777"), "children": [sgln("00888")]},
                    ],
                }
            ]
        }
    }
    resp = capture(client, admin_token, doc)
    assert resp.status_code == 202, resp.text
    found = events(client, admin_token, WD_bizLocation=sgln("00777"))
    assert len(found) == 1


def test_capture_job_list_and_unknown_job(client: TestClient, enterprise_token: str) -> None:
    captured(client, enterprise_token, object_event())
    captured(client, enterprise_token, object_event())
    resp = client.get("/epcis/capture", params={"perPage": 1}, headers=bearer(enterprise_token))
    assert resp.status_code == 200
    assert len(resp.json()) == 1
    assert 'rel="next"' in resp.headers["Link"]
    missing = client.get("/epcis/capture/nope", headers=bearer(enterprise_token))
    assert missing.status_code == 404
    assert missing.json()["type"] == "epcisException:NoSuchNameException"


def test_stored_event_is_what_was_sent(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    event = object_event(
        **{"example:temperatureLog": {"example:max": "4.5"}},
        bizTransactionList=[
            {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000003:PO1"}
        ],
    )
    resp = capture(
        client, enterprise_token, document(event, prefixes={"example": "https://ns.example.com/"})
    )
    assert resp.status_code == 202, resp.text
    [found] = events(client, enterprise_token, headers={"GS1-EPC-Format": "No_Preference"})
    assert found["@context"] == {"example": "https://ns.example.com/"}
    assert found["example:temperatureLog"] == {"example:max": "4.5"}
    assert found["epcList"] == event["epcList"]
    assert ids([found]) == {
        hashing.event_hash(event, context=[{"example": "https://ns.example.com/"}])
    }


def test_an_event_is_found_by_its_hash_in_the_url(
    client: TestClient, enterprise_token: str
) -> None:
    event = object_event()
    captured(client, enterprise_token, event)
    event_hash = hashing.event_hash(event)
    resp = client.get(
        f"/epcis/events/{quote(event_hash, safe='')}", headers=bearer(enterprise_token)
    )
    assert resp.status_code == 200, resp.text
    [found] = resp.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert found["eventID"] == event_hash
