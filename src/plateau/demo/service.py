"""The synthetic demo world (placeholder until the generator lands)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from plateau.demo.models import DemoRun


def is_demo_loaded(factory: sessionmaker[Session]) -> bool:
    """Tell whether the database holds the synthetic demo dataset."""
    with factory() as session:
        return session.scalar(select(DemoRun.id).limit(1)) is not None
