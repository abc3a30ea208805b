"""JSON API of indicators and targets (mounted under ``/api``).

Lists take ``format=csv|xlsx`` to download the same rows as a file.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from plateau.errors import NotFound
from plateau.i18n import _
from plateau.monitoring.analytics import exports, service
from plateau.monitoring.analytics.schemas import (
    BacktestRead,
    ChartSeries,
    DecomposableTarget,
    DecompositionRead,
    IndicatorDefinition,
    IndicatorRecord,
    MonthlyRead,
    ScopeRead,
    SharesInput,
    TargetProgress,
    WarningsRead,
)
from plateau.tabular import export_response
from plateau.web.deps import Csrf, DbSession, UserActor

router = APIRouter(
    prefix="/monitoring/analytics", tags=["monitoring: indicators and targets"], dependencies=[Csrf]
)

Format = Annotated[
    Literal["json", "csv", "xlsx"], Query(description="json, or csv / xlsx to download the rows.")
]
ScopeQuery = Annotated[
    str | None,
    Query(
        description="region, industry:<id>, prefecture:<code>, park:<id>, program:<id>, enterprise:<uscc>, or a kind (industry, enterprise, …); default every aggregate scope."
    ),
]


@router.get("/definitions", response_model=list[IndicatorDefinition])
def definitions() -> list[IndicatorDefinition]:
    """The indicators: ids, names, units and formulas (public)."""
    return service.definitions()


@router.get("/scopes", response_model=list[ScopeRead])
def scopes(session: DbSession, actor: UserActor) -> list[ScopeRead]:
    """The aggregate scopes the caller may see."""
    return service.visible_scopes(session, actor=actor)


@router.get("/indicators", response_model=list[IndicatorRecord])
def indicators(
    session: DbSession,
    actor: UserActor,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    scope: ScopeQuery = None,
    format: Annotated[
        Literal["json", "csv", "xlsx", "sdmx-csv"],
        Query(
            description="json; csv / xlsx to download the rows; sdmx-csv for an SDMX-CSV 2.0 data message (dataflow PLATEAU:DF_LIGHT_INDUSTRY(1.0))."
        ),
    ] = "json",
) -> list[IndicatorRecord] | Response:
    """One record per indicator × scope for a year: value, target, status, projection."""
    found = service.records(session, actor=actor, year=year, scope=scope)
    if format == "sdmx-csv":
        return Response(
            exports.sdmx_csv(found),
            media_type=exports.SDMX_MEDIA_TYPE,
            headers={"Content-Disposition": 'attachment; filename="indicators.sdmx.csv"'},
        )
    if format != "json":
        names = {s.id: s.name for s in service.visible_scopes(session, actor=actor)}
        e = exports.records(found, names)
        return export_response(format, e.columns, e.rows, filename=e.filename)
    return found


@router.get("/targets", response_model=list[TargetProgress])
def targets(
    session: DbSession,
    actor: UserActor,
    scope: ScopeQuery = None,
    format: Format = "json",
) -> list[TargetProgress] | Response:
    """Every target of the scopes: baseline, latest value, status, projection and its fan."""
    found = service.target_progress(session, actor=actor, scope=scope)
    if format != "json":
        e = exports.progress(found, plans=exports.plan_titles(session))
        return export_response(format, e.columns, e.rows, filename=e.filename)
    return found


@router.get("/series", response_model=ChartSeries)
def series(
    session: DbSession,
    actor: UserActor,
    indicator: str,
    scope: str = "region",
    format: Format = "json",
) -> ChartSeries | Response:
    """An indicator's trend with its trajectory, projection fan and targets."""
    ctx = service.context(session, actor=actor, monthly_years=())
    service.resolve_scopes(ctx, scope)
    found = service.chart_series(ctx, indicator, scope)
    if found is None:
        raise NotFound(
            _("No target for %(indicator)s in %(scope)s.", indicator=indicator, scope=scope)
        )
    if format != "json":
        e = exports.series(found)
        return export_response(format, e.columns, e.rows, filename=e.filename)
    return found


@router.get("/monthly", response_model=MonthlyRead)
def monthly(
    session: DbSession,
    actor: UserActor,
    indicator: str = "output_value",
    scope: str = "region",
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    format: Format = "json",
) -> MonthlyRead | Response:
    """Month and year-to-date values of a money indicator, against a year before."""
    years = None if year is None else (year, year - 1)
    ctx = service.context(session, actor=actor, monthly_years=years)
    service.resolve_scopes(ctx, scope)
    chosen = year if year is not None else (ctx.table.years[-1] if ctx.table.years else 0)
    found = service.monthly(ctx, indicator, scope, chosen)
    if found is None:
        raise NotFound(
            _("No monthly values of %(indicator)s for %(year)s.", indicator=indicator, year=chosen)
        )
    if format != "json":
        e = exports.monthly(found)
        return export_response(format, e.columns, e.rows, filename=e.filename)
    return found


@router.get("/warnings", response_model=WarningsRead)
def warnings(
    session: DbSession,
    actor: UserActor,
    decline_share: Annotated[float, Query(gt=0, lt=1)] = 0.1,
    decline_months: Annotated[int, Query(ge=1, le=12)] = 3,
    today: date | None = None,
) -> WarningsRead:
    """Targets off track, enterprises in decline, late filers, outliers awaiting comment."""
    return service.warnings_report(
        session,
        actor=actor,
        today=today,
        decline_share=decline_share,
        decline_months=decline_months,
    )


@router.get("/decomposition", response_model=list[DecomposableTarget])
def decomposable(session: DbSession, actor: UserActor) -> list[DecomposableTarget]:
    """The region targets that can be split into prefecture targets."""
    return service.list_decomposable(session, actor=actor)


@router.get("/decomposition/{plan_id}/{indicator}/{year}", response_model=DecompositionRead)
def decomposition(
    session: DbSession,
    actor: UserActor,
    plan_id: str,
    indicator: str,
    year: int,
    format: Format = "json",
) -> DecompositionRead | Response:
    """A region target split into prefecture targets, with suggested shares and the sum check."""
    found = service.decomposition(
        session, actor=actor, indicator=indicator, year=year, plan_id=plan_id
    )
    if format != "json":
        e = exports.decomposition(found)
        return export_response(format, e.columns, e.rows, filename=e.filename)
    return found


@router.put("/decomposition/{plan_id}/{indicator}/{year}", response_model=DecompositionRead)
def set_shares(
    session: DbSession,
    actor: UserActor,
    plan_id: str,
    indicator: str,
    year: int,
    data: SharesInput,
) -> DecompositionRead:
    """Set the prefecture shares in percent (region administrator; they must add up to 100)."""
    return service.set_shares(
        session,
        actor=actor,
        indicator=indicator,
        year=year,
        shares_pct=data.shares,
        plan_id=plan_id,
    )


@router.post(
    "/decomposition/{plan_id}/{indicator}/{year}/suggested", response_model=DecompositionRead
)
def accept_suggested(
    session: DbSession, actor: UserActor, plan_id: str, indicator: str, year: int
) -> DecompositionRead:
    """Accept the shares suggested from the baseline (region administrator)."""
    return service.accept_suggested(
        session, actor=actor, indicator=indicator, year=year, plan_id=plan_id
    )


@router.delete("/decomposition/{plan_id}/{indicator}/{year}", status_code=204)
def clear_shares(
    session: DbSession, actor: UserActor, plan_id: str, indicator: str, year: int
) -> Response:
    """Remove the prefecture shares of a region target (region administrator)."""
    service.clear_shares(session, actor=actor, indicator=indicator, year=year, plan_id=plan_id)
    return Response(status_code=204)


@router.get("/backtest", response_model=BacktestRead)
def backtest(session: DbSession, actor: UserActor) -> BacktestRead:
    """How often the projections' intervals held on the history (fit through t, project t+1..3)."""
    return service.backtest(session, actor=actor)
