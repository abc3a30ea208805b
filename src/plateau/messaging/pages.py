"""The messages page of an enterprise: its messages, which are unread, and marking them read.

Reading is marked by a POST (opening a message, or marking all read), never by a page view.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plateau.messaging import service
from plateau.web.deps import Csrf, DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])


@router.get("/messages", response_class=HTMLResponse)
def messages(request: Request, session: DbSession, actor: UserActor) -> Response:
    ctx = {
        "messages": service.inbox(session, actor=actor, limit=200),
        "unread": service.unread_count(session, actor=actor),
    }
    return render(request, "messaging/messages.html", ctx, actor=actor)


@router.post("/messages/read-all")
def read_all(session: DbSession, actor: UserActor) -> Response:
    service.mark_all_read(session, actor=actor)
    return RedirectResponse("/messages", status_code=303)


@router.post("/messages/{message_id}/open")
def open_message(session: DbSession, actor: UserActor, message_id: int) -> Response:
    """Mark the message read and go where it points (the overdue return), or to the list."""
    shown = service.mark_read(session, message_id=message_id, actor=actor)
    return RedirectResponse(shown.url or f"/messages#message-{shown.id}", status_code=303)
