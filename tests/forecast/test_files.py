"""``plateau forecast file`` and ``evaluate`` on real data (visnights) and on bad files."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plateau.cli import app

runner = CliRunner()


def _run(*args: str) -> Any:
    return runner.invoke(app, ["--lang", "en", "forecast", *[str(a) for a in args]])


@pytest.fixture(scope="module")
def visnights_forecast(visnights_csv: Path) -> list[dict[str, Any]]:
    result = _run(
        "file", visnights_csv, "--date", "quarter", "--value", "nights",
        "--by", "state", "--by", "region", "--nested", "--horizon", "4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_level_adds_up_and_intervals_are_ordered(
    visnights_forecast: list[dict[str, Any]],
) -> None:
    recs = visnights_forecast
    assert len(recs) == (1 + 6 + 20) * 4
    total = {r["ds"]: r["forecast"] for r in recs if r["series"] == {"state": None, "region": None}}
    states: dict[str, dict[str, float]] = defaultdict(dict)
    regions: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in recs:
        s = r["series"]
        if s["state"] is not None and s["region"] is None:
            states[r["ds"]][s["state"]] = r["forecast"]
        elif s["region"] is not None:
            regions[r["ds"]][s["state"]] += r["forecast"]
        assert r["lo_95"] <= r["lo_80"] <= r["forecast"] <= r["hi_80"] <= r["hi_95"]
        assert r["model"]
    # The input ends at 2016-10-01, quarterly: the future continues its spacing.
    assert sorted(total) == ["2017-01-01", "2017-04-01", "2017-07-01", "2017-10-01"]
    for ds, value in total.items():
        assert value == pytest.approx(sum(states[ds].values()), abs=1e-6)
        for state, v in states[ds].items():
            assert v == pytest.approx(regions[ds][state], abs=1e-6)


def test_chosen_reconciled_forecasts_beat_seasonal_naive(visnights_csv: Path) -> None:
    result = _run(
        "evaluate", visnights_csv, "--date", "quarter", "--value", "nights",
        "--by", "state", "--by", "region", "--nested", "--test-size", "8",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    overall = {r["model"]: r["mase"] for r in board if r["level"] == "overall"}
    assert overall["Chosen+MinTrace(ols)"] < overall["SeasonalNaive"]
    assert {r["level"] for r in board} == {"total", "state", "region", "overall"}


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _grouped(with_gap: bool = False) -> str:
    lines = ["when,a,b,v"]
    for year in range(2010, 2015):
        for month in (3, 6, 9, 12):
            for a in ("x", "y"):
                for b in ("p", "q"):
                    if with_gap and (year, month, a, b) == (2012, 6, "x", "p"):
                        continue
                    value = 10 + (month // 3) * 2 + (a == "y") * 5 + (b == "q") + (year - 2010)
                    lines.append(f"{year}-{month:02d}-01,{a},{b},{value}")
    return "\n".join(lines) + "\n"


def test_grouped_columns_are_crossed_with_null_meaning_all(tmp_path: Path) -> None:
    path = _write(tmp_path, _grouped(with_gap=True))
    out = tmp_path / "out.csv"
    result = _run(
        "file", path, "--date", "when", "--value", "v", "--by", "a", "--by", "b",
        "--horizon", "2", "--format", "json", "--out", tmp_path / "out.json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    recs = json.loads((tmp_path / "out.json").read_text())
    keys = {(r["series"]["a"], r["series"]["b"]) for r in recs}
    assert keys == {
        (None, None), ("x", None), ("y", None), (None, "p"), (None, "q"),
        ("x", "p"), ("x", "q"), ("y", "p"), ("y", "q"),
    }  # fmt: skip
    assert sorted({r["ds"] for r in recs}) == ["2015-03-01", "2015-06-01"]
    by_ds: dict[str, dict[tuple[Any, Any], float]] = defaultdict(dict)
    for r in recs:
        by_ds[r["ds"]][(r["series"]["a"], r["series"]["b"])] = r["forecast"]
    for f in by_ds.values():
        assert f[(None, "p")] == pytest.approx(f[("x", "p")] + f[("y", "p")], abs=1e-6)
        assert f[(None, None)] == pytest.approx(f[("x", None)] + f[("y", None)], abs=1e-6)
    assert "missing period" in result.output  # the gap is filled and said
    result = _run(
        "file", path, "--date", "when", "--value", "v", "--by", "a", "--by", "b",
        "--horizon", "2", "--format", "csv", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        out.read_text(encoding="utf-8-sig").splitlines()[0]
        == "a,b,ds,forecast,lo_80,hi_80,lo_95,hi_95,model"
    )


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("when,v\n2020-01-01,1\n", ["--by", "region"], "Missing column(s): region"),
        ("when,v\n2020-01-01,1\n2020-02-01,lots\n", [], "not a number"),
        ("when,v\n2020-01-01,1\n2020-01-01,2\n2020-02-01,3\n", [], "duplicated series and date"),
        ("when,v\nyesterday,1\n", [], "not a date"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(
    tmp_path: Path, text: str, args: list[str], message: str
) -> None:
    path = _write(tmp_path, text)
    result = _run("file", path, "--date", "when", "--value", "v", *args, "--horizon", "2")
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
