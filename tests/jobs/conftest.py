from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from plateau.jobs import kinds
from plateau.jobs.models import Job

TEST_KINDS = {
    "test.count_users": "tests.jobs.handlers:count_users",
    "test.refuse": "tests.jobs.handlers:refuse",
    "test.crash": "tests.jobs.handlers:crash",
    "test.flaky": "tests.jobs.handlers:flaky",
    "test.wait_for_cancel": "tests.jobs.handlers:wait_for_cancel",
}


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind, target in TEST_KINDS.items():
        monkeypatch.setitem(kinds.KINDS, kind, target)


@pytest.fixture
def no_other_jobs(session: Session) -> None:
    # Jobs committed by other tests' commands (a CLI import queues a dashboard warm-up) would
    # be claimed first; the test's own transaction is rolled back, so this removes nothing.
    session.execute(delete(Job))
    session.commit()
