"""Policy fixtures: fast password hashing for the tests that create a user per role."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from plateau.auth import service as auth_service


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Production argon2 parameters cost ~0.3 s per hash; the access tests create many users.
    monkeypatch.setattr(
        auth_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
