"""``/forecast``: the forecast explorer. Pages read stored runs only; a GET never computes."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plateau import tabular
from plateau.auth.schemas import SYSTEM, Actor
from plateau.errors import ValidationFailed
from plateau.forecast import service
from plateau.forecast.models import ForecastRun, ForecastSeries
from plateau.formatting import loc
from plateau.i18n import _
from plateau.registry import service as registry_service
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False)

PLAN_YEARS = (2025, 2030)


def _clean(value: str | None) -> str | None:
    return value or None


def _names(session: DbSession, actor: Actor) -> dict[str, dict[str, str]]:
    markets = {m.id: loc(m) for m in registry_service.list_market_regions(session, actor=actor)}
    industries = {i.id: loc(i) for i in registry_service.list_industries(session, actor=actor)}
    return {"market": markets, "industry": industries}


def _fan_option(series: ForecastSeries, title: str) -> str:
    hist = [[d, v] for d, v in series.history]
    fc = [[p[0], p[1]] for p in series.points]
    lo95 = [[p[0], p[4]] for p in series.points]
    band95 = [[p[0], p[5] - p[4]] for p in series.points]
    lo80 = [[p[0], p[2]] for p in series.points]
    band80 = [[p[0], p[3] - p[2]] for p in series.points]
    marks = [{"xAxis": f"{y}-01-01", "label": {"formatter": str(y)}} for y in PLAN_YEARS]
    option: dict[str, Any] = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 10, "right": 20, "top": 40, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "time"},
        "yAxis": {"type": "value", "scale": True},
        "series": [
            {
                "name": _("History"),
                "type": "line",
                "data": hist,
                "showSymbol": False,
                "markLine": {"symbol": "none", "data": marks, "lineStyle": {"type": "dashed"}},
            },
            {
                "name": "lo95",
                "type": "line",
                "data": lo95,
                "stack": "b95",
                "lineStyle": {"opacity": 0},
                "showSymbol": False,
                "tooltip": {"show": False},
            },
            {
                "name": _("95% interval"),
                "type": "line",
                "data": band95,
                "stack": "b95",
                "lineStyle": {"opacity": 0},
                "areaStyle": {"opacity": 0.15},
                "showSymbol": False,
            },
            {
                "name": "lo80",
                "type": "line",
                "data": lo80,
                "stack": "b80",
                "lineStyle": {"opacity": 0},
                "showSymbol": False,
                "tooltip": {"show": False},
            },
            {
                "name": _("80% interval"),
                "type": "line",
                "data": band80,
                "stack": "b80",
                "lineStyle": {"opacity": 0},
                "areaStyle": {"opacity": 0.3},
                "showSymbol": False,
            },
            {
                "name": _("Forecast"),
                "type": "line",
                "data": fc,
                "showSymbol": False,
                "lineStyle": {"type": "dashed"},
            },
        ],
    }
    option["legend"]["data"] = [_("History"), _("Forecast"), _("80% interval"), _("95% interval")]
    return json.dumps(option, ensure_ascii=False).replace("</", "<\\/")


def _selection(
    market: str | None, industry: str | None, channel: str | None
) -> dict[str, str | None]:
    return {"market": _clean(market), "industry": _clean(industry), "channel": _clean(channel)}


@router.get("/forecast", response_class=HTMLResponse)
def explorer(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    market: str | None = Query(None),
    industry: str | None = Query(None),
    channel: str | None = Query(None),
    measure: str = Query("quantity"),
) -> Response:
    """The forecast explorer: fan chart, table, model and backtest, drill-down, heat map."""
    sel = _selection(market, industry, channel)
    measure = measure if measure in service.MEASURES else "quantity"
    run = service.latest_run(session, actor=actor, measure=measure) or service.latest_run(
        session, actor=actor
    )
    names = _names(session, actor)
    context: dict[str, Any] = {
        "run": run,
        "sel": sel,
        "names": names,
        "service": service,
        "measure": run.measure if run else measure,
        "plan_checks": service.demand_vs_plan(session, actor=actor),
        "plan_names": names,
        "forecast_service": service,
        "may_run": service.may_run(actor),
        "job": _pending_job(session, actor),
    }
    if run is not None:
        visible = service.visible_enterprises(session, actor=actor)
        series, hidden = service.find_series(
            session,
            run=run,
            actor=actor,
            visible=visible,
            market=sel["market"],
            industry=sel["industry"],
            channel=sel["channel"],
        )
        context.update(series=series, hidden=hidden)
        if series is not None and not hidden:
            context["option"] = _fan_option(series, "")
        board = service.leaderboard(session, run=run, actor=actor)
        level = series.level if series is not None else "total"
        context["board"] = [r for r in board if r.level == level]
        context["chosen"] = run.chosen.get(level, {})
        context["children"] = _children(session, run, actor, sel, names, visible)
        # A drill-down into a market shows that market's heat map and preferences only.
        context["heat"] = _heat(session, run, actor, names, sel["market"])
        context["prefs"] = service.preferences(
            session, run=run, actor=actor, industry=sel["industry"], market=sel["market"]
        )
    return render(request, "forecast/explorer.html", context, actor=actor, active="forecast")


def _pending_job(session: DbSession, actor: Actor) -> Any:
    """The job of a run still being computed, for the progress partial (region-wide users)."""
    if not service.may_run(actor):
        return None
    pending = service.pending_run(session, actor=actor)
    if pending is None or pending.job_id is None:
        return None
    from plateau.jobs import service as jobs_service

    return jobs_service.get_job(session, pending.job_id, actor=SYSTEM)


@router.post("/forecast/runs", dependencies=[Csrf])
def start_run(
    session: DbSession,
    actor: UserActor,
    measure: str = Form("quantity"),
    exog: str | None = Form(None),
) -> Response:
    """Queue a forecast run as a background job; the explorer shows its progress."""
    service.submit_run(session, actor=actor, measure=measure, exog=exog == "1")
    return RedirectResponse(f"/forecast?measure={measure}", status_code=303)


@router.post("/forecast/sync-retail", dependencies=[Csrf])
def sync_retail(session: DbSession, actor: UserActor) -> Response:
    """Queue the reading of till scans from the traceability repository (a background job)."""
    service.submit_sync_retail(session, actor=actor)
    return RedirectResponse("/forecast", status_code=303)


def _children(
    session: DbSession,
    run: ForecastRun,
    actor: Actor,
    sel: dict[str, str | None],
    names: dict[str, dict[str, str]],
    visible: set[int] | None,
) -> list[dict[str, Any]]:
    """Drill-down: the next level along each tree from the current selection."""
    out: list[dict[str, Any]] = []
    markets = registry_service.list_market_regions(session, actor=actor)
    # Along the market tree: kinds, then provinces (and prefectures), then cities.
    parent = sel["market"] or "all"
    options = [("market", m.id) for m in markets if m.parent_id == parent]
    if sel["industry"] is None:
        options += [("industry", i) for i in names["industry"]]
    if sel["channel"] is None:
        options += [("channel", c) for c in service.CHANNEL_NAMES]
    for dim, value in options:
        pick = {**sel, dim: value}
        s, hidden = service.find_series(
            session,
            run=run,
            actor=actor,
            visible=visible,
            market=pick["market"],
            industry=pick["industry"],
            channel=pick["channel"],
        )
        if s is None:
            continue
        growth = None if hidden else service.growth(s)
        label = service.channel_name(value) if dim == "channel" else names[dim].get(value, value)
        out.append(
            {
                "dim": dim,
                "value": value,
                "label": label,
                "growth": growth,
                "hidden": hidden,
                "pick": pick,
            }
        )
    return out


def _heat(
    session: DbSession,
    run: ForecastRun,
    actor: Actor,
    names: dict[str, dict[str, str]],
    market: str | None = None,
) -> dict[str, Any]:
    cells = service.heatmap(session, run=run, actor=actor, market=market)
    markets = sorted({c["market"] for c in cells}, key=lambda m: names["market"].get(m, m))
    industries = sorted({c["industry"] for c in cells}, key=lambda i: names["industry"].get(i, i))
    grid = {(c["market"], c["industry"]): c for c in cells}
    return {"markets": markets, "industries": industries, "grid": grid}


@router.get("/forecast/export")
def export(
    session: DbSession,
    actor: CurrentActor,
    market: str | None = Query(None),
    industry: str | None = Query(None),
    channel: str | None = Query(None),
    format: str = Query("xlsx"),
    measure: str = Query("quantity"),
) -> Response:
    """The selected series' history and forecast as Excel or CSV (small cells suppressed)."""
    sel = _selection(market, industry, channel)
    run = service.latest_run(session, actor=actor, measure=measure) or service.latest_run(
        session, actor=actor
    )
    rows: list[dict[str, Any]] = []
    if run is not None:
        series, hidden = service.find_series(
            session,
            run=run,
            actor=actor,
            market=sel["market"],
            industry=sel["industry"],
            channel=sel["channel"],
        )
        if series is not None and not hidden:
            rows = service.series_rows(series)
    columns = [
        tabular.Column("period", _("Period")),
        tabular.Column("kind", _("Kind")),
        tabular.Column("value", _("Value")),
        tabular.Column("lo_80", _("80% low")),
        tabular.Column("hi_80", _("80% high")),
        tabular.Column("lo_95", _("95% low")),
        tabular.Column("hi_95", _("95% high")),
    ]
    return tabular.export_response(format, columns, rows, filename="forecast")


@router.get("/forecast/sales", response_class=HTMLResponse)
def sales_form(request: Request, actor: UserActor) -> Response:
    """The sales upload form."""
    return render(
        request,
        "forecast/sales_import.html",
        {"result": None, "failure": None},
        actor=actor,
        active="forecast",
    )


@router.post("/forecast/sales", response_class=HTMLResponse, dependencies=[Csrf])
def sales_upload(
    request: Request,
    session: DbSession,
    actor: UserActor,
    file: UploadFile = File(...),
    dry_run: str | None = Form(None),
) -> Response:
    """Import an uploaded sales file, all or nothing (a plain def: parsing runs off the event loop)."""
    result = failure = None
    limit = request.app.state.settings.max_upload_bytes
    data = file.file.read(limit + 1)
    try:
        if len(data) > limit:
            raise ValidationFailed(
                _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024))
            )
        result = service.import_sales(
            session, data=data, filename=file.filename or "", actor=actor, dry_run=dry_run == "1"
        )
    except ValidationFailed as exc:
        failure = exc  # nothing was written: every row is checked before any is stored
    return render(
        request,
        "forecast/sales_import.html",
        {"result": result, "failure": failure},
        actor=actor,
        active="forecast",
        status_code=422 if failure is not None else 200,
    )
