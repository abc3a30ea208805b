"""No internal identifier reaches a person on the main pages, in either language, and the
navigation fits the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, log_in

pytestmark = pytest.mark.browser

# Codes that are never words, in any language.
CODES = [
    "output_value", "value_added", "enterprises_above_size", "industry:", "prefecture:",
    "program:", "park:", "lhasa_garment", "agri_food", "drinking_water", "tibetan_medicine",
    "leather_wool", "KGM", "desadv", "prodorder", "urn:epc", "on_track", "off_track",
    "at_risk", "outlier_own_history", "outlier_industry_peers", "None",
]  # fmt: skip
# Codes that are English words: wrong only on a Chinese page.
CODES_ZH = ["draft", "submitted", "approved", "region", "count", "ratio", "CNY", "demo"]

PAGES = [
    "/",
    "/monitoring/dashboard",
    "/monitoring/warnings",
    "/monitoring/returns",
    "/monitoring/completeness",
    "/monitoring/late",
    "/monitoring/region-inputs",
    "/registry/enterprises",
    "/registry/products",
    "/plan",
    "/trace",
    "/trace/mass-balance",
]


def _found(text: str, codes: list[str]) -> list[str]:
    hits = []
    for code in codes:
        m = re.search(r"(?<![A-Za-z0-9_])" + re.escape(code) + r"(?![A-Za-z0-9_])", text)
        if m:
            hits.append(f"{code!r} in …{text[max(0, m.start() - 30) : m.end() + 30]}…")
    return hits


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_main_pages_speak_in_names(page: Page, live_server: LiveServer, lang: str) -> None:
    page.context.add_cookies([{"name": "plateau_lang", "value": lang, "url": live_server.url}])
    log_in(page, "b-admin")
    codes = CODES + (CODES_ZH if lang == "zh_Hans_CN" else [])
    problems = []
    for path in PAGES:
        page.goto(path)
        text = page.inner_text("main")
        # Nothing wider than the screen: the navigation's last item (the account) included.
        right = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.navbar-item, .navbar-link')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= page.viewport_size["width"] + 1, (path, right)  # type: ignore[index]
        assert len(text) > 50, path
        problems += [f"{path}: {hit}" for hit in _found(text, codes)]
    assert problems == []


def test_the_check_finds_a_code_when_one_is_shown() -> None:
    assert _found("指标 output_value 的范围 industry:agri_food", CODES)
    assert not _found("规上轻工业总产值", CODES + CODES_ZH)
