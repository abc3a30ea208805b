"""The demo world loaded once for a test module, inside a transaction rolled back at the end."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM, TokenCreate
from plateau.demo import service as demo_service
from plateau.settings import Settings


@dataclass
class LoadedDemo:
    session: Session
    client: TestClient
    tokens: dict[str, str]


@contextmanager
def loaded_demo(
    engine: Engine, tmp: Path, *, today: date, users: Mapping[str, str] | None = None
) -> Iterator[LoadedDemo]:
    """Load the demo as of ``today``; API tokens for ``users`` (key -> demo username)."""
    conn = engine.connect()
    trans = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        with pytest.MonkeyPatch.context() as mp:
            # The demo hashes a password per account; the cheapest argon2 keeps this quick.
            mp.setattr(
                auth_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
            )
            demo_service.load_demo(
                session, actor=SYSTEM, today=today, credentials_file=tmp / "creds.txt"
            )
        tokens = {
            who: auth_service.create_token(
                session, username=name, data=TokenCreate(name="t"), actor=SYSTEM
            )[1]
            for who, name in (users or {"admin": "admin"}).items()
        }
        session.commit()
        factory = sessionmaker(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        from plateau.web.app import create_app

        settings = Settings(
            var_dir=tmp, secret_key="test-secret", database_url="sqlite://", job_workers=0
        )
        app = create_app(settings, session_factory=factory)
        with TestClient(app, base_url="http://testserver") as client:
            yield LoadedDemo(session, client, tokens)
    finally:
        session.close()
        trans.rollback()
        conn.close()
