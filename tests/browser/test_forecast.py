"""The forecast explorer in Chromium: pick a market, see the fan chart and its table, drill
down, and find a one-enterprise cell suppressed for the public."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from plateau.db import make_engine, make_sessionmaker, session_scope
from tests.browser.conftest import LiveServer
from tests.forecast.builders import make_run

pytestmark = [pytest.mark.browser]


def test_explorer_pickers_chart_drill_down_and_suppression(
    page: Page, live_server: LiveServer
) -> None:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        make_run(session)
    engine.dispose()

    page.goto("/forecast")
    expect(page.locator("[data-fan]")).to_be_visible()  # the total, for everyone
    page.select_option("#pick-market", "in_540100")
    page.click("[data-pickers] button[type=submit]")
    page.wait_for_url("**market=in_540100**")
    expect(page.locator("[data-fan] .chart canvas")).to_have_count(1)  # ECharts drew it
    expect(page.locator("[data-fan-table] tbody tr")).to_have_count(12)
    expect(page.locator("[data-leaderboard] tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()

    page.goto("/forecast")  # drill down the market tree: all → 区内 → 拉萨
    page.locator("[data-drill] a", has_text="区内市场").click()
    page.wait_for_url("**market=in_region**")
    page.locator("[data-drill] a", has_text="拉萨市").click()
    page.wait_for_url("**market=in_540100**")
    expect(page.locator("[data-fan-table] tbody tr")).to_have_count(12)
    page.goto("/forecast?market=chengdu")
    expect(page.locator("[data-suppressed]")).to_be_visible()
    expect(page.locator("[data-fan-table]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
