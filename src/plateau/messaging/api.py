"""JSON API of the messages to an enterprise (催报 reminders)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from plateau.messaging import service
from plateau.messaging.schemas import MessageRead
from plateau.web.deps import DbSession, UserActor

router = APIRouter(prefix="/messages", tags=["messages"])


@router.get("", response_model=list[MessageRead])
def messages(
    session: DbSession,
    actor: UserActor,
    limit: Annotated[int, Query(ge=1, le=200, description="The newest N messages.")] = 50,
) -> list[MessageRead]:
    """The newest messages to the caller's enterprise (an empty list for other roles)."""
    return [MessageRead.model_validate(m) for m in service.inbox(session, actor=actor, limit=limit)]
