"""Request-scoped dependencies shared by every router: session, caller, CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.schemas import PUBLIC, Actor
from plateau.db import session_scope
from plateau.errors import DomainError, Forbidden, Unauthorized
from plateau.i18n import _

# The cookie holds the key of a server-side session (auth.models.UserSession), not a user id.
SESSION_USER_KEY = "sid"
SESSION_CSRF_KEY = "csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """Yield a session; the request boundary commits on success and rolls back on error."""
    with session_scope(request.app.state.sessionmaker) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session, scope="function")]


def csrf_token(request: Request) -> str:
    """Return this browser session's CSRF token, creating it on first use."""
    token = request.session.get(SESSION_CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF_KEY] = token
    return str(token)


async def _check_csrf(request: Request) -> None:
    expected = request.session.get(SESSION_CSRF_KEY)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(str(expected), given):
        raise DomainError(
            _("The form has expired or did not come from this site. Please reload and try again."),
            403,
            "csrf_failed",
        )


def get_actor(request: Request, session: DbSession) -> Actor:
    """Resolve the caller: a bearer token, a logged-in browser session, or the public."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        actor = auth_service.actor_from_token(session, token=auth[7:].strip())
    else:
        key = request.session.get(SESSION_USER_KEY)
        found = auth_service.actor_from_session(session, key=key)
        if found is None and key is not None:
            request.session.pop(SESSION_USER_KEY, None)
        actor = found or PUBLIC
    # Error pages rendered outside the route still know who is looking.
    request.state.actor = actor
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


async def csrf_protect(request: Request, actor: CurrentActor) -> None:
    """Require a CSRF token on unsafe requests that ride on the session cookie."""
    if request.method in SAFE_METHODS or actor.via_token:
        return
    await _check_csrf(request)


def require_user(actor: CurrentActor) -> Actor:
    """Return the caller, or answer 401 for the public."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    return actor


def require_admin(actor: Annotated[Actor, Depends(require_user)]) -> Actor:
    """Return the caller if they are the region administrator, else 403."""
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may do this."))
    return actor


UserActor = Annotated[Actor, Depends(require_user)]
AdminActor = Annotated[Actor, Depends(require_admin)]
Csrf = Depends(csrf_protect)
