from __future__ import annotations

import json

from typer.testing import CliRunner

from plateau.cli import app


def test_plan_targets_json_has_the_stable_record(cli: CliRunner) -> None:
    result = cli.invoke(app, ["plan", "targets", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert all(
        set(r)
        == {"indicator", "scope", "year", "kind", "value", "value_max", "bound", "unit", "source"}
        for r in records
    )
    by_key = {(r["indicator"], r["scope"], r["year"], r["kind"]): r for r in records}
    assert by_key[("output_value", "region", 2025, "target")]["value"] == 7_500_000_000
    assert by_key[("green_factories", "region", 2030, "target")]["value"] == 50
    assert by_key[("barley_conversion_rate", "region", 2020, "baseline")]["value"] == 17.8
    assert (
        by_key[("drinking_water_volume", "industry:drinking_water", 2030, "target")]["value"]
        == 1_700_000
    )
    bio = by_key[("output_value", "industry:bio_fermentation", 2025, "target")]
    assert (bio["value"], bio["bound"]) == (50_000_000, "min")
    little = by_key[("little_giants", "region", 2025, "target")]
    assert (little["value"], little["value_max"]) == (1, 2)
    assert any(r["scope"] == "program:lhasa_garment" for r in records)


def test_plan_targets_csv_and_check(cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["plan", "targets", "--format", "csv", "--scope", "region", "--kind", "target"]
    )
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "indicator,scope,year,kind,value,value_max,bound,unit,source"
    assert any(
        line.startswith("output_value,region,2030,target,14000000000,,min,CNY,") for line in lines
    )
    check = cli.invoke(app, ["plan", "check"])
    assert check.exit_code == 0 and "142亿元" in check.stdout and "140亿元" in check.stdout
