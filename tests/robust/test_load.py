"""The load benchmark's short version as a correctness test: no errors, nothing lost.

It runs the real server (two uvicorn workers) on the demo world and Locust's crowd for a
short while on each backend, and asserts on errors and on stored acknowledgements, never on
speed (docs/performance.md has the timed runs). The issue asks for one minute at 16 users;
the suite runs that minute on each backend;
``PLATEAU_LOAD_TEST_SECONDS`` shortens it for a quick local check.
"""

from __future__ import annotations

import os

import pytest
from bench import load

SECONDS = int(os.environ.get("PLATEAU_LOAD_TEST_SECONDS", "60"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sixteen_users_get_no_errors_and_every_acknowledged_write_is_stored(
    backend: str,
) -> None:
    result = load.run(backend, users=16, seconds=SECONDS, workers=2)
    assert result.requests > 0
    assert result.errors == {}
    assert result.failures == 0
    assert result.server_tracebacks == 0
    assert result.acknowledged["capture"] > 0
    assert result.missing == {"capture": 0, "import": 0}
