"""Charts of the report drawn on the server as inline SVG (no JavaScript: they must print).

The page's dashboards draw with ECharts in the browser; a PDF cannot run it, so the report
draws the same series (actual, trajectory, 80% projection band, targets) with plain SVG.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from plateau.i18n import _, get_locale
from plateau.monitoring.analytics.schemas import Breakdown, ChartSeries, TargetProgress

FONT = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"
COLORS = {
    "actual": "#1f6f8b",
    "trajectory": "#7a7a7a",
    "projection": "#1f6f8b",
    "band": "#1f6f8b",
    "target": "#c0392b",
    "on_track": "#48c78e",
    "at_risk": "#ffb70f",
    "off_track": "#f14668",
    "met": "#257953",
    "missed": "#cc0f35",
    None: "#b5b5b5",
}
# Counts of enterprises (and factories) are in 家; every other count is in 个.
_ENTERPRISE_WORDS = ("enterprise", "smes", "little_giants", "factories", "champions")


def count_noun(indicator: str) -> str:
    """The measure word of a count indicator: 家 for enterprises, 个 for the rest."""
    english = get_locale() == "en"
    if any(w in indicator for w in _ENTERPRISE_WORDS):
        return "enterprises" if english else "家"
    return "number" if english else "个"


def scale(unit: str, indicator: str = "") -> tuple[float, str]:
    """Divisor and axis name for a unit (money in 亿元, tonnes in 万吨, counts in 家/个)."""
    if unit == "CNY":
        return 1e8, _("100 million CNY")
    if unit == "t":
        return 1e4, _("10,000 t")
    if unit == "%":
        return 1.0, "%"
    return 1.0, count_noun(indicator)


def _ticks(low: float, high: float, count: int = 5, *, integer: bool = False) -> list[float]:
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    if integer:
        raw = max(raw, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= raw)
    start = math.floor(low / step) * step
    out = []
    v = start
    while v <= high + step * 1e-9:
        out.append(round(v, 10))
        v += step
    if out[-1] < high:
        out.append(out[-1] + step)
    return out


def _num(v: float) -> str:
    if abs(v) >= 100 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _text(
    x: float, y: float, text: str, *, anchor: str = "middle", size: int = 10, fill: str = "#363636"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-family="{FONT}">{escape(text)}</text>'
    )


def trend(chart: ChartSeries, *, width: int = 640, height: int = 260) -> Markup:
    """Actual values, trajectory, 80% projection band and targets of one indicator."""
    divisor, axis = scale(chart.unit, chart.indicator)
    counts = chart.unit == "count"
    years = [p.year for p in chart.points]
    if not years:
        return Markup("")

    def floor(v: float) -> float:
        return max(0.0, v) if counts else v  # an interval of a count is never negative

    values: list[float] = []
    for p in chart.points:
        values += [v / divisor for v in (p.value, p.trajectory) if v is not None]
    for f in chart.fan:
        values += [floor(f.low80) / divisor, f.high80 / divisor, f.point / divisor]
    values += [v / divisor for _y, v in chart.targets]
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    if counts or 0 < low < 0.3 * high:
        low = min(0.0, low)
    ticks = _ticks(low, high, integer=counts)
    left, right, top, bottom = 62, 16, 22, 56
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + plot_w * (year - years[0]) / (years[-1] - years[0])

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - ticks[0]) / (ticks[-1] - ticks[0]))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(chart.indicator_name)}">'
    ]
    for t in ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e5e5e5"/>'
        )
        parts.append(_text(left - 6, y(t) + 3, _num(t), anchor="end", size=9))
    parts.append(_text(left - 6, top - 8, axis, anchor="end", size=9))
    step = max(1, math.ceil(len(years) / 12))
    for i, yr in enumerate(years):
        if i % step == 0 or yr == years[-1]:
            parts.append(_text(x(yr), top + plot_h + 14, str(yr), size=9))
    band = [f for f in chart.fan if f.year in years]
    if band:
        upper = " ".join(f"{x(f.year):.1f},{y(f.high80 / divisor):.1f}" for f in band)
        lower = " ".join(
            f"{x(f.year):.1f},{y(floor(f.low80) / divisor):.1f}" for f in reversed(band)
        )
        parts.append(
            f'<polygon points="{upper} {lower}" fill="{COLORS["band"]}" fill-opacity="0.18" stroke="none"/>'
        )
        line = " ".join(f"{x(f.year):.1f},{y(f.point / divisor):.1f}" for f in band)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{COLORS["projection"]}" stroke-width="1.5" stroke-dasharray="2,3"/>'
        )
    trajectory = [
        (p.year, p.trajectory / divisor) for p in chart.points if p.trajectory is not None
    ]
    if len(trajectory) > 1:
        line = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in trajectory)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{COLORS["trajectory"]}" stroke-width="1.5" stroke-dasharray="6,4"/>'
        )
    actual = [(p.year, p.value / divisor) for p in chart.points if p.value is not None]
    if actual:
        line = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in actual)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{COLORS["actual"]}" stroke-width="2.5"/>'
        )
        for a, b in actual:
            parts.append(
                f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3" fill="{COLORS["actual"]}"/>'
            )
    for yr, v in chart.targets:
        if yr in years:
            cx, cy = x(yr), y(v / divisor)
            parts.append(
                f'<polygon points="{cx:.1f},{cy - 6:.1f} {cx + 6:.1f},{cy:.1f} {cx:.1f},{cy + 6:.1f} {cx - 6:.1f},{cy:.1f}" fill="{COLORS["target"]}"/>'
            )
    legend = [
        (
            _("Actual"),
            f'<line x1="0" x2="18" y1="0" y2="0" stroke="{COLORS["actual"]}" stroke-width="2.5"/>',
        ),
        (
            _("Trajectory"),
            f'<line x1="0" x2="18" y1="0" y2="0" stroke="{COLORS["trajectory"]}" stroke-width="1.5" stroke-dasharray="6,4"/>',
        ),
        (
            _("Projection, 80% interval"),
            f'<rect x="0" y="-5" width="18" height="10" fill="{COLORS["band"]}" fill-opacity="0.18"/>',
        ),
        (_("Target"), f'<polygon points="9,-5 14,0 9,5 4,0" fill="{COLORS["target"]}"/>'),
    ]
    lx: float = left
    ly = height - 14
    for label, mark in legend:
        parts.append(f'<g transform="translate({lx},{ly})">{mark}</g>')
        parts.append(_text(lx + 22, ly + 3, label, anchor="start", size=9))
        lx += 30 + 10 * len(label) if any(ord(c) > 0x2E80 for c in label) else 30 + 5.5 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    axis: str,
    colors: Sequence[str] | None = None,
    reference: float | None = None,
    width: int = 640,
    label_width: int = 200,
    suffix: str = "",
) -> Markup:
    """Horizontal bars, one per label, with an optional reference line (e.g. 100%).

    Labels are printed whole: wrapped onto a second (third) line when longer than
    ``label_width``, never cut."""
    rows = [(lbl, v) for lbl, v in zip(labels, values, strict=True)]
    if not rows:
        return Markup("")
    wrapped = [wrap(lbl, label_width - 10) for lbl in labels]
    line_h = 11
    bar_h, gap, top, bottom = 14, 6, 20, 24
    slots = [max(bar_h, line_h * len(lines)) + gap for lines in wrapped]
    height = top + bottom + sum(slots)
    right = 60
    plot_w = width - label_width - right
    top_value = max([v for _l, v in rows if v is not None] + [reference or 0.0, 1e-9])
    ticks = _ticks(0.0, top_value, 4)

    def x(v: float) -> float:
        return label_width + plot_w * max(0.0, v) / ticks[-1]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
    ]
    for t in ticks:
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top - 4}" y2="{height - bottom}" stroke="#e5e5e5"/>'
        )
        parts.append(_text(x(t), height - bottom + 12, _num(t), size=9))
    parts.append(_text(width - right + 16, height - bottom + 12, axis, anchor="start", size=9))
    y_next: float = top
    for i, (_label, v) in enumerate(rows):
        lines = wrapped[i]
        slot = slots[i] - gap
        y0 = y_next + (slot - bar_h) / 2
        first = y_next + (slot - line_h * len(lines)) / 2 + line_h - 2
        for n, text_line in enumerate(lines):
            parts.append(
                _text(label_width - 6, first + n * line_h, text_line, anchor="end", size=9)
            )
        y_next += slots[i]
        if v is None:
            parts.append(_text(label_width + 4, y0 + bar_h - 3, "—", anchor="start", size=9))
            continue
        color = colors[i] if colors else COLORS["actual"]
        parts.append(
            f'<rect x="{label_width}" y="{y0:.1f}" width="{x(v) - label_width:.1f}" height="{bar_h}" fill="{color}"/>'
        )
        text = _num(v) + suffix
        parts.append(
            _text(
                label_x(x(v), text, x(reference) if reference is not None else None),
                y0 + bar_h - 3,
                text,
                anchor="start",
                size=9,
            )
        )
    if reference is not None:
        parts.append(
            f'<line x1="{x(reference):.1f}" x2="{x(reference):.1f}" y1="{top - 6}" y2="{height - bottom}" '
            f'stroke="{COLORS["target"]}" stroke-width="1.5" stroke-dasharray="4,3"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def wrap(text: str, room: float, size: float = 9) -> list[str]:
    """``text`` in lines no wider than ``room`` (Chinese breaks anywhere, English at spaces)."""
    if text_width(text, size) <= room:
        return [text]
    lines: list[str] = []
    current = ""
    tokens = re.findall(r"[\u2e80-\uffff]|\S+\s*|\s+", text)
    for token in tokens:
        if current and text_width(current + token, size) > room:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current:
        lines.append(current.rstrip())
    return lines


def text_width(text: str, size: float = 9) -> float:
    """An estimate of a label's width in the chart's font (CJK glyphs are square)."""
    return sum(size if ord(c) > 0x2E80 else 0.6 * size for c in text)


def label_x(end: float, text: str, line: float | None, size: float = 9) -> float:
    """Where a bar's value label starts: after the bar, moved past a reference line it would
    cross (a completion of 95% would otherwise print over the 100% line)."""
    start = end + 4
    if line is not None and start - 3 <= line <= start + text_width(text, size) + 3:
        start = line + 4
    return start


def completion(
    rows: Sequence[TargetProgress], *, outcome: Callable[[TargetProgress], str] | None = None
) -> Markup:
    """Completion rate of every measured target, coloured by status (or by its outcome,
    met or not, when its year is over), with the 100% line."""
    chosen = [p for p in rows if p.completion_pct is not None and p.measure != "growth"]
    return bars(
        [f"{p.indicator_name} ({p.target_year})" for p in chosen],
        [p.completion_pct for p in chosen],
        axis="%",
        colors=[COLORS.get(outcome(p) if outcome else p.status, COLORS[None]) for p in chosen],
        reference=100.0,
        width=720,
        label_width=300,
        suffix="%",
    )


def breakdown(found: Breakdown) -> Markup:
    """Output value of each part (industry, prefecture, park), largest first."""
    rows = sorted(
        (r for r in found.rows if r.values.get("output_value")),
        key=lambda r: -(r.values.get("output_value") or 0.0),
    )[:15]
    divisor, axis = scale("CNY")
    return bars(
        [r.name for r in rows],
        [(r.values.get("output_value") or 0.0) / divisor for r in rows],
        axis=axis,
    )
