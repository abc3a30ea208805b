"""Shell pages: the overview dashboard, language switch, health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.formatting import loc
from plateau.i18n import LOCALES
from plateau.plan import service as plan_service
from plateau.web import home
from plateau.web.app import LOCALE_COOKIE
from plateau.web.deps import CurrentActor, DbSession
from plateau.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The home page of the caller's role: their area, their to-do list, their returns."""
    from plateau.monitoring import service as monitoring_service
    from plateau.monitoring.analytics import labels as analytics_labels

    headline = [] if actor.is_authenticated else plan_service.headline(session, actor=actor)
    ctx = {
        "headline": headline,
        "panels": home.panels(session, actor=actor),
        "scope_name": _scope_name(session, actor),
        "return_status": monitoring_service.status_label,
        "status_label": analytics_labels.status_label,
    }
    return render(request, "web/dashboard.html", ctx, actor=actor, active="dashboard")


def _scope_name(session: Session, actor: Actor) -> str:
    """The name of the caller's own area or enterprise (empty when region-wide)."""
    from plateau.monitoring.analytics import service as analytics_service

    if not actor.scope:
        return ""
    if actor.scope_kind == "enterprise":
        from plateau.registry import service as registry_service

        ent = registry_service.get_enterprise(session, uscc=actor.scope_value or "", actor=actor)
        return f"{loc(ent)} ({ent.uscc})"
    found = analytics_service.reference(session, actor=actor).get(actor.scope)
    return found.name if found is not None else ""


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if code in LOCALES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request, actor: CurrentActor) -> Response:
    """Swagger UI over /api/openapi.json, from the app's own static files."""
    return render(request, "web/api_docs.html", actor=actor)


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/healthz")
def health(session: DbSession) -> Response:
    from sqlalchemy import text

    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
