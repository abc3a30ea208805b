"""HTML pages of the plan domain."""

from __future__ import annotations

import json
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from plateau.i18n import _
from plateau.plan import data as plan_data
from plateau.plan import service
from plateau.plan.tables import figure_columns
from plateau.tabular import export_response
from plateau.web.deps import CurrentActor, DbSession
from plateau.web.templating import render

router = APIRouter(include_in_schema=False)


def _coherence_chart(rows: list) -> str:  # type: ignore[type-arg]
    """ECharts option: stacked industry targets against the region target, per year."""
    years = [str(r.year) for r in rows]
    series = []
    if rows:
        for i, share in enumerate(rows[0].industries):
            series.append(
                {
                    "name": share.name,
                    "type": "bar",
                    "stack": "industries",
                    "data": [round((r.industries[i].value or 0) / 1e8, 2) for r in rows],
                }
            )
    series.append(
        {
            "name": _("Region target"),
            "type": "line",
            "symbolSize": 10,
            "data": [round((r.region_value or 0) / 1e8, 2) for r in rows],
        }
    )
    return json.dumps(
        {
            "tooltip": {"trigger": "axis"},
            "legend": {"type": "scroll", "bottom": 0},
            "grid": {"left": 50, "right": 20, "top": 30, "bottom": 60},
            "xAxis": {"type": "category", "data": years},
            "yAxis": {"type": "value", "name": _("100 million CNY")},
            "series": series,
        },
        ensure_ascii=False,
    )


@router.get("/plan", response_class=HTMLResponse)
def overview(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    plans = service.list_plans(session, actor=actor)
    names = service.indicator_names(session, actor=actor)
    industry_targets = [
        service.figure_read(f, names)
        for f in service.list_figures(
            session, actor=actor, plan_id=service.MAIN_PLAN, indicator="output_value"
        )
        if f.scope.startswith("industry:")
    ]
    by_industry: dict[str, dict[int, object]] = {}
    for f in industry_targets:
        by_industry.setdefault(f.scope.split(":", 1)[1], {})[f.year] = f
    coherence = service.coherence_check(session, actor=actor)
    main_doc = plan_data.load_plan(service.MAIN_PLAN)
    garment = [
        service.figure_read(f, names)
        for f in service.list_figures(session, actor=actor, plan_id="lhasa_garment")
    ]
    return render(
        request,
        "plan/overview.html",
        {
            "plans": plans,
            "headline": service.headline(session, actor=actor),
            "industries": [
                (s.industry, s.name) for s in (coherence[0].industries if coherence else [])
            ],
            "by_industry": by_industry,
            "coherence": coherence,
            "coherence_chart": _coherence_chart(coherence),
            "parks": main_doc.parks,
            "bases": main_doc.raw_material_bases,
            "actions": service.list_actions(session, actor=actor),
            "garment": garment,
            "incentives": service.list_incentives(session, actor=actor),
            "localized": service.localized,
        },
        actor=actor,
        active="plan",
    )


@router.get("/plan/targets", response_class=HTMLResponse)
def targets(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    plan: str = "",
    indicator: str = "",
    scope: str = "",
    kind: str = "",
    year: str = "",
    format: Literal["html", "csv", "xlsx"] = "html",
) -> Response:
    year_value = int(year) if year.isdigit() else None
    names = service.indicator_names(session, actor=actor)
    figures = [
        service.figure_read(f, names)
        for f in service.list_figures(
            session,
            actor=actor,
            plan_id=plan or None,
            indicator=indicator or None,
            scope=scope or None,
            kind=kind or None,
            year=year_value,
        )
    ]
    if format != "html":
        from plateau.plan.api import named_figures

        rows = named_figures(session, actor, [f.model_dump() for f in figures])
        return export_response(format, figure_columns(), rows, filename="plan-targets")
    context = {
        "figures": figures,
        "filters": {
            "plan": plan,
            "indicator": indicator,
            "scope": scope,
            "kind": kind,
            "year": year,
        },
        "indicators": service.list_indicators(session, actor=actor),
        "plans": service.list_plans(session, actor=actor),
        "localized": service.localized,
    }
    template = (
        "plan/_targets_table.html" if request.headers.get("HX-Request") else "plan/targets.html"
    )
    return render(request, template, context, actor=actor, active="plan")


@router.get("/plan/check", response_class=HTMLResponse)
def check(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    coherence = service.coherence_check(session, actor=actor)
    return render(
        request,
        "plan/check.html",
        {
            "coherence": coherence,
            "coherence_chart": _coherence_chart(coherence),
        },
        actor=actor,
        active="plan",
    )
