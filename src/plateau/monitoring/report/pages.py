"""The evaluation report page (``/monitoring/report``) and its downloads (PDF, Excel, HTML)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from plateau.monitoring.analytics import service as analytics_service
from plateau.monitoring.report import documents, service
from plateau.web.deps import Csrf, DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])

PageFormat = Literal["page", "html", "pdf", "xlsx"]


@router.get("/monitoring/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    session: DbSession,
    actor: UserActor,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    scope: str | None = None,
    format: PageFormat = "page",
) -> Response:
    """The mid-term evaluation report of a year, with PDF, Excel and HTML downloads."""
    chosen = service.resolve_scope(actor, scope or None)
    if year is None:
        years, _last = service.data_years(session)
        year = _default_year(years)
    report = service.build_report(session, actor=actor, year=year, scope=chosen)
    if format != "page":
        return Response(
            documents.render(report, format),
            media_type=documents.MEDIA_TYPES[format],
            headers={
                "Content-Disposition": f'attachment; filename="{documents.filename(report, format)}"'
            },
        )
    scopes = [
        s
        for s in analytics_service.visible_scopes(session, actor=actor)
        if s.kind == "region" or (s.kind == "prefecture" and actor.is_region_wide) or s.id == chosen
    ]
    return render(
        request,
        "report/page.html",
        {**documents.template_context(report), "scopes": scopes, "toc": False},
        actor=actor,
        active="monitoring",
    )


def _default_year(years: list[int]) -> int:
    # The last complete year is what an evaluation looks at; a year just begun says little.
    # Without any returns yet, the current year: the report then says there is nothing to show.
    from plateau.monitoring.periods import beijing_today

    return years[-2] if len(years) > 1 else (years[0] if years else beijing_today().year)
