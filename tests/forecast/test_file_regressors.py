"""``plateau forecast evaluate --x COL``: a column of the file as a regressor of ARIMA+X."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plateau.cli import app
from plateau.forecast import engine, files

runner = CliRunner()


def _run(lang: str, *args: Any) -> Any:
    return runner.invoke(app, ["--lang", lang, "forecast", *[str(a) for a in args]])


def _driven_csv(tmp_path: Path) -> Path:
    """Two shops whose monthly sales follow their own promotion spend (no season, no trend)."""
    import numpy as np

    rng = np.random.default_rng(7)
    lines = ["month,shop,sales,promo"]
    for shop, base in (("a", 100.0), ("b", 60.0)):
        for m in range(48):
            promo = float(rng.integers(0, 2) * rng.uniform(2, 6))
            sales = base + 12 * promo + rng.normal(0, 1)
            lines.append(f"{2019 + m // 12}-{m % 12 + 1:02d}-01,{shop},{sales:.3f},{promo:.3f}")
    path = tmp_path / "driven.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_regressor_that_drives_the_series_wins_the_leaderboard(tmp_path: Path) -> None:
    path = _driven_csv(tmp_path)
    args = ("--date", "month", "--value", "sales", "--by", "shop", "--test-size", "6")
    result = _run("en", "evaluate", path, *args, "--x", "promo")
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    overall = {r["model"]: r["mase"] for r in board if r["level"] == "overall"}
    assert engine.EXOG_MODEL in overall and "AutoARIMA" in overall
    others = [m for m in overall if m not in (engine.EXOG_MODEL, "Chosen") and "+" not in m]
    assert overall[engine.EXOG_MODEL] < min(overall[m] for m in others) / 2
    # The backtest picks it, so the chosen and reconciled forecasts are as good.
    assert overall["Chosen"] == pytest.approx(overall[engine.EXOG_MODEL])
    # Without --x there is no exogenous model at all.
    plain = _run("en", "evaluate", path, *args)
    assert plain.exit_code == 0, plain.output
    assert engine.EXOG_MODEL not in {r["model"] for r in json.loads(plain.stdout)}


def test_aggregates_take_the_mean_of_their_bottom_regressors(tmp_path: Path) -> None:
    frame = files.read_frame(
        _driven_csv(tmp_path), date="month", value="sales", by=["shop"], regressors=["promo"]
    )
    structure = engine.build_structure(frame, by=["shop"], regressors=["promo"])
    assert structure.X is not None
    X = structure.X.set_index(["unique_id", "ds"])["promo"]
    a, b = (uid for uid in structure.tags_ids() if uid != engine.TOTAL)
    assert (X.loc[engine.TOTAL] == (X.loc[a] + X.loc[b]) / 2).all()
    assert list(structure.Y.columns) == ["unique_id", "ds", "y"]


@pytest.mark.parametrize(
    ("text", "x", "lang", "message"),
    [
        ("when,v,p\n2020-01-01,1,2\n", "price", "en", "Missing column(s): price"),
        ("when,v,p\n2020-01-01,1,cheap\n2020-02-01,2,3\n", "p", "en", "not a number"),
        ("when,v,p\n2020-01-01,1,\n2020-02-01,2,3\n", "p", "en", "no value on this date"),
        ("when,v,p\n2020-01-01,1,\n2020-02-01,2,3\n", "p", "zh", "回归变量在该日期没有值"),
        ("when,v,p\n2020-01-01,1,2\n", "v", "en", "must be a column of its own"),
    ],
)
def test_bad_regressors_are_refused_in_the_users_language(
    tmp_path: Path, text: str, x: str, lang: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    result = _run(
        lang, "evaluate", path, "--date", "when", "--value", "v", "--test-size", "1", "--x", x
    )
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


def test_file_refuses_a_regressor_and_says_why(tmp_path: Path) -> None:
    path = _driven_csv(tmp_path)
    result = _run(
        "en", "file", path, "--date", "month", "--value", "sales", "--horizon", "2", "--x", "promo"
    )
    assert result.exit_code == 1
    assert "future values" in " ".join(result.output.split())


def test_a_regressor_without_future_values_is_refused() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"ds": pd.date_range("2020-01-01", periods=30, freq="MS"), "y": range(30), "p": 1.0}
    )
    frame["p"] = frame["p"] * (frame.index % 3)
    structure = engine.build_structure(frame, by=[], regressors=["p"])
    with pytest.raises(engine.EngineError) as err:
        engine.base_forecast(structure, [engine.EXOG_MODEL], 2)
    assert err.value.code == "regressor_future_missing"


def test_a_gap_in_a_series_fills_its_regressor_too() -> None:
    import pandas as pd

    ds = pd.date_range("2020-01-01", periods=12, freq="MS")
    a = pd.DataFrame({"shop": "a", "ds": ds, "y": 10.0, "p": [float(i) for i in range(12)]})
    b = a.assign(shop="b").drop(index=[4, 11])  # a gap inside, and b stops a month early
    structure = engine.build_structure(pd.concat([a, b]), by=["shop"], regressors=["p"])
    assert structure.X is not None and not structure.X["p"].isna().any()
    X = structure.X.set_index(["unique_id", "ds"])["p"]
    uid_b = next(u for u in structure.tags_ids() if structure.keys(u)["shop"] == "b")
    assert X.loc[(uid_b, ds[4])] == 4.0  # interpolated between 3 and 5
    assert X.loc[(uid_b, ds[11])] == 10.0  # carried on from the last value
