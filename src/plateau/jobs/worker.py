"""Worker threads: started by the web app's lifespan or by ``plateau jobs worker``."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from plateau.jobs import runner

log = logging.getLogger(__name__)

# Set when a transaction that queued a job commits: idle workers of this process look at
# once instead of at their next poll. Workers of other processes poll.
_wake = threading.Event()


def wake(*_args: Any) -> None:
    """Tell this process's idle workers that a job was queued."""
    _wake.set()


class WorkerPool:
    """A few threads that claim and run jobs until stopped."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        threads: int = 1,
        poll_s: float = 1.0,
        heartbeat_s: float = 15.0,
        stale_after_s: float = 600.0,
    ) -> None:
        self._factory = factory
        self._threads_wanted = threads
        self._poll_s = poll_s
        self._heartbeat_s = heartbeat_s
        self._stale_after = timedelta(seconds=stale_after_s)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._name = f"{socket.gethostname()}:{os.getpid()}"

    def start(self) -> None:
        for n in range(self._threads_wanted):
            thread = threading.Thread(
                target=self._loop, args=(n,), name=f"plateau-job-worker-{n}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        log.info("started %s job worker thread(s)", len(self._threads))

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop claiming; a job still running after ``timeout_s`` is re-queued by a later worker."""
        self._stop.set()
        _wake.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads.clear()

    def wait(self) -> None:
        """Block until every thread ends (the CLI worker, until Ctrl-C)."""
        for thread in self._threads:
            while thread.is_alive():
                thread.join(1.0)

    def _loop(self, n: int) -> None:
        worker = f"{self._name}/{n}"
        reaped_at = 0.0
        while not self._stop.is_set():
            try:
                if n == 0 and (reaped_at == 0.0 or time.monotonic() - reaped_at > 60):
                    runner.requeue_stale(self._factory, older_than=self._stale_after)
                    reaped_at = time.monotonic()
                job_id = runner.claim(self._factory, worker=worker)
                if job_id is not None:
                    runner.run_job(self._factory, job_id, heartbeat_s=self._heartbeat_s)
                    continue
            except Exception:
                log.exception("job worker %s: error while claiming or finishing a job", worker)
            if _wake.wait(self._poll_s):
                _wake.clear()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run ``PLATEAU_JOB_WORKERS`` worker threads for as long as the app serves."""
    settings = app.state.settings
    pool: WorkerPool | None = None
    if settings.job_workers > 0:
        pool = WorkerPool(
            app.state.sessionmaker,
            threads=settings.job_workers,
            poll_s=settings.job_poll_s,
            heartbeat_s=settings.job_heartbeat_s,
            stale_after_s=settings.job_stale_after_s,
        )
        pool.start()
    try:
        yield
    finally:
        if pool is not None:
            pool.stop()
