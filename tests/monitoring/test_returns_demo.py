"""The returns over the demo world's seven years of history: the rules flag a few returns, not
hundreds; completeness and timeliness look like a real reporting system's; closed enterprises
are not chased; a return shows its year to date."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.demo import service as demo_service
from plateau.demo.schemas import DemoSummary
from plateau.monitoring import service
from plateau.monitoring.models import MonthlyReturn
from plateau.monitoring.schemas import ReturnFilter
from plateau.registry.models import Enterprise

TODAY = date(2026, 3, 10)  # the demo's history runs to 2026-02


@dataclass
class Demo:
    session: Session
    summary: DemoSummary


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    conn = engine.connect()
    trans = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    creds = tmp_path_factory.mktemp("demo") / "c.txt"
    try:
        summary = demo_service.load_demo(session, actor=SYSTEM, today=TODAY, credentials_file=creds)
        yield Demo(session, summary)
    finally:
        session.close()
        trans.rollback()
        conn.close()


def test_the_rules_flag_a_few_returns_not_hundreds(demo: Demo) -> None:
    found = service.period_warnings(demo.session, period="2026-01", actor=SYSTEM, today=TODAY)
    filed = demo.session.scalar(
        select(func.count())
        .select_from(MonthlyReturn)
        .where(MonthlyReturn.period == date(2026, 1, 1), MonthlyReturn.status != "draft")
    )
    assert filed and filed > 120
    flagged = {w.enterprise.uscc for w in found}
    # Slumping firms and the odd outlier, nothing like every other return.
    assert 1 <= len(flagged) <= 0.2 * filed, Counter(w.finding.rule for w in found)
    assert {w.finding.rule for w in found} <= {
        "yoy_change",
        "outlier_own_history",
        "outlier_industry_peers",
        "exports_within_revenue",
    }
    # Nothing the demo filed breaks a rule that blocks submission.
    assert all(w.finding.severity == "warning" for w in found)


def test_completeness_of_the_last_months(demo: Demo) -> None:
    january = service.completeness(demo.session, period="2026-01", actor=SYSTEM, today=TODAY)
    assert january.total.expected >= 140
    assert 95 <= (january.total.completeness or 0) <= 100
    assert 85 <= (january.total.timeliness or 0) < 100  # a few file on the 16th
    february = service.completeness(demo.session, period="2026-02", actor=SYSTEM, today=TODAY)
    # The demo leaves ~7 % unfiled and ~6 % as drafts in its latest month.
    assert 75 <= (february.total.completeness or 0) <= 95
    late = service.late_filers(demo.session, period="2026-02", actor=SYSTEM, today=TODAY)
    assert len(late) == february.total.expected - february.total.on_time


def test_closed_enterprises_are_not_expected(demo: Demo) -> None:
    closed = demo.summary.closed  # USCC -> last month with a return
    assert closed
    rows = service.late_filers(demo.session, period="2026-01", actor=SYSTEM, today=TODAY)
    assert not {x.enterprise["uscc"] for x in rows} & set(closed)
    founded_later = demo.session.scalar(
        select(func.count())
        .select_from(Enterprise)
        .where(Enterprise.founded_date >= date(2026, 1, 1))
    )
    active = demo.session.scalar(
        select(func.count())
        .select_from(Enterprise)
        .where(
            (Enterprise.closed_date.is_(None)) | (Enterprise.closed_date >= date(2026, 1, 1)),
        )
    )
    january = service.completeness(demo.session, period="2026-01", actor=SYSTEM, today=TODAY)
    assert january.total.expected == (active or 0) - (founded_later or 0)


def test_a_demo_return_shows_month_and_year_to_date(demo: Demo) -> None:
    water = demo.summary.showcase["water"]
    view = service.get_return(demo.session, uscc=water, period="2026-02", actor=SYSTEM, today=TODAY)
    line = next(x for x in view.lines if x.element.id == "drinking_water_volume")
    january = service.get_return(
        demo.session, uscc=water, period="2026-01", actor=SYSTEM, today=TODAY
    )
    jan_line = next(x for x in january.lines if x.element.id == "drinking_water_volume")
    assert line.value is not None and jan_line.value is not None
    assert line.ytd == line.value + jan_line.value
    assert line.last_year is not None and line.ytd_last_year is not None
    locked_2024 = service.list_returns(
        demo.session,
        filters=ReturnFilter(period="2024-06", status="locked"),
        actor=SYSTEM,
        today=TODAY,
    )
    assert locked_2024.total >= 100


def test_outliers_awaiting_comment_for_the_early_warning_page(demo: Demo) -> None:
    rows = service.outliers_awaiting_comment(
        demo.session, actor=SYSTEM, period="2026-01", today=TODAY
    )
    assert rows and {r["rule"] for r in rows} <= {"outlier_own_history", "outlier_industry_peers"}
    assert all(isinstance(r["z"], float) and abs(r["z"]) > 3.5 for r in rows)
