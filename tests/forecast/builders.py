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


def make_large_run(session: Session, *, bottoms: int) -> ForecastRun:
    """A finished run shaped like the platform's (every level of ``service.LEVELS``) with
    about ``bottoms`` bottom series (market × product × channel), inserted in bulk: the
    world in which pages must stay fast with ~11,000 series."""
    from sqlalchemy import insert

    from plateau.forecast import service
    from plateau.registry.reference import MARKET_REGIONS

    parent = {m[0]: m[4] for m in MARKET_REGIONS}
    leaves = [m for m in MARKET_REGIONS if m[0] not in parent.values() and m[4] is not None]
    industries = ["food", "medicine", "handicraft", "water"]
    categories = [(industries[i % 4], f"cat{i}") for i in range(28)]
    channels = list(service.CHANNEL_NAMES)
    per_cell = max(1, -(-bottoms // (len(leaves) * len(channels) * len(categories))))
    run = make_run(session)
    run.n_series = 0
    rows: list[dict[str, object]] = []

    def add(level: str, **keys: object) -> None:
        uid = f"{level}:{len(rows)}"
        rows.append(
            {
                "run_id": run.id, "uid": uid, "level": level, "model": "AutoETS",
                "n_enterprises": 5, "enterprise_id": None, "history": HISTORY, "points": POINTS,
                "market_kind": None, "province": None, "market_region_id": None,
                "industry_id": None, "category": None, "product_id": None, "channel": None,
                **keys,
            }
        )  # fmt: skip

    def province(mid: str) -> str:
        while parent.get(parent.get(mid) or "") not in (None, "all"):
            mid = parent[mid]  # type: ignore[assignment]
        return mid

    for mid, _zh, _en, kind, _p in leaves:
        where = {"market_kind": kind, "province": province(mid), "market_region_id": mid}
        for ind in industries:
            add("market_industry", **where, industry_id=ind)
        for ind, cat in categories:
            add("market_category", **where, industry_id=ind, category=cat)
            for k in range(per_cell):
                for ch in channels:
                    add(
                        "bottom", **where, industry_id=ind, category=cat,
                        product_id=10_000 + categories.index((ind, cat)) * 100 + k, channel=ch,
                    )  # fmt: skip
    for i in range(0, len(rows), 2000):
        session.execute(insert(ForecastSeries), rows[i : i + 2000])
    run.n_series = len(rows) + 4
    session.flush()
    return run
