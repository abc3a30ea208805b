"""HTML pages of the auth domain: log in, log out, account, users."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plateau.auth import service
from plateau.auth.schemas import Role, TokenCreate, UserCreate
from plateau.errors import DomainError
from plateau.i18n import _
from plateau.web.deps import (
    SESSION_USER_KEY,
    AdminActor,
    Csrf,
    CurrentActor,
    DbSession,
    UserActor,
)
from plateau.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid.
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or urlparse(target).netloc
    ):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, actor: CurrentActor, next: str = "/") -> Response:
    return render(
        request, "auth/login.html", {"next": _safe_next(next), "error": None}, actor=actor
    )


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = service.sign_in(
            session,
            username=username,
            password=password,
            address=request.client.host if request.client else "",
        )
    except DomainError as exc:
        # No re-raise: the wrong password must be committed for the throttle to count it.
        return render(
            request,
            "auth/login.html",
            {"next": _safe_next(next), "error": exc.message, "username": username},
            actor=actor,
            status_code=exc.status_code,
        )
    # A fresh session on login: an attacker's pre-set session (and CSRF token) dies here.
    service.end_session(session, key=request.session.get(SESSION_USER_KEY))
    request.session.clear()
    request.session[SESSION_USER_KEY] = service.start_session(
        session, user=user, max_age_s=request.app.state.settings.session_max_age_s
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, session: DbSession) -> Response:
    service.end_session(session, key=request.session.get(SESSION_USER_KEY))
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: DbSession, actor: UserActor) -> Response:
    tokens = service.list_tokens(session, actor=actor)
    return render(request, "auth/account.html", {"tokens": tokens, "new_token": None}, actor=actor)


@router.post("/account/tokens", response_class=HTMLResponse, dependencies=[Csrf])
def account_new_token(
    request: Request, session: DbSession, actor: UserActor, name: Annotated[str, Form()] = ""
) -> Response:
    _token, plain = service.create_token(
        session, username=actor.username, data=TokenCreate(name=name), actor=actor
    )
    tokens = service.list_tokens(session, actor=actor)
    return render(request, "auth/account.html", {"tokens": tokens, "new_token": plain}, actor=actor)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, actor: AdminActor) -> Response:
    users = service.list_users(session, actor=actor)
    return render(
        request,
        "auth/users.html",
        {"users": users, "roles": list(Role)[:-1], "error": None},
        actor=actor,
    )


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[Csrf])
def users_create(
    request: Request,
    session: DbSession,
    actor: AdminActor,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[Role, Form()],
    scope: Annotated[str, Form()] = "",
) -> Response:
    error = None
    try:
        data = UserCreate(username=username, password=password, role=role, scope=scope or None)
        service.create_user(session, data=data, actor=actor)
    except DomainError as exc:
        error = exc.message
    except ValueError:
        error = _("User name needs 2–64 letters or digits; password at least 8 characters.")
    users = service.list_users(session, actor=actor)
    return render(
        request,
        "auth/users.html",
        {"users": users, "roles": list(Role)[:-1], "error": error},
        actor=actor,
        status_code=422 if error else 200,
    )
