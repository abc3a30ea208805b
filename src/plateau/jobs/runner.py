"""Claiming and running jobs: the part of the job service that workers drive."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from importlib import import_module
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import Actor, Role
from plateau.db import session_scope, utcnow
from plateau.errors import DomainError
from plateau.i18n import _, get_locale, set_locale
from plateau.jobs import kinds
from plateau.jobs.models import CANCELLED, FAILED, QUEUED, RUNNING, SUCCEEDED, Job

log = logging.getLogger(__name__)

Handler = Callable[["JobContext", dict[str, Any]], dict[str, Any] | None]
ProgressCallback = Callable[[int, int | None, str], None]

# Progress is written at most this often (and always for the last step).
PROGRESS_EVERY_S = 0.5
# On SQLite a long write transaction of the handler holds the only write lock: progress
# and heartbeats wait this long for it, then skip (the next report tries again).
SQLITE_SIDE_WRITE_TIMEOUT_MS = 200
# A job whose worker stopped heartbeating is re-queued, at most this many runs in all.
MAX_INTERRUPTED_RUNS = 3


class JobCancelled(Exception):
    """Raised inside a handler's progress report when the submitter cancelled the job."""


class JobFailed(Exception):
    """A handler's failure with a message fit for the submitter; retried if ``retry``."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


def resolve(kind: str) -> Handler:
    """Import the handler of ``kind`` from its dotted path in ``KINDS``."""
    target = kinds.KINDS[kind]
    module_name, _sep, attr = target.partition(":")
    handler: Handler = getattr(import_module(module_name), attr)
    return handler


def _actor_of(job: Job) -> Actor:
    return Actor(
        role=Role(job.submitter_role),
        user_id=job.submitted_by_id,
        username=job.submitter_username,
        scope=job.submitter_scope,
    )


@contextmanager
def _side_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A short transaction for progress and heartbeats that never waits long for a lock
    (on SQLite its BEGIN IMMEDIATE waits ``SQLITE_SIDE_WRITE_TIMEOUT_MS``, then fails)."""
    with session_scope(factory, wait_ms=SQLITE_SIDE_WRITE_TIMEOUT_MS) as session:
        yield session


class JobContext:
    """What a handler gets: its caller, progress reports, and sessions of its own."""

    def __init__(
        self,
        factory: sessionmaker[Session] | None,
        *,
        job_id: int | None,
        actor: Actor,
        attempt: int = 1,
        on_progress: ProgressCallback | None = None,
        payload: bytes | None = None,
    ) -> None:
        self._factory = factory
        self.job_id = job_id
        self.actor = actor
        self.attempt = attempt
        self._on_progress = on_progress
        self._payload = payload
        self._last_write = 0.0

    @property
    def session_factory(self) -> sessionmaker[Session]:
        """The factory of the handler's sessions (for services that open several)."""
        if self._factory is None:
            from plateau import runtime

            self._factory = runtime.session_factory()
        return self._factory

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """Open a transaction of the handler's own: committed on success, rolled back on error.

        ``write=False`` for a transaction that only reads: on SQLite a writer holds the
        database's write lock from its first statement, so a long read as a writer would
        hold up every other writer (pages, the job's own progress) until it ends."""
        with session_scope(self.session_factory, write=write) as session:
            yield session

    def payload(self) -> bytes:
        """Return the file submitted with the job (an import's upload)."""
        if self._payload is None and self.job_id is not None and self._factory is not None:
            with session_scope(self._factory) as session:
                self._payload = session.scalar(select(Job.payload).where(Job.id == self.job_id))
        return self._payload or b""

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record how far the job is; raises JobCancelled when the submitter cancelled it."""
        if self._on_progress is not None:
            self._on_progress(done, total, message)
        if self.job_id is None or self._factory is None:
            return
        now = time.monotonic()
        last = total is not None and done >= total
        if not last and now - self._last_write < PROGRESS_EVERY_S:
            return
        self._last_write = now
        try:
            with _side_session(self._factory) as session:
                session.execute(
                    update(Job)
                    .where(Job.id == self.job_id)
                    .values(
                        progress_done=done,
                        progress_total=total,
                        progress_message=message[:500],
                        heartbeat_at=utcnow(),
                    )
                )
                cancelled = session.scalar(
                    select(Job.cancel_requested).where(Job.id == self.job_id)
                )
        except OperationalError:
            log.debug("job %s: progress skipped, the database is busy", self.job_id)
            return
        if cancelled:
            raise JobCancelled()


def claim(factory: sessionmaker[Session], *, worker: str, kind: str | None = None) -> int | None:
    """Take the oldest due waiting job for ``worker`` (one atomic statement); its id or None."""
    now = utcnow()
    with session_scope(factory) as session:
        due = (
            select(Job.id)
            .where(Job.state == QUEUED, Job.run_after <= now)
            .order_by(Job.run_after, Job.id)
            .limit(1)
        )
        if kind is not None:
            due = due.where(Job.kind == kind)
        if session.get_bind().dialect.name == "postgresql":
            # Concurrent workers each skip the rows another is taking.
            due = due.with_for_update(skip_locked=True)
        # On SQLite the UPDATE takes the write lock before it reads: one statement, one winner.
        job_id = session.scalar(
            update(Job)
            .where(Job.id == due.scalar_subquery(), Job.state == QUEUED)
            .values(
                state=RUNNING,
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                worker=worker[:128],
                cancel_requested=False,
            )
            .returning(Job.id)
        )
    return job_id


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _finish(
    factory: sessionmaker[Session],
    job_id: int,
    *,
    state: str,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    error_details: list[dict[str, Any]] | None = None,
    retry_in: timedelta | None = None,
) -> None:
    now = utcnow()
    with session_scope(factory) as session:
        job = session.get(Job, job_id)
        if job is None:  # pragma: no cover - deleted while running
            return
        job.history = [
            *(job.history or []),
            {"attempt": job.attempts, "at": now.isoformat(), "state": state, "error": error},
        ]
        job.error = error
        job.error_details = error_details
        if retry_in is not None:
            job.state = QUEUED
            job.run_after = now + retry_in
            job.worker = None
            return
        job.state = state
        job.result = result
        job.finished_at = now
        job.payload = None
        if state == SUCCEEDED and job.progress_total is not None:
            job.progress_done = job.progress_total


class _Heartbeat:
    """Stamps a running job every few seconds from a thread of its own."""

    def __init__(self, factory: sessionmaker[Session], job_id: int, every_s: float) -> None:
        self._factory = factory
        self._job_id = job_id
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat")

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                with _side_session(self._factory) as session:
                    session.execute(
                        update(Job)
                        .where(Job.id == self._job_id, Job.state == RUNNING)
                        .values(heartbeat_at=utcnow())
                    )
            except Exception:  # a missed heartbeat is retried at the next tick
                log.debug("job %s: heartbeat skipped", self._job_id, exc_info=True)


def run_job(
    factory: sessionmaker[Session], job_id: int, *, heartbeat_s: float | None = None
) -> str:
    """Run one claimed job to its end and store the outcome; return its new state."""
    with session_scope(factory) as session:
        job = session.get(Job, job_id)
        if job is None or job.state != RUNNING:
            return job.state if job is not None else FAILED
        kind, params, actor = job.kind, dict(job.params or {}), _actor_of(job)
        attempt, max_attempts, locale = job.attempts, job.max_attempts, job.locale
    previous_locale = get_locale()
    set_locale(locale)
    try:
        ctx = JobContext(factory, job_id=job_id, actor=actor, attempt=attempt)
        try:
            handler = resolve(kind)
            if heartbeat_s:
                with _Heartbeat(factory, job_id, heartbeat_s):
                    result = handler(ctx, params)
            else:
                result = handler(ctx, params)
        except JobCancelled:
            _finish(factory, job_id, state=CANCELLED)
            return CANCELLED
        except DomainError as exc:
            # Bad input or a broken rule: running it again would fail the same way.
            _finish(
                factory,
                job_id,
                state=FAILED,
                error=exc.message,
                error_details=[e.as_dict() for e in exc.errors] or None,
            )
            return FAILED
        except Exception as exc:
            log.exception("job %s (%s) failed on attempt %s", job_id, kind, attempt)
            if isinstance(exc, JobFailed):
                message, retry = exc.message, exc.retry
            else:
                message = _(
                    "The job stopped because of an unexpected error. The administrators "
                    "can find the details in the server log under job %(id)s.",
                    id=job_id,
                )
                retry = True
            retry_in = None
            if retry and attempt < max_attempts:
                retry_in = timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))
            _finish(
                factory,
                job_id,
                state=QUEUED if retry_in else FAILED,
                error=message,
                retry_in=retry_in,
            )
            return QUEUED if retry_in else FAILED
        _finish(factory, job_id, state=SUCCEEDED, result=_jsonable(result or {}))
        return SUCCEEDED
    finally:
        set_locale(previous_locale)


def run_pending(
    factory: sessionmaker[Session],
    *,
    worker: str = "inline",
    kind: str | None = None,
    limit: int | None = None,
) -> int:
    """Run every due waiting job in this thread (tests, ``plateau jobs worker --once``)."""
    count = 0
    while limit is None or count < limit:
        job_id = claim(factory, worker=worker, kind=kind)
        if job_id is None:
            break
        run_job(factory, job_id)
        count += 1
    return count


def requeue_stale(factory: sessionmaker[Session], *, older_than: timedelta) -> int:
    """Put back the running jobs whose worker stopped (no heartbeat); return how many."""
    now = utcnow()
    moved = 0
    with session_scope(factory) as session:
        stale = session.scalars(
            select(Job).where(Job.state == RUNNING, Job.heartbeat_at < now - older_than)
        ).all()
        for job in stale:
            entry = {
                "attempt": job.attempts,
                "at": now.isoformat(),
                "state": "interrupted",
                "error": None,
            }
            job.history = [*(job.history or []), entry]
            if job.attempts >= max(job.max_attempts, MAX_INTERRUPTED_RUNS):
                job.state = FAILED
                job.finished_at = now
                job.payload = None
                previous = get_locale()
                set_locale(job.locale)
                job.error = _("The job was interrupted too many times and was given up.")
                set_locale(previous)
            else:
                job.state = QUEUED
                job.run_after = now
                job.worker = None
            moved += 1
    if moved:
        log.warning("re-queued or gave up %s job(s) whose worker stopped", moved)
    return moved


def run_inline(
    kind: str,
    params: dict[str, Any],
    *,
    actor: Actor,
    on_progress: ProgressCallback | None = None,
    payload: bytes | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> dict[str, Any]:
    """Run a handler in the calling process without queueing it (the CLI's progress bars)."""
    handler = resolve(kind)
    ctx = JobContext(
        session_factory, job_id=None, actor=actor, on_progress=on_progress, payload=payload
    )
    return handler(ctx, params) or {}
