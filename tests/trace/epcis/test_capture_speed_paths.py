"""The fast paths of capture answer what the slow ones did.

- the compiled jsonschema-rs check agrees with python-jsonschema on every JSON document
  of the corpus, valid or not (it only decides; python-jsonschema still explains);
- the row ids capture reserves before writing point at the events in document order,
  also after other events were stored and deleted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.trace.epcis import capture as capture_module
from plateau.trace.epcis import validation
from plateau.trace.epcis.capture import Payload
from plateau.trace.epcis.models import EpcisEvent, EpcisEventEpc
from tests.trace.conftest import CORPUS, corpus_id, requires_corpus
from tests.trace.epcis.test_capture_builders import document, object_event, sgtin


def _json_documents() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    found = []
    for path in sorted(CORPUS.rglob("*.json*")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and doc.get("type") in ("EPCISDocument", "EPCISQueryDocument"):
            found.append(path)
    return found


DOCUMENTS = _json_documents()


@requires_corpus
@pytest.mark.parametrize("path", DOCUMENTS, ids=corpus_id)
def test_the_fast_schema_check_agrees_with_python_jsonschema(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    checker = validation.document_validator()
    explained = list(checker.explain.iter_errors(doc))
    assert checker.fast.is_valid(doc) == (not explained)
    assert bool(checker.problems(doc, "json-schema")) == bool(explained)


@requires_corpus
def test_the_corpus_has_invalid_documents_for_the_comparison() -> None:
    checker = validation.document_validator()
    invalid = [p for p in DOCUMENTS if not checker.fast.is_valid(json.loads(p.read_text("utf-8")))]
    assert invalid, "the comparison above would only see valid documents"


def test_a_schema_error_keeps_its_path_and_message() -> None:
    event = object_event([sgtin(serial=1)])
    event["action"] = "SOMETIMES"
    problems = validation.validate_document(document(event))
    assert any(p.path == "/epcisBody/eventList/0/action" for p in problems), problems


def _capture(session: Session, *events: dict[str, object]) -> list[int]:
    payload = Payload(json.dumps(document(*events)).encode(), "application/ld+json")
    outcome = capture_module.capture(
        session, payload=payload, actor=SYSTEM, enterprise=None, max_bytes=1 << 24
    )
    return outcome.stored_ids


def test_reserved_ids_follow_the_document_order(session: Session) -> None:
    first = _capture(session, *(object_event([sgtin(serial=n)]) for n in range(1, 4)))
    # A gap at the end of the table: the next ids must still be free and in order.
    session.execute(delete(EpcisEventEpc).where(EpcisEventEpc.event_id == first[-1]))
    session.execute(delete(EpcisEvent).where(EpcisEvent.id == first[-1]))
    serials = list(range(10, 2_510))
    ids = _capture(session, *(object_event([sgtin(serial=n)]) for n in serials))
    session.commit()
    assert ids == sorted(ids) and len(set(ids)) == len(serials)
    assert min(ids) > max(first[:-1])
    rows = session.execute(
        select(EpcisEventEpc.event_id, EpcisEventEpc.epc).where(
            EpcisEventEpc.event_id.in_(ids[:5] + ids[-5:])
        )
    )
    epcs = {event_id: epc for event_id, epc in rows}
    for position in (*range(5), *range(len(ids) - 5, len(ids))):
        assert epcs[ids[position]].endswith(f"/21/{serials[position]}")
