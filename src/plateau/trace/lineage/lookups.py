"""How many times a code was looked up on its consumer page, counted without a GET writing.

A look-up adds one to a counter in this process's memory. Every ``lookup_flush_s`` seconds
a thread of the process hands what it counted to the job queue (``trace.lookups``), whose
handler adds it to ``trace_lookup``; a page shows the stored count plus what this process
holds. A process that dies loses at most one interval of counts: a look-up counter is a
warning sign for shoppers (a serialised item scanned a thousand times is a copied code),
not a ledger.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import SYSTEM
from plateau.db import session_scope, utcnow
from plateau.i18n import _
from plateau.trace.lineage.models import TraceLookup

if TYPE_CHECKING:
    from plateau.jobs.service import JobContext

log = logging.getLogger("plateau.trace.lineage.lookups")

# A serialised item looked up this often is worth a warning: one pack is scanned by its
# buyer a few times, a copied code on many packs is scanned by many buyers.
ITEM_WARNING_AT = 20


class _Counter:
    """This process's look-ups not yet handed to the job queue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[str] = Counter()
        self._thread: threading.Thread | None = None

    def add(self, key: str) -> None:
        with self._lock:
            self._pending[key] += 1

    def pending(self, key: str) -> int:
        with self._lock:
            return self._pending.get(key, 0)

    def take(self) -> dict[str, int]:
        with self._lock:
            out = dict(self._pending)
            self._pending.clear()
            return out

    def give_back(self, counts: dict[str, int]) -> None:
        with self._lock:
            self._pending.update(counts)

    def start(self, factory: sessionmaker[Session], every_s: float) -> None:
        """Start this process's flusher thread once (a no-op when it runs or when off)."""
        if every_s <= 0 or (self._thread is not None and self._thread.is_alive()):
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(
                target=self._loop, args=(factory, every_s), name="lookup-flusher", daemon=True
            )
            self._thread.start()

    def _loop(self, factory: sessionmaker[Session], every_s: float) -> None:
        stop = threading.Event()
        while not stop.wait(every_s):
            try:
                flush(factory)
            except Exception:  # pragma: no cover - logged, counts kept for the next round
                log.exception("handing look-up counts to the job queue failed")


COUNTER = _Counter()


def record(key: str, *, factory: sessionmaker[Session] | None = None, every_s: float = 0) -> None:
    """Count one look-up of ``key`` in memory (never a database write)."""
    COUNTER.add(key)
    if factory is not None:
        COUNTER.start(factory, every_s)


def flush(factory: sessionmaker[Session]) -> int:
    """Queue a ``trace.lookups`` job with this process's counts; return how many codes."""
    counts = COUNTER.take()
    if not counts:
        return 0
    from plateau.jobs import service as jobs_service

    try:
        with session_scope(factory) as session:
            jobs_service.submit(
                session, kind="trace.lookups", params={"counts": counts}, actor=SYSTEM
            )
    except Exception:
        COUNTER.give_back(counts)
        raise
    return len(counts)


def add_counts(session: Session, counts: dict[str, int]) -> None:
    """Add counts to the stored ones (one upsert per code, on both databases)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    for key, n in sorted(counts.items()):
        stmt = insert(TraceLookup).values(key=key[:300], count=int(n), last_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[TraceLookup.key],
            set_={"count": TraceLookup.count + stmt.excluded.count, "last_at": now},
        )
        session.execute(stmt)


def store_counts(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Job ``trace.lookups``: add a process's look-up counts to the stored ones."""
    counts = {str(k): int(v) for k, v in dict(params.get("counts", {})).items()}
    with ctx.session() as session:
        add_counts(session, counts)
    return {"summary": _("Look-ups of %(n)s codes counted.", n=len(counts))}


def count(session: Session, key: str) -> int:
    """Look-ups of ``key`` so far: the stored count and this process's pending ones."""
    stored = session.scalar(select(TraceLookup.count).where(TraceLookup.key == key)) or 0
    return int(stored) + COUNTER.pending(key)
