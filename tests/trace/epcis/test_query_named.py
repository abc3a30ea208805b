"""Named queries and webhook subscriptions (streamed on capture, or on a schedule).

The subscriber is a real HTTP server on 127.0.0.1 started by the test; it checks the
GS1-Signature header the way a client would, with the secret it gave.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from plateau.db import utcnow
from plateau.jobs import service as jobs_service
from plateau.jobs.models import Job
from plateau.trace.epcis import service, subscriptions
from tests.builders import bearer
from tests.trace.epcis import test_capture_builders as shared
from tests.trace.epcis.test_capture_builders import (
    capture,
    document,
    object_event,
    sgtin,
)

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
admin_token, client, enterprise, enterprise_token, epcis_app = (
    shared.admin_token,
    shared.client,
    shared.enterprise,
    shared.enterprise_token,
    shared.epcis_app,
)

SECRET = "13df38d8275b13f05704629e5f1cf3d45d6132d5"
QUERY = {"eventType": ["ObjectEvent"], "EQ_bizStep": ["shipping", "receiving"]}


class Hook:
    """A webhook receiver on a free loopback port that records what it is sent."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hook.received.append((dict(self.headers.items()), body))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/callback"

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    try:
        yield receiver
    finally:
        receiver.close()


def _create(client: TestClient, token: str, name: str = "shipments", query: Any = None) -> Any:
    # Webhooks go only to allowed hosts: the loopback receiver and the example client.
    client.app.state.settings.webhook_allowed_hosts = ["127.0.0.1", "client.example.com"]  # type: ignore[attr-defined]
    return client.post(
        "/epcis/queries", json={"name": name, "query": query or QUERY}, headers=bearer(token)
    )


def _event_ids(doc: dict[str, Any]) -> list[str]:
    return [e["eventID"] for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def test_named_queries_are_created_listed_run_and_deleted(
    client: TestClient, enterprise_token: str
) -> None:
    resp = _create(client, enterprise_token)
    assert resp.status_code == 201, resp.text
    assert resp.headers["Location"] == "/epcis/queries/shipments"
    assert resp.json() == {"name": "shipments", "query": QUERY}
    listed = client.get("/epcis/queries", headers=bearer(enterprise_token)).json()
    assert listed == [{"name": "shipments", "query": QUERY}]
    shipped = object_event(
        biz_step="shipping", eventID="urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"
    )
    captured = capture(
        client, enterprise_token, document(shipped, object_event(biz_step="packing"))
    )
    assert captured.status_code == 202
    results = client.get("/epcis/queries/shipments/events", headers=bearer(enterprise_token))
    assert results.status_code == 200
    doc = results.json()
    assert doc["epcisBody"]["queryResults"]["queryName"] == "shipments"
    assert _event_ids(doc) == [shipped["eventID"]]
    again = _create(client, enterprise_token)
    assert again.status_code == 409
    assert again.json()["type"] == "epcisException:ResourceAlreadyExistsException"
    extra = client.get(
        "/epcis/queries/shipments/events",
        params={"EQ_action": "ADD"},
        headers=bearer(enterprise_token),
    )
    assert extra.status_code == 400
    gone = client.delete("/epcis/queries/shipments", headers=bearer(enterprise_token))
    assert gone.status_code == 204
    assert (
        client.get("/epcis/queries/shipments", headers=bearer(enterprise_token)).status_code == 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": "bad", "query": {"EQ_bizStep": "shipping"}},  # must be a list
        {"name": "bad", "query": {"EQ_colour": ["red"]}},
        {"name": "bad", "query": {"EQ_bizStep": ["shippping"]}},
        {"name": "bad", "query": {"eventCountLimit": 3}},  # needs orderBy
        {"name": "bad name!", "query": {}},
        {"name": "bad"},
    ],
)
def test_invalid_named_queries_are_refused(
    client: TestClient, enterprise_token: str, body: dict[str, Any]
) -> None:
    resp = client.post("/epcis/queries", json=body, headers=bearer(enterprise_token))
    assert resp.status_code == 400, resp.text
    assert resp.json()["type"] in (
        "epcisException:QueryValidationException",
        "epcisException:QueryParameterException",
    )


def test_a_named_query_is_its_owners(
    client: TestClient, enterprise_token: str, admin_token: str, session: Session
) -> None:
    from plateau.auth.schemas import Role
    from tests.registry.builders import make_enterprise
    from tests.trace.epcis.test_capture_builders import token_for

    other = make_enterprise(session, n=802)
    other_token = token_for(session, Role.ENTERPRISE_USER, f"enterprise:{other.uscc}")
    assert _create(client, enterprise_token).status_code == 201
    assert client.get("/epcis/queries", headers=bearer(other_token)).json() == []
    assert client.get("/epcis/queries/shipments", headers=bearer(other_token)).status_code == 404
    assert client.delete("/epcis/queries/shipments", headers=bearer(other_token)).status_code == 404
    # the administrator sees every query
    assert client.get("/epcis/queries/shipments", headers=bearer(admin_token)).status_code == 200


def test_streaming_subscription_posts_signed_results(
    client: TestClient,
    enterprise_token: str,
    hook: Hook,
    session_factory: sessionmaker[Session],
) -> None:
    assert _create(client, enterprise_token).status_code == 201
    # Captured before the subscription: not reported.
    capture(client, enterprise_token, document(object_event(biz_step="shipping")))
    resp = client.post(
        "/epcis/queries/shipments/subscriptions",
        json={"dest": hook.url, "signatureToken": SECRET, "stream": True},
        headers={**bearer(enterprise_token), "GS1-EPC-Format": "Always_EPC_URN"},
    )
    assert resp.status_code == 201, resp.text
    sub = resp.json()
    assert (
        resp.headers["Location"]
        == f"/epcis/queries/shipments/subscriptions/{sub['subscriptionID']}"
    )
    assert sub["stream"] is True and sub["dest"] == hook.url and sub["signed"] is True
    assert "signatureToken" not in sub and SECRET not in resp.text
    assert hook.received == []

    item = sgtin(serial="stream-1")
    shipped = object_event([item], biz_step="shipping")
    capture(client, enterprise_token, document(shipped, object_event(biz_step="packing")))
    # The capture queued the delivery; a worker sends it.
    assert hook.received == []
    assert jobs_service.run_pending(session_factory, kind="trace.webhook") == 1
    assert len(hook.received) == 1
    headers, body = hook.received[0]
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["GS1-Signature"] == expected
    doc = json.loads(body)
    assert doc["type"] == "EPCISQueryDocument"
    results = doc["epcisBody"]["queryResults"]
    assert results["subscriptionID"] == sub["subscriptionID"]
    assert results["queryName"] == "shipments"
    [event] = results["resultsBody"]["eventList"]
    assert event["epcList"] == [item]  # as the subscriber asked: EPC URNs

    # Nothing matches: nothing is sent.
    capture(client, enterprise_token, document(object_event(biz_step="packing")))
    jobs_service.run_pending(session_factory)
    assert len(hook.received) == 1

    listed = client.get("/epcis/queries/shipments/subscriptions", headers=bearer(enterprise_token))
    assert [s["subscriptionID"] for s in listed.json()] == [sub["subscriptionID"]]
    assert listed.json()[0]["lastNotifiedAt"]
    url = f"/epcis/queries/shipments/subscriptions/{sub['subscriptionID']}"
    assert client.get(url, headers=bearer(enterprise_token)).status_code == 200
    assert client.delete(url, headers=bearer(enterprise_token)).status_code == 204
    capture(client, enterprise_token, document(object_event(biz_step="shipping")))
    assert jobs_service.run_pending(session_factory, kind="trace.webhook") == 0
    assert len(hook.received) == 1


def test_a_failed_delivery_is_retried_by_its_job_and_the_attempts_recorded(
    client: TestClient,
    enterprise_token: str,
    hook: Hook,
    session_factory: sessionmaker[Session],
) -> None:
    assert _create(client, enterprise_token).status_code == 201
    client.post(
        "/epcis/queries/shipments/subscriptions",
        json={"dest": hook.url, "stream": True},
        headers=bearer(enterprise_token),
    )
    hook.status = 503
    first = object_event(biz_step="shipping")
    capture(client, enterprise_token, document(first))
    jobs_service.run_pending(session_factory)
    assert len(hook.received) == 1 and "GS1-Signature" not in hook.received[0][0]
    [job] = client.get("/api/jobs", headers=bearer(enterprise_token)).json()["items"]
    assert (job["kind"], job["state"], job["attempts"]) == ("trace.webhook", "queued", 1)
    assert "HTTP 503" in job["error"]

    hook.status = 200
    second = object_event(biz_step="receiving")
    capture(client, enterprise_token, document(second))
    # The waiting retry carries the new event too; it is not due before its back-off.
    assert jobs_service.run_pending(session_factory, kind="trace.webhook") == 0
    with session_factory() as s:
        s.execute(update(Job).where(Job.id == job["id"]).values(run_after=utcnow()))
        s.commit()
    assert jobs_service.run_pending(session_factory, kind="trace.webhook") == 1
    assert len(hook.received) == 2
    assert len(_event_ids(hook.documents()[1])) == 2  # the missed event came again
    done = client.get(f"/api/jobs/{job['id']}", headers=bearer(enterprise_token)).json()
    assert (done["state"], done["attempts"]) == ("succeeded", 2)

    capture(client, enterprise_token, document(object_event(biz_step="shipping")))
    jobs_service.run_pending(session_factory)
    assert len(_event_ids(hook.documents()[2])) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"dest": "https://client.example.com/cb"},  # neither stream nor schedule
        {"dest": "https://client.example.com/cb", "stream": True, "schedule": {"minute": "5"}},
        {"dest": "ftp://client.example.com/cb", "stream": True},
        {"dest": "https://client.example.com/cb", "schedule": {"minute": "61"}},
        {"dest": "https://client.example.com/cb", "schedule": {"hour": "[5-2]"}},
        {"dest": "https://client.example.com/cb", "stream": True, "colour": "red"},
    ],
)
def test_invalid_subscriptions_are_subscription_controls_exceptions(
    client: TestClient, enterprise_token: str, body: dict[str, Any]
) -> None:
    assert _create(client, enterprise_token).status_code == 201
    resp = client.post(
        "/epcis/queries/shipments/subscriptions", json=body, headers=bearer(enterprise_token)
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["type"] == "epcisException:SubscriptionControlsException"


def test_subscribing_to_an_unknown_query_is_404(client: TestClient, enterprise_token: str) -> None:
    resp = client.post(
        "/epcis/queries/nothing/subscriptions",
        json={"dest": "https://client.example.com/cb", "stream": True},
        headers=bearer(enterprise_token),
    )
    assert resp.status_code == 404


def test_scheduled_subscription_reports_when_its_schedule_fires(
    client: TestClient,
    enterprise_token: str,
    hook: Hook,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _create(client, enterprise_token).status_code == 201
    resp = client.post(
        "/epcis/queries/shipments/subscriptions",
        json={
            "dest": hook.url,
            "signatureToken": SECRET,
            "reportIfEmpty": True,
            "schedule": {"second": "0-59"},
        },
        headers=bearer(enterprise_token),
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["schedule"] == {"second": "0-59"}
    shipped = object_event(biz_step="shipping")
    capture(client, enterprise_token, document(shipped))
    assert hook.received == []  # not a streaming subscription
    later = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr(subscriptions, "utcnow", lambda: later.replace(year=later.year + 1))
    sent = service.run_schedules(session_factory)
    assert [r.ok for r in sent] == [True]
    assert len(_event_ids(hook.documents()[0])) == 1
    # Nothing new since: reportIfEmpty sends an empty result.
    monkeypatch.setattr(subscriptions, "utcnow", lambda: later.replace(year=later.year + 2))
    service.run_schedules(session_factory)
    assert _event_ids(hook.documents()[1]) == []


@pytest.mark.parametrize(
    ("schedule", "after", "until", "fires"),
    [
        # 01:05 China Standard Time is 17:05 UTC the day before.
        ({"hour": "1", "minute": "5"}, "2024-05-01T17:00:00Z", "2024-05-01T17:10:00Z", True),
        ({"hour": "1", "minute": "5"}, "2024-05-01T17:06:00Z", "2024-05-02T17:04:00Z", False),
        ({"minute": "[0-10]"}, "2024-05-01T10:30:00Z", "2024-05-01T11:00:30Z", True),
        ({"dayOfWeek": "7", "hour": "9"}, "2024-05-04T00:00:00Z", "2024-05-05T00:59:00Z", False),
        ({"dayOfWeek": "7", "hour": "9"}, "2024-05-04T00:00:00Z", "2024-05-05T01:00:00Z", True),
        ({"second": "0/30"}, "2024-05-01T10:00:01Z", "2024-05-01T10:00:29Z", False),
        ({"second": "0/30"}, "2024-05-01T10:00:01Z", "2024-05-01T10:00:30Z", True),
    ],
)
def test_schedules_fire_like_cron(
    schedule: dict[str, str], after: str, until: str, fires: bool
) -> None:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    assert subscriptions.fired_between(schedule, at(after), at(until)) is fires


def test_websocket_subscriptions_are_refused_as_not_implemented(
    client: TestClient, enterprise_token: str
) -> None:
    assert _create(client, enterprise_token).status_code == 201
    resp = client.get(
        "/epcis/queries/shipments/events",
        headers={**bearer(enterprise_token), "Upgrade": "websocket", "Connection": "Upgrade"},
    )
    assert resp.status_code == 501
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["type"] == "epcisException:ImplementationException"
    assert "Webhook" in resp.json()["detail"]


def test_query_names_are_per_owner_and_a_taken_name_reveals_nothing(
    client: TestClient, enterprise_token: str, admin_token: str, session: Session
) -> None:
    from plateau.auth.schemas import Role
    from tests.registry.builders import make_enterprise
    from tests.trace.epcis.test_capture_builders import token_for

    other = make_enterprise(session, n=803)
    other_token = token_for(session, Role.ENTERPRISE_USER, f"enterprise:{other.uscc}")
    assert _create(client, enterprise_token).status_code == 201
    # Another user may use the same name: no 409 telling them it exists.
    assert _create(client, other_token).status_code == 201
    assert [
        q["name"] for q in client.get("/epcis/queries", headers=bearer(other_token)).json()
    ] == ["shipments"]
    # The owner's own second query of that name is the conflict.
    assert _create(client, enterprise_token).status_code == 409
    # Deleting one owner's query leaves the other's.
    assert client.delete("/epcis/queries/shipments", headers=bearer(other_token)).status_code == 204
    assert (
        client.get("/epcis/queries/shipments", headers=bearer(enterprise_token)).status_code == 200
    )
