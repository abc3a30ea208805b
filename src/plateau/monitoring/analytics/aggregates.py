"""The engine's pre-aggregates, kept in step with the returns; the indicators' data version.

Two tables replace the engine's two passes over ``monthly_return`` (docs/decisions/0004):

- ``indicator_fact``: per enterprise-year, its counted months, element sums, cell and
  above-size flag (as ``engine.membership`` decides it for the latest month with data);
- ``indicator_cell_month``: per cell, month and above-size flag, the element sums.

``tracking`` records what a flush made stale in ``analytics_pending``; ``sync`` absorbs it —
before every commit of a session that wrote, and before every indicator read — by
recomputing the facts of the enterprises concerned and the cell-months of their cells (or
everything, after a bulk statement, a change of the catalog's settings or on first use), and
writes a fresh random ``version`` that cached indicator tables are keyed by.

Maintenance takes a row lock on ``analytics_state`` so that two transactions never rebuild
the same rows at once (PostgreSQL; SQLite has one writer anyway).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, delete, extract, false, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from plateau.db import utcnow
from plateau.monitoring.analytics import engine as engine_mod
from plateau.monitoring.analytics import facts as facts_repo
from plateau.monitoring.analytics import tracking
from plateau.monitoring.analytics.indicators import ELEMENTS, Catalog, catalog
from plateau.monitoring.analytics.models import (
    AnalyticsPending,
    AnalyticsState,
    IndicatorCellMonth,
    IndicatorFact,
)
from plateau.monitoring.models import MonthlyReturn
from plateau.registry.models import Enterprise

log = logging.getLogger(__name__)

STATE_ID = 1
# Above this many enterprises at once, one rebuild is cheaper than targeted refreshes.
REFRESH_LIMIT = 500


def fingerprint(cat: Catalog) -> str:
    """What the stored facts depend on in the catalog: a change means a rebuild."""
    basis = {
        "counted": list(cat.settings.counted_statuses),
        "threshold": cat.settings.above_size_revenue_cny,
        "programs": {k: p.model_dump(mode="json") for k, p in cat.programs.items()},
        "elements": list(cat.elements()),
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def mark_all(session: Session) -> None:
    """Declare every fact stale (after writes the session events cannot see)."""
    tracking.mark(session, [tracking.EVERYTHING])


# Set on a session whose transaction renewed the data version (cached tables went stale).
RENEWED = "analytics_version_renewed"


def sync_pending(session: Session) -> None:
    """Flush, and absorb the changes if this session wrote any (the before-commit hook).

    When that renews the data version, a dashboard warm-up job is queued in the same
    transaction (one waiting at most), so that the next dashboard is served from the cache
    instead of recomputing inside somebody's request.
    """
    session.flush()
    if session.info.get(tracking.MARKED):
        session.info.pop(RENEWED, None)
        sync(session)
        if session.info.pop(RENEWED, False):
            queue_warm_up(session)


def queue_warm_up(session: Session) -> None:
    """Queue the recomputation of the dashboards' cached tables (deduplicated)."""
    from plateau.auth.schemas import SYSTEM
    from plateau.jobs import service as jobs_service

    jobs_service.submit(
        session, kind="analytics.warmup", params={}, actor=SYSTEM, dedup_key="dashboards"
    )


def sync(session: Session) -> str:
    """Bring the pre-aggregates in step with the data; return the data version."""
    session.flush()
    session.info.pop(tracking.MARKED, None)
    cat = catalog()
    fp = fingerprint(cat)
    pending = session.execute(select(AnalyticsPending.id).limit(1)).first()
    state = session.execute(
        select(AnalyticsState.version, AnalyticsState.fingerprint).where(
            AnalyticsState.id == STATE_ID
        )
    ).first()
    if pending is None and state is not None and state.version and state.fingerprint == fp:
        return str(state.version)
    return _absorb(session, cat, fp)


def _lock(session: Session) -> tuple[str, str, date | None]:
    """Create the state row if missing, then lock it until the transaction ends."""
    dialect = session.get_bind().dialect.name
    values = {
        "id": STATE_ID,
        "version": "",
        "fingerprint": "",
        "latest": None,
        "updated_at": utcnow(),
    }
    if dialect == "postgresql":
        session.execute(postgresql.insert(AnalyticsState).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(AnalyticsState).values(**values).on_conflict_do_nothing())
    elif session.get(AnalyticsState, STATE_ID) is None:  # pragma: no cover - other databases
        session.execute(insert(AnalyticsState).values(**values))
    row = session.execute(
        select(AnalyticsState.version, AnalyticsState.fingerprint, AnalyticsState.latest)
        .where(AnalyticsState.id == STATE_ID)
        .with_for_update()
    ).one()
    return str(row.version), str(row.fingerprint), row.latest


def _absorb(session: Session, cat: Catalog, fp: str) -> str:
    version, stored_fp, stored_latest = _lock(session)
    # Read after the lock: what another transaction absorbed meanwhile is gone.
    pending = session.execute(select(AnalyticsPending.id, AnalyticsPending.enterprise_id)).all()
    ids = {int(e) for _i, e in pending}
    targets = ids - {tracking.VERSION_ONLY, tracking.EVERYTHING}
    latest = facts_repo.latest_month(session, catalog=cat)
    if not version or stored_fp != fp or tracking.EVERYTHING in ids or len(targets) > REFRESH_LIMIT:
        rebuild(session, cat, latest)
    elif targets or latest != stored_latest:
        _refresh(session, cat, targets, latest, stored_latest)
    if pending:
        session.execute(
            delete(AnalyticsPending).where(AnalyticsPending.id <= max(i for i, _e in pending))
        )
    version = uuid.uuid4().hex
    session.info[RENEWED] = True
    session.execute(
        update(AnalyticsState)
        .where(AnalyticsState.id == STATE_ID)
        .values(version=version, fingerprint=fp, latest=latest, updated_at=utcnow())
    )
    return version


def rebuild(session: Session, cat: Catalog, latest: date | None) -> None:
    """Recompute every fact and cell-month from the returns."""
    session.execute(delete(IndicatorCellMonth))
    session.execute(delete(IndicatorFact))
    if latest is None:
        return
    _insert_facts(session, cat, None)
    _set_flags(session, cat, None)
    _insert_cells(session, cat, None)


def _refresh(
    session: Session,
    cat: Catalog,
    targets: set[int],
    latest: date | None,
    stored_latest: date | None,
) -> None:
    """Recompute the facts of ``targets`` and the cell-months of every cell they touch."""
    cells: set[str] = set()
    if targets:
        cells |= _cells_of(session, targets)
        session.execute(
            delete(IndicatorFact).where(facts_repo.in_ids(IndicatorFact.enterprise_id, targets))
        )
        if latest is not None:
            _insert_facts(session, cat, targets)
            cells |= _cells_of(session, targets)
    if latest is not None:
        # A new latest month moves the year in progress: every flag is decided again.
        cells |= _set_flags(session, cat, None if latest != stored_latest else targets)
    if cells:
        _insert_cells(session, cat, cells)


def _cells_of(session: Session, enterprises: Collection[int]) -> set[str]:
    stmt = (
        select(IndicatorFact.cell)
        .where(facts_repo.in_ids(IndicatorFact.enterprise_id, enterprises))
        .distinct()
    )
    return set(session.scalars(stmt))


def _sums(cat: Catalog) -> list[str]:
    return list(cat.elements())


def _insert_facts(session: Session, cat: Catalog, only: Collection[int] | None) -> None:
    elements = _sums(cat)
    year = extract("year", MonthlyReturn.period)
    stmt = (
        select(
            Enterprise.id,
            year,
            facts_repo.cell_sql(cat),
            func.count(),
            false(),
            *(func.sum(getattr(MonthlyReturn, ELEMENTS[e])) for e in elements),
        )
        .join_from(MonthlyReturn, Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(MonthlyReturn.status.in_(cat.settings.counted_statuses))
        .group_by(Enterprise.id, year)
    )
    if only is not None:
        stmt = stmt.where(facts_repo.in_ids(MonthlyReturn.enterprise_id, only))
    columns = ["enterprise_id", "year", "cell", "months", "above_size", *elements]
    session.execute(insert(IndicatorFact).from_select(columns, stmt))


def _set_flags(session: Session, cat: Catalog, only: Collection[int] | None) -> set[str]:
    """Decide the above-size flags (of ``only``, else all); return the cells that changed."""
    facts = facts_repo.load_facts(session, catalog=cat, stored=True, only=only)
    if facts.flags is None or not facts.annual:
        return set()
    periods = engine_mod.periods_for(facts)
    members = engine_mod.membership(facts, periods, cat.settings.above_size_revenue_cny)
    changed: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for (e, y), flag in facts.flags.items():
        now = e in members.get(y, ())
        if now != flag:
            changed[(y, now)].append(e)
    if not changed:
        return set()
    for (y, now), ids in sorted(changed.items()):
        session.execute(
            update(IndicatorFact)
            .where(IndicatorFact.year == y, facts_repo.in_ids(IndicatorFact.enterprise_id, ids))
            .values(above_size=now)
        )
    return _cells_of(session, {e for ids in changed.values() for e in ids})


def _insert_cells(session: Session, cat: Catalog, cells: Collection[str] | None) -> None:
    elements = _sums(cat)
    year = extract("year", MonthlyReturn.period)
    stmt = (
        select(
            IndicatorFact.cell,
            MonthlyReturn.period,
            IndicatorFact.above_size,
            *(func.sum(getattr(MonthlyReturn, ELEMENTS[e])) for e in elements),
        )
        .join_from(
            MonthlyReturn,
            IndicatorFact,
            and_(
                IndicatorFact.enterprise_id == MonthlyReturn.enterprise_id,
                IndicatorFact.year == year,
            ),
        )
        .where(MonthlyReturn.status.in_(cat.settings.counted_statuses))
        .group_by(IndicatorFact.cell, MonthlyReturn.period, IndicatorFact.above_size)
    )
    if cells is not None:
        wanted = sorted(cells)
        session.execute(delete(IndicatorCellMonth).where(IndicatorCellMonth.cell.in_(wanted)))
        stmt = stmt.where(IndicatorFact.cell.in_(wanted))
    columns = ["cell", "period", "above_size", *elements]
    session.execute(insert(IndicatorCellMonth).from_select(columns, stmt))
