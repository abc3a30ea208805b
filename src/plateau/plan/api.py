"""JSON API of the plan domain: plans, indicators, baselines and targets, the coherence check."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

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
        rows = [service.figure_read(f, names).model_dump() for f in figures]
        return export_response(format, figure_columns(), rows, filename="plan-targets")
    return [service.figure_record(f) for f in figures]


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
