"""A recognition in Chromium: nomination → review → jury scoring → a vote on a 390 px phone →
results under public notice; bad input (a file that is not an image, a score outside the
scale, a second identical vote) gets a clear message and changes nothing."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from plateau.auth.schemas import SYSTEM, Role
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.recognition import service as recognition_service
from plateau.recognition.models import Ballot, Nomination, Score
from plateau.recognition.schemas import EditionCreate, MemberAdd
from plateau.registry.models import Brand, Enterprise
from tests.browser.conftest import LiveServer, log_in
from tests.builders import make_user

pytestmark = pytest.mark.browser
CODE = "browser-fw"
SHOTS = Path(os.environ.get("PLATEAU_SHOTS", "")) if os.environ.get("PLATEAU_SHOTS") else None


@dataclass
class Setup:
    brand_id: int
    brand_name: str


def _edition() -> EditionCreate:
    today = recognition_service.beijing_today()
    return EditionCreate.model_validate(
        {
            "code": CODE,
            "name_zh": "浏览器测试服饰周",
            "name_en": "Browser test fashion week",
            "kind": "fashion_week",
            "year": today.year,
            "jury_weight": 70,
            "nominations_close_date": today + timedelta(days=5),
            "scoring_start_date": today + timedelta(days=6),
            "vote_close_date": today + timedelta(days=9),
            "publicity_end_date": today + timedelta(days=20),
            "categories": [
                {
                    "code": "best_brand",
                    "name_zh": "最佳服装品牌",
                    "name_en": "Best garment brand",
                    "entry_kind": "brand",
                    "eligibility": "lhasa_garment_brand",
                    "criteria": [
                        {"name_zh": "创意设计", "name_en": "Creative design", "weight": 60},
                        {"name_zh": "工艺质量", "name_en": "Craft quality", "weight": 40},
                    ],
                }
            ],
        }
    )


@pytest.fixture(scope="module")
def setup(live_server: LiveServer) -> Iterator[Setup]:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        brand, uscc = session.execute(
            select(Brand, Enterprise.uscc)
            .join(Enterprise, Enterprise.id == Brand.enterprise_id)
            .where(Enterprise.prefecture_code == "540100", Enterprise.gbt4754.in_(("1819", "1830")))
            .order_by(Brand.id.desc())
            .limit(1)
        ).one()
        make_user(session, Role.ENTERPRISE_USER, f"enterprise:{uscc}", username="b-maker")
        make_user(session, Role.JUROR, username="b-juror")
        recognition_service.create_edition(session, data=_edition(), actor=SYSTEM)
        recognition_service.add_member(
            session, code=CODE, data=MemberAdd(username="b-juror", kind="juror"), actor=SYSTEM
        )
        recognition_service.advance(session, code=CODE, to="nominations", actor=SYSTEM)
        found = Setup(brand.id, brand.name_zh)
    yield found
    engine.dispose()


def _count(live_server: LiveServer, model: type) -> int:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        n = int(session.scalar(select(func.count()).select_from(model)) or 0)
    engine.dispose()
    return n


def _shot(page: Page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def _advance(page: Page) -> None:
    page.goto(f"/recognition/{CODE}")
    page.click("#advance")
    expect(page.locator(".notification.is-success")).to_be_visible()


class Codes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text += record.getMessage() + "\n"


@pytest.mark.both_backends
def test_nomination_scoring_phone_vote_and_results(
    browser: Browser, page: Page, live_server: LiveServer, setup: Setup
) -> None:
    # The maker nominates its brand; a PDF posing as a picture is refused first.
    log_in(page, "b-maker")
    page.goto(f"/recognition/{CODE}")
    before = _count(live_server, Nomination)
    page.select_option("#nm-brand", str(setup.brand_id))
    page.set_input_files(
        "#nm-img", files=[{"name": "x.png", "mimeType": "image/png", "buffer": b"%PDF-1.4"}]
    )
    page.click("#nominate-form button[type=submit]")
    expect(page.locator("#error")).to_contain_text("不是图片")
    assert _count(live_server, Nomination) == before
    page.set_input_files("#nm-img", files=[])
    page.click("#nominate-form button[type=submit]")
    expect(page.locator("#nomination-table")).to_contain_text(setup.brand_name)
    assert _count(live_server, Nomination) == before + 1
    _shot(page, "nominate-1280-zh")

    # The organiser reviews and opens scoring.
    page.context.clear_cookies()
    log_in(page, "b-admin")
    _advance(page)  # → review
    page.locator("#nomination-table button[value='1']").first.click()
    expect(page.locator("#nomination-table")).to_contain_text("通过资格审查")
    _advance(page)  # → scoring

    # The juror: a score of 12 on a 0–10 scale is refused and stores nothing.
    page.context.clear_cookies()
    log_in(page, "b-juror")
    page.goto(f"/recognition/{CODE}/jury")
    scores = _count(live_server, Score)
    inputs = page.locator("form input.input")
    for i in range(inputs.count()):
        inputs.nth(i).fill("12")
    page.locator("form button.is-primary").first.click()
    expect(page.locator(".notification.is-danger")).to_contain_text("0 到 10")
    assert _count(live_server, Score) == scores
    inputs = page.locator("form input.input")
    for i in range(inputs.count()):
        inputs.nth(i).fill("8.5")
    page.locator("form button.is-primary").first.click()
    expect(page.locator(".notification.is-success")).to_be_visible()
    _shot(page, "jury-1280-zh")

    page.context.clear_cookies()
    log_in(page, "b-admin")
    _advance(page)  # → public vote

    # A vote on a phone.
    phone = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    ).new_page()
    codes = Codes()
    logging.getLogger("plateau.recognition.sms").addHandler(codes)
    logging.getLogger("plateau.recognition.sms").setLevel(logging.INFO)
    try:
        phone.goto(f"/recognition/{CODE}/vote")
        _no_overflow(phone)
        phone.locator("input[type=radio]").first.check()
        phone.fill("#phone", "138 0013 8000")
        phone.click("#send-code")
        expect(phone.locator("#otp")).to_be_visible()
        otp = re.search(r"13800138000: (\d{6})", codes.text)
        assert otp is not None
        phone.fill("#otp", otp.group(1))
        phone.click("#cast")
        expect(phone.locator("#vote-message")).to_contain_text(setup.brand_name)
        _no_overflow(phone)
        _shot(phone, "vote-390-zh")
        ballots = _count(live_server, Ballot)
        # The same vote again (with a fresh code) changes nothing.
        phone.fill("#phone", "13800138000")
        phone.click("#send-code")
        otp = re.findall(r"13800138000: (\d{6})", codes.text)[-1]
        phone.fill("#otp", otp)
        phone.click("#cast")
        expect(phone.locator("#vote-error")).to_contain_text("未作更改")
        assert _count(live_server, Ballot) == ballots
    finally:
        logging.getLogger("plateau.recognition.sms").removeHandler(codes)
        phone.context.close()

    _advance(page)  # → public notice: results
    table = page.locator("table.results")
    expect(table).to_contain_text(setup.brand_name)
    expect(table).to_contain_text("获评")
    _shot(page, "results-1280-zh")
    page.context.add_cookies([{"name": "plateau_lang", "value": "en", "url": live_server.url}])
    page.reload()
    expect(page.locator("table.results")).to_contain_text("Recognised")
    _shot(page, "results-1280-en")
    _no_overflow(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shot(page, "results-390-en")
    _no_overflow(page)


def test_an_organiser_sets_up_an_edition_and_seats_a_conflicted_juror(
    page: Page, live_server: LiveServer
) -> None:
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        make_user(session, Role.ORGANISER, username="b-organiser")
        make_user(session, Role.JUROR, username="b-juror-2")
        employer = session.execute(
            select(Enterprise.uscc, Enterprise.name).order_by(Enterprise.name).limit(1)
        ).one()
    engine.dispose()
    log_in(page, "b-organiser")
    page.goto("/recognition")
    page.click("#new-edition")
    page.select_option("#ed-kind", "catalogue")
    page.fill("#ed-name", "2026年自治区轻工名优产品目录")
    page.fill("#ed-jw", "100")
    page.fill("#ed-d1", "2026-03-01")
    page.fill("#ed-d2", "2026-03-10")
    page.fill("#ed-d4", "2026-04-01")
    page.fill("#nc-name", "食品饮料")
    page.select_option("#nc-kind", "product")
    page.fill("input[name=crit_name_1]", "质量")
    page.fill("input[name=crit_weight_1]", "70")
    page.fill("input[name=crit_name_2]", "品牌影响")
    page.fill("input[name=crit_weight_2]", "20")
    page.click("#new-edition button[type=submit]")
    # 70 + 20 is not 100: a clear message, nothing created.
    expect(page.locator("#error")).to_contain_text("100")
    page.fill("input[name=crit_weight_2]", "30")
    page.click("#new-edition button[type=submit]")
    expect(page.locator("#note")).to_be_visible()
    expect(page.locator("form[id^=category-] input[name=cat_name_zh]")).to_have_value("食品饮料")
    # A juror whose employer is picked from the register.
    page.select_option("#ns-user", "b-juror-2")
    page.fill("#ns-name", "次仁评委")
    page.select_option("#ns-emp", employer.uscc)
    page.click("#new-seat button[type=submit]")
    seat = page.locator("form.seat").filter(has=page.locator("input[value='次仁评委']"))
    expect(seat.locator("select[name=employer]")).to_have_value(employer.uscc)
    # …then not in the register after all.
    seat.locator("select[name=employer]").select_option("_other")
    seat.locator("input[name=employer_name]").fill("西藏大学艺术学院")
    seat.locator("button[type=submit]:not([data-remove])").click()
    seat = page.locator("form.seat").filter(has=page.locator("input[value='次仁评委']"))
    expect(seat.locator("input[name=employer_name]")).to_have_value("西藏大学艺术学院")
    _shot(page, "setup-1280-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _no_overflow(page)
    _shot(page, "setup-390-zh")
    page.goto("/recognition")
    _no_overflow(page)
    _shot(page, "recognition-index-390-zh")
