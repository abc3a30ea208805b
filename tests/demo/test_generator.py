"""The demo world as generated (no database): determinism, calibration, consistency, shape."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from plateau.demo.calibration import world_calibration
from plateau.demo.generator import World, generate_world
from plateau.demo.history import month_add, months_between
from plateau.demo.profiles import YI
from plateau.demo.reference import Reference
from plateau.forecast.models import SALES_CHANNELS
from plateau.monitoring.models import RETURN_STATUSES
from plateau.plan.data import load_plan
from plateau.registry.identifiers import validate_gtin, validate_uscc
from plateau.registry.schemas import CERTIFICATION_KINDS, PROJECT_STAGES, STATUS_KINDS
from tests.demo.conftest import LAST_MONTH, TODAY

CORE = ("540100", "540200", "540500", "540400", "540300")


def _annual(world: World) -> dict[tuple[int, int], dict[str, Decimal]]:
    out: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in world.returns:
        a = out[(r["enterprise_key"], r["period"].year)]
        a["output"] += r["output_value_cny"]
        a["revenue"] += r["revenue_cny"]
        a["value_added"] += r["value_added_cny"]
    return out


def _above(world: World, year: int) -> dict[int, Decimal]:
    return {
        k: a["output"]
        for (k, y), a in _annual(world).items()
        if y == year and a["revenue"] >= 20_000_000
    }


def test_the_same_seed_gives_the_same_rows(world: World, reference: Reference) -> None:
    again = generate_world(reference, seed=2023, today=TODAY)
    for part in (
        "enterprises",
        "statuses",
        "brands",
        "products",
        "certifications",
        "projects",
        "returns",
        "region_inputs",
        "sales",
    ):
        assert getattr(again, part) == getattr(world, part), part
    assert again.showcase == world.showcase


def test_another_seed_gives_another_world_with_the_same_calibration(
    world: World, reference: Reference
) -> None:
    other = generate_world(reference, seed=7, today=TODAY, with_sales=False)
    assert {e["uscc"] for e in other.enterprises}.isdisjoint({e["uscc"] for e in world.enterprises})
    assert [r["output_value_cny"] for r in other.returns[:50]] != [
        r["output_value_cny"] for r in world.returns[:50]
    ]
    mine, theirs = world_calibration(world), world_calibration(other)
    for key in (
        "above_size",
        "over_100m",
        "high_tech",
        "specialized_sme",
        "green_factory",
        "water_companies",
        "water_companies_core",
    ):
        assert mine[key] == theirs[key], key
    assert mine["output_value_cny"] == pytest.approx(theirs["output_value_cny"], abs=1)


def test_2022_matches_the_plan(world: World) -> None:
    c = world_calibration(world)
    assert c["above_size"] == 63
    assert c["over_100m"] == 14
    assert c["high_tech"] == 15
    assert c["specialized_sme"] == 21
    assert c["green_factory"] == 17
    assert 50 * YI <= c["output_value_cny"] <= 50 * YI * 1.03  # "超50亿元"
    assert c["agri_food_output_cny"] == pytest.approx(18 * YI, rel=0.01)
    assert c["tibetan_medicine_above_size"] == 15 and c["tibetan_medicine_above_size_gmp"] == 15
    assert c["water_companies_core"] == 38
    assert c["water_core_share_pct"] == pytest.approx(68, abs=1)
    assert c["water_volume_t"] == pytest.approx(500_000, rel=0.05)
    assert c["park_output_cny"] == pytest.approx(31 * YI, rel=0.05)
    assert c["parks_over_100m"] == 3
    assert c["barley_conversion_2020_pct"] == pytest.approx(17.8, abs=0.05)
    # No above-size bio-fermentation enterprise in 2022 (the plan wants the first by 2025).
    ind = {e["key"]: e["industry_id"] for e in world.enterprises}
    assert not [k for k in _above(world, 2022) if ind[k] == "bio_fermentation"]
    assert [k for k in _above(world, 2025) if ind[k] == "bio_fermentation"]


def test_every_identifier_passes_the_registry_validation(world: World) -> None:
    usccs = [e["uscc"] for e in world.enterprises]
    assert len(set(usccs)) == len(usccs)
    for e in world.enterprises:
        assert validate_uscc(e["uscc"]) == e["uscc"]
        assert e["uscc"][:2] == "91"  # registered by market regulation, an enterprise
        assert e["uscc"][2:8] == (e["county_code"] or e["prefecture_code"])
    gtins = [p["gtin"] for p in world.products]
    assert len(set(gtins)) == len(gtins)
    for p in world.products:
        assert validate_gtin(p["gtin"]) == p["gtin"]
        assert p["gtin"].startswith("069")  # GTIN-13 under a GS1 China prefix, stored as GTIN-14


def test_references_are_consistent(world: World, reference: Reference) -> None:
    counties = {c.code: c.prefecture_code for c in reference.counties}
    parks = {p.id: p for p in reference.parks}
    bases = {b.id for b in reference.bases}
    ents = {e["key"]: e for e in world.enterprises}
    names = [e["name"] for e in world.enterprises]
    assert len(set(names)) == len(names)
    for e in world.enterprises:
        assert e["source"] == "demo"
        assert e["prefecture_code"] in reference.prefectures
        assert counties[e["county_code"]] == e["prefecture_code"]
        if e["park_id"]:
            assert parks[e["park_id"]].prefecture_code == e["prefecture_code"]
        assert e["gbt4754"] in reference.classes[e["industry_id"]]
        assert e["founded_date"] < TODAY
    brands = {b["key"]: b for b in world.brands}
    for p in world.products:
        assert brands[p["brand_key"]]["enterprise_key"] == p["enterprise_key"]
        assert p["industry_id"] == ents[p["enterprise_key"]]["industry_id"]
        assert p["origin_base_id"] is None or p["origin_base_id"] in bases
    products = {p["key"]: p for p in world.products}
    for c in world.certifications:
        assert c["kind"] in CERTIFICATION_KINDS
        assert c["valid_to"] is None or c["valid_to"] >= c["valid_from"]
        if c["product_key"] is not None:
            assert products[c["product_key"]]["enterprise_key"] == c["enterprise_key"]
    for s in world.statuses:
        assert s["kind"] in STATUS_KINDS
        assert s["valid_to"] is None or s["valid_to"] >= s["valid_from"]
    markets = {m.id for m in reference.leaf_markets()}
    assert {s["market_region_id"] for s in world.sales} <= markets


def test_products_and_brands_of_consumer_industries(world: World) -> None:
    per_firm: dict[int, int] = defaultdict(int)
    for p in world.products:
        per_firm[p["enterprise_key"]] += 1
    assert set(per_firm.values()) <= {2, 3, 4, 5, 6}
    industries = {e["key"]: e["industry_id"] for e in world.enterprises}
    assert not [k for k in per_firm if industries[k] == "packaging"]
    well_known = [b for b in world.brands if b["well_known"]]
    assert len(well_known) == 4  # two Tibetan-medicine brands, one water brand, one barley brand
    assert sorted(industries[b["enterprise_key"]] for b in well_known) == [
        "agri_food",
        "drinking_water",
        "tibetan_medicine",
        "tibetan_medicine",
    ]


def test_monthly_history_covers_2019_to_last_month_without_duplicates(world: World) -> None:
    keys = [(r["enterprise_key"], r["period"]) for r in world.returns]
    assert len(set(keys)) == len(keys)
    assert min(r["period"] for r in world.returns) == date(2019, 1, 1)
    assert max(r["period"] for r in world.returns) == LAST_MONTH
    periods: dict[int, set[date]] = defaultdict(set)
    for k, d in keys:
        periods[k].add(d)
    every = set(months_between(date(2019, 1, 1), LAST_MONTH))
    ents = {e["key"]: e for e in world.enterprises}
    complete = 0
    long_late = 0
    for k, have in periods.items():
        founded = ents[k]["founded_date"]
        first = max(date(2019, 1, 1), month_add(founded, 1))
        last = world.closed.get(k, LAST_MONTH)
        expected = {d for d in every if first <= d <= last}
        missing = expected - have
        # Only late filers miss a month; two of them (overdue whatever the day) miss two.
        assert missing <= {LAST_MONTH, month_add(LAST_MONTH, -1)}, (k, sorted(missing)[:3])
        long_late += month_add(LAST_MONTH, -1) in missing
        complete += not missing and first == date(2019, 1, 1)
    assert complete > 100
    assert long_late >= 2  # the main world's two, and the garment makers' own
    assert all(d.day == 1 for _k, d in keys)


def test_return_workflow_states_as_of_today(world: World) -> None:
    assert {r["status"] for r in world.returns} <= set(RETURN_STATUSES)
    latest = [r for r in world.returns if r["period"] == LAST_MONTH]
    filing = {
        r["enterprise_key"] for r in world.returns if r["period"] == month_add(LAST_MONTH, -1)
    }
    late = filing - {r["enterprise_key"] for r in latest} - set(world.closed)
    assert len(late) >= 3  # late filers for the early-warning page
    assert sum(r["status"] == "submitted" for r in latest) > 0.8 * len(latest)
    for r in world.returns:
        if r["period"] <= month_add(LAST_MONTH, -2):
            assert r["status"] in ("approved", "locked")
            assert r["submitted_at"] < r["approved_at"]
        if r["period"].year < LAST_MONTH.year:
            assert r["status"] == "locked"
        if r["status"] == "draft":
            assert r["submitted_at"] is None
        if r["submitted_at"] is not None:
            assert r["submitted_at"].date() < TODAY and r["submitted_at"].tzinfo is not None


def test_some_enterprises_slump_for_three_months_running(world: World) -> None:
    out = {(r["enterprise_key"], r["period"]): r["output_value_cny"] for r in world.returns}
    recent = [month_add(LAST_MONTH, -i) for i in range(3)]
    slumping = [
        k
        for k in {r["enterprise_key"] for r in world.returns}
        if all(
            (k, d) in out
            and (k, month_add(d, -12)) in out
            and out[(k, d)] < Decimal("0.85") * out[(k, month_add(d, -12))]
            for d in recent
        )
    ]
    assert len(slumping) >= 3


def test_enterprises_cross_the_threshold_over_the_years(world: World) -> None:
    counts = {y: len(_above(world, y)) for y in range(2019, 2026)}
    assert counts[2022] == 63
    assert counts[2019] < counts[2022] < counts[2025]
    assert 70 <= counts[2025] < 80  # the plan's 80 for 2025 is in reach but not met
    newcomers = set(_above(world, 2025)) - set(_above(world, 2022))
    leavers = set(_above(world, 2022)) - set(_above(world, 2025))
    assert len(newcomers) >= 10 and len(leavers) >= 1


def test_growth_after_2022_puts_some_industries_on_and_some_off_track(world: World) -> None:
    plan = load_plan("plan_533")
    targets = {
        f.scope.removeprefix("industry:"): f.value
        for f in plan.figures
        if f.indicator == "output_value" and f.kind == "target" and f.year == 2025
    }
    above = _above(world, 2025)
    total = sum(above.values())
    assert 0.9 * targets["region"] <= total <= 1.05 * targets["region"]
    industry = {e["key"]: e["industry_id"] for e in world.enterprises}
    by_ind: dict[str, Decimal] = defaultdict(Decimal)
    for k, v in above.items():
        by_ind[industry[k]] += v
    ahead = [i for i, t in targets.items() if i != "region" and by_ind[i] >= t]
    behind = [i for i, t in targets.items() if i != "region" and by_ind[i] < 0.9 * t]
    assert len(ahead) >= 3 and len(behind) >= 3
    assert "agri_food" in ahead and "tibetan_medicine" in behind


def test_monthly_figures_are_plausible(world: World) -> None:
    for (_k, _y), a in _annual(world).items():
        if a["output"] > 1_000_000:
            assert 0.2 <= a["value_added"] / a["output"] <= 0.45
    for r in world.returns:
        for field in (
            "output_value_cny",
            "revenue_cny",
            "value_added_cny",
            "exports_cny",
            "rd_spending_cny",
            "energy_tce",
            "water_m3",
        ):
            assert r[field] >= 0, field
        assert r["employees"] >= 3
    ind = {e["key"]: e["industry_id"] for e in world.enterprises}
    water = defaultdict(Decimal)
    for r in world.returns:
        if ind[r["enterprise_key"]] == "drinking_water" and r["period"].year == 2023:
            assert r["product_volume_t"] is not None
            water[r["period"].month] += r["product_volume_t"]
    assert water[7] > 2 * water[1]  # bottled water peaks in summer
    covid = defaultdict(Decimal)
    for r in world.returns:
        if r["period"].year in (2021, 2022) and r["period"].month in (8, 9):
            covid[(r["period"].year, r["period"].month)] += r["output_value_cny"]
    assert covid[(2022, 9)] < Decimal("0.7") * covid[(2021, 9)]  # Tibet's 2022 lockdown


def test_sales_follow_revenue_and_regional_preferences(world: World) -> None:
    keys = [
        (s["product_key"], s["market_region_id"], s["period"], s["channel"]) for s in world.sales
    ]
    assert len(set(keys)) == len(keys)
    assert {s["channel"] for s in world.sales} <= set(SALES_CHANNELS)
    firm_of = {p["key"]: p["enterprise_key"] for p in world.products}
    sold: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for s in world.sales:
        assert s["quantity"] >= 1 and s["revenue_cny"] > 0
        sold[(firm_of[s["product_key"]], s["period"])] += s["revenue_cny"]
    revenue = {(r["enterprise_key"], r["period"]): r["revenue_cny"] for r in world.returns}
    ratios = [sold[k] / revenue[k] for k in sold if k in revenue and revenue[k] > 100_000]
    assert len(ratios) > 5000
    assert all(Decimal("0.5") < x < Decimal("1.4") for x in ratios)
    industry = {e["key"]: e["industry_id"] for e in world.enterprises}
    by_market: dict[str, Decimal] = defaultdict(Decimal)
    for s in world.sales:
        if industry[firm_of[s["product_key"]]] == "drinking_water":
            by_market[s["market_region_id"]] += s["revenue_cny"]
    top = sorted(by_market, key=lambda m: -by_market[m])[:3]
    assert "in_540100" in top and ({"chengdu", "chongqing"} & set(top))
    tourism = [s for s in world.sales if s["channel"] == "tourism"]
    assert tourism and all(s["market_region_id"].startswith("in_") for s in tourism)


def test_region_inputs(world: World) -> None:
    barley = {
        r["year"]: r["value"]
        for r in world.region_inputs
        if r["indicator"] == "highland_barley_production"
    }
    assert set(barley) == set(range(2019, 2026))
    assert all(700_000 < v < 900_000 for v in barley.values())
    prices = [r for r in world.region_inputs if r["indicator"] == "price_index"]
    assert {r["scope"] for r in prices} == {
        f"industry:{p}"
        for p in (
            "agri_food",
            "brewing",
            "cookware",
            "drinking_water",
            "tibetan_medicine",
            "ethnic_handicraft",
            "oxygen_health",
            "packaging",
            "bio_fermentation",
            "beverage_tea",
            "leather_wool",
        )
    }
    assert all(Decimal("0.99") <= r["value"] <= Decimal("1.04") for r in prices)
    keys = [(r["indicator"], r["scope"], r["year"]) for r in world.region_inputs]
    assert len(set(keys)) == len(keys)


def test_statuses_grow_after_2022_but_not_all_to_target(world: World) -> None:
    def held(kind: str, day: date) -> int:
        return len(
            {
                s["enterprise_key"]
                for s in world.statuses
                if s["kind"] == kind
                and s["valid_from"] <= day
                and (s["valid_to"] is None or s["valid_to"] >= day)
            }
        )

    end_2025 = date(2025, 12, 31)
    assert 15 < held("high_tech", end_2025) < 20
    assert 21 < held("specialized_sme", end_2025) < 50
    assert 17 < held("green_factory", end_2025) < 32
    assert held("little_giant", end_2025) == 1
    above = [s for s in world.statuses if s["kind"] == "above_designated_size"]
    on_2022 = {
        s["enterprise_key"]
        for s in above
        if s["valid_from"] <= date(2022, 12, 31)
        and (s["valid_to"] is None or s["valid_to"] >= date(2022, 12, 31))
    }
    assert len(on_2022) == 63


def test_investment_projects(world: World) -> None:
    assert len(world.projects) == 40
    assert {p["stage"] for p in world.projects} == set(PROJECT_STAGES)
    for p in world.projects:
        assert 5_000_000 <= p["amount_cny"] <= 800_000_000
        dates = [d for d in (p["signed_date"], p["start_date"], p["production_date"]) if d]
        assert dates == sorted(dates) and all(d <= TODAY for d in dates)
        if p["stage"] == "in_production":
            assert p["production_date"] is not None
        if p["stage"] == "planning":
            assert not dates
