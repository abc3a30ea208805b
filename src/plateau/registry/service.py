"""Registry services (placeholder until the registry lands)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def scope_exists(session: Session, *, scope: str) -> bool:
    """Tell whether a scope (prefecture:<code>, park:<id>, enterprise:<uscc>) names a record."""
    return False
