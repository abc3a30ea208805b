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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import utcnow
from plateau.i18n import _
from plateau.settings import get_settings
from plateau.trace.epcis import hashing, problems, validation
from plateau.trace.epcis import xml as epcis_xml
from plateau.trace.epcis.events import Context, EventError, PreparedEvent, identifier_key, prepare
from plateau.trace.epcis.models import (
    CaptureJob,
    EpcisContext,
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
    # Strict: refuse what is otherwise accepted after normalising it (see ``Payload`` notes).
    strict: bool = False
    # Registered remote JSON-LD contexts: URL -> prefixes (see ``registered_contexts``).
    contexts: Mapping[str, Mapping[str, str]] | None = None


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


def read_document(
    payload: Payload, notes: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], dict[int, list[str]]]:
    """Validate a capture payload; return the document and the problems of each bad event.

    Raises a 400 ValidationException when the document itself is broken, or when any event
    is and the behaviour is rollback. ``notes`` receives what was normalised to be accepted.
    """
    document, report = validation.validate_payload(
        payload.data,
        payload.content_type,
        strict=payload.strict,
        registered=payload.contexts,
    )
    if document is None or document.get("type") not in DOCUMENT_TYPES:
        _refuse_a_query(payload, document)
    if document is None:
        raise problems.validation_error(report.detail())
    if notes is not None:
        notes.extend(
            {"instance": note.path, "rule": note.rule, "detail": note.message}
            for note in report.notes
        )
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


def _refuse_a_query(payload: Payload, document: Mapping[str, Any] | None) -> None:
    """Say so when a query (an XML Poll, a REST query) was sent to capture by mistake."""
    path = None
    if source_format(payload.content_type, payload.data) == "xml":
        try:
            root = epcis_xml.parse_xml(payload.data)
        except epcis_xml.XmlBindingError:
            return
        body = root.find("EPCISBody")
        first = (
            next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        )
        if first is not None and epcis_xml.qname(first)[1] == "Poll":
            path = "/EPCISQueryDocument/EPCISBody/Poll"
    elif document is not None and document.get("@context") == epcis_xml.QUERY_CONTEXT:
        path = "/"
    if path is not None:
        raise problems.validation_error(
            _(
                "%(path)s: this is a query (an EPCIS Poll), not events to capture. Send queries "
                "to GET /epcis/events or POST /epcis/queries; capture takes an EPCISDocument "
                "[capture:query-document]",
                path=path,
            )
        )


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


def registered_contexts(session: Session) -> dict[str, dict[str, str]]:
    """Return the newest registered version of every remote JSON-LD context: URL -> prefixes."""
    newest = (
        select(EpcisContext.url, func.max(EpcisContext.version).label("version"))
        .group_by(EpcisContext.url)
        .subquery()
    )
    rows = session.execute(
        select(EpcisContext.url, EpcisContext.prefixes).join(
            newest,
            (EpcisContext.url == newest.c.url) & (EpcisContext.version == newest.c.version),
        )
    )
    return {url: dict(prefixes) for url, prefixes in rows}


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
    if payload.contexts is None:
        payload.contexts = registered_contexts(session)
    notes: list[dict[str, Any]] = []
    document, invalid = read_document(payload, notes)
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
        notes=notes,
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
        if all(EVENT_ID_TAKEN in line for lines in errors.values() for line in lines):
            # Only eventIDs taken by different events: a conflict, not an invalid document.
            raise problems.EpcisError(problems.ALREADY_EXISTS, _error_detail(errors), 409)
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
    # eventID -> {hash: the capture job that stored it (None: inserted without a job)}
    owners: dict[str, dict[str, str | None]] = {}
    for start in range(0, len(chosen), 500):
        taken = session.execute(
            select(EpcisEvent.event_id, EpcisEvent.event_hash, EpcisEvent.capture_job_id).where(
                EpcisEvent.event_id.in_(chosen[start : start + 500])
            )
        )
        for event_id, event_hash, job_id in taken:
            owners.setdefault(event_id, {})[event_hash] = job_id
    fresh: list[PreparedEvent] = []
    duplicates = 0
    seen: set[tuple[str, bool]] = set()
    for item in prepared:
        event_id = item.columns["event_id"]
        others = {h: j for h, j in owners.get(event_id, {}).items() if h != item.event_hash}
        if others:
            other_hash = sorted(others)[0]
            errors.setdefault(item.position, []).append(
                event_id_taken(_event_path(item.position), event_id, other_hash, others[other_hash])
            )
            continue
        if item.key in stored or item.key in seen:
            duplicates += 1
            continue
        seen.add(item.key)
        if event_id != item.event_hash:
            owners.setdefault(event_id, {})[item.event_hash] = None
        fresh.append(item)
    return fresh, duplicates


EVENT_ID_TAKEN = "[capture:event-id-taken]"


def event_id_taken(path: str, event_id: str, other_hash: str, job_id: str | None) -> str:
    """Say that an eventID already names a different event, and which capture stored it."""
    if job_id is None:
        return _(
            "%(path)s/eventID: %(id)s already names a different event (hash %(hash)s), "
            "captured earlier; an identical event sent again would be accepted as a duplicate "
            "[capture:event-id-taken]",
            path=path,
            id=event_id,
            hash=other_hash,
        )
    return _(
        "%(path)s/eventID: %(id)s already names a different event (hash %(hash)s), stored by "
        "capture %(capture)s; an identical event sent again would be accepted as a duplicate "
        "[capture:event-id-taken]",
        path=path,
        id=event_id,
        hash=other_hash,
        capture=job_id,
    )


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
    if _LISTENERS:
        stored = [
            (event_id, p.columns["event_type"], p.columns["action"], p.declared, p.event_json)
            for event_id, p in zip(ids, events, strict=True)
        ]
        for listener in _LISTENERS:
            listener(session, stored)
    return ids


# (row id, event type, action, declared, canonical JSON) of each event a capture stored.
StoredEvent = tuple[int, str | None, str | None, bool, dict[str, Any]]
Listener = Callable[[Session, list[StoredEvent]], object]
_LISTENERS: list[Listener] = []


def on_stored(listener: Listener) -> Listener:
    """Call ``listener`` with the events of every capture, in the capture's transaction.

    What is built on the repository keeps its derived indexes current this way (the lineage
    package registers its lot index), so the repository never imports what uses it."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


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
    found = list(lines)
    conflict = all(EVENT_ID_TAKEN in line for line in found)
    kind, status = (problems.ALREADY_EXISTS, 409) if conflict else (problems.VALIDATION, 400)
    return {
        **problems.problem(kind, status, "\n".join(found)),
        "instance": f"#{_event_path(position)}",
    }


def _error_detail(errors: Mapping[int, list[str]], limit: int = 10) -> str:
    lines = [line for _position, found in sorted(errors.items()) for line in found]
    shown = lines[:limit]
    if len(lines) > limit:
        shown.append(_("… and %(count)s more.", count=len(lines) - limit))
    return "\n".join(shown)
