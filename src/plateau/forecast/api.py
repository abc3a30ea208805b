"""JSON API of the forecasting domain: runs, series, results and the leaderboard.

Every read comes from stored runs; starting a run records it and its work is done by
``plateau forecast run`` (or the job queue), never inside the request.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from plateau.forecast import service
from plateau.forecast.models import ForecastSeries
from plateau.forecast.schemas import Point, RunCreate, RunRead, ScoreRead, SeriesRead
from plateau.paging import Page
from plateau.web.deps import CurrentActor, DbSession, UserActor

router = APIRouter(prefix="/forecast", tags=["forecast"])


def _series(s: ForecastSeries, hidden: bool) -> SeriesRead:
    return SeriesRead(
        level=s.level,
        level_name=service.level_name(s.level),
        market=s.market_region_id or s.province or s.market_kind,
        industry=s.industry_id,
        category=s.category,
        product_id=s.product_id,
        channel=s.channel,
        model=s.model,
        suppressed=hidden,
        history=None if hidden else [(d, v) for d, v in s.history],
        forecast=None
        if hidden
        else [
            Point(period=p[0], forecast=p[1], lo_80=p[2], hi_80=p[3], lo_95=p[4], hi_95=p[5])
            for p in s.points
        ],
    )


@router.get("/runs", response_model=list[RunRead])
def runs(session: DbSession, actor: CurrentActor) -> list[RunRead]:
    """List the forecast runs, newest first, with the data version each used."""
    return [RunRead.model_validate(r) for r in service.list_runs(session, actor=actor)]


@router.post("/runs", response_model=RunRead, status_code=202)
def start_run(session: DbSession, actor: UserActor, data: RunCreate) -> RunRead:
    """Queue a forecast run as a background job (region administrators and analysts)."""
    run = service.submit_run(
        session,
        actor=actor,
        measure=data.measure,
        horizon=data.horizon,
        exog=data.exog,
        subtree=data.subtree,
    )
    return RunRead.model_validate(run)


@router.get("/runs/{run_id}", response_model=RunRead)
def run(session: DbSession, actor: CurrentActor, run_id: int) -> RunRead:
    """One run and its per-level model choices."""
    return RunRead.model_validate(service.get_run(session, run_id=run_id, actor=actor))


@router.get("/runs/{run_id}/leaderboard", response_model=list[ScoreRead])
def leaderboard(session: DbSession, actor: CurrentActor, run_id: int) -> list[ScoreRead]:
    """The run's backtest leaderboard: MASE, RMSSE, sMAPE and coverage per level and model."""
    found = service.get_run(session, run_id=run_id, actor=actor)
    return [
        ScoreRead.model_validate(r) for r in service.leaderboard(session, run=found, actor=actor)
    ]


@router.get("/runs/{run_id}/series", response_model=Page[SeriesRead])
def series(
    session: DbSession,
    actor: CurrentActor,
    run_id: int,
    level: str | None = Query(
        None, description="total, market, industry, category, product, channel, …"
    ),
    market: str | None = None,
    industry: str | None = None,
    channel: str | None = None,
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=500),
) -> Page[SeriesRead]:
    """Series of a run with history and reconciled forecasts; small cells suppressed."""
    found = service.get_run(session, run_id=run_id, actor=actor)
    rows, total = service.page_series(
        session,
        run=found,
        actor=actor,
        page=page,
        per_page=per_page,
        level=level,
        market=market,
        industry=industry,
        channel=channel,
    )
    return Page[SeriesRead](
        items=[_series(s, hidden) for s, hidden in rows], total=total, page=page, per_page=per_page
    )
