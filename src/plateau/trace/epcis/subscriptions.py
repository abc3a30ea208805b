"""Named queries, their webhook subscriptions, and delivery with the GS1-Signature header.

A subscription reports the events of its query that its owner may see, each event once:
its watermark (``last_event_id``) moves past what was delivered, and only after the
subscriber answered 2xx, so a failed delivery is retried with the next one. Streaming
subscriptions are served by a background job (``trace.webhook``, one per subscription,
queued with the capture and retried with back-off when the subscriber fails, each attempt
recorded on the job); scheduled ones whenever
``run_schedules`` runs (``plateau trace subscriptions run``, from cron or a timer) and
their cron-like schedule (China Standard Time) fired since the last run.

``GS1-Signature`` is the lowercase hex HMAC-SHA256 of the exact request body, keyed with
the subscription's ``signatureToken`` (the REST binding leaves the scheme to the
implementation and names HMAC-SHA256 as an example). Unsigned when no token was given.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.schemas import Actor
from plateau.db import utcnow
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.trace.epcis import access, output, problems, query, repository
from plateau.trace.epcis.models import EpcisEvent, EpcisQuery, EpcisSubscription
from plateau.trace.epcis.schemas import QueryCreate, SubscriptionCreate

log = logging.getLogger(__name__)

# Events per delivered document; more are sent as several POSTs.
DELIVERY_BATCH = 500
DELIVERY_TIMEOUT_S = 10.0
# How far back a schedule is looked at when a run was missed (a week of minutes).
_MAX_MINUTES = 7 * 24 * 60


# --- named queries --------------------------------------------------------------------


def _own(actor: Actor) -> Any:
    if actor.user_id is None:
        return EpcisQuery.owner_user_id.is_(None)
    return EpcisQuery.owner_user_id == actor.user_id


def _visible_queries(actor: Actor) -> Any:
    if actor.is_region_wide:
        return select(EpcisQuery)
    return select(EpcisQuery).where(_own(actor))


def create_query(session: Session, *, data: QueryCreate, actor: Actor) -> EpcisQuery:
    """Store a named query after checking it against the EPCIS query language."""
    access.require_reader(actor)
    query.from_json(data.query)
    taken = select(EpcisQuery.id).where(EpcisQuery.name == data.name, _own(actor))
    if session.scalar(taken) is not None:
        raise problems.EpcisError(
            problems.ALREADY_EXISTS,
            _("A query named %(name)s already exists.", name=data.name),
            409,
        )
    row = EpcisQuery(name=data.name, query=data.query, owner_user_id=actor.user_id)
    session.add(row)
    session.flush()
    return row


def list_queries(session: Session, *, actor: Actor) -> list[EpcisQuery]:
    """List the named queries the caller owns (all of them for region-wide roles)."""
    access.require_reader(actor)
    return list(session.scalars(_visible_queries(actor).order_by(EpcisQuery.name)))


def get_query(session: Session, *, name: str, actor: Actor) -> EpcisQuery:
    """Return a named query the caller may see, or raise 404."""
    access.require_reader(actor)
    # Region-wide roles see every owner's queries: their own of a name comes first.
    row: EpcisQuery | None = session.scalar(
        _visible_queries(actor)
        .where(EpcisQuery.name == name)
        .order_by(case((_own(actor), 0), else_=1), EpcisQuery.id)
        .limit(1)
    )
    if row is None:
        raise problems.not_found(_("There is no query named %(name)s.", name=name))
    return row


def delete_query(session: Session, *, name: str, actor: Actor) -> None:
    """Remove a named query and all its subscriptions (its owner or the administrator)."""
    row = get_query(session, name=name, actor=actor)
    if not (actor.is_admin or row.owner_user_id == actor.user_id):
        raise problems.EpcisError(
            problems.SECURITY, _("Only its owner may delete the query %(name)s.", name=name), 403
        )
    for sub in session.scalars(
        select(EpcisSubscription).where(EpcisSubscription.query_id == row.id)
    ):
        session.delete(sub)
    session.delete(row)
    session.flush()


# --- subscriptions ----------------------------------------------------------------------------


def host_allowed(dest: str, allowed_hosts: Collection[str]) -> bool:
    """Tell whether a webhook URL's host is on the allow-list (``*.example.com``: subdomains)."""
    try:
        host = (urlsplit(dest).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    for entry in allowed_hosts:
        pattern = entry.strip().lower().rstrip(".")
        if not pattern:
            continue
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def check_destination(dest: str, allowed_hosts: Collection[str]) -> None:
    """Refuse webhook destinations outside the allow-list, so that nobody can make the
    server POST to an internal address (SSRF)."""
    if not any(h.strip() for h in allowed_hosts):
        raise problems.EpcisError(
            problems.SUBSCRIPTION_CONTROLS,
            _(
                "This server sends no webhooks: no destination host is allowed "
                "(setting PLATEAU_WEBHOOK_ALLOWED_HOSTS)."
            ),
            400,
        )
    if not host_allowed(dest, allowed_hosts):
        raise problems.EpcisError(
            problems.SUBSCRIPTION_CONTROLS,
            _(
                "The webhook destination %(dest)s is not on this server's list of allowed "
                "hosts (setting PLATEAU_WEBHOOK_ALLOWED_HOSTS).",
                dest=dest,
            ),
            400,
        )


def create_subscription(
    session: Session,
    *,
    query_row: EpcisQuery,
    data: SubscriptionCreate,
    epc_format: output.EpcFormat,
    actor: Actor,
    allowed_hosts: Collection[str] = (),
) -> EpcisSubscription:
    """Subscribe the caller's webhook to a named query (new events only, or since a time)."""
    access.require_reader(actor)
    check_destination(data.dest, allowed_hosts)
    schedule = data.schedule.model_dump(exclude_none=True) if data.schedule else None
    if schedule is not None:
        check_schedule(schedule)
    now = utcnow()
    row = EpcisSubscription(
        id=str(uuid.uuid4()),
        query_id=query_row.id,
        dest=data.dest,
        signing_key=data.secret,
        stream=bool(data.stream),
        schedule=schedule,
        report_if_empty=data.reportIfEmpty,
        initial_record_time=data.initialRecordTime,
        # Without an initial record time only events captured from now on are reported.
        last_event_id=0 if data.initialRecordTime else repository.max_event_id(session),
        last_run_at=now,
        epc_format=epc_format,
        owner_user_id=actor.user_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def list_subscriptions(
    session: Session, *, query_row: EpcisQuery, actor: Actor
) -> list[EpcisSubscription]:
    """List the subscriptions of a named query that the caller may see."""
    stmt = select(EpcisSubscription).where(EpcisSubscription.query_id == query_row.id)
    if not actor.is_region_wide:
        stmt = stmt.where(EpcisSubscription.owner_user_id == actor.user_id)
    return list(session.scalars(stmt.order_by(EpcisSubscription.created_at)))


def get_subscription(
    session: Session, *, query_row: EpcisQuery, subscription_id: str, actor: Actor
) -> EpcisSubscription:
    """Return one subscription of a named query, or raise 404."""
    for sub in list_subscriptions(session, query_row=query_row, actor=actor):
        if sub.id == subscription_id:
            return sub
    raise problems.not_found(
        _("There is no subscription %(id)s to this query.", id=subscription_id)
    )


def delete_subscription(
    session: Session, *, query_row: EpcisQuery, subscription_id: str, actor: Actor
) -> None:
    """Unsubscribe (the subscriber or the administrator)."""
    sub = get_subscription(
        session, query_row=query_row, subscription_id=subscription_id, actor=actor
    )
    if not (actor.is_admin or sub.owner_user_id == actor.user_id):
        raise problems.EpcisError(
            problems.SECURITY, _("Only the subscriber may cancel this subscription."), 403
        )
    session.delete(sub)
    session.flush()


# --- schedules ------------------------------------------------------------------------------

_FIELDS = ("month", "dayOfMonth", "dayOfWeek", "hour", "minute", "second")
_RANGES = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (1, 7),
}
_ELEMENT = re.compile(r"^(?:\[(\d+)-(\d+)\]|(\d+)-(\d+)|(\d+)|\*)(?:/(\d+))?$")


def _values(name: str, text: str) -> frozenset[int]:
    low, high = _RANGES[name]
    found: set[int] = set()
    for part in text.split(","):
        match = _ELEMENT.match(part.strip())
        if match is None:
            raise _schedule_error(name, text)
        a, b, c, d, single, step = match.groups()
        if a is not None or c is not None:
            start, end = int(a or c), int(b or d)
        elif single is not None:
            start = int(single)
            end = high if step else start
        else:
            start, end = low, high
        if not (low <= start <= end <= high):
            raise _schedule_error(name, text)
        found.update(range(start, end + 1, int(step) if step else 1))
    return frozenset(found)


def _schedule_error(name: str, text: str) -> problems.EpcisError:
    return problems.EpcisError(
        problems.SUBSCRIPTION_CONTROLS,
        _("The schedule value %(name)s=%(value)s is not valid.", name=name, value=text),
        400,
    )


def compile_schedule(schedule: dict[str, str]) -> dict[str, frozenset[int]]:
    """Return the allowed values of every schedule field.

    A field left out matches every value, except the fields finer than the finest one
    given, which mean their first value: ``{"hour": "1", "minute": "5"}`` fires once a day
    at 01:05:00, not sixty times.
    """
    given = [f for f in _FIELDS if schedule.get(f) is not None]
    finest = max((_FIELDS.index(f) for f in given), default=-1)
    compiled: dict[str, frozenset[int]] = {}
    for index, name in enumerate(_FIELDS):
        low, high = _RANGES[name]
        text = schedule.get(name)
        if text is not None:
            compiled[name] = _values(name, text)
        elif index > finest and name in ("hour", "minute", "second"):
            compiled[name] = frozenset({low})
        else:
            compiled[name] = frozenset(range(low, high + 1))
    return compiled


def check_schedule(schedule: dict[str, str]) -> None:
    """Raise SubscriptionControlsException when a schedule cannot be read or never fires."""
    compiled = compile_schedule(schedule)
    if not all(compiled.values()):
        raise _schedule_error("schedule", json.dumps(schedule))


def fired_between(schedule: dict[str, str], after: datetime, until: datetime) -> bool:
    """Tell whether the schedule fires at some second in (after, until]."""
    compiled = compile_schedule(schedule)
    start = after.astimezone(BEIJING).replace(second=0, microsecond=0)
    end = until.astimezone(BEIJING)
    minute = start
    steps = 0
    while minute <= end and steps <= _MAX_MINUTES:
        steps += 1
        if (
            minute.month in compiled["month"]
            and minute.day in compiled["dayOfMonth"]
            and minute.isoweekday() in compiled["dayOfWeek"]
            and minute.hour in compiled["hour"]
            and minute.minute in compiled["minute"]
        ):
            for second in sorted(compiled["second"]):
                moment = minute + timedelta(seconds=second)
                if after < moment <= until:
                    return True
        minute += timedelta(minutes=1)
    return False


# --- delivery -------------------------------------------------------------------------------


@dataclass
class Delivery:
    """One POST to a subscriber, prepared inside a transaction and sent outside it."""

    subscription_id: str
    dest: str
    body: bytes
    headers: dict[str, str]
    last_event_id: int


def sign(body: bytes, key: str) -> str:
    """Return the GS1-Signature of a body: hex HMAC-SHA256 keyed with the subscriber's token."""
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def owner_of(session: Session, sub: EpcisSubscription) -> Actor | None:
    """The subscriber as a caller, or None when the account is gone or disabled."""
    if sub.owner_user_id is None:
        return None
    user = auth_service.get_user(session, user_id=sub.owner_user_id)
    if user is None or not user.is_active:
        return None
    return auth_service.actor_for(user)


def prepare_deliveries(
    session: Session,
    *,
    stream: bool,
    now: datetime | None = None,
    subscription_id: str | None = None,
) -> list[Delivery]:
    """Build the documents due: streaming subscriptions with new matching events, or
    scheduled subscriptions whose schedule fired since their last run (all, or one)."""
    now = now or utcnow()
    stmt = select(EpcisSubscription, EpcisQuery).join(
        EpcisQuery, EpcisQuery.id == EpcisSubscription.query_id
    )
    stmt = stmt.where(EpcisSubscription.stream.is_(stream))
    if subscription_id is not None:
        stmt = stmt.where(EpcisSubscription.id == subscription_id)
    deliveries: list[Delivery] = []
    for sub, query_row in session.execute(stmt).all():
        if not stream:
            assert sub.schedule is not None
            if not fired_between(sub.schedule, sub.last_run_at or sub.created_at, now):
                continue
            sub.last_run_at = now
        actor = owner_of(session, sub)
        if actor is None:
            continue
        deliveries += _documents(session, sub, query_row, actor, now=now)
    session.flush()
    return deliveries


def _documents(
    session: Session, sub: EpcisSubscription, query_row: EpcisQuery, actor: Actor, *, now: datetime
) -> list[Delivery]:
    try:
        parsed = query.from_json(query_row.query)
    except problems.EpcisError as exc:
        sub.last_error = exc.message[:1024]
        return []
    scope = access.scope_of(session, actor)
    where = repository.conditions(session, parsed, scope)
    if sub.initial_record_time is not None:
        where.append(EpcisEvent.record_time >= sub.initial_record_time)
    ids = repository.ids_after(session, where, sub.last_event_id)
    if parsed.max_event_count is not None and len(ids) > parsed.max_event_count:
        ids = ids[: parsed.max_event_count]
    fmt = output.epc_format(sub.epc_format)
    deliveries = []
    for batch in _chunks(ids, DELIVERY_BATCH):
        rows = session.execute(
            select(EpcisEvent.id, EpcisEvent.event_json).where(EpcisEvent.id.in_(batch))
        ).all()
        events = [row[1] for row in sorted(rows, key=lambda row: int(row[0]))]
        deliveries.append(_delivery(sub, query_row, events, fmt, max(batch), now))
    if not ids and sub.report_if_empty and not sub.stream:
        deliveries.append(_delivery(sub, query_row, [], fmt, sub.last_event_id, now))
    return deliveries


def _delivery(
    sub: EpcisSubscription,
    query_row: EpcisQuery,
    events: list[dict[str, Any]],
    fmt: output.EpcFormat,
    last_event_id: int,
    now: datetime,
) -> Delivery:
    document = output.query_document(
        events, fmt=fmt, query_name=query_row.name, subscription_id=sub.id, created=now
    )
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/ld+json",
        "GS1-EPCIS-Version": "2.0.0",
        "GS1-CBV-Version": "2.0.0",
        "GS1-EPC-Format": fmt,
    }
    if sub.signing_key:
        headers["GS1-Signature"] = sign(body, sub.signing_key)
    return Delivery(sub.id, sub.dest, body, headers, last_event_id)


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass
class Sent:
    """The answer of one delivery."""

    delivery: Delivery
    ok: bool
    error: str = ""


def send(deliveries: list[Delivery], *, client: httpx.Client | None = None) -> list[Sent]:
    """POST every delivery (outside any transaction); a failed one stops its subscription's
    later batches, so events stay in order."""
    results: list[Sent] = []
    failed: set[str] = set()
    own = client is None
    http = client or httpx.Client(timeout=DELIVERY_TIMEOUT_S, follow_redirects=False)
    try:
        for item in deliveries:
            if item.subscription_id in failed:
                results.append(Sent(item, False, "skipped after an earlier failure"))
                continue
            try:
                response = http.post(item.dest, content=item.body, headers=item.headers)
                ok = 200 <= response.status_code < 300
                error = "" if ok else f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                ok, error = False, f"{type(exc).__name__}: {exc}"
            if not ok:
                failed.add(item.subscription_id)
                log.warning(
                    "EPCIS subscription %s: delivery failed: %s", item.subscription_id, error
                )
            results.append(Sent(item, ok, error))
    finally:
        if own:
            http.close()
    return results


def record(session: Session, results: list[Sent]) -> None:
    """Move each subscription's watermark past what its subscriber accepted."""
    now = utcnow()
    for result in results:
        sub = session.get(EpcisSubscription, result.delivery.subscription_id)
        if sub is None:
            continue
        if result.ok:
            sub.last_event_id = max(sub.last_event_id, result.delivery.last_event_id)
            sub.last_notified_at = now
            sub.last_error = ""
        else:
            sub.last_error = result.error[:1024]
    session.flush()
