"""Calendar effects as exogenous regressors: ARIMA+X beside AutoARIMA in the backtest."""

from __future__ import annotations

import math

import pytest

from plateau.forecast import calendar, engine


def _losar_world(shops: tuple[tuple[str, float], ...] = (("a", 100.0), ("b", 60.0))):  # type: ignore[no-untyped-def]
    """Shops' monthly sales with a Losar peak that moves between February and March."""
    import pandas as pd

    rows = []
    for shop, base in shops:
        for m in range(84):
            ds = pd.Timestamp(2018 + m // 12, m % 12 + 1, 1)
            feats = calendar.monthly_features(ds.year, ds.month)
            y = base + 8 * math.sin(m * math.pi / 6) + 80 * feats["losar"] + (m % 5)
            rows.append({"shop": shop, "ds": ds, "y": y})
    return pd.DataFrame(rows)


def test_calendar_regressors_keep_only_effects_that_move() -> None:
    structure = engine.add_calendar(engine.build_structure(_losar_world(), by=["shop"]))
    # 618, 双十一, the golden week and the tourist season fall in the same month every year:
    # the seasonal terms already model them. Losar, Shoton and the 2020/2022 shocks move.
    assert set(structure.exog) == {"losar", "shoton", "shock"}
    X = engine.calendar_frame(["2022-03-01", "2022-02-01"], "MS", ["losar"])
    assert X["losar"].iloc[0] > 0.4 and X["losar"].iloc[1] == 0
    quarterly = engine.calendar_frame(["2022-01-01"], "QS-JAN", ["losar", "shock"])
    assert quarterly["losar"].iloc[0] == pytest.approx(
        calendar.monthly_features(2022, 3)["losar"] / 3
    )


def test_arima_with_calendar_is_a_candidate_and_wins_where_losar_matters() -> None:
    # One shop (the total alone): AutoARIMA's fits are what takes time.
    world = _losar_world((("a", 100.0),))
    structure = engine.add_calendar(engine.build_structure(world, by=[]))
    result = engine.forecast(structure, h=12, models=["SeasonalNaive"], n_windows=1)
    board = result.leaderboard
    assert {"AutoARIMA", engine.EXOG_MODEL} <= set(board["model"])
    mase = board.groupby("model")["mase"].mean()
    assert mase[engine.EXOG_MODEL] < mase["AutoARIMA"]
    assert mase[engine.EXOG_MODEL] < mase["SeasonalNaive"]
    assert set(result.chosen.values()) == {engine.EXOG_MODEL}
    fc = result.forecasts.set_index("ds")
    # The forecast puts the Losar peak where Losar falls: 2025-02-28 → March, not February.
    assert fc.loc["2025-03-01", "forecast"] > fc.loc["2025-02-01", "forecast"] + 25
    assert (fc["lo_95"] <= fc["lo_80"]).all() and (fc["hi_80"] <= fc["hi_95"]).all()


def test_without_calendar_no_exogenous_model_runs() -> None:
    structure = engine.build_structure(_losar_world(), by=["shop"])
    assert engine.EXOG_MODEL not in engine.candidate_models(structure, ["SeasonalNaive"])
    with pytest.raises(engine.EngineError):
        engine.calendar_frame(["2022-03-01"], "D", ["losar"])


def test_a_run_with_calendar_effects_is_queued_as_such(session, client) -> None:  # type: ignore[no-untyped-def]
    from plateau.auth.schemas import Role
    from plateau.forecast.models import ForecastRun
    from plateau.jobs.models import Job
    from tests.builders import bearer, make_token, make_user

    headers = bearer(make_token(session, make_user(session, Role.ANALYST)))
    session.commit()
    answer = client.post("/api/forecast/runs", json={"exog": True, "horizon": 6}, headers=headers)
    assert answer.status_code == 202, answer.text
    assert answer.json()["exog"] is True
    run = session.get(ForecastRun, answer.json()["id"])
    assert run is not None and run.exog and run.job_id is not None
    # The job reads the option from its run, so the worker fits ARIMA+X too.
    assert session.get(Job, run.job_id).params == {"run_id": run.id}  # type: ignore[union-attr]
