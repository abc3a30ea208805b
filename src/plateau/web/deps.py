"""Request-scoped dependencies shared by every router: session, caller, CSRF."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

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


log = logging.getLogger(__name__)


def get_session(request: Request) -> Iterator[Session]:
    """Yield the request's one session; the boundary commits on success, rolls back on error.

    Unsafe methods start a writer transaction (BEGIN IMMEDIATE on SQLite) so that
    concurrent writers queue on the busy timeout; GETs stay deferred readers. The session
    is also left on ``request.state`` so that the layout reads what it needs on this
    connection instead of checking out a second one.
    """
    factory = request.app.state.sessionmaker
    write = request.method not in SAFE_METHODS
    with session_scope(factory, write=write) as session:
        request.state.db_session = session
        try:
            yield session
        finally:
            request.state.db_session = None
        token_id = session.info.pop(auth_service.PENDING_TOKEN_USE, None)
    if token_id is not None:
        _record_token_use(factory, token_id)


def request_session(request: Request) -> Session | None:
    """The request's open session, if it has one (None once the boundary closed it)."""
    return getattr(request.state, "db_session", None)


def _record_token_use(factory: sessionmaker[Session], token_id: int) -> None:
    # After the request's own transaction has ended, so the request never holds two
    # connections; best effort: a busy database costs a missed stamp, not the answer.
    try:
        with session_scope(factory) as session:
            auth_service.record_token_use(session, token_id=token_id)
    except SQLAlchemyError:
        log.warning("could not record the use of API token %s", token_id, exc_info=True)


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
