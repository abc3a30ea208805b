"""The consumer page counts look-ups without writing on the GET: in memory first, then a
``trace.lookups`` job adds them to the stored count."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from plateau.jobs import service as jobs_service
from plateau.jobs.models import Job
from plateau.trace.lineage import lookups
from plateau.trace.lineage.lookups import TraceLookup
from tests.registry.builders import make_enterprise, make_product


@pytest.fixture(autouse=True)
def _fresh_counter() -> None:
    lookups.COUNTER.take()


def _shown(html: str) -> int:
    found = re.search(r'data-lookups="(\d+)"', html)
    assert found, "no look-up count on the page"
    return int(found.group(1))


def test_look_ups_are_counted_without_a_write_then_stored_by_a_job(
    client: TestClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    ent = make_enterprise(session, n=931, name="净土青稞酒业有限公司")
    code = make_product(session, ent, n=93101, name="青稞酒 500ml").gtin.zfill(14)
    session.commit()
    jobs_before = session.scalar(select(func.count()).select_from(Job))
    path = f"/01/{code}/10/L2026A"
    assert _shown(client.get(path).text) == 1
    assert _shown(client.get(path).text) == 2
    # Nothing written by the GETs: no stored count, no job.
    assert session.scalar(select(func.count()).select_from(TraceLookup)) == 0
    assert session.scalar(select(func.count()).select_from(Job)) == jobs_before
    # Another lot is another code (GS1 lot numbers are case-sensitive).
    assert _shown(client.get(f"/01/{code}/10/l2026a").text) == 1

    assert lookups.flush(session_factory) == 2
    assert jobs_service.run_pending(session_factory, kind="trace.lookups") == 1
    session.expire_all()
    stored = {r.key: r.count for r in session.scalars(select(TraceLookup))}
    assert sorted(stored.values()) == [1, 2]
    # The stored count and this process's new look-ups add up.
    assert _shown(client.get(path).text) == 3
    lookups.flush(session_factory)
    jobs_service.run_pending(session_factory, kind="trace.lookups")
    session.expire_all()
    assert max(r.count for r in session.scalars(select(TraceLookup))) == 3


def test_a_failed_hand_over_keeps_the_counts(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "https://id.gs1.org/01/06900000000001/10/X"
    lookups.record(key)

    def refuse(*_a: object, **_k: object) -> None:
        raise RuntimeError("database away")

    monkeypatch.setattr(jobs_service, "submit", refuse)
    with pytest.raises(RuntimeError):
        lookups.flush(session_factory)
    assert lookups.COUNTER.pending(key) == 1
