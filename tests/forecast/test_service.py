"""The platform's forecast run: stored results that add up, and small cells suppressed."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, SYSTEM, Role
from plateau.forecast import service
from plateau.forecast.models import SalesRecord
from tests.builders import actor_of, make_user
from tests.registry.builders import make_enterprise, make_product

MONTHS = [date(2021 + m // 12, m % 12 + 1, 1) for m in range(36)]


def _world(session: Session) -> list[int]:
    firms = [make_enterprise(session, n=900 + i) for i in range(4)]
    products = [
        make_product(session, f, n=900 + i, name=f"牦牛肉干{i}") for i, f in enumerate(firms)
    ]
    places = [("in_540100", "retail")] * 3 + [("chengdu", "ecommerce")]
    for i, (p, (market, channel)) in enumerate(zip(products, places, strict=True)):
        for m, period in enumerate(MONTHS):
            qty = 100 + 10 * i + 3 * m + 20 * math.sin(m * math.pi / 6)
            session.add(
                SalesRecord(
                    product_id=p.id,
                    market_region_id=market,
                    period=period,
                    channel=channel,
                    quantity=Decimal(f"{qty:.3f}"),
                    revenue_cny=Decimal(f"{qty * 30:.2f}"),
                )
            )
    session.flush()
    return [f.id for f in firms]


def _run(session: Session) -> service.ForecastRun:
    run = service.start_run(session, actor=SYSTEM, horizon=6)
    return service.execute_run(
        session, run_id=run.id, actor=SYSTEM, models=["SeasonalNaive", "Naive"], n_windows=1
    )


def test_run_stores_coherent_forecasts_and_suppresses_small_cells(session: Session) -> None:
    firms = _world(session)
    run = _run(session)
    assert run.status == "done", run.error
    assert run.data_version == service.data_version(session)

    total, hidden = service.find_series(session, run=run, actor=PUBLIC)
    assert total is not None and not hidden
    bottoms = service.list_series(session, run=run, actor=SYSTEM, level="bottom")
    assert len(bottoms) == 4
    for k, point in enumerate(total.points):
        assert math.isclose(point[1], sum(s.points[k][1] for s, _ in bottoms), rel_tol=1e-6)
        assert point[4] <= point[2] <= point[1] <= point[3] <= point[5]
    assert {row.level for row in service.leaderboard(session, run=run, actor=SYSTEM)} >= {
        "total",
        "bottom",
    }

    # Lhasa retail: three enterprises, public; Chengdu: one enterprise, confidential.
    lhasa, hidden = service.find_series(session, run=run, actor=PUBLIC, market="in_540100")
    assert lhasa is not None and lhasa.n_enterprises == 3 and not hidden
    chengdu, hidden = service.find_series(session, run=run, actor=PUBLIC, market="chengdu")
    assert chengdu is not None and chengdu.n_enterprises == 1 and hidden
    analyst = actor_of(make_user(session, Role.ANALYST))
    assert service.find_series(session, run=run, actor=analyst, market="chengdu")[1] is False
    own = make_user(session, Role.ENTERPRISE_USER, scope=f"enterprise:{_uscc(session, firms[3])}")
    assert service.find_series(session, run=run, actor=actor_of(own), market="chengdu")[1] is False
    other = make_user(session, Role.ENTERPRISE_USER, scope=f"enterprise:{_uscc(session, firms[0])}")
    assert service.find_series(session, run=run, actor=actor_of(other), market="chengdu")[1] is True


def _uscc(session: Session, enterprise_id: int) -> str:
    from plateau.registry.models import Enterprise

    ent = session.get(Enterprise, enterprise_id)
    assert ent is not None
    return ent.uscc


def test_only_region_wide_roles_start_runs(session: Session) -> None:
    import pytest

    from plateau.errors import Forbidden

    with pytest.raises(Forbidden):
        service.start_run(session, actor=PUBLIC)


def test_a_run_is_a_background_job(session: Session, session_factory) -> None:  # type: ignore[no-untyped-def]
    from plateau.jobs import service as jobs_service
    from plateau.jobs.models import Job

    _world(session)
    run = service.submit_run(session, actor=SYSTEM, horizon=3)
    assert run.status == "queued" and run.job_id is not None
    job = session.get(Job, run.job_id)
    assert job is not None
    job.params = {**job.params, "models": ["SeasonalNaive", "Naive"], "n_windows": 1}
    session.commit()
    assert jobs_service.run_pending(session_factory, kind="forecast.run") == 1
    session.expire_all()
    assert session.get(service.ForecastRun, run.id).status == "done"  # type: ignore[union-attr]
    assert service.latest_run(session, actor=PUBLIC) is not None
