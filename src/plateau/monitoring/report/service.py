"""The mid-term evaluation report (中期评估报告): every target of a scope for a chosen year.

The report is the indicator engine's figures as of the end of the chosen year (or the last
month with returns, for a year in progress): values, completion rates, statuses,
projections and probabilities come from ``analytics.service``; this module only selects
them, counts statuses and writes the sentences that describe them.

Who may have a report: the region administrator and analysts (the region, or any
prefecture), a prefecture officer (their own prefecture only: any other scope is 404).
Park officers and enterprise users are refused (403); the public must log in (401).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.db import utcnow
from plateau.demo import service as demo_service
from plateau.errors import Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.formatting import fmt_value
from plateau.i18n import _, get_locale, lazy
from plateau.monitoring.analytics import exports as analytics_exports
from plateau.monitoring.analytics import service as analytics_service
from plateau.monitoring.analytics.engine import Scope
from plateau.monitoring.analytics.indicators import catalog
from plateau.monitoring.analytics.labels import (
    above_size_note,
    counted_note,
    projection_note,
    status_label,
    thresholds_text,
)
from plateau.monitoring.analytics.schemas import TargetProgress
from plateau.monitoring.models import MonthlyReturn
from plateau.monitoring.report.schemas import (
    KeyFigure,
    Report,
    StatusCount,
    TargetGroup,
)

GROUP_TITLES: dict[str, str] = {
    "main": lazy("Plan targets"),
    "industry": lazy("Targets of industries"),
    "prefecture": lazy("Targets of prefectures (shares of the region targets)"),
}
# The figures shown for a scope and its parts: the plan's main money and count indicators.
BREAKDOWN_KINDS = {"region": ("industry", "prefecture"), "prefecture": ("park",)}
STATUS_ORDER = ("on_track", "at_risk", "off_track")
# A target whose year is over has an outcome, not a status: met or not met.
OUTCOME_ORDER = ("met", "missed", *STATUS_ORDER)
OUTCOME_LABELS: dict[str, str] = {"met": lazy("Met"), "missed": lazy("Not met")}


# --- who may have which report ---


def may_report(actor: Actor) -> bool:
    """Whether the caller may have an evaluation report at all (for links and menus)."""
    return actor.is_authenticated and (
        actor.is_region_wide or actor.role is Role.PREFECTURE_OFFICER
    )


def resolve_scope(actor: Actor, scope: str | None) -> str:
    """The report scope the caller asked for (or their default), refused outside their area."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in to see the evaluation report."))
    if not may_report(actor):
        raise Forbidden(
            _("The evaluation report is for the officials of the region and the prefectures.")
        )
    if actor.is_region_wide:
        chosen = scope or "region"
    else:
        own = f"prefecture:{actor.scope_value}"
        chosen = scope or own
        if chosen != own:
            raise NotFound(_("No scope %(scope)s, or it is outside your area.", scope=chosen))
    if chosen != "region" and not chosen.startswith("prefecture:"):
        raise NotFound(
            _(
                "A report is made for the region or for a prefecture, not for %(scope)s.",
                scope=chosen,
            )
        )
    return chosen


def data_years(session: Session) -> tuple[list[int], date | None]:
    """The years with counted returns, and the last month with one."""
    counted = catalog().settings.counted_statuses
    first, last = session.execute(
        select(func.min(MonthlyReturn.period), func.max(MonthlyReturn.period)).where(
            MonthlyReturn.status.in_(counted)
        )
    ).one()
    if first is None or last is None:
        return [], None
    return list(range(first.year, last.year + 1)), last


# --- the report ---


def build_report(session: Session, *, actor: Actor, year: int, scope: str | None = None) -> Report:
    """Every target of the scope for ``year``: value, completion, status, projection, text."""
    scope_id = resolve_scope(actor, scope)
    years, last = data_years(session)
    if last is None or year not in years:
        raise ValidationFailed(
            _(
                "There are no returns for %(year)s: reports can be made for %(years)s.",
                year=year,
                years=_years_text(years),
            )
            if years
            else _("There are no returns yet: a report needs at least one year of data.")
        )
    as_of = last if year == last.year else date(year, 12, 1)
    ctx = analytics_service.context(session, actor=actor, as_of=as_of, monthly_years=())
    found = ctx.scope(scope_id)
    if found is None or not ctx.visible(found):
        raise NotFound(_("No scope %(scope)s, or it is outside your area.", scope=scope_id))
    table = ctx.table
    if year not in table.periods:
        raise ValidationFailed(_("There are no returns for %(year)s.", year=year))
    period = table.periods[year]

    main_scopes = [found, *_programs_of(ctx, found)]
    groups = [
        TargetGroup(
            key="main",
            title=_group_title("main"),
            targets=analytics_service.progress_rows(ctx, main_scopes),
        )
    ]
    if found.kind == "region":
        for kind in ("industry", "prefecture"):
            parts = [s for s in table.scopes.values() if s.kind == kind and ctx.visible(s)]
            rows = analytics_service.progress_rows(ctx, parts)
            if rows:
                groups.append(TargetGroup(key=kind, title=_group_title(kind), targets=rows))

    key_figures = _key_figures(ctx, found, year)
    charts = [
        c
        for c in (
            analytics_service.chart_series(ctx, indicator, s)
            for indicator, s in dict.fromkeys(
                (p.indicator, p.scope) for p in groups[0].targets if p.computable
            )
        )
        if c is not None
    ]
    breakdowns = [
        b
        for b in analytics_service.breakdowns(ctx, found, year)
        if b.title_key in BREAKDOWN_KINDS.get(found.kind, ())
    ]
    counts = status_counts(groups[0].targets, year=year, complete=period.complete)
    period_text = period_phrase(year, period.month)
    scope_name = found.name
    report = Report(
        year=year,
        period=period.label,
        complete=period.complete,
        as_of=table.as_of.strftime("%Y-%m") if table.as_of else None,
        scope=found.id,
        scope_kind=found.kind,
        scope_name=scope_name,
        title=_(
            "%(scope)s: mid-term evaluation of the plateau light industry plan, %(period)s",
            scope=scope_name,
            period=period_text,
        ),
        generated_at=utcnow(),
        synthetic=demo_service.demo_loaded(session),
        summary=[],
        paragraphs=[],
        status_counts=counts,
        key_figures=key_figures,
        groups=groups,
        charts=charts,
        breakdowns=breakdowns,
        notes={
            "above_size": above_size_note(),
            "counted": counted_note(),
            "thresholds": thresholds_text(ctx.at_risk),
            "projection": projection_note(),
        },
        years=years,
        plan_names=analytics_exports.plan_titles(session),
    )
    report.summary = summary_paragraphs(report, period_text)
    report.paragraphs = target_paragraphs(groups[0].targets, year, period_text, found.id)
    report.paragraphs += breakdown_paragraphs(report)
    return report


def _group_title(key: str) -> str:
    return _(GROUP_TITLES[key])


def _programs_of(ctx: analytics_service.Context, scope: Scope) -> list[Scope]:
    """The plan programs reported with a scope: every one for the region, a prefecture's own."""
    programs = catalog().programs
    out = []
    for s in ctx.table.scopes.values():
        if s.kind != "program" or s.value not in programs or not ctx.visible(s):
            continue
        if scope.kind == "region" or scope.value in programs[s.value].prefectures:
            out.append(s)
    return out


def _key_figures(ctx: analytics_service.Context, scope: Scope, year: int) -> list[KeyFigure]:
    table = ctx.table
    complete = table.periods[year].complete
    out = []
    for ind in ctx.catalog.indicators:
        if not ind.applies_to(scope.kind, scope.value):
            continue
        value = table.value(ind.id, scope.id, year)
        # A year in progress is not compared with a whole year.
        previous = table.value(ind.id, scope.id, year - 1) if complete else None
        if value is None and previous is None:
            continue
        share = None
        if scope.kind != "region" and ind.kind in ("sum", "count", "status_count"):
            total = table.value(ind.id, "region", year)
            share = 100.0 * value / total if value is not None and total else None
        change = None
        if value is not None and previous and ind.unit != "%":
            change = 100.0 * (value / previous - 1.0)
        out.append(
            KeyFigure(
                indicator=ind.id,
                indicator_name=ind.name_for(scope.id),
                unit=ind.unit,
                above_size=ind.about_above_size,
                value=value,
                previous=previous,
                change_pct=change,
                region_share_pct=share,
            )
        )
    return out


def is_final(p: TargetProgress, *, year: int, complete: bool) -> bool:
    """Whether the target's year is over by the report's year: its outcome is final."""
    return p.target_year < year or (p.target_year == year and complete)


def outcome(p: TargetProgress, *, year: int, complete: bool) -> str:
    """met | missed for a finished target year, else the status (none when unmeasured)."""
    if p.status is None:
        return "none"
    if is_final(p, year=year, complete=complete):
        return "met" if p.status == "on_track" else "missed"
    return p.status


def outcome_label(key: str) -> str:
    """The words of an outcome (met, not met) or a status."""
    if key in OUTCOME_LABELS:
        return _(OUTCOME_LABELS[key])
    return status_label(key) if key != "none" else _("No status")


def status_counts(
    rows: Iterable[TargetProgress], *, year: int, complete: bool
) -> list[StatusCount]:
    """How many targets were met or not (their year is over), are on track, at risk, off
    track, or are not measured by the returns."""
    counts = dict.fromkeys((*OUTCOME_ORDER, "none"), 0)
    for p in rows:
        counts[outcome(p, year=year, complete=complete)] += 1
    return [StatusCount(status=k, label=outcome_label(k), count=v) for k, v in counts.items()]


# --- generated text ---


def period_phrase(year: int, month: int = 12) -> str:
    """The period in words: "2024年" / "2024", or "2026年1—2月" / "January–February 2026"."""
    english = get_locale() == "en"
    if month == 12:
        return str(year) if english else f"{year}年"
    if english:
        first = calendar.month_name[1]
        return f"{first} {year}" if month == 1 else f"{first}–{calendar.month_name[month]} {year}"
    return f"{year}年1月" if month == 1 else f"{year}年1—{month}月"


def _years_text(years: Sequence[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _target_text(p: TargetProgress) -> str:
    text = fmt_value(p.target, p.unit)
    if p.target_max is not None:
        text += "–" + fmt_value(p.target_max, p.unit)
    return text


def _named(p: TargetProgress, report_scope: str) -> str:
    name = p.indicator_name
    if get_locale() == "en" and len(name) > 1 and name[1].islower():
        name = name[0].lower() + name[1:]  # in the middle of a sentence
    if p.scope == report_scope or p.scope == "region" or p.scope.startswith("program:"):
        return name
    return _("%(name)s of %(scope)s", name=name, scope=p.scope_name)


def target_sentence(p: TargetProgress, year: int, period_text: str, report_scope: str) -> str:
    """One paragraph on one target: value, completion, status, projection and probability."""
    name = _named(p, report_scope)
    target = _target_text(p)
    if p.computable and p.actual is None:
        return _(
            "%(name)s: the target for %(target_year)s is %(target)s; there are no returns to measure it yet.",
            name=name,
            target_year=p.target_year,
            target=target,
        )
    if not p.computable or p.actual is None:
        return _(
            "%(name)s: the target for %(target_year)s is %(target)s; the statistical returns do not measure it.",
            name=name,
            target_year=p.target_year,
            target=target,
        )
    value = fmt_value(p.actual, p.unit)
    # A target whose year has passed is judged in its own year (as the engine does).
    when = period_phrase(p.target_year) if p.target_year < year else period_text
    if p.measure == "growth":
        parts = [
            _(
                "In %(period)s, %(name)s was %(value)s, against %(target)s set for %(target_year)s.",
                period=when,
                name=name,
                value=value,
                target=target,
                target_year=p.target_year,
            )
        ]
    elif p.measure in ("cumulative", "difference"):
        parts = [
            _(
                "In %(period)s, %(name)s since %(since)s came to %(value)s, %(pct)s of the %(target_year)s target of %(target)s.",
                period=when,
                name=name,
                since=p.since_year,
                value=value,
                pct=_pct(p.completion_pct),
                target_year=p.target_year,
                target=target,
            )
        ]
    else:
        parts = [
            _(
                "In %(period)s, %(name)s was %(value)s, %(pct)s of the %(target_year)s target of %(target)s.",
                period=when,
                name=name,
                value=value,
                pct=_pct(p.completion_pct),
                target_year=p.target_year,
                target=target,
            )
        ]
    if p.target_year <= year and p.period == str(p.target_year):
        parts.append(
            _("The target year has come and the target was met.")
            if p.status == "on_track"
            else _("The target year has come and the target was not met.")
        )
        return _join(parts)
    if p.status == "on_track":
        parts.append(_("It is on track: at or above the trajectory to the target."))
    elif p.status == "at_risk":
        parts.append(_("It is at risk: slightly below the trajectory to the target."))
    elif p.status == "off_track":
        parts.append(_("It is off track: well below the trajectory to the target."))
    if p.projection is not None and p.target_year > year:
        if p.projection_low is not None and p.projection_high is not None:
            parts.append(
                _(
                    "On the present trend it is projected at %(projection)s in %(target_year)s (80%% interval %(low)s to %(high)s); the probability of meeting the target is %(probability)s.",
                    projection=fmt_value(p.projection, p.unit),
                    target_year=p.target_year,
                    low=fmt_value(p.projection_low, p.unit),
                    high=fmt_value(p.projection_high, p.unit),
                    probability=_probability(p.probability),
                )
            )
        else:
            parts.append(
                _(
                    "On the present trend it is projected at %(projection)s in %(target_year)s; the probability of meeting the target is %(probability)s.",
                    projection=fmt_value(p.projection, p.unit),
                    target_year=p.target_year,
                    probability=_probability(p.probability),
                )
            )
    return _join(parts)


def _probability(p: float | None) -> str:
    return "—" if p is None else f"{100 * p:.0f}%"


def _join(parts: list[str]) -> str:
    # Chinese sentences run on without spaces; English ones are separated by one.
    return ("" if get_locale() != "en" else " ").join(parts)


def target_paragraphs(
    rows: Sequence[TargetProgress], year: int, period_text: str, report_scope: str
) -> list[str]:
    """One paragraph per indicator and scope, on the target that year works towards."""
    by_key: dict[tuple[str, str], list[TargetProgress]] = {}
    for p in rows:
        by_key.setdefault((p.indicator, p.scope), []).append(p)
    out = []
    for group in by_key.values():
        # The target the year works towards: the first due in or after it, else the last
        # (the rule of ``targets.select_target``).
        years = sorted(p.target_year for p in group)
        chosen_year = next((y for y in years if y >= year), years[-1])
        chosen = next(p for p in group if p.target_year == chosen_year)
        out.append(target_sentence(chosen, year, period_text, report_scope))
    return out


def summary_paragraphs(report: Report, period_text: str) -> list[str]:
    """What the report covers, and how many targets are on track, at risk and off track."""
    counts = {c.status: c.count for c in report.status_counts}
    measured = sum(counts[s] for s in OUTCOME_ORDER)
    out = [
        _(
            "This report evaluates %(period)s with the statistical returns up to %(as_of)s.",
            period=period_text,
            as_of=report.as_of or "—",
        )
    ]
    out.append(
        _(
            "Of the %(total)s targets the returns measure, %(met)s were met and %(missed)s not met (their year is over); of the rest, %(on)s are on track, %(risk)s at risk and %(off)s off track. %(none)s more have no status (not measured by the returns, or no returns yet).",
            total=measured,
            met=counts["met"],
            missed=counts["missed"],
            on=counts["on_track"],
            risk=counts["at_risk"],
            off=counts["off_track"],
            none=counts["none"],
        )
    )
    main = next((k for k in report.key_figures if k.indicator == "output_value"), None)
    if main is not None and main.value is not None and report.scope_kind != "region":
        out.append(
            _(
                "In %(period)s, %(name)s of %(scope)s was %(value)s, %(share)s of the region's.",
                period=period_text,
                name=main.indicator_name,
                scope=report.scope_name,
                value=fmt_value(main.value, main.unit),
                share=_pct(main.region_share_pct),
            )
        )
    return out


def breakdown_paragraphs(report: Report) -> list[str]:
    """The largest industry, prefecture or park by output value, and its share."""
    out = []
    for b in report.breakdowns:
        rows = [r for r in b.rows if r.values.get("output_value")]
        if not rows:
            continue
        top = max(rows, key=lambda r: r.values.get("output_value") or 0.0)
        sentence = BREAKDOWN_SENTENCES.get(b.title_key)
        if sentence is None:
            continue
        out.append(
            _(
                sentence,
                name=top.name,
                value=fmt_value(top.values.get("output_value"), "CNY"),
                share=_pct(top.share_pct),
            )
        )
    return out


BREAKDOWN_SENTENCES: dict[str, str] = {
    "industry": lazy(
        "By industry, %(name)s had the largest output value: %(value)s, %(share)s of the total."
    ),
    "prefecture": lazy(
        "By prefecture, %(name)s had the largest output value: %(value)s, %(share)s of the total."
    ),
    "park": lazy(
        "By park, %(name)s had the largest output value: %(value)s, %(share)s of the total."
    ),
}
