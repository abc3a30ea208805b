"""The consumer page behind a QR code, on a 390 px phone, in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.trace.lineage import service as lineage_service
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def paths(live_server: LiveServer) -> list[str]:
    """One lot and one serialised item of each product of the demo's trace world."""
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        examples = lineage_service.examples(session, per_product=1)
    engine.dispose()
    assert any(e.kind == "item" for e in examples)
    return [e.path for e in examples]


@pytest.fixture(params=["zh_Hans_CN", "en"])
def phone(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.add_cookies([{"name": "plateau_lang", "value": request.param, "url": live_server.url}])
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def _overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_no_consumer_page_scrolls_sideways_and_none_shows_the_portal(
    phone: Page, paths: list[str]
) -> None:
    for path in paths:
        phone.goto(path)
        expect(phone.locator("[data-verdict]")).to_be_visible()
        assert _overflow(phone) <= 0, (path, _overflow(phone))
        # A shopper's page: no portal navigation, no API documentation link, a complaint channel.
        assert phone.locator("[data-nav]").count() == 0
        assert phone.locator('a[href="/api/docs"]').count() == 0
        expect(phone.locator("[data-consumer]")).to_contain_text("12315")


def test_an_unknown_lot_shows_only_the_products_facts(phone: Page, paths: list[str]) -> None:
    # A lot whose page shows the brand's certificates and origin when the lot is known.
    lot = ""
    for path in (p for p in paths if "/21/" not in p):
        phone.goto(path)
        if phone.locator("[data-certificates]").count() and phone.locator("[data-origin]").count():
            lot = path
            break
    assert lot, "no demo lot with certificates and an origin"
    # GS1 lot numbers are case-sensitive: the same letters in lower case are another lot.
    cut = lot.rindex("/") + 1
    phone.goto(lot[:cut] + lot[cut:].lower())
    expect(phone.locator("[data-verdict]")).to_have_attribute("data-verdict", "unverified")
    expect(phone.locator("[data-unknown-code]")).to_be_visible()
    assert phone.locator("[data-certificates]").count() == 0
    assert phone.locator("[data-origin]").count() == 0
    assert _overflow(phone) <= 0


def test_a_known_lot_shows_its_label_dates_in_beijing_time_and_its_look_ups(
    phone: Page, paths: list[str]
) -> None:
    dated = shelf_life = 0
    for path in paths:
        phone.goto(path)
        count = int(phone.locator("[data-lookups]").get_attribute("data-lookups") or "0")
        assert count >= 1
        phone.reload()  # a GET counts in memory: the page says so at once
        assert int(phone.locator("[data-lookups]").get_attribute("data-lookups") or "0") == (
            count + 1
        )
        if phone.locator("[data-produced]").count():
            dated += 1
            text = phone.locator("[data-label-facts]").inner_text()
            assert re.search(r"\d{4}-\d{2}-\d{2}", text)
            shelf_life += phone.locator("[data-best-before], [data-expires]").count() > 0
        # Journey times are Beijing wall-clock times, never an offset or a code.
        for when in phone.locator("[data-journey] .when").all_inner_texts():
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", when.strip()), when
        assert "KGM" not in phone.locator("[data-consumer]").inner_text()
        assert _overflow(phone) <= 0
    # The demo's lots carry their making event's date, and water, jerky and medicine their
    # best-before or expiry date in the ILMD.
    assert dated >= 3 and shelf_life >= 2
