"""Regional preferences: shares, trends and seasonality profiles from stored series."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, SYSTEM
from plateau.forecast import service
from plateau.forecast.models import ForecastRun, ForecastSeries


def _run(session: Session) -> ForecastRun:
    run = ForecastRun(
        created_at=datetime.now(UTC), status="done", measure="quantity", horizon=12,
        data_version="t", chosen={}, notes=[],
    )  # fmt: skip
    session.add(run)
    session.flush()
    # Chengdu buys yak meat in winter and is growing; Lhasa buys evenly, flat; Ngari is one firm.
    specs = [("chengdu", 3, lambda m: 300.0 if m in (11, 12, 1) else 100.0, 1.5),
             ("in_540100", 4, lambda m: 200.0, 1.0),
             ("in_542500", 1, lambda m: 50.0, 2.0)]  # fmt: skip
    for market, firms, season, grow in specs:
        history = [[f"{y}-{m:02d}-01", season(m)] for y in (2023, 2024) for m in range(1, 13)]
        points = [[f"2025-{m:02d}-01", season(m) * grow, 0, 0, 0, 0] for m in range(1, 13)]
        session.add(
            ForecastSeries(
                run_id=run.id, uid=market, level="market_category", market_kind="x",
                market_region_id=market, industry_id="agri_food", category="yak_meat",
                n_enterprises=firms, history=history, points=points,
            )
        )  # fmt: skip
    session.flush()
    return run


def test_shares_trends_and_seasonality(session: Session) -> None:
    run = _run(session)
    prefs = service.preferences(session, run=run, actor=SYSTEM)
    assert [p.market for p in prefs] == ["in_542500", "chengdu", "in_540100"]  # fastest first
    assert (
        sum(p.share or 0 for p in prefs) == 1.0 or abs(sum(p.share or 0 for p in prefs) - 1) < 1e-9
    )
    chengdu = next(p for p in prefs if p.market == "chengdu")
    assert chengdu.growth is not None and abs(chengdu.growth - 0.5) < 1e-9
    assert chengdu.peak_month in (1, 11, 12) and chengdu.profile is not None
    assert abs(sum(chengdu.profile) - 1) < 1e-9


def test_small_markets_are_suppressed_for_the_public(session: Session) -> None:
    run = _run(session)
    public = {p.market: p for p in service.preferences(session, run=run, actor=PUBLIC)}
    assert public["in_542500"].suppressed and public["in_542500"].share is None
    assert public["in_542500"].profile is None and public["chengdu"].share is not None


def test_a_drill_down_reads_one_market_with_its_share_of_all(session: Session) -> None:
    """A market's drill-down shows that market's rows only; its share is still of every
    market's sales, and its heat map row is its own."""
    run = _run(session)
    every = {p.market: p for p in service.preferences(session, run=run, actor=SYSTEM)}
    chengdu = service.preferences(session, run=run, actor=SYSTEM, market="chengdu")
    assert [p.market for p in chengdu] == ["chengdu"]
    assert chengdu[0].share is not None and chengdu[0].share < 1
    assert chengdu[0] == every["chengdu"]
    for s in session.scalars(select(ForecastSeries).where(ForecastSeries.run_id == run.id)):
        session.add(
            ForecastSeries(
                run_id=run.id, uid=f"mi-{s.uid}", level="market_industry", market_kind="x",
                market_region_id=s.market_region_id, industry_id="agri_food",
                n_enterprises=s.n_enterprises, history=s.history, points=s.points,
            )
        )  # fmt: skip
    session.flush()
    assert len(service.heatmap(session, run=run, actor=SYSTEM)) == 3
    assert [
        c["market"] for c in service.heatmap(session, run=run, actor=SYSTEM, market="chengdu")
    ] == ["chengdu"]
