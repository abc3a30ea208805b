"""Fixtures of the indicator tests."""

from __future__ import annotations

from typing import cast

import pytest
from sqlalchemy import Engine, Table

from plateau.db import Base
from plateau.monitoring.analytics.models import TargetShare

_prepared: set[int] = set()


def prepare_engine(engine: Engine) -> None:
    """Create the analytics tables if the migrations do not yet (once per engine)."""
    if id(engine) in _prepared:
        return
    Base.metadata.create_all(engine, tables=[cast(Table, TargetShare.__table__)], checkfirst=True)
    _prepared.add(id(engine))


@pytest.fixture(autouse=True)
def _analytics_tables(request: pytest.FixtureRequest) -> None:
    if "engine" in request.fixturenames:
        prepare_engine(request.getfixturevalue("engine"))
