"""Incentive policies in Chromium: the bureau computes and publishes the list, the enterprise
confirms on its own page, the bureau records the payment, the public reads the notice."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from plateau.auth.schemas import Role
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.jobs import service as jobs_service
from tests.browser.conftest import LiveServer, log_in
from tests.builders import make_user
from tests.policy.builders import garment_maker, leading, revenue

pytestmark = [pytest.mark.browser, pytest.mark.both_backends]

SHOTS = os.environ.get("PLATEAU_SCREENSHOTS")


def _shot(page: Page, name: str) -> None:
    # Screenshots for people to look at, only when asked for (PLATEAU_SCREENSHOTS=dir).
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1  # type: ignore[index]


def _firm(live_server: LiveServer) -> tuple[str, str]:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        ent = garment_maker(session, 980_001)
        leading(session, ent)
        revenue(session, ent, 2025, 8_000_000)
        user = make_user(
            session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}", username="b-garment"
        )
        found = (ent.name, user.username)
    engine.dispose()
    return found


def test_list_publish_confirm_pay(page: Page, live_server: LiveServer) -> None:
    name, username = _firm(live_server)
    log_in(page, "b-admin")
    page.goto("/policy")
    expect(page.locator("[data-policy=lhasa_garment_support]")).to_contain_text("假设")
    page.fill("#run-period", "2025")
    page.click("#run-form button[type=submit]")
    page.wait_for_url("**/policy?job=*")
    engine = make_engine(live_server.db_url)
    jobs_service.run_pending(make_sessionmaker(engine), kind="policy.run")  # if no worker took it
    engine.dispose()
    page.reload()
    expect(page.locator("[data-job-state=succeeded]")).to_be_visible()
    page.click('.job-progress a[href^="/policy/runs/"]')
    page.wait_for_url(re.compile(r".*/policy/runs/\d+$"))
    run_url = page.url
    row = page.locator("tr[data-rule=leading_revenue_support]", has_text=name)
    expect(row).to_contain_text("5 % × 8,000,000 = 400,000 ≤ 500,000")
    _shot(page, f"run-1280-zh-{live_server.backend}")
    page.click("[data-publish]")
    expect(page.locator("[data-run-status=published]")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, username)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/policy/mine?year=2025")
    box = page.locator("[data-rule=leading_revenue_support]").first
    expect(box).to_contain_text("400,000")
    box.locator("[name=account_name]").fill(name)
    box.locator("[name=account_bank]").fill("中国农业银行拉萨分行")
    box.locator("[name=account_no]").fill("6228 4800 1234 5678")
    box.locator("[name=disclose_amount]").check()
    box.locator(".confirm-form button[type=submit]").click()
    expect(
        page.locator("[data-rule=leading_revenue_support] [data-status=confirmed]")
    ).to_be_visible()
    page.fill("#calc-rev", "400")
    page.click("#calculator button[type=submit]")
    expect(page.locator("#calc-result")).to_contain_text("5 % × 4,000,000 = 200,000 ≤ 500,000")
    _fits(page)
    _shot(page, f"mine-390-zh-{live_server.backend}")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "b-admin")
    page.goto(run_url)
    row = page.locator("tr[data-rule=leading_revenue_support]", has_text=name)
    row.locator("[name=voucher_no]").fill("财拨〔2026〕001号")
    row.locator(".pay-form button[type=submit]").click()
    expect(
        page.locator("tr[data-rule=leading_revenue_support]", has_text=name).locator(
            "[data-status=paid]"
        )
    ).to_be_visible()

    page.context.clear_cookies()
    notice = "/policy/notices/" + run_url.rsplit("/", 1)[1]
    page.goto(notice)
    expect(page.locator("#notice")).to_contain_text(name)
    expect(page.locator("#notice tr", has_text=name)).to_contain_text("40.00")
    _shot(page, f"notice-1280-zh-{live_server.backend}")
    if SHOTS:
        page.goto("/lang/en?next=" + notice)
        _shot(page, f"notice-1280-en-{live_server.backend}")
        page.set_viewport_size({"width": 390, "height": 844})
        _fits(page)
        _shot(page, f"notice-390-en-{live_server.backend}")
