"""The navigation bar in a real browser: one line on a desktop in English, the current
group marked, and every group reachable from the burger on a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1024, 1280])
def test_the_english_bar_is_one_line(browser: Browser, live_server: LiveServer, width: int) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.add_cookies([{"name": "plateau_lang", "value": "en", "url": live_server.url}])
    page = context.new_page()
    try:
        log_in(page, "b-admin")
        page.goto("/standards")
        tops = page.eval_on_selector_all(
            ".navbar-start > .navbar-item", "els => els.map(e => e.getBoundingClientRect().top)"
        )
        assert len(tops) >= 6 and max(tops) - min(tops) < 2, tops
        heights = page.eval_on_selector_all(
            ".navbar-start > a.navbar-item, .navbar-start .navbar-link",
            "els => els.map(e => e.getBoundingClientRect().height)",
        )
        assert max(heights) < 60, heights  # no label breaks onto a second line
        marked = page.locator(".navbar-start .navbar-link.is-active")
        assert marked.count() == 1 and marked.inner_text().strip() == "Brands and markets"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


def test_the_phone_menu_reaches_every_group(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        log_in(page, "b-admin")
        page.goto("/monitoring/warnings")
        assert not page.locator("#main-nav").is_visible()
        page.click(".navbar-burger")
        for href in (
            "/monitoring/dashboard",
            "/monitoring/report",
            "/registry",
            "/policy",
            "/trace",
            "/forecast",
        ):
            link = page.locator(f'#main-nav .navbar-start a[href="{href}"]').first
            assert link.is_visible(), href
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
