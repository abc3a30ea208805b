"""Statistical returns in Chromium: an enterprise fills its monthly return by the web form,
officers return and approve it, the region administrator locks the period, and the region
dashboard draws its charts with a table and an export beside each."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from plateau.auth.schemas import SYSTEM, Role
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.monitoring import service
from plateau.monitoring.periods import Period, beijing_today, latest_monthly
from tests.browser.conftest import LiveServer, demo_password, log_in
from tests.builders import make_user
from tests.registry.builders import make_enterprise

# Returns entry, approval, the lock and the dashboard: all of them on both backends.
pytestmark = [pytest.mark.browser, pytest.mark.both_backends]

# Far from the demo's USCCs, and distinct per test so no test sees another's returns.
_numbers = itertools.count(970_001)


@dataclass
class Firm:
    uscc: str
    name: str
    user: str

    def url(self, period: Period) -> str:
        return f"/monitoring/returns/{self.uscc}/{period}"


@pytest.fixture
def firm(live_server: LiveServer) -> Iterator[Firm]:
    """A new small food firm in the Lhasa park, with a user of its own."""
    n = next(_numbers)
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        ent = make_enterprise(
            session, n=n, name=f"浏览器测试食品{n}有限公司", park="lhasa_etdz", industry="agri_food"
        )
        user = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}", username=f"b-{n}")
        found = Firm(uscc=ent.uscc, name=ent.name, user=user.username)
    engine.dispose()
    yield found


def file_as_system(live_server: LiveServer, firm: Firm, period: Period, *, approve: bool) -> None:
    """A return already filed and submitted (and approved), for the steps after entry."""
    engine = make_engine(live_server.db_url)
    with session_scope(make_sessionmaker(engine)) as session:
        service.save_return(
            session,
            uscc=firm.uscc,
            period=str(period),
            values={
                "output_value": "1200000",
                "revenue": "1100000",
                "value_added": "360000",
                "employees": "18",
            },
            comment=None,
            submit=True,
            actor=SYSTEM,
        )
        if approve:
            service.approve_return(session, uscc=firm.uscc, period=str(period), actor=SYSTEM)
    engine.dispose()


def switch_user(page: Page, username: str, password: str | None = None) -> None:
    page.context.clear_cookies()
    if password is None:
        log_in(page, username)
    else:
        log_in(page, username, password)


def latest() -> Period:
    return latest_monthly(beijing_today())


def test_an_enterprise_fills_its_return_fixes_the_errors_and_submits(
    page: Page, firm: Firm
) -> None:
    log_in(page, firm.user)
    page.goto("/monitoring")
    expect(page.locator("[data-own-returns]")).to_contain_text(firm.name)
    page.click("[data-file-latest]")
    page.wait_for_url(f"**{firm.url(latest())}")
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "none")

    # Text in a number column: the live check names the field, saving refuses it.
    page.fill("#v-output_value", "一百万")
    page.fill("#v-revenue", "1100000")
    page.fill("#v-value_added", "360000")
    page.fill("#v-employees", "18")
    page.locator("#v-employees").blur()
    expect(page.locator('#findings [data-problem="output_value"]')).to_contain_text(
        "“一百万”不是数字"
    )
    page.click('[data-action="save"]')
    expect(page.locator("[data-form-error]")).to_be_visible()
    expect(page.locator('[data-field-error="output_value"]')).to_contain_text("不是数字")
    expect(page.locator("#v-output_value")).to_have_value("一百万")  # what was typed stays
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "none")

    # Value added above output value: an error rule, shown live and blocking the submission.
    page.fill("#v-output_value", "1000000")
    page.fill("#v-value_added", "2000000")
    page.locator("#v-value_added").blur()
    rule = page.locator('#findings [data-rule="value_added_within_output"]')
    expect(rule).to_contain_text("不得超过工业总产值")
    page.click('[data-action="submit"]')
    expect(page.locator("[data-form-error]")).to_contain_text("不得超过工业总产值")
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "none")

    page.fill("#v-value_added", "300000")
    page.locator("#v-value_added").blur()
    # The live check's own words (the page itself says "数据通过全部审核规则").
    expect(page.locator("#findings [data-clean]")).to_have_text("没有错误或警告。")
    page.click('[data-action="save"]')
    expect(page.locator('[data-saved="save"]')).to_be_visible()
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "draft")
    expect(page.locator("#v-value_added")).to_have_value("300000")

    page.click('[data-action="submit"]')
    expect(page.locator('[data-saved="submit"]')).to_contain_text("已提交审核")
    expect(page.locator("[data-return-status]")).to_have_attribute(
        "data-return-status", "submitted"
    )
    # Submitted figures are no longer the filer's to change.
    expect(page.locator("#v-output_value")).to_have_count(0)
    # In 元, the unit its row names (and the one it was typed in).
    expect(page.locator('tr[data-element="output_value"]')).to_contain_text("1,000,000")


def test_officers_return_it_with_a_comment_then_approve_it(
    page: Page, firm: Firm, live_server: LiveServer
) -> None:
    period = latest()
    file_as_system(live_server, firm, period, approve=False)

    # The park officer finds it in the review queue and sends it back.
    park_officer = "park-lhasa_etdz"
    switch_user(page, park_officer, demo_password(live_server, park_officer))
    page.goto("/monitoring")
    page.click('a[href="/monitoring/returns?status=submitted"]')
    page.fill("#f-q", firm.uscc)
    page.click("form.filters button[type=submit]")
    row = page.locator(f'#return-table tr[data-uscc="{firm.uscc}"][data-period="{period}"]')
    expect(row).to_have_count(1)
    row.locator("a").first.click()
    page.wait_for_url(f"**{firm.url(period)}")
    page.click('[data-action="return"]')  # without a comment: refused, nothing changes
    expect(page.locator("[data-form-error]")).to_be_visible()
    expect(page.locator("[data-return-status]")).to_have_attribute(
        "data-return-status", "submitted"
    )
    comment = "员工人数与社保缴纳人数不符，请核实。"
    page.fill("#r-review", comment)
    page.click('[data-action="return"]')
    # Straight on to the next return waiting in the officer's park, saying what was done.
    expect(page.locator("[data-next-pending]")).to_contain_text(f"{firm.name}")
    expect(page.locator("[data-next-pending]")).to_contain_text("已退回修改")
    assert firm.uscc not in page.url
    page.goto(firm.url(period))
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "returned")

    # The enterprise reads the comment, corrects the figure and submits again.
    switch_user(page, firm.user)
    page.goto("/monitoring")
    page.locator(f'[data-own-returns] tr[data-period="{period}"] a').click()
    expect(page.locator("[data-review-comment]")).to_contain_text(comment)
    page.fill("#v-employees", "21")
    page.click('[data-action="submit"]')
    expect(page.locator('[data-saved="submit"]')).to_be_visible()

    # The prefecture officer approves it.
    prefecture_officer = "officer-540100"
    switch_user(page, prefecture_officer, demo_password(live_server, prefecture_officer))
    page.goto(firm.url(period))
    expect(page.locator('tr[data-element="employees"]')).to_contain_text("21")
    page.fill("#r-review", "已核实。")
    page.click('[data-action="approve"]')
    expect(page.locator("[data-next-pending]")).to_contain_text("已审核通过")
    expect(page.locator("[data-review-form]")).to_have_count(1)  # the next one, to review
    page.goto(firm.url(period))
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "approved")
    expect(page.locator("[data-review-form]")).to_have_count(0)


def test_an_officer_reminds_the_overdue_filers_of_the_area(
    page: Page, live_server: LiveServer
) -> None:
    officer = "officer-540100"
    switch_user(page, officer, demo_password(live_server, officer))
    page.goto("/monitoring/late")
    # The period picker opens on the latest period whose deadline has passed; the demo
    # always leaves someone overdue there.
    boxes = page.locator('#late-table input[name="uscc"]')
    expect(boxes.first).to_be_visible()
    chosen = boxes.first.get_attribute("value")
    boxes.first.check()
    page.fill("#remind-note", "请于本周内报送。")
    page.click("[data-remind]")
    expect(page.locator("[data-done]")).to_contain_text("已向 1 家企业发送催报")
    expect(page.locator(f'#late-table tr[data-uscc="{chosen}"] [data-reminded]')).not_to_have_text(
        "—"
    )
    # Again the same day: nobody is reminded twice.
    page.locator(f'#late-table input[value="{chosen}"]').check()
    page.click("[data-remind]")
    expect(page.locator("[data-done]")).to_contain_text("已向 0 家企业发送催报")


def test_the_region_admin_locks_the_period_and_the_enterprise_can_no_longer_edit(
    page: Page, firm: Firm, live_server: LiveServer, tmp_path: Path
) -> None:
    # The latest month: the only one the demo never locks, whatever today's date. The test
    # reopens it at the end, so the other tests can still file for it.
    period = latest()
    file_as_system(live_server, firm, period, approve=True)

    switch_user(page, "b-admin")
    page.goto("/monitoring/periods")
    row = page.locator(f'#period-table tr[data-period="{period}"]')
    expect(row).to_have_attribute("data-locked", "false")
    row.locator(f'form[data-lock="{period}"] button').click()
    expect(page.locator("[data-done]")).to_contain_text(f"报告期 {period} 已锁定")
    expect(row).to_have_attribute("data-locked", "true")

    switch_user(page, firm.user)
    page.goto(firm.url(period))
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "locked")
    expect(page.locator("[data-locked]")).to_be_visible()
    expect(page.locator("#return-form input[name^=v_]")).to_have_count(0)
    expect(page.locator("[data-action]")).to_have_count(0)

    # Nor by upload: the file is refused with the reason, and the figure stays.
    path = tmp_path / "returns.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["uscc", "period", "output_value", "revenue", "value_added", "employees"])
        writer.writerow([firm.uscc, str(period), "5000000", "4800000", "1500000", "30"])
    page.goto("/monitoring/import")
    page.set_input_files("#i-file", str(path))
    page.click("form.import-form button[type=submit]")
    expect(page.locator("[data-import-failed]")).to_be_visible()
    expect(page.locator('table.error-report tr[data-row="2"]')).to_contain_text(
        f"报告期 {period} 已被自治区管理员锁定"
    )
    page.goto(firm.url(period))
    expect(page.locator('tr[data-element="output_value"]')).to_contain_text("1,200,000")
    expect(page.locator('tr[data-element="output_value"]')).not_to_contain_text("5,000,000")

    # Only reopening, with a reason, unlocks it: the return is approved again, not editable.
    switch_user(page, "b-admin")
    page.goto("/monitoring/periods")
    reopen = page.locator(f'form[data-reopen="{period}"]')
    reopen.locator("input[name=reason]").fill("浏览器测试：核对后重新开放")
    reopen.locator("button").click()
    expect(page.locator("[data-done]")).to_contain_text(f"报告期 {period} 已重新开放")
    expect(row).to_have_attribute("data-locked", "false")
    page.goto(firm.url(period))
    expect(page.locator("[data-return-status]")).to_have_attribute("data-return-status", "approved")


def test_the_region_dashboard_draws_charts_with_tables_notes_and_exports(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, "b-admin")
    page.goto("/monitoring/dashboard")
    expect(page.locator("h1[data-scope]")).to_have_attribute("data-scope", "region")
    expect(page.locator('[data-note="above-size"]')).to_contain_text("规上")
    expect(page.locator('[data-kpi="output_value"] .value')).not_to_have_text("—")

    trends = page.locator("section[data-chart-indicator]")
    expect(trends.first).to_be_visible()
    assert trends.count() >= 3
    for section in [*trends.all(), *page.locator("section[data-monthly]").all()]:
        # ECharts draws into a canvas; the same figures sit in the table beside it.
        expect(section.locator(".chart canvas")).to_have_count(1)
        assert section.locator("table tbody tr").count() >= 1
        expect(section.locator('[data-export="xlsx"]')).to_be_visible()
    breakdown = page.locator('section[data-breakdown="prefecture"]')
    expect(breakdown.locator(".chart canvas")).to_have_count(1)
    expect(breakdown.locator("table")).to_contain_text("拉萨")

    with page.expect_download() as info:
        page.click('.table-wrap:has([data-table="progress"]) + .buttons [data-export="csv"]')
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    progress = page.locator('[data-table="progress"] tbody tr')
    assert len(rows) == progress.count() + 1
    assert any("output_value" in ",".join(r) or "工业总产值" in ",".join(r) for r in rows[1:])

    # The scope picker works without inline script (CSP): its handler lives in plateau.js.
    picker = page.locator("form[data-path-form]")
    picker.locator("select").select_option("prefecture:540100")
    picker.locator("button, input[type=submit]").first.click()
    page.wait_for_url("**/monitoring/dashboard/prefecture:540100")
    expect(page.locator("h1[data-scope]")).to_have_attribute("data-scope", "prefecture:540100")
