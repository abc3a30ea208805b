"""Notice, at flush time, every change that moves an indicator (registered on import).

Session events record which enterprises' facts a flush made stale, as rows of
``analytics_pending`` written on the flush's own connection (so any session sharing the
transaction sees them); ``aggregates.sync`` absorbs them before the transaction commits and
before any indicator is read. See docs/decisions/0004.

What is noticed: monthly returns entering or leaving the counted statuses, or changing a
counted figure; enterprises (their cell, name, existence); registry statuses; region inputs;
and any bulk INSERT/UPDATE/DELETE run through a Session on those tables. Writes on a bare
``Connection`` are not seen: call ``aggregates.mark_all`` after them.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from plateau.monitoring.analytics.indicators import ELEMENTS, catalog
from plateau.monitoring.analytics.models import AnalyticsPending
from plateau.monitoring.models import MonthlyReturn, RegionInput
from plateau.registry.models import Enterprise, EnterpriseStatus

MARKED = "plateau.analytics.marked"
VERSION_ONLY = 0  # the indicators changed, no enterprise's facts did
EVERYTHING = -1  # recompute every fact
RETURN_FIGURES = frozenset({"period", "enterprise_id", *ELEMENTS.values()})
CELL_COLUMNS = frozenset({"industry_id", "prefecture_code", "park_id", "gbt4754"})
# Tables whose bulk statements make every fact stale; region inputs only change the version.
BULK_FACTS = frozenset({"monthly_return", "enterprise", "enterprise_status"})
BULK_VERSION = frozenset({"region_input"})


def mark(session: Session, enterprise_ids: Iterable[int]) -> None:
    """Record that these enterprises' facts (or, with 0 / -1, the version / all) are stale."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    session.connection().execute(insert(AnalyticsPending), [{"enterprise_id": i} for i in ids])
    session.info[MARKED] = True


def _changed(obj: Any, keys: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[k].history.has_changes() for k in keys)


def _old(obj: Any, key: str) -> Any:
    history = inspect(obj).attrs[key].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return None


def _return_moves(ret: MonthlyReturn, *, new: bool, deleted: bool) -> bool:
    """Whether a change of this return can move an indicator."""
    counted = catalog().settings.counted_statuses
    if new or deleted:
        return ret.status in counted
    status_now = ret.status in counted
    if _changed(ret, ("status",)):
        before = _old(ret, "status")
        # An unknown previous status (never loaded) is taken as a move, to be safe.
        if before is None or (before in counted) != status_now:
            return True
    return _changed(ret, RETURN_FIGURES) and (status_now or _old(ret, "status") in counted)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    ids: set[int] = set()
    new, deleted = session.new, session.deleted
    for obj in chain(new, session.dirty, deleted):
        if isinstance(obj, MonthlyReturn):
            if _return_moves(obj, new=obj in new, deleted=obj in deleted):
                ids.add(obj.enterprise_id)
        elif isinstance(obj, Enterprise):
            if obj in deleted or (obj not in new and _changed(obj, CELL_COLUMNS)):
                ids.add(obj.id)
            elif obj in new or session.is_modified(obj):
                ids.add(VERSION_ONLY)
        elif isinstance(obj, EnterpriseStatus):
            ids.add(obj.enterprise_id)
        elif isinstance(obj, RegionInput):
            ids.add(VERSION_ONLY)
    if ids:
        mark(session, ids)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in BULK_FACTS:
        mark(state.session, [EVERYTHING])
    elif table in BULK_VERSION:
        mark(state.session, [VERSION_ONLY])


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.info.get(MARKED) or session.new or session.dirty or session.deleted:
        from plateau.monitoring.analytics import aggregates

        aggregates.sync_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(MARKED, None)
