"""The synthetic demo world: a deterministic function from (reference data, seed, today) to rows.

``generate_world`` never touches the database. Each part of the world draws from its own
random stream (``Random(f"{seed}:<part>")``), so the same seed always gives the same rows,
and changing, say, the sales model leaves the enterprises as they were.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from plateau.demo import garment, incentives
from plateau.demo.catalog import catalog_rows, certification_rows, project_rows
from plateau.demo.firms import ABOVE, BELOW, EARLY_EXIT, ENTRANT, Firm, place_firms, plan_firms
from plateau.demo.history import (
    Series,
    above_size_years,
    barley_volumes,
    build_series,
    first_month,
    last_complete_month,
    month_add,
    scale_volumes,
    water_volumes,
)
from plateau.demo.names import STREETS, NamePool, enterprise_name
from plateau.demo.names import org_code as _org_code
from plateau.demo.profiles import BASE_YEAR, FIRST_MONTH, PROFILES, YI
from plateau.demo.reference import Reference
from plateau.demo.sales import sales_rows
from plateau.demo.statuses import choose_holders, status_rows
from plateau.registry.identifiers import make_uscc

GENERATOR_VERSION = "1.0"
WATER_VOLUME_2022_T = 500_000.0  # 一(二): 天然饮用水产量达50万吨
BARLEY_CONVERSION_2020 = 0.178  # 一(二): 青稞商品转化率仅有17.8%
BARLEY_PRODUCTION_2020_T = 795_000.0  # assumption: about 800 thousand tonnes a year
# Beijing time of day when returns are filed, as UTC hours.
_OFFICE_HOURS_UTC = (1, 10)


@dataclass
class World:
    """Every row of the demo world, keyed locally (``enterprise_key``, ``product_key`` …)."""

    seed: int
    today: date
    first_month: date
    last_month: date
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    brands: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    certifications: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    returns: list[dict[str, Any]] = field(default_factory=list)
    # Annual returns (年报) with their figures: completed fixed-asset investment.
    annual_returns: list[dict[str, Any]] = field(default_factory=list)
    region_inputs: list[dict[str, Any]] = field(default_factory=list)
    sales: list[dict[str, Any]] = field(default_factory=list)
    # Enterprises later demos build on: water bottler, medicine maker, barley food, yak meat.
    showcase: dict[str, int] = field(default_factory=dict)
    # Enterprises that closed: key -> last month with a return.
    closed: dict[int, date] = field(default_factory=dict)


def _stream(seed: int, part: str) -> random.Random:
    return random.Random(f"{seed}:{part}")


def _founded(rng: random.Random, firm: Firm) -> date:
    if firm.size in (EARLY_EXIT, ENTRANT):
        return firm.founded
    if firm.size == ABOVE:
        lo, hi = (1994, 2010) if firm.output_2022 >= YI else (2000, 2019)
    else:
        lo, hi = (2004, 2021) if firm.cross_year is None else (2008, 2019)
    year = rng.randint(lo, hi)
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _identify(
    rng: random.Random, firms: list[Firm], ref: Reference, pool: NamePool
) -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
    rows: list[dict[str, Any]] = []
    trade: dict[int, tuple[str, str]] = {}
    usccs: set[str] = set()
    parks = {p.id: p for p in ref.parks}
    for firm in firms:
        firm.founded = _founded(rng, firm)
        word = pool.take()
        trade[firm.key] = word
        large = firm.size == ABOVE and firm.output_2022 >= YI
        assert firm.prefecture is not None
        name, name_en = enterprise_name(
            rng,
            trade=word,
            prefecture_code=firm.prefecture,
            business=firm.sub.business,
            large=large,
        )
        division = firm.county or firm.prefecture
        while True:
            uscc = make_uscc("91" + division + _org_code(rng, firm.founded))
            if uscc not in usccs:
                usccs.add(uscc)
                break
        classes = [c for c in firm.sub.classes if c in ref.classes.get(firm.industry, [])]
        gbt = classes[0] if len(classes) == 1 else (rng.choice(classes) if classes else None)
        if gbt is None and ref.classes.get(firm.industry):
            gbt = ref.classes[firm.industry][0]
        county = ref.county(firm.county) if firm.county else None
        if firm.park and firm.park in parks:
            address = f"{parks[firm.park].name_zh}{rng.choice(STREETS)}{rng.randint(1, 88)}号"
        else:
            address = (
                f"{county.name_zh if county else ''}{rng.choice(STREETS)}{rng.randint(1, 200)}号"
            )
        rows.append(
            {
                "key": firm.key,
                "uscc": uscc,
                "name": name,
                "name_en": name_en,
                "prefecture_code": firm.prefecture,
                "county_code": firm.county,
                "park_id": firm.park,
                "gbt4754": gbt,
                "industry_id": firm.industry,
                "founded_date": firm.founded,
                "closed_date": (
                    month_add(firm.exit_month, 1) - timedelta(days=1) if firm.exit_month else None
                ),
                "address": address,
                "source": "demo",
            }
        )
    return rows, trade


def _money(x: float) -> Decimal:
    return Decimal(f"{x:.2f}")


def _qty(x: float) -> Decimal:
    return Decimal(f"{x:.3f}")


def _utc(d: date, day: int, rng: random.Random) -> datetime:
    return datetime(
        d.year, d.month, day, rng.randint(*_OFFICE_HOURS_UTC), rng.randint(0, 59), tzinfo=UTC
    )


def _return_rows(
    rng: random.Random, all_series: list[Series], today: date, last: date, *, min_late: int = 3
) -> list[dict[str, Any]]:
    """Monthly returns with their workflow state as of ``today``."""
    rows: list[dict[str, Any]] = []
    now = datetime(today.year, today.month, today.day, tzinfo=UTC)
    filing_latest = [s for s in all_series if s.months and s.months[-1] == last]
    n_late = max(min_late, round(len(filing_latest) * 0.07))
    late = {s.firm.key for s in rng.sample(filing_latest, min(n_late, len(filing_latest)))}
    # Two of them have not filed the month before either: overdue whatever today's date, so
    # the late-filers page and its 催报 reminder always have someone to show.
    long_late = set(sorted(late)[:2])
    for s in all_series:
        firm = s.firm
        outputs = [_money(o) for o in s.output]
        if firm.size == ABOVE:
            # The 2022 months add up to the calibrated output to the fen.
            idx = [i for i, d in enumerate(s.months) if d.year == BASE_YEAR]
            if idx:
                diff = _money(firm.output_2022) - sum(outputs[i] for i in idx)
                j = max(idx, key=lambda i: outputs[i])
                outputs[j] += diff
        for i, d in enumerate(s.months):
            if d == last and firm.key in late:
                continue
            if d == month_add(last, -1) and firm.key in long_late:
                continue
            status = "approved"
            if d.year < last.year:
                status = "locked"
            elif d == last:
                status = rng.choices(("submitted", "draft", "returned"), weights=(88, 6, 6))[0]
            elif d == month_add(last, -1):
                status = rng.choices(("approved", "submitted", "returned"), weights=(88, 9, 3))[0]
            filed = month_add(d, 1)
            submitted = approved = None
            if status != "draft":
                submitted = _utc(filed, rng.randint(2, 16), rng)
                if submitted >= now:
                    submitted = now - timedelta(hours=rng.randint(2, 20))
            if status in ("approved", "locked"):
                assert submitted is not None
                approved = submitted + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
                if approved >= now:
                    status, approved = "submitted", None
            volume = s.volume[i]
            rows.append(
                {
                    "enterprise_key": firm.key,
                    "period": d,
                    "status": status,
                    "output_value_cny": outputs[i],
                    "revenue_cny": _money(s.revenue[i]),
                    "value_added_cny": _money(s.value_added[i]),
                    "exports_cny": _money(s.exports[i]),
                    "rd_spending_cny": _money(s.rd[i]),
                    "employees": s.employees[i],
                    "energy_tce": _qty(s.energy[i]),
                    "water_m3": _qty(s.water[i]),
                    "product_volume_t": _qty(volume) if volume is not None else None,
                    "submitted_at": submitted,
                    "approved_at": approved,
                }
            )
    return rows


def _region_inputs(rng: random.Random, world: World, ref: Reference) -> list[dict[str, Any]]:
    """Barley production (2020 is what the 17.8% conversion is calibrated on), price indices."""
    rows: list[dict[str, Any]] = []
    last_year = world.last_month.year if world.last_month.month == 12 else world.last_month.year - 1
    production = BARLEY_PRODUCTION_2020_T
    note_zh = "演示数据（虚构）"
    by_year = {2020: production}
    for y in range(2021, last_year + 1):
        by_year[y] = by_year[y - 1] * (1.011 + rng.uniform(-0.008, 0.008))
    for y in range(2019, world.first_month.year - 1, -1):
        by_year[y] = by_year[y + 1] / (1.011 + rng.uniform(-0.008, 0.008))
    for y in range(world.first_month.year, last_year + 1):
        rows.append(
            {
                "indicator": "highland_barley_production",
                "scope": "region",
                "year": y,
                "value": Decimal(f"{round(by_year[y])}.0000"),
                "unit": "t",
                "note": f"青稞总产量。{note_zh}",
            }
        )
    industries = ref.industries or [p.id for p in PROFILES]
    trends = {p.id: p.price_trend for p in PROFILES}
    for industry in industries:
        for y in range(world.first_month.year, world.last_month.year + 1):
            base = trends.get(industry, 0.015)
            shock = {2020: -0.006, 2021: 0.004, 2022: 0.006}.get(y, 0.0)
            value = 1 + base + shock + rng.uniform(-0.004, 0.004)
            rows.append(
                {
                    "indicator": "price_index",
                    "scope": f"industry:{industry}",
                    "year": y,
                    "value": Decimal(f"{value:.4f}"),
                    "unit": "ratio",
                    "note": f"工业生产者出厂价格指数（上年=1）。{note_zh}",
                }
            )
    carriers = {2022: 0, 2023: 0, 2024: 1, 2025: 1, 2026: 2}
    for y in range(max(2022, world.first_month.year), last_year + 1):
        rows.append(
            {
                "indicator": "national_innovation_carriers",
                "scope": "region",
                "year": y,
                "value": Decimal(carriers.get(y, 2)),
                "unit": "count",
                "note": f"国家级创新载体（累计）。{note_zh}",
            }
        )
    return rows


def _add_garment(world: World, ref: Reference, *, seed: int, start: date, with_sales: bool) -> None:
    """Add the Lhasa garment program's enterprises and figures (see ``garment``)."""
    last = world.last_month
    part = garment.plan_garment(
        ref, first_key=max((e["key"] for e in world.enterprises), default=0) + 1, last_month=last
    )
    if not part.pairs:
        return
    usccs = {e["uscc"] for e in world.enterprises}
    world.enterprises.extend(
        garment.identity_rows(_stream(seed, "garment-identity"), part, ref, usccs)
    )
    hist = _stream(seed, "garment-history")
    years = list(range(start.year, last.year + 1))
    series = [
        build_series(
            hist,
            firm,
            start=start,
            last_month=last,
            rev_ratio=hist.uniform(0.95, 1.01),
            revenue_path=garment.revenue_path(hist, spec, years),
        )
        for spec, firm in part.pairs
    ]
    world.returns.extend(
        _return_rows(_stream(seed, "garment-returns"), series, world.today, last, min_late=1)
    )
    above_years = {s.firm.key: above_size_years(s, last) for s in series}
    world.statuses.extend(garment.status_rows(part, above_years=above_years, today=world.today))
    brands, products, plans = garment.catalog_rows(
        _stream(seed, "garment-catalog"),
        part,
        brands=world.brands,
        products=world.products,
        last_month=last,
        start=start,
    )
    world.brands.extend(brands)
    world.products.extend(products)
    if with_sales:
        world.sales.extend(
            sales_rows(
                _stream(seed, "garment-sales"),
                plans,
                {s.firm.key: s for s in series},
                ref.leaf_markets(),
            )
        )
    last_year = last.year if last.month == 12 else last.year - 1
    world.region_inputs.extend(
        garment.region_input_rows(
            _stream(seed, "garment-region"),
            statuses=world.statuses,
            first_year=world.first_month.year,
            last_year=last_year,
        )
    )
    statuses, annual = incentives.garment_rows(
        _stream(seed, "garment-incentives"), part.pairs, last_year=last_year, today=world.today
    )
    world.statuses.extend(statuses)
    world.annual_returns.extend(annual)


def generate_world(
    ref: Reference,
    *,
    seed: int = 2023,
    today: date | None = None,
    start: date = FIRST_MONTH,
    with_sales: bool = True,
) -> World:
    """Generate the demo world from the reference data (deterministic for a seed and today)."""
    today = today or date.today()
    last = last_complete_month(today)
    if last < date(BASE_YEAR + 1, 1, 1):
        raise ValueError("the demo world needs today to be in February 2023 or later")
    start = date(start.year, start.month, 1)
    world = World(seed=seed, today=today, first_month=start, last_month=last)

    firms = plan_firms(_stream(seed, "firms"), last_month=last)
    choose_holders(_stream(seed, "holders"), firms)
    place_firms(_stream(seed, "places"), firms, ref)
    pool = NamePool(_stream(seed, "names"))
    world.enterprises, trade = _identify(_stream(seed, "identity"), firms, ref, pool)

    hist_rng = _stream(seed, "history")
    all_series: list[Series] = []
    for firm in firms:
        s = build_series(
            hist_rng, firm, start=start, last_month=last, rev_ratio=hist_rng.uniform(0.94, 1.03)
        )
        all_series.append(s)
        if firm.industry == "drinking_water":
            price = (
                hist_rng.uniform(1100, 1600) if firm.size == ABOVE else hist_rng.uniform(650, 1050)
            )
            water_volumes(s, price, 0.01)
        elif firm.sub.barley:
            barley_volumes(s, hist_rng.uniform(0.5, 1.2), -0.015)
    water = [s for s in all_series if s.firm.industry == "drinking_water"]
    barley = [s for s in all_series if s.firm.sub.barley]
    vol_2022 = sum(
        v for s in water for d, v in zip(s.months, s.volume, strict=True) if d.year == 2022 and v
    )
    if vol_2022:
        scale_volumes(water, WATER_VOLUME_2022_T / vol_2022)
    barley_2020 = sum(
        v for s in barley for d, v in zip(s.months, s.volume, strict=True) if d.year == 2020 and v
    )
    if barley_2020:
        scale_volumes(barley, BARLEY_CONVERSION_2020 * BARLEY_PRODUCTION_2020_T / barley_2020)

    world.returns = _return_rows(_stream(seed, "returns"), all_series, today, last)
    for firm in firms:
        if firm.exit_month is not None:
            world.closed[firm.key] = firm.exit_month

    above_years = {s.firm.key: above_size_years(s, last) for s in all_series}
    active = {
        s.firm.key: (s.months[0], month_add(s.months[-1], 1) - timedelta(days=1))
        for s in all_series
        if s.months
    }
    world.statuses = status_rows(
        _stream(seed, "statuses"), firms, above_years=above_years, active=active, today=today
    )

    first_months = {f.key: first_month(f, start) for f in firms}
    cat_rng = _stream(seed, "catalog")
    world.brands, world.products, plans = catalog_rows(
        cat_rng, firms, trade=trade, pool=pool, ref=ref, first_months=first_months, last_month=last
    )
    world.certifications = certification_rows(
        cat_rng, firms, world.products, first_months=first_months, today=today
    )
    world.projects = project_rows(_stream(seed, "projects"), firms, ref=ref, pool=pool, today=today)
    if with_sales:
        world.sales = sales_rows(
            _stream(seed, "sales"), plans, {s.firm.key: s for s in all_series}, ref.leaf_markets()
        )
    world.region_inputs = _region_inputs(_stream(seed, "region"), world, ref)
    statuses, annual = incentives.regional_rows(
        _stream(seed, "incentives"),
        firms,
        last_year=last.year if last.month == 12 else last.year - 1,
        today=today,
    )
    world.statuses.extend(statuses)
    world.annual_returns.extend(annual)
    _add_garment(world, ref, seed=seed, start=start, with_sales=with_sales)

    for firm in firms:
        for tag in firm.tags:
            if tag.startswith("showcase_"):
                world.showcase[tag.removeprefix("showcase_")] = firm.key
    return world


__all__ = ["BELOW", "GENERATOR_VERSION", "World", "generate_world"]
