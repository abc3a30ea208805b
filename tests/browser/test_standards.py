"""The standards programme in Chromium: the administrator registers a standard, moves it on by
status name and edits its participants by picker; the register is cards on a phone."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


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
    # Participants by picker: the demo registers more enterprises than a plain list holds, so
    # the picker searches; pinyin initials of the last one (not on the first page) find it.
    target, initials = _last_enterprise(live_server)
    box = page.locator("#add-uscc-q")
    expect(box).to_be_visible()
    assert page.locator(f"#add-uscc option[value='{target[0]}']").count() == 0
    box.fill(initials)
    expect(page.locator(f"#add-uscc option[value='{target[0]}']")).to_have_count(1)
    expect(page.locator("#add-uscc-n")).not_to_contain_text("50 项")
    page.select_option("#add-uscc", target[0])
    page.click("#add-participant button[type=submit]")
    expect(page.locator("#participant-list")).to_contain_text(target[1])
    page.locator("#participant-list button").first.click()
    expect(page.locator("#participant-list")).not_to_contain_text(target[1])
    # Correcting the entry: a one-character title is refused in Chinese, then a good one saved
    # and shown in the history by name.
    page.click("#edit-box summary")
    page.fill("#ed-title", "牦")
    page.click("#edit-form button[type=submit]")
    expect(page.locator("#error")).to_contain_text("至少")
    page.fill("#ed-title", "牦牛风干肉等级")
    page.select_option("#ed-level", "local")
    page.click("#edit-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("牦牛风干肉等级")
    expect(page.locator("#history-table")).to_contain_text("地方标准")
    # The text as a PDF: a picture is refused with a message, a PDF attached and public.
    page.set_input_files(
        "#doc-file", files=[{"name": "x.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a"}]
    )
    page.click("#document-form button[type=submit]")
    expect(page.locator("#error")).to_contain_text("PDF")
    page.set_input_files(
        "#doc-file", files=[{"name": "标准文本.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#document-form button[type=submit]")
    expect(page.locator("#document a")).to_have_text("标准文本.pdf")
    if shots:
        page.screenshot(path=f"{shots}/standard-1280-zh.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{shots}/standard-390-zh.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/standards")
    expect(page.locator("#register thead")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Paged: one page of the register on a phone is a few screens, not fifteen.
    assert page.locator("#register tr[data-standard]").count() <= 20
    if shots:
        page.screenshot(path=f"{shots}/standards-390-zh.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.reload()
        page.screenshot(path=f"{shots}/standards-1280-zh.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
    assert page.evaluate("document.documentElement.scrollHeight") < 9000


def _last_enterprise(live_server: LiveServer) -> tuple[tuple[str, str], str]:
    """The enterprise last by name (past a picker's first page) and its pinyin initials."""
    from sqlalchemy import select

    from plateau.collation import pinyin_initials
    from plateau.db import make_engine, make_sessionmaker, session_scope
    from plateau.registry.models import Enterprise

    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        rows = [tuple(r) for r in session.execute(select(Enterprise.uscc, Enterprise.name))]
    engine.dispose()
    rows.sort(key=lambda r: r[1])
    for uscc, name in reversed(rows):
        initials = pinyin_initials(name)
        if len(initials) >= 3 and sum(initials in pinyin_initials(n) for _u, n in rows) == 1:
            return (uscc, name), initials
    raise AssertionError("no enterprise with distinctive initials")
