"""The commands merged into ``plateau trace``: show, export, labels, mass-balance, handles —
against a database of their own on each backend (the commands commit)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM, Role
from plateau.db import make_engine
from plateau.plan import service as plan_service
from plateau.settings import get_settings
from plateau.trace.lineage import cli as lineage_cli
from tests.builders import make_user
from tests.trace.lineage.test_genealogy_builders import BottleChain, YakChain, capture

runner = CliRunner()


def _reset() -> None:
    get_settings.cache_clear()
    runtime.session_factory.cache_clear()
    runtime.engine.cache_clear()


@dataclass
class World:
    url: str
    yak: YakChain
    bottles: BottleChain


@pytest.fixture(scope="module")
def world(
    engine: Engine, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('trace-cli') / 'cli.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("plateau_trace_cli")
    runtime.migrate(url)
    own = make_engine(url)
    with Session(own, expire_on_commit=False) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        yak = YakChain(session)
        capture(session, yak.events(), actor=yak.actor)
        capture(session, yak.events(jerky_code="JX", carcass_kg=300.0, packs=2600, sold=2490), actor=yak.actor)  # fmt: skip
        bottles = BottleChain(session)
        capture(session, bottles.events(), actor=bottles.actor)
        make_user(
            session,
            Role.ENTERPRISE_USER,
            f"enterprise:{bottles.enterprise.uscc}",
            username="cli-water",
        )
        session.commit()
    yield World(url, yak, bottles)
    own.dispose()


@pytest.fixture
def cli(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("PLATEAU_DATABASE_URL", world.url)
    _reset()
    yield world
    runtime.engine().dispose()
    _reset()


def test_show_prints_the_journey_to_the_base(cli: World) -> None:
    result = runner.invoke(
        lineage_cli.app, ["show", cli.yak.jerky_lot("J1"), "--direction", "back"]
    )
    assert result.exit_code == 0, result.output
    assert "原料基地：牦牛，测试牦牛基地 那曲市 色尼区" in result.output
    assert "commissioning" in result.output and "测试加工厂" in result.output
    as_json = runner.invoke(lineage_cli.app, ["show", cli.yak.jerky_lot("J1"), "--json"])
    body = json.loads(as_json.output)
    assert body["base"]["id"] == "yak" and body["county"]["name"] == "色尼区"


def test_show_follows_the_users_scope(cli: World) -> None:
    mine = runner.invoke(lineage_cli.app, ["show", cli.bottles.item("1"), "--as", "cli-water"])
    assert mine.exit_code == 0, mine.output
    other = runner.invoke(lineage_cli.app, ["show", cli.yak.jerky_lot("J1"), "--as", "cli-water"])
    assert other.exit_code == 1 and "没有您可查看的" in other.output
    bad = runner.invoke(lineage_cli.app, ["show", cli.yak.jerky_lot("J1"), "--direction", "up"])
    assert bad.exit_code == 1


def test_export_writes_the_fsma_spreadsheet(cli: World, tmp_path: Path) -> None:
    out = tmp_path / "recall.xlsx"
    result = runner.invoke(
        lineage_cli.app, ["export", "--lot", "J1", "--gtin", cli.yak.jerky, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "3 条关键追踪事件" in result.output
    sheet = load_workbook(out).active
    assert sheet.cell(1, 1).value == "可追溯批次代码" and sheet.max_row == 4
    as_csv = tmp_path / "recall.csv"
    assert runner.invoke(lineage_cli.app, ["export", "--lot", cli.yak.jerky_lot("J1"), "--out", str(as_csv)]).exit_code == 0  # fmt: skip
    assert as_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    wrong = runner.invoke(lineage_cli.app, ["export", "--lot", "J1", "--gtin", cli.yak.jerky, "--out", str(tmp_path / "r.txt")])  # fmt: skip
    assert wrong.exit_code == 1


def test_labels_writes_a_sheet_or_an_archive(cli: World, tmp_path: Path) -> None:
    sheet = tmp_path / "labels.pdf"
    made = runner.invoke(
        lineage_cli.app,
        ["labels", "--gtin", cli.bottles.gtin, "--lot", "L1", "--serials", "30", "--out", str(sheet),
         "--base-url", "https://plateau.example.cn"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert sheet.read_bytes().startswith(b"%PDF") and "30" in made.output
    archive = tmp_path / "labels.zip"
    result = runner.invoke(
        lineage_cli.app,
        ["labels", "--gtin", cli.bottles.gtin, "--lot", "L1", "--serials", "3", "--first", "101",
         "--out", str(archive)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    index = zipfile.ZipFile(io.BytesIO(archive.read_bytes())).read("labels.csv").decode()
    # Without --base-url the labels point at the configured public URL, never a guess.
    base = get_settings().public_url.rstrip("/")
    assert f"{base}/01/{cli.bottles.gtin}/10/L1/21/103" in index
    broken = runner.invoke(lineage_cli.app, ["labels", "--gtin", "123", "--out", str(sheet)])
    assert broken.exit_code == 1


def test_mass_balance_exits_1_on_what_does_not_add_up(cli: World) -> None:
    result = runner.invoke(lineage_cli.app, ["mass-balance", "--flagged"])
    assert result.exit_code == 1
    assert "JX" in result.output and "1,350" in result.output


def test_handles_register_mint_resolve_and_list(cli: World) -> None:
    uscc = cli.bottles.enterprise.uscc
    registered = runner.invoke(
        lineage_cli.app, ["handles", "register-prefix", "88.200.7", "--enterprise", uscc]
    )
    assert registered.exit_code == 0, registered.output
    minted = runner.invoke(lineage_cli.app, ["handles", "mint", "--prefix", "88.200.7", "--gtin", cli.bottles.gtin, "--lot", "L1"])  # fmt: skip
    assert minted.exit_code == 0, minted.output
    handle = minted.output.splitlines()[0].strip()
    assert handle.startswith("88.200.7/L")
    resolved = runner.invoke(
        lineage_cli.app, ["handles", "resolve", handle, "--base-url", "https://plateau.example.cn"]
    )
    record = json.loads(resolved.output)
    assert (
        record["values"][0]["data"]["value"]
        == f"https://plateau.example.cn/01/{cli.bottles.gtin}/10/L1"
    )
    listed = runner.invoke(lineage_cli.app, ["handles", "list"])
    assert handle in listed.output and "88.200.7" in listed.output
    assert runner.invoke(lineage_cli.app, ["handles", "resolve", "88.200.7/NOPE"]).exit_code == 1
