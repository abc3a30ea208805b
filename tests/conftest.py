"""Shared fixtures: every database test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from plateau.auth.schemas import SYSTEM
from plateau.db import make_engine
from plateau.i18n import set_locale
from plateau.runtime import alembic_config
from plateau.settings import Settings
from tests.pg import PgServer, start_server

BACKENDS = ("sqlite", "postgresql")
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


def pytest_sessionstart(session: pytest.Session) -> None:
    # The conformance corpus and the plan originals live in ../shared; locally their tests
    # skip without it, but in CI a missing shared/ must fail loudly, not skip silently.
    if os.environ.get("CI") and not SHARED.is_dir():
        raise pytest.UsageError(f"CI needs ../shared beside the repository (looked at {SHARED})")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


def _migrate_and_seed(url: str) -> Engine:
    from alembic import command

    from plateau.plan import service as plan_service

    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        session.commit()
    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database with both plans loaded, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    else:
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.create_database("plateau_test")
    eng = _migrate_and_seed(url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    conn = engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Commits inside the code under test become savepoints of the outer transaction.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    s = session_factory()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(autouse=True)
def _default_locale() -> None:
    set_locale("zh_Hans_CN")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # No worker threads: tests run queued jobs themselves (jobs_service.run_pending).
    return Settings(
        var_dir=tmp_path,
        secret_key="test-secret",
        database_url="sqlite://",
        job_workers=0,
        lookup_flush_s=0,
    )


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    from plateau.web.app import create_app

    return create_app(settings, session_factory=session_factory)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def system():  # type: ignore[no-untyped-def]
    return SYSTEM


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner whose commands use the test database (committed data is visible to it)."""
    from plateau import runtime
    from plateau.settings import get_settings

    monkeypatch.setenv("PLATEAU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    runtime.engine.cache_clear()
    runtime.session_factory.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
    runtime.engine.cache_clear()
    runtime.session_factory.cache_clear()


def shared_path(*parts: str) -> Path:
    """Path under ../shared (the design and standards material beside the repo)."""
    return SHARED.joinpath(*parts)


os.environ.setdefault("PLATEAU_LANG", "zh_Hans_CN")
