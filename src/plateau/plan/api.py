"""JSON API of the plan domain: plans, indicators, baselines and targets, the coherence check."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.formatting import unit_label
from plateau.i18n import _, get_locale, lazy
from plateau.plan import service
from plateau.plan.schemas import (
    CoherenceRow,
    FigureRecord,
    IncentiveRead,
    IndicatorRead,
    PlanRead,
    plain_number,
)
from plateau.plan.tables import figure_columns
from plateau.tabular import export_response
from plateau.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/plan", tags=["plan"])


@router.get("/plans", response_model=list[PlanRead])
def plans(session: DbSession, actor: CurrentActor) -> list[PlanRead]:
    """List the loaded plans with their data version."""
    return [PlanRead.model_validate(p) for p in service.list_plans(session, actor=actor)]


@router.get("/indicators", response_model=list[IndicatorRead])
def indicators(
    session: DbSession, actor: CurrentActor, plan: str | None = None
) -> list[IndicatorRead]:
    """List the indicators the plans set figures for."""
    return [
        IndicatorRead.model_validate(i)
        for i in service.list_indicators(session, actor=actor, plan_id=plan)
    ]


@router.get("/targets", response_model=list[FigureRecord])
def targets(
    session: DbSession,
    actor: CurrentActor,
    plan: str | None = Query(None, description="plan_533 or lhasa_garment"),
    indicator: str | None = None,
    scope: str | None = Query(
        None,
        description="region, industry:<id>, prefecture:<code>, park:<id>, program:lhasa_garment",
    ),
    kind: Literal["baseline", "target"] | None = None,
    year: int | None = None,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> list[FigureRecord] | Response:
    """List every baseline and target of the plans (money in CNY), filterable; CSV/Excel export."""
    figures = service.list_figures(
        session, actor=actor, plan_id=plan, indicator=indicator, scope=scope, kind=kind, year=year
    )
    if format != "json":
        names = service.indicator_names(session, actor=actor)
        rows = named_figures(
            session, actor, [service.figure_read(f, names).model_dump() for f in figures]
        )
        return export_response(format, figure_columns(), rows, filename="plan-targets")
    return [service.figure_record(f) for f in figures]


BOUND_LABELS = {"min": lazy("or more"), "approx": lazy("approx."), "exact": lazy("exactly")}


def named_figures(
    session: Session, actor: Actor, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Export rows in words: the plan's title, the scope's name, the kind, bound and unit."""
    from plateau.monitoring.analytics import service as analytics_service

    plans = {p.id: loc_title(p) for p in service.list_plans(session, actor=actor)}
    scopes = {s.id: s.name for s in analytics_service.reference(session, actor=actor).scopes}
    for row in rows:
        row["plan_name"] = plans.get(row["plan_id"], row["plan_id"])
        row["scope_name"] = scopes.get(row["scope"], row["scope"])
        row["kind_label"] = _("Target") if row["kind"] == "target" else _("Baseline")
        bound = BOUND_LABELS.get(row["bound"])
        row["bound_label"] = _(bound) if bound else ""
        row["unit_label"] = unit_label(row["unit"])
    return rows


def loc_title(plan: Any) -> str:
    return str(plan.title_en if get_locale() == "en" and plan.title_en else plan.title_zh)


@router.get("/check", response_model=list[CoherenceRow])
def check(session: DbSession, actor: CurrentActor) -> list[CoherenceRow]:
    """Compare the sum of the eleven industry output targets with the region target, per year."""
    return service.coherence_check(session, actor=actor)


@router.get("/incentives", response_model=list[IncentiveRead])
def incentives(
    session: DbSession, actor: CurrentActor, plan: str | None = None
) -> list[IncentiveRead]:
    """List the subsidies, awards and funds the plans promise (amounts in CNY)."""
    return [
        IncentiveRead(
            plan_id=i.plan_id,
            code=i.code,
            name_zh=i.name_zh,
            name_en=i.name_en,
            amount=plain_number(i.amount) or 0,
            amount_max=plain_number(i.amount_max),
            unit=i.unit,
            bound=i.bound,
            per_zh=i.per_zh,
            condition_zh=i.condition_zh,
            source=i.source,
        )
        for i in service.list_incentives(session, actor=actor, plan_id=plan)
    ]
