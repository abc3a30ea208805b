"""Builders shared by the EPCIS capture, query, round-trip and access tests.

Events are small JSON-LD dicts; documents wrap them; ``capture`` and ``events`` talk to the
real ``/epcis`` routes with a bearer token. GTINs and GLNs use GS1's example prefix 0614141
unless a test needs a product registered to an enterprise (``registered_gtin``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth import service as auth_service
from plateau.auth.models import User
from plateau.auth.schemas import Role
from plateau.registry.models import Enterprise
from plateau.settings import Settings
from plateau.trace.epcis import cbv
from tests import builders
from tests.builders import bearer, make_token
from tests.registry.builders import make_enterprise, make_product

CONTEXT = cbv.CONTEXT_URL
_serial = itertools.count(1000)


def sgtin(item: str = "107346", serial: str | int | None = None, gcp: str = "0614141") -> str:
    """Return an SGTIN EPC URI (a fresh serial unless one is given)."""
    return f"urn:epc:id:sgtin:{gcp}.{item}.{serial if serial is not None else next(_serial)}"


def sgln(location: str = "00777", extension: str = "0", gcp: str = "0614141") -> str:
    return f"urn:epc:id:sgln:{gcp}.{location}.{extension}"


def object_event(
    epcs: list[str] | None = None,
    *,
    biz_step: str | None = "shipping",
    disposition: str | None = "in_transit",
    action: str = "OBSERVE",
    time: str = "2024-05-01T10:00:00.000+08:00",
    read_point: str | None = None,
    biz_location: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return an ObjectEvent about ``epcs`` (one fresh SGTIN by default)."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": time,
        "eventTimeZoneOffset": time[-6:] if time[-6] in "+-" else "+00:00",
        "epcList": epcs if epcs is not None else [sgtin()],
        "action": action,
    }
    if biz_step:
        event["bizStep"] = biz_step
    if disposition:
        event["disposition"] = disposition
    if read_point:
        event["readPoint"] = {"id": read_point}
    if biz_location:
        event["bizLocation"] = {"id": biz_location}
    event.update(extra)
    return event


def document(*events: dict[str, Any], prefixes: dict[str, str] | None = None) -> dict[str, Any]:
    """Wrap events in an EPCISDocument."""
    context: Any = [CONTEXT, prefixes] if prefixes else CONTEXT
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-05-01T10:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def capture(client: TestClient, token: str, doc: dict[str, Any], **headers: str) -> Response:
    """POST a document to /epcis/capture."""
    return client.post(
        "/epcis/capture",
        json=doc,
        headers={**bearer(token), **{k.replace("_", "-"): v for k, v in headers.items()}},
    )


def captured(client: TestClient, token: str, *events: dict[str, Any]) -> dict[str, Any]:
    """Capture events and return the finished capture job (asserting success)."""
    resp = capture(client, token, document(*events))
    assert resp.status_code == 202, resp.text
    job = client.get(resp.headers["Location"], headers=bearer(token))
    assert job.status_code == 200, job.text
    body: dict[str, Any] = job.json()
    return body


def events(
    client: TestClient,
    token: str,
    path: str = "/epcis/events",
    headers: dict[str, str] | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    """Query events and return the event list of the first page."""
    resp = client.get(path, params=params, headers={**bearer(token), **(headers or {})})
    assert resp.status_code == 200, resp.text
    found: list[dict[str, Any]] = resp.json()["epcisBody"]["queryResults"]["resultsBody"][
        "eventList"
    ]
    return found


def ids(found: list[dict[str, Any]]) -> set[str]:
    return {e["eventID"] for e in found}


def registered_gtin(session: Session, enterprise: Enterprise, n: int) -> str:
    """Register a product of ``enterprise`` and return its GTIN-14."""
    return make_product(session, enterprise, n=n).gtin


def sgtin_of(gtin14: str, serial: str | int, gcp_length: int = 7) -> str:
    """Return the SGTIN EPC URI of a GTIN-14 and a serial."""
    gcp = gtin14[1 : 1 + gcp_length]
    item = gtin14[0] + gtin14[1 + gcp_length : 13]
    return f"urn:epc:id:sgtin:{gcp}.{item}.{serial}"


# --- fixtures -------------------------------------------------------------------------------
#
# The EPCIS tests make many small requests against a fresh database state each; a new
# application per test (FastAPI builds each route's dependencies on its first request) and
# an argon2 hash per user would cost more than the tests themselves. One application per
# module and backend is re-pointed at each test's session factory instead, and users get a
# fixed password hash (they authenticate with API tokens).

_UPLOAD_LIMIT = Settings().max_upload_bytes


@pytest.fixture(scope="module")
def epcis_app(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    from plateau.web.app import create_app

    settings = Settings(
        var_dir=Path(tmp_path_factory.mktemp("epcis")),
        secret_key="test-secret",
        database_url="sqlite://",
        job_workers=0,
    )
    app = create_app(settings, session_factory=sessionmaker())
    if not any(getattr(r, "path", "").startswith("/epcis") for r in app.routes):
        # Until web/routers.py mounts the binding, the tests mount it themselves.
        from plateau.trace.epcis import api as trace_api

        app.include_router(trace_api.epcis_router)
    return app


@pytest.fixture
def client(epcis_app: FastAPI, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """A client of the shared application, bound to this test's rolled-back transaction."""
    epcis_app.state.sessionmaker = session_factory
    epcis_app.state.settings.max_upload_bytes = _UPLOAD_LIMIT
    with TestClient(epcis_app, base_url="http://testserver") as c:
        yield c


_HASH = auth_service.hash_password("correct-horse-battery")


def make_user(session: Session, role: Role, scope: str | None = None) -> User:
    """Create a user quickly (the password hash is computed once per run)."""
    original = auth_service.hash_password
    auth_service.hash_password = lambda _password: _HASH  # type: ignore[assignment]
    try:
        return builders.make_user(session, role, scope)
    finally:
        auth_service.hash_password = original  # type: ignore[assignment]


def token_for(session: Session, role: Role, scope: str | None = None) -> str:
    """Create a user with ``role`` and ``scope`` and return an API token of theirs."""
    return make_token(session, make_user(session, role, scope))


@pytest.fixture
def admin_token(session: Session) -> str:
    return token_for(session, Role.REGION_ADMIN)


@pytest.fixture
def enterprise(session: Session) -> Enterprise:
    return make_enterprise(session, n=801, name="拉萨净土饮用水有限公司")


@pytest.fixture
def enterprise_token(session: Session, enterprise: Enterprise) -> str:
    return token_for(session, Role.ENTERPRISE_USER, f"enterprise:{enterprise.uscc}")


def test_sgtin_of_matches_the_registry_gtin() -> None:
    assert sgtin_of("06901230000017", 5) == "urn:epc:id:sgtin:6901230.000001.5"
