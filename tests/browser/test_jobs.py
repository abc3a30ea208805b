"""A large import in a real browser: the page hands it to a job and shows its progress."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.registry.builders import csv_bytes, uscc

pytestmark = pytest.mark.browser


def _shot(page: Page, name: str) -> None:
    # PLATEAU_SHOTS=<dir> keeps screenshots to look at; otherwise none are written.
    folder = os.environ.get("PLATEAU_SHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_large_trial_import_runs_as_a_job_with_its_progress_page(
    page: Page, tmp_path: Path
) -> None:
    rows = [["uscc", "name", "prefecture", "industry", "address"]]
    rows += [
        [
            uscc(900_000 + n),
            f"浏览器大文件企业{n}",
            "540100",
            "agri_food",
            "拉萨市" + "北京中路" * 19,
        ]
        for n in range(900)
    ]
    data = csv_bytes(rows)
    assert len(data) > 256 * 1024  # above the default threshold: a background job
    big = tmp_path / "big.csv"
    big.write_bytes(data)

    log_in(page, "b-admin")
    page.goto("/registry/import")
    page.select_option("#i-kind", "enterprises")
    page.set_input_files("#i-file", str(big))
    page.check("input[name=dry_run]")
    page.click("form.import-form button[type=submit]")

    page.wait_for_url("**/jobs/*")
    expect(page.locator("h1.title")).to_have_text("登记信息文件导入")
    # The worker thread of the server runs it; HTMX polls the partial until it ends.
    box = page.locator(".job-progress")
    expect(box).to_have_attribute("data-job-state", "succeeded", timeout=60_000)
    expect(box).to_contain_text("检查通过：全部 900 行均有效")
    _shot(page, "job-zh-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    _shot(page, "job-zh-390")

    job_path = page.url.split(page.url.split("/jobs/")[0], 1)[1]
    page.goto(f"/lang/en?next={job_path}")  # the phone layout folds the menu away
    expect(page.locator("h1.title")).to_have_text("Registry file import")
    expect(page.locator(".job-progress")).to_contain_text("Finished")
    _shot(page, "job-en-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/jobs")
    expect(page.locator("table")).to_contain_text("Registry file import")
    _shot(page, "jobs-en-1280")
    page.click('a[data-lang="zh_Hans_CN"]')
    expect(page.locator("table")).to_contain_text("登记信息文件导入")
    _shot(page, "jobs-zh-1280")
