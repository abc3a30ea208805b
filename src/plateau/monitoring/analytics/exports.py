"""Every table of indicators and targets as rows for CSV/Excel, with translated headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.formatting import unit_label
from plateau.i18n import _, get_locale
from plateau.monitoring.analytics.labels import OUTLIER_COLUMNS, status_label
from plateau.monitoring.analytics.schemas import (
    Breakdown,
    ChartSeries,
    DecompositionRead,
    IndicatorRecord,
    MonthlyRead,
    TargetProgress,
    WarningsRead,
)
from plateau.registry.names import Names
from plateau.tabular import Column


@dataclass
class Export:
    columns: list[Column]
    rows: list[dict[str, Any]]
    filename: str


def _round(value: Any, digits: int) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def records(found: Sequence[IndicatorRecord], scope_names: dict[str, str]) -> Export:
    """The records of ``plateau indicators`` for people: names, units and statuses in words
    (the indicator's code stands beside its name; SDMX-CSV keeps the codes for machines)."""
    from plateau.monitoring.analytics.indicators import catalog

    names = {i.id: i.name for i in catalog().indicators}
    columns = [
        Column("indicator", _("Indicator code")),
        Column("indicator_name", _("Indicator")),
        Column("scope_name", _("Scope")),
        Column("period", _("Reporting period")),
        Column("value", _("Actual")),
        Column("unit_label", _("Unit")),
        Column("target", _("Target")),
        Column("target_year", _("Target year")),
        Column("status_label", _("Status")),
        Column("projection", _("Projection")),
        Column("probability", _("Probability of meeting the target")),
    ]
    rows = [
        {
            **r.model_dump(),
            "indicator_name": names.get(r.indicator, r.indicator),
            "scope_name": scope_names.get(r.scope, r.scope),
            "unit_label": unit_label(r.unit),
            "status_label": status_label(r.status),
            "value": _round(r.value, 2),
            "target": _round(r.target, 2),
            "projection": _round(r.projection, 2),
            "probability": _round(r.probability, 3),
        }
        for r in found
    ]
    return Export(columns, rows, "indicators")


def plan_titles(session: Session) -> dict[str, str]:
    """Each plan's title in the reader's language (exports say the plan by its name)."""
    from plateau.plan.models import PlanDocument

    english = get_locale() == "en"
    return {
        p.id: (p.title_en if english and p.title_en else p.title_zh)
        for p in session.scalars(select(PlanDocument))
    }


def progress(
    rows: Sequence[TargetProgress],
    filename: str = "targets",
    *,
    plans: dict[str, str] | None = None,
) -> Export:
    columns = [
        Column("plan_name", _("Plan")),
        Column("indicator", _("Indicator code")),
        Column("indicator_name", _("Indicator")),
        Column("scope_name", _("Scope")),
        Column("unit_label", _("Unit")),
        Column("baseline_year", _("Baseline year")),
        Column("baseline", _("Baseline")),
        Column("period", _("Reporting period")),
        Column("actual", _("Actual")),
        Column("expected", _("Trajectory")),
        Column("target_year", _("Target year")),
        Column("target", _("Target")),
        Column("target_max", _("Target (upper end)")),
        Column("completion_pct", _("Completion (%)")),
        Column("status_label", _("Status")),
        Column("projection", _("Projection")),
        Column("projection_low", _("Projection, 80% low")),
        Column("projection_high", _("Projection, 80% high")),
        Column("probability", _("Probability of meeting the target")),
    ]
    data = []
    for r in rows:
        row = r.model_dump(exclude={"yearly", "fan"})
        for key in ("baseline", "actual", "expected", "target", "target_max", "projection"):
            row[key] = _round(row[key], 2)
        for key in ("projection_low", "projection_high"):
            low = row[key]
            if r.unit == "count" and isinstance(low, float):
                low = max(0.0, low)  # an interval of a count is never negative
            row[key] = _round(low, 2)
        row["completion_pct"] = _round(row["completion_pct"], 1)
        row["probability"] = _round(row["probability"], 3)
        row["status_label"] = status_label(r.status)
        row["unit_label"] = unit_label(r.unit)
        row["plan_name"] = (plans or {}).get(r.plan_id, r.plan_id)
        data.append(row)
    return Export(columns, data, filename)


def series(chart: ChartSeries) -> Export:
    fan = {f.year: f for f in chart.fan}
    columns = [
        Column("year", _("Year")),
        Column("period", _("Reporting period")),
        Column("value", _("Actual")),
        Column("trajectory", _("Trajectory")),
        Column("projection", _("Projection")),
        Column("low80", _("Projection, 80% low")),
        Column("high80", _("Projection, 80% high")),
    ]
    rows = []
    for p in chart.points:
        f = fan.get(p.year)
        rows.append(
            {
                "year": p.year,
                "period": p.period,
                "value": p.value,
                "trajectory": p.trajectory,
                "projection": f.point if f else None,
                "low80": f.low80 if f else None,
                "high80": f.high80 if f else None,
            }
        )
    return Export(columns, rows, f"{chart.indicator}-{chart.scope.replace(':', '-')}")


def monthly(found: MonthlyRead) -> Export:
    columns = [
        Column("month", _("Month")),
        Column("value", _("This month")),
        Column("previous", _("Same month last year")),
        Column("change_pct", _("Change (%)")),
        Column("ytd_period", _("Year to date")),
        Column("ytd", _("Year to date, total")),
        Column("previous_ytd", _("Same period last year")),
        Column("ytd_change_pct", _("Year to date, change (%)")),
    ]
    rows = [
        {k: _round(v, 1 if k.endswith("_pct") else 2) for k, v in r.model_dump().items()}
        for r in found.rows
    ]
    return Export(
        columns,
        rows,
        f"{found.indicator}-{found.scope.replace(':', '-')}-{found.year}-monthly",
    )


def breakdown(found: Breakdown, names: dict[str, str]) -> Export:
    columns = [Column("scope", _("Scope")), Column("name", _("Name"))]
    columns += [Column(i, names.get(i, i)) for i in found.indicators]
    columns += [
        Column("share_pct", _("Share of output (%)")),
        Column("growth_pct", _("Output growth (%)")),
    ]
    rows = [
        {
            "scope": r.scope,
            "name": r.name,
            **r.values,
            "share_pct": r.share_pct,
            "growth_pct": r.growth_pct,
        }
        for r in found.rows
    ]
    return Export(columns, rows, f"breakdown-{found.title_key}-{found.year}")


def warnings(
    found: WarningsRead,
    table: str,
    *,
    names: Names | None = None,
    plans: dict[str, str] | None = None,
) -> Export:
    """One table of the early warnings, with names where the rows keep codes."""
    names = names or Names({}, {}, {})
    if table == "declining":
        columns = [
            Column("uscc", _("USCC")),
            Column("name", _("Enterprise")),
            Column("industry", _("Industry")),
            Column("prefecture", _("Prefecture")),
            Column("months", _("Months running")),
            Column("latest_period", _("Month")),
            Column("latest", _("Output value")),
            Column("previous", _("Same month last year")),
            Column("change_pct", _("Change (%)")),
        ]
        rows = [
            d.model_dump()
            | {"industry": names.industry(d.industry), "prefecture": names.prefecture(d.prefecture)}
            for d in found.declining
        ]
        return Export(columns, rows, "declining")
    if table == "late":
        columns = [
            Column("uscc", _("USCC")),
            Column("name", _("Enterprise")),
            Column("prefecture", _("Prefecture")),
            Column("park", _("Park")),
            Column("period", _("Month")),
            Column("state", _("State")),
            Column("last_filed", _("Last month filed")),
        ]
        rows = [
            f.model_dump()
            | {
                "prefecture": names.prefecture(f.prefecture),
                "park": names.park(f.park) if f.park else "",
                "state": _("draft not submitted") if f.state == "draft" else _("missing"),
            }
            for f in found.late_filers
        ]
        return Export(columns, rows, "late-filers")
    if table == "outliers":
        rows = found.outliers or []
        columns = [Column(key, _(label)) for key, label in OUTLIER_COLUMNS]
        return Export(columns, rows, "outliers")
    return progress(found.off_track, "targets-off-track", plans=plans)


def decomposition(found: DecompositionRead) -> Export:
    columns = [
        Column("prefecture", _("Prefecture code")),
        Column("name", _("Prefecture")),
        Column("baseline", _("Baseline")),
        Column("suggested_pct", _("Suggested share (%)")),
        Column("share_pct", _("Share (%)")),
        Column("target", _("Target")),
        Column("target_max", _("Target (upper end)")),
        Column("actual", _("Actual")),
        Column("status_label", _("Status")),
    ]
    rows = [r.model_dump() | {"status_label": status_label(r.status)} for r in found.rows]
    return Export(columns, rows, f"decomposition-{found.indicator}-{found.target_year}")


# --- SDMX-CSV 2.0 ---

SDMX_DATAFLOW = "PLATEAU:DF_LIGHT_INDUSTRY(1.0)"
SDMX_MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"
SDMX_COLUMNS = (
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "INDICATOR",
    "SCOPE",
    "TIME_PERIOD",
    "OBS_VALUE",
    "UNIT_MEASURE",
    "OBS_STATUS",
)
# SDMX identifiers allow letters, digits, "_", "-", "@" and "$" only: our units map to codes
# of the SDMX global unit codelist where one exists (PC = percent, T = tonnes).
SDMX_UNITS = {"CNY": "CNY", "count": "NUM", "%": "PC", "t": "T", "mu": "MU"}


def sdmx_scope(scope: str) -> str:
    """A scope id as an SDMX code: ``industry:agri_food`` → ``industry_agri_food``.

    Kinds carry no underscore, so the first ``_`` splits the code back into kind and value.
    """
    return scope.replace(":", "_", 1)


def sdmx_period(period: str) -> str:
    """A period as SDMX time: ``2025``, or ``2026-01/2026-02`` → ``2026-01-01/P2M``."""
    if "/" not in period:
        return period
    start, end = period.split("/")
    months = int(end[5:7]) - int(start[5:7]) + 1
    return f"{start}-01/P{months}M"


def _sdmx_number(value: float) -> str:
    # Plain decimal notation (no exponent, no thousands separator), as SDMX-CSV expects.
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def sdmx_csv(found: Sequence[IndicatorRecord]) -> str:
    """The records as an SDMX-CSV 2.0 data message of dataflow ``PLATEAU:DF_LIGHT_INDUSTRY(1.0)``.

    One observation per indicator × scope × period with a value (records without one, such
    as targets the returns do not measure, are not observations). OBS_STATUS is ``A``
    (normal) for a complete year and ``P`` (provisional) for a year in progress.
    """
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(SDMX_COLUMNS)
    for r in found:
        if r.value is None:
            continue
        writer.writerow(
            (
                "dataflow",
                SDMX_DATAFLOW,
                "I",
                r.indicator,
                sdmx_scope(r.scope),
                sdmx_period(r.period),
                _sdmx_number(r.value),
                SDMX_UNITS.get(r.unit, r.unit.upper()),
                "P" if "/" in r.period else "A",
            )
        )
    return buf.getvalue()
