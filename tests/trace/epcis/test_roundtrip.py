"""Every valid document of the conformance corpus, captured and queried back, is what was sent.

For each file: one capture, then one query for JSON-LD and one for XML. Each event that
was sent comes back with the same event hash and, after normalisation (expanded keys, bare
CBV terms, UTC instants, identifiers as canonical Digital Links), the same content; the
repository adds only ``recordTime`` and, where the sender gave none, ``eventID`` (the event
hash). XML captured is served as JSON-LD and JSON-LD as XML; the XML served is valid
against GS1's XSDs. Documents that have a twin in the other syntax are the same events:
capturing the twin stores nothing new.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from plateau.trace.epcis import hashing, validation
from plateau.trace.epcis.xml import parse_document, xml_to_json
from tests.builders import bearer
from tests.trace.conftest import (
    KNOWN_NON_CONFORMING,
    KNOWN_NON_CONFORMING_12,
    OPENEPCIS_20,
    context_prefixes,
    corpus_id,
    differences,
    gs1_json_examples,
    gs1_xml_12_examples,
    gs1_xml_examples,
    is_query_definition,
    normalise,
    openepcis_files,
    openepcis_pairs,
    requires_corpus,
    textual_extensions,
)
from tests.trace.epcis import test_capture_builders as shared

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
admin_token, client, epcis_app = shared.admin_token, shared.client, shared.epcis_app

pytestmark = requires_corpus


def _documents(paths: list[Path], known: dict[str, Any]) -> list[Path]:
    # Capture jobs (GS1's XML examples of the job resource) carry no events.
    return [
        p
        for p in paths
        if not is_query_definition(p) and corpus_id(p) not in known and "CaptureJob" not in p.parts
    ]


JSON_DOCUMENTS = _documents(
    gs1_json_examples() + openepcis_files("json", invalid=False), KNOWN_NON_CONFORMING
)
XML_DOCUMENTS = _documents(
    gs1_xml_examples() + openepcis_files("xml", invalid=False), KNOWN_NON_CONFORMING
) + _documents(
    gs1_xml_12_examples() + openepcis_files("xml", invalid=False, version="1.2"),
    KNOWN_NON_CONFORMING_12,
)
PAIRS = [(x, j) for x, j in openepcis_pairs() if x in XML_DOCUMENTS and j in JSON_DOCUMENTS]


def _sent_events(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "epcisBody" not in document:  # a bare event
        return [dict(document)]
    return [dict(e) for e in hashing.document_events(document)]


def _hashes(document: dict[str, Any], ignore: list[str] | None = None) -> list[str]:
    if "epcisBody" not in document:
        return [hashing.event_hash(document)]
    return hashing.document_event_hashes(document, ignore=ignore)


def _capture(client: TestClient, token: str, path: Path) -> dict[str, Any]:
    """Capture a document (``/capture``) or a bare event (``/events``); return the job."""
    media = "application/xml" if path.suffix == ".xml" else "application/ld+json"
    single = "epcisBody" not in _document(path)
    resp = client.post(
        "/epcis/events" if single else "/epcis/capture",
        content=path.read_bytes(),
        headers={**bearer(token), "Content-Type": media},
    )
    if single and resp.status_code == 200:  # POST /events: the same event already stored
        return {"success": True, "storedCount": 0, "duplicateCount": 1, "eventCount": 1}
    assert resp.status_code == (201 if single else 202), resp.text
    if single:
        return {"success": True, "storedCount": 1, "duplicateCount": 0, "eventCount": 1}
    job = client.get(resp.headers["Location"], headers=bearer(token)).json()
    assert job["success"], job["errors"]
    return dict(job)


def _query(client: TestClient, token: str, accept: str) -> dict[str, Any]:
    resp = client.get(
        "/epcis/events",
        params={"perPage": 1000},
        headers={**bearer(token), "Accept": accept, "GS1-EPC-Format": "No_Preference"},
    )
    assert resp.status_code == 200, resp.text
    if accept == "application/xml":
        assert validation.validate_xml(resp.content) == []
        document = parse_document(resp.content, "application/xml")
    else:
        document = resp.json()
    return dict(document)


def _compare(
    sent_document: dict[str, Any], served_document: dict[str, Any], *, as_text: bool
) -> None:
    ignore = hashing.ignored_fields(sent_document)
    prefixes = context_prefixes(sent_document)
    # An event and its error declaration share a hash; both are kept.
    served = {
        (event_hash, "errorDeclaration" in event): event
        for event_hash, event in zip(
            _hashes(served_document, ignore),
            _sent_events(served_document),
            strict=True,
        )
    }
    sent = _sent_events(sent_document)
    hashes = _hashes(sent_document)
    keys = [(h, "errorDeclaration" in e) for h, e in zip(hashes, sent, strict=True)]
    assert set(keys) == set(served), "the events served are not the events captured"
    for event, event_hash, key in zip(sent, hashes, keys, strict=True):
        back = dict(served[key])
        assert back.pop("recordTime")
        if not event.get("eventID"):
            assert back.pop("eventID") == event_hash
        event.pop("recordTime", None)
        ours = normalise(back, context_prefixes(served_document))
        theirs = normalise(event, prefixes)
        if as_text:
            ours, theirs = textual_extensions(ours), textual_extensions(theirs)
        assert list(differences(ours, theirs)) == []


def _document(path: Path) -> dict[str, Any]:
    if path.suffix == ".xml":
        return xml_to_json(path.read_bytes())
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("path", JSON_DOCUMENTS + XML_DOCUMENTS, ids=corpus_id)
def test_captured_then_queried_back_in_both_syntaxes(
    client: TestClient, admin_token: str, path: Path
) -> None:
    sent = _document(path)
    job = _capture(client, admin_token, path)
    assert job["storedCount"] + job["duplicateCount"] == len(_sent_events(sent))
    xml_captured = path.suffix == ".xml"
    # JSON captured: compared as JSON; XML captured: its extension values were text already.
    _compare(sent, _query(client, admin_token, "application/ld+json"), as_text=xml_captured)
    _compare(sent, _query(client, admin_token, "application/xml"), as_text=True)


def _short(path: Path) -> str:
    return str(path.relative_to(OPENEPCIS_20 / "XML"))


@pytest.mark.parametrize(("xml_path", "json_path"), PAIRS, ids=[_short(x) for x, _j in PAIRS])
def test_an_xml_document_and_its_json_twin_are_the_same_events(
    client: TestClient,
    admin_token: str,
    xml_path: Path,
    json_path: Path,
) -> None:

    first = _capture(client, admin_token, xml_path)
    second = _capture(client, admin_token, json_path)
    assert first["storedCount"] > 0
    assert second["storedCount"] == 0
    assert second["duplicateCount"] == second["eventCount"]
