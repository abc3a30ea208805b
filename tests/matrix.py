"""A role × route matrix shared by the domains' access tests: each case is one route with the
roles allowed to use it; every other role must be refused (401/403/404, or for the public the
login page) without the world's secret in the answer. Each request runs in a savepoint rolled
back afterwards, so one role's write does not change what the next role meets."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Connection


@dataclass
class Case:
    method: str
    route: str
    allowed: set[str]
    json: Callable[[dict[str, Any]], Any] | None = None
    form: Callable[[dict[str, Any]], dict[str, str]] | None = None
    file: tuple[str, bytes, str] | None = None
    # Roles that may read the secret in this answer (default: the allowed ones).
    sees_secret: set[str] | None = None
    # This route's own secret (a key of the world), instead of the run's.
    secret: str | None = None
    # Roles the service would allow but the route cannot serve now (409/422 with a message):
    # the stage is past, the form is empty on purpose, or, e.g., the
    # administrator on a form that has no field to name the enterprise.
    unprocessable: set[str] = field(default_factory=set)


def declared_routes(module: str, prefix: str = "") -> set[tuple[str, str]]:
    """The (method, path) of every route a module's router declares, served under ``prefix``."""
    router = importlib.import_module(module).router
    return {
        (method, prefix + route.path)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def run_matrix(
    client: TestClient,
    connection: Connection,
    cases: list[Case],
    world: dict[str, Any],
    roles: tuple[str, ...],
    *,
    secret: str,
) -> list[tuple[str, str, str, int]]:
    """Send every case as every role; return what answered wrongly."""
    failures = []
    for case in cases:
        path = case.route.format(**world)
        for role in roles:
            savepoint = connection.begin_nested()
            try:
                kwargs: dict[str, Any] = {"headers": world["headers"][role]}
                if case.json:
                    kwargs["json"] = case.json(world)
                if case.form:
                    kwargs["data"] = case.form(world)
                if case.file:
                    kwargs["files"] = {"file": case.file}
                resp = client.request(case.method, path, follow_redirects=False, **kwargs)
            finally:
                savepoint.rollback()
            body = resp.content.decode("utf-8", "replace")
            readers = case.allowed if case.sees_secret is None else case.sees_secret
            hidden = world[case.secret] if case.secret else secret
            leaked = bool(hidden) and hidden in body and role not in readers
            if role in case.allowed:
                good = 200 <= resp.status_code < 300 or resp.status_code == 303
            else:
                to_login = resp.status_code == 303 and resp.headers.get("location", "").startswith(
                    "/login"
                )
                good = resp.status_code in (401, 403, 404) or (role == "public" and to_login)
                good = good or (role in case.unprocessable and resp.status_code in (409, 422))
            if leaked or not good:
                failures.append((case.method, case.route, role, resp.status_code))
    return failures
