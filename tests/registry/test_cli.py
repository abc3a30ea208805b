"""``plateau import`` and ``plateau export`` against a real database of each backend."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.cli import app
from plateau.db import make_engine
from plateau.registry import service
from plateau.settings import get_settings
from tests.registry.builders import csv_bytes, gtin, uscc, xlsx_bytes

runner = CliRunner()


def _reset_process_caches() -> None:
    get_settings.cache_clear()
    runtime.session_factory.cache_clear()
    runtime.engine.cache_clear()


@pytest.fixture(scope="module")
def cli_url(
    engine: Engine, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own (the commands commit), migrated and with the plans loaded."""
    from plateau.plan import service as plan_service

    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("plateau_registry_cli")
    runtime.migrate(url)
    own = make_engine(url)
    with Session(own) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        session.commit()
    yield url
    own.dispose()


@pytest.fixture
def cli(cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """Point the commands at the CLI database; yield a session to look at what they did."""
    monkeypatch.setenv("PLATEAU_DATABASE_URL", cli_url)
    _reset_process_caches()
    check = make_engine(cli_url)
    with Session(check) as session:
        yield session
    runtime.engine().dispose()
    check.dispose()
    _reset_process_caches()


def _exists(session: Session, code: str) -> bool:
    session.rollback()  # see what the command committed
    return service.scope_exists(session, scope=f"enterprise:{code}")


def test_import_enterprises_prints_what_was_imported(cli: Session, tmp_path: Path) -> None:
    file = tmp_path / "enterprises.csv"
    file.write_bytes(csv_bytes([
        ["uscc", "name", "prefecture", "industry", "park", "founded_date"],
        [uscc(300), "命令行企业甲", "540100", "agri_food", "lhasa_etdz", "2015-06-01"],
        [uscc(301, "540600"), "命令行企业乙", "那曲市", "drinking_water", "", ""],
    ]))  # fmt: skip
    result = runner.invoke(app, ["import", "enterprises", str(file)])
    assert result.exit_code == 0, result.output
    assert "已导入 2 行：新增 2 条，更新 0 条。" in result.output
    assert _exists(cli, uscc(300)) and _exists(cli, uscc(301, "540600"))
    again = runner.invoke(app, ["import", "enterprises", str(file)])
    assert again.exit_code == 0 and "新增 0 条，更新 2 条" in again.output


def test_a_bad_row_imports_nothing_and_exits_non_zero(cli: Session, tmp_path: Path) -> None:
    file = tmp_path / "enterprises.xlsx"
    file.write_bytes(xlsx_bytes([
        ["统一社会信用代码", "企业名称", "地市", "产业", "成立日期"],
        [uscc(302), "好的", "540100", "brewing", "2020-01-01"],
        [uscc(303)[:-1] + "O", "坏的", "540100", "brewing", "2020-01-01"],
        [uscc(304), "日期坏的", "540100", "brewing", "明年"],
    ]))  # fmt: skip
    result = runner.invoke(app, ["import", "enterprises", str(file)])
    assert result.exit_code == 1
    assert "未导入任何数据：文件中发现 2 个问题。" in result.output
    assert "统一社会信用代码" in result.output and "成立日期" in result.output
    assert "“明年”不是日期" in result.output.replace("\n", "").replace("│", "").replace(" ", "")
    assert not _exists(cli, uscc(302))


def test_dry_run_and_missing_files(cli: Session, tmp_path: Path) -> None:
    file = tmp_path / "e.csv"
    file.write_bytes(
        csv_bytes(
            [["uscc", "name", "prefecture", "industry"], [uscc(305), "试", "540100", "brewing"]]
        )
    )
    dry = runner.invoke(app, ["import", "enterprises", str(file), "--dry-run"])
    assert dry.exit_code == 0 and "试运行" in dry.output
    assert not _exists(cli, uscc(305))
    missing = runner.invoke(app, ["import", "enterprises", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "不存在" in missing.output
    english = runner.invoke(
        app, ["--lang", "en", "import", "enterprises", str(tmp_path / "nope.csv")]
    )
    assert english.exit_code == 1 and "does not exist" in " ".join(english.output.split())


def test_import_products_and_projects(cli: Session, tmp_path: Path) -> None:
    owner = uscc(306)
    companies = tmp_path / "c.csv"
    companies.write_bytes(
        csv_bytes(
            [["uscc", "name", "prefecture", "industry"], [owner, "产品企业", "540100", "agri_food"]]
        )
    )
    assert runner.invoke(app, ["import", "enterprises", str(companies)]).exit_code == 0
    products = tmp_path / "p.csv"
    products.write_bytes(
        csv_bytes([["gtin", "name", "uscc", "brand"], [gtin(306), "糌粑", owner, "雪域"]])
    )
    result = runner.invoke(app, ["import", "products", str(products)])
    assert result.exit_code == 0, result.output
    projects = tmp_path / "j.xlsx"
    projects.write_bytes(xlsx_bytes([
        ["项目名称", "产业", "地市", "项目阶段", "投资额（万元）"], ["命令行项目", "agri_food", "540100", "投产", 800],
    ]))  # fmt: skip
    result = runner.invoke(app, ["import", "projects", str(projects)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["gtin", "name", "uscc"], ["6901234567893", "x", owner]]))
    assert runner.invoke(app, ["import", "products", str(bad)]).exit_code == 1


def test_export_writes_csv_and_excel(cli: Session, tmp_path: Path) -> None:
    file = tmp_path / "e.csv"
    file.write_bytes(
        csv_bytes(
            [
                ["uscc", "name", "prefecture", "industry"],
                [uscc(307), "导出企业", "540500", "brewing"],
            ]
        )
    )
    assert runner.invoke(app, ["import", "enterprises", str(file)]).exit_code == 0
    out = tmp_path / "out" / "enterprises.xlsx"
    result = runner.invoke(
        app, ["export", "enterprises", "--out", str(out), "--prefecture", "540500"]
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(io.BytesIO(out.read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "企业名称")
    assert [r[1] for r in rows[1:]] == ["导出企业"]
    csv_out = tmp_path / "projects.csv"
    assert runner.invoke(app, ["export", "projects", "--out", str(csv_out)]).exit_code == 0
    assert csv_out.read_text(encoding="utf-8-sig").startswith("项目编号,项目名称")
    wrong = runner.invoke(app, ["export", "enterprises", "--out", str(tmp_path / "e.pdf")])
    assert wrong.exit_code == 1
    bad_status = runner.invoke(
        app, ["export", "enterprises", "--out", str(out), "--status", "famous"]
    )
    assert bad_status.exit_code == 1
