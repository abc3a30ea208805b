"""After a write renews the data version, a warm-up job recomputes the dashboards' tables,
so the next dashboard request is served from the cache instead of recomputing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import SYSTEM
from plateau.jobs import service as jobs_service
from plateau.monitoring.analytics import aggregates, cache, engine
from plateau.monitoring.analytics import service as analytics_service
from plateau.monitoring.analytics.models import AnalyticsTableCache
from tests.builders import Users
from tests.monitoring.analytics.test_aggregates import A, history
from tests.monitoring.builders import approved
from tests.monitoring.conftest import World

__all__ = ["history"]  # the fixture, found by pytest as a module attribute


def _waiting(session: Session) -> int:
    found = jobs_service.list_jobs(session, actor=SYSTEM, kind="analytics.warmup", state="queued")
    return found.total


def test_the_dashboard_after_an_approval_and_its_warm_up_is_served_from_the_cache(
    session: Session,
    session_factory: sessionmaker[Session],
    history: World,
    users: Users,
    client: TestClient,
) -> None:
    headers = users.headers["region_admin"]
    jobs_service.run_pending(session_factory)  # the warm-up the history's load queued

    approved(session, history.a, "2025-11", **A)
    session.commit()
    assert _waiting(session) == 1
    misses = cache.TABLES.misses
    assert jobs_service.run_pending(session_factory) == 1
    assert cache.TABLES.misses > misses  # the job did the recomputation
    [job] = jobs_service.list_jobs(session, actor=SYSTEM, kind="analytics.warmup").items[:1]
    assert job.state == "succeeded"

    hits, misses = cache.TABLES.hits, cache.TABLES.misses
    page = client.get("/monitoring/dashboard", headers=headers)
    assert page.status_code == 200 and "2025-11" in page.text  # the approval shows
    assert cache.TABLES.misses == misses and cache.TABLES.hits > hits


def test_without_the_warm_up_the_request_recomputes(
    session: Session,
    session_factory: sessionmaker[Session],
    history: World,
    users: Users,
    client: TestClient,
) -> None:
    jobs_service.run_pending(session_factory)
    approved(session, history.a, "2025-11", **A)
    session.commit()
    misses = cache.TABLES.misses
    page = client.get("/monitoring/dashboard", headers=users.headers["region_admin"])
    assert page.status_code == 200 and "2025-11" in page.text
    assert cache.TABLES.misses > misses


def test_writes_queue_one_warm_up_at_a_time(
    session: Session, session_factory: sessionmaker[Session], history: World
) -> None:
    jobs_service.run_pending(session_factory)
    assert _waiting(session) == 0
    approved(session, history.a, "2025-11", **A)
    session.commit()
    approved(session, history.b, "2025-11", **A)
    session.commit()
    assert _waiting(session) == 1
    jobs_service.run_pending(session_factory)
    # A read renews nothing and queues nothing.
    analytics_service.dashboard(session, actor=SYSTEM)
    session.commit()
    assert _waiting(session) == 0


def test_another_process_reads_the_tables_the_warm_up_stored(
    session: Session,
    session_factory: sessionmaker[Session],
    history: World,
    users: Users,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    approved(session, history.a, "2025-11", **A)
    session.commit()
    assert jobs_service.run_pending(session_factory) >= 1  # the warm-up stores its tables
    stored = session.scalars(select(AnalyticsTableCache.version)).all()
    assert stored and set(stored) == {aggregates.sync(session)}
    session.rollback()

    # A web process that never computed anything: its memory is empty, and computing is
    # not what it does any more.
    cache.TABLES.clear()

    def not_again(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the dashboard recomputed a table the warm-up had stored")

    monkeypatch.setattr(engine, "compute", not_again)
    page = client.get("/monitoring/dashboard", headers=users.headers["region_admin"])
    assert page.status_code == 200 and "2025-11" in page.text


def test_a_new_warm_up_drops_the_tables_of_older_data(
    session: Session, session_factory: sessionmaker[Session], history: World
) -> None:
    jobs_service.run_pending(session_factory)
    first = set(session.scalars(select(AnalyticsTableCache.version)))
    approved(session, history.a, "2025-11", **A)
    session.commit()
    jobs_service.run_pending(session_factory)
    second = set(session.scalars(select(AnalyticsTableCache.version)))
    assert first and second and first.isdisjoint(second) and len(second) == 1
