"""A token's use is recorded coarsely, outside the request's transaction (issue #8, 2)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.models import ApiToken
from plateau.auth.schemas import Role
from plateau.db import utcnow
from tests.builders import make_token
from tests.trace.epcis.test_capture_builders import make_user


def test_resolving_a_token_writes_nothing_and_asks_for_one_stamp_per_period(
    session: Session,
) -> None:
    token = make_token(session, make_user(session, Role.ANALYST))
    row = session.scalars(select(ApiToken)).one()
    session.flush()
    auth_service.actor_from_token(session, token=token)
    assert not session.dirty and row.last_used_at is None
    assert session.info.pop(auth_service.PENDING_TOKEN_USE) == row.id
    assert auth_service.record_token_use(session, token_id=row.id) is True
    session.refresh(row)
    assert row.last_used_at is not None
    # Within the period: no stamp asked for, and a stamp asked anyway changes nothing.
    auth_service.actor_from_token(session, token=token)
    assert auth_service.PENDING_TOKEN_USE not in session.info
    assert auth_service.record_token_use(session, token_id=row.id) is False
    # After the period, the next use is recorded again.
    row.last_used_at = utcnow() - auth_service.TOKEN_USE_RESOLUTION - timedelta(seconds=1)
    session.flush()
    auth_service.actor_from_token(session, token=token)
    assert session.info.pop(auth_service.PENDING_TOKEN_USE) == row.id
