"""Traceability in Chromium on the demo world: the consumer page behind a QR code on a phone,
genealogy with its graph, recall with the FSMA 204 spreadsheet, and mass balance."""

from __future__ import annotations

import csv
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
from plateau.trace.lineage import service as lineage_service
from plateau.trace.lineage.genealogy import key_parts
from tests.browser.conftest import LiveServer, demo_password, log_in, watch_csp

pytestmark = pytest.mark.browser


@dataclass
class Codes:
    fraud: str  # lot key
    jerky: str  # a genuine jerky lot key
    water_lot: str
    hot_bottle: str  # consumer path of a bottle that met the heat wave
    medicine_lot: str  # Tibetan-medicine lot key, from the herb base to finished boxes
    medicine_box: tuple[str, str, str]  # (gtin, lot, serial) printed beside a box's QR code

    @staticmethod
    def path(lot_key: str) -> str:
        parts = key_parts(lot_key)
        return f"/01/{parts.gtin}/10/{parts.lot}"


@pytest.fixture(scope="module")
def codes(live_server: LiveServer) -> Codes:
    """Codes of the trace world that `plateau demo` loads with the rest of the demo."""
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        assert trace_world.trace_world_loaded(session), "the demo did not load the trace world"
        lots = lineage_service.mass_balance_of(session, actor=SYSTEM).lots
        examples = lineage_service.examples(session)
    engine.dispose()
    fraud = next(lot.key for lot in lots if lot.flags)
    jerky = next(lot.key for lot in lots if not lot.flags and lot.kind == "牦牛肉干")
    water = sorted((lot for lot in lots if lot.kind == "天然饮用水"), key=lambda lot: lot.lot or "")
    hot = water[-1]
    medicine = next(lot for lot in lots if lot.kind == "藏药成药")
    box = next(
        ex.path
        for ex in examples
        if ex.kind == "item" and ex.path.startswith(Codes.path(medicine.key))
    )
    _01, gtin, _10, lot, _21, serial = box.strip("/").split("/")
    return Codes(
        fraud,
        jerky,
        water[0].key,
        f"{Codes.path(hot.key)}/21/{hot.lot}0001",
        medicine.key,
        (gtin, lot, serial),
    )


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
    violations = watch_csp(pg)
    yield pg
    context.close()
    assert violations == []


@pytest.mark.both_backends
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


@pytest.mark.both_backends
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


@pytest.mark.both_backends
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


@pytest.mark.both_backends
def test_a_shopper_types_the_code_beside_the_qr_and_follows_the_medicine_to_its_base(
    phone: Page, codes: Codes
) -> None:
    phone.goto("/trace")
    # The public gets the consumer page only: no trace or recall forms.
    expect(phone.locator("#scan-form")).to_be_visible()
    expect(phone.locator("#trace-form")).to_have_count(0)
    expect(phone.locator("#recall-form")).to_have_count(0)
    gtin, lot, serial = codes.medicine_box
    phone.fill("#scan-gtin", gtin)
    phone.fill("#scan-lot", lot)
    phone.fill("#scan-serial", serial)
    phone.click("#scan-form button[type=submit]")
    phone.wait_for_url(f"**/01/{gtin}/10/{lot}/21/{serial}")
    expect(phone.locator("[data-serial]")).to_contain_text(serial)
    expect(phone.locator("[data-verdict]")).to_have_attribute("data-verdict", "genuine")
    expect(phone.locator("[data-origin-county]")).to_contain_text("墨竹工卡县")
    expect(phone.locator("[data-certificates] [data-certificate]").first).to_be_visible()
    journey = phone.locator("[data-journey] li")
    expect(journey.first).to_have_class("base")
    expect(journey.last).to_contain_text("售予消费者")
    # The delivery notes and production orders behind those steps stay private.
    expect(phone.locator("body")).not_to_contain_text(f"DN-{lot}")
    expect(phone.locator("body")).not_to_contain_text(f"MO-{lot}")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_lot_number_nobody_recorded_is_not_called_genuine(phone: Page, codes: Codes) -> None:
    gtin, _lot, _serial = codes.medicine_box
    phone.goto(f"/01/{gtin}")
    phone.fill("[data-consumer] form input[name=lot]", "NOSUCHLOT1")
    phone.click("[data-consumer] form button[type=submit]")
    phone.wait_for_url(f"**/01/{gtin}/10/NOSUCHLOT1")
    verdict = phone.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "unverified")
    expect(verdict.locator("li").first).to_be_visible()
    expect(phone.locator("[data-journey]")).to_have_count(0)
    response = phone.goto("/01/06900000000009/10/X1")
    assert response is not None and response.status == 404
    expect(phone.locator("body")).to_contain_text("06900000000009")


def test_the_public_cannot_open_genealogy_or_recall(page: Page, codes: Codes) -> None:
    page.goto(f"/trace/genealogy?id={quote(codes.jerky, safe='')}")
    page.wait_for_url("**/login**")
    page.goto(f"/trace/recall/{quote(codes.water_lot, safe='')}")
    page.wait_for_url("**/login**")
    expect(page.locator("body")).not_to_contain_text("成都")


def test_genealogy_from_the_codes_to_try_follows_a_bottle_through_case_and_pallet(
    page: Page, codes: Codes
) -> None:
    log_in(page, "b-admin")
    page.goto("/trace")
    page.locator('#trace-examples tr[data-example="item"]').filter(has_text="矿泉水").first.locator(
        "[data-genealogy-link]"
    ).click()
    page.wait_for_url("**/trace/genealogy?**")
    expect(page.locator(".genealogy-graph canvas").first).to_be_visible()
    # One bottle is packed into a case, the case onto a pallet, the pallet shipped to Chengdu.
    expect(page.locator('#trace-events tr[data-step="packing"]').first).to_be_visible()
    expect(page.locator('#trace-events tr[data-step="shipping"]').first).to_be_visible()
    expect(page.locator("#trace-locations")).to_contain_text("当雄灌装厂")
    expect(page.locator("#trace-locations")).to_contain_text("成都")


@pytest.mark.both_backends
def test_recall_from_the_genealogy_page_lists_what_the_lot_reached(
    page: Page, codes: Codes
) -> None:
    log_in(page, "b-admin")
    page.goto("/trace")
    page.fill("#trace-id", codes.medicine_lot)  # both ways, the form's default
    page.click("#trace-form button[type=submit]")
    expect(page.locator("[data-base]")).to_contain_text("墨竹工卡县")
    # Officials see the business documents the consumer page hides.
    expect(page.locator("#trace-events")).to_contain_text("DN-")
    both = int(page.locator('[data-count="events"]').inner_text())
    # Forward only: from the lot to the shops, without the herb base behind it.
    page.select_option("#trace-form select[name=direction]", "forward")
    page.click("#trace-form button[type=submit]")
    page.wait_for_url("**direction=forward**")
    expect(page.locator("[data-base]")).to_have_text("—")
    expect(page.locator('#trace-events tr[data-step="retail_selling"]').first).to_be_visible()
    assert 0 < int(page.locator('[data-count="events"]').inner_text()) < both
    page.click("[data-recall-link]")
    expect(page.locator("[data-recall-lot]")).to_have_attribute(
        "data-recall-lot", codes.medicine_lot
    )
    expect(page.locator("#recall-holders")).to_contain_text("拉萨")
    assert int(page.locator('[data-count="items"]').inner_text()) > 0
    rows = page.locator("#recall-rows tbody tr")
    expect(rows.first).to_be_visible()
    with page.expect_download() as info:
        page.click('[data-export="csv"]')
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == rows.count() + 1


def test_an_enterprise_recalls_its_own_lot_but_not_another_firms(
    page: Page, codes: Codes, live_server: LiveServer
) -> None:
    # The demo's water account belongs to the bottler of the trace world.
    log_in(page, "ent-water", demo_password(live_server, "ent-water"))
    page.goto("/trace")
    page.fill("#recall-lot", codes.water_lot)
    page.click("#recall-form button[type=submit]")
    expect(page.locator("#recall-holders")).to_contain_text("成都")
    page.goto(f"/trace/recall/{quote(codes.jerky, safe='')}")
    expect(page.locator("[data-recall-error]")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("那曲")
