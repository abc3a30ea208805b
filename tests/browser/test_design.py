"""众包设计 in Chromium: a garment maker puts out a brief, a designer proposes on a phone
(a file that is not a picture is refused first), and the maker awards the proposal."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from plateau.auth.schemas import Role
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.design.models import Brief, Proposal
from plateau.registry.models import Enterprise
from tests.browser.conftest import LiveServer, log_in
from tests.builders import make_user
from tests.recognition.builders import png

pytestmark = pytest.mark.browser
GARMENT = ("1819", "1830", "1921", "1932")


@pytest.fixture(scope="module")
def people(live_server: LiveServer) -> Iterator[tuple[str, str]]:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        maker = session.scalar(
            select(Enterprise.uscc)
            .where(Enterprise.gbt4754.in_(GARMENT))
            .order_by(Enterprise.id.desc())
        )
        studio = session.scalar(
            select(Enterprise.uscc)
            .where(
                Enterprise.industry_id == "ethnic_handicraft", Enterprise.gbt4754.not_in(GARMENT)
            )
            .order_by(Enterprise.id.desc())
        )
        make_user(session, Role.ENTERPRISE_USER, f"enterprise:{maker}", username="b-dmaker")
        make_user(session, Role.ENTERPRISE_USER, f"enterprise:{studio}", username="b-dstudio")
    engine.dispose()
    yield "b-dmaker", "b-dstudio"


def _count(live_server: LiveServer, model: type) -> int:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        n = int(session.scalar(select(func.count()).select_from(model)) or 0)
    engine.dispose()
    return n


def _shot(page: Page, name: str) -> None:
    shots = os.environ.get("PLATEAU_SHOTS")
    if shots:
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def test_brief_proposal_on_a_phone_award(
    page: Page, live_server: LiveServer, people: tuple[str, str]
) -> None:
    maker, studio = people
    log_in(page, maker)
    page.goto("/design")
    briefs = _count(live_server, Brief)
    page.fill("#d-title", "藏式羊绒披肩图案设计")
    page.select_option("#d-cat", "garment")
    page.fill("#d-desc", "以牦牛绒披肩为载体的纹样")
    page.fill("#d-deliv", "纹样矢量稿两套")
    page.fill("#d-reward", "两万元")
    page.fill("#d-deadline", "2099-12-31")
    page.click("#brief-form button[type=submit]")
    expect(page.locator("#error")).to_contain_text("奖金")
    assert _count(live_server, Brief) == briefs
    page.fill("#d-reward", "20000")
    page.click("#brief-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("藏式羊绒披肩图案设计")
    brief_url = page.url
    page.context.clear_cookies()

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, studio)
    page.goto(brief_url)
    proposals = _count(live_server, Proposal)
    page.fill("#p-title", "雪山与格桑花")
    page.fill("#p-designer", "央金")
    page.fill("#p-desc", "两套纹样，蓝白与赭红")
    page.set_input_files(
        "#p-img",
        {"name": "draft.png", "mimeType": "image/png", "buffer": b"%PDF-1.4 not a picture"},
    )
    page.click("#proposal-form button[type=submit]")
    expect(page.locator("#error")).to_contain_text("不是图片")
    assert _count(live_server, Proposal) == proposals
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_input_files(
        "#p-img", {"name": "draft.png", "mimeType": "image/png", "buffer": png((120, 80))}
    )
    page.click("#proposal-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("雪山与格桑花")
    expect(page.locator("#images img")).to_have_count(1)
    _shot(page, "design-proposal-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(brief_url)
    _shot(page, "design-brief-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/design")
    expect(page.locator("#briefs thead")).to_be_hidden()  # a list of cards on a phone
    _shot(page, "design-index-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.clear_cookies()

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, maker)
    page.goto(brief_url)
    expect(page.locator("[data-proposal]")).to_contain_text("雪山与格桑花")
    page.fill("#a-note", "纹样清新，适合披肩")
    page.click("#award")
    expect(page.locator("#awarded")).to_contain_text("央金")
    _shot(page, "design-brief-awarded-1280")
