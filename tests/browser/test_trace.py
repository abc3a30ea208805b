"""Traceability in Chromium on the demo world: the consumer page behind a QR code on a phone,
genealogy with its graph, recall with the FSMA 204 spreadsheet, and mass balance."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from plateau.auth.schemas import SYSTEM
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.demo import trace_world
from plateau.trace import lineage_service
from plateau.trace.genealogy import key_parts
from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser


@dataclass
class Codes:
    fraud: str  # lot key
    jerky: str  # a genuine jerky lot key
    water_lot: str
    hot_bottle: str  # consumer path of a bottle that met the heat wave

    @staticmethod
    def path(lot_key: str) -> str:
        parts = key_parts(lot_key)
        return f"/01/{parts.gtin}/10/{parts.lot}"


@pytest.fixture(scope="module")
def codes(live_server: LiveServer) -> Codes:
    """Codes of the demo's trace world (loaded by the demo, or here if it is not hooked yet)."""
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        if not trace_world.trace_world_loaded(session):
            trace_world.load_trace_world(session, actor=SYSTEM)
        lots = lineage_service.mass_balance_of(session, actor=SYSTEM).lots
    engine.dispose()
    fraud = next(lot.key for lot in lots if lot.flags)
    jerky = next(lot.key for lot in lots if not lot.flags and lot.kind == "牦牛肉干")
    water = sorted((lot for lot in lots if lot.kind == "天然饮用水"), key=lambda lot: lot.lot or "")
    hot = water[-1]
    return Codes(fraud, jerky, water[0].key, f"{Codes.path(hot.key)}/21/{hot.lot}0001")


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def test_a_scan_opens_a_phone_page_with_verdict_origin_and_journey(
    phone: Page, codes: Codes
) -> None:
    phone.goto(Codes.path(codes.jerky))
    verdict = phone.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "genuine")
    expect(verdict).to_contain_text("正品")
    expect(phone.locator("[data-origin]")).to_contain_text("那曲市")
    assert phone.locator("[data-journey] li").count() >= 4
    expect(phone.locator("[data-journey]")).to_contain_text("屠宰")
    # Mobile-first: nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.click(".navbar-burger")  # the site's language switch is in the phone menu
    phone.click('a[data-lang="en"]')
    expect(phone.locator("[data-verdict]")).to_contain_text("Genuine")
    expect(phone.locator("[data-journey]").locator("..")).to_contain_text("Its journey")
    phone.click(".navbar-burger")
    phone.click('a[data-lang="zh_Hans_CN"]')
    expect(phone.locator("[data-verdict]")).to_contain_text("正品")


def test_the_planted_fraud_shows_a_warning(phone: Page, codes: Codes) -> None:
    phone.goto(Codes.path(codes.fraud))
    verdict = phone.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "warning")
    expect(verdict).to_contain_text("记录的投入最多只能产出")


def test_a_bottle_that_met_the_heat_wave_shows_it_on_the_chart(phone: Page, codes: Codes) -> None:
    phone.goto(codes.hot_bottle)
    expect(phone.locator("[data-verdict]")).to_have_attribute("data-verdict", "genuine")
    expect(phone.locator(".cold-chain .chart canvas").first).to_be_visible()
    assert phone.locator("tr[data-excursion]").count() >= 1
    expect(phone.locator("[data-excursion-note]")).to_contain_text("超出储存温度范围")
    # Public: where it was is a kind of place and a city, never the shop's name.
    expect(phone.locator("[data-journey]")).to_contain_text("四川省成都市")
    expect(phone.locator("body")).not_to_contain_text("便利店")


def test_genealogy_draws_the_graph_back_to_the_base(page: Page, codes: Codes) -> None:
    log_in(page, "b-admin")
    page.goto("/trace")
    page.fill("#trace-id", codes.jerky)
    page.select_option("#trace-form select[name=direction]", "back")
    page.click("#trace-form button[type=submit]")
    expect(page.locator("[data-base]")).to_contain_text("牦牛")
    expect(page.locator(".genealogy-graph canvas").first).to_be_visible()
    assert page.locator("#trace-events tbody tr").count() >= 5
    expect(page.locator("#trace-locations")).to_contain_text("那曲")


def test_a_nagqu_officer_traces_yak_but_not_water(page: Page, codes: Codes) -> None:
    log_in(page, "b-nagqu")
    page.goto(f"/trace/genealogy?id={quote(codes.jerky, safe='')}")
    expect(page.locator("[data-base]")).to_contain_text("牦牛")
    page.goto(f"/trace/genealogy?id={quote(codes.water_lot, safe='')}")
    expect(page.locator("[data-trace-error]")).to_contain_text("没有您可查看的")


def test_recall_from_the_landing_page_and_download_the_spreadsheet(
    page: Page, codes: Codes
) -> None:
    log_in(page, "b-admin")
    page.goto("/trace")
    page.fill("#recall-lot", codes.water_lot)
    page.click("#recall-form button[type=submit]")
    expect(page.locator("#recall-holders")).to_contain_text("成都")
    expect(page.locator('[data-count="items"]')).to_have_text("240")
    assert page.locator("#recall-rows tbody tr").count() >= 6
    with page.expect_download() as info:
        page.click('[data-export="xlsx"]')
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet.cell(1, 1).value == "可追溯批次代码"
    assert sheet.max_row >= 7


def test_mass_balance_puts_the_fraud_first_with_its_evidence(page: Page, codes: Codes) -> None:
    log_in(page, "b-admin")
    page.goto("/trace/mass-balance")
    first = page.locator("#balance-lots tbody tr").first
    expect(first).to_have_attribute("data-lot", codes.fraud)
    first.locator("summary").first.click()
    expect(first.locator("details li").first).to_contain_text("ni:///sha-256;")
