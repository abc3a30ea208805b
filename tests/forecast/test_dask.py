"""The same forecast on a local Dask cluster (statsforecast through fugue) as on one machine."""

from __future__ import annotations

import math

import pytest

from plateau.forecast import engine


def _frame():  # type: ignore[no-untyped-def]
    import pandas as pd

    rows = []
    for i, (a, b) in enumerate([("x", "p"), ("x", "q"), ("y", "p"), ("y", "q")]):
        for m in range(48):
            season = 10 * math.sin(2 * math.pi * m / 12)
            rows.append({"a": a, "b": b, "ds": pd.Timestamp(2019 + m // 12, m % 12 + 1, 1),
                         "y": 100 + 20 * i + m + season})  # fmt: skip
    return pd.DataFrame(rows)


def test_dask_cluster_gives_the_local_numbers() -> None:
    dd = pytest.importorskip("dask.dataframe", reason="dask is a dev dependency")
    from dask.distributed import Client, LocalCluster

    structure = engine.build_structure(_frame(), by=["a", "b"])
    models = ["AutoETS", "SeasonalNaive"]
    local = engine.forecast(
        structure, h=6, models=models, n_windows=1, reconcile_with="MinTrace(ols)"
    )
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster,
        Client(cluster),
    ):
        remote = engine.forecast(
            structure, h=6, models=models, n_windows=1, reconcile_with="MinTrace(ols)",
            distributed=lambda df: dd.from_pandas(df, npartitions=2),
        )  # fmt: skip
    assert remote.reconciliation == local.reconciliation == "MinTrace(ols)"
    assert remote.chosen == local.chosen
    merged = local.forecasts.merge(remote.forecasts, on=["unique_id", "ds"], suffixes=("", "_d"))
    assert len(merged) == len(local.forecasts) == 9 * 6
    for col in ("forecast", "lo_80", "hi_95"):
        assert (merged[col] - merged[f"{col}_d"]).abs().max() <= 1e-6 * merged[col].abs().max()
