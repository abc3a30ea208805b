"""``plateau import returns`` and ``plateau returns …`` against a real database of each backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.db import make_engine
from plateau.monitoring.models import MonthlyReturn
from plateau.settings import get_settings
from tests.monitoring.conftest import cli_app
from tests.registry.builders import csv_bytes, make_enterprise, uscc, xlsx_bytes

runner = CliRunner()
HEADER = ["uscc", "period", "output_value", "revenue", "value_added", "employees"]
A = uscc(401)
B = uscc(402, "540600")


def _reset_process_caches() -> None:
    get_settings.cache_clear()
    runtime.session_factory.cache_clear()
    runtime.engine.cache_clear()


@pytest.fixture(scope="module")
def cli_url(
    engine: Engine, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own (the commands commit) with two enterprises."""
    from plateau.plan import service as plan_service

    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("plateau_returns_cli")
    runtime.migrate(url)
    own = make_engine(url)
    with Session(own) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        make_enterprise(session, n=401, name="命令行甲", park="lhasa_etdz")
        make_enterprise(
            session, n=402, name="命令行乙", prefecture="540600", industry="drinking_water"
        )
        session.commit()
    yield url
    own.dispose()


@pytest.fixture
def cli(cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setenv("PLATEAU_DATABASE_URL", cli_url)
    _reset_process_caches()
    check = make_engine(cli_url)
    with Session(check) as session:
        yield session
    runtime.engine().dispose()
    check.dispose()
    _reset_process_caches()


def _returns(session: Session, period: str | None = None) -> int:
    session.rollback()
    stmt = select(func.count()).select_from(MonthlyReturn)
    return session.scalar(stmt) or 0


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli_app(), ["--lang", "zh_Hans_CN", *args])
    return result.exit_code, result.output


def test_a_bad_file_prints_every_problem_and_imports_nothing(cli: Session, tmp_path: Path) -> None:
    before = _returns(cli)
    path = tmp_path / "returns.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                [A, "2025-01", "1000000", "950000", "300000", "20"],
                [A, "2025-01", "1000000", "950000", "300000", "20"],
                [B, "2031-01", "abc", "950000", "300000", "20"],
            ]
        )
    )
    code, output = _run("import", "returns", str(path))
    assert code == 1
    assert "未导入任何数据：文件中发现 3 个问题。" in output
    assert "与第 2 行重复" in output and "“abc”不是数字。" in output and "2031-01" in output
    assert _returns(cli) == before


def test_a_good_excel_file_is_imported_and_summarised(cli: Session, tmp_path: Path) -> None:
    path = tmp_path / "returns.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                [*HEADER, "drinking_water_volume"],
                [A, "2025-02", 1_000_000, 950_000, 300_000, 20, None],
                [B, "2025-02", 2_000_000, 1_900_000, 600_000, 30, 1500],
            ]
        )
    )
    before = _returns(cli)
    code, output = _run("import", "returns", str(path), "--submit")
    assert code == 0, output
    assert "已导入 2 份报表：新增 2 份，修改 0 份，未变 0 份，已提交 2 份。" in output
    assert _returns(cli) == before + 2
    code, output = _run("returns", "approve", A, "2025-02", "--comment", "同意")
    assert code == 0, output
    code, output = _run("returns", "return", B, "2025-02", "--comment", "请核对产量")
    assert code == 0, output
    code, output = _run("returns", "list", "--period", "2025-02")
    assert "已审核" in output and "已退回修改" in output


def test_lock_and_reopen_a_period(cli: Session, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([HEADER, [A, "2025-03", "1000000", "950000", "300000", "20"]]))
    assert _run("import", "returns", str(path), "--submit")[0] == 0
    assert _run("returns", "approve", A, "2025-03")[0] == 0
    code, output = _run("returns", "lock", "2025-03")
    assert code == 0 and "报告期 2025-03 已锁定：1 份已审核报表被锁定。" in output
    code, output = _run("returns", "lock", "2025-03")
    assert code == 1 and "报告期 2025-03 已经锁定。" in output
    # A locked period refuses a file too.
    code, output = _run("import", "returns", str(path))
    assert code == 1 and "已被自治区管理员锁定" in output
    assert _run("returns", "reopen", "2025-03")[0] == 2  # --reason is required
    code, output = _run("returns", "reopen", "2025-03", "--reason", "统计局更正")
    assert code == 0 and "1 份报表恢复为已审核" in output
    code, output = _run("returns", "lock", "2025-13")
    assert code == 1 and "没有第13月" in output


def test_completeness_late_filers_and_template(cli: Session, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    rows = [[u, "2025-04", "1000000", "950000", "300000", "20"] for u in (A, B)]
    path.write_bytes(csv_bytes([HEADER, *rows]))
    assert _run("import", "returns", str(path), "--submit")[0] == 0
    code, output = _run("returns", "completeness", "--period", "2025-04", "--json")
    assert code == 0, output
    data = json.loads(output)
    total = data["rows"][-1]
    assert (data["period"], total["key"], total["expected"], total["filed"]) == (
        "2025-04",
        "total",
        2,
        2,
    )
    code, output = _run("returns", "late", "--period", "2025-05")
    assert code == 0 and "命令行甲" in output
    out = tmp_path / "template.xlsx"
    assert _run("returns", "template", str(out))[0] == 0
    header = [c.value for c in load_workbook(out).worksheets[0][1]]
    assert header[:6] == HEADER
    code, output = _run("returns", "periods")
    assert code == 0 and "报告期" in output


def test_remind_sends_each_overdue_enterprise_one_reminder_a_day(cli: Session) -> None:
    from plateau.messaging.models import Message

    code, output = _run("returns", "remind", "--period", "2025-05", "--note", "请尽快报送")
    assert code == 0 and "已向 2 家企业发送催报" in output, output
    code, output = _run("returns", "remind", "--period", "2025-05")
    assert code == 0 and "已向 0 家企业发送催报" in output and "另有 2 家未发送" in output
    cli.rollback()
    notes = cli.scalars(select(Message.note)).all()
    assert notes == ["请尽快报送", "请尽快报送"]
