"""Completeness and timeliness per prefecture, park and period, and the late filers, on a
small dataset whose numbers are worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.errors import Forbidden, Unauthorized
from plateau.monitoring import service
from plateau.monitoring.models import AnnualReturn
from tests.builders import Users
from tests.monitoring.builders import TODAY, month_row
from tests.monitoring.conftest import World
from tests.registry.builders import make_enterprise

P = "2025-10"  # due 2025-11-15 23:59:59 Beijing = 15:59:59 UTC


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def dataset(session: Session, world: World) -> dict[str, str]:
    """A approved on time; B (Nagqu) submitted late; C a draft; G returned, first submitted on
    time; D founded during the month and E closed before it are not expected."""
    a, b, c = world.ents["a"], world.ents["b"], world.ents["c"]
    g = make_enterprise(session, n=21, name="拉萨乙企业", park="lhasa_etdz")
    d = make_enterprise(
        session, n=22, name="拉萨新企业", park="lhasa_etdz", founded=date(2025, 10, 5)
    )
    e = make_enterprise(session, n=23, name="那曲停产企业", prefecture="540600")
    e.closed_date = date(2025, 9, 30)
    month_row(session, a, P, status="approved", submitted_at=utc(2025, 11, 5, 2))
    month_row(session, b, P, status="submitted", submitted_at=utc(2025, 11, 20, 3))
    month_row(session, c, P, status="draft")
    month_row(
        session,
        g,
        P,
        status="returned",
        first_submitted_at=utc(2025, 11, 10, 1),
        submitted_at=utc(2025, 11, 25, 1),
    )
    month_row(session, e, "2025-09", status="approved")
    session.add(
        AnnualReturn(enterprise_id=a.id, year=2024, status="approved", submitted_at=utc(2025, 3, 1))
    )
    session.add(
        AnnualReturn(
            enterprise_id=b.id, year=2024, status="submitted", submitted_at=utc(2025, 4, 2)
        )
    )
    session.commit()
    return {"g": g.uscc, "d": d.uscc, "e": e.uscc}


def _table(
    report: service.Report,
) -> list[tuple[str, int, int, int, int, float | None, float | None]]:
    return [
        (t.key, t.expected, t.filed, t.on_time, t.approved, t.completeness, t.timeliness)
        for t in [*report.rows, report.total]
    ]


def test_completeness_and_timeliness_by_prefecture(
    session: Session, dataset: dict[str, str]
) -> None:
    report = service.completeness(session, period=P, by="prefecture", actor=SYSTEM, today=TODAY)
    assert _table(report) == [
        ("540100", 3, 2, 2, 1, 66.7, 66.7),  # A, C, G expected; A and G filed on time
        ("540600", 1, 1, 0, 0, 100.0, 0.0),  # B filed after the deadline
        ("", 4, 3, 2, 1, 75.0, 50.0),
    ]
    assert [t.name for t in report.rows] == ["拉萨市", "那曲市"]


def test_completeness_by_park_and_by_industry(session: Session, dataset: dict[str, str]) -> None:
    by_park = service.completeness(session, period=P, by="park", actor=SYSTEM, today=TODAY)
    assert _table(by_park)[:-1] == [
        ("lhasa_etdz", 2, 2, 2, 1, 100.0, 100.0),
        ("nagqu_hitech", 1, 1, 0, 0, 100.0, 0.0),
        ("", 1, 0, 0, 0, 0.0, 0.0),  # C has no park
    ]
    assert by_park.rows[-1].name == "不在园区"
    by_industry = service.completeness(session, period=P, by="industry", actor=SYSTEM, today=TODAY)
    assert {t.key: t.expected for t in by_industry.rows} == {
        "agri_food": 2,
        "drinking_water": 1,
        "ethnic_handicraft": 1,
    }


def test_a_year_expects_whoever_was_expected_in_one_of_its_months(
    session: Session, dataset: dict[str, str]
) -> None:
    report = service.completeness(
        session, period="2024", by="prefecture", actor=SYSTEM, today=TODAY
    )
    # A, C, G in Lhasa; B and E (closed only in 2025) in Nagqu. A on time, B late.
    assert _table(report) == [
        ("540100", 3, 1, 1, 1, 33.3, 33.3),
        ("540600", 2, 1, 0, 0, 50.0, 0.0),
        ("", 5, 2, 1, 1, 40.0, 20.0),
    ]


def test_late_filers_list_the_missing_and_the_late(
    session: Session, world: World, dataset: dict[str, str]
) -> None:
    rows = service.late_filers(session, period=P, actor=SYSTEM, today=TODAY)
    assert [(x.enterprise["uscc"], x.status, x.overdue) for x in rows] == [
        (world.c, "draft", True),
        (world.b, "submitted", True),
    ]
    assert rows[1].days_late == 5  # 20 Nov 03:00 UTC is 4 days 11 hours after the deadline
    assert rows[1].submitted_at == utc(2025, 11, 20, 3)


def test_the_trend_gives_the_same_figures_month_by_month(
    session: Session, dataset: dict[str, str]
) -> None:
    trend = service.completeness_trend(session, last=P, count=3, actor=SYSTEM, today=TODAY)
    assert [(t.key, t.expected, t.filed, t.on_time) for t in trend] == [
        ("2025-10", 4, 3, 2),
        ("2025-09", 5, 1, 1),  # E filed its last month; A, B, C, G were silent
        ("2025-08", 5, 0, 0),
    ]


def test_officers_see_their_own_area_and_enterprises_none(
    session: Session, dataset: dict[str, str], users: Users
) -> None:
    lhasa = service.completeness(
        session, period=P, actor=users.actors["prefecture_lhasa"], today=TODAY
    )
    assert _table(lhasa) == [("540100", 3, 2, 2, 1, 66.7, 66.7), ("", 3, 2, 2, 1, 66.7, 66.7)]
    park = service.completeness(
        session, period=P, by="park", actor=users.actors["park_etdz"], today=TODAY
    )
    assert [(t.key, t.expected) for t in park.rows] == [("lhasa_etdz", 2)]
    assert (
        service.late_filers(session, period=P, actor=users.actors["park_etdz"], today=TODAY) == []
    )
    with pytest.raises(Forbidden):
        service.completeness(session, period=P, actor=users.actors["enterprise_a"], today=TODAY)
    with pytest.raises(Unauthorized):
        service.late_filers(session, period=P, actor=users.actors["public"], today=TODAY)
