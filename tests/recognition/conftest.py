"""Recognition tests create many users; hash their one shared password once."""

from __future__ import annotations

import pytest

from plateau.auth import service as auth_service
from tests.builders import PASSWORD

_HASH = auth_service.hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def _fast_password_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2 is slow on purpose; every test user here has the same password anyway.
    monkeypatch.setattr(auth_service, "hash_password", lambda _password: _HASH)
