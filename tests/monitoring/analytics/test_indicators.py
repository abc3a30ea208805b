"""The indicator formulas on a small hand-built world with exact numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.monitoring.analytics import service
from plateau.monitoring.analytics.engine import IndicatorTable
from plateau.registry.models import Enterprise
from tests.monitoring.analytics.builders import add_input, add_months
from tests.registry.builders import add_status, make_enterprise

M = 1_000_000


@dataclass
class Small:
    a: Enterprise
    b: Enterprise
    c: Enterprise
    d: Enterprise


@pytest.fixture
def small(session: Session) -> Small:
    """Four enterprises, 2022-2023 complete and 2024 up to March.

    A agri-food, Lhasa, park lhasa_etdz: revenue 120M in 2022 (above), 18M in 2023 (below).
    B agri-food, Shigatse: revenue 12M in 2022 but the registry records it above size for
      2022; 30M in 2023 (above by revenue).
    C brewing, Lhasa: revenue 36M both years, but the registry records its status ending
      mid-2022 (so not above in 2022); above by revenue in 2023.
    D drinking water, Nagqu: 6M a year (below), 5,000 t of water a year.
    """
    a = make_enterprise(session, n=101, park="lhasa_etdz", industry="agri_food")
    b = make_enterprise(session, n=102, prefecture="540200", industry="agri_food")
    c = make_enterprise(session, n=103, industry="brewing")
    d = make_enterprise(session, n=104, prefecture="540600", industry="drinking_water")
    add_months(session, a, 2022, output=120 * M, revenue=120 * M, value_added=36 * M, volume=1200)
    add_months(session, a, 2023, output=24 * M, revenue=18 * M, value_added=6 * M, volume=600)
    add_months(session, b, 2022, output=12 * M, revenue=12 * M, value_added=3.6 * M)
    add_months(session, b, 2023, output=36 * M, revenue=30 * M, value_added=12 * M)
    add_months(session, c, 2022, output=36 * M, revenue=36 * M, value_added=12 * M)
    add_months(session, c, 2023, output=36 * M, revenue=36 * M, value_added=12.24 * M)
    add_months(session, d, 2022, output=6 * M, revenue=6 * M, volume=5000)
    add_months(session, d, 2023, output=6 * M, revenue=6 * M, volume=5000)
    # 2024 up to March: B at 36M a year, A at 12M, C at 12M (its last 12 months: 30M).
    add_months(session, a, 2024, months=range(1, 4), output=12 * M, revenue=12 * M)
    add_months(
        session, b, 2024, months=range(1, 4), output=36 * M, revenue=36 * M, value_added=12 * M
    )
    add_months(
        session, c, 2024, months=range(1, 4), output=12 * M, revenue=12 * M, value_added=3.6 * M
    )
    # A draft is not counted, however large.
    add_months(
        session, b, 2024, months=range(4, 5), output=1200 * M, revenue=1200 * M, status="draft"
    )
    add_status(session, b, "above_designated_size", "2022-01-01", "2022-12-31")
    add_status(session, c, "above_designated_size", "2021-01-01", "2022-06-30")
    add_status(session, a, "high_tech", "2020-10-01", "2023-09-30")
    add_status(session, c, "high_tech", "2023-11-01")
    add_status(session, b, "specialized_sme", "2021-06-01")  # level "": counted
    add_status(session, d, "green_factory", "2022-12-08")
    add_input(session, "price_index", 2023, 1.05, scope="industry:agri_food")
    add_input(session, "price_index", 2023, 1.02, scope="industry:brewing")
    add_input(session, "price_index", 2024, 1.0, scope="industry:agri_food")
    add_input(session, "price_index", 2024, 1.0, scope="industry:brewing")
    add_input(session, "highland_barley_production", 2022, 10_000)
    add_input(session, "highland_barley_production", 2023, 10_000)
    return Small(a, b, c, d)


def _table(session: Session) -> IndicatorTable:
    return service.context(session, actor=SYSTEM, monthly_years=None).table


def test_periods_run_to_the_last_month_with_counted_returns(session: Session, small: Small) -> None:
    table = _table(session)
    assert table.as_of == date(2024, 3, 1)  # the April draft does not count
    assert [table.periods[y].label for y in table.years] == ["2022", "2023", "2024-01/2024-03"]


def test_above_size_comes_from_revenue_unless_the_registry_records_the_year(
    session: Session, small: Small
) -> None:
    table = _table(session)
    members = table.members
    assert members[2022] == {small.a.id, small.b.id}  # B by the registry, not C (ended mid-year)
    assert members[2023] == {small.b.id, small.c.id}  # A fell below 20M; C by revenue
    # 2024 in progress: the last 12 months decide (A 13.5M+3M below; B and C above).
    assert members[2024] == {small.b.id, small.c.id}
    assert table.value("enterprises_above_size", "region", 2022) == 2
    assert table.value("enterprises_above_size", "prefecture:540100", 2022) == 1
    assert table.value("new_enterprises_above_size", "region", 2023) == 1  # C
    assert table.value("new_enterprises_above_size", "region", 2022) is None  # no year before


def test_money_sums_cover_above_size_enterprises_only(session: Session, small: Small) -> None:
    table = _table(session)
    assert table.value("output_value", "region", 2022) == pytest.approx(132 * M)  # A + B
    assert table.value("output_value", "region", 2023) == pytest.approx(72 * M)  # B + C
    assert table.value("output_value", "industry:agri_food", 2022) == pytest.approx(132 * M)
    assert table.value("output_value", "industry:drinking_water", 2022) is None  # none above
    assert table.value("park_output_value", "park:lhasa_etdz", 2022) == pytest.approx(120 * M)
    assert table.value("park_output_value", "region", 2023) is None
    assert table.value("parks_over_100m", "region", 2022) == 1
    assert table.value("parks_over_100m", "region", 2023) == 0
    assert table.value("enterprises_over_100m", "region", 2022) == 1
    # Volumes count every enterprise: drinking water is not above size.
    assert table.value("drinking_water_volume", "region", 2023) == pytest.approx(5000)


def test_month_and_year_to_date(session: Session, small: Small) -> None:
    table = _table(session)
    months = table.months[("output_value", "region")]
    ytd = table.ytd[("output_value", "region")]
    # 2024: B (3M a month) and C (1M a month); the draft of April is not there.
    assert months[(2024, 1)] == pytest.approx(4 * M)
    assert ytd[(2024, 3)] == pytest.approx(12 * M)
    assert (2024, 4) not in ytd
    assert ytd[(2023, 3)] == pytest.approx(18 * M)  # B 9M + C 9M
    assert table.value("output_value", "region", 2024) == pytest.approx(12 * M)


def test_counts_take_statuses_valid_on_the_period_end(session: Session, small: Small) -> None:
    table = _table(session)
    assert table.value("high_tech_enterprises", "region", 2022) == 1  # A
    assert table.value("high_tech_enterprises", "region", 2023) == 1  # C (A's ended in Sept)
    assert table.value("specialized_smes", "region", 2023) == 0  # level "" is not regional
    assert table.value("green_factories", "region", 2022) == 0  # level "" again
    # Status counts count every registered enterprise, above size or not, in every scope.
    assert table.value("high_tech_enterprises", "industry:brewing", 2023) == 1


def test_value_added_growth_at_comparable_prices(session: Session, small: Small) -> None:
    table = _table(session)
    # 2022 (base): A 36M + B 3.6M; 2023 at 2022 prices: B 12M/1.05 + C 12.24M/1.02.
    base = 36 * M + 3.6 * M
    real = 12 * M / 1.05 + 12.24 * M / 1.02
    assert table.value("value_added_growth", "region", 2023) == pytest.approx(
        (real / base - 1) * 100
    )
    # Nominal output growth uses no deflator.
    assert table.value("output_value_growth", "region", 2023) == pytest.approx((72 / 132 - 1) * 100)
    # A year in progress compares the same months: Jan-Mar 2024 (B, C above size) against
    # Jan-Mar 2022 (A, B), two years apart.
    real_ytd = 3 * M / 1.05 + 0.9 * M / 1.02
    base_ytd = 9 * M + 0.9 * M
    assert table.value("value_added_growth", "region", 2024) == pytest.approx(
        ((real_ytd / base_ytd) ** 0.5 - 1) * 100
    )


def test_barley_conversion_rate(session: Session, small: Small) -> None:
    table = _table(session)
    # Barley processed by agri-food enterprises, all sizes, over regional production.
    assert table.value("barley_conversion_rate", "region", 2022) == pytest.approx(12.0)
    assert table.value("barley_conversion_rate", "region", 2023) == pytest.approx(6.0)
    assert table.value("barley_conversion_rate", "region", 2024) is None  # no production yet
    assert table.value("barley_conversion_rate", "prefecture:540100", 2022) is None


def test_enterprise_scope_shows_its_own_figures(session: Session, small: Small) -> None:
    ctx = service.context(session, actor=SYSTEM, enterprises=[small.a.id], monthly_years=())
    scope = f"enterprise:{small.a.uscc}"
    assert ctx.table.value("output_value", scope, 2023) == pytest.approx(24 * M)  # below size
    assert ctx.table.value("enterprises_above_size", scope, 2023) == 0
    assert ctx.table.value("enterprises_above_size", scope, 2022) == 1


def test_records_have_the_stable_keys(session: Session, small: Small) -> None:
    found = service.records(session, actor=SYSTEM, year=2023, scope="region")
    assert found
    assert all(
        set(r.model_dump())
        == {
            "indicator",
            "scope",
            "period",
            "value",
            "unit",
            "target",
            "target_year",
            "status",
            "projection",
            "probability",
        }
        for r in found
    )
    by = {r.indicator: r for r in found}
    assert by["output_value"].value == pytest.approx(72 * M)
    assert (by["output_value"].target, by["output_value"].target_year) == (7.5e9, 2025)
    assert by["output_value"].unit == "CNY" and by["output_value"].period == "2023"


def test_a_program_setting_must_name_a_program_and_fit_the_kind() -> None:
    import yaml

    from plateau.monitoring.analytics.indicators import parse_catalog

    raw = yaml.safe_load(
        (Path(__file__).parents[3] / "src/plateau/monitoring/analytics/indicators.yaml").read_text(
            "utf-8"
        )
    )
    sme = next(i for i in raw["indicators"] if i["id"] == "specialized_smes")
    assert sme["programs"]["lhasa_garment"]["levels"] == ["prefecture", "regional", "national"]
    parsed = parse_catalog(yaml.safe_dump(raw, allow_unicode=True)).get("specialized_smes")
    assert parsed is not None
    assert parsed.levels_for("program:lhasa_garment") == ("prefecture", "regional", "national")
    assert parsed.levels_for("region") == ("regional", "national")
    sme["programs"] = {"nowhere": {"levels": ["national"]}}
    with pytest.raises(ValueError, match="unknown programs"):
        parse_catalog(yaml.safe_dump(raw, allow_unicode=True))
    output = next(i for i in raw["indicators"] if i["id"] == "output_value")
    sme["programs"] = {}
    output["programs"] = {"lhasa_garment": {"levels": ["national"]}}
    with pytest.raises(ValueError, match="need a status_count"):
        parse_catalog(yaml.safe_dump(raw, allow_unicode=True))
