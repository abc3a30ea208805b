"""A stored forecast run built directly (no engine), for the read paths: pages, API, exports."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from plateau.forecast.models import ForecastRun, ForecastScore, ForecastSeries

HISTORY = [[f"{2023 + m // 12}-{m % 12 + 1:02d}-01", 100.0 + m] for m in range(24)]
POINTS = [
    [f"2025-{m + 1:02d}-01", 130.0 + m, 120.0 + m, 140.0 + m, 110.0 + m, 150.0 + m]
    for m in range(12)
]


def make_run(session: Session, *, lone_enterprise: int = 1) -> ForecastRun:
    """A finished run: the total (4 firms), Lhasa (3 firms) and Chengdu (one firm only)."""
    run = ForecastRun(
        created_at=datetime.now(UTC),
        finished_at=datetime.now(UTC),
        status="done",
        measure="quantity",
        horizon=12,
        data_version="test",
        reconciliation="MinTrace(ols)",
        chosen={
            "total": {"model": "AutoETS", "reason": ""},
            "market": {"model": "AutoETS", "reason": ""},
        },
        notes=[],
        n_series=3,
    )
    session.add(run)
    session.flush()
    cells = [
        ("total", None, None, 4, None),
        ("market_kind", "in_region", None, 3, None),
        ("market", "in_region", "in_540100", 3, None),
        ("market", "domestic", "chengdu", 1, lone_enterprise),
    ]
    for level, kind, market, n, firm in cells:
        session.add(
            ForecastSeries(
                run_id=run.id,
                uid=f"{level}-{market}",
                level=level,
                market_kind=kind,
                market_region_id=market,
                model="AutoETS",
                n_enterprises=n,
                enterprise_id=firm,
                history=HISTORY,
                points=POINTS,
            )
        )
    for level in ("total", "market"):
        for model, mase in (("AutoETS", 0.8), ("SeasonalNaive", 1.0)):
            session.add(
                ForecastScore(
                    run_id=run.id, level=level, model=model, mase=mase, rmsse=mase, smape=0.1,
                    coverage_80=0.8, coverage_95=0.95, n_series=1, chosen=model == "AutoETS",
                )
            )  # fmt: skip
    session.flush()
    return run
