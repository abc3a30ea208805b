"""Fixtures of the demo tests: one generated world, shared (generation is deterministic)."""

from __future__ import annotations

from datetime import date

import pytest

from plateau.demo.generator import World, generate_world
from plateau.demo.reference import Reference, reference_from_package

# A fixed "today" so the history (and every assertion on it) never moves.
TODAY = date(2026, 3, 10)
LAST_MONTH = date(2026, 2, 1)


@pytest.fixture(scope="session")
def reference() -> Reference:
    return reference_from_package()


@pytest.fixture(scope="session")
def world(reference: Reference) -> World:
    return generate_world(reference, seed=2023, today=TODAY)
