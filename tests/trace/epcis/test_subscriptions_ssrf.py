"""Webhook destinations are limited to an allow-list of hosts, so that a subscriber cannot
make the server POST to an internal address (SSRF); with no list, no webhooks at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from plateau.settings import Settings
from plateau.trace.epcis.subscriptions import host_allowed
from tests.builders import bearer
from tests.trace.epcis import test_capture_builders as shared

admin_token, client, enterprise, enterprise_token, epcis_app = (
    shared.admin_token,
    shared.client,
    shared.enterprise,
    shared.enterprise_token,
    shared.epcis_app,
)


@pytest.fixture
def hosts(client: TestClient) -> Iterator[list[str]]:
    """The application's allow-list, emptied before and after each test."""
    allowed: list[str] = []
    client.app.state.settings.webhook_allowed_hosts = allowed  # type: ignore[attr-defined]
    yield allowed
    client.app.state.settings.webhook_allowed_hosts = []  # type: ignore[attr-defined]


def _subscribe(client: TestClient, token: str, dest: str) -> object:
    made = client.post(
        "/epcis/queries",
        json={"name": "shipments", "query": {"EQ_bizStep": ["shipping"]}},
        headers=bearer(token),
    )
    assert made.status_code in (201, 409), made.text
    return client.post(
        "/epcis/queries/shipments/subscriptions",
        json={"dest": dest, "stream": True},
        headers=bearer(token),
    )


def test_without_an_allow_list_no_webhook_is_accepted(
    client: TestClient, enterprise_token: str, hosts: list[str]
) -> None:
    resp = _subscribe(client, enterprise_token, "https://partner.example.com/hook")
    assert resp.status_code == 400, resp.text  # type: ignore[attr-defined]
    body = resp.json()  # type: ignore[attr-defined]
    assert body["type"] == "epcisException:SubscriptionControlsException"
    assert "不发送任何 Webhook" in body["detail"]  # in the user's language
    listed = client.get("/epcis/queries/shipments/subscriptions", headers=bearer(enterprise_token))
    assert listed.json() == []  # nothing was stored


@pytest.mark.parametrize(
    "dest",
    [
        "http://127.0.0.1:5432/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/admin",
        "http://partner.example.com.evil.test/hook",
        "http://evil.test/?partner.example.com",
        "http://partner.example.com@10.0.0.1/hook",
    ],
)
def test_hosts_outside_the_list_are_refused(
    client: TestClient, enterprise_token: str, hosts: list[str], dest: str
) -> None:
    hosts += ["partner.example.com", "*.trusted.example.org"]
    resp = _subscribe(client, enterprise_token, dest)
    assert resp.status_code == 400, resp.text  # type: ignore[attr-defined]
    assert "PLATEAU_WEBHOOK_ALLOWED_HOSTS" in resp.json()["detail"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "dest",
    [
        "https://partner.example.com/hook",
        "https://PARTNER.example.com:8443/hook",
        "https://a.trusted.example.org/cb",
    ],
)
def test_hosts_on_the_list_are_accepted(
    client: TestClient, enterprise_token: str, hosts: list[str], dest: str
) -> None:
    hosts += ["partner.example.com", "*.trusted.example.org"]
    resp = _subscribe(client, enterprise_token, dest)
    assert resp.status_code == 201, resp.text  # type: ignore[attr-defined]


def test_host_matching() -> None:
    allowed = ["partner.example.com", "*.trusted.example.org"]
    assert host_allowed("https://partner.example.com/x", allowed)
    assert host_allowed("https://deep.sub.trusted.example.org/x", allowed)
    assert not host_allowed("https://trusted.example.org/x", allowed)  # the wildcard needs a label
    assert not host_allowed("https://xtrusted.example.org/x", allowed)
    assert not host_allowed("https://[::1]/x", allowed)
    assert not host_allowed("http://[bad/x", allowed)
    assert not host_allowed("https://partner.example.com/x", [])


def test_the_allow_list_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATEAU_WEBHOOK_ALLOWED_HOSTS", " Partner.example.com, *.trusted.org ,")
    monkeypatch.setenv("PLATEAU_PUBLIC_URL", "https://trace.example.cn")
    monkeypatch.setenv("PLATEAU_EPCIS_CAPTURE_LIMIT", "500")
    settings = Settings()
    assert settings.webhook_allowed_hosts == ["partner.example.com", "*.trusted.org"]
    assert settings.public_url == "https://trace.example.cn"
    assert settings.epcis_capture_limit == 500
    monkeypatch.delenv("PLATEAU_WEBHOOK_ALLOWED_HOSTS")
    assert Settings().webhook_allowed_hosts == []
