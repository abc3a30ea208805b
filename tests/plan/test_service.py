from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, SYSTEM
from plateau.errors import Forbidden
from plateau.i18n import set_locale
from plateau.plan import service


def test_loading_again_changes_nothing(session: Session) -> None:
    before = [service.figure_record(f) for f in service.list_figures(session, actor=PUBLIC)]
    report = service.load_plans(session, actor=SYSTEM)
    assert report.plans == {"plan_533": "unchanged", "lhasa_garment": "unchanged"}
    after = [service.figure_record(f) for f in service.list_figures(session, actor=PUBLIC)]
    assert after == before and len(after) == report.figures


def test_only_the_admin_loads_plans(session: Session) -> None:
    with pytest.raises(Forbidden):
        service.load_plans(session, actor=PUBLIC)


def test_region_output_targets_are_stored_in_cny(session: Session) -> None:
    figs = service.list_figures(
        session, actor=PUBLIC, indicator="output_value", scope="region", kind="target"
    )
    got = {f.year: (int(f.value), f.bound, f.unit) for f in figs}
    assert got == {2025: (7_500_000_000, "min", "CNY"), 2030: (14_000_000_000, "min", "CNY")}


def test_coherence_compares_the_eleven_industries_with_the_region(session: Session) -> None:
    rows = {r.year: r for r in service.coherence_check(session, actor=PUBLIC)}
    assert set(rows) == {2025, 2030}
    r25, r30 = rows[2025], rows[2030]
    assert len(r25.industries) == 11 and not r25.missing_industries
    # 10+8+5+8+35+1.3+5+2+0.5+1+1 亿元 in 2025; 20+18+8+20+55+2+10+4+1+2+2 in 2030
    assert r25.industry_sum == 7_680_000_000 and r25.region_value == 7_500_000_000
    assert r30.industry_sum == 14_200_000_000 and r30.region_value == 14_000_000_000
    assert r25.difference == 180_000_000 and r25.covers_region_target is True
    assert "76.8亿元" in r25.message and "1.8亿元" in r25.message


def test_coherence_message_follows_the_language(session: Session) -> None:
    set_locale("en")
    row = service.coherence_check(session, actor=PUBLIC)[0]
    assert "CNY 7.68 bn" in row.message and "above the region target" in row.message


def test_headline_lists_the_main_table_in_plan_order(session: Session) -> None:
    rows = service.headline(session, actor=PUBLIC)
    assert [r.indicator for r in rows] == list(service.MAIN_TABLE)
    output = next(r for r in rows if r.indicator == "output_value")
    assert (output.baseline_year, output.baseline) == (2022, 5_000_000_000)
    assert [(t.year, t.value) for t in output.targets] == [
        (2025, 7_500_000_000),
        (2030, 14_000_000_000),
    ]
    barley = next(r for r in rows if r.indicator == "barley_conversion_rate")
    assert (barley.baseline_year, barley.baseline) == (2020, 17.8)
