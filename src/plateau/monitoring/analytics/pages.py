"""HTML pages of indicators and targets: dashboards, early warnings, target decomposition.

Every chart has its table beside it, and every table an export (``?format=csv|xlsx&table=…``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plateau.auth.schemas import Role
from plateau.errors import FieldError, NotFound, ValidationFailed
from plateau.i18n import _, get_locale, lazy
from plateau.monitoring.analytics import exports, service
from plateau.monitoring.analytics.indicators import catalog
from plateau.monitoring.analytics.labels import (
    BASELINE_SOURCES,
    MEASURE_LABELS,
    SCOPE_KIND_LABELS,
    above_size_note,
    counted_note,
    projection_note,
    status_label,
    thresholds_text,
)
from plateau.monitoring.analytics.schemas import (
    Breakdown,
    ChartSeries,
    DecompositionRead,
    MonthlyRead,
)
from plateau.tabular import export_response
from plateau.web.deps import Csrf, DbSession, UserActor
from plateau.web.params import PostedForm
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])

ExportFormat = Literal["html", "csv", "xlsx"]
BREAKDOWN_TITLES = {
    "industry": lazy("By industry"),
    "prefecture": lazy("By prefecture"),
    "park": lazy("By park"),
    "enterprise": lazy("By enterprise"),
}


def _scale(unit: str) -> tuple[float, str]:
    """Divisor and axis name for a unit on charts (money in 亿元, tonnes in 万吨)."""
    if unit == "CNY":
        return 1e8, _("100 million CNY")
    if unit == "t":
        return 1e4, _("10,000 t")
    if unit == "%":
        return 1.0, "%"
    return 1.0, _("Number")


def _r(value: float | None, divisor: float) -> float | None:
    return None if value is None else round(value / divisor, 4)


def trend_option(chart: ChartSeries) -> str:
    """ECharts option: actual values, trajectory, 50/80/95% projection fan, target points."""
    divisor, axis = _scale(chart.unit)
    years = [str(p.year) for p in chart.points]
    fan = {f.year: f for f in chart.fan}

    def band(lo: str, hi: str) -> tuple[list[float | None], list[float | None]]:
        base: list[float | None] = []
        width: list[float | None] = []
        for p in chart.points:
            f = fan.get(p.year)
            if f is None:
                base.append(None)
                width.append(None)
            else:
                low = getattr(f, lo) / divisor
                base.append(round(low, 4))
                width.append(round(getattr(f, hi) / divisor - low, 4))
        return base, width

    series: list[dict[str, Any]] = []
    for name, lo, hi, opacity in (
        (_("95% interval"), "low95", "high95", 0.12),
        (_("80% interval"), "low80", "high80", 0.22),
        (_("50% interval"), "low50", "high50", 0.35),
    ):
        base, width = band(lo, hi)
        stack = f"band-{lo}"
        series.append(
            {
                "name": name,
                "type": "line",
                "stack": stack,
                "data": base,
                "lineStyle": {"opacity": 0},
                "symbol": "none",
                "tooltip": {"show": False},
            }
        )
        series.append(
            {
                "name": name,
                "type": "line",
                "stack": stack,
                "data": width,
                "lineStyle": {"opacity": 0},
                "symbol": "none",
                "areaStyle": {"opacity": opacity, "color": "#1f6f8b"},
                "itemStyle": {"color": "#1f6f8b"},
            }
        )
    series.append(
        {
            "name": _("Projection"),
            "type": "line",
            "data": [
                _r(fan[p.year].point, divisor) if p.year in fan else None for p in chart.points
            ],
            "lineStyle": {"type": "dotted"},
            "symbolSize": 4,
        }
    )
    series.append(
        {
            "name": _("Trajectory"),
            "type": "line",
            "data": [_r(p.trajectory, divisor) for p in chart.points],
            "lineStyle": {"type": "dashed"},
            "symbol": "none",
            "connectNulls": True,
        }
    )
    series.append(
        {
            "name": _("Actual"),
            "type": "line",
            "data": [_r(p.value, divisor) for p in chart.points],
            "lineStyle": {"width": 3},
            "symbolSize": 7,
        }
    )
    series.append(
        {
            "name": _("Target"),
            "type": "scatter",
            "symbol": "diamond",
            "symbolSize": 14,
            "data": [[str(y), round(v / divisor, 4)] for y, v in chart.targets],
        }
    )
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {
            "bottom": 0,
            "data": [_("Actual"), _("Trajectory"), _("Projection"), _("Target"), _("80% interval")],
        },
        "grid": {"left": 60, "right": 20, "top": 30, "bottom": 50},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "name": axis, "scale": chart.unit != "count"},
        "series": series,
    }
    return json.dumps(option, ensure_ascii=False)


def monthly_option(found: MonthlyRead) -> str:
    """ECharts option: the months of this year and last, and year-to-date growth."""
    divisor, axis = _scale(found.unit)
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 50, "top": 30, "bottom": 50},
        "xAxis": {"type": "category", "data": [r.month[-2:] for r in found.rows]},
        "yAxis": [
            {"type": "value", "name": axis},
            {"type": "value", "name": "%", "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": str(found.year),
                "type": "bar",
                "data": [_r(r.value, divisor) for r in found.rows],
            },
            {
                "name": str(found.year - 1),
                "type": "bar",
                "data": [_r(r.previous, divisor) for r in found.rows],
            },
            {
                "name": _("Year-to-date growth (%)"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [
                    None if r.ytd_change_pct is None else round(r.ytd_change_pct, 2)
                    for r in found.rows
                ],
            },
        ],
    }
    return json.dumps(option, ensure_ascii=False)


def breakdown_option(found: Breakdown) -> str:
    """ECharts option: output value of each part, largest first."""
    rows = sorted(
        (r for r in found.rows if r.values.get("output_value")),
        key=lambda r: -(r.values.get("output_value") or 0.0),
    )[:15]
    option = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 140, "right": 20, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "name": _("100 million CNY")},
        "yAxis": {"type": "category", "inverse": True, "data": [r.name for r in rows]},
        "series": [
            {
                "name": _("Output value"),
                "type": "bar",
                "data": [_r(r.values.get("output_value"), 1e8) for r in rows],
            }
        ],
    }
    return json.dumps(option, ensure_ascii=False)


def _context() -> dict[str, Any]:
    return {
        "status_label": status_label,
        "MEASURE_LABELS": MEASURE_LABELS,
        "BASELINE_SOURCES": BASELINE_SOURCES,
        "SCOPE_KIND_LABELS": SCOPE_KIND_LABELS,
        "above_size_note": above_size_note(),
        "counted_note": counted_note(),
        "projection_note": projection_note(),
        "pct": _pct,
    }


def program_note(board: service.Dashboard) -> str | None:
    """Who a program's figures are about (program dashboards only)."""
    scope = board.scope
    program = catalog().programs.get(scope.value or "") if scope.kind == "program" else None
    if program is None:
        return None
    names = {s.id: s.name for s in board.scopes}
    # Chinese lists places with the enumeration comma, English with a comma and a space.
    sep = ", " if get_locale() == "en" else "、"
    places = sep.join(names.get(f"prefecture:{c}", c) for c in program.prefectures)
    return _(
        "The program counts the enterprises of %(places)s whose GB/T 4754 class begins with %(classes)s; each is also counted in the industry of the 533 plan its class belongs to. Sales value growth is that of the main-business revenue of all of them, above designated size or not; platforms, markets, regional brands and new green manufacturing are figures the administrator enters as region-level inputs.",
        places=places,
        classes=", ".join(program.gbt4754_prefixes),
    )


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}%"


@router.get("/monitoring/dashboard", response_class=HTMLResponse)
def region_dashboard(
    request: Request,
    session: DbSession,
    actor: UserActor,
    year: int | None = None,
    format: ExportFormat = "html",
    table: str = "progress",
    indicator: str = "",
    key: str = "",
) -> Response:
    """The region's dashboard; prefecture and park officers open on their own area."""
    own_area = actor.role in (Role.PREFECTURE_OFFICER, Role.PARK_OFFICER) and actor.scope
    if own_area and format == "html" and year is None:
        return RedirectResponse(f"/monitoring/dashboard/{actor.scope}", status_code=303)
    return _dashboard(request, session, actor, "region", year, format, table, indicator, key)


@router.get("/monitoring/dashboard/{scope}", response_class=HTMLResponse)
def scope_dashboard(
    request: Request,
    session: DbSession,
    actor: UserActor,
    scope: str,
    year: int | None = None,
    format: ExportFormat = "html",
    table: str = "progress",
    indicator: str = "",
    key: str = "",
) -> Response:
    """The dashboard of an industry, prefecture, park or program."""
    return _dashboard(request, session, actor, scope, year, format, table, indicator, key)


def _dashboard(
    request: Request,
    session: DbSession,
    actor: UserActor,
    scope: str,
    year: int | None,
    format: ExportFormat,
    table: str,
    indicator: str,
    key: str,
) -> Response:
    board = service.dashboard(session, actor=actor, scope=scope, year=year)
    if format != "html":
        plans = exports.plan_titles(session)
        return _dashboard_export(board, format, table, indicator, key, plans)
    names = {i.id: i.name for i in catalog().indicators}
    charts = [(c, trend_option(c), {f.year: f for f in c.fan}) for c in board.charts]
    months = [(m, monthly_option(m)) for m in board.monthly]
    parts = [
        (b, breakdown_option(b) if b.title_key in ("industry", "prefecture", "park") else None)
        for b in board.breakdowns
    ]
    return render(
        request,
        "analytics/dashboard.html",
        {
            **_context(),
            "board": board,
            "charts": charts,
            "months": months,
            "parts": parts,
            "names": names,
            "thresholds": thresholds_text(catalog().settings.at_risk_ratio),
            "program_note": program_note(board),
            "breakdown_titles": BREAKDOWN_TITLES,
            "base": f"/monitoring/dashboard/{board.scope.id}",
            **_demand_context(session, actor, board),
            "pipeline": _pipeline(session, actor, board.scope.id),
        },
        actor=actor,
        active="monitoring",
    )


def _demand_context(
    session: DbSession, actor: UserActor, board: service.Dashboard
) -> dict[str, Any]:
    """Forecast demand against the industry's targets, from the forecast service (issue #9)."""
    if board.scope.kind != "industry" or not board.scope.value:
        return {}
    from plateau.forecast import service as forecast_service
    from plateau.formatting import loc
    from plateau.registry import service as registry_service

    checks = forecast_service.demand_vs_plan(session, actor=actor, industry=board.scope.value)
    industries = {i.id: loc(i) for i in registry_service.list_industries(session, actor=actor)}
    return {
        "plan_checks": checks,
        "forecast_service": forecast_service,
        "plan_names": {"industry": industries},
    }


def _pipeline(session: DbSession, actor: UserActor, scope: str) -> Any:
    """The policies' above-size pipeline (first-time awards), on the region's dashboard."""
    if scope != "region":
        return None
    from plateau.policy import service as policy_service

    return policy_service.upgrade_pipeline(session, actor=actor)


def _dashboard_export(
    board: service.Dashboard,
    fmt: str,
    table: str,
    indicator: str,
    key: str,
    plans: dict[str, str],
) -> Response:
    if table == "series":
        chart = next((c for c in board.charts if c.indicator == indicator), None)
        if chart is None:
            raise NotFound(_("No chart of %(indicator)s here.", indicator=indicator))
        e = exports.series(chart)
    elif table == "monthly":
        found = next((m for m in board.monthly if m.indicator == indicator), None)
        if found is None:
            raise NotFound(_("No monthly values of %(indicator)s here.", indicator=indicator))
        e = exports.monthly(found)
    elif table == "breakdown":
        part = next((b for b in board.breakdowns if b.title_key == key), None)
        if part is None:
            raise NotFound(_("No such table here."))
        names = {i.id: i.name for i in catalog().indicators}
        e = exports.breakdown(part, names)
    else:
        e = exports.progress(
            board.progress, f"targets-{board.scope.id.replace(':', '-')}", plans=plans
        )
    return export_response(fmt, e.columns, e.rows, filename=e.filename)


@router.get("/monitoring/warnings", response_class=HTMLResponse)
def warnings_page(
    request: Request,
    session: DbSession,
    actor: UserActor,
    decline_pct: float = 10.0,
    decline_months: int = 3,
    today: date | None = None,
    format: ExportFormat = "html",
    table: str = "off_track",
) -> Response:
    """Early warnings: targets off track, enterprises in decline, late filers, outliers."""
    if not 0 < decline_pct < 100:
        raise ValidationFailed(_("The decline threshold is a percentage between 0 and 100."))
    found = service.warnings_report(
        session,
        actor=actor,
        today=today,
        decline_share=decline_pct / 100.0,
        decline_months=decline_months,
    )
    if format != "html":
        from plateau.registry.names import reference_names

        e = exports.warnings(
            found, table, names=reference_names(session), plans=exports.plan_titles(session)
        )
        return export_response(format, e.columns, e.rows, filename=e.filename)
    ref = {s.id: s.name for s in service.reference(session, actor=actor).scopes}
    query = f"decline_pct={decline_pct:g}&decline_months={decline_months}"
    if today is not None:
        query += f"&today={today.isoformat()}"
    return render(
        request,
        "analytics/warnings.html",
        {
            **_context(),
            "w": found,
            "ref": ref,
            "decline_pct": decline_pct,
            "query": query,
            "thresholds": thresholds_text(catalog().settings.at_risk_ratio),
        },
        actor=actor,
        active="monitoring",
    )


def _decomposition_page(
    request: Request,
    session: DbSession,
    actor: UserActor,
    plan: str,
    indicator: str,
    year: int | None,
    errors: list[FieldError] | None = None,
    message: str | None = None,
    entered: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    targets = service.list_decomposable(session, actor=actor)
    selected: DecompositionRead | None = None
    if not indicator and targets:
        first = targets[0]
        plan, indicator, year = first.plan_id, first.indicator, first.target_year
    if indicator and year is not None:
        selected = service.decomposition(
            session, actor=actor, indicator=indicator, year=year, plan_id=plan
        )
    return render(
        request,
        "analytics/decomposition.html",
        {
            **_context(),
            "targets": targets,
            "d": selected,
            "errors": errors or [],
            "error_message": message,
            "entered": entered or {},
        },
        actor=actor,
        active="monitoring",
        status_code=status_code,
    )


@router.get("/monitoring/decomposition", response_class=HTMLResponse)
def decomposition_page(
    request: Request,
    session: DbSession,
    actor: UserActor,
    plan: str = service.MAIN_PLAN,
    indicator: str = "",
    year: int | None = None,
    format: ExportFormat = "html",
) -> Response:
    """Region targets split into prefecture targets: suggested and set shares, the sum check."""
    if format != "html":
        if not indicator or year is None:
            raise NotFound(_("Choose a target to export."))
        found = service.decomposition(
            session, actor=actor, indicator=indicator, year=year, plan_id=plan
        )
        e = exports.decomposition(found)
        return export_response(format, e.columns, e.rows, filename=e.filename)
    return _decomposition_page(request, session, actor, plan, indicator, year)


@router.post("/monitoring/decomposition", response_class=HTMLResponse)
def decomposition_save(
    request: Request, session: DbSession, actor: UserActor, form: PostedForm
) -> Response:
    """Save shares, accept the suggested ones, or clear them (region administrator)."""
    plan = str(form.get("plan") or service.MAIN_PLAN)
    indicator = str(form.get("indicator") or "")
    year_text = str(form.get("year") or "")
    if not year_text.isdigit() or not indicator:
        raise NotFound(_("Choose a target to decompose."))
    year = int(year_text)
    action = str(form.get("action") or "save")
    entered = {str(k)[6:]: str(v) for k, v in form.items() if str(k).startswith("share_")}
    try:
        if action == "suggested":
            service.accept_suggested(
                session, actor=actor, indicator=indicator, year=year, plan_id=plan
            )
        elif action == "clear":
            service.clear_shares(session, actor=actor, indicator=indicator, year=year, plan_id=plan)
        else:
            shares: dict[str, float] = {}
            bad: list[FieldError] = []
            for code, text in entered.items():
                if not text.strip():
                    continue
                try:
                    shares[code] = float(text.strip().rstrip("%"))
                except ValueError:
                    bad.append(FieldError(_("Not a number."), field=code, value=text))
            if bad:
                raise ValidationFailed(_("The shares were not saved."), bad)
            service.set_shares(
                session,
                actor=actor,
                indicator=indicator,
                year=year,
                shares_pct=shares,
                plan_id=plan,
            )
    except ValidationFailed as exc:
        # Nothing was written: the shares are checked before anything changes.
        return _decomposition_page(
            request,
            session,
            actor,
            plan,
            indicator,
            year,
            errors=exc.errors,
            message=exc.message,
            entered=entered,
            status_code=422,
        )
    target = f"/monitoring/decomposition?plan={plan}&indicator={indicator}&year={year}"
    return RedirectResponse(target, status_code=303)
