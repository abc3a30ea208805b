from __future__ import annotations

import pytest

from plateau.jobs import kinds

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
