"""The exchange in Chromium: a packaging firm offers what a bottler needs, sees the match and
writes to them through the platform; a post with a phone number is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from plateau.auth.schemas import Role
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.exchange.models import Post
from plateau.registry.models import Enterprise
from tests.browser.conftest import LiveServer, log_in
from tests.builders import make_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def packer(live_server: LiveServer) -> Iterator[str]:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        uscc = session.scalar(
            select(Enterprise.uscc)
            .where(Enterprise.industry_id == "packaging")
            .order_by(Enterprise.id.desc())
        )
        make_user(session, Role.ENTERPRISE_USER, f"enterprise:{uscc}", username="b-packer")
    engine.dispose()
    yield "b-packer"


def _posts(live_server: LiveServer) -> int:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        n = int(session.scalar(select(func.count(Post.id))) or 0)
    engine.dispose()
    return n


@pytest.mark.both_backends
def test_need_match_contact(page: Page, live_server: LiveServer, packer: str) -> None:
    log_in(page, packer)
    page.goto("/exchange")
    expect(page.locator("#posts")).to_contain_text("550ml PET瓶坯")
    before = _posts(live_server)
    page.select_option("#x-kind", "offer")
    page.select_option("#x-cat", "packaging")
    page.fill("#x-title", "550ml PET瓶坯 高原专供")
    page.fill("#x-desc", "欢迎来电 13912345678")
    page.fill("#x-qty", "200000")
    page.fill("#x-unit", "个")
    page.fill("#x-until", "2099-12-31")
    page.click("#post-form button[type=submit]")
    expect(page.locator("#error")).to_contain_text("电话")
    assert _posts(live_server) == before
    page.fill("#x-desc", "现货，拉萨交货")
    page.click("#post-form button[type=submit]")
    match = page.locator("[data-match]").filter(has_text="550ml PET瓶坯（演示）")
    expect(match).to_be_visible()
    match.locator("input[name=text]").fill("我司可供550ml瓶坯，请在平台内回复需求数量。")
    match.locator("button[type=submit]").click()
    expect(page.locator("[data-match]").filter(has_text="550ml PET瓶坯（演示）")).to_contain_text(
        "请在平台内回复需求数量"
    )
    assert _posts(live_server) == before + 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280


def test_an_enterprise_changes_and_withdraws_its_post(
    page: Page, live_server: LiveServer, packer: str
) -> None:
    log_in(page, packer)
    page.goto("/exchange")
    page.select_option("#x-kind", "offer")
    page.select_option("#x-cat", "packaging")
    page.fill("#x-title", "瓦楞纸箱 五层")
    page.fill("#x-until", "2099-12-31")
    page.click("#post-form button[type=submit]")
    page.click("#edit")
    page.fill("#x-title", "瓦楞纸箱 五层 加厚")
    page.fill("#x-desc", "微信 abc12345")
    page.click("#save")
    expect(page.locator("#error")).to_be_visible()
    page.fill("#x-desc", "拉萨交货")
    page.click("#save")
    expect(page.locator("h1")).to_have_text("瓦楞纸箱 五层 加厚")
    page.click("#withdraw")
    page.click("#withdraw-confirm")
    expect(page.locator("#withdrawn")).to_be_visible()
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/exchange")
    expect(page.locator("#posts")).not_to_contain_text("瓦楞纸箱 五层 加厚")
    # The board is a list of cards on a phone: nothing scrolls sideways.
    expect(page.locator("#posts thead")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("path", ["/exchange", "/standards", "/recognition", "/design"])
def test_the_boards_fit_a_phone_in_both_languages(
    page: Page, live_server: LiveServer, path: str
) -> None:
    import os

    shots = os.environ.get("PLATEAU_SHOTS")
    for lang in ("zh_Hans_CN", "en"):
        page.context.add_cookies([{"name": "plateau_lang", "value": lang, "url": live_server.url}])
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(path)
            if shots:
                name = f"{path.strip('/')}-{width}-{lang}.png"
                page.screenshot(path=f"{shots}/{name}", full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
