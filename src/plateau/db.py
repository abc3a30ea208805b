"""Database engine, sessions and the declarative base shared by every domain."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")

#: Values per ``IN (...)`` list. PostgreSQL's driver takes at most 65,535 parameters in one
#: statement and SQLite 32,766: a lookup over user-sized input goes in chunks of this size.
IN_CHUNK = 1_000


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """Split values (in order) into lists short enough for one ``IN (...)`` on any driver."""
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base; its metadata names constraints so Alembic batch mode works."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def make_engine(url: str, *, echo: bool = False, **options: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    ``options`` go to ``create_engine`` (pool sizes: the tests run with one connection).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000},
            **options,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINTs; let SQLAlchemy emit BEGIN.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A deferred transaction that has read cannot become a writer once another
            # writer has committed ("database is locked" at once, whatever the busy
            # timeout); a writer that starts IMMEDIATE queues on the timeout instead.
            options = conn.get_execution_options()
            # A side writer (a job's progress) waits briefly for the lock, not 30 s: the
            # shorter timeout must be in force when BEGIN IMMEDIATE asks for the lock.
            wait_ms = options.get(BUSY_OPTION)
            if wait_ms is not None:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                if options.get(BEGIN_OPTION) == "IMMEDIATE":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    conn.exec_driver_sql("BEGIN")
            finally:
                if wait_ms is not None:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")

        return engine
    if url.startswith("postgresql"):
        # No JIT compilation (decision 0057): it costs 50-150 ms per statement whose
        # estimated cost passes jit_above_cost, which a trace's recursive query or a page's
        # join does on a large table, while their execution takes milliseconds.
        connect_args = dict(options.pop("connect_args", {}))
        connect_args["options"] = f"{connect_args.get('options', '')} -c jit=off".strip()
        options["connect_args"] = connect_args
    return create_engine(url, echo=echo, pool_pre_ping=True, **options)


def plan_once(session: Session) -> None:
    """Let the rest of ``session``'s transaction run its statements on their generic plans
    (PostgreSQL; elsewhere nothing).

    psycopg prepares a statement its connection has run five times, but PostgreSQL still
    plans a prepared statement again on each run while it judges a custom plan cheaper.
    A trace's recursive statement took 2 ms to plan and 0.6 ms to run (decision 0064); its
    statements look up indexed keys, so one generic plan serves every identifier.
    ``SET LOCAL`` lasts to the end of the transaction (the request's): the request's later
    statements, the trace's details and names, plan the same way; the next request starts
    with the server's setting again.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")


#: How long a SQLite connection waits for another's lock (the driver's ``timeout``).
SQLITE_BUSY_MS = 30_000
BEGIN_OPTION = "plateau_sqlite_begin"
#: Execution option: how long (ms) this session's SQLite transactions wait to begin.
BUSY_OPTION = "plateau_sqlite_busy_ms"
#: Execution options of a session that will write: on SQLite its transactions begin
#: IMMEDIATE (take the write lock first); other backends ignore the option.
WRITER: dict[str, Any] = {BEGIN_OPTION: "IMMEDIATE"}


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory used by requests, CLI commands and jobs."""
    from plateau import changes

    changes.install()  # public pages' change log: every writer of the process appends to it
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def open_writer(factory: sessionmaker[Session]) -> Session:
    """Open a session whose transactions start as writers (BEGIN IMMEDIATE on SQLite)."""
    return factory(execution_options=WRITER)


@contextmanager
def session_scope(
    factory: sessionmaker[Session], *, write: bool = True, wait_ms: int | None = None
) -> Iterator[Session]:
    """Open a session that commits on success and rolls back on error (CLI and jobs).

    ``write`` (the default) starts the transaction as a writer on SQLite; a command that
    only reads passes ``write=False`` so that it does not hold the write lock. ``wait_ms``
    shortens how long SQLite waits for another's lock when the transaction begins.
    """
    options: dict[str, Any] = dict(WRITER) if write else {}
    if wait_ms is not None:
        options[BUSY_OPTION] = wait_ms
    session = factory(execution_options=options) if options else factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
