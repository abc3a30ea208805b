"""Schemathesis over our own OpenAPI: no generated input may produce a server error.

Every operation of ``create_app().openapi()`` is called with inputs that Hypothesis
derives from its schema (valid ones and the negative space around them), once as a
region admin, so the handlers behind the auth check really run, and once without
credentials. The only check is ``not_a_server_error``: a 4xx answer to garbage is the
contract, a 5xx is a bug. ``derandomize`` keeps CI reproducible; the example budget
keeps the file to a couple of minutes per backend.

Schemathesis' own pytest integration (``from_fixture`` / ``parametrize``) does not run
under pytest 9 (it reads ``Function._nodeid``), so the operations are parametrized here
and each one drives Hypothesis itself with the operation's strategies.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import Role
from plateau.settings import Settings
from plateau.web.app import create_app
from tests.builders import bearer, make_token, make_user

# Examples per operation as the admin (valid and invalid inputs) and without credentials.
MAX_EXAMPLES = 6
ANONYMOUS_EXAMPLES = 2
LOOPBACK = ["127.0.0.1", "localhost"]


@cache
def _openapi() -> dict[str, Any]:
    app = create_app(Settings(secret_key="fuzz", database_url="sqlite://", job_workers=0))
    return app.openapi()


def _operations() -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in _openapi()["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch", "options")
    ]


def _schema(app: Any) -> Any:
    # A fresh schema per test: its operations keep the transport of the first app they
    # called, which belongs to an earlier test's (closed) transaction.
    schema = schemathesis.openapi.from_dict(_openapi())
    schema.app = app
    return schema


def _fuzz(app: Any, method: str, path: str, headers: dict[str, str] | None) -> None:
    schema = _schema(app)
    operation = schema[path][method]
    if headers is None:
        # Without credentials every handler stops at its auth check: a few valid inputs
        # show that the check itself never fails.
        strategy = operation.as_strategy(GenerationMode.POSITIVE)
        examples = ANONYMOUS_EXAMPLES
    else:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
        examples = MAX_EXAMPLES

    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        # A generous timeout: a slow answer on a loaded CI machine is not a server error.
        response = case.call(headers=headers, timeout=120)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)

    run()


@pytest.fixture
def fuzz_app(settings: Settings, session_factory: sessionmaker[Session]) -> Any:
    # Subscriptions to a loopback webhook must pass the allow-list so their handler runs.
    settings.webhook_allowed_hosts = LOOPBACK
    return create_app(settings, session_factory=session_factory)


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda v: str(v))
def test_no_server_error_as_admin(
    fuzz_app: Any, session_factory: sessionmaker[Session], method: str, path: str
) -> None:
    with session_factory() as s:
        token = make_token(s, make_user(s, Role.REGION_ADMIN))
        s.commit()
    _fuzz(fuzz_app, method, path, bearer(token))


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda v: str(v))
def test_no_server_error_anonymous(fuzz_app: Any, method: str, path: str) -> None:
    _fuzz(fuzz_app, method, path, None)
