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

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.db import utcnow
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


def inbox(session: Session, *, actor: Actor, limit: int = 5) -> list[Shown]:
    """The latest messages to the caller's enterprise (nobody else reads them here)."""
    if actor.role is not Role.ENTERPRISE_USER or actor.scope_kind != "enterprise":
        return []
    rows = session.scalars(
        select(Message)
        .join(Enterprise, Enterprise.id == Message.enterprise_id)
        .where(Enterprise.uscc == actor.scope_value)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()
    out = []
    for m in rows:
        subject, body, url = _words(m)
        out.append(Shown(m.id, subject, body, m.note, m.created_at, url))
    return out


def home_panel(session: Session, *, actor: Actor) -> dict[str, Any] | None:
    """The enterprise home page's panel of messages (left out when there are none)."""
    shown = inbox(session, actor=actor)
    return {"messages": shown} if shown else None
