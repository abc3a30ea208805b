"""The platform works on a closed network: no page asks for anything beyond this machine."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import LiveServer, demo_password, log_in

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _outside(requests: list[str]) -> list[str]:
    return [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob")
        and urlsplit(url).hostname not in LOCAL_HOSTS
    ]


def test_no_request_leaves_the_machine(page: Page, live_server: LiveServer) -> None:
    seen: list[str] = []

    def record(request: Request) -> None:
        seen.append(request.url)

    page.on("request", record)
    page.goto("/api/docs")
    # Swagger UI draws the API from the app's own copy, title and operations included.
    # The first OpenAPI document is built on demand: give a loaded machine time.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Plateau", timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    page.goto("/")
    page.goto("/trace")
    log_in(page, "officer-540100", demo_password(live_server, "officer-540100"))
    for path in ("/", "/monitoring/dashboard", "/monitoring/warnings", "/registry"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert any(url.endswith("/static/favicon.svg") for url in seen) or page.evaluate(
        "document.querySelector('link[rel=icon]').href.endsWith('/static/favicon.svg')"
    )
    assert len(seen) > 10
    assert _outside(seen) == []


def test_the_favicon_is_served(page: Page) -> None:
    resp = page.request.get("/favicon.ico")
    assert resp.ok and "svg" in resp.headers["content-type"]
