"""A person's path through the platform in a real browser (Debian's Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from plateau.registry.identifiers import make_uscc
from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser


def test_public_dashboard_in_chinese_then_english(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # The plan card of the figure (the table of latest measured figures has its own row).
    expect(page.locator('div.kpi[data-indicator="output_value"]')).to_contain_text("75亿元")
    expect(page.locator("[data-demo-banner]")).to_contain_text("演示数据")
    page.click('a[data-lang="en"]')
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('div.kpi[data-indicator="output_value"]')).to_contain_text("CNY 7.50 bn")
    expect(page.locator("[data-demo-banner]")).to_contain_text("synthetic")
    page.click('a[data-lang="zh_Hans_CN"]')
    expect(page.locator('nav a[data-nav="plan"]')).to_have_text("规划与目标")


def test_plan_page_draws_the_coherence_chart(page: Page) -> None:
    page.goto("/plan/check")
    expect(page.locator('[data-year="2025"]')).to_contain_text("76.8亿元")
    # ECharts renders into a canvas inside the chart container once the script has run.
    expect(page.locator(".chart canvas").first).to_be_visible()


def test_log_in_and_browse_the_registry(page: Page) -> None:
    log_in(page, "b-admin")
    expect(page.locator(".navbar-end")).to_contain_text("b-admin")
    # The register sits in a group of the bar: its menu opens on hover.
    page.hover('nav [data-nav-group]:has(a[data-nav="registry"]) > a.navbar-link')
    page.click('nav a[data-nav="registry"]')
    expect(page).to_have_url(re.compile(r"/registry$"))
    page.goto("/registry/enterprises")
    total = int(page.locator("[data-total]").get_attribute("data-total") or "0")
    assert total > 60
    page.select_option("#f-prefecture", "540600")
    expect(page.locator("#enterprise-table tbody tr").first).to_contain_text("那曲")
    filtered = int(page.locator("[data-total]").get_attribute("data-total") or "0")
    assert 0 < filtered < total
    assert "prefecture=540600" in page.url
    first = page.locator("#enterprise-table tbody tr").first
    uscc = first.get_attribute("data-uscc")
    first.locator("a").first.click()
    expect(page.locator("body")).to_contain_text(uscc or "?")


def test_prefecture_officer_sees_only_their_prefecture(page: Page) -> None:
    log_in(page, "b-nagqu")
    page.goto("/registry/enterprises")
    rows = page.locator("#enterprise-table tbody tr[data-uscc]")
    expect(rows.first).to_be_visible()
    for text in rows.all_inner_texts():
        assert "那曲" in text


def test_excel_import_with_a_bad_row_shows_the_report_and_imports_nothing(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    good = make_uscc("91540100MA6T0B0X0")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    wb = Workbook()
    ws = wb.active
    ws.append(["uscc", "name", "prefecture", "industry", "founded_date"])
    ws.append([good, "浏览器测试好企业有限公司", "540100", "drinking_water", "2020-05-01"])
    ws.append([bad, "浏览器测试坏企业有限公司", "540100", "drinking_water", "2020-05-01"])
    ws.append([make_uscc("91540100MA6T0B0X1"), "日期写错有限公司", "540100", "brewing", "去年"])
    path = tmp_path / "enterprises.xlsx"
    wb.save(path)

    log_in(page, "b-admin")
    page.goto("/registry/import")
    page.select_option("#i-kind", "enterprises")
    page.set_input_files("#i-file", str(path))
    page.click("form.import-form button[type=submit]")
    report = page.locator("table.error-report")
    expect(report).to_be_visible()
    expect(page.locator("[data-import-failed]")).to_be_visible()
    expect(report.locator('tr[data-row="3"]')).to_contain_text("18")
    expect(report.locator('tr[data-row="4"]')).to_be_visible()
    page.goto(f"/registry/enterprises?q={good}")
    expect(page.locator("[data-total]")).to_have_attribute("data-total", "0")
