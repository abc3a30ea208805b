"""The pre-aggregates and the cached indicator tables agree with a computation from scratch
after every kind of write, and a dashboard never shows figures older than the last write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Float, cast, select, text
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.monitoring import service as monitoring_service
from plateau.monitoring.analytics import aggregates, cache, engine, service
from plateau.monitoring.analytics import facts as facts_repo
from plateau.monitoring.analytics.engine import IndicatorTable
from plateau.monitoring.analytics.indicators import ELEMENTS, catalog
from plateau.monitoring.analytics.models import AnalyticsPending, IndicatorCellMonth, IndicatorFact
from plateau.monitoring.schemas import RegionInputWrite
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise
from plateau.registry.schemas import EnterpriseUpdate, StatusCreate, StatusUpdate
from tests.builders import Users
from tests.monitoring.analytics.builders import add_months
from tests.monitoring.builders import TODAY, approved, core, file
from tests.monitoring.conftest import World

M = 1_000_000


@pytest.fixture
def history(session: Session, world: World) -> World:
    """2023–2024 complete for the three enterprises, 2025 up to October.

    A is above size by revenue (60M a year), B below (12M), C just above in 2023 (24M) and
    below in 2024 (18M); October 2025 is the latest month with counted returns.
    """
    a, b, c = (world.ents[x] for x in "abc")
    for year in (2023, 2024):
        add_months(session, a, year, output=66 * M, revenue=60 * M, value_added=20 * M)
        add_months(session, b, year, output=14 * M, revenue=12 * M, value_added=4 * M)
    add_months(session, c, 2023, output=25 * M, revenue=24 * M, value_added=8 * M)
    add_months(session, c, 2024, output=19 * M, revenue=18 * M, value_added=6 * M)
    add_months(session, a, 2025, months=range(1, 11), output=72 * M, revenue=66 * M)
    add_months(session, b, 2025, months=range(1, 11), output=15 * M, revenue=13 * M)
    add_months(session, c, 2025, months=range(1, 11), output=19 * M, revenue=18 * M)
    # A draft never counts, whatever it holds.
    add_months(
        session, c, 2022, months=range(6, 7), output=900 * M, revenue=900 * M, status="draft"
    )
    session.commit()
    return world


def _fact_rows(session: Session) -> tuple[list[Any], list[Any]]:
    sums_f = [cast(getattr(IndicatorFact, e), Float) for e in ELEMENTS]
    sums_c = [cast(getattr(IndicatorCellMonth, e), Float) for e in ELEMENTS]
    facts = session.execute(
        select(
            IndicatorFact.enterprise_id,
            IndicatorFact.year,
            IndicatorFact.cell,
            IndicatorFact.months,
            IndicatorFact.above_size,
            *sums_f,
        ).order_by(IndicatorFact.enterprise_id, IndicatorFact.year)
    ).all()
    cells = session.execute(
        select(
            IndicatorCellMonth.cell,
            IndicatorCellMonth.period,
            IndicatorCellMonth.above_size,
            *sums_c,
        ).order_by(
            IndicatorCellMonth.cell, IndicatorCellMonth.period, IndicatorCellMonth.above_size
        )
    ).all()
    return [tuple(r) for r in facts], [tuple(r) for r in cells]


def _close(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats to 1e-9 relative (the order of a database's sum is not fixed)."""
    if isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None, where
        assert a == pytest.approx(b, rel=1e-9, abs=1e-6), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{where}: {set(a) ^ set(b)}"
        for k in a:
            _close(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def _same_table(stored: IndicatorTable, fresh: IndicatorTable) -> None:
    assert stored.as_of == fresh.as_of
    assert stored.periods == fresh.periods
    assert stored.members == fresh.members
    for name in ("annual", "levels", "ytd_levels", "months", "ytd"):
        _close(getattr(stored, name), getattr(fresh, name), name)


def agree(session: Session) -> IndicatorTable:
    """The maintained pre-aggregates equal a rebuild, and the served table a fresh one."""
    aggregates.sync(session)
    assert session.scalar(select(AnalyticsPending.id).limit(1)) is None
    incremental = _fact_rows(session)
    savepoint = session.begin_nested()
    cat = catalog()
    aggregates.rebuild(session, cat, facts_repo.latest_month(session, catalog=cat))
    rebuilt = _fact_rows(session)
    savepoint.rollback()
    _close(incremental, rebuilt, "pre-aggregates")
    served = service.context(session, actor=SYSTEM, monthly_years=None).table
    ref = service.reference(session, actor=SYSTEM)
    fresh = engine.compute(session, catalog=cat, reference=ref, monthly_years=None)
    _same_table(served, fresh)
    # The served table really came from the pre-aggregates.
    stored = facts_repo.load_facts(session, catalog=cat, stored=True)
    assert stored.flags, "the pre-aggregates are empty"
    return served


# November figures close to each enterprise's past (no outlier to explain).
A = core(output_value="6200000", revenue="5600000", value_added="1800000")
B = core(output_value="1200000", revenue="1050000", value_added="350000")
C = core(output_value="1600000", revenue="1500000", value_added="500000")


def _submit(session: Session, w: World) -> None:
    file(session, w.c, "2025-11", **C)
    session.commit()
    monitoring_service.submit_return(session, uscc=w.c, period="2025-11", actor=SYSTEM, today=TODAY)


def _approve(session: Session, w: World) -> None:
    approved(session, w.a, "2025-11", **A)


def _return(session: Session, w: World) -> None:
    file(session, w.b, "2025-11", submit=True, **B)
    session.commit()
    agree(session)
    monitoring_service.return_for_correction(
        session, uscc=w.b, period="2025-11", comment="营业收入有误", actor=SYSTEM, today=TODAY
    )


def _correct(session: Session, w: World) -> None:
    approved(session, w.a, "2025-11", **A)
    session.commit()
    agree(session)
    monitoring_service.save_return(
        session,
        uscc=w.a,
        period="2025-11",
        values=A | {"output_value": "5800000", "revenue": "5200000"},
        reason="企业更正",
        actor=SYSTEM,
        today=TODAY,
    )


def _lock_and_reopen(session: Session, w: World) -> None:
    approved(session, w.a, "2025-11", **A)
    monitoring_service.lock_period(session, period="2025-11", actor=SYSTEM, today=TODAY)
    session.commit()
    agree(session)
    monitoring_service.reopen_period(
        session, period="2025-11", reason="更正", actor=SYSTEM, today=TODAY
    )


def _status(session: Session, w: World) -> None:
    # B becomes above size by the registry from 2024 on, then the status ends, then goes.
    status = registry_service.add_status(
        session,
        uscc=w.b,
        data=StatusCreate.model_validate(
            {"kind": "above_designated_size", "valid_from": "2024-01-01"}
        ),
        actor=SYSTEM,
    )
    agree(session)
    registry_service.update_status(
        session,
        uscc=w.b,
        status_id=status.id,
        data=StatusUpdate(valid_to=date(2024, 12, 31)),
        actor=SYSTEM,
    )
    agree(session)
    registry_service.delete_status(session, uscc=w.b, status_id=status.id, actor=SYSTEM)


def _move(session: Session, w: World) -> None:
    # A leaves its park and changes industry: both its old and its new cell move.
    registry_service.update_enterprise(
        session, uscc=w.a, data=EnterpriseUpdate(park_id=None), actor=SYSTEM
    )
    agree(session)
    registry_service.update_enterprise(
        session, uscc=w.a, data=EnterpriseUpdate(industry_id="brewing"), actor=SYSTEM
    )


def _region_input(session: Session, w: World) -> None:
    monitoring_service.set_region_input(
        session,
        data=RegionInputWrite(
            indicator="national_innovation_carriers", year=2024, value=Decimal(7)
        ),
        actor=SYSTEM,
    )


def _delete(session: Session, w: World) -> None:
    registry_service.delete_enterprise(session, uscc=w.b, actor=SYSTEM)


def _bulk(session: Session, w: World) -> None:
    # A statement on the table itself, not through objects: everything is recomputed.
    session.execute(
        text("UPDATE monthly_return SET status = 'returned' WHERE period = :p"),
        {"p": date(2025, 10, 1)},
    )
    aggregates.mark_all(session)


WRITES: dict[str, Callable[[Session, World], None]] = {
    "submit": _submit,
    "approve": _approve,
    "return": _return,
    "correct": _correct,
    "lock_reopen": _lock_and_reopen,
    "status": _status,
    "move": _move,
    "region_input": _region_input,
    "delete_enterprise": _delete,
    "bulk_statement": _bulk,
}


@pytest.mark.parametrize("kind", list(WRITES))
def test_pre_aggregates_agree_after_each_write(session: Session, history: World, kind: str) -> None:
    before = agree(session)
    WRITES[kind](session, history)
    after = agree(session)
    session.commit()
    assert agree(session) is not None
    if kind in (
        "submit",
        "approve",
        "correct",
        "region_input",
        "delete_enterprise",
        "bulk_statement",
    ):
        # The write moved the figures, so the agreement above was not between two empties.
        changed = [
            (key, y)
            for key, values in after.annual.items()
            for y, v in values.items()
            if before.annual.get(key, {}).get(y) != v
        ] + [True for key in after.months if after.months[key] != before.months.get(key)]
        assert changed or after.periods != before.periods, kind


def test_flags_follow_a_new_latest_month(session: Session, history: World) -> None:
    """November moves the year in progress: C's status from mid-November now decides."""
    registry_service.add_status(
        session,
        uscc=history.c,
        data=StatusCreate.model_validate(
            {"kind": "above_designated_size", "valid_from": "2025-11-15"}
        ),
        actor=SYSTEM,
    )
    before = agree(session)
    approved(session, history.a, "2025-11", **A)
    after = agree(session)
    assert after.as_of == date(2025, 11, 1) != before.as_of
    c = history.ents["c"].id
    assert c not in before.members[2025] and c in after.members[2025]


def test_the_dashboard_shows_an_approval_at_once(
    session: Session, history: World, users: Users, client: TestClient
) -> None:
    admin = users.actors["region_admin"]
    first = service.dashboard(session, actor=admin)
    assert first.latest == "2025-01/2025-10"
    hits = cache.TABLES.hits
    again = service.dashboard(session, actor=admin)
    assert cache.TABLES.hits == hits + 1  # served from the cache, not recomputed
    assert again.latest == first.latest
    page = client.get("/monitoring/dashboard", headers=users.headers["region_admin"])
    assert page.status_code == 200 and "2025-11" not in page.text

    approved(session, history.a, "2025-11", **A)
    session.commit()

    after = service.dashboard(session, actor=admin)
    assert after.latest == "2025-01/2025-11"
    output = next(m for m in after.monthly if m.indicator == "output_value")
    november = next(r for r in output.rows if r.month == "2025-11")
    assert november.value == pytest.approx(6_200_000.0)
    # Another session (a request of its own) sees it too.
    page = client.get("/monitoring/dashboard", headers=users.headers["region_admin"])
    assert page.status_code == 200 and "2025-11" in page.text


def test_a_rolled_back_write_leaves_no_trace_in_the_cache(session: Session, history: World) -> None:
    before = agree(session)
    savepoint = session.begin_nested()
    approved(session, history.a, "2025-11", **A)
    during = service.context(session, actor=SYSTEM, monthly_years=None).table
    assert during.as_of == date(2025, 11, 1)
    savepoint.rollback()
    after = service.context(session, actor=SYSTEM, monthly_years=None).table
    assert after.as_of == before.as_of == date(2025, 10, 1)
    _same_table(after, before)


def test_an_enterprise_without_returns_still_counts(session: Session, history: World) -> None:
    """A new enterprise changes counts though it has no fact of its own yet."""
    before = agree(session)
    ent = session.scalars(select(Enterprise).where(Enterprise.uscc == history.a)).one()
    registry_service.add_status(
        session,
        uscc=ent.uscc,
        data=StatusCreate.model_validate({"kind": "high_tech", "valid_from": "2023-01-01"}),
        actor=SYSTEM,
    )
    after = agree(session)
    assert (
        after.value("high_tech_enterprises", "region", 2024)
        != before.value("high_tech_enterprises", "region", 2024)
        or after.annual != before.annual
    )


def test_deciding_one_enterprises_flags_reads_that_enterprise_only(
    session: Session, history: World
) -> None:
    a = history.ents["a"].id
    facts = facts_repo.load_facts(session, catalog=catalog(), stored=True, only={a})
    assert set(facts.enterprises) == {a}
    assert {s.enterprise_id for s in facts.statuses} <= {a}
    assert {e for e, _y in facts.annual} == {a}


def test_a_write_in_the_same_month_does_not_read_every_enterprise(
    session: Session, history: World
) -> None:
    """The incremental path of a write reads the registry rows of the touched enterprise only."""
    from sqlalchemy import event

    agree(session)
    seen: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    bind = session.connection().engine
    event.listen(bind, "before_cursor_execute", capture)
    try:
        monitoring_service.save_return(
            session,
            uscc=history.b,
            period="2025-06",
            values=B | {"revenue": "1100000"},
            reason="企业更正",
            actor=SYSTEM,
            today=TODAY,
        )
        session.commit()
    finally:
        event.remove(bind, "before_cursor_execute", capture)
    reads = [
        s
        for s in seen
        if s.startswith("SELECT") and ("FROM enterprise_status" in s or "enterprise.gbt4754" in s)
    ]
    assert reads, "the write decided no flags"
    for s in reads:
        assert " WHERE " in s, s
    agree(session)
