"""Messages to enterprises, through one pluggable sender.

Every message is stored (``message`` table) and logged before it leaves; the enterprise sees
it on its home page whatever the channel. The default sender is the platform's own inbox:
storing the message delivers it. Another channel (SMS, e-mail, a government messaging
gateway) plugs in with ``use_sender``; its delivery then runs as a background job
(``messaging.deliver``), never inside the request that sent the message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.db import utcnow
from plateau.errors import NotFound
from plateau.i18n import _
from plateau.messaging.models import Message
from plateau.registry.models import Enterprise

if TYPE_CHECKING:
    from plateau.jobs.service import JobContext

log = logging.getLogger("plateau.messaging")

KINDS = ("reminder", "design")


class Sender(Protocol):
    """A channel that carries a stored message to its enterprise."""

    name: str
    immediate: bool  # True: storing the message is its delivery (the inbox)

    def deliver(self, message: Message, enterprise: Enterprise) -> None: ...


class InboxSender:
    """The platform's own inbox: the message shows on the enterprise's home page."""

    name = "inbox"
    immediate = True

    def deliver(self, message: Message, enterprise: Enterprise) -> None:
        return None


_sender: Sender = InboxSender()


def use_sender(sender: Sender) -> Sender:
    """Plug in another channel; return the one it replaces (tests put it back)."""
    global _sender
    previous, _sender = _sender, sender
    return previous


def current_sender() -> Sender:
    return _sender


@dataclass(frozen=True)
class Draft:
    """What to send to one enterprise."""

    enterprise_id: int
    topic: str
    params: dict[str, Any]


def send(
    session: Session, *, kind: str, drafts: Sequence[Draft], note: str, actor: Actor
) -> list[Message]:
    """Store and log one message per draft and hand them to the sender. The caller checks
    that ``actor`` may write to these enterprises; this only records who did."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    sender = _sender
    now = utcnow()
    messages = [
        Message(
            enterprise_id=d.enterprise_id,
            kind=kind,
            topic=d.topic,
            params=d.params,
            note=note.strip()[:2000],
            sender_user_id=actor.user_id,
            sender_name=actor.username[:128],
            channel=sender.name,
            created_at=now,
            delivered_at=now if sender.immediate else None,
        )
        for d in drafts
    ]
    session.add_all(messages)
    session.flush()
    for m in messages:
        log.info(
            "message %s (%s %s) to enterprise %s by %s via %s",
            m.id,
            kind,
            m.topic,
            m.enterprise_id,
            actor.username or actor.role,
            sender.name,
        )
    if not sender.immediate and messages:
        from plateau.jobs import service as jobs_service

        jobs_service.submit(
            session,
            kind="messaging.deliver",
            params={"ids": [m.id for m in messages]},
            actor=actor,
            max_attempts=3,
        )
    return messages


def deliver(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Job ``messaging.deliver``: hand stored messages to the plugged-in sender."""
    ids = [int(i) for i in params.get("ids", [])]
    sender = _sender
    done = 0
    with ctx.session() as session:
        rows = session.execute(
            select(Message, Enterprise)
            .join(Enterprise, Enterprise.id == Message.enterprise_id)
            .where(Message.id.in_(ids), Message.delivered_at.is_(None))
        ).all()
        for message, enterprise in rows:
            sender.deliver(message, enterprise)
            message.delivered_at = utcnow()
            message.channel = sender.name
            done += 1
    return {"summary": _("%(n)s messages delivered.", n=done)}


def last_sent(
    session: Session, *, kind: str, topic: str, enterprise_ids: Iterable[int]
) -> dict[int, datetime]:
    """When each of these enterprises last got a message of this kind and topic."""
    ids = sorted(set(enterprise_ids))
    out: dict[int, datetime] = {}
    for start in range(0, len(ids), 500):  # IN lists stay far below the drivers' limits
        rows = session.execute(
            select(Message.enterprise_id, Message.created_at).where(
                Message.kind == kind,
                Message.topic == topic,
                Message.enterprise_id.in_(ids[start : start + 500]),
            )
        ).all()
        for eid, at in rows:
            if eid not in out or at > out[eid]:
                out[eid] = at
    return out


@dataclass(frozen=True)
class Shown:
    """A message as its reader sees it, in the reader's language."""

    id: int
    subject: str
    body: str
    note: str
    sent_at: datetime
    url: str | None
    read: bool = False


def _words(message: Message) -> tuple[str, str, str | None]:
    if message.kind == "reminder":
        from plateau.monitoring.periods import Period

        text = message.topic
        year, _sep, month = text.partition("-")
        period = Period(int(year), int(month) if month else None)
        days = int(message.params.get("days_late", 0))
        subject = _("Reminder: your return for %(period)s is overdue", period=period.label())
        body = _(
            "Your statistical return for %(period)s was due on %(deadline)s and is %(days)s "
            "days late. Please file it as soon as you can.",
            period=period.label(),
            deadline=str(message.params.get("deadline", "")),
            days=days,
        )
        return subject, body, f"/monitoring/returns/{message.params.get('uscc', '')}/{text}"
    if message.kind == "design":
        from plateau.design import labels as design_labels

        return design_labels.message_words(message.topic, message.params)
    return message.kind, "", None


def _reads_messages(actor: Actor) -> bool:
    return actor.role is Role.ENTERPRISE_USER and actor.scope_kind == "enterprise"


def _own(actor: Actor):  # type: ignore[no-untyped-def]
    """The condition on Message that keeps the caller's enterprise's messages."""
    return Message.enterprise_id.in_(
        select(Enterprise.id).where(Enterprise.uscc == actor.scope_value).scalar_subquery()
    )


def inbox(
    session: Session, *, actor: Actor, limit: int = 5, unread_only: bool = False
) -> list[Shown]:
    """The latest messages to the caller's enterprise (nobody else reads them here)."""
    if not _reads_messages(actor):
        return []
    stmt = select(Message).where(_own(actor))
    if unread_only:
        stmt = stmt.where(Message.read_at.is_(None))
    rows = session.scalars(
        stmt.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
    ).all()
    out = []
    for m in rows:
        subject, body, url = _words(m)
        out.append(Shown(m.id, subject, body, m.note, m.created_at, url, m.read_at is not None))
    return out


def unread_count(session: Session, *, actor: Actor) -> int:
    """How many messages to the caller's enterprise nobody has opened yet (0 for others)."""
    if not _reads_messages(actor):
        return 0
    return int(
        session.scalar(
            select(func.count()).select_from(Message).where(_own(actor), Message.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, *, message_id: int, actor: Actor) -> Shown:
    """Mark one message of the caller's enterprise read (opened); another's is NotFound."""
    message = (
        session.scalar(select(Message).where(Message.id == message_id, _own(actor)))
        if _reads_messages(actor)
        else None
    )
    if message is None:
        raise NotFound(_("No such message."))
    if message.read_at is None:
        message.read_at = utcnow()
        session.flush()
    subject, body, url = _words(message)
    return Shown(message.id, subject, body, message.note, message.created_at, url, True)


def mark_all_read(session: Session, *, actor: Actor) -> int:
    """Mark every unread message of the caller's enterprise read; return how many."""
    if not _reads_messages(actor):
        return 0
    result = session.execute(
        update(Message)
        .where(_own(actor), Message.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def home_panel(session: Session, *, actor: Actor) -> dict[str, Any] | None:
    """The enterprise home page's panel of messages (left out when there are none)."""
    shown = inbox(session, actor=actor)
    return {"messages": shown} if shown else None
