"""``python -m bench forecast [--series N]``: the platform's forecast path against a bare
statsforecast + hierarchicalforecast call on the same frame, in the same run.

Both forecast N monthly series × 60 months (grouped 10 to a parent, plus the total) with
AutoETS and SeasonalNaive, 80/95 % intervals, and reconcile. Two ways, ``--reconcile``:

- ``MinTrace(ols)`` (the default up to 2,000 bottom series): the whole tree, intervals
  reconciled, in both paths;
- ``subtrees`` (the default above that): hierarchicalforecast reconciles intervals with
  dense series × series matrices per horizon step (``Normality``), which at 10,000 series
  does not fit in this 24 GB machine (the bare call was killed at 24 GB with BottomUp, and
  passed 19 GB with MinTrace). So the bare call reconciles the point forecasts of the whole
  tree with ``BottomUpSparse`` (no reconciled intervals), and the platform takes its own
  path for trees that do not fit: each group's subtree reconciled with its intervals
  (BottomUp), the total as the sum of the reconciled bottom series
  (``engine.reconcile_subtrees``). The platform path does more here, not less.

The platform path also adds what the bare call does not do: building the hierarchy with its
keys, gap checks, picking a model per level, interval ordering. Backtests are left out of
both (``n_windows=0``): they multiply the fitting work by the number of windows in either
path.
"""

from __future__ import annotations

import math
import random
import time


def frame(n: int, months: int = 60):  # type: ignore[no-untyped-def]
    import pandas as pd

    rng = random.Random(9)
    rows = []
    dates = pd.date_range("2020-01-01", periods=months, freq="MS")
    for i in range(n):
        level, trend, amp = rng.uniform(50, 500), rng.uniform(-0.5, 2), rng.uniform(0, 0.3)
        for m, ds in enumerate(dates):
            y = (
                level
                + trend * m
                + level * amp * math.sin(2 * math.pi * m / 12)
                + rng.gauss(0, level * 0.05)
            )
            rows.append((f"g{i // 10}", f"s{i}", ds, max(y, 0.0)))
    return pd.DataFrame(rows, columns=["group", "series", "ds", "y"])


def bare(df, method: str = "MinTrace(ols)"):  # type: ignore[no-untyped-def]
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import BottomUpSparse, MinTrace
    from hierarchicalforecast.utils import aggregate
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, SeasonalNaive

    data = df.assign(total="all")
    whole = method == "MinTrace(ols)"
    Y, S, tags = aggregate(
        data, [["total"], ["total", "group"], ["total", "group", "series"]], sparse_s=not whole
    )
    sf = StatsForecast(
        models=[AutoETS(season_length=12), SeasonalNaive(season_length=12)], freq="MS", n_jobs=1
    )
    fc = sf.forecast(df=Y, h=12, level=[80, 95], fitted=True)
    fitted = sf.forecast_fitted_values()
    if whole:
        return HierarchicalReconciliation([MinTrace(method="ols")]).reconcile(
            Y_hat_df=fc, Y_df=fitted, S_df=S, tags=tags, level=[80, 95]
        )
    return HierarchicalReconciliation([BottomUpSparse()]).reconcile(
        Y_hat_df=fc, Y_df=fitted, S_df=S, tags=tags
    )


def platform(df, method: str = "MinTrace(ols)"):  # type: ignore[no-untyped-def]
    from plateau.forecast import engine

    structure = engine.build_structure(df, by=["group", "series"], nested=True, freq="M")
    whole = method == "MinTrace(ols)"
    return engine.forecast(
        structure,
        h=12,
        models=["AutoETS", "SeasonalNaive"],
        n_windows=0,
        reconcile_with=method if whole else "BottomUp",
        subtree=None if whole else ["group"],
    )


def default_method(series: int) -> str:
    return "MinTrace(ols)" if series <= 2_000 else "subtrees"


def run(series: int, method: str | None = None) -> None:
    method = method or default_method(series)
    df = frame(series)
    bare(frame(20), method)  # compile numba once, outside the timings
    t0 = time.perf_counter()
    bare(df, method)
    t_bare = time.perf_counter() - t0
    t0 = time.perf_counter()
    platform(df, method)
    t_platform = time.perf_counter() - t0
    print(f"series (bottom): {series}, months: 60, horizon: 12, reconciliation: {method}")
    print(f"bare statsforecast + hierarchicalforecast: {t_bare:8.2f} s")
    print(f"platform path (engine.forecast):          {t_platform:8.2f} s")
    print(f"ratio platform / bare:                     {t_platform / t_bare:8.2f} (goal <= 1.2)")


def pages(series: int = 11_000, repeat: int = 5) -> None:
    """The forecast pages' response time from stored results, with a run of about
    ``series`` bottom series (the tests' built world, in a temporary SQLite database)."""
    import tempfile
    import warnings
    from pathlib import Path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from tests.forecast.builders import make_large_run

    from plateau.db import make_engine, make_sessionmaker
    from plateau.runtime import migrate
    from plateau.settings import Settings
    from plateau.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="plateau-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(url)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        with factory() as session:
            run_ = make_large_run(session, bottoms=series)
            run_id, n = run_.id, run_.n_series
            session.commit()
        settings = Settings(var_dir=Path(tmp), secret_key="bench", database_url=url, job_workers=0)
        app = create_app(settings, session_factory=factory)
        print(f"stored run with {n:,} series (about {series:,} at the bottom)")
        with TestClient(app, base_url="http://testserver") as client:
            for label, path in (
                ("explorer /forecast", "/forecast"),
                ("drill-down /forecast?market=sichuan", "/forecast?market=sichuan"),
                ("explorer, one industry", "/forecast?industry=food&channel=retail"),
                ("export (xlsx)", "/forecast/export?market=domestic"),
                ("API bottom series, 50", f"/api/forecast/runs/{run_id}/series?level=bottom"),
            ):
                times = []
                for _ in range(repeat + 1):
                    t0 = time.perf_counter()
                    answer = client.get(path)
                    times.append(time.perf_counter() - t0)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{path} answered {answer.status_code}")
                best = min(times[1:]) * 1000
                print(f"{label:40s} {best:8.1f} ms (best of {repeat}; goal < 200 ms)")
        engine.dispose()
