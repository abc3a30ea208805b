"""JSON API of the messages to an enterprise (催报 reminders)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from plateau.messaging import service
from plateau.messaging.schemas import MarkedRead, MessageRead, UnreadCount
from plateau.web.deps import Csrf, DbSession, UserActor

router = APIRouter(prefix="/messages", tags=["messages"], dependencies=[Csrf])


@router.get("", response_model=list[MessageRead])
def messages(
    session: DbSession,
    actor: UserActor,
    limit: Annotated[int, Query(ge=1, le=200, description="The newest N messages.")] = 50,
) -> list[MessageRead]:
    """The newest messages to the caller's enterprise (an empty list for other roles)."""
    return [MessageRead.model_validate(m) for m in service.inbox(session, actor=actor, limit=limit)]


@router.get("/unread", response_model=UnreadCount)
def unread(session: DbSession, actor: UserActor) -> UnreadCount:
    """How many messages to the caller's enterprise are not read yet."""
    return UnreadCount(unread=service.unread_count(session, actor=actor))


@router.post("/read-all", response_model=MarkedRead)
def read_all(session: DbSession, actor: UserActor) -> MarkedRead:
    """Mark every message of the caller's enterprise read."""
    return MarkedRead(marked=service.mark_all_read(session, actor=actor))


@router.post("/{message_id}/read", response_model=MessageRead)
def read(session: DbSession, actor: UserActor, message_id: int) -> MessageRead:
    """Mark one message read (the reader opened it); another enterprise's message is 404."""
    return MessageRead.model_validate(
        service.mark_read(session, message_id=message_id, actor=actor)
    )
