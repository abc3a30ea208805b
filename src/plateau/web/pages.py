"""Shell pages: the overview dashboard, language switch, health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from plateau.i18n import LOCALES
from plateau.plan import service as plan_service
from plateau.web.app import LOCALE_COOKIE
from plateau.web.deps import CurrentActor, DbSession
from plateau.web.templating import render

router = APIRouter(include_in_schema=False)

@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    headline = plan_service.headline(session, actor=actor)
    return render(
        request, "web/dashboard.html", {"headline": headline}, actor=actor, active="dashboard"
    )


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if code in LOCALES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response


@router.get("/healthz")
def health(session: DbSession) -> Response:
    from sqlalchemy import text

    session.execute(text("SELECT 1"))
    return JSONResponse({"status": "ok"})
