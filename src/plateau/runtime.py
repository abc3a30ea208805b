"""Process-level wiring for commands: engine, sessions, migrations, first-run loading."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.settings import get_settings


@lru_cache
def engine() -> Engine:
    """Return the process's engine for the configured database."""
    return make_engine(get_settings().resolved_database_url())


@lru_cache
def session_factory() -> sessionmaker[Session]:
    return make_sessionmaker(engine())


@contextmanager
def open_session(*, write: bool = True) -> Iterator[Session]:
    """A unit of work for a CLI command: commit on success, roll back on error.

    Commands write by default (BEGIN IMMEDIATE on SQLite, so they queue behind other
    writers instead of failing); a long read-only command passes ``write=False``.
    """
    with session_scope(session_factory(), write=write) as session:
        yield session


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the migrations shipped in the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("plateau") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str | None = None) -> None:
    """Apply every migration to the database."""
    url = url or get_settings().resolved_database_url()
    command.upgrade(alembic_config(url), "head")


def init_database() -> str:
    """Migrate the database and (re)load both plans and the reference data they define;
    return what was loaded, in the current language."""
    from plateau.auth.schemas import SYSTEM
    from plateau.plan import service as plan_service

    migrate()
    with open_session() as session:
        report = plan_service.load_plans(session, actor=SYSTEM)
        names = {
            p.id: plan_service.localized(p.title_zh, p.title_en)
            for p in plan_service.list_plans(session, actor=SYSTEM)
        }
    return plan_service.describe_load(report, names)
