"""The standards programme in Chromium: the administrator registers a standard, moves it on by
status name and edits its participants by picker; the register is cards on a phone."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser


def test_register_a_standard_and_move_it_on(page: Page, live_server: LiveServer) -> None:
    shots = os.environ.get("PLATEAU_SHOTS")
    log_in(page, "b-admin")
    page.goto("/standards")
    page.click("#register-standard")
    page.fill("#st-title", "牦牛风干肉质量等级")
    page.select_option("#st-level", "group")
    page.select_option("#st-status", "published")
    page.select_option("#st-ind", "agri_food")
    page.select_option("#st-item", "meat_processing")
    page.click("#standard-form button[type=submit]")
    # Published needs a number: refused with a message, the form keeps what was typed.
    expect(page.locator("#error")).to_contain_text("编号")
    expect(page.locator("#st-title")).to_have_value("牦牛风干肉质量等级")
    page.select_option("#st-status", "drafting")
    page.click("#standard-form button[type=submit]")
    expect(page.locator("#status")).to_have_text("起草中")
    # The lifecycle offers names of the steps ahead only.
    options = page.locator("#sc-status option").all_text_contents()
    assert "起草中" not in options and "已发布" in options
    page.select_option("#sc-status", label="已发布")
    page.fill("#sc-code", "T/XZNY 003—2026")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#status")).to_have_text("已发布")
    # Participants by picker.
    first = page.locator("#add-participant select option").nth(1)
    name = first.text_content() or ""
    page.select_option("#add-participant select", index=1)
    page.click("#add-participant button[type=submit]")
    expect(page.locator("#participant-list")).to_contain_text(name)
    page.locator("#participant-list button").first.click()
    expect(page.locator("#participant-list")).not_to_contain_text(name)
    if shots:
        page.screenshot(path=f"{shots}/standard-1280-zh.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/standards")
    expect(page.locator("#register thead")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if shots:
        page.screenshot(path=f"{shots}/standards-cards-390-zh.png", full_page=True)
