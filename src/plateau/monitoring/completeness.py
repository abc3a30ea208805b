"""Completeness and timeliness of reporting (DHIS2's reporting rate), and late filers.

An enterprise is *expected* to file a month's return when it was founded before the month
began and had not closed (registry ``closed_date``) before it began; one with a return for
the period is always expected. For a year, an enterprise is expected when it is expected in
any of the year's months.

*Filed* means submitted at some time (submitted, approved, returned for correction or
locked); *on time* means first submitted by the deadline (rules.yaml, Beijing time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import utcnow
from plateau.i18n import _, get_locale
from plateau.monitoring import access, returns, workflow
from plateau.monitoring.models import AnnualReturn, MonthlyReturn
from plateau.monitoring.periods import Period, latest_monthly
from plateau.monitoring.rules import ruleset
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise


@dataclass
class Tally:
    """Reporting figures of one group (a prefecture, a park, an industry or a period)."""

    key: str
    name: str
    expected: int = 0
    filed: int = 0
    on_time: int = 0
    approved: int = 0

    @property
    def completeness(self) -> float | None:
        return round(self.filed / self.expected * 100, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(self.on_time / self.expected * 100, 1) if self.expected else None

    def add(self, filed: bool, on_time: bool, approved: bool) -> None:
        self.expected += 1
        self.filed += filed
        self.on_time += on_time
        self.approved += approved


@dataclass
class Report:
    period: Period
    by: str
    deadline: datetime
    rows: list[Tally]
    total: Tally

    @property
    def due_passed(self) -> bool:
        return utcnow() > self.deadline


@dataclass
class LateFiler:
    enterprise: dict[str, Any]
    status: str | None
    submitted_at: datetime | None
    deadline: datetime
    overdue: bool
    days_late: int


@dataclass
class _Filed:
    status: str
    first_submitted_at: datetime | None


@dataclass
class _World:
    """The enterprises in scope and their returns around the periods asked for."""

    enterprises: list[dict[str, Any]]
    monthly: dict[tuple[int, date], _Filed] = field(default_factory=dict)
    annual: dict[tuple[int, int], _Filed] = field(default_factory=dict)


def _load(
    session: Session, actor: Actor, first: Period, last: Period, years: Sequence[int]
) -> _World:
    scope = access.visible(actor)
    ents = [
        dict(r._mapping)
        for r in session.execute(
            select(
                Enterprise.id,
                Enterprise.uscc,
                Enterprise.name,
                Enterprise.prefecture_code,
                Enterprise.park_id,
                Enterprise.industry_id,
                Enterprise.founded_date,
                Enterprise.closed_date,
            )
            .where(scope)
            .order_by(Enterprise.name)
        )
    ]
    world = _World(enterprises=ents)
    stmt = (
        select(
            MonthlyReturn.enterprise_id,
            MonthlyReturn.period,
            MonthlyReturn.status,
            MonthlyReturn.first_submitted_at,
            MonthlyReturn.submitted_at,
        )
        .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(scope, MonthlyReturn.period >= first.start, MonthlyReturn.period <= last.start)
    )
    for eid, d, status, first_at, sub_at in session.execute(stmt):
        world.monthly[(eid, d)] = _Filed(status, first_at or sub_at)
    if years:
        stmt_a = (
            select(
                AnnualReturn.enterprise_id,
                AnnualReturn.year,
                AnnualReturn.status,
                AnnualReturn.first_submitted_at,
                AnnualReturn.submitted_at,
            )
            .join(Enterprise, Enterprise.id == AnnualReturn.enterprise_id)
            .where(scope, AnnualReturn.year.in_(list(years)))
        )
        for eid, y, status, first_at, sub_at in session.execute(stmt_a):
            world.annual[(eid, y)] = _Filed(status, first_at or sub_at)
    return world


def _expected_month(world: _World, ent: dict[str, Any], p: Period) -> bool:
    if (ent["id"], p.start) in world.monthly:
        return True
    founded, closed = ent["founded_date"], ent["closed_date"]
    if founded is not None and founded >= p.start:
        return False
    return closed is None or closed >= p.start


def _expected(world: _World, ent: dict[str, Any], p: Period) -> bool:
    if p.is_annual:
        if (ent["id"], p.year) in world.annual:
            return True
        return any(_expected_month(world, ent, m) for m in p.months())
    return _expected_month(world, ent, p)


def _filed(world: _World, eid: int, p: Period) -> _Filed | None:
    found = world.annual.get((eid, p.year)) if p.is_annual else world.monthly.get((eid, p.start))
    if found is None or found.status not in workflow.FILED:
        return None
    return found


def _span(periods: Sequence[Period]) -> tuple[Period, Period]:
    months = [m for p in periods for m in p.months()]
    return min(months, key=lambda m: m.index), max(months, key=lambda m: m.index)


def _names(session: Session, by: str, actor: Actor) -> dict[str, str]:
    refs = registry_service.reference(session, actor=actor)
    en = get_locale() == "en"
    tables: dict[str, dict[str, Any]] = {
        "prefecture": dict(refs.prefectures),
        "park": dict(refs.parks),
        "industry": dict(refs.industries),
    }
    table = tables[by]
    return {k: (v.name_en if en and v.name_en else v.name_zh) for k, v in table.items()}


_GROUP_FIELD = {"prefecture": "prefecture_code", "park": "park_id", "industry": "industry_id"}


def completeness(
    session: Session,
    *,
    period: str,
    by: str = "prefecture",
    actor: Actor,
    today: date | None = None,
) -> Report:
    """Expected, filed, on-time and approved returns of a period, per prefecture/park/industry."""
    access.require_monitor(actor)
    p = returns.parse(period, today=returns.today_or(today))
    first, last = _span([p])
    world = _load(session, actor, first, last, [p.year] if p.is_annual else [])
    names = _names(session, by, actor)
    deadline = returns.due(p)
    groups: dict[str, Tally] = {}
    total = Tally("", _("Total"))
    for ent in world.enterprises:
        if not _expected(world, ent, p):
            continue
        key = ent[_GROUP_FIELD[by]] or ""
        tally = groups.setdefault(
            key, Tally(key, names.get(key, _("No park") if by == "park" else key))
        )
        found = _filed(world, ent["id"], p)
        on_time = (
            found is not None
            and found.first_submitted_at is not None
            and found.first_submitted_at <= deadline
        )
        approved = found is not None and found.status in ("approved", "locked")
        tally.add(found is not None, on_time, approved)
        total.add(found is not None, on_time, approved)
    rows = sorted(groups.values(), key=lambda t: (t.key == "", t.key))
    return Report(period=p, by=by, deadline=deadline, rows=rows, total=total)


def trend(
    session: Session,
    *,
    last: str | None = None,
    count: int = 12,
    actor: Actor,
    today: date | None = None,
) -> list[Tally]:
    """Completeness and timeliness of the last ``count`` months in the caller's scope."""
    access.require_monitor(actor)
    day = returns.today_or(today)
    end = returns.parse(last, today=day) if last else latest_monthly(day)
    if end.is_annual:
        end = Period(end.year, 12)
    first_period = ruleset().schedule.first_period
    periods = [
        end.add_months(-k) for k in range(count) if end.add_months(-k).index >= first_period.index
    ]
    if not periods:
        return []
    first, stop = _span(periods)
    world = _load(session, actor, first, stop, [])
    out = []
    for p in periods:
        deadline = returns.due(p)
        tally = Tally(str(p), p.label())
        for ent in world.enterprises:
            if not _expected(world, ent, p):
                continue
            found = _filed(world, ent["id"], p)
            on_time = (
                found is not None
                and found.first_submitted_at is not None
                and found.first_submitted_at <= deadline
            )
            tally.add(
                found is not None,
                on_time,
                found is not None and found.status in ("approved", "locked"),
            )
        out.append(tally)
    return out


def late_filers(
    session: Session, *, period: str, actor: Actor, today: date | None = None
) -> list[LateFiler]:
    """Expected enterprises that have not filed the period by its deadline (or filed after it)."""
    access.require_monitor(actor)
    p = returns.parse(period, today=returns.today_or(today))
    first, last = _span([p])
    world = _load(session, actor, first, last, [p.year] if p.is_annual else [])
    deadline = returns.due(p)
    now = utcnow()
    out = []
    for ent in world.enterprises:
        if not _expected(world, ent, p):
            continue
        found = _filed(world, ent["id"], p)
        submitted = found.first_submitted_at if found is not None else None
        if submitted is not None and submitted <= deadline:
            continue
        record = (
            world.annual.get((ent["id"], p.year))
            if p.is_annual
            else world.monthly.get((ent["id"], p.start))
        )
        until = submitted or now
        days = max(0, (until - deadline).days + (1 if until > deadline else 0))
        out.append(
            LateFiler(
                enterprise=ent,
                status=record.status if record is not None else None,
                submitted_at=submitted,
                deadline=deadline,
                overdue=until > deadline,
                days_late=days,
            )
        )
    out.sort(key=lambda x: (-x.days_late, x.enterprise["prefecture_code"], x.enterprise["name"]))
    return out
