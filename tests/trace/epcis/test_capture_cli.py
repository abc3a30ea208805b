"""``plateau trace capture FILE [--as USER]``: the capture interface from a file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import Role
from plateau.db import session_scope
from plateau.registry.models import Enterprise
from plateau.trace.epcis import cli
from plateau.trace.epcis.models import EpcisEvent
from plateau.trace.epcis.xml import to_xml
from tests.trace.epcis import test_capture_builders as shared
from tests.trace.epcis.test_capture_builders import (
    document,
    make_user,
    object_event,
)

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
enterprise = shared.enterprise

runner = CliRunner()


@pytest.fixture
def commands(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Point the commands at this test's database."""

    @contextmanager
    def open_session() -> Iterator[Session]:
        with session_scope(session_factory) as session:
            yield session

    monkeypatch.setattr(runtime, "open_session", open_session)
    monkeypatch.setattr(runtime, "session_factory", lambda: session_factory)
    yield


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_capture_a_file_as_an_enterprise_user(
    commands: None, tmp_path: Path, session: Session, enterprise: Enterprise
) -> None:
    user = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{enterprise.uscc}")
    doc = document(object_event(), object_event(biz_step="receiving"))
    path = _write(tmp_path, "events.json", json.dumps(doc).encode())
    result = runner.invoke(cli.app, ["capture", str(path), "--as", user.username])
    assert result.exit_code == 0, result.output
    rows = session.scalars(select(EpcisEvent)).all()
    assert len(rows) == 2
    assert {r.captured_by_enterprise for r in rows} == {enterprise.uscc}
    # The same events as XML: nothing new.
    xml = _write(tmp_path, "events.xml", to_xml(doc))
    again = runner.invoke(cli.app, ["capture", str(xml), "--as", user.username])
    assert again.exit_code == 0, again.output
    assert "2" in again.output
    assert len(session.scalars(select(EpcisEvent)).all()) == 2


def test_invalid_files_exit_1_and_store_nothing(
    commands: None, tmp_path: Path, session: Session
) -> None:
    doc = document(object_event(), object_event(action="MOVE"))
    path = _write(tmp_path, "bad.json", json.dumps(doc).encode())
    result = runner.invoke(cli.app, ["capture", str(path)])
    assert result.exit_code == 1
    assert "/epcisBody/eventList/1/action" in result.output
    assert session.scalars(select(EpcisEvent)).all() == []
    partial = runner.invoke(cli.app, ["capture", str(path), "--proceed"])
    assert partial.exit_code == 1
    assert len(session.scalars(select(EpcisEvent)).all()) == 1
    missing = runner.invoke(cli.app, ["capture", str(tmp_path / "none.json")])
    assert missing.exit_code == 1
    nobody = runner.invoke(cli.app, ["capture", str(path), "--as", "nobody"])
    assert nobody.exit_code == 1


def test_officers_cannot_capture_from_the_command_line_either(
    commands: None, tmp_path: Path, session: Session
) -> None:
    officer = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100")
    path = _write(tmp_path, "events.json", json.dumps(document(object_event())).encode())
    result = runner.invoke(cli.app, ["capture", str(path), "--as", officer.username])
    assert result.exit_code == 1
    assert session.scalars(select(EpcisEvent)).all() == []


def test_the_command_line_shows_normalisations_and_refuses_them_with_strict(
    commands: None, tmp_path: Path, session: Session
) -> None:
    from tests.trace.epcis.test_interop import SENSOR_WITH_BARE_WORD

    path = _write(tmp_path, "peer.xml", SENSOR_WITH_BARE_WORD)
    strict = runner.invoke(cli.app, ["capture", str(path), "--strict"])
    assert strict.exit_code == 1
    assert "cbv:xml-bare-word" in strict.output
    assert session.scalars(select(EpcisEvent)).all() == []
    lenient = runner.invoke(cli.app, ["capture", str(path)])
    assert lenient.exit_code == 0, lenient.output
    assert "sensorReport/@exception" in lenient.output and "ALARM_CONDITION" in lenient.output
    assert len(session.scalars(select(EpcisEvent)).all()) == 1
