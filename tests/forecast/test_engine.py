"""The engine on awkward data: a new (short) series does not stop the backtest of the rest."""

from __future__ import annotations

import math

from plateau.forecast import engine


def test_short_series_sit_out_the_backtest_but_are_forecast() -> None:
    import pandas as pd

    rows = [
        {"k": "old", "ds": pd.Timestamp(2019 + m // 12, m % 12 + 1, 1), "y": 50 + m + 5 * math.sin(m)}
        for m in range(48)
    ] + [
        {"k": "new", "ds": pd.Timestamp(2022, m + 1, 1), "y": 10.0 + m} for m in range(12)
    ]  # fmt: skip
    structure = engine.build_structure(pd.DataFrame(rows), by=["k"])
    result = engine.forecast(structure, h=3, models=["SeasonalNaive", "Naive"], n_windows=1)
    assert not result.leaderboard.empty
    assert set(result.reasons.values()) != {"no_backtest"}
    assert result.forecasts["unique_id"].nunique() == 3
    total = result.forecasts[result.forecasts["unique_id"] == "all"]["forecast"].to_numpy()
    parts = result.forecasts[result.forecasts["unique_id"] != "all"].groupby("ds")["forecast"].sum()
    assert abs(total - parts.to_numpy()).max() < 1e-6
