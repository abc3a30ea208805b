"""The report as files: a standalone HTML document, a PDF (WeasyPrint) and an Excel workbook."""

from __future__ import annotations

import io
from typing import Any

from plateau.formatting import beijing_time, unit_label
from plateau.i18n import HTML_LANG, _, get_locale, lazy
from plateau.monitoring.analytics.indicators import catalog
from plateau.monitoring.analytics.labels import MEASURE_LABELS, status_label
from plateau.monitoring.analytics.schemas import TargetProgress
from plateau.monitoring.report import charts, service
from plateau.monitoring.report.schemas import Report
from plateau.tabular import no_formulas
from plateau.web.templating import environment

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BREAKDOWN_TITLES = {
    "industry": lazy("By industry"),
    "prefecture": lazy("By prefecture"),
    "park": lazy("By park"),
}


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}%"


class Scale:
    """One unit for a row or column of figures: the divisor, its name and the decimals."""

    def __init__(self, divisor: float, label: str, digits: int) -> None:
        self.divisor, self.label, self.digits = divisor, label, digits

    def __call__(self, value: float | None) -> str:
        if value is None:
            return "—"
        text = f"{value / self.divisor:,.{self.digits}f}"
        if text.startswith("-") and not text.strip("-0.,"):
            text = text[1:]
        return text


def scale_for(unit: str, values: list[float | None], *, noun: str = "") -> Scale:
    """The unit a set of figures is printed in: money in 亿元 when the largest is at least
    one 亿, else in 万元 (millions in English); tonnes in 万吨 from 10,000 t; counts whole,
    in 家 for enterprises and factories, 个 for the rest."""
    big = max((abs(v) for v in values if v is not None), default=0.0)
    english = get_locale() == "en"
    if unit == "CNY":
        if english:
            return Scale(1e6, "CNY million", 2)
        return Scale(1e8, "亿元", 2) if big >= 1e8 else Scale(1e4, "万元", 2)
    if unit == "t":
        if not english and big >= 1e4:
            return Scale(1e4, "万吨", 2)
        return Scale(1.0, unit_label("t"), 0)
    if unit == "count":
        return Scale(1.0, charts.count_noun(noun), 0)
    if unit == "%":
        return Scale(1.0, "%", 2)
    return Scale(1.0, unit_label(unit), 2)


def row_scale(p: TargetProgress) -> Scale:
    """The unit of one target's row (its actual, target, projection and interval)."""
    values = [p.actual, p.target, p.target_max, p.projection]
    return scale_for(p.unit, values, noun=p.indicator)


def column_scale(indicator: str, values: list[float | None]) -> Scale:
    """The unit of one column of a breakdown (one indicator for every part)."""
    unit = "count" if indicator == "enterprises_above_size" else "CNY"
    return scale_for(unit, values, noun=indicator)


def low_bound(p: TargetProgress) -> float | None:
    """The low end of a projection interval: a count is never negative."""
    if p.projection_low is None:
        return None
    return max(0.0, p.projection_low) if p.unit == "count" else p.projection_low


def template_context(report: Report) -> dict[str, Any]:
    """What ``report/_body.html`` needs besides the report: charts, labels, formats."""

    def outcome(p: Any) -> str:
        return service.outcome(p, year=report.year, complete=report.complete)

    def final(p: Any) -> bool:
        return service.is_final(p, year=report.year, complete=report.complete)

    main = report.groups[0].targets if report.groups else []
    attention = [p for p in main if outcome(p) in ("missed", "off_track")]
    return {
        "report": report,
        "outcome": outcome,
        "outcome_label": service.outcome_label,
        "final": final,
        "attention": attention,
        "row_scale": row_scale,
        "column_scale": column_scale,
        "key_scale": lambda k: scale_for(k.unit, [k.value, k.previous], noun=k.indicator),
        "low_bound": low_bound,
        "generated": beijing_time(report.generated_at),
        "completion_svg": charts.completion(main, outcome=outcome),
        "trend_svgs": [(c, charts.trend(c, height=215)) for c in report.charts],
        "breakdown_svgs": [(b, charts.breakdown(b)) for b in report.breakdowns],
        "breakdown_titles": {k: _(v) for k, v in BREAKDOWN_TITLES.items()},
        "names": {i.id: i.name for i in catalog().indicators},
        "scope_names": {p.scope: p.scope_name for g in report.groups for p in g.targets},
        "status_label": status_label,
        "MEASURE_LABELS": MEASURE_LABELS,
        "pct": _pct,
        "html_lang": HTML_LANG[get_locale()],
    }


def filename(report: Report, fmt: str) -> str:
    return f"evaluation-report-{report.scope.replace(':', '-')}-{report.year}.{fmt}"


def to_html(report: Report, *, toc: bool = False) -> str:
    """The report as one self-contained HTML file (styles and charts inline, no script)."""
    template = environment().get_template("report/document.html")
    return template.render({**template_context(report), "toc": toc})


def to_pdf(report: Report) -> bytes:
    """The report as an A4 PDF with a cover, contents and page numbers, in a CJK font."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=to_html(report, toc=True)).write_pdf()
    return pdf


# --- Excel ---

NUMBER_FORMATS = {"CNY": "#,##0.00", "count": "0", "%": "0.00", "t": "#,##0.0"}


def _format(unit: str) -> str:
    return NUMBER_FORMATS.get(unit, "#,##0.####")


def to_xlsx(report: Report) -> bytes:
    """The report as a workbook: one sheet per section, numbers stored as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    bold = Font(bold=True)

    def header(ws: Worksheet, titles: list[str]) -> None:
        ws.append(titles)
        for cell in ws[ws.max_row]:
            cell.font = bold
        ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)

    def widths(ws: Worksheet, values: dict[str, int]) -> None:
        for col, w in values.items():
            ws.column_dimensions[col].width = w

    summary = wb.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    summary.append([report.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("Evaluation period"), report.period])
    summary.append([_("Returns up to"), report.as_of or ""])
    if report.synthetic:
        summary.append(
            [
                _(
                    "The data in this report are synthetic (the demo dataset), not official statistics."
                )
            ]
        )
    summary.append([])
    for count in report.status_counts:
        summary.append([count.label, count.count])
    summary.append([])
    for text in [*report.summary, *report.paragraphs]:
        summary.append([text])
        summary.cell(row=summary.max_row, column=1).alignment = Alignment(wrap_text=True)
    summary.append([])
    for note in report.notes.values():
        summary.append([note])
        summary.cell(row=summary.max_row, column=1).alignment = Alignment(wrap_text=True)
    widths(summary, {"A": 120, "B": 16})

    for group in report.groups:
        ws = wb.create_sheet(group.title[:31])
        header(
            ws,
            [
                _("Plan"),
                _("Indicator code"),
                _("Indicator"),
                _("Scope"),
                _("Unit"),
                _("Reporting period"),
                _("Actual"),
                _("Target year"),
                _("Target"),
                _("Target (upper end)"),
                _("Completion"),
                _("Status"),
                _("Projection"),
                _("Projection, 80% low"),
                _("Projection, 80% high"),
                _("Probability of meeting the target"),
            ],
        )
        for p in group.targets:
            ws.append(
                [
                    report.plan_names.get(p.plan_id, p.plan_id),
                    p.indicator,
                    p.indicator_name,
                    p.scope_name,
                    unit_label(p.unit),
                    p.period,
                    p.actual,
                    p.target_year,
                    p.target,
                    p.target_max,
                    None if p.completion_pct is None else p.completion_pct / 100.0,
                    status_label(p.status) if p.status else None,
                    p.projection,
                    low_bound(p),
                    p.projection_high,
                    p.probability,
                ]
            )
            row = ws.max_row
            for col in (7, 9, 10, 13, 14, 15):
                ws.cell(row=row, column=col).number_format = _format(p.unit)
            ws.cell(row=row, column=11).number_format = "0.0%"
            ws.cell(row=row, column=16).number_format = "0%"
        widths(ws, {"A": 30, "B": 26, "C": 40, "D": 22, "E": 8, "F": 16})

    ws = wb.create_sheet(_("Key figures")[:31])
    header(
        ws,
        [
            _("Indicator code"),
            _("Indicator"),
            _("Unit"),
            report.period,
            str(report.year - 1),
            _("Change"),
            _("Share of the region"),
        ],
    )
    for k in report.key_figures:
        ws.append(
            [
                k.indicator,
                k.indicator_name,
                unit_label(k.unit),
                k.value,
                k.previous,
                None if k.change_pct is None else k.change_pct / 100.0,
                None if k.region_share_pct is None else k.region_share_pct / 100.0,
            ]
        )
        row = ws.max_row
        ws.cell(row=row, column=4).number_format = _format(k.unit)
        ws.cell(row=row, column=5).number_format = _format(k.unit)
        ws.cell(row=row, column=6).number_format = "0.0%"
        ws.cell(row=row, column=7).number_format = "0.0%"
    widths(ws, {"A": 26, "B": 44, "C": 8, "D": 18, "E": 18})

    names = {i.id: i.name for i in catalog().indicators}
    for b in report.breakdowns:
        ws = wb.create_sheet(_(BREAKDOWN_TITLES[b.title_key])[:31])
        header(
            ws,
            [
                _("Name"),
                *[names.get(i, i) for i in b.indicators],
                _("Share of output"),
                _("Output growth"),
            ],
        )
        for r in b.rows:
            ws.append(
                [
                    r.name,
                    *[r.values.get(i) for i in b.indicators],
                    None if r.share_pct is None else r.share_pct / 100.0,
                    None if r.growth_pct is None else r.growth_pct / 100.0,
                ]
            )
            row = ws.max_row
            for j, i in enumerate(b.indicators, start=2):
                ws.cell(row=row, column=j).number_format = _format(
                    "count" if i == "enterprises_above_size" else "CNY"
                )
            for col in (len(b.indicators) + 2, len(b.indicators) + 3):
                ws.cell(row=row, column=col).number_format = "0.0%"
        widths(ws, {"A": 24, "B": 18, "C": 18, "D": 18, "E": 14, "F": 14})

    scope_names = {p.scope: p.scope_name for g in report.groups for p in g.targets}
    ws = wb.create_sheet(_("Trends")[:31])
    header(
        ws,
        [
            _("Indicator code"),
            _("Indicator"),
            _("Scope"),
            _("Unit"),
            _("Year"),
            _("Actual"),
            _("Trajectory"),
            _("Projection"),
            _("Projection, 80% low"),
            _("Projection, 80% high"),
        ],
    )
    for c in report.charts:
        fan = {f.year: f for f in c.fan}
        for pt in c.points:
            f = fan.get(pt.year)
            ws.append(
                [
                    c.indicator,
                    c.indicator_name,
                    scope_names.get(c.scope, c.scope),
                    unit_label(c.unit),
                    pt.year,
                    pt.value,
                    pt.trajectory,
                    f.point if f else None,
                    f.low80 if f else None,
                    f.high80 if f else None,
                ]
            )
            for col in range(6, 11):
                ws.cell(row=ws.max_row, column=col).number_format = _format(c.unit)
    widths(ws, {"A": 26, "B": 40, "C": 22})

    out = io.BytesIO()
    no_formulas(wb)
    wb.save(out)
    return out.getvalue()


def render(report: Report, fmt: str) -> bytes:
    """The report as ``fmt`` (html, pdf or xlsx)."""
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    return to_html(report, toc=False).encode("utf-8")
