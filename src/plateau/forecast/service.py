"""The forecasting domain's operations: the only place with its business rules.

A run forecasts every sales series (market × product tree × channel, all levels) with the
engine and stores the results with the data version used; pages and the API read stored
results only. Cells made of fewer than 3 enterprises are suppressed for everyone but the
region-wide roles and the enterprise itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor
from plateau.errors import Forbidden, NotFound, ValidationFailed
from plateau.forecast import engine, sales
from plateau.forecast.models import ForecastRun, ForecastScore, ForecastSeries, SalesRecord
from plateau.formatting import BEIJING
from plateau.i18n import _, lazy
from plateau.registry import service as registry_service

if TYPE_CHECKING:
    import pandas as pd


def note_text(note: engine.Note, structure: engine.Structure | None = None) -> str:
    """Say a note of the engine in the user's language, naming the series."""
    who = _("all series")
    if note.series:
        if structure is not None and note.series in set(structure.tags_ids()):
            keys = structure.keys(note.series)
            who = ", ".join(f"{k}={v}" for k, v in keys.items() if v is not None) or _("total")
        else:
            who = note.series
    if note.code == "all_zero":
        return _("%(series)s is all zeros: its forecast is flat at zero.", series=who)
    if note.code == "short_series":
        return _(
            "%(series)s has only %(n)s points: too short for a seasonal model, a simple one stands in.",
            series=who,
            n=note.detail,
        )
    if note.code == "gaps":
        return _(
            "%(series)s had %(n)s missing period(s), filled by interpolation.",
            series=who,
            n=note.detail,
        )
    if note.code == "stopped":
        return _(
            "%(series)s stops %(n)s period(s) before the others; counted as zero since.",
            series=who,
            n=note.detail,
        )
    if note.code == "no_backtest":
        return _(
            "The series are too short to backtest; %(model)s is used everywhere.", model=note.detail
        )
    if note.code == "subtrees":
        n, _sep, cols = note.detail.partition(":")
        return _(
            "Reconciled per subtree: %(n)s subtrees of %(cols)s, each on its own; the levels above them are their sums.",
            n=n,
            cols=cols,
        )
    if note.code == "no_calendar":
        return _(
            "No calendar effect varies over this history beyond the season: ARIMA+X was not fitted."
        )
    if note.code == "fallback_reconciliation":
        return _(
            "MinTrace could not be estimated; %(method)s reconciled the forecasts.",
            method=note.detail,
        )
    return note.code


# --- running a forecast ------------------------------------------------------------------

MEASURES = ("quantity", "revenue")
CHANNEL_NAMES = {
    "retail": lazy("Retail"),
    "ecommerce": lazy("E-commerce"),
    "wholesale": lazy("Wholesale"),
    "tourism": lazy("Tourism"),
}
PLAN_END_YEAR = 2030
MIN_ENTERPRISES = 3  # statistics law: a cell of fewer respondents is confidential
# Levels of the platform's forecast (name, columns); the bottom (every column) comes last.
# The market tree: market kind (区内 / 区外国内 / 出口) → province (or prefecture, or a market
# directly under its kind, which is then its own province) → market region (city).
COLUMNS = ("market_kind", "province", "market", "industry", "category", "product", "channel")
LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("market_kind", ("market_kind",)),
    ("province", ("market_kind", "province")),
    ("market", ("market_kind", "province", "market")),
    ("industry", ("industry",)),
    ("category", ("industry", "category")),
    ("product", ("industry", "category", "product")),
    ("channel", ("channel",)),
    ("market_kind_industry", ("market_kind", "industry")),
    ("province_industry", ("market_kind", "province", "industry")),
    ("market_industry", ("market_kind", "province", "market", "industry")),
    ("market_category", ("market_kind", "province", "market", "industry", "category")),
    ("bottom", COLUMNS),
)


# Large runs reconcile each market kind's subtree (区内, 区外国内, 出口) on its own.
AUTO_SUBTREE = ("market_kind",)


def may_run(actor: Actor) -> bool:
    """Region administrators and analysts start forecasts."""
    return actor.is_region_wide


def channel_name(code: str | None) -> str:
    """The channel's name in the user's language."""
    return str(CHANNEL_NAMES.get(code or "", code or _("All channels")))


def data_version(session: Session) -> str:
    """A digest of the sales table: a run records which data it used."""
    row = session.execute(
        select(
            func.count(SalesRecord.id),
            func.max(SalesRecord.period),
            func.sum(SalesRecord.quantity),
            func.sum(SalesRecord.revenue_cny),
        )
    ).one()
    text = "|".join(str(v) for v in row)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _products(session: Session) -> dict[int, Any]:
    out: dict[int, Any] = {}
    page = 1
    while True:
        listing = registry_service.list_products(session, page=page, per_page=200, actor=SYSTEM)
        for p in listing.items:
            out[p.id] = p
        if page * 200 >= listing.total or not listing.items:
            return out
        page += 1


def sales_frame(session: Session, *, measure: str) -> pd.DataFrame:
    """Every sales record as a long frame (market, product tree, channel, enterprise, ds, y)."""
    import pandas as pd

    products = _products(session)
    markets = {m.id: m for m in registry_service.list_market_regions(session, actor=SYSTEM)}
    province = {mid: province_of(mid, markets) for mid in markets}
    column = SalesRecord.quantity if measure == "quantity" else SalesRecord.revenue_cny
    rows = session.execute(
        select(
            SalesRecord.product_id,
            SalesRecord.market_region_id,
            SalesRecord.channel,
            SalesRecord.period,
            column,
        )
    ).all()
    data = []
    for pid, mid, channel, period, value in rows:
        p = products.get(pid)
        if p is None:
            continue
        kind = markets[mid].kind if mid in markets else "domestic"
        data.append(
            {
                "market_kind": kind,
                "province": province.get(mid, mid),
                "market": mid,
                "industry": p.industry_id,
                "category": p.category or p.industry_id,
                "product": str(pid),
                "channel": channel,
                "enterprise": p.enterprise_id,
                "ds": pd.Timestamp(period),
                "y": float(value),
            }
        )
    return pd.DataFrame(data, columns=[*COLUMNS, "enterprise", "ds", "y"])


def province_of(market_id: str, markets: dict[str, Any]) -> str:
    """The node just below the market kind on the way up from ``market_id`` (成都 → 四川省;
    拉萨 → 拉萨, a market directly under its kind being its own province)."""
    node = markets.get(market_id)
    seen = 0
    while node is not None and node.parent_id not in (None, "all", node.kind) and seen < 10:
        node, seen = markets.get(node.parent_id), seen + 1
    return node.id if node is not None and node.parent_id not in (None, "all") else market_id


def start_run(
    session: Session,
    *,
    actor: Actor,
    measure: str = "quantity",
    horizon: int = 0,
    exog: bool = False,
    subtree: Sequence[str] = (),
) -> ForecastRun:
    """Record a queued forecast run (the work is done by ``execute_run``, in a job).

    A horizon of 0 forecasts to the end of the plan's last target year (2030). With
    ``exog`` the calendar effects (Losar, Shoton, the tourism shocks …) enter AutoARIMA as
    regressors ("ARIMA+X"), a candidate beside plain AutoARIMA in the backtest.
    ``subtree`` (columns of ``COLUMNS``) reconciles each subtree on its own; by default a
    run with more than ``engine.SUBTREE_THRESHOLD`` bottom series does so per market kind.
    """
    if not may_run(actor):
        raise Forbidden(_("Only region administrators and analysts may start a forecast."))
    if measure not in MEASURES:
        raise ValidationFailed(
            _("Unknown measure %(measure)s: use quantity or revenue.", measure=measure)
        )
    bad = [c for c in subtree if c not in COLUMNS]
    if bad:
        raise ValidationFailed(
            _(
                "Unknown column %(col)s: use %(cols)s.",
                col=", ".join(bad),
                cols=", ".join(COLUMNS[:-1]),
            )
        )
    if not 0 <= horizon <= 96:
        raise ValidationFailed(
            _("The horizon must be between 0 (to the end of 2030) and 96 months.")
        )
    run = ForecastRun(
        created_at=datetime.now(UTC),
        status="queued",
        measure=measure,
        horizon=horizon,
        data_version=data_version(session),
        requested_by=actor.username,
        exog=exog,
        subtree=",".join(subtree),
    )
    session.add(run)
    session.flush()
    return run


def submit_run(
    session: Session,
    *,
    actor: Actor,
    measure: str = "quantity",
    horizon: int = 0,
    exog: bool = False,
    subtree: Sequence[str] = (),
) -> ForecastRun:
    """Queue a run and the background job that computes it (in the caller's transaction)."""
    from plateau.jobs import service as jobs_service

    run = start_run(
        session, actor=actor, measure=measure, horizon=horizon, exog=exog, subtree=subtree
    )
    job = jobs_service.submit(
        session,
        kind="forecast.run",
        params={"run_id": run.id},
        actor=actor,
    )
    run.job_id = job.id
    session.flush()
    return run


def pending_run(session: Session, *, actor: Actor) -> ForecastRun | None:
    """The newest run still queued or running (its job's progress is shown)."""
    return session.scalar(
        select(ForecastRun)
        .where(ForecastRun.status.in_(("queued", "running")), ForecastRun.job_id.is_not(None))
        .order_by(ForecastRun.id.desc())
        .limit(1)
    )


def execute_run(
    session: Session,
    *,
    run_id: int,
    actor: Actor,
    models: Sequence[str] | None = None,
    n_windows: int = 2,
    progress: engine.Progress = engine._noop,
) -> ForecastRun:
    """Forecast every sales series of a queued run and store the results."""
    run = session.get(ForecastRun, run_id)
    if run is None or not may_run(actor):
        raise NotFound(_("No forecast run %(id)s.", id=run_id))
    run.status = "running"
    session.flush()
    frame = sales_frame(session, measure=run.measure)
    if frame.empty:
        run.status = "failed"
        run.error = _("There are no sales to forecast.")
        run.finished_at = datetime.now(UTC)
        session.flush()
        return run
    run.data_version = data_version(session)
    structure = engine.build_structure(
        frame, by=COLUMNS, freq="M", levels=[(n, list(c)) for n, c in LEVELS]
    )
    if run.exog:
        engine.add_calendar(structure)
    subtree = [c for c in run.subtree.split(",") if c]
    if not subtree and len(structure.S.columns) - 1 > engine.SUBTREE_THRESHOLD:
        subtree = list(AUTO_SUBTREE)
        run.subtree = ",".join(subtree)
    last = frame["ds"].max()
    if run.horizon <= 0:  # to the end of the plan's last target year
        run.horizon = max(12, (PLAN_END_YEAR - last.year) * 12 + 12 - last.month)
    result = engine.forecast(
        structure,
        h=run.horizon,
        models=models,
        n_windows=n_windows,
        progress=progress,
        backtest_h=min(run.horizon, 12),
        subtree=subtree or None,
    )
    _store(session, run, frame, structure, result)
    run.status = "done"
    run.finished_at = datetime.now(UTC)
    session.flush()
    return run


def _store(
    session: Session,
    run: ForecastRun,
    frame: pd.DataFrame,
    structure: engine.Structure,
    result: engine.Result,
) -> None:
    import numpy as np

    level_of = structure.level_of()
    # Enterprises behind each series: those of its bottom series.
    S = structure.S.set_index("unique_id")
    bottom_firm = {}
    key_cols = list(COLUMNS)
    firms = frame.groupby(key_cols)["enterprise"].first()
    for keys, firm in firms.items():
        bottom_firm[tuple(str(k) for k in keys)] = int(firm)
    bottom_ids = list(S.columns)
    firm_of_bottom = np.array(
        [bottom_firm.get(tuple(str(v) for v in structure.keys(b).values()), -1) for b in bottom_ids]
    )
    matrix = engine.summing_csr(S)
    row_of = {uid: i for i, uid in enumerate(S.index)}
    history = {uid: g for uid, g in structure.Y.groupby("unique_id")}
    forecasts = {uid: g for uid, g in result.forecasts.groupby("unique_id")}
    for uid in structure.tags_ids():
        keys = structure.keys(uid)
        members = {int(f) for f in np.unique(firm_of_bottom[matrix[row_of[uid]].indices])}
        h = history[uid]
        f = forecasts[uid]
        session.add(
            ForecastSeries(
                run_id=run.id,
                uid=uid,
                level=level_of[uid],
                market_kind=keys["market_kind"],
                province=keys["province"],
                market_region_id=keys["market"],
                industry_id=keys["industry"],
                category=keys["category"],
                product_id=int(keys["product"]) if keys["product"] is not None else None,
                channel=keys["channel"],
                model=result.chosen.get(level_of[uid], ""),
                n_enterprises=len(members),
                enterprise_id=next(iter(members)) if len(members) == 1 else None,
                history=[
                    [d.date().isoformat(), float(y)] for d, y in zip(h["ds"], h["y"], strict=True)
                ],
                points=[
                    [
                        r.ds.date().isoformat(),
                        *(float(x) for x in (r.forecast, r.lo_80, r.hi_80, r.lo_95, r.hi_95)),
                    ]
                    for r in f.itertuples(index=False)
                ],
            )
        )
    for r in result.leaderboard.itertuples(index=False):
        session.add(
            ForecastScore(
                run_id=run.id,
                level=str(r.level),
                model=str(r.model),
                mase=_num(r.mase),
                rmsse=_num(r.rmsse),
                smape=_num(r.smape),
                coverage_80=_num(r.coverage_80),
                coverage_95=_num(r.coverage_95),
                n_series=int(r.n_series),
                chosen=result.chosen.get(str(r.level)) == str(r.model),
            )
        )
    run.n_series = len(structure.tags_ids())
    run.reconciliation = result.reconciliation
    run.chosen = {
        lvl: {"model": m, "reason": result.reasons.get(lvl, "")} for lvl, m in result.chosen.items()
    }
    run.notes = [[n.code, n.series, n.detail] for n in result.notes][:200]
    session.flush()


def _num(v: Any) -> float | None:
    if v is None or v != v:
        return None
    return float(v)


# --- reading stored results --------------------------------------------------------------


def latest_run(session: Session, *, actor: Actor, measure: str | None = None) -> ForecastRun | None:
    """The newest finished run, of one measure if given (anyone may read a run's aggregates)."""
    q = select(ForecastRun).where(ForecastRun.status == "done")
    if measure is not None:
        q = q.where(ForecastRun.measure == measure)
    return session.scalar(q.order_by(ForecastRun.id.desc()).limit(1))


def list_runs(session: Session, *, actor: Actor) -> list[ForecastRun]:
    """Every run, newest first."""
    return list(session.scalars(select(ForecastRun).order_by(ForecastRun.id.desc()).limit(100)))


def get_run(session: Session, *, run_id: int, actor: Actor) -> ForecastRun:
    """One run, or NotFound."""
    run = session.get(ForecastRun, run_id)
    if run is None:
        raise NotFound(_("No forecast run %(id)s.", id=run_id))
    return run


def visible_enterprises(session: Session, *, actor: Actor) -> set[int] | None:
    """Enterprises whose own series the caller sees (None: all of them)."""
    if actor.is_region_wide:
        return None
    if not actor.is_authenticated:
        return set()
    # The registry decides which enterprises an officer or enterprise user may see.
    out: set[int] = set()
    page = 1
    while True:
        listing = registry_service.list_enterprises(session, page=page, per_page=200, actor=actor)
        out.update(e.id for e in listing.items)
        if page * 200 >= listing.total or not listing.items:
            return out
        page += 1


def suppressed(series: ForecastSeries, visible: set[int] | None) -> bool:
    """Tell whether the caller may not see this series' numbers.

    A cell made of fewer than 3 enterprises is confidential (statistics law), except to
    the region-wide roles and to the enterprise itself or its officers when it is the only one.
    """
    if visible is None or series.n_enterprises >= MIN_ENTERPRISES:
        return False
    return not (series.enterprise_id is not None and series.enterprise_id in visible)


def _series_query(
    run: ForecastRun,
    *,
    market: str | None,
    industry: str | None,
    category: str | None,
    product: int | None,
    channel: str | None,
    level: str | None,
) -> Any:
    q = select(ForecastSeries).where(ForecastSeries.run_id == run.id)
    if level is not None:
        q = q.where(ForecastSeries.level == level)
    for col, value in (
        (ForecastSeries.industry_id, industry),
        (ForecastSeries.category, category),
        (ForecastSeries.product_id, product),
        (ForecastSeries.channel, channel),
    ):
        if value is not None:
            q = q.where(col == value)
    if market is not None:
        if market in MARKET_KINDS:
            q = q.where(ForecastSeries.market_kind == market)
        else:
            q = q.where(
                or_(ForecastSeries.market_region_id == market, ForecastSeries.province == market)
            )
    return q


def list_series(
    session: Session,
    *,
    run: ForecastRun,
    actor: Actor,
    market: str | None = None,
    industry: str | None = None,
    category: str | None = None,
    product: int | None = None,
    channel: str | None = None,
    level: str | None = None,
) -> list[tuple[ForecastSeries, bool]]:
    """Series of a run matching the filters (None = all), each with its suppression flag."""
    q = _series_query(
        run,
        market=market,
        industry=industry,
        category=category,
        product=product,
        channel=channel,
        level=level,
    )
    visible = visible_enterprises(session, actor=actor)
    # Sorted here, not in SQL: an ORDER BY uid lets SQLite walk the (run, uid) index through
    # every series of the run (the bottom's thousands) instead of the (run, level) index.
    found = sorted(session.scalars(q), key=lambda s: s.uid)
    return [(s, suppressed(s, visible)) for s in found]


def page_series(
    session: Session,
    *,
    run: ForecastRun,
    actor: Actor,
    page: int,
    per_page: int,
    market: str | None = None,
    industry: str | None = None,
    channel: str | None = None,
    level: str | None = None,
) -> tuple[list[tuple[ForecastSeries, bool]], int]:
    """One page of a run's series (paged in SQL: a run may hold tens of thousands) and the
    number of matching series."""
    q = _series_query(
        run,
        market=market,
        industry=industry,
        category=None,
        product=None,
        channel=channel,
        level=level,
    )
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.scalars(
        q.order_by(ForecastSeries.uid).offset((page - 1) * per_page).limit(per_page)
    )
    visible = visible_enterprises(session, actor=actor)
    return [(s, suppressed(s, visible)) for s in rows], int(total)


MARKET_KINDS = ("in_region", "domestic", "export")


def _levels_fixing(columns: set[str]) -> list[str]:
    """The stored levels whose series fix exactly these columns."""
    return [name for name, cols in (("total", ()), *LEVELS) if set(cols) == columns]


def find_series(
    session: Session,
    *,
    run: ForecastRun,
    actor: Actor,
    market: str | None = None,
    industry: str | None = None,
    category: str | None = None,
    product: int | None = None,
    channel: str | None = None,
    visible: set[int] | bool | None = False,
) -> tuple[ForecastSeries | None, bool]:
    """The one stored series for exactly this selection (None = all), with its suppression.

    The selection says which level holds the series (the columns it fixes), so the lookup
    reads that level's rows only (index on run and level), however large the bottom is.
    """
    q = select(ForecastSeries).where(ForecastSeries.run_id == run.id)
    kind = market if market in MARKET_KINDS else None
    region = market if market not in MARKET_KINDS and market not in (None, "all") else None
    has = set()
    candidates: list[tuple[list[str], list[ColumnElement[bool]]]]
    for name, col, value in (
        ("industry", ForecastSeries.industry_id, industry),
        ("category", ForecastSeries.category, category),
        ("product", ForecastSeries.product_id, product),
        ("channel", ForecastSeries.channel, channel),
    ):
        q = q.where(col.is_(None)) if value is None else q.where(col == value)
        if value is not None:
            has.add(name)
    if region is None:
        where: list[ColumnElement[bool]] = [
            ForecastSeries.province.is_(None),
            ForecastSeries.market_region_id.is_(None),
        ]
        if kind is None:
            where.append(ForecastSeries.market_kind.is_(None))
        else:
            where.append(ForecastSeries.market_kind == kind)
            has.add("market_kind")
        candidates = [(_levels_fixing(has), where)]
    else:
        # A province's own aggregate first; else the market region (a city, or a market that
        # is its own province: both series then hold the same numbers).
        candidates = [
            (
                _levels_fixing(has | {"market_kind", "province"}),
                [ForecastSeries.province == region, ForecastSeries.market_region_id.is_(None)],
            ),
            (
                _levels_fixing(has | {"market_kind", "province", "market"}),
                [ForecastSeries.market_region_id == region],
            ),
        ]
    series = None
    for levels, where in candidates:
        if levels:
            series = session.scalars(
                q.where(ForecastSeries.level.in_(levels), *where).limit(1)
            ).first()
        if series is not None:
            break
    if series is None:
        return None, False
    if visible is False:  # not given: work it out (pages compute it once per request)
        visible = visible_enterprises(session, actor=actor)
    assert visible is not True
    return series, suppressed(series, visible)


def leaderboard(session: Session, *, run: ForecastRun, actor: Actor) -> list[ForecastScore]:
    """The run's backtest leaderboard, level by level, best first."""
    rows = list(session.scalars(select(ForecastScore).where(ForecastScore.run_id == run.id)))
    order = {name: i for i, (name, _) in enumerate((("total", ()), *LEVELS))}
    return sorted(
        rows, key=lambda r: (order.get(r.level, 99), r.mase if r.mase is not None else 1e9)
    )


def growth(series: ForecastSeries, months: int = 12) -> float | None:
    """Forecast growth: the next ``months`` of forecast against the last ``months`` of history."""
    past = sum(v for _, v in series.history[-months:])
    ahead = sum(p[1] for p in series.points[:months])
    if len(series.history) < months or len(series.points) < months or past <= 0:
        return None
    return float(ahead / past - 1.0)


def heatmap(
    session: Session, *, run: ForecastRun, actor: Actor, market: str | None = None
) -> list[dict[str, Any]]:
    """Forecast growth by market region × industry, small cells suppressed; with ``market``,
    that market's rows only (a drill-down reads what it shows)."""
    out = []
    rows = list_series(session, run=run, actor=actor, level="market_industry", market=market)
    for s, hidden in rows:
        out.append(
            {
                "market": s.market_region_id,
                "industry": s.industry_id,
                "growth": None if hidden else growth(s),
                "suppressed": hidden,
            }
        )
    return out


def level_name(level: str) -> str:
    """The name of a level of the forecast, in the user's language."""
    names = {
        "total": _("Total"),
        "market_kind": _("Market type"),
        "market": _("Market region"),
        "industry": _("Industry"),
        "category": _("Product category"),
        "product": _("Product"),
        "channel": _("Channel"),
        "province": _("Province"),
        "province_industry": _("Province × industry"),
        "market_kind_industry": _("Market type × industry"),
        "market_industry": _("Market region × industry"),
        "market_category": _("Market region × category"),
        "bottom": _("Market × product × channel"),
    }
    return names.get(level, level)


def model_name(model: str) -> str:
    """The name of a model in the user's language (model names are proper names)."""
    names = {
        "SeasonalNaive": _("Seasonal naive"),
        "Naive": _("Naive (last value)"),
        "HistoricAverage": _("Historic average"),
        "Combination": _("Combination of the best models"),
        "ARIMA+X": _("AutoARIMA with calendar effects (ARIMA+X)"),
    }
    return names.get(model, model)


def series_rows(series: ForecastSeries) -> list[dict[str, Any]]:
    """History and forecast of one series as table rows (kind translated)."""
    rows: list[dict[str, Any]] = [
        {"period": d, "kind": _("History"), "value": v} for d, v in series.history
    ]
    for p in series.points:
        rows.append(
            {
                "period": p[0],
                "kind": _("Forecast"),
                "value": p[1],
                "lo_80": p[2],
                "hi_80": p[3],
                "lo_95": p[4],
                "hi_95": p[5],
            }
        )
    return rows


def import_sales(
    session: Session, *, data: bytes, filename: str, actor: Actor, dry_run: bool = False
) -> sales.SalesImport:
    """Import a sales file (CSV/XLSX), all or nothing; each bad row named."""
    today = datetime.now(BEIJING).date()
    return sales.import_sales(
        session, data=data, filename=filename, actor=actor, today=today, dry_run=dry_run
    )


def sync_retail(session: Session, *, actor: Actor) -> Any:
    """Turn the traceability repository's ``retail_selling`` events into sales records
    (source "trace", channel retail), never adding to an imported record of the same key.

    Region administrators and analysts (and the system) run it: it reads every enterprise's
    events, whose figures then show under the forecast's suppression rules.
    """
    from plateau.errors import NotFound as _NotFound
    from plateau.forecast import retail

    if not may_run(actor):
        raise Forbidden(_("Only region administrators and analysts may read retail sales."))
    cache: dict[str, int | None] = {}

    def product_id(gtin: str) -> int | None:
        if gtin not in cache:
            try:
                cache[gtin] = registry_service.get_product(session, gtin=gtin, actor=SYSTEM).id
            except _NotFound:
                cache[gtin] = None
        return cache[gtin]

    today = datetime.now(BEIJING).date()
    markets = registry_service.list_market_regions(session, actor=SYSTEM)
    return retail.sync(session, today=today, markets=markets, products=product_id)


def submit_sync_retail(session: Session, *, actor: Actor) -> Any:
    """Queue the retail sync as a background job (region administrators and analysts)."""
    from plateau.jobs import service as jobs_service

    if not may_run(actor):
        raise Forbidden(_("Only region administrators and analysts may read retail sales."))
    return jobs_service.submit(
        session, kind="forecast.sync_retail", params={}, actor=actor, dedup_key="sync_retail"
    )


def sync_retail_text(report: Any) -> str:
    """One sentence on a retail sync, in the user's language."""
    text = _(
        "%(events)s till scans read: %(created)s sales records new, %(updated)s changed, %(removed)s withdrawn; %(kept)s left to imported figures.",
        events=report.events,
        created=report.created,
        updated=report.updated,
        removed=report.removed,
        kept=report.kept_imported,
    )
    if report.unplaced:
        text += " " + _(
            "%(n)s location(s) without a market region (register them with a county or region): %(ids)s",
            n=len(report.unplaced),
            ids=", ".join(report.unplaced[:5]),
        )
    if report.unknown_products:
        text += " " + _(
            "%(n)s GTIN(s) not in the registry: %(ids)s",
            n=len(report.unknown_products),
            ids=", ".join(report.unknown_products[:5]),
        )
    return text


# --- demand against the plan -------------------------------------------------------------

# Plan indicators that demand can support, and the sales measure that stands for each.
PLAN_MEASURES = {"output_value": "revenue", "drinking_water_volume": "quantity"}


@dataclass
class PlanCheck:
    """Forecast demand of one industry in one target year beside the plan's target."""

    industry: str
    indicator: str
    year: int
    baseline_year: int
    baseline: float  # the plan's figure in its base year
    target: float
    unit: str
    required_growth: float  # target / baseline
    base_sales: float | None  # sales in the base year (the platform's own series)
    expected_sales: float | None  # sales expected in the target year (actual + forecast)
    lo_95: float | None
    hi_95: float | None
    demand_growth: float | None  # expected / base sales
    probability: float | None  # P(demand grows at least as the target requires)
    suppressed: bool = False
    status: str = "unknown"  # supports | short | unknown | suppressed


def _year_sum(series: ForecastSeries, year: int) -> tuple[float, float, int] | None:
    """Expected sales of a calendar year: (mean, standard deviation, forecast months).

    Actual months count as known; forecast months add their mean and a standard deviation
    read off the 95 % interval. Months are taken as perfectly correlated (deviations add
    up), which widens the year's band: a cautious reading of the probability.
    """
    prefix = f"{year}-"
    actual = [v for d, v in series.history if d.startswith(prefix)]
    future = [p for p in series.points if p[0].startswith(prefix)]
    if len(actual) + len(future) != 12:
        return None
    mean = sum(actual) + sum(p[1] for p in future)
    sd = sum((p[5] - p[4]) / (2 * 1.959964) for p in future)
    return float(mean), float(sd), len(future)


def demand_vs_plan(
    session: Session, *, actor: Actor, industry: str | None = None
) -> list[PlanCheck]:
    """For each industry target demand can support, whether forecast demand supports it."""
    from statistics import NormalDist

    from plateau.plan import service as plan_service

    out: list[PlanCheck] = []
    visible = visible_enterprises(session, actor=actor)
    runs = {m: latest_run(session, actor=actor, measure=m) for m in MEASURES}
    for indicator, measure in PLAN_MEASURES.items():
        figures = plan_service.list_figures(session, actor=actor, indicator=indicator)
        baselines = {f.scope: f for f in figures if f.kind == "baseline"}
        for f in figures:
            if (
                f.kind != "target"
                or not f.scope.startswith("industry:")
                or f.scope not in baselines
            ):
                continue
            ind = f.scope.split(":", 1)[1]
            if industry is not None and ind != industry:
                continue
            base = baselines[f.scope]
            check = PlanCheck(
                industry=ind, indicator=indicator, year=f.year, baseline_year=base.year,
                baseline=float(base.value), target=float(f.value), unit=f.unit,
                required_growth=float(f.value) / float(base.value), base_sales=None,
                expected_sales=None, lo_95=None, hi_95=None, demand_growth=None, probability=None,
            )  # fmt: skip
            out.append(check)
            run = runs[measure]
            if run is None:
                continue
            series, hidden = find_series(
                session, run=run, actor=actor, industry=ind, visible=visible
            )
            if series is None:
                continue
            if hidden:
                check.suppressed, check.status = True, "suppressed"
                continue
            base_year = _year_sum(series, base.year)
            year = _year_sum(series, f.year)
            if base_year is None or year is None or base_year[0] <= 0:
                continue
            mean, sd, _months = year
            check.base_sales = base_year[0]
            check.expected_sales = mean
            check.lo_95, check.hi_95 = mean - 1.959964 * sd, mean + 1.959964 * sd
            check.demand_growth = mean / base_year[0]
            needed = base_year[0] * check.required_growth
            if sd > 0:
                check.probability = 1.0 - NormalDist(mean, sd).cdf(needed)
            else:
                check.probability = 1.0 if mean >= needed else 0.0
            check.status = "supports" if check.probability >= 0.5 else "short"
    return sorted(out, key=lambda c: (c.industry, c.indicator, c.year))


def plan_check_text(check: PlanCheck) -> str:
    """One sentence on a plan check, in the user's language."""
    if check.status == "suppressed":
        return _("Suppressed: fewer than 3 enterprises sell this industry's products.")
    if check.status == "unknown" or check.probability is None or check.demand_growth is None:
        return _(
            "No forecast reaches %(year)s yet, or sales of %(base)s are missing.",
            year=check.year,
            base=check.baseline_year,
        )
    params = {
        "year": check.year,
        "need": f"{(check.required_growth - 1) * 100:+.0f}%",
        "growth": f"{(check.demand_growth - 1) * 100:+.0f}%",
        "p": f"{check.probability * 100:.0f}%",
        "base": check.baseline_year,
    }
    if check.status == "supports":
        return _(
            "Demand supports the %(year)s target: it needs %(need)s on %(base)s, demand is forecast at %(growth)s (probability %(p)s).",
            **params,
        )
    return _(
        "Demand falls short of the %(year)s target: it needs %(need)s on %(base)s, demand is forecast at %(growth)s (probability %(p)s).",
        **params,
    )


def indicator_name(indicator: str) -> str:
    """The name of a plan indicator that demand is compared with."""
    names = {
        "output_value": _("Output value (sales revenue as its demand)"),
        "drinking_water_volume": _("Drinking water production and sales volume (sales quantity)"),
    }
    return names.get(indicator, indicator)


def fmt_target(check: PlanCheck) -> str:
    """The plan's target in its display unit (亿元, 万吨)."""
    from decimal import Decimal

    from plateau.formatting import fmt_value

    return fmt_value(Decimal(str(check.target)), check.unit)


# --- regional preferences ----------------------------------------------------------------


@dataclass
class Preference:
    """How one market buys one product category: share, trend, seasonality."""

    market: str
    industry: str
    category: str
    share: float | None  # of the category's sales over the last 12 months
    growth: float | None  # forecast growth over the next 12 months
    profile: list[float] | None  # share of each calendar month in a year's sales (Jan..Dec)
    peak_month: int | None
    suppressed: bool


def preferences(
    session: Session,
    *,
    run: ForecastRun,
    actor: Actor,
    industry: str | None = None,
    market: str | None = None,
) -> list[Preference]:
    """Each category's share of each market, its trend and its seasonality profile; with
    ``market``, that market's rows only (its shares still of every market's sales).

    Sorted by category, fastest-growing market first. Cells of fewer than 3 enterprises are
    suppressed, and left out of nobody's totals (shares use every market's sales).
    """
    rows = list_series(
        session, run=run, actor=actor, level="market_category", industry=industry, market=market
    )
    totals: dict[tuple[str, str], float] = {}
    recent: dict[int, float] = {}
    for s, _hidden in rows:
        recent[s.id] = sum(v for _d, v in s.history[-12:])
    if market is None:
        every: Any = ((s.industry_id, s.category, s.history) for s, _hidden in rows)
    else:
        # The totals need every market's last year, not their series: plain rows.
        every = session.execute(
            _series_query(
                run,
                market=None,
                industry=industry,
                category=None,
                product=None,
                channel=None,
                level="market_category",
            ).with_only_columns(
                ForecastSeries.industry_id, ForecastSeries.category, ForecastSeries.history
            )
        )
    for industry_id, category, history in every:
        key = (industry_id or "", category or "")
        totals[key] = totals.get(key, 0.0) + sum(v for _d, v in history[-12:])
    out = []
    for s, hidden in rows:
        key = (s.industry_id or "", s.category or "")
        profile = None if hidden else _profile(s.history)
        out.append(
            Preference(
                market=s.market_region_id or "",
                industry=key[0],
                category=key[1],
                share=None if hidden or not totals[key] else recent[s.id] / totals[key],
                growth=None if hidden else growth(s),
                profile=profile,
                peak_month=None
                if profile is None
                else max(range(12), key=lambda m: profile[m]) + 1,
                suppressed=hidden,
            )
        )
    return sorted(
        out, key=lambda p: (p.industry, p.category, -(p.growth if p.growth is not None else -9))
    )


def _profile(history: list[Any]) -> list[float] | None:
    """Average share of each calendar month in its year's sales (complete years only)."""
    by_year: dict[str, dict[int, float]] = {}
    for d, v in history:
        by_year.setdefault(d[:4], {})[int(d[5:7])] = v
    shares = []
    for months in by_year.values():
        total = sum(months.values())
        if len(months) == 12 and total > 0:
            shares.append([months[m] / total for m in range(1, 13)])
    if not shares:
        return None
    return [sum(s[m] for s in shares) / len(shares) for m in range(12)]


# Product categories of the registry (``Product.category``) by name.
CATEGORY_NAMES = {
    "barley_snack": lazy("Highland barley snacks"),
    "barley_food": lazy("Highland barley foods"),
    "dairy": lazy("Dairy products"),
    "meat": lazy("Meat products"),
    "yak_meat": lazy("Yak meat products"),
    "forest_food": lazy("Forest foods"),
    "tibetan_medicine": lazy("Tibetan medicines"),
    "herbal_pieces": lazy("Prepared herbal pieces"),
    "beer": lazy("Beer"),
    "barley_liquor": lazy("Highland barley liquor"),
    "drinking_water": lazy("Drinking water"),
    "cookware": lazy("Cookware"),
    "souvenir": lazy("Souvenirs"),
    "jewellery": lazy("Jewellery"),
    "textile": lazy("Textiles"),
    "carpet": lazy("Carpets"),
    "incense": lazy("Tibetan incense"),
    "oxygen": lazy("Oxygen products"),
    "oxygen_device": lazy("Oxygen devices"),
    "condiment": lazy("Condiments"),
    "tea": lazy("Tea"),
    "leather": lazy("Leather goods"),
    "wool": lazy("Wool products"),
    "beverage": lazy("Beverages"),
    "garment": lazy("Garments"),
    "fur_garment": lazy("Fur garments"),
    "garment_accessory": lazy("Garment accessories"),
    "raw_material": lazy("Raw materials"),
}


def category_name(code: str | None) -> str:
    """A product category's name in the user's language (the code if it has none)."""
    if not code:
        return _("All categories")
    name = CATEGORY_NAMES.get(code)
    return _(name) if name else code
