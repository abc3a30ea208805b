"""Indicators and targets: the one entry point for routers, the CLI and other packages.

Who sees what (every function takes the caller):

- the public: nothing (401);
- region administrator and analyst: every scope and every enterprise;
- prefecture officer: the region, industry and program aggregates, their prefecture and
  its parks, and the enterprises of their prefecture;
- park officer: the region, industry and program aggregates, their park and its enterprises;
- enterprise user: the region, industry and program aggregates, and their own enterprise.

Aggregates are always computed over every enterprise (a region total is the same whoever
looks); the caller decides which scopes are shown and which enterprises are named.
Target shares of prefectures are read by every logged-in user and set by the region
administrator only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.db import utcnow
from plateau.errors import FieldError, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.formatting import fmt_value
from plateau.i18n import _
from plateau.monitoring.analytics import aggregates, cache, engine, projection, targets
from plateau.monitoring.analytics import facts as facts_repo
from plateau.monitoring.analytics import warnings as early_warnings
from plateau.monitoring.analytics.engine import IndicatorTable, Reference, Scope
from plateau.monitoring.analytics.indicators import Catalog, Indicator, catalog
from plateau.monitoring.analytics.models import TargetShare
from plateau.monitoring.analytics.schemas import (
    BacktestRead,
    Breakdown,
    BreakdownRow,
    ChartSeries,
    CoverageRead,
    DecomposableTarget,
    DecompositionRead,
    FanPointRead,
    IndicatorDefinition,
    IndicatorRecord,
    MonthlyRead,
    MonthRow,
    ScopeRead,
    SeriesPoint,
    ShareRow,
    TargetProgress,
    WarningsRead,
    YearStatusRead,
)
from plateau.monitoring.analytics.targets import Baseline, Target
from plateau.plan import service as plan_service
from plateau.registry import access as registry_access
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise

MAIN_PLAN = plan_service.MAIN_PLAN
SCOPE_ORDER = {
    "region": 0,
    "industry": 1,
    "prefecture": 2,
    "park": 3,
    "program": 4,
    "enterprise": 5,
}


# --- who sees what ---


def require_reader(actor: Actor) -> None:
    """Refuse the public: indicators are for logged-in users."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in to see indicators."))


def scope_visible(actor: Actor, scope: Scope, visible_ids: set[str] | None = None) -> bool:
    """Tell whether ``actor`` may see a scope (``visible_ids``: the enterprise USCCs they see)."""
    if not actor.is_authenticated:
        return False
    if actor.is_region_wide or scope.kind in ("region", "industry", "program"):
        return True
    own_kind, own = actor.scope_kind, actor.scope_value
    if scope.kind == "prefecture":
        return (
            actor.role is Role.PREFECTURE_OFFICER
            and own_kind == "prefecture"
            and own == scope.value
        )
    if scope.kind == "park":
        if actor.role is Role.PARK_OFFICER:
            return own_kind == "park" and own == scope.value
        return (
            actor.role is Role.PREFECTURE_OFFICER
            and own_kind == "prefecture"
            and own == scope.prefecture
        )
    if scope.kind == "enterprise":
        return visible_ids is not None and scope.value in visible_ids
    return False


def visible_enterprises(session: Session, *, actor: Actor) -> dict[int, str]:
    """Ids and USCCs of the enterprises the caller may see."""
    if not actor.is_authenticated:
        return {}
    stmt = select(Enterprise.id, Enterprise.uscc).where(registry_access.visible_enterprises(actor))
    return {i: u for i, u in session.execute(stmt)}


def reference(session: Session, *, actor: Actor) -> Reference:
    """Every aggregate scope: the region, industries, prefectures, parks, programs."""
    scopes: list[Scope] = [Scope("region", "region", None, "西藏自治区", "Tibet Autonomous Region")]
    for ind in registry_service.list_industries(session, actor=actor):
        scopes.append(Scope(f"industry:{ind.id}", "industry", ind.id, ind.name_zh, ind.name_en))
    for p in registry_service.list_prefectures(session, actor=actor):
        scopes.append(Scope(f"prefecture:{p.code}", "prefecture", p.code, p.name_zh, p.name_en))
    for park in registry_service.list_parks(session, actor=actor):
        scopes.append(
            Scope(
                f"park:{park.id}",
                "park",
                park.id,
                park.name_zh,
                park.name_en,
                park.prefecture_code,
            )
        )
    for pid, program in catalog().programs.items():
        scopes.append(Scope(f"program:{pid}", "program", pid, program.name_zh, program.name_en))
    return Reference(tuple(scopes))


def visible_scopes(session: Session, *, actor: Actor) -> list[ScopeRead]:
    """The aggregate scopes the caller may open a dashboard for."""
    require_reader(actor)
    return [
        ScopeRead(id=s.id, kind=s.kind, name=s.name)
        for s in reference(session, actor=actor).scopes
        if scope_visible(actor, s)
    ]


def definitions() -> list[IndicatorDefinition]:
    """The indicator catalog (public: it describes formulas, not data)."""
    return [
        IndicatorDefinition.model_validate(i, from_attributes=True) for i in catalog().indicators
    ]


# --- the computation, with targets ---


@dataclass
class Context:
    """One computation for one caller: values, targets, baselines and visibility."""

    actor: Actor
    catalog: Catalog
    table: IndicatorTable
    reference: Reference
    targets: dict[tuple[str, str], list[Target]]
    baselines: list[Baseline]
    base_years: dict[str, int]
    visible_usccs: set[str]
    plan_names: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def at_risk(self) -> float:
        return self.catalog.settings.at_risk_ratio

    def scope(self, scope_id: str) -> Scope | None:
        return self.table.scopes.get(scope_id)

    def visible(self, scope: Scope) -> bool:
        return scope_visible(self.actor, scope, self.visible_usccs)

    def all_targets(self) -> list[Target]:
        return [t for ts in self.targets.values() for t in ts]

    def base_year(self, target: Target) -> int:
        return self.base_years.get(target.plan_id, 2022)

    def indicator_name(
        self, indicator: str, plan_id: str = MAIN_PLAN, scope: str | None = None
    ) -> str:
        ind = self.catalog.get(indicator)
        if ind is not None:
            return ind.name_for(scope)
        return self.plan_names.get((plan_id, indicator), indicator)


def _float(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def _plan_targets(session: Session, actor: Actor) -> tuple[list[Target], list[Baseline]]:
    found: list[Target] = []
    baselines: list[Baseline] = []
    for f in plan_service.list_figures(session, actor=actor):
        if f.kind == "baseline":
            baselines.append(Baseline(f.indicator, f.scope, f.year, float(f.value)))
            continue
        found.append(
            Target(
                plan_id=f.plan_id,
                indicator=f.indicator,
                scope=f.scope,
                year=f.year,
                value=float(f.value),
                value_max=_float(f.value_max),
                bound=f.bound,
                unit=f.unit,
                since_year=f.since_year,
                source=f.source,
            )
        )
    return found, baselines


def _shares(session: Session) -> dict[tuple[str, str, int], dict[str, float]]:
    out: dict[tuple[str, str, int], dict[str, float]] = {}
    for row in session.scalars(select(TargetShare)):
        out.setdefault((row.plan_id, row.indicator, row.target_year), {})[row.prefecture_code] = (
            float(row.share)
        )
    return out


def _decomposed(
    plan_targets: list[Target], shares: dict[tuple[str, str, int], dict[str, float]]
) -> list[Target]:
    out: list[Target] = []
    for t in plan_targets:
        mine = shares.get((t.plan_id, t.indicator, t.year))
        if t.scope != "region" or not mine:
            continue
        values = targets.allocate(t.value, mine, t.unit)
        maxima = targets.allocate(t.value_max, mine, t.unit) if t.value_max is not None else {}
        for code, value in values.items():
            out.append(
                Target(
                    plan_id=t.plan_id,
                    indicator=t.indicator,
                    scope=f"prefecture:{code}",
                    year=t.year,
                    value=value,
                    value_max=maxima.get(code),
                    bound=t.bound,
                    unit=t.unit,
                    since_year=t.since_year,
                    source="decomposition",
                )
            )
    return out


def context(
    session: Session,
    *,
    actor: Actor,
    as_of: date | None = None,
    enterprises: Iterable[int] = (),
    monthly_years: Iterable[int] | None = (),
    recent_months: bool = False,
) -> Context:
    """Compute every indicator for the caller (and the visible ``enterprises`` given)."""
    require_reader(actor)
    cat = catalog()
    ref = reference(session, actor=actor)
    visible = visible_enterprises(session, actor=actor)
    wanted = sorted({e for e in enterprises if e in visible})
    years = None if monthly_years is None else tuple(sorted(set(monthly_years)))
    # The pre-aggregates absorb pending changes first; the version read then keys the cache.
    version = aggregates.sync(session)
    plan_targets, baselines = _plan_targets(session, actor)
    # A growth target "since" a year compares a year in progress with that year's same months.
    bases = tuple(
        sorted(
            {
                t.since_year
                for t in plan_targets
                if t.since_year is not None
                and (ind := cat.get(t.indicator)) is not None
                and ind.kind == "growth"
            }
        )
    )
    shared = (version, as_of, years, recent_months, tuple(wanted), ref, bases)
    key = (str(session.get_bind().engine.url), *shared)

    def compute() -> engine.IndicatorTable:
        # Another process (the job worker's warm-up) may have computed it already.
        name = cache.digest(shared)
        found = cache.load_stored(session, name)
        if found is not None:
            return found
        table = engine.compute(
            session,
            catalog=cat,
            reference=ref,
            as_of=as_of,
            enterprise_ids=wanted,
            monthly_years=years,
            recent_months=recent_months,
            stored=True,
            growth_bases=bases,
        )
        if cache.STORE.get():
            cache.store(session, name, version, table)
        return table

    table = cache.TABLES.get_or_compute(key, compute)
    all_targets = plan_targets + _decomposed(plan_targets, _shares(session))
    by_key: dict[tuple[str, str], list[Target]] = {}
    for t in all_targets:
        by_key.setdefault((t.indicator, t.scope), []).append(t)
    base_years = {p.id: p.base_year for p in plan_service.list_plans(session, actor=actor)}
    names = {
        key: plan_service.localized(ind.name_zh, ind.name_en)
        for key, ind in plan_service.indicator_names(session, actor=actor).items()
    }
    return Context(
        actor=actor,
        catalog=cat,
        table=table,
        reference=ref,
        targets=by_key,
        baselines=baselines,
        base_years=base_years,
        visible_usccs=set(visible.values()),
        plan_names=names,
    )


def _measure_kind(ind: Indicator | None, target: Target) -> str:
    if ind is not None and ind.kind == "growth":
        return "growth"
    if target.since_year is not None:
        return "cumulative" if ind is not None and ind.accumulation == "flow" else "difference"
    return "level"


def progress(ctx: Context, target: Target) -> TargetProgress:
    """Where one target stands: baseline, latest value, status, projection and its fan."""
    ind = ctx.catalog.get(target.indicator)
    scope = ctx.scope(target.scope)
    common = {
        "plan_id": target.plan_id,
        "indicator": target.indicator,
        "indicator_name": ctx.indicator_name(target.indicator, target.plan_id, target.scope),
        "scope": target.scope,
        "scope_name": scope.name if scope else target.scope,
        "unit": target.unit,
        "above_size": bool(ind and ind.about_above_size),
        "target_year": target.year,
        "target": target.value,
        "target_max": target.value_max,
        "bound": target.bound,
        "since_year": target.since_year,
        "source": target.source,
        "measure": _measure_kind(ind, target),
    }
    table = ctx.table
    if ind is None or not table.periods:
        return TargetProgress(
            **common,
            baseline_year=None,
            baseline=None,
            baseline_source=None,
            period=None,
            actual=None,
            compared=None,
            expected=None,
            completion_pct=None,
            status=None,
            projection=None,
            projection_low=None,
            projection_high=None,
            probability=None,
            method=None,
            computable=ind is not None,
        )
    traj = targets.trajectory_for(
        target,
        ind,
        all_targets=ctx.targets.get((target.indicator, target.scope), []),
        baselines=ctx.baselines,
        table=table,
        base_year=ctx.base_year(target),
    )
    yearly = targets.yearly_statuses(table, ind, target, traj, at_risk=ctx.at_risk)
    year = target.year if target.year in table.complete_years else table.years[-1]
    actual = targets.measure(table, ind, target, year)
    compared, t = targets.comparable(table, ind, target, year)
    expected = traj.at(t) if traj else None
    status = targets.status_of(compared, expected, at_risk=ctx.at_risk)
    proj, point, probability = targets.project(table, ind, target)
    completion = 100.0 * actual / target.value if actual is not None and target.value else None
    return TargetProgress(
        **common,
        baseline_year=traj.start.year if traj and traj.shape != "constant" else None,
        baseline=traj.start.value if traj and traj.shape != "constant" else None,
        baseline_source=traj.start.source if traj and traj.shape != "constant" else None,
        period=table.periods[year].label,
        actual=actual,
        compared=compared,
        expected=expected,
        completion_pct=completion,
        status=status,
        projection=point,
        projection_low=proj.low80 if proj else None,
        projection_high=proj.high80 if proj else None,
        probability=probability,
        method=proj.method if proj else None,
        computable=True,
        yearly=[YearStatusRead(**y.__dict__) for y in yearly],
        fan=[FanPointRead(**f.__dict__) for f in proj.fan] if proj else [],
    )


def _sorted_scopes(scopes: Iterable[Scope]) -> list[Scope]:
    return sorted(scopes, key=lambda s: SCOPE_ORDER.get(s.kind, 9))


def resolve_scopes(ctx: Context, scope: str | None) -> list[Scope]:
    """Scopes matching a filter: None (every aggregate), a kind (``industry``) or one id."""
    visible = [s for s in ctx.table.scopes.values() if ctx.visible(s)]
    if scope is None or scope == "":
        return _sorted_scopes(s for s in visible if s.kind != "enterprise")
    if ":" not in scope:
        return _sorted_scopes(s for s in visible if s.kind == scope)
    found = [s for s in visible if s.id == scope]
    if not found:
        other = ctx.table.scopes.get(scope)
        if other is not None and other.kind != "enterprise":
            # An aggregate scope is public reference data: say it is outside the caller's area.
            raise Forbidden(
                _("You may not view %(scope)s: it is outside your area.", scope=other.name)
            )
        raise NotFound(_("No scope %(scope)s, or it is outside your area.", scope=scope))
    return found


def _enterprise_filter(session: Session, actor: Actor, scope: str | None) -> list[int]:
    """Enterprise ids to compute for a scope filter (enterprise scopes only when asked)."""
    if not scope or (":" in scope and not scope.startswith("enterprise:")):
        return []
    if scope != "enterprise" and not scope.startswith("enterprise:"):
        return []
    visible = visible_enterprises(session, actor=actor)
    if scope == "enterprise":
        return list(visible)
    uscc = scope.split(":", 1)[1]
    return [i for i, u in visible.items() if u == uscc]


def records(
    session: Session,
    *,
    actor: Actor,
    year: int | None = None,
    scope: str | None = None,
    as_of: date | None = None,
) -> list[IndicatorRecord]:
    """One record per indicator × scope for ``year`` (the default: the latest year with data).

    ``value`` is what the selected target is judged on (see ``IndicatorRecord``); the target
    is the first due in or after ``year`` (else the last); the projection and probability
    use every complete year observed.
    """
    require_reader(actor)
    ctx = context(
        session,
        actor=actor,
        as_of=as_of,
        enterprises=_enterprise_filter(session, actor, scope),
        monthly_years=() if year is None else (year, year - 1),
        recent_months=year is None,
    )
    table = ctx.table
    if year is None:
        year = table.years[-1] if table.years else date.today().year
    scopes = resolve_scopes(ctx, scope)
    period = table.periods[year].label if year in table.periods else str(year)
    out: list[IndicatorRecord] = []
    for ind in ctx.catalog.indicators:
        for s in scopes:
            if not ind.applies_to(s.kind, s.value):
                continue
            chosen = targets.select_target(ctx.targets.get((ind.id, s.id), []), year)
            value = table.value(ind.id, s.id, year)
            status = point = probability = None
            if chosen is not None:
                value = targets.measure(table, ind, chosen, year)
                traj = targets.trajectory_for(
                    chosen,
                    ind,
                    all_targets=ctx.targets.get((ind.id, s.id), []),
                    baselines=ctx.baselines,
                    table=table,
                    base_year=ctx.base_year(chosen),
                )
                compared, t = targets.comparable(table, ind, chosen, year)
                status = targets.status_of(
                    compared, traj.at(t) if traj else None, at_risk=ctx.at_risk
                )
                _p, point, probability = targets.project(table, ind, chosen)
            out.append(
                IndicatorRecord(
                    indicator=ind.id,
                    scope=s.id,
                    period=period,
                    value=_round(value, ind.unit),
                    unit=ind.unit,
                    target=chosen.value if chosen else None,
                    target_year=chosen.year if chosen else None,
                    status=status,
                    projection=_round(point, ind.unit),
                    probability=None if probability is None else round(probability, 4),
                )
            )
    # Targets the data cannot measure (platforms built, brands, …) are listed all the same.
    wanted = {s.id for s in scopes}
    for (iid, sid), ts in ctx.targets.items():
        if ctx.catalog.get(iid) is not None or sid not in wanted:
            continue
        chosen = targets.select_target(ts, year)
        if chosen is None:
            continue
        out.append(
            IndicatorRecord(
                indicator=iid,
                scope=sid,
                period=period,
                value=None,
                unit=chosen.unit,
                target=chosen.value,
                target_year=chosen.year,
                status=None,
                projection=None,
                probability=None,
            )
        )
    return out


def _round(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    # + 0.0: a value that rounds to zero is printed 0, never -0.
    if unit == "CNY":
        return round(value, 2) + 0.0
    return round(value, 4) + 0.0


def target_progress(
    session: Session, *, actor: Actor, scope: str | None = None, as_of: date | None = None
) -> list[TargetProgress]:
    """Every target of the scopes matching ``scope`` that the caller may see."""
    ctx = context(session, actor=actor, as_of=as_of, monthly_years=())
    return progress_rows(ctx, resolve_scopes(ctx, scope))


def progress_rows(ctx: Context, scopes: Iterable[Scope]) -> list[TargetProgress]:
    ids = {s.id for s in scopes}
    order = {ind.id: i for i, ind in enumerate(ctx.catalog.indicators)}
    chosen = [t for t in ctx.all_targets() if t.scope in ids]
    chosen.sort(
        key=lambda t: (
            SCOPE_ORDER.get(t.scope.split(":", 1)[0], 9),
            t.scope,
            order.get(t.indicator, 999),
            t.indicator,
            t.year,
        )
    )
    return [progress(ctx, t) for t in chosen]


# --- dashboards ---


def chart_series(ctx: Context, indicator: str, scope: str) -> ChartSeries | None:
    """The trend of an indicator with its trajectory, projection fan and targets."""
    ind = ctx.catalog.get(indicator)
    ts = ctx.targets.get((indicator, scope), [])
    table = ctx.table
    if ind is None or not ts or not table.years:
        return None
    current = targets.select_target(ts, table.years[-1])
    assert current is not None
    if current.since_year is not None or ind.kind == "growth":
        chosen = [current]
    else:
        chosen = sorted((t for t in ts if t.since_year is None), key=lambda t: t.year)
    trajectories = [
        (
            t,
            targets.trajectory_for(
                t,
                ind,
                all_targets=ts,
                baselines=ctx.baselines,
                table=table,
                base_year=ctx.base_year(t),
            ),
        )
        for t in chosen
    ]
    last_target = chosen[-1]
    points: list[SeriesPoint] = []
    first = table.years[0]
    for y in range(first, max(last_target.year, table.years[-1]) + 1):
        period = table.periods.get(y)
        value = None
        if period is not None and (period.complete or ind.kind != "sum"):
            value = targets.measure(table, ind, current, y)
        traj_value = None
        for t, traj in trajectories:
            if traj is not None and y <= t.year:
                traj_value = traj.at(y)
                break
        points.append(
            SeriesPoint(
                year=y,
                period=period.label if period else str(y),
                value=value,
                trajectory=traj_value,
            )
        )
    proj, _point, _prob = targets.project(table, ind, last_target)
    return ChartSeries(
        indicator=indicator,
        indicator_name=ind.name_for(scope),
        scope=scope,
        unit=ind.unit,
        measure=_measure_kind(ind, current),
        points=points,
        fan=[FanPointRead(**f.__dict__) for f in proj.fan] if proj else [],
        targets=[(t.year, t.value) for t in chosen],
    )


def monthly(ctx: Context, indicator: str, scope: str, year: int) -> MonthlyRead | None:
    """Month and 1–N月累计 values of a money indicator against the same months a year before."""
    ind = ctx.catalog.get(indicator)
    table = ctx.table
    if ind is None or not ind.monthly or year not in table.periods:
        return None
    months = table.months.get((indicator, scope), {})
    ytd = table.ytd.get((indicator, scope), {})
    rows: list[MonthRow] = []
    for m in range(1, table.periods[year].month + 1):
        value, previous = months.get((year, m)), months.get((year - 1, m))
        cum, previous_cum = ytd.get((year, m)), ytd.get((year - 1, m))
        rows.append(
            MonthRow(
                month=engine.month_label(year, m),
                value=value,
                previous=previous,
                change_pct=_change(value, previous),
                ytd_period=engine.ytd_label(year, m),
                ytd=cum,
                previous_ytd=previous_cum,
                ytd_change_pct=_change(cum, previous_cum),
            )
        )
    return MonthlyRead(
        indicator=indicator,
        indicator_name=ind.name,
        scope=scope,
        unit=ind.unit,
        year=year,
        rows=rows,
    )


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return 100.0 * (now / before - 1.0)


BREAKDOWN_INDICATORS: tuple[str, ...] = (
    "output_value",
    "value_added",
    "revenue",
    "enterprises_above_size",
)


def breakdowns(ctx: Context, scope: Scope, year: int) -> list[Breakdown]:
    """Tables of the scope's parts (industries, prefectures, parks, enterprises) for ``year``."""
    table = ctx.table
    if year not in table.periods:
        return []
    children: list[tuple[str, list[Scope]]] = []
    aggregate = [s for s in table.scopes.values() if ctx.visible(s)]
    if scope.kind == "region":
        children.append(("industry", [s for s in aggregate if s.kind == "industry"]))
        children.append(("prefecture", [s for s in aggregate if s.kind == "prefecture"]))
        children.append(("park", [s for s in aggregate if s.kind == "park"]))
    elif scope.kind == "prefecture":
        children.append(
            ("park", [s for s in aggregate if s.kind == "park" and s.prefecture == scope.value])
        )
    enterprises = [s for s in aggregate if s.kind == "enterprise"]
    if enterprises and scope.kind != "region":
        children.append(("enterprise", enterprises))
    out: list[Breakdown] = []
    parent_total = table.value("output_value", scope.id, year)
    for key, scopes in children:
        rows: list[BreakdownRow] = []
        for s in scopes:
            values = {i: table.value(i, s.id, year) for i in BREAKDOWN_INDICATORS}
            output = values["output_value"]
            rows.append(
                BreakdownRow(
                    scope=s.id,
                    kind=s.kind,
                    name=s.name,
                    values=values,
                    share_pct=(
                        100.0 * output / parent_total
                        if output is not None and parent_total
                        else None
                    ),
                    growth_pct=_yoy(ctx, s, year),
                )
            )
        if key == "enterprise":
            rows.sort(key=lambda r: -(r.values.get("output_value") or 0.0))
        out.append(
            Breakdown(
                title_key=key,
                year=year,
                period=table.periods[year].label,
                indicators=list(BREAKDOWN_INDICATORS),
                rows=rows,
            )
        )
    return out


def _yoy(ctx: Context, scope: Scope, year: int) -> float | None:
    table = ctx.table
    period = table.periods[year]
    if period.complete:
        return _change(
            table.value("output_value", scope.id, year),
            table.value("output_value", scope.id, year - 1),
        )
    ytd = table.ytd.get(("output_value", scope.id), {})
    return _change(ytd.get((year, period.month)), ytd.get((year - 1, period.month)))


@dataclass
class Dashboard:
    """Everything a dashboard page shows for one scope."""

    scope: Scope
    year: int
    latest: str | None
    as_of: date | None
    progress: list[TargetProgress]
    charts: list[ChartSeries]
    monthly: list[MonthlyRead]
    breakdowns: list[Breakdown]
    headline: dict[str, float | None]
    scopes: list[ScopeRead]


def dashboard(
    session: Session,
    *,
    actor: Actor,
    scope: str = "region",
    year: int | None = None,
    as_of: date | None = None,
) -> Dashboard:
    """Progress against every target of a scope, trends, projections, months and breakdowns."""
    require_reader(actor)
    ref = reference(session, actor=actor)
    found = ref.get(scope)
    if found is None:
        raise NotFound(_("No scope %(scope)s, or it is outside your area.", scope=scope))
    if not scope_visible(actor, found):
        # Aggregate scopes (prefectures, parks) are public reference data: saying that one
        # exists reveals nothing, so the caller learns it is outside their area.
        raise Forbidden(_("You may not view %(scope)s: it is outside your area.", scope=found.name))
    enterprise_ids: list[int] = []
    if found.kind != "region":
        visible = visible_enterprises(session, actor=actor)
        column = {
            "industry": Enterprise.industry_id,
            "prefecture": Enterprise.prefecture_code,
            "park": Enterprise.park_id,
        }.get(found.kind)
        program = catalog().programs.get(found.value or "") if found.kind == "program" else None
        members = None
        if column is not None:
            members = column == found.value
        elif program is not None:
            # The program's prefectures and GB/T 4754 classes, as the engine's cells say.
            members = facts_repo.in_program(program)
        if members is not None:
            ids = session.scalars(select(Enterprise.id).where(members))
            enterprise_ids = [i for i in ids if i in visible]
    ctx = context(
        session,
        actor=actor,
        as_of=as_of,
        enterprises=enterprise_ids,
        monthly_years=(),
        recent_months=True,
    )
    table = ctx.table
    complete = table.complete_years
    if year is None:
        year = complete[-1] if complete else (table.years[-1] if table.years else date.today().year)
    progress_list = progress_rows(ctx, [found])
    chart_ids = list(dict.fromkeys(p.indicator for p in progress_list if p.computable))
    charts = [c for c in (chart_series(ctx, i, found.id) for i in chart_ids) if c is not None]
    month_year = table.years[-1] if table.years else year
    months = [
        m
        for m in (
            monthly(ctx, i.id, found.id, month_year)
            for i in ctx.catalog.indicators
            if i.monthly and i.applies_to(found.kind, found.value)
        )
        if m is not None and any(r.value is not None for r in m.rows)
    ]
    headline = {i: table.value(i, found.id, year) for i in BREAKDOWN_INDICATORS}
    return Dashboard(
        scope=found,
        year=year,
        latest=table.periods[table.years[-1]].label if table.years else None,
        as_of=table.as_of,
        progress=progress_list,
        charts=charts,
        monthly=months,
        breakdowns=breakdowns(ctx, found, year),
        headline=headline,
        scopes=[
            ScopeRead(id=s.id, kind=s.kind, name=s.name)
            for s in ref.scopes
            if scope_visible(actor, s)
        ],
    )


@dataclass
class PublicTarget:
    year: int
    target: float
    target_max: float | None
    bound: str
    status: str | None
    probability: float | None
    completion_pct: float | None
    final: bool  # the target year is complete: its status is final, not a projection


@dataclass
class PublicFigure:
    indicator: str
    name: str
    unit: str
    actual: float | None
    period: str | None
    targets: list[PublicTarget]


@dataclass
class PublicOverview:
    as_of: date | None
    latest: str | None
    figures: list[PublicFigure]


def public_overview(session: Session) -> PublicOverview | None:
    """The region's latest measured figures against the plan's targets, for everybody.

    Only the region's own totals of the published plan indicators, which the evaluation
    report publishes too; nothing below the region is shown.
    """
    from plateau.auth.schemas import SYSTEM

    ref = reference(session, actor=SYSTEM)
    region = ref.get("region")
    if region is None:
        return None
    ctx = context(session, actor=SYSTEM, monthly_years=(), recent_months=True)
    table = ctx.table
    if not table.years:
        return None
    complete = set(table.complete_years)
    figures: dict[str, PublicFigure] = {}
    for p in progress_rows(ctx, [region]):
        if not p.computable or p.actual is None:
            continue
        fig = figures.get(p.indicator)
        if fig is None:
            fig = figures[p.indicator] = PublicFigure(
                p.indicator, p.indicator_name, p.unit, p.actual, p.period, []
            )
        elif p.period and (fig.period or "") < p.period:
            fig.actual, fig.period = p.actual, p.period
        final = p.target_year in complete
        fig.targets.append(
            PublicTarget(
                p.target_year,
                p.target,
                p.target_max,
                p.bound,
                p.status,
                None if final else p.probability,
                p.completion_pct,
                final,
            )
        )
    return PublicOverview(
        as_of=table.as_of,
        latest=table.periods[table.years[-1]].label,
        figures=list(figures.values()),
    )


# --- early warnings ---


def warm_up(session: Session, *, actor: Actor) -> None:
    """Compute the tables the region-wide dashboard and warnings read, and store them for
    every web process (the job runs in whichever process has a job worker)."""
    version = aggregates.sync(session)
    cache.TABLES.clear()  # this process stores what it computes now, not what it had
    token = cache.STORE.set(True)
    try:
        dashboard(session, actor=actor, scope="region")
        warnings_report(session, actor=actor)
    finally:
        cache.STORE.reset(token)
    cache.prune(session, version)


def warnings_report(
    session: Session,
    *,
    actor: Actor,
    today: date | None = None,
    decline_share: float = early_warnings.DEFAULT_DECLINE_SHARE,
    decline_months: int = early_warnings.DEFAULT_DECLINE_MONTHS,
    as_of: date | None = None,
) -> WarningsRead:
    """Targets off track or at risk, enterprises in decline, late filers, outliers."""
    require_reader(actor)
    if not 0 < decline_share < 1:
        raise ValidationFailed(_("The decline threshold is a share between 0 and 1."))
    if not 1 <= decline_months <= early_warnings.LOOKBACK:
        raise ValidationFailed(
            _("The number of months running is between 1 and %(max)s.", max=early_warnings.LOOKBACK)
        )
    ctx = context(session, actor=actor, as_of=as_of, monthly_years=())
    table = ctx.table
    counted = ctx.catalog.settings.counted_statuses
    current = table.years[-1] if table.years else None
    scopes = [s for s in table.scopes.values() if ctx.visible(s) and s.kind != "enterprise"]
    rows = progress_rows(ctx, scopes) if current is not None else []
    off = [
        p for p in rows if p.target_year >= (current or 0) and p.status in ("off_track", "at_risk")
    ]
    off.sort(key=lambda p: (p.status != "off_track", p.probability or 0.0))
    month = early_warnings.last_month(today or date.today())
    return WarningsRead(
        as_of=table.as_of.strftime("%Y-%m") if table.as_of else None,
        last_month=month.strftime("%Y-%m"),
        decline_share=decline_share,
        decline_months=decline_months,
        off_track=off,
        declining=early_warnings.declining(
            session,
            actor=actor,
            as_of=table.as_of,
            counted=counted,
            share=decline_share,
            months=decline_months,
        )
        if table.as_of
        else [],
        late_filers=early_warnings.late_filers(session, actor=actor, month=month, counted=counted),
        outliers=early_warnings.outliers(session, actor=actor),
    )


# --- decomposition to prefectures ---


def _region_target(
    ctx: Context, indicator: str, year: int, plan_id: str
) -> tuple[Target, Indicator]:
    ind = ctx.catalog.get(indicator)
    found = next(
        (
            t
            for t in ctx.targets.get((indicator, "region"), [])
            if t.year == year and t.plan_id == plan_id
        ),
        None,
    )
    if ind is None or found is None:
        raise NotFound(
            _(
                "The plan sets no region target for %(indicator)s in %(year)s.",
                indicator=indicator,
                year=year,
            )
        )
    if not targets.decomposable(ind):
        raise ValidationFailed(
            _(
                "%(indicator)s is a rate, not a sum: its region target cannot be split into prefecture targets.",
                indicator=ind.name,
            )
        )
    return found, ind


def list_decomposable(session: Session, *, actor: Actor) -> list[DecomposableTarget]:
    """The region targets that can be split into prefecture targets."""
    require_reader(actor)
    shares = _shares(session)
    plan_targets, _b = _plan_targets(session, actor)
    names = plan_service.indicator_names(session, actor=actor)
    out = []
    for t in plan_targets:
        ind = catalog().get(t.indicator)
        if t.scope != "region" or ind is None or not targets.decomposable(ind):
            continue
        name = ind.name
        if (t.plan_id, t.indicator) in names:
            row = names[(t.plan_id, t.indicator)]
            name = plan_service.localized(row.name_zh, row.name_en)
        out.append(
            DecomposableTarget(
                plan_id=t.plan_id,
                indicator=t.indicator,
                indicator_name=name,
                target_year=t.year,
                shares_set=(t.plan_id, t.indicator, t.year) in shares,
            )
        )
    return sorted(out, key=lambda d: (d.plan_id != MAIN_PLAN, d.target_year, d.indicator))


def decomposition(
    session: Session,
    *,
    actor: Actor,
    indicator: str,
    year: int,
    plan_id: str = MAIN_PLAN,
    as_of: date | None = None,
) -> DecompositionRead:
    """A region target split into prefecture targets, with suggested shares and the sum check."""
    ctx = context(session, actor=actor, as_of=as_of)
    region, ind = _region_target(ctx, indicator, year, plan_id)
    base_year = ctx.base_year(region)
    prefectures = [s for s in ctx.reference.scopes if s.kind == "prefecture"]
    codes = [s.value for s in prefectures if s.value]
    suggested = targets.suggested_shares(ctx.table, ind, codes, base_year)
    rows_db = list(
        session.scalars(
            select(TargetShare).where(
                TargetShare.plan_id == plan_id,
                TargetShare.indicator == indicator,
                TargetShare.target_year == year,
            )
        )
    )
    stored = {r.prefecture_code: float(r.share) for r in rows_db}
    allocated = targets.allocate(region.value, stored, region.unit) if stored else {}
    allocated_max = (
        targets.allocate(region.value_max, stored, region.unit)
        if stored and region.value_max is not None
        else {}
    )
    rows: list[ShareRow] = []
    for s in prefectures:
        code = s.value or ""
        target_value = allocated.get(code)
        actual = status = None
        mine = next(
            (
                t
                for t in ctx.targets.get((indicator, s.id), [])
                if t.year == year and t.source == "decomposition"
            ),
            None,
        )
        if mine is not None:
            p = progress(ctx, mine)
            actual, status = p.actual, p.status
        elif region.since_year is None:
            latest = ctx.table.years[-1] if ctx.table.years else None
            actual = ctx.table.value(indicator, s.id, latest) if latest else None
        rows.append(
            ShareRow(
                prefecture=code,
                name=s.name,
                baseline=ctx.table.value(indicator, s.id, base_year),
                suggested_pct=100.0 * suggested[code] if code in suggested else None,
                share_pct=100.0 * stored[code] if code in stored else None,
                target=target_value,
                target_max=allocated_max.get(code),
                actual=actual,
                status=status,
            )
        )
    share_sum = 100.0 * sum(stored.values()) if stored else None
    target_sum = sum(allocated.values()) if allocated else None
    difference = target_sum - region.value if target_sum is not None else None
    tolerance = 0.5 if region.unit == "count" else max(1.0, abs(region.value) * 1e-9)
    consistent = abs(difference) <= tolerance if difference is not None else None
    if target_sum is None:
        message = _("No shares set yet: accept the suggested shares or enter your own.")
    elif consistent:
        message = _(
            "The prefecture targets add up to %(sum)s, the region target of %(target)s.",
            sum=fmt_value(target_sum, region.unit),
            target=fmt_value(region.value, region.unit),
        )
    else:
        assert difference is not None
        message = _(
            "The prefecture targets add up to %(sum)s, which differs from the region target of %(target)s by %(diff)s.",
            sum=fmt_value(target_sum, region.unit),
            target=fmt_value(region.value, region.unit),
            diff=fmt_value(difference, region.unit),
        )
    last = max(rows_db, key=lambda r: r.set_at) if rows_db else None
    return DecompositionRead(
        plan_id=plan_id,
        indicator=indicator,
        indicator_name=ctx.indicator_name(indicator, plan_id),
        unit=region.unit,
        target_year=year,
        region_target=region.value,
        region_target_max=region.value_max,
        bound=region.bound,
        since_year=region.since_year,
        base_year=base_year,
        rows=rows,
        shares_set=bool(stored),
        share_sum_pct=share_sum,
        target_sum=target_sum,
        difference=difference,
        consistent=consistent,
        message=message,
        set_by=last.set_by if last else None,
        set_at=last.set_at if last else None,
    )


def set_shares(
    session: Session,
    *,
    actor: Actor,
    indicator: str,
    year: int,
    shares_pct: dict[str, float],
    plan_id: str = MAIN_PLAN,
    suggested: bool = False,
) -> DecompositionRead:
    """Set the prefecture shares (percent, adding up to 100) of a region target."""
    require_reader(actor)
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may decompose targets."))
    ctx_targets, _b = _plan_targets(session, actor)
    ind = catalog().get(indicator)
    region = next(
        (
            t
            for t in ctx_targets
            if t.indicator == indicator
            and t.scope == "region"
            and t.year == year
            and t.plan_id == plan_id
        ),
        None,
    )
    if ind is None or region is None:
        raise NotFound(
            _(
                "The plan sets no region target for %(indicator)s in %(year)s.",
                indicator=indicator,
                year=year,
            )
        )
    if not targets.decomposable(ind):
        raise ValidationFailed(
            _(
                "%(indicator)s is a rate, not a sum: its region target cannot be split into prefecture targets.",
                indicator=ind.name,
            )
        )
    codes = [p.code for p in registry_service.list_prefectures(session, actor=actor)]
    errors: list[FieldError] = []
    for code in shares_pct:
        if code not in codes:
            errors.append(FieldError(_("No prefecture with code %(code)s.", code=code), field=code))
    for code in codes:
        value = shares_pct.get(code)
        if value is None:
            errors.append(FieldError(_("A share is needed for every prefecture."), field=code))
        elif value < 0 or value > 100:
            errors.append(
                FieldError(_("A share is a percentage between 0 and 100."), field=code, value=value)
            )
    total = sum(v for v in shares_pct.values())
    if not errors and abs(total - 100.0) > 0.01:
        errors.append(
            FieldError(
                _("The shares add up to %(sum)s%%, not 100%%.", sum=f"{total:.2f}"), field="shares"
            )
        )
    if errors:
        raise ValidationFailed(
            _("The shares were not saved: they must cover every prefecture and add up to 100%."),
            errors,
        )
    session.execute(
        delete(TargetShare).where(
            TargetShare.plan_id == plan_id,
            TargetShare.indicator == indicator,
            TargetShare.target_year == year,
        )
    )
    now = utcnow()
    for code in codes:
        session.add(
            TargetShare(
                plan_id=plan_id,
                indicator=indicator,
                target_year=year,
                prefecture_code=code,
                share=Decimal(f"{shares_pct[code] / 100.0:.6f}"),
                suggested=suggested,
                set_by=actor.username,
                set_at=now,
            )
        )
    session.flush()
    return decomposition(session, actor=actor, indicator=indicator, year=year, plan_id=plan_id)


def accept_suggested(
    session: Session, *, actor: Actor, indicator: str, year: int, plan_id: str = MAIN_PLAN
) -> DecompositionRead:
    """Set the shares suggested from the baseline (each prefecture's part of the base year)."""
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may decompose targets."))
    current = decomposition(session, actor=actor, indicator=indicator, year=year, plan_id=plan_id)
    pct = {r.prefecture: r.suggested_pct or 0.0 for r in current.rows}
    # Six decimals of a fraction: make the stored shares add up to exactly 100%.
    rounded = {c: round(v, 4) for c, v in pct.items()}
    if rounded:
        top = max(rounded, key=lambda c: rounded[c])
        rounded[top] = round(rounded[top] + 100.0 - sum(rounded.values()), 4)
    return set_shares(
        session,
        actor=actor,
        indicator=indicator,
        year=year,
        shares_pct=rounded,
        plan_id=plan_id,
        suggested=True,
    )


def clear_shares(
    session: Session, *, actor: Actor, indicator: str, year: int, plan_id: str = MAIN_PLAN
) -> None:
    """Remove the prefecture shares of a region target."""
    require_reader(actor)
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may decompose targets."))
    session.execute(
        delete(TargetShare).where(
            TargetShare.plan_id == plan_id,
            TargetShare.indicator == indicator,
            TargetShare.target_year == year,
        )
    )
    session.flush()


# --- backtest ---

BACKTEST_KINDS = frozenset({"sum", "count", "status_count", "park_count", "growth"})


def backtest(
    session: Session, *, actor: Actor, as_of: date | None = None, horizons: int = 3
) -> BacktestRead:
    """Fit through each past year, project 1–3 years ahead, and count how often intervals held.

    Series: every indicator with a trend model (sums, counts, park counts and the levels
    behind growth rates) for the region, industries, prefectures and parks the caller sees.
    """
    ctx = context(session, actor=actor, as_of=as_of, monthly_years=())
    table = ctx.table
    complete = table.complete_years
    origins = [
        y for y in complete if y - complete[0] >= projection.MIN_POINTS - 1 and y < complete[-1]
    ]
    cases: list[projection.BacktestCase] = []
    names: set[str] = set()
    for ind in ctx.catalog.indicators:
        if ind.kind not in BACKTEST_KINDS:
            continue
        model: projection.Model = "linear" if ind.trajectory == "linear" else "log"
        for s in table.scopes.values():
            if s.kind not in ("region", "industry", "prefecture", "park") or not ctx.visible(s):
                continue
            if ind.kind == "growth":
                raw = table.levels.get((ind.id, s.id), {})
            else:
                raw = {y: v for y, v in table.series(ind.id, s.id).items() if v is not None}
            points = {y: v for y, v in raw.items() if y in complete}
            # A series that never moved tells nothing about calibration.
            if len(points) < projection.MIN_POINTS + 1 or len(set(points.values())) <= 1:
                continue
            name = f"{ind.id}@{s.id}"
            found = projection.backtest_series(
                name, points, model, origins=origins, horizons=horizons, unit=ind.unit
            )
            if found:
                names.add(name)
                cases.extend(found)
    return BacktestRead(
        method=_(
            "Log-linear trend (money, volumes, levels behind growth rates) or linear trend (counts) fitted by least squares on the complete years; Student t prediction intervals."
        ),
        origins=origins,
        series=len(names),
        cases=len(cases),
        coverage=[
            CoverageRead(level=c.level, horizon=c.horizon, cases=c.cases, held=c.held, rate=c.rate)
            for c in projection.coverage(cases, horizons)
        ],
    )
