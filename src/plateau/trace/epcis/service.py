"""The EPCIS repository's operations: the one entry point routers, commands and other
packages call.

Capture is in ``capture``, the query language in ``query`` and ``repository``, named
queries and subscriptions in ``subscriptions``, documents in ``output``, and who sees what
in ``access``; this module puts them together. Every function takes the session first and
the caller (``actor``); functions flush, never commit. Webhook deliveries, which must not
run inside the capturing transaction, take a session factory instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth import service as auth_service
from plateau.auth.schemas import Actor
from plateau.db import session_scope, utcnow
from plateau.errors import FieldError, Forbidden, ValidationFailed
from plateau.i18n import _
from plateau.trace.epcis import (
    access,
    capture,
    cbv,
    hashing,
    output,
    problems,
    query,
    repository,
    subscriptions,
    validation,
)
from plateau.trace.epcis import contexts as epcis_contexts
from plateau.trace.epcis.capture import Outcome, Payload
from plateau.trace.epcis.events import Context, EventError, prepare
from plateau.trace.epcis.models import (
    MAX_URI_LENGTH,
    CaptureJob,
    EpcisContext,
    EpcisEvent,
    EpcisQuery,
    EpcisSubscription,
)
from plateau.trace.epcis.query import EventQuery, PageToken
from plateau.trace.epcis.repository import EventPage
from plateau.trace.epcis.schemas import (
    CaptureJobRead,
    QueryCreate,
    QueryRead,
    SubscriptionCreate,
    SubscriptionRead,
)

EVENT_TYPES: tuple[str, ...] = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
TOP_LEVEL: tuple[str, ...] = (
    "queries",
    "capture",
    "events",
    "eventTypes",
    "epcs",
    "readPoints",
    "bizLocations",
    "dispositions",
    "bizSteps",
)

__all__ = [
    "EVENT_TYPES",
    "TOP_LEVEL",
    "EventPage",
    "EventQuery",
    "Outcome",
    "Payload",
    "Resource",
    "ResourcePage",
    "actor_named",
    "capture_document",
    "capture_event",
    "capture_job_read",
    "cbv_terms",
    "create_query",
    "create_subscription",
    "delete_query",
    "delete_subscription",
    "deliver_streams",
    "get_capture_job",
    "get_event",
    "get_query",
    "get_subscription",
    "list_capture_jobs",
    "list_queries",
    "list_resources",
    "list_subscriptions",
    "named_query",
    "query_events",
    "query_read",
    "run_schedules",
    "subscription_read",
]


# --- capture ------------------------------------------------------------------------------


def capture_document(
    session: Session, *, payload: Payload, actor: Actor, max_bytes: int
) -> Outcome:
    """Capture an EPCISDocument (JSON-LD or XML) for the caller's enterprise."""
    enterprise = access.require_capturer(actor)
    try:
        return capture.capture(
            session, payload=payload, actor=actor, enterprise=enterprise, max_bytes=max_bytes
        )
    except IntegrityError:
        # Two captures of the same new event at the same moment: the unique hash kept one.
        raise problems.EpcisError(
            problems.ALREADY_EXISTS,
            _(
                "Another capture stored some of these events at the same moment; send the document again (each event is stored once)."
            ),
            409,
        ) from None


def capture_event(session: Session, *, payload: Payload, actor: Actor, max_bytes: int) -> Outcome:
    """Capture one bare event (``POST /epcis/events``); 409 if it is already stored."""
    enterprise = access.require_capturer(actor)
    capture.check_size(payload, max_bytes=max_bytes)
    event, report = validation.validate_payload(
        payload.data,
        payload.content_type,
        strict=payload.strict,
        registered=capture.registered_contexts(session),
    )
    if event is None or not report.ok:
        raise problems.validation_error(report.detail())
    if event.get("type") in capture.DOCUMENT_TYPES or "epcisBody" in event:
        raise problems.validation_error(
            _(
                "/type: POST /epcis/events takes one event; send documents to /epcis/capture [capture:single-event]"
            )
        )
    now = utcnow()
    try:
        event_hash = hashing.event_hash(event)
        prepared = prepare(
            event, position=0, event_hash=event_hash, context=Context(), record_time=now
        )
    except (EventError, ValueError) as exc:
        raise problems.validation_error(str(exc)) from None
    same = session.scalar(
        select(EpcisEvent.event_id).where(
            EpcisEvent.event_hash == event_hash, EpcisEvent.declared.is_(prepared.declared)
        )
    )
    if same is not None:
        # The same event sent again: an idempotent success, nothing new stored.
        return Outcome(_job_of_event(session, same), [], [same])
    taken = session.execute(
        select(EpcisEvent.event_hash, EpcisEvent.capture_job_id)
        .where(EpcisEvent.event_id == prepared.columns["event_id"])
        .limit(1)
    ).first()
    if taken is not None:
        raise problems.EpcisError(
            problems.ALREADY_EXISTS,
            capture.event_id_taken("", prepared.columns["event_id"], taken[0], taken[1]).lstrip(
                "/"
            ),
            409,
        )
    job = CaptureJob(
        id=uuid.uuid4().hex,
        status="success",
        error_behaviour="rollback",
        errors=[],
        notes=[
            {"instance": note.path, "rule": note.rule, "detail": note.message}
            for note in report.notes
        ],
        received_count=1,
        stored_count=1,
        source_format=capture.source_format(payload.content_type, payload.data),
        payload_bytes=len(payload.data),
        captured_by_user_id=actor.user_id,
        captured_by=actor.username,
        enterprise_uscc=enterprise,
        created_at=now,
        finished_at=now,
    )
    session.add(job)
    session.flush()
    ids = capture.insert_events(session, [prepared], job=job, actor=actor, enterprise=enterprise)
    return Outcome(job, ids, [prepared.columns["event_id"]])


def _job_of_event(session: Session, event_id: str) -> CaptureJob:
    """Return the capture job that stored an event (a finished stand-in if it had none)."""
    job_id = session.scalar(
        select(EpcisEvent.capture_job_id).where(EpcisEvent.event_id == event_id)
    )
    job = session.get(CaptureJob, job_id) if job_id else None
    if job is None:
        now = utcnow()
        job = CaptureJob(id="", status="success", created_at=now, finished_at=now)
    return job


def get_capture_job(session: Session, *, capture_id: str, actor: Actor) -> CaptureJob:
    """Return a capture job the caller may see, or raise 404."""
    scope = access.scope_of(session, actor)
    job = session.scalar(select(CaptureJob).where(CaptureJob.id == capture_id, scope.jobs()))
    if job is None:
        raise problems.not_found(_("There is no capture job %(id)s.", id=capture_id))
    return job


def list_capture_jobs(
    session: Session, *, actor: Actor, per_page: int, token: PageToken | None
) -> tuple[list[CaptureJob], PageToken | None]:
    """List the capture jobs the caller may see, newest first."""
    scope = access.scope_of(session, actor)
    offset = token.last_id if token else 0
    rows = list(
        session.scalars(
            select(CaptureJob)
            .where(scope.jobs())
            .order_by(CaptureJob.created_at.desc(), CaptureJob.id)
            .offset(offset)
            .limit(per_page + 1)
        )
    )
    more = len(rows) > per_page
    return rows[:per_page], PageToken(offset + per_page, None, 0) if more else None


def capture_job_read(job: CaptureJob) -> CaptureJobRead:
    """Return a capture job as the REST binding shows it."""
    return CaptureJobRead(
        captureID=job.id,
        createdAt=job.created_at,
        finishedAt=job.finished_at,
        running=job.status == "running",
        success=job.status != "failure",
        captureErrorBehaviour="proceed" if job.error_behaviour == "proceed" else "rollback",
        errors=list(job.errors or []),
        notes=list(job.notes or []),
        eventCount=job.received_count,
        storedCount=job.stored_count,
        duplicateCount=job.duplicate_count,
        refusedCount=job.refused_count,
    )


# --- queries ------------------------------------------------------------------------------


def query_events(
    session: Session,
    *,
    event_query: EventQuery,
    actor: Actor,
    per_page: int = query.DEFAULT_PER_PAGE,
    token: PageToken | None = None,
) -> EventPage:
    """Return one page of the events matching a query that the caller may see."""
    scope = access.scope_of(session, actor)
    where = repository.conditions(session, event_query, scope)
    limit = event_query.max_event_count
    if limit is not None and repository.count_at_most(session, where, limit + 1) > limit:
        raise problems.EpcisError(
            problems.QUERY_TOO_LARGE,
            _("The query matches more than maxEventCount (%(max)s) events.", max=limit),
            413,
        )
    return repository.events_page(session, where, event_query, per_page=per_page, token=token)


def get_event(session: Session, *, event_id: str, actor: Actor) -> list[dict[str, Any]]:
    """Return an event (by eventID or event hash) and its error declarations, or raise 404."""
    scope = access.scope_of(session, actor)
    rows = session.scalars(
        select(EpcisEvent.event_json)
        .where(
            or_(EpcisEvent.event_id == event_id, EpcisEvent.event_hash == event_id),
            scope.events(),
        )
        .order_by(EpcisEvent.id)
    ).all()
    if not rows:
        raise problems.not_found(_("There is no event %(id)s.", id=event_id))
    return list(rows)


# --- resource lists -----------------------------------------------------------------------

Resource = Literal["eventTypes", "epcs", "bizSteps", "bizLocations", "readPoints", "dispositions"]


@dataclass
class ResourcePage:
    """One page of a top-level resource list."""

    members: list[str]
    next_token: PageToken | None


def list_resources(
    session: Session,
    *,
    resource: Resource,
    actor: Actor,
    per_page: int,
    token: PageToken | None,
    fmt: output.EpcFormat = output.DEFAULT_EPC_FORMAT,
) -> ResourcePage:
    """List event types, EPCs, business steps, locations, read points or dispositions.

    Standard CBV terms and event types are always listed; the rest is what occurs in the
    events the caller may see.
    """
    scope = access.scope_of(session, actor)
    if resource in ("epcs", "bizLocations", "readPoints"):
        column = {
            "epcs": None,
            "bizLocations": EpcisEvent.biz_location,
            "readPoints": EpcisEvent.read_point,
        }[resource]
        values = repository.distinct_values(
            session,
            column,
            scope,
            after=token.last_value if token else None,
            limit=per_page + 1,
            via_epc=column is None,
        )
        more = len(values) > per_page
        values = values[:per_page]
        next_token = PageToken(0, values[-1], 0) if more and values else None
        return ResourcePage([output.spell(v, fmt) for v in values], next_token)
    members = _vocabulary_members(session, resource, scope)
    offset = token.last_id if token else 0
    page = members[offset : offset + per_page]
    more = offset + per_page < len(members)
    return ResourcePage(page, PageToken(offset + per_page, None, 0) if more else None)


def _vocabulary_members(session: Session, resource: Resource, scope: access.Scope) -> list[str]:
    if resource == "eventTypes":
        standard: Sequence[str] = EVENT_TYPES
        column: Any = EpcisEvent.event_type
    elif resource == "bizSteps":
        standard = sorted(cbv.biz_step().terms)
        column = EpcisEvent.biz_step
    else:
        standard = sorted(cbv.disposition().terms)
        column = EpcisEvent.disposition
    found = repository.distinct_values(session, column, scope, after=None, limit=10_000)
    return [*standard, *sorted(v for v in found if v not in set(standard))]


def cbv_terms(name: str) -> frozenset[str]:
    """Return the standard terms of a CBV list (bizStep, disposition …)."""
    return cbv.vocabulary(name).terms


def actor_named(session: Session, *, username: str) -> Actor:
    """Return the actor of a user account (commands that act on someone's behalf)."""
    user = auth_service.get_user_by_username(session, username=username)
    if not user.is_active:
        raise problems.EpcisError(
            problems.SECURITY, _("The user %(name)s is disabled.", name=username), 403
        )
    return auth_service.actor_for(user)


# --- named queries and subscriptions -------------------------------------------------------


def create_query(session: Session, *, data: QueryCreate, actor: Actor) -> EpcisQuery:
    """Store a named query after checking it against the EPCIS query language."""
    return subscriptions.create_query(session, data=data, actor=actor)


def list_queries(session: Session, *, actor: Actor) -> list[EpcisQuery]:
    """List the named queries the caller owns (every one for region-wide roles)."""
    return subscriptions.list_queries(session, actor=actor)


def get_query(session: Session, *, name: str, actor: Actor) -> EpcisQuery:
    """Return a named query the caller may see, or raise 404."""
    return subscriptions.get_query(session, name=name, actor=actor)


def delete_query(session: Session, *, name: str, actor: Actor) -> None:
    """Remove a named query and its subscriptions."""
    subscriptions.delete_query(session, name=name, actor=actor)


def query_read(row: EpcisQuery) -> QueryRead:
    return QueryRead(name=row.name, query=row.query)


def named_query(row: EpcisQuery) -> EventQuery:
    """Return the stored query of a named query, parsed."""
    return query.from_json(row.query)


def create_subscription(
    session: Session,
    *,
    name: str,
    data: SubscriptionCreate,
    epc_format: output.EpcFormat,
    actor: Actor,
    allowed_hosts: Collection[str] = (),
) -> EpcisSubscription:
    """Subscribe a webhook to a named query (its host must be on the allow-list)."""
    row = get_query(session, name=name, actor=actor)
    return subscriptions.create_subscription(
        session,
        query_row=row,
        data=data,
        epc_format=epc_format,
        actor=actor,
        allowed_hosts=allowed_hosts,
    )


def list_subscriptions(session: Session, *, name: str, actor: Actor) -> list[EpcisSubscription]:
    """List the caller's subscriptions to a named query."""
    row = get_query(session, name=name, actor=actor)
    return subscriptions.list_subscriptions(session, query_row=row, actor=actor)


def get_subscription(
    session: Session, *, name: str, subscription_id: str, actor: Actor
) -> EpcisSubscription:
    """Return one subscription of a named query, or raise 404."""
    row = get_query(session, name=name, actor=actor)
    return subscriptions.get_subscription(
        session, query_row=row, subscription_id=subscription_id, actor=actor
    )


def delete_subscription(session: Session, *, name: str, subscription_id: str, actor: Actor) -> None:
    """Cancel a subscription."""
    row = get_query(session, name=name, actor=actor)
    subscriptions.delete_subscription(
        session, query_row=row, subscription_id=subscription_id, actor=actor
    )


def subscription_read(sub: EpcisSubscription, *, query_name: str) -> SubscriptionRead:
    return SubscriptionRead(
        subscriptionID=sub.id,
        queryName=query_name,
        dest=sub.dest,
        createdAt=sub.created_at,
        lastNotifiedAt=sub.last_notified_at,
        initialRecordTime=sub.initial_record_time,
        reportIfEmpty=sub.report_if_empty,
        stream=True if sub.stream else None,
        schedule=sub.schedule,
        epcFormat=sub.epc_format,
        signed=bool(sub.signing_key),
    )


# Attempts of one webhook delivery job (retried after 30 s, 1, 2 and 4 minutes).
WEBHOOK_ATTEMPTS = 5


def queue_stream_deliveries(session: Session) -> int:
    """Queue, in the capture's transaction, a delivery job for every streaming subscription.

    One waiting job per subscription at most: a capture while one waits adds nothing, since
    a job sends everything past the subscription's watermark. Returns how many are waiting.
    """
    from plateau.jobs import service as jobs_service

    subs = session.scalars(select(EpcisSubscription).where(EpcisSubscription.stream.is_(True)))
    count = 0
    for sub in subs:
        owner = subscriptions.owner_of(session, sub)
        if owner is None:
            continue
        jobs_service.submit(
            session,
            kind="trace.webhook",
            params={"subscription_id": sub.id, "stream": True},
            actor=owner,
            dedup_key=f"stream:{sub.id}",
            max_attempts=WEBHOOK_ATTEMPTS,
        )
        count += 1
    return count


def deliver_subscription(
    factory: sessionmaker[Session], *, subscription_id: str, stream: bool = True
) -> list[subscriptions.Sent]:
    """Send what one subscription has due, outside any transaction, and record the answer."""
    with session_scope(factory) as session:
        deliveries = subscriptions.prepare_deliveries(
            session, stream=stream, subscription_id=subscription_id
        )
    if not deliveries:
        return []
    results = subscriptions.send(deliveries)
    with session_scope(factory) as session:
        subscriptions.record(session, results)
    return results


def deliver_streams(factory: sessionmaker[Session]) -> list[subscriptions.Sent]:
    """Send newly captured events to streaming subscribers (call after the capture commits)."""
    return _deliver(factory, stream=True)


def run_schedules(factory: sessionmaker[Session]) -> list[subscriptions.Sent]:
    """Send the results of scheduled subscriptions whose schedule fired since the last run."""
    return _deliver(factory, stream=False)


def _deliver(factory: sessionmaker[Session], *, stream: bool) -> list[subscriptions.Sent]:
    with session_scope(factory) as session:
        if (
            session.scalar(
                select(EpcisSubscription.id).where(EpcisSubscription.stream.is_(stream)).limit(1)
            )
            is None
        ):
            return []
        deliveries = subscriptions.prepare_deliveries(session, stream=stream)
    if not deliveries:
        return []
    results = subscriptions.send(deliveries)
    with session_scope(factory) as session:
        subscriptions.record(session, results)
    return results


# --- registered JSON-LD contexts ------------------------------------------------------------


def list_contexts(session: Session, *, actor: Actor) -> list[EpcisContext]:
    """List every registered version of every remote JSON-LD context, newest first per URL."""
    access.require_reader(actor)
    return list(
        session.scalars(
            select(EpcisContext).order_by(EpcisContext.url, EpcisContext.version.desc())
        )
    )


def read_context_file(data: bytes) -> Any:
    """Read an uploaded JSON-LD context file, or refuse it as not JSON."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationFailed(
            _("The file is not JSON."), [FieldError(_("Not JSON."), field="file")]
        ) from None


def register_context(
    session: Session, *, url: str, document: Any, note: str = "", actor: Actor
) -> EpcisContext:
    """Store a new version of a remote JSON-LD context (administrators only)."""
    if not actor.is_admin:
        raise Forbidden(_("Only an administrator may register JSON-LD contexts."))
    url = url.strip()
    if not cbv.is_absolute_uri(url) or not url.lower().startswith(("http://", "https://")):
        raise ValidationFailed(
            _("The context URL must be an absolute http(s) URL, as documents cite it."),
            [FieldError(_("Not an http(s) URL."), field="url")],
        )
    if url in epcis_contexts.GS1_CONTEXTS:
        raise ValidationFailed(
            _("GS1's EPCIS context is built in; it needs no registration."),
            [FieldError(_("Built in."), field="url")],
        )
    if len(url) > MAX_URI_LENGTH:
        raise ValidationFailed(
            _("The context URL is longer than %(max)s characters.", max=MAX_URI_LENGTH),
            [FieldError(_("Too long."), field="url")],
        )
    try:
        prefixes = epcis_contexts.prefixes_of(document)
    except epcis_contexts.ContextError as exc:
        raise ValidationFailed(str(exc), [FieldError(str(exc), field="file")]) from None
    latest = session.scalar(select(func.max(EpcisContext.version)).where(EpcisContext.url == url))
    row = EpcisContext(
        url=url,
        version=(latest or 0) + 1,
        document=document,
        prefixes=prefixes,
        note=note.strip()[:500],
        uploaded_by=actor.username,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row
