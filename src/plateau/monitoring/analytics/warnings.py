"""Early warnings: targets off track, enterprises in decline, late filers, outliers.

- **Targets off track**: every current target (due in the latest year with data or later)
  whose status is ``off_track`` or ``at_risk``.
- **Enterprises in decline**: output value of the month below the same month a year
  earlier by more than a set share (default 10%) for a set number of months running
  (default 3), up to the last month with returns.
- **Late filers**: enterprises that filed in any of the three months before the last
  month (the month before today) but have no return for it, or only a draft.
- **Outliers awaiting comment**: listed when the returns module exposes
  ``plateau.monitoring.service.outliers_awaiting_comment(session, *, actor)``.

Only returns with a counted status (submitted, approved, locked) count as filed, and
enterprises appear only to those who may see them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import chunked
from plateau.monitoring.analytics.schemas import DecliningEnterprise, LateFiler
from plateau.monitoring.models import MonthlyReturn
from plateau.registry import access as registry_access
from plateau.registry.models import Enterprise

DEFAULT_DECLINE_SHARE = 0.10
DEFAULT_DECLINE_MONTHS = 3
EXPECTED_WINDOW = 3  # months before the last month in which an active filer filed
LOOKBACK = 12  # how far back a run of declining months is followed


def month_add(d: date, n: int) -> date:
    """The first day of the month ``n`` months after ``d``'s month."""
    idx = d.year * 12 + d.month - 1 + n
    return date(idx // 12, idx % 12 + 1, 1)


def last_month(today: date) -> date:
    """The month whose returns are due by ``today``: the month before today's."""
    return month_add(date(today.year, today.month, 1), -1)


def declining(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    counted: tuple[str, ...],
    share: float = DEFAULT_DECLINE_SHARE,
    months: int = DEFAULT_DECLINE_MONTHS,
) -> list[DecliningEnterprise]:
    """Enterprises whose output fell by more than ``share`` year on year, ``months`` running."""
    first = month_add(as_of, -(LOOKBACK + 12 - 1))
    stmt = (
        select(MonthlyReturn.enterprise_id, MonthlyReturn.period, MonthlyReturn.output_value_cny)
        .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(
            registry_access.visible_enterprises(actor),
            MonthlyReturn.status.in_(counted),
            MonthlyReturn.period >= first,
            MonthlyReturn.period <= as_of,
        )
    )
    output: dict[int, dict[date, float]] = defaultdict(dict)
    for e, period, value in session.execute(stmt):
        if value is not None:
            output[e][period] = float(value)
    flagged: dict[int, tuple[int, float, float]] = {}
    for e, by_month in output.items():
        run = 0
        for k in range(LOOKBACK):
            m = month_add(as_of, -k)
            now, before = by_month.get(m), by_month.get(month_add(m, -12))
            if now is None or not before or now >= before * (1.0 - share):
                break
            run += 1
        if run >= months:
            flagged[e] = (run, by_month[as_of], by_month[month_add(as_of, -12)])
    if not flagged:
        return []
    info = {
        row.id: row
        for chunk in chunked(sorted(flagged))
        for row in session.execute(
            select(
                Enterprise.id,
                Enterprise.uscc,
                Enterprise.name,
                Enterprise.industry_id,
                Enterprise.prefecture_code,
            ).where(Enterprise.id.in_(chunk))
        )
    }
    out = [
        DecliningEnterprise(
            uscc=info[e].uscc,
            name=info[e].name,
            industry=info[e].industry_id,
            prefecture=info[e].prefecture_code,
            months=run,
            latest_period=as_of.strftime("%Y-%m"),
            latest=latest,
            previous=previous,
            change_pct=100.0 * (latest / previous - 1.0),
        )
        for e, (run, latest, previous) in flagged.items()
    ]
    return sorted(out, key=lambda d: d.change_pct)


def late_filers(
    session: Session, *, actor: Actor, month: date, counted: tuple[str, ...]
) -> list[LateFiler]:
    """Active filers without a counted return for ``month`` (none at all, or a draft)."""
    window_start = month_add(month, -EXPECTED_WINDOW)
    visible = registry_access.visible_enterprises(actor)
    expected = set(
        session.scalars(
            select(MonthlyReturn.enterprise_id)
            .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
            .where(
                visible,
                MonthlyReturn.status.in_(counted),
                MonthlyReturn.period >= window_start,
                MonthlyReturn.period < month,
            )
            .distinct()
        )
    )
    if not expected:
        return []
    this_month = {
        e: status
        for chunk in chunked(sorted(expected))
        for e, status in session.execute(
            select(MonthlyReturn.enterprise_id, MonthlyReturn.status).where(
                MonthlyReturn.period == month, MonthlyReturn.enterprise_id.in_(chunk)
            )
        )
    }
    late = [e for e in expected if this_month.get(e) in (None, "draft")]
    if not late:
        return []
    last_filed: dict[int, date] = {
        e: period
        for chunk in chunked(late)
        for e, period in session.execute(
            select(MonthlyReturn.enterprise_id, func.max(MonthlyReturn.period))
            .where(MonthlyReturn.enterprise_id.in_(chunk), MonthlyReturn.status.in_(counted))
            .group_by(MonthlyReturn.enterprise_id)
        )
    }
    rows = [
        row
        for chunk in chunked(late)
        for row in session.execute(
            select(
                Enterprise.id,
                Enterprise.uscc,
                Enterprise.name,
                Enterprise.prefecture_code,
                Enterprise.park_id,
            ).where(Enterprise.id.in_(chunk))
        )
    ]
    out = [
        LateFiler(
            uscc=r.uscc,
            name=r.name,
            prefecture=r.prefecture_code,
            park=r.park_id,
            period=month.strftime("%Y-%m"),
            state="draft" if this_month.get(r.id) == "draft" else "missing",
            last_filed=last_filed[r.id].strftime("%Y-%m") if r.id in last_filed else None,
        )
        for r in rows
    ]
    return sorted(out, key=lambda f: (f.prefecture, f.uscc))


def outliers(session: Session, *, actor: Actor) -> list[dict[str, Any]] | None:
    """Outliers awaiting comment, if the returns module exposes them (else None)."""
    try:
        from plateau.monitoring import service as monitoring_service
    except ImportError:
        return None
    source = getattr(monitoring_service, "outliers_awaiting_comment", None)
    if source is None:
        return None
    return [_plain(row) for row in source(session, actor=actor)]


def _plain(row: Any) -> dict[str, Any]:
    if hasattr(row, "model_dump"):
        dumped: dict[str, Any] = row.model_dump(mode="json")
        return dumped
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return dataclasses.asdict(row)
    if isinstance(row, Mapping):
        return dict(row)
    return {k: v for k, v in vars(row).items() if not k.startswith("_")}
