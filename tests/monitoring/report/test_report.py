"""The mid-term evaluation report on the demo history (loaded once per backend).

PDF rendering is slow, so the module renders one PDF (through the CLI) and checks it there.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.errors import Forbidden, NotFound, ValidationFailed
from plateau.formatting import fmt_value
from plateau.i18n import set_locale
from plateau.monitoring.analytics import service as analytics_service
from plateau.monitoring.analytics.labels import status_label
from plateau.monitoring.report import cli as report_cli
from plateau.monitoring.report import service
from plateau.monitoring.report.schemas import Report
from tests.monitoring.demo_world import loaded_demo

TODAY = date(2026, 3, 10)  # returns up to 2026-02
YEAR = 2024
USERS = {
    "admin": "admin",
    "analyst": "analyst",
    "lhasa": "officer-540100",
    "nagqu": "officer-540600",
    "park": "park-lhasa_etdz",
    "water": "ent-water",
}


@dataclass
class Demo:
    session: Session
    client: TestClient
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo loaded once for the module inside a transaction rolled back at the end."""
    with loaded_demo(engine, tmp_path_factory.mktemp("report-demo"), today=TODAY, users=USERS) as d:
        yield Demo(d.session, d.client, d.tokens)


@pytest.fixture(scope="module")
def region(demo: Demo) -> Report:
    set_locale("zh_Hans_CN")
    return service.build_report(demo.session, actor=SYSTEM, year=YEAR)


def _target(report: Report, indicator: str, year: int, scope: str = "region"):  # type: ignore[no-untyped-def]
    return next(
        p
        for g in report.groups
        for p in g.targets
        if (p.indicator, p.target_year, p.scope) == (indicator, year, scope)
    )


# --- the numbers and the text ---


def test_numbers_are_the_engines_as_of_the_year(demo: Demo, region: Report) -> None:
    assert (region.year, region.period, region.as_of) == (YEAR, "2024", "2024-12")
    ctx = analytics_service.context(
        demo.session, actor=SYSTEM, as_of=date(YEAR, 12, 1), monthly_years=()
    )
    engine_rows = {
        (p.indicator, p.scope, p.target_year): p
        for p in analytics_service.progress_rows(
            ctx, [s for s in ctx.table.scopes.values() if s.kind in ("region", "program")]
        )
    }
    main = region.groups[0]
    assert main.key == "main" and main.targets
    assert {p.scope for p in main.targets} == {"region", "program:lhasa_garment"}
    for p in main.targets:
        e = engine_rows[(p.indicator, p.scope, p.target_year)]
        assert (p.actual, p.status, p.projection, p.probability) == (
            e.actual,
            e.status,
            e.projection,
            e.probability,
        )
    out = _target(region, "output_value", 2025)
    # The value of 2024 is the record `plateau indicators --year 2024` prints.
    record = next(
        r
        for r in analytics_service.records(demo.session, actor=SYSTEM, year=YEAR, scope="region")
        if r.indicator == "output_value"
    )
    assert out.actual == pytest.approx(record.value, abs=0.01)
    assert out.period == "2024"
    assert out.completion_pct == pytest.approx(100 * out.actual / out.target)
    assert out.target == 7.5e9
    assert out.status in ("on_track", "at_risk", "off_track")
    assert out.projection_low is not None and out.projection_high is not None
    counts = {c.status: c.count for c in region.status_counts}
    assert sum(counts.values()) == len(main.targets)
    # A target whose year is over counts as met or not met; the others by their status.
    over = [p for p in main.targets if p.status and p.target_year <= YEAR]
    assert over, "the 2024 report has targets due in 2024"
    assert counts["met"] == sum(p.status == "on_track" for p in over)
    assert counts["missed"] == sum(p.status != "on_track" for p in over)
    assert counts["on_track"] == sum(
        p.status == "on_track" for p in main.targets if p.target_year > YEAR
    )


def test_generated_chinese_text_has_the_figures(region: Report) -> None:
    out = _target(region, "output_value", 2025)
    set_locale("zh_Hans_CN")
    value = fmt_value(out.actual, "CNY")
    paragraph = next(t for t in region.paragraphs if t.startswith("2024年规上轻工业总产值"))
    assert paragraph.startswith(f"2024年规上轻工业总产值{value}，完成2025年目标")
    assert f"{out.completion_pct:.1f}%" in paragraph
    assert "75亿元" in paragraph
    assert f"{100 * out.probability:.0f}%" in paragraph
    assert any("项目标中" in t for t in region.summary)
    assert any(t.startswith("按行业看") for t in region.paragraphs)
    assert any(t.startswith("按地市看") for t in region.paragraphs)
    assert "中期评估报告" in region.title and region.synthetic


def test_english_report(demo: Demo) -> None:
    set_locale("en")
    try:
        report = service.build_report(demo.session, actor=SYSTEM, year=YEAR)
    finally:
        set_locale("zh_Hans_CN")
    out = _target(report, "output_value", 2025)
    assert any(
        t.startswith("In 2024, output value of above-designated-size light industry was CNY")
        and f"{out.completion_pct:.1f}% of the 2025 target" in t
        for t in report.paragraphs
    )
    assert "mid-term evaluation" in report.title.lower()


def test_a_year_in_progress_and_a_year_without_returns(demo: Demo) -> None:
    report = service.build_report(demo.session, actor=SYSTEM, year=2026)
    assert report.period == "2026-01/2026-02" and not report.complete
    assert any(t.startswith("2026年1—2月") for t in report.paragraphs)
    with pytest.raises(ValidationFailed) as exc:
        service.build_report(demo.session, actor=SYSTEM, year=2031)
    assert "2031" in exc.value.message and "2019" in exc.value.message


def test_prefecture_report(demo: Demo) -> None:
    report = service.build_report(demo.session, actor=SYSTEM, year=YEAR, scope="prefecture:540100")
    assert report.scope == "prefecture:540100" and report.scope_name == "拉萨市"
    # Lhasa's report carries the garment program of Lhasa.
    assert {p.scope for p in report.groups[0].targets} <= {
        "prefecture:540100",
        "program:lhasa_garment",
    }
    output = next(k for k in report.key_figures if k.indicator == "output_value")
    ctx = analytics_service.context(
        demo.session, actor=SYSTEM, as_of=date(YEAR, 12, 1), monthly_years=()
    )
    assert output.value == ctx.table.value("output_value", "prefecture:540100", YEAR)
    region_value = ctx.table.value("output_value", "region", YEAR)
    assert output.region_share_pct == pytest.approx(100 * output.value / region_value)
    assert any(t.startswith("2024年拉萨市规上轻工业总产值") for t in report.summary)
    assert [b.title_key for b in report.breakdowns] == ["park"]


# --- access ---


@pytest.mark.parametrize(
    ("who", "params", "expected"),
    [
        ("admin", {}, 200),
        ("analyst", {"scope": "prefecture:540600"}, 200),
        ("lhasa", {}, 200),
        ("lhasa", {"scope": "prefecture:540100"}, 200),
        ("lhasa", {"scope": "region"}, 404),
        ("lhasa", {"scope": "prefecture:540600"}, 404),
        ("nagqu", {"scope": "prefecture:540100", "format": "xlsx"}, 404),
        ("park", {}, 403),
        ("water", {}, 403),
        ("water", {"format": "xlsx"}, 403),
    ],
)
def test_access(demo: Demo, who: str, params: dict[str, str], expected: int) -> None:
    resp = demo.client.get(
        "/monitoring/report", params={"year": YEAR, **params}, headers=demo.headers(who)
    )
    assert resp.status_code == expected
    if expected == 200 and "format" not in params:
        scope = params.get("scope") or (
            "region" if who in ("admin", "analyst") else "prefecture:540100"
        )
        assert f'data-report="{scope}"' in resp.text


def test_the_public_must_log_in(demo: Demo) -> None:
    resp = demo.client.get("/monitoring/report", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


def test_service_refuses_outside_the_area(demo: Demo) -> None:
    from plateau.auth.schemas import Actor, Role

    officer = Actor(role=Role.PREFECTURE_OFFICER, username="x", scope="prefecture:540100")
    assert service.resolve_scope(officer, None) == "prefecture:540100"
    with pytest.raises(NotFound):
        service.resolve_scope(officer, "region")
    with pytest.raises(Forbidden):
        service.resolve_scope(Actor(role=Role.PARK_OFFICER, username="p", scope="park:x"), None)


# --- the page and the downloads ---


def test_page_has_text_tables_svg_charts_and_downloads(demo: Demo, region: Report) -> None:
    resp = demo.client.get(
        "/monitoring/report", params={"year": YEAR}, headers=demo.headers("admin")
    )
    assert resp.status_code == 200
    html = resp.text
    assert 'data-table="targets-main"' in html and 'data-table="breakdown-industry"' in html
    assert 'data-table="breakdown-prefecture"' in html
    assert html.count("<svg") >= len(region.charts) + 1
    # Charts are drawn on the server: the report itself needs no script.
    body = html[html.index('<article class="report"') : html.index("</article>")]
    assert "<script" not in body
    assert 'data-note="synthetic"' in html and 'data-note="above-size"' in html
    assert "规上" in html
    for fmt in ("pdf", "xlsx", "html"):
        assert f'data-download="{fmt}"' in html
    assert 'data-nav="report"' in html


def test_excel_download_has_numbers(demo: Demo, region: Report) -> None:
    resp = demo.client.get(
        "/monitoring/report", params={"year": YEAR, "format": "xlsx"}, headers=demo.headers("admin")
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    assert len(wb.sheetnames) >= 5  # summary, targets, industries' targets, figures, breakdowns…
    ws = wb[wb.sheetnames[1]]
    header = [c.value for c in ws[1]]
    year = header.index("目标年份")
    row = next(
        r for r in ws.iter_rows(min_row=2) if r[1].value == "output_value" and r[year].value == 2025
    )
    # Names, not codes: the plan's title, the scope's name, the unit in words.
    assert row[0].value.startswith("西藏自治区") and row[3].value == "西藏自治区"
    assert row[header.index("单位")].value == "元"
    actual = row[header.index("实际值")]
    out = _target(region, "output_value", 2025)
    assert isinstance(actual.value, float) and actual.value == pytest.approx(out.actual)
    assert actual.number_format != "General"
    completion = row[header.index("完成率")]
    assert completion.value == pytest.approx(out.completion_pct / 100)
    assert completion.number_format == "0.0%"
    summary = wb[wb.sheetnames[0]]
    texts = [c.value for c in summary["A"] if isinstance(c.value, str)]
    assert any(t.startswith("2024年规上轻工业总产值") for t in texts)


# --- the CLI (and the one PDF) ---


@contextmanager
def _open(session: Session) -> Iterator[Session]:
    yield session


def test_cli_writes_pdf_html_and_xlsx(
    demo: Demo, region: Report, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(runtime, "open_session", lambda: _open(demo.session))
    runner = CliRunner()
    pdf = tmp_path / "report.pdf"
    result = runner.invoke(report_cli.app, ["--year", str(YEAR), "--out", str(pdf)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(pdf)
    assert len(reader.pages) > 5
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "中期评估报告" in text
    out = _target(region, "output_value", 2025)
    assert fmt_value(out.actual, "CNY") in text
    assert "合成" in reader.pages[0].extract_text()  # synthetic data, said on the cover
    # Status labels print on one line (a narrow column once broke them one glyph a line).
    shown = {p.status for g in region.groups for p in g.targets if p.status}
    assert shown
    for status in shown:
        assert status_label(status) in text, status
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any(re.search(r"Noto.?S(ans|erif).?CJK.?SC", f) for f in fonts), fonts
    # Page numbers in the footer: "2 / N" on the second page.
    assert f"2 / {len(reader.pages)}" in reader.pages[1].extract_text()
    _looks_like_a_report_for_leaders(reader, region)

    html = tmp_path / "report.html"
    result = runner.invoke(report_cli.app, ["--year", str(YEAR), "--out", str(html)])
    assert result.exit_code == 0, result.output
    assert "<svg" in html.read_text(encoding="utf-8")
    xlsx = tmp_path / "report.xlsx"
    result = runner.invoke(
        report_cli.app,
        ["--year", str(YEAR), "--out", str(xlsx), "--scope", "prefecture:540100"],
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(xlsx).sheetnames


def _looks_like_a_report_for_leaders(reader: PdfReader, region: Report) -> None:
    """Dense pages, a summary first, landscape tables with whole names, Beijing time."""
    pages = [page.extract_text() for page in reader.pages]
    # It was 28 pages of 4-7 rows each; the demo's report now fits in well under 20.
    assert len(pages) <= 18, len(pages)
    assert "北京时间" in pages[0] and "目录" in pages[0]  # cover and contents share a page
    # The executive summary comes first, with every outcome in words and in numbers.
    assert "摘要" in pages[1]
    for count in region.status_counts:
        assert count.label in pages[1], count.label
    assert "已完成" in pages[1] and "未完成" in pages[1]
    # The wide tables are on landscape pages.
    landscape = [
        i for i, page in enumerate(reader.pages) if page.mediabox.width > page.mediabox.height
    ]
    assert any("目标完成进度" in pages[i] for i in landscape)
    assert any("分项情况" in pages[i] for i in landscape)
    # No column narrower than its longest word: every scope and part name prints on one
    # line (a one-glyph-wide column stacked them vertically, one character a line).
    text = "\n".join(pages)
    names = {p.scope_name for g in region.groups for p in g.targets}
    names |= {r.name for b in region.breakdowns for r in b.rows}
    assert len(names) > 10
    for name in names:
        assert name in text, name
    # Money columns say their unit once, in the header, and the cells are bare numbers.
    assert "（亿元）" in text or "(亿元)" in text


def test_charts_print_whole_labels_and_count_in_whole_units(region: Report) -> None:
    from plateau.monitoring.report import charts, documents

    html = documents.to_html(region, toc=True)
    labels = re.findall(r"<text [^>]*>([^<]*)</text>", html)
    assert labels and not any("…" in t for t in labels)
    # A long label wraps onto lines that, read together, give the whole name.
    svg = str(charts.completion(region.groups[0].targets))
    drawn = "".join(re.findall(r"<text [^>]*>([^<]*)</text>", svg))
    for p in region.groups[0].targets:
        if p.completion_pct is not None and p.measure != "growth":
            assert p.indicator_name in drawn, p.indicator_name
    for chart in region.charts:
        if chart.unit != "count":
            continue
        svg = str(charts.trend(chart))
        ticks = re.findall(r'text-anchor="end" font-size="9"[^>]*>([^<]+)</text>', svg)
        assert ticks[-1] in ("家", "个"), ticks
        assert all("." not in t for t in ticks[:-1]), (chart.indicator, ticks)
        # An 80% interval of a count never goes below zero (the axis would show it).
        assert not any(t.startswith("-") for t in ticks), (chart.indicator, ticks)


def test_a_finished_target_states_its_outcome(region: Report) -> None:
    from plateau.monitoring.report import documents

    html = documents.to_html(region)
    done = [p for p in region.groups[0].targets if p.status and p.target_year <= region.year]
    assert done
    for p in done:
        row = re.search(
            rf'<tr data-indicator="{p.indicator}" data-scope="{re.escape(p.scope)}" '
            rf'data-target-year="{p.target_year}">(.*?)</tr>',
            html,
            re.S,
        )
        assert row is not None
        expected = "met" if p.status == "on_track" else "missed"
        assert f'data-outcome="{expected}"' in row.group(1)
        assert "%</td>" in row.group(1)  # the completion rate, but no probability
        assert row.group(1).rstrip().endswith('<td class="num">—</td>')


def test_cli_refuses_a_bad_extension_or_year(
    demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(runtime, "open_session", lambda: _open(demo.session))
    runner = CliRunner()
    bad = tmp_path / "report.docx"
    result = runner.invoke(report_cli.app, ["--year", str(YEAR), "--out", str(bad)])
    assert result.exit_code != 0 and ".pdf" in result.output
    assert not bad.exists()
    none = tmp_path / "report.pdf"
    result = runner.invoke(report_cli.app, ["--year", "2031", "--out", str(none)])
    assert result.exit_code != 0 and "2031" in result.output
    assert not none.exists()


# --- layout (issue #3, defect 8) ---


def test_completion_labels_keep_clear_of_the_100_percent_line() -> None:
    from plateau.monitoring.report import charts

    values = [95.0, 99.0, 100.0, 101.0, 40.0, 120.0]
    svg = str(
        charts.bars(
            [f"指标{i}" for i in range(len(values))],
            values,
            axis="%",
            reference=100.0,
            label_width=260,
            suffix="%",
        )
    )
    line = re.search(r'<line x1="([\d.]+)" x2="[\d.]+" y1="\d+" y2="\d+" stroke="#c0392b"', svg)
    assert line is not None
    ref_x = float(line.group(1))
    labels = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="start"[^>]*>([^<]+%)</text>', svg
    )
    assert len(labels) == len(values)
    for x, text in labels:
        start = float(x)
        end = start + charts.text_width(text)
        assert not (start - 2 <= ref_x <= end + 2), (text, start, end, ref_x)


def test_the_status_column_does_not_wrap(region: Report) -> None:
    from plateau.monitoring.report import documents

    html = documents.to_html(region)
    cells = re.findall(r'<td class="status-col" style="([^"]+)"', html)
    assert cells and all("white-space: nowrap" in c and "min-width" in c for c in cells)
