"""``plateau demo`` on a fresh database of each backend, as ``make run`` uses it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from plateau import runtime
from plateau.cli import app
from plateau.demo.models import DemoRun
from plateau.registry.models import Enterprise
from plateau.settings import get_settings
from tests.conftest import BACKENDS

# A short history (2019-01 to 2023-02) keeps the load quick; 2022 is complete in it.
TODAY = "2023-03-10"


def _reset() -> None:
    get_settings.cache_clear()
    runtime.engine.cache_clear()
    runtime.session_factory.cache_clear()


@pytest.fixture(params=BACKENDS)
def cli(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    """A CLI on a fresh, initialised database of one backend (its own, not the shared one)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("plateau_demo_cli")
    monkeypatch.setenv("PLATEAU_DATABASE_URL", url)
    monkeypatch.setenv("PLATEAU_VAR_DIR", str(tmp_path / "var"))
    _reset()
    runtime.init_database()
    try:
        yield CliRunner()
    finally:
        runtime.engine().dispose()
        _reset()


def _count(model: type) -> int:
    with runtime.open_session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_load_if_empty_twice_loads_once(cli: CliRunner) -> None:
    first = cli.invoke(app, ["demo", "load", "--if-empty", "--today", TODAY])
    assert first.exit_code == 0, first.output
    assert "已加载合成演示数据" in first.output
    enterprises = _count(Enterprise)
    assert enterprises > 100
    second = cli.invoke(app, ["demo", "load", "--if-empty", "--today", TODAY])
    assert second.exit_code == 0, second.output
    assert "演示数据已加载，无需操作" in second.output
    assert (_count(Enterprise), _count(DemoRun)) == (enterprises, 1)

    again = cli.invoke(app, ["demo", "load", "--today", TODAY])
    assert again.exit_code == 1 and "已加载" in again.output
    assert _count(DemoRun) == 1

    creds = cli.invoke(app, ["--lang", "en", "demo", "credentials"])
    assert creds.exit_code == 0, creds.output
    lines = (Path(get_settings().var_dir) / "demo-credentials.txt").read_text().splitlines()
    admin_password = next(line.split()[1] for line in lines if line.startswith("admin "))
    assert (
        f"Admin login: http://127.0.0.1:8000/login  user: admin  password: {admin_password}"
        in creds.output
    )
    assert "officer-540100" in creds.output

    summary = cli.invoke(app, ["demo", "summary", "--format", "json"])
    assert summary.exit_code == 0, summary.output
    data = json.loads(summary.stdout)
    assert data["demo"]["last_month"] == "2023-02"
    assert data["calibration"]["above_size"] == 63
    text = cli.invoke(app, ["demo", "summary"])
    assert text.exit_code == 0 and "规上企业" in text.output


def test_if_empty_leaves_a_database_with_enterprises_alone(cli: CliRunner) -> None:
    from plateau.registry.identifiers import make_uscc

    with runtime.open_session() as session:
        session.add(
            Enterprise(
                uscc=make_uscc("91540100MA6T00001"),
                name="西藏真实企业有限公司",
                prefecture_code="540100",
                industry_id="agri_food",
                source="import",
            )
        )
    result = cli.invoke(app, ["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "已有企业或用户账号" in result.output
    refused = cli.invoke(app, ["demo", "load", "--today", TODAY])
    assert refused.exit_code == 1 and "--force" in refused.output
    assert (_count(Enterprise), _count(DemoRun)) == (1, 0)


def test_bad_today_is_rejected(cli: CliRunner) -> None:
    result = cli.invoke(app, ["demo", "load", "--today", "2023-13-01"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    missing = cli.invoke(app, ["demo", "credentials"])
    assert missing.exit_code == 1
