"""Demand against the plan: forecast growth beside the growth a target needs, with a probability."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, SYSTEM, Role
from plateau.forecast import service
from plateau.forecast.models import ForecastRun, ForecastSeries
from plateau.plan import service as plan_service
from tests.builders import bearer, make_token, make_user


def _required(session: Session, year: int) -> float:
    figures = plan_service.list_figures(
        session, actor=SYSTEM, indicator="output_value", scope="industry:agri_food"
    )
    base = next(f for f in figures if f.kind == "baseline")
    target = next(f for f in figures if f.kind == "target" and f.year == year)
    return float(target.value) / float(base.value)


def _revenue_run(session: Session, growth: float, n_enterprises: int = 5) -> ForecastRun:
    """Sales of 100 a month in 2022, forecast at ``growth`` times that in 2025 (±10 % at 95 %)."""
    run = ForecastRun(
        created_at=datetime.now(UTC), status="done", measure="revenue", horizon=36,
        data_version="t", chosen={}, notes=[],
    )  # fmt: skip
    session.add(run)
    session.flush()
    history = [[f"{y}-{m:02d}-01", 100.0] for y in (2022, 2023) for m in range(1, 13)]
    points = []
    for y in (2024, 2025, 2026):
        for m in range(1, 13):
            v = 100.0 * growth
            points.append([f"{y}-{m:02d}-01", v, v * 0.95, v * 1.05, v * 0.9, v * 1.1])
    session.add(
        ForecastSeries(
            run_id=run.id, uid="i", level="industry", industry_id="agri_food",
            n_enterprises=n_enterprises, history=history, points=points,
        )
    )  # fmt: skip
    session.flush()
    return run


def _check(session: Session, actor=SYSTEM) -> service.PlanCheck:  # type: ignore[no-untyped-def]
    checks = service.demand_vs_plan(session, actor=actor, industry="agri_food")
    return next(c for c in checks if c.indicator == "output_value" and c.year == 2025)


@pytest.mark.parametrize(("factor", "status"), [(1.5, "supports"), (0.6, "short")])
def test_demand_is_weighed_against_the_target(session: Session, factor: float, status: str) -> None:
    required = _required(session, 2025)
    _revenue_run(session, required * factor)
    check = _check(session)
    assert check.required_growth == pytest.approx(required)
    assert check.demand_growth == pytest.approx(required * factor)
    assert check.status == status
    assert check.probability is not None
    assert (check.probability > 0.9) if status == "supports" else (check.probability < 0.1)


def test_small_industry_cells_are_suppressed_for_the_public(session: Session) -> None:
    _revenue_run(session, 2.0, n_enterprises=2)
    assert _check(session, PUBLIC).status == "suppressed"
    assert _check(session).status in ("supports", "short")


def test_industry_dashboard_shows_demand_against_the_plan(
    client: TestClient, session: Session
) -> None:
    _revenue_run(session, 3.0)
    headers = bearer(make_token(session, make_user(session, Role.ANALYST)))
    session.commit()
    page = client.get("/monitoring/dashboard/industry:agri_food", headers=headers)
    assert page.status_code == 200
    assert "data-plan-checks" in page.text and 'data-status="supports"' in page.text
    explorer = client.get("/forecast?measure=revenue")
    assert "data-plan-checks" in explorer.text
