"""Computed indicator tables kept in memory, keyed by the data version (docs/decisions/0004),
and stored in the database by the dashboard warm-up job so that every web process finds them.

A table is looked up by everything it was computed from: the database, the data version
``aggregates.sync`` returns (a fresh random token at every change, so a table computed in a
transaction that was rolled back is never found again), the as-of month, the months asked
for, the enterprises shown and the reference scopes. Tables are shared by every caller —
aggregates do not depend on who looks — and must not be changed by them.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Hashable
from contextvars import ContextVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from plateau.caching import LruCache
from plateau.monitoring.analytics.engine import IndicatorTable
from plateau.monitoring.analytics.models import AnalyticsTableCache

SIZE = 16


class TableCache(LruCache[IndicatorTable]):
    """A small least-recently-used map of computed tables, safe across request threads."""

    def __init__(self, size: int = SIZE) -> None:
        super().__init__(size)

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], IndicatorTable]
    ) -> IndicatorTable:
        return self.get_or_build(key, compute)


TABLES = TableCache()


# Set by the warm-up job only: a table computed while it is True is also stored.
STORE: ContextVar[bool] = ContextVar("analytics_store_tables", default=False)


def digest(key: Hashable) -> str:
    """A stable name of a table's key across processes (its parts have stable reprs)."""
    return hashlib.sha256(repr(key).encode()).hexdigest()


def load_stored(session: Session, name: str) -> IndicatorTable | None:
    """The table the warm-up job stored under ``name``, if any."""
    payload = session.scalar(
        select(AnalyticsTableCache.payload).where(AnalyticsTableCache.digest == name)
    )
    if payload is None:
        return None
    table = pickle.loads(payload)
    return table if isinstance(table, IndicatorTable) else None


def store(session: Session, name: str, version: str, table: IndicatorTable) -> None:
    """Keep ``table`` for the other processes (the warm-up job's transaction)."""
    session.merge(
        AnalyticsTableCache(
            digest=name,
            version=version,
            payload=pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL),
        )
    )


def prune(session: Session, version: str) -> None:
    """Delete the stored tables of every other data version."""
    session.execute(delete(AnalyticsTableCache).where(AnalyticsTableCache.version != version))
