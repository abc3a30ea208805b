"""Input the database cannot hold is the caller's error (4xx), never a server error: found
by tests/web/test_openapi_fuzz.py, pinned here."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import bearer, make_token, make_user


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    token = make_token(session, make_user(session, Role.REGION_ADMIN))
    session.commit()
    return bearer(token)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/tokens/2147483648"),
        ("DELETE", "/api/registry/brands/2147483648"),
        ("DELETE", "/api/registry/certifications/2147483648"),
        ("GET", "/api/registry/projects/2147483648"),
        ("DELETE", "/api/registry/projects/2147483648"),
        ("DELETE", "/api/monitoring/analytics/decomposition/0/0/2147483648"),
        ("GET", "/api/registry/projects?enterprise=%00"),
        # Beyond 64 bits: SQLite's driver refuses them before the database does.
        ("DELETE", "/api/registry/brands/9223372036854775808"),
        ("GET", "/api/registry/projects/9223372036854775808"),
        ("GET", "/api/registry/brands?format=json&page=184467440737095518"),
    ],
)
def test_numbers_beyond_the_integer_range_and_nul_characters_are_refused(
    client: TestClient, admin: dict[str, str], method: str, path: str
) -> None:
    resp = client.request(method, path, headers=admin)
    assert resp.status_code < 500, resp.text
    if resp.status_code == 422:
        body = resp.json()
        assert body["title"] == "validation_failed" and "无法保存" in body["detail"]
    # The request's transaction was rolled back cleanly: the next one works.
    assert client.get("/api/me", headers=admin).status_code == 200


def test_a_problem_echoing_a_decimal_value_is_rendered(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = [
        {
            "period": "",
            "uscc": "",
            "comment": None,
            "explanations": {},
            "submit": False,
            "values": {"": 0.0},
        }
    ]
    resp = client.post("/api/monitoring/returns", json=body, headers=admin)
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["errors"]
