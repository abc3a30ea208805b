"""HTML page of the standards programme: progress against 专栏2, the register, declarations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from plateau.registry import service as registry_service
from plateau.standards import labels, service
from plateau.web.deps import Csrf, CurrentActor, DbSession
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])


@router.get("/standards", response_class=HTMLResponse)
def index(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    status: str = "",
    level: str = "",
    industry: str = "",
) -> Response:
    industries = {i.id: i for i in registry_service.list_industries(session, actor=actor)}
    return render(
        request,
        "standards/index.html",
        {
            "programme": service.programme(session),
            "standards": service.list_standards(
                session,
                status=status if status in labels.STATUSES else None,
                level=level if level in labels.LEVELS else None,
                industry=industry if industry in industries else None,
            ),
            "declarations": service.list_declarations(session)[:50],
            "industries": industries,
            "labels": labels,
            "L": labels.name,
            "title_of": service.loc_title,
            "filters": {"status": status, "level": level, "industry": industry},
        },
        actor=actor,
        active="standards",
    )
