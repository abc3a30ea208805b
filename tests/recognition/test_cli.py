"""``plateau recognition`` and ``plateau standards`` against a database of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.cli import app
from plateau.db import make_engine
from plateau.recognition import service
from plateau.settings import get_settings
from tests.recognition.builders import edition_data

runner = CliRunner()


def _reset() -> None:
    get_settings.cache_clear()
    runtime.session_factory.cache_clear()
    runtime.engine.cache_clear()


@pytest.fixture(scope="module")
def cli_url(
    engine: Engine, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    from plateau.plan import service as plan_service

    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('rcli') / 'cli.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("plateau_recognition_cli")
    runtime.migrate(url)
    own = make_engine(url)
    with Session(own) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        session.commit()
    yield url
    own.dispose()


@pytest.fixture
def db(cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setenv("PLATEAU_DATABASE_URL", cli_url)
    _reset()
    check = make_engine(cli_url)
    with Session(check) as session:
        yield session
    runtime.engine().dispose()
    check.dispose()
    _reset()


def test_create_move_on_and_refuse(db: Session, tmp_path: Path) -> None:
    file = tmp_path / "edition.json"
    file.write_text(json.dumps(edition_data("cli-fw").model_dump(mode="json")), encoding="utf-8")
    created = runner.invoke(app, ["recognition", "create", str(file)])
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["recognition", "list"])
    assert "cli-fw" in listed.output
    moved = runner.invoke(app, ["recognition", "stage", "cli-fw", "nominations"])
    assert moved.exit_code == 0, moved.output
    skipped = runner.invoke(app, ["recognition", "stage", "cli-fw", "final"])
    assert skipped.exit_code == 1
    db.rollback()
    assert service.get_edition(db, code="cli-fw", actor=SYSTEM).stage == "nominations"
    early = runner.invoke(app, ["recognition", "results", "cli-fw"])
    assert early.exit_code == 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"code": "x"}), encoding="utf-8")
    assert runner.invoke(app, ["recognition", "create", str(bad)]).exit_code == 1
    programme = runner.invoke(app, ["standards", "programme"])
    assert programme.exit_code == 0 and "30" in programme.output
