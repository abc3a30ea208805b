"""Pages of issue #11's last gaps on a 390 px phone: the enterprise home page (returns due as
cards), the consumer page with the product's photo and licence number, the product form and
the messages page. Nothing may scroll sideways, in either language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.demo import service as demo_service
from plateau.registry.models import Enterprise, Product, ProductPhoto
from tests.browser.conftest import LiveServer, demo_password, log_in

pytestmark = pytest.mark.browser


def _overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


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


@pytest.fixture(scope="module")
def showcase(live_server: LiveServer) -> tuple[str, str, str]:
    """A demo product with a photo and a licence, and a demo login of its enterprise."""
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        gtin, uscc = session.execute(
            select(Product.gtin, Enterprise.uscc)
            .join(ProductPhoto, ProductPhoto.product_id == Product.id)
            .join(Enterprise, Enterprise.id == Product.enterprise_id)
            .where(Product.licence_no != "")
            .order_by(Product.id)
            .limit(1)
        ).one()
    engine.dispose()
    found = demo_service.read_credentials(live_server.var_dir / "demo-credentials.txt")
    login = next(
        (c for c in found if c.scope == f"enterprise:{uscc}"),
        next(c for c in found if c.role == "enterprise_user"),
    )
    return gtin, login.username, login.password


def test_the_consumer_page_shows_the_photo_and_licence_without_overflow(
    phone: Page, showcase: tuple[str, str, str]
) -> None:
    gtin, _user, _password = showcase
    phone.goto(f"/01/{gtin}")
    photo = phone.locator("[data-product-photo]")
    expect(photo).to_be_visible()
    assert phone.evaluate("document.querySelector('[data-product-photo]').naturalWidth") > 0
    expect(phone.locator("[data-licence]")).to_contain_text("SC")
    assert _overflow(phone) <= 0


def test_the_enterprise_home_and_its_pages_fit_a_phone(
    phone: Page, showcase: tuple[str, str, str]
) -> None:
    gtin, user, password = showcase
    log_in(phone, user, password)
    phone.goto("/")
    due = phone.locator("table.returns-due")
    expect(due).to_be_visible()
    assert _overflow(phone) <= 0
    # Each period is a card whose action button lies inside the screen.
    button = due.locator("tbody tr").first.locator("a").first
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    for path in ("/messages", f"/registry/products/{gtin}/edit"):
        phone.goto(path)
        expect(phone.locator("h1")).to_be_visible()
        assert _overflow(phone) <= 0, path


def test_a_label_printers_english_bar_stays_one_line_at_1024(
    browser: Browser, live_server: LiveServer
) -> None:
    # An enterprise user has four menus (Traceability's holds label printing): still one line.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1024, "height": 800})
    context.add_cookies([{"name": "plateau_lang", "value": "en", "url": live_server.url}])
    page = context.new_page()
    try:
        log_in(page, "ent-water", demo_password(live_server, "ent-water"))
        tops = page.eval_on_selector_all(
            ".navbar-start > .navbar-item", "els => els.map(e => e.getBoundingClientRect().top)"
        )
        assert len(tops) == 6 and max(tops) - min(tops) < 2, tops
        page.hover('[data-nav-group="trace"]')
        expect(page.locator('[data-nav="trace.labels"]')).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    finally:
        context.close()
