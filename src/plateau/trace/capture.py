"""Capture: an EPCISDocument (JSON-LD or XML) checked, hashed, de-duplicated and stored.

The rules, in order:

1. the payload must be small enough (bytes, then events: 413), readable and valid EPCIS
   (GS1's schemas plus what they cannot see, ``epcis.validation``);
2. with ``GS1-Capture-Error-Behaviour: rollback`` (the default) any invalid event rejects
   the whole document with a 400 ValidationException and nothing is stored; with
   ``proceed`` the valid events are stored and each invalid one is listed in the job;
3. every event gets its CBV 2.0 event hash; an event whose hash is already stored (sent
   again, as JSON or as XML) is counted as a duplicate and not stored twice; an eventID
   that already names a different event is an error;
4. the job record says what happened (``GET /epcis/capture/{id}``).

Rows are written with executemany INSERTs (RETURNING the ids of the events, in order), so
a document of thousands of events costs a handful of statements.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import utcnow
from plateau.i18n import _
from plateau.settings import get_settings
from plateau.trace import genealogy, problems
from plateau.trace.epcis import hashing, validation
from plateau.trace.events import Context, EventError, PreparedEvent, identifier_key, prepare
from plateau.trace.models import (
    CaptureJob,
    EpcisEvent,
    EpcisEventBizTransaction,
    EpcisEventEpc,
    EpcisEventSensor,
    EpcisEventSourceDest,
    EpcisEventValue,
    EpcisVocabularyElement,
)

ErrorBehaviour = Literal["rollback", "proceed"]
# Most events one capture call may carry (GS1-EPCIS-Capture-Limit).
# Rows per executemany statement.
_BATCH = 2_000
DOCUMENT_TYPES = ("EPCISDocument", "EPCISQueryDocument", "EPCISMasterDataDocument")
_JSON_EVENT = re.compile(r"^/epcisBody/(?:queryResults/resultsBody/)?eventList/(\d+)(?:/|$)")
_XML_EVENT = re.compile(
    r"/EventList/(?:extension/)?(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*|\*)\[(\d+)\]"
)


@dataclass
class Payload:
    """A capture payload as received."""

    data: bytes
    content_type: str | None
    behaviour: ErrorBehaviour = "rollback"


@dataclass
class Outcome:
    """What a capture did: the job, and the row ids of the events it stored."""

    job: CaptureJob
    stored_ids: list[int] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)


def source_format(content_type: str | None, data: bytes) -> str:
    """Tell whether a payload is XML or JSON (by media type, else by its first byte)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind.endswith("xml") or (not kind and data.lstrip()[:1] == b"<"):
        return "xml"
    return "json"


# --- reading and checking ---------------------------------------------------------------


def read_document(payload: Payload) -> tuple[dict[str, Any], dict[int, list[str]]]:
    """Validate a capture payload; return the document and the problems of each bad event.

    Raises a 400 ValidationException when the document itself is broken, or when any event
    is and the behaviour is rollback.
    """
    document, report = validation.validate_payload(payload.data, payload.content_type)
    if document is None:
        raise problems.validation_error(report.detail())
    kind = document.get("type")
    if kind not in DOCUMENT_TYPES:
        if not report.ok:
            raise problems.validation_error(report.detail())
        raise problems.validation_error(
            _(
                "/type: capture takes an EPCISDocument or EPCISQueryDocument, not %(kind)s [capture:document-type]",
                kind=str(kind),
            )
        )
    per_event: dict[int, list[str]] = {}
    if report.ok:
        return document, per_event
    events = hashing.document_events(document)
    document_level: list[str] = []
    for problem in report.problems:
        index = _event_of(problem.path, events)
        if index is None:
            document_level.append(str(problem))
        else:
            per_event.setdefault(index, []).append(str(problem))
    if document_level or payload.behaviour == "rollback":
        raise problems.validation_error(report.detail())
    return document, per_event


def _event_of(path: str, events: Sequence[Mapping[str, Any]]) -> int | None:
    """Return the position of the event a problem path points into, if any."""
    match = _JSON_EVENT.match(path)
    if match:
        return int(match.group(1))
    match = _XML_EVENT.search(path)
    if match is None:
        return None
    kind, ordinal = match.group(1), int(match.group(2))
    seen = 0
    for position, event in enumerate(events):
        if kind == "*" or event.get("type") == kind:
            seen += 1
            if seen == ordinal:
                return position
    return None


def check_size(payload: Payload, *, max_bytes: int) -> None:
    """Refuse a payload larger than the repository takes (413)."""
    if len(payload.data) > max_bytes:
        raise limit_error(
            _(
                "The payload has %(size)s bytes; this repository takes at most %(max)s per capture.",
                size=len(payload.data),
                max=max_bytes,
            ),
            max_bytes=max_bytes,
        )


def event_limit() -> int:
    """Events per capture request (setting ``epcis_capture_limit``), read when asked."""
    return get_settings().epcis_capture_limit


def limit_error(message: str, *, max_bytes: int | None = None) -> problems.EpcisError:
    headers = {"GS1-EPCIS-Capture-Limit": str(event_limit())}
    if max_bytes is not None:
        headers["GS1-EPCIS-Capture-File-Size-Limit"] = str(max_bytes)
    return problems.EpcisError(problems.CAPTURE_LIMIT, message, 413, headers=headers)


# --- capture ------------------------------------------------------------------------------


def capture(
    session: Session,
    *,
    payload: Payload,
    actor: Actor,
    enterprise: str | None,
    max_bytes: int,
) -> Outcome:
    """Capture a document; return the finished job (see the module docstring)."""
    check_size(payload, max_bytes=max_bytes)
    document, invalid = read_document(payload)
    events = hashing.document_events(document)
    max_events = event_limit()
    if len(events) > max_events:
        raise limit_error(
            _(
                "The document has %(count)s events; this repository takes at most %(max)s per capture.",
                count=len(events),
                max=max_events,
            )
        )
    record_time = utcnow()
    job = CaptureJob(
        id=uuid.uuid4().hex,
        status="running",
        error_behaviour=payload.behaviour,
        errors=[],
        received_count=len(events),
        source_format=source_format(payload.content_type, payload.data),
        payload_bytes=len(payload.data),
        captured_by_user_id=actor.user_id,
        captured_by=actor.username,
        enterprise_uscc=enterprise,
        created_at=record_time,
    )
    errors: dict[int, list[str]] = {i: list(p) for i, p in invalid.items()}
    prepared = _prepare_all(document, events, errors, record_time)
    fresh, duplicates = _deduplicate(session, prepared, errors)
    if errors and payload.behaviour == "rollback":
        raise problems.validation_error(_error_detail(errors))
    session.add(job)
    session.flush()
    _store_vocabularies(session, document, enterprise)
    stored = insert_events(session, fresh, job=job, actor=actor, enterprise=enterprise)
    job.errors = [_problem(i, lines) for i, lines in sorted(errors.items())]
    job.stored_count = len(stored)
    job.duplicate_count = duplicates
    job.refused_count = len(errors)
    job.status = "failure" if errors else "success"
    job.finished_at = utcnow()
    session.flush()
    return Outcome(job, stored, [p.columns["event_id"] for p in fresh])


def _prepare_all(
    document: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    errors: dict[int, list[str]],
    record_time: datetime,
) -> list[PreparedEvent]:
    context = Context.of(document.get("@context"))
    ignore = hashing.ignored_fields(document)
    prepared: list[PreparedEvent] = []
    for position, event in enumerate(events):
        if position in errors:
            continue
        try:
            event_hash = hashing.event_hash(event, context=document.get("@context"), ignore=ignore)
            prepared.append(
                prepare(
                    event,
                    position=position,
                    event_hash=event_hash,
                    context=context,
                    record_time=record_time,
                )
            )
        except (EventError, ValueError) as exc:
            errors.setdefault(position, []).append(f"{_event_path(position)}: {exc}")
    return prepared


def _event_path(position: int) -> str:
    return f"/epcisBody/eventList/{position}"


def _deduplicate(
    session: Session, prepared: list[PreparedEvent], errors: dict[int, list[str]]
) -> tuple[list[PreparedEvent], int]:
    """Drop events already stored (or repeated in the document); flag reused eventIDs."""
    keys = {p.key for p in prepared}
    stored: set[tuple[str, bool]] = set()
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        hashes = sorted({k[0] for k in chunk})
        rows = session.execute(
            select(EpcisEvent.event_hash, EpcisEvent.declared).where(
                EpcisEvent.event_hash.in_(hashes)
            )
        )
        stored |= {(h, bool(d)) for h, d in rows}
    # An eventID the sender chose must not already name an event with another hash.
    chosen = sorted(
        {p.columns["event_id"] for p in prepared if p.columns["event_id"] != p.event_hash}
    )
    owners: dict[str, set[str]] = {}
    for start in range(0, len(chosen), 500):
        taken = session.execute(
            select(EpcisEvent.event_id, EpcisEvent.event_hash).where(
                EpcisEvent.event_id.in_(chosen[start : start + 500])
            )
        )
        for event_id, event_hash in taken:
            owners.setdefault(event_id, set()).add(event_hash)
    fresh: list[PreparedEvent] = []
    duplicates = 0
    seen: set[tuple[str, bool]] = set()
    for item in prepared:
        event_id = item.columns["event_id"]
        others = owners.get(event_id, set()) - {item.event_hash}
        if others:
            errors.setdefault(item.position, []).append(
                _(
                    "%(path)s/eventID: %(id)s already identifies another event (hash %(hash)s) [capture:event-id-taken]",
                    path=_event_path(item.position),
                    id=event_id,
                    hash=sorted(others)[0],
                )
            )
            continue
        if item.key in stored or item.key in seen:
            duplicates += 1
            continue
        seen.add(item.key)
        if event_id != item.event_hash:
            owners.setdefault(event_id, set()).add(item.event_hash)
        fresh.append(item)
    return fresh, duplicates


def insert_events(
    session: Session,
    events: Sequence[PreparedEvent],
    *,
    job: CaptureJob | None,
    actor: Actor,
    enterprise: str | None,
) -> list[int]:
    """Insert events and their index rows; return the new row ids in the same order."""
    if not events:
        return []
    conn = session.connection()
    rows = [
        {
            **p.columns,
            "captured_by_enterprise": enterprise,
            "captured_by_user_id": actor.user_id,
            "capture_job_id": job.id if job else None,
        }
        for p in events
    ]
    ids, written = _reserve_ids(conn, rows)
    for event_id, row in zip(ids, rows, strict=True):
        row["id"] = event_id
    for start in range(written, len(rows), _BATCH):
        conn.execute(_EVENT_TABLE.insert(), rows[start : start + _BATCH])
    for table, attribute in _INDEX_TABLES:
        children = [
            {**row, "event_id": event_id}
            for event_id, p in zip(ids, events, strict=True)
            for row in getattr(p, attribute)
        ]
        for start in range(0, len(children), _BATCH):
            conn.execute(table.insert(), children[start : start + _BATCH])
    genealogy.index_captured(
        session,
        (
            (event_id, p.columns["event_type"], p.columns["action"], p.declared, p.event_json)
            for event_id, p in zip(ids, events, strict=True)
        ),
    )
    return ids


# Plain executemany INSERTs on the tables: the ORM's bulk path costs more than the database.
_EVENT_TABLE: Table = EpcisEvent.__table__  # type: ignore[assignment]
_INDEX_TABLES: tuple[tuple[Table, str], ...] = tuple(
    (model.__table__, attribute)  # type: ignore[misc]
    for model, attribute in (
        (EpcisEventEpc, "epcs"),
        (EpcisEventBizTransaction, "biz_transactions"),
        (EpcisEventSourceDest, "source_dest"),
        (EpcisEventSensor, "sensors"),
        (EpcisEventValue, "values"),
    )
)


def _reserve_ids(conn: Connection, rows: list[dict[str, Any]]) -> tuple[list[int], int]:
    """Return the row ids of new events, in order, and how many rows are already written.

    Knowing the ids before writing lets every row go in one executemany without RETURNING
    (whose ordered form costs a statement per few rows). PostgreSQL hands out ids from the
    table's sequence in one round trip; they are unique whatever runs concurrently. SQLite
    numbers a new row max(rowid) + 1, and once the first row is written this transaction
    holds the database's only write lock, so the next ids stay free until it commits.
    """
    if conn.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(_EVENT_TABLE.name, "id")
        series = func.generate_series(1, len(rows)).table_valued("n")
        ids = list(conn.scalars(select(func.nextval(sequence)).select_from(series)))
        return [int(i) for i in ids], 0
    first = conn.execute(_EVENT_TABLE.insert().returning(_EVENT_TABLE.c.id), rows[0]).scalar_one()
    return list(range(first, first + len(rows))), 1


def _store_vocabularies(
    session: Session, document: Mapping[str, Any], enterprise: str | None
) -> None:
    """Keep the master data a document carries (used for the location hierarchy)."""
    header = document.get("epcisHeader")
    master = header.get("epcisMasterData") if isinstance(header, Mapping) else None
    vocabularies: Any = master.get("vocabularyList") if isinstance(master, Mapping) else None
    if document.get("type") == "EPCISMasterDataDocument":
        body = document.get("epcisBody")
        vocabularies = body.get("vocabularyList") if isinstance(body, Mapping) else None
    if not isinstance(vocabularies, list):
        return
    for vocabulary in vocabularies:
        if not isinstance(vocabulary, Mapping) or not isinstance(vocabulary.get("type"), str):
            continue
        for element in _items(vocabulary.get("vocabularyElementList")):
            if not isinstance(element.get("id"), str):
                continue
            key = identifier_key(element["id"])
            row = session.scalar(
                select(EpcisVocabularyElement).where(
                    EpcisVocabularyElement.vocabulary_type == vocabulary["type"],
                    EpcisVocabularyElement.element_id == key,
                )
            )
            if row is None:
                row = EpcisVocabularyElement(vocabulary_type=vocabulary["type"], element_id=key)
                session.add(row)
            row.attributes = [a for a in _items(element.get("attributes"))]
            row.children = [
                identifier_key(c) for c in element.get("children") or [] if isinstance(c, str)
            ]
            row.captured_by_enterprise = enterprise
    session.flush()


def _items(value: Any) -> list[dict[str, Any]]:
    return [dict(v) for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _problem(position: int, lines: Iterable[str]) -> dict[str, Any]:
    return {
        **problems.problem(problems.VALIDATION, 400, "\n".join(lines)),
        "instance": f"#{_event_path(position)}",
    }


def _error_detail(errors: Mapping[int, list[str]], limit: int = 10) -> str:
    lines = [line for _position, found in sorted(errors.items()) for line in found]
    shown = lines[:limit]
    if len(lines) > limit:
        shown.append(_("… and %(count)s more.", count=len(lines) - limit))
    return "\n".join(shown)
