"""The enterprises of the demo world before they become rows: who they are and where.

``plan_firms`` decides, for every enterprise, its industry, line of business, size and 2022
level, which is what the 2022 calibration rests on; ``place_firms`` puts them in
prefectures, counties and parks so that park output matches the plan's baseline.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from plateau.demo.profiles import (
    ABOVE_SIZE_REVENUE,
    BASE_YEAR,
    PROFILE_BY_ID,
    PROFILES,
    WATER_CORE_PREFECTURES,
    YI,
    IndustryProfile,
    Subsector,
)
from plateau.demo.reference import Reference, RefPark

# Size classes of a firm: above-size in 2022, below-size in 2022, gone before 2022, new after.
ABOVE, BELOW, EARLY_EXIT, ENTRANT = "above", "below", "early_exit", "entrant"

# 2022 above-size output of parks (main table 二(三): 3.1 billion in parks, 3 parks over 100
# million). Parks are recognised by name so the demo survives changes of park ids.
PARK_TARGETS: tuple[tuple[str, float], ...] = (
    ("拉萨经济技术开发区", 18.3 * YI),
    ("达孜", 5.2 * YI),
    ("日喀则经济开发区", 3.9 * YI),
)
SMALL_PARK_TARGETS: tuple[float, ...] = (
    0.85 * YI,
    0.75 * YI,
    0.6 * YI,
    0.5 * YI,
    0.4 * YI,
    0.35 * YI,
    0.3 * YI,
)

# Water companies by prefecture (一(一): 38 in the five core prefectures = 68% of all).
WATER_ABOVE_PLACES: tuple[str, ...] = ("540100",) * 4 + (
    "540200",
    "540500",
    "540400",
    "540300",
    "540600",
)
WATER_BELOW_PLACES: tuple[str, ...] = (
    ("540100",) * 10
    + ("540200",) * 6
    + ("540500",) * 5
    + ("540400",) * 5
    + ("540300",) * 4
    + ("540600",) * 10
    + ("542500",) * 7
)


@dataclass
class Firm:
    """One enterprise while the world is being built."""

    key: int
    industry: str
    sub: Subsector
    size: str
    output_2022: float = 0.0  # above-size firms: their 2022 output; others: 0
    revenue_2022: float = 0.0  # below-size firms: their 2022 revenue
    level: float = 0.0  # early exits and entrants: yearly revenue run-rate when they start
    prefecture: str | None = None
    county: str | None = None
    park: str | None = None
    founded: date = date(2010, 1, 1)
    exit_month: date | None = None  # last month with a return
    cross_year: int | None = None  # first year above size (crossing the threshold)
    drop_year: int | None = None  # first year back below size
    decline_depth: float = 0.0  # a recent slump in the last months (early warnings)
    decline_months: int = 0
    forced_sub: bool = False
    tags: set[str] = field(default_factory=set)

    @property
    def profile(self) -> IndustryProfile:
        return PROFILE_BY_ID[self.industry]


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def split_outputs(rng: random.Random, total: float, n: int, n_big: int) -> list[float]:
    """Split an industry's 2022 output over ``n`` firms, exactly ``n_big`` of them over 1亿."""
    if n == 0:
        return []
    lo, hi = 0.23 * YI, 0.92 * YI
    smalls = [_log_uniform(rng, lo, hi) for _ in range(n - n_big)]
    if n_big == 0:
        # Scale into [lo, hi] exactly summing to total (clip, then spread the remainder).
        vals = [v * total / sum(smalls) for v in smalls]
        for _ in range(50):
            vals = [min(max(v, lo), hi) for v in vals]
            diff = total - sum(vals)
            if abs(diff) < 1:
                break
            free = [
                i
                for i, v in enumerate(vals)
                if (lo < v < hi) or (diff > 0 and v <= lo) or (diff < 0 and v >= hi)
            ]
            if not free:
                break
            for i in free:
                vals[i] += diff / len(free)
        return sorted(vals, reverse=True)
    floor = 1.06 * YI
    want_big = n_big * rng.uniform(1.3, 1.6) * YI
    if total - sum(smalls) < want_big:
        room = total - want_big
        factor = room / sum(smalls) if smalls else 0.0
        smalls = [max(lo, v * factor) for v in smalls]
    big_total = total - sum(smalls)
    weights = [math.exp(rng.uniform(0.0, 1.4)) for _ in range(n_big)]
    bigs = [floor + (big_total - n_big * floor) * w / sum(weights) for w in weights]
    return sorted(bigs, reverse=True) + sorted(smalls, reverse=True)


def _pick_sub(rng: random.Random, profile: IndustryProfile) -> Subsector:
    subs = profile.subsectors
    return rng.choices(subs, weights=[s.weight for s in subs])[0]


def plan_firms(rng: random.Random, *, last_month: date) -> list[Firm]:
    """Decide every enterprise's industry, business, size class and 2022 level."""
    firms: list[Firm] = []

    def add(industry: str, size: str, **fields: Any) -> Firm:
        sub = _pick_sub(rng, PROFILE_BY_ID[industry])
        firm = Firm(key=len(firms) + 1, industry=industry, sub=sub, size=size)
        for name, value in fields.items():
            setattr(firm, name, value)
        firms.append(firm)
        return firm

    for profile in PROFILES:
        outputs = split_outputs(rng, profile.output_2022, profile.above_2022, profile.big_2022)
        for out in outputs:
            add(profile.id, ABOVE, output_2022=out)
        for _ in range(profile.below_2022):
            cap = 15.0e6 if profile.id != "drinking_water" else 9.0e6
            add(profile.id, BELOW, revenue_2022=_log_uniform(rng, 1.2e6, cap))

    by_ind: dict[str, list[Firm]] = {}
    for f in firms:
        by_ind.setdefault(f.industry, []).append(f)

    # Water companies sit exactly where the plan counts them.
    water_above = [f for f in by_ind["drinking_water"] if f.size == ABOVE]
    water_below = [f for f in by_ind["drinking_water"] if f.size == BELOW]
    for f, pref in zip(water_above, WATER_ABOVE_PLACES, strict=True):
        f.prefecture = pref
    places = list(WATER_BELOW_PLACES)
    rng.shuffle(places)
    for f, pref in zip(water_below, places, strict=True):
        f.prefecture = pref

    # Showcases later work builds on (traceability demo): a Nagqu yak-meat processor and a
    # highland-barley food maker among the above-size agri-food firms.
    agri_above = [f for f in by_ind["agri_food"] if f.size == ABOVE]
    subs = {s.id: s for s in PROFILE_BY_ID["agri_food"].subsectors}
    agri_above[0].sub, agri_above[0].forced_sub = subs["barley"], True
    agri_above[0].tags.add("showcase_barley")
    agri_above[1].sub, agri_above[1].forced_sub = subs["dairy"], True
    yak = agri_above[7]
    yak.sub, yak.forced_sub, yak.prefecture = subs["meat"], True, "540600"
    yak.tags.add("showcase_yak")
    water_above[0].tags.add("showcase_water")
    by_ind["tibetan_medicine"][0].tags.add("showcase_medicine")
    # The biggest brewer makes barley beer (the plan's flagship, 青稞啤酒).
    beer = next(s for s in PROFILE_BY_ID["brewing"].subsectors if s.id == "beer")
    by_ind["brewing"][0].sub, by_ind["brewing"][0].forced_sub = beer, True

    # Below-size firms that cross the threshold after 2022 (新增入规), one bio-fermentation
    # firm among them as the plan wants 1-2 above-size ones by 2025.
    crossing_plan = [
        ("bio_fermentation", 2024),
        ("bio_fermentation", 2025),
        ("drinking_water", 2023),
        ("drinking_water", 2024),
        ("drinking_water", 2025),
        ("agri_food", 2023),
        ("agri_food", 2024),
        ("agri_food", 2025),
        ("ethnic_handicraft", 2023),
        ("beverage_tea", 2024),
        ("tibetan_medicine", 2023),
        ("oxygen_health", 2025),
        ("leather_wool", 2026),
    ]
    for industry, year in crossing_plan:
        candidates = [
            f
            for f in by_ind[industry]
            if f.size == BELOW
            and f.cross_year is None
            and f.prefecture in (None, *WATER_CORE_PREFECTURES)
        ]
        firm = candidates[0]
        firm.cross_year = year
        firm.revenue_2022 = rng.uniform(12.5e6, 17.5e6)

    # Above-size firms of 2022 that crossed the threshold in 2020-2022: the smallest ones,
    # each given a year that needs no more than about 30% growth a year to get there.
    small_above = sorted(
        (f for f in firms if f.size == ABOVE and not f.tags), key=lambda f: f.output_2022
    )
    for f in small_above[:8]:
        for year in (2022, 2021, 2020):
            if (f.output_2022 / 19.0e6) ** (1 / (BASE_YEAR - year + 1)) <= 1.3:
                f.cross_year = year
                break

    # Above-size firms that fall back below the threshold.
    for industry, year in (
        ("agri_food", 2024),
        ("ethnic_handicraft", 2025),
        ("drinking_water", 2025),
    ):
        firm = min(
            (
                f
                for f in by_ind[industry]
                if f.size == ABOVE and not f.tags and f.cross_year is None
            ),
            key=lambda f: f.output_2022,
        )
        firm.drop_year = year

    # A recent slump: output down year on year for the last months (early-warning page).
    slumping = [
        by_ind["tibetan_medicine"][6],
        by_ind["agri_food"][10],
        by_ind["brewing"][2],
        by_ind["drinking_water"][12],
        by_ind["ethnic_handicraft"][4],
        by_ind["cookware"][1],
    ]
    for f in slumping:
        f.decline_depth = rng.uniform(0.28, 0.42)
        f.decline_months = rng.randint(4, 7)

    # Enterprises that closed before 2022 and after it (never drinking water before 2023,
    # whose 2022 company count the plan states).
    for industry, year, month in (
        ("agri_food", 2020, 5),
        ("ethnic_handicraft", 2020, 9),
        ("packaging", 2021, 6),
        ("beverage_tea", 2021, 11),
    ):
        add(
            industry,
            EARLY_EXIT,
            level=_log_uniform(rng, 2.0e6, 9.0e6),
            exit_month=date(year, month, 1),
            founded=date(rng.randint(2006, 2016), rng.randint(1, 12), 1),
        )
    for f, year, month in (
        (by_ind["ethnic_handicraft"][-1], 2023, 8),
        (by_ind["drinking_water"][-1], 2025, 3),
        (by_ind["agri_food"][-1], 2024, 10),
    ):
        if f.cross_year is None and f.size == BELOW:
            f.exit_month = date(year, month, 1)

    # Newcomers: a national drinking-water leader's Lhasa plant (plan 三(一)4: 引进1-2家全国
    # 饮用水行业龙头企业), an agri-food investor, and small starts.
    entrants: list[tuple[str, date, float, str]] = [
        ("drinking_water", date(2023, 9, 1), 62.0e6, "540100"),
        ("agri_food", date(2023, 4, 1), 26.0e6, "540200"),
        ("bio_fermentation", date(2023, 6, 1), 4.0e6, "540500"),
        ("ethnic_handicraft", date(2024, 3, 1), 3.0e6, "540100"),
        ("beverage_tea", date(2024, 5, 1), 5.0e6, "540400"),
        ("oxygen_health", date(2024, 11, 1), 6.0e6, "540100"),
        ("leather_wool", date(2025, 4, 1), 3.5e6, "540500"),
        ("cookware", date(2025, 7, 1), 8.0e6, "540100"),
    ]
    for industry, founded, level, pref in entrants:
        if founded < last_month:
            f = add(industry, ENTRANT, level=level, founded=founded, prefecture=pref)
            if level >= ABOVE_SIZE_REVENUE:
                f.tags.add("leader")
    return firms


def _compatible(firm: Firm, park: RefPark) -> bool:
    if not park.industries or firm.industry not in park.industries:
        return False
    if firm.prefecture is not None and firm.prefecture != park.prefecture_code:
        return False
    weights = firm.profile.prefectures
    return not weights or weights.get(park.prefecture_code, 0) > 0


def place_firms(rng: random.Random, firms: list[Firm], ref: Reference) -> None:
    """Put every firm in a prefecture, county and (for many) a park."""
    parks = list(ref.parks)
    targets: list[tuple[RefPark, float]] = []
    used: set[str] = set()
    for needle, amount in PARK_TARGETS:
        park = next((p for p in parks if needle in p.name_zh and p.id not in used), None)
        if park is not None:
            targets.append((park, amount))
            used.add(park.id)
    small = [p for p in parks if p.id not in used and p.industries]
    for park, amount in zip(small, SMALL_PARK_TARGETS, strict=False):
        targets.append((park, amount))

    above = [f for f in firms if f.size == ABOVE]
    for park, target in targets:
        remaining = target
        slack = 0.02 * target if target >= YI else -0.03 * YI
        candidates = [
            f
            for f in above
            if f.park is None and _compatible(f, park) and "showcase_yak" not in f.tags
        ]
        candidates.sort(key=lambda f: -f.output_2022 * rng.uniform(0.6, 1.4))
        for f in candidates:
            if f.output_2022 <= remaining + slack:
                f.park = park.id
                f.prefecture = park.prefecture_code
                remaining -= f.output_2022

    for f in firms:
        if f.prefecture is None:
            weights = f.profile.prefectures or {"540100": 1.0}
            codes = [c for c in sorted(weights) if c in ref.prefectures] or sorted(ref.prefectures)
            f.prefecture = rng.choices(codes, weights=[weights.get(c, 1.0) for c in codes])[0]
        if f.park is None and f.size != ABOVE:
            # Smaller firms sit in parks too; their output does not count as 规上 park output.
            options = [
                p
                for p in parks
                if p.prefecture_code == f.prefecture
                and (f.industry in p.industries or not p.industries)
            ]
            if options and rng.random() < 0.3:
                f.park = rng.choice(options).id
        park_row = next((p for p in parks if p.id == f.park), None)
        if park_row is not None and park_row.county_code:
            f.county = park_row.county_code
        else:
            counties = ref.counties_of(f.prefecture)
            if counties:
                base_counties = {
                    c for b in ref.bases if f.industry in b.industries for c in b.counties
                }
                weights_c = [
                    4.0 if i == 0 else (2.5 if c.code in base_counties else 1.0)
                    for i, c in enumerate(counties)
                ]
                f.county = rng.choices(counties, weights=weights_c)[0].code


def park_output_2022(firms: list[Firm]) -> dict[str, float]:
    """Above-size 2022 output by park, as placed."""
    out: dict[str, float] = {}
    for f in firms:
        if f.size == ABOVE and f.park:
            out[f.park] = out.get(f.park, 0.0) + f.output_2022
    return out
