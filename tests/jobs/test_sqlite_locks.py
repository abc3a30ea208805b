"""On SQLite a job must not hold the write lock longer than it writes, and its progress
reports must not wait on it: statements are recorded, never timed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import SYSTEM
from plateau.db import make_engine, make_sessionmaker
from plateau.jobs.models import Job
from plateau.jobs.runner import SQLITE_SIDE_WRITE_TIMEOUT_MS, JobContext
from plateau.policy.jobs import run_policy
from plateau.runtime import migrate


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("locks") / "locks.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def engine(database: Path) -> Iterator[Engine]:
    # One pooled connection, so that what a transaction leaves on it is seen by the next.
    engine = make_engine(f"sqlite:///{database}", pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _recording(engine: Engine) -> list[str]:
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement.strip())

    event.listen(engine, "before_cursor_execute", record)
    return sent


def _other_writer_can_begin(database: Path) -> bool:
    """Whether another connection gets the write lock at once (no waiting at all)."""
    other = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_a_progress_report_waits_briefly_for_the_lock_then_gives_up(
    engine: Engine, database: Path
) -> None:
    factory = make_sessionmaker(engine)
    with factory() as s:
        job = Job(kind="test.count_users", submitter_role="region_admin", state="running")
        s.add(job)
        s.commit()
        job_id = job.id
    ctx = JobContext(factory, job_id=job_id, actor=SYSTEM)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock throughout
    sent = _recording(engine)
    try:
        ctx.progress(1, 4, "busy")  # skipped, not raised
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # The short wait is in force when BEGIN IMMEDIATE asks for the lock, and the usual one
    # is back on the connection right after, whether the lock came or not.
    short = f"PRAGMA busy_timeout = {SQLITE_SIDE_WRITE_TIMEOUT_MS}"
    assert sent[:3] == [short, "BEGIN IMMEDIATE", "PRAGMA busy_timeout = 30000"], sent
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    with factory() as s:
        assert s.scalar(select(Job.progress_message).where(Job.id == job_id)) == ""
    ctx.progress(4, 4, "free")  # the lock is free again (and the last report is never skipped)
    with factory() as s:
        assert s.scalar(select(Job.progress_message).where(Job.id == job_id)) == "free"


def test_a_job_reading_holds_no_write_lock_and_one_writing_does(
    engine: Engine, database: Path
) -> None:
    ctx = JobContext(make_sessionmaker(engine), job_id=None, actor=SYSTEM)
    with ctx.session(write=False) as session:
        session.scalar(select(Job.id).limit(1))
        assert _other_writer_can_begin(database)
    with ctx.session() as session:
        session.scalar(select(Job.id).limit(1))
        assert not _other_writer_can_begin(database)


def test_a_policy_run_computes_as_a_reader_and_stores_as_a_writer(engine: Engine) -> None:
    factory: sessionmaker[Session] = make_sessionmaker(engine)
    sent = _recording(engine)
    result = run_policy(
        JobContext(factory, job_id=None, actor=SYSTEM),
        {"policy": "lhasa_garment_support", "period": 2025},
    )
    assert result["run_id"] is not None
    begins = [s for s in sent if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"], begins
