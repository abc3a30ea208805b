"""The Lhasa garment program in the demo world (seed 004, 拉萨市服装产业高质量发展三年行动方案).

Which enterprises are garment enterprises is decided where the indicators are computed: the
program ``lhasa_garment`` of the analytics catalog takes the enterprises of Lhasa (540100)
whose GB/T 4754 class is in division 18 or is 1921/1932. The registry files those classes
under two of the 533 industries (1819, 1830 → ethnic_handicraft; 1921, 1932 → leather_wool),
so the garment firms count in the region's light-industry totals like any other firm. None
of them reaches the above-size threshold before 2024, which leaves the plan's 2022
calibration as it was.

The story the figures tell (assumptions, made to look plausible, not published statistics):

- ten local makers of Tibetan dress, fur and leather robes and accessories, small workshops
  and one bigger maker, with the visitor economy's COVID-19 dips in 2020 and 2022 and the
  rebound of 2023;
- a garment plant built with 对口援藏 investment in 达孜工业园区 opens in spring 2023, enters
  the above-size directory in 2024 and passes 50 million CNY of output in 2025;
- sales value grows by about 30% in 2024 (the plan's ≥15% is met) and by about 15% in 2025
  (≥20% is missed): the old town's raw-material shops moved out in 2025 and the workshops
  marked time while the new market got going;
- the biggest local maker passes 20 million CNY of revenue in 2025 (the second above-size
  firm) and becomes a regional specialized SME; the plant is listed as a Lhasa green factory;
- region-level figures the program tracks and no enterprise files: platforms set up (拉萨
  服饰周 and the association's service platform, 2024), the raw-material market (opened in
  2025, a year late), regional brands chosen at the Fashion Week, new green manufacturing.

Every part draws from its own random stream, apart from the streams of the rest of the world,
so adding the program changed none of the other enterprises' rows.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from plateau.demo.catalog import ProductPlan
from plateau.demo.firms import BELOW, ENTRANT, Firm
from plateau.demo.history import first_month, month_add
from plateau.demo.names import org_code
from plateau.demo.profiles import (
    PRODUCTS,
    SEASON_FUR,
    SEASON_GARMENT,
    SEASON_TOURISM,
    Subsector,
)
from plateau.demo.reference import Reference
from plateau.demo.statuses import above_size_spans
from plateau.registry.identifiers import make_gtin, make_uscc

PROGRAM = "lhasa_garment"
PROGRAM_SCOPE = f"program:{PROGRAM}"
LHASA = "540100"
GARMENT_TAG = "garment"
WAN_CNY = 10_000.0

# Lines of business. Weight 0: never drawn for the other enterprises of an industry.
SUBSECTORS: dict[str, Subsector] = {
    "1819": Subsector("garment", 0.0, ("1819",), "garment", "garment", False, SEASON_GARMENT),
    "1830": Subsector(
        "garment_accessory",
        0.0,
        ("1830",),
        "garment",
        "garment_accessory",
        False,
        SEASON_TOURISM,
    ),
    "1921": Subsector(
        "leather_garment", 0.0, ("1921",), "garment", "fur_garment", False, SEASON_FUR
    ),
    "1932": Subsector("fur_garment", 0.0, ("1932",), "garment", "fur_garment", False, SEASON_FUR),
}

# Sales of the local makers relative to 2023 (COVID-19 in 2020 and 2022, the 2025 pause).
MARKET_INDEX: dict[int, float] = {
    2019: 0.84,
    2020: 0.69,
    2021: 0.80,
    2022: 0.70,
    2023: 1.0,
    2024: 1.08,
    2025: 1.07,
    2026: 1.15,
}
LATER_GROWTH = 1.06


@dataclass(frozen=True)
class GarmentFirm:
    """One garment enterprise as designed: who, where, and its yearly revenue."""

    name_zh: str
    name_en: str
    trade: tuple[str, str]  # 字号, also its first brand
    gbt4754: str
    county: str
    address: str
    founded: date
    revenue: dict[int, float]  # CNY per year (a run-rate in the first year); others by index
    park_name: str | None = None  # recognised by name, as firms.PARK_TARGETS are
    entrant: bool = False
    n_products: int = 2
    extra_brand: tuple[str, str] | None = None
    role: str = ""  # plant | leader | starter


def _wan(x: float) -> float:
    return x * WAN_CNY


FIRMS: tuple[GarmentFirm, ...] = (
    GarmentFirm(
        "西藏邦典服饰有限公司",
        "Tibet Bangdian Apparel Co., Ltd.",
        ("邦典", "Bangdian"),
        "1819",
        "540104",
        "达孜工业园区工业大道18号",
        date(2023, 3, 16),
        {2023: _wan(3400), 2024: _wan(3800), 2025: _wan(5300), 2026: _wan(6000)},
        park_name="达孜工业园区",
        entrant=True,
        n_products=5,
        extra_brand=("雪域霓裳", "Xueyu Nichang"),
        role="plant",
    ),
    GarmentFirm(
        "拉萨吉雪藏装有限公司",
        "Lhasa Jixue Tibetan Dress Co., Ltd.",
        ("吉雪", "Jixue"),
        "1819",
        "540102",
        "城关区林廓南路36号",
        date(2009, 5, 12),
        {
            2019: _wan(1160),
            2020: _wan(980),
            2021: _wan(1290),
            2022: _wan(1140),
            2023: _wan(1750),
            2024: _wan(1920),
            2025: _wan(2160),
            2026: _wan(2350),
        },
        n_products=4,
        extra_brand=("吉雪·格桑", "Jixue Gesang"),
        role="leader",
    ),
    GarmentFirm(
        "拉萨朗赛皮草服饰有限公司",
        "Lhasa Langsai Fur Apparel Co., Ltd.",
        ("朗赛", "Langsai"),
        "1932",
        "540103",
        "堆龙德庆区羊达街道工业路9号",
        date(2011, 9, 3),
        {2023: _wan(950)},
        n_products=3,
    ),
    GarmentFirm(
        "拉萨格吉皮革服装有限责任公司",
        "Lhasa Geji Leather Garments Co., Ltd.",
        ("格吉", "Geji"),
        "1921",
        "540124",
        "曲水县雅江路21号",
        date(2014, 4, 22),
        {2023: _wan(480)},
    ),
    GarmentFirm(
        "拉萨卓玉服饰配件有限公司",
        "Lhasa Zhuoyu Apparel Accessories Co., Ltd.",
        ("卓玉", "Zhuoyu"),
        "1830",
        "540102",
        "城关区八廓东街12号",
        date(2016, 7, 8),
        {2023: _wan(420)},
        n_products=3,
    ),
    GarmentFirm(
        "拉萨美朵民族服饰有限公司",
        "Lhasa Meiduo Ethnic Apparel Co., Ltd.",
        ("美朵", "Meiduo"),
        "1819",
        "540102",
        "城关区宇拓路5号",
        date(2012, 3, 19),
        {2023: _wan(820)},
        n_products=3,
    ),
    GarmentFirm(
        "拉萨扎念藏装有限公司",
        "Lhasa Zhanian Tibetan Dress Co., Ltd.",
        ("扎念", "Zhanian"),
        "1819",
        "540102",
        "城关区北京东路66号",
        date(2015, 10, 27),
        {2023: _wan(640)},
    ),
    GarmentFirm(
        "拉萨娘热民族服饰有限公司",
        "Lhasa Niangre Ethnic Apparel Co., Ltd.",
        ("娘热", "Niangre"),
        "1819",
        "540102",
        "城关区娘热路17号",
        date(2017, 6, 1),
        {2023: _wan(560)},
    ),
    GarmentFirm(
        "拉萨仁青藏装加工有限公司",
        "Lhasa Renqing Tibetan Dress Making Co., Ltd.",
        ("仁青", "Renqing"),
        "1819",
        "540103",
        "堆龙德庆区东嘎街道青藏路8号",
        date(2018, 2, 9),
        {2023: _wan(430)},
    ),
    GarmentFirm(
        "拉萨色季服饰有限公司",
        "Lhasa Seji Apparel Co., Ltd.",
        ("色季", "Seji"),
        "1819",
        "540104",
        "达孜区德庆镇团结路3号",
        date(2019, 6, 14),
        {2023: _wan(300)},
    ),
    GarmentFirm(
        "拉萨觉木帽业有限公司",
        "Lhasa Juemu Hats Co., Ltd.",
        ("觉木", "Juemu"),
        "1830",
        "540121",
        "林周县甘丹曲果镇幸福路11号",
        date(2013, 8, 30),
        {2023: _wan(240)},
    ),
    GarmentFirm(
        "拉萨曲吉服饰文化有限公司",
        "Lhasa Quji Apparel Culture Co., Ltd.",
        ("曲吉", "Quji"),
        "1830",
        "540102",
        "城关区林廓北路28号",
        date(2025, 4, 7),
        {2025: _wan(300), 2026: _wan(360)},
        entrant=True,
        role="starter",
    ),
)

# Region-level figures of the program (stocks: counts that exist at the year's end; the
# flow of new green manufacturing is per year). 2023 is the plan's base year.
PROGRAM_INPUTS: dict[str, tuple[str, dict[int, int]]] = {
    "platforms_built": (
        "搭建的服装产业平台数（累计）：拉萨服饰周；设计、加工、原辅料及成品销售公共服务平台",
        {2023: 0, 2024: 2, 2025: 2, 2026: 3},
    ),
    "markets_built": (
        "建成的服装原辅料交易专门市场数（累计），古城区原辅料门店迁出后于2025年开业",
        {2023: 0, 2024: 0, 2025: 1, 2026: 1},
    ),
    "regional_brands": (
        "拉萨服饰周评选认定的区域服装品牌数（累计）",
        {2023: 0, 2024: 2, 2025: 4, 2026: 5},
    ),
    "new_green_manufacturing": (
        "当年新创建市级以上绿色工厂、绿色供应链、绿色设计产品数",
        {2023: 0, 2024: 1, 2025: 1, 2026: 1},
    ),
}
LATER_INPUTS = {"platforms_built": 3, "markets_built": 1, "regional_brands": 5}
NOTE = "演示数据（虚构）"


@dataclass
class GarmentWorld:
    """The garment firms as ``Firm`` objects beside their design."""

    pairs: list[tuple[GarmentFirm, Firm]] = field(default_factory=list)

    @property
    def firms(self) -> list[Firm]:
        return [f for _g, f in self.pairs]


def _industry_of(ref: Reference, gbt4754: str) -> str | None:
    return next((i for i, codes in sorted(ref.classes.items()) if gbt4754 in codes), None)


def plan_garment(ref: Reference, *, first_key: int, last_month: date) -> GarmentWorld:
    """The garment firms that exist by ``last_month``, keyed from ``first_key`` on."""
    world = GarmentWorld()
    parks = {p.name_zh: p for p in ref.parks}
    for spec in FIRMS:
        industry = _industry_of(ref, spec.gbt4754)
        if industry is None or month_add(spec.founded, 1) > last_month:
            continue
        park = next(
            (p for name, p in parks.items() if spec.park_name and spec.park_name in name), None
        )
        firm = Firm(
            key=first_key + len(world.pairs),
            industry=industry,
            sub=SUBSECTORS[spec.gbt4754],
            size=ENTRANT if spec.entrant else BELOW,
            prefecture=LHASA,
            county=park.county_code if park and park.county_code else spec.county,
            park=park.id if park else None,
            founded=spec.founded,
            forced_sub=True,
            tags={GARMENT_TAG, f"garment_{spec.role}"} if spec.role else {GARMENT_TAG},
        )
        world.pairs.append((spec, firm))
    return world


def revenue_path(rng: random.Random, spec: GarmentFirm, years: list[int]) -> dict[int, float]:
    """Yearly revenue (run-rate) for every year of the window."""
    known = spec.revenue
    if len(known) > 1:
        first = min(known)
        path = {y: known.get(y, known[first]) for y in years if y <= max(known)}
        for y in years:
            if y > max(known):
                path[y] = path[y - 1] * LATER_GROWTH
        return path
    base = known[2023]
    path = {}
    for y in years:
        index = MARKET_INDEX.get(y)
        if index is None:
            index = MARKET_INDEX[max(MARKET_INDEX)] * LATER_GROWTH ** (y - max(MARKET_INDEX))
        noise = 1.0 if y == 2023 else math.exp(rng.gauss(0.0, 0.03))
        path[y] = base * index * noise
    return path


def identity_rows(
    rng: random.Random, world: GarmentWorld, ref: Reference, usccs: set[str]
) -> list[dict[str, Any]]:
    """Enterprise rows (USCC issued in the firm's county, as the registry checks)."""
    rows: list[dict[str, Any]] = []
    for spec, firm in world.pairs:
        assert firm.county is not None
        while True:
            uscc = make_uscc("91" + firm.county + org_code(rng, firm.founded))
            if uscc not in usccs:
                usccs.add(uscc)
                break
        rows.append(
            {
                "key": firm.key,
                "uscc": uscc,
                "name": spec.name_zh,
                "name_en": spec.name_en,
                "prefecture_code": LHASA,
                "county_code": firm.county,
                "park_id": firm.park,
                "gbt4754": spec.gbt4754,
                "industry_id": firm.industry,
                "founded_date": firm.founded,
                "closed_date": None,
                "address": spec.address,
                "source": "demo",
            }
        )
    return rows


def status_rows(
    world: GarmentWorld, *, above_years: dict[int, list[int]], today: date
) -> list[dict[str, Any]]:
    """规上 directory entries, the specialized SMEs and the Lhasa green factory."""
    rows: list[dict[str, Any]] = []

    def add(firm: Firm, kind: str, level: str, start: date, end: date | None, cert: str) -> None:
        if start <= today:
            rows.append(
                {
                    "enterprise_key": firm.key,
                    "kind": kind,
                    "level": level,
                    "valid_from": start,
                    "valid_to": end,
                    "certificate_no": cert,
                }
            )

    def three_years(start: date) -> date:
        return date(start.year + 3, start.month, start.day) - timedelta(days=1)

    for _spec, firm in world.pairs:
        for start, end in above_size_spans(above_years.get(firm.key, []), today):
            add(firm, "above_designated_size", "", start, end, "")
    for spec, firm in world.pairs:
        if spec.role == "leader":
            s = date(2025, 7, 8)
            add(firm, "specialized_sme", "regional", s, three_years(s), "XZZJTX-2025-101")
        if spec.role == "plant":
            # 拉萨市级绿色工厂: municipal level, which the Lhasa plan counts and the 533 plan not.
            add(firm, "green_factory", "prefecture", date(2025, 11, 28), None, "LSLSGC-2025-001")
            s = date(2026, 6, 18)
            add(firm, "specialized_sme", "regional", s, three_years(s), "XZZJTX-2026-101")
    return rows


def catalog_rows(
    rng: random.Random,
    world: GarmentWorld,
    *,
    brands: list[dict[str, Any]],
    products: list[dict[str, Any]],
    last_month: date,
    start: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[ProductPlan]]:
    """Brands and products of the garment firms, keyed after the world's ``brands``/``products``."""
    new_brands: list[dict[str, Any]] = []
    new_products: list[dict[str, Any]] = []
    plans: list[ProductPlan] = []
    taken_marks = {b["trademark_no"] for b in brands}
    taken_prefixes = {p["gtin"][1:10] for p in products}
    brand_key = max((b["key"] for b in brands), default=0)
    product_key = max((p["key"] for p in products), default=0)
    for spec, firm in world.pairs:
        while True:
            prefix = "69" + "".join(rng.choice("0123456789") for _ in range(7))
            if prefix not in taken_prefixes:
                taken_prefixes.add(prefix)
                break
        names = [spec.trade] + ([spec.extra_brand] if spec.extra_brand else [])
        keys: list[int] = []
        for zh, en in names:
            while True:
                mark = str(rng.randint(60_000_000, 79_999_999))
                if mark not in taken_marks:
                    taken_marks.add(mark)
                    break
            brand_key += 1
            keys.append(brand_key)
            new_brands.append(
                {
                    "key": brand_key,
                    "enterprise_key": firm.key,
                    "name_zh": zh,
                    "name_en": en,
                    "trademark_no": mark,
                    "well_known": False,
                }
            )
        templates = list(PRODUCTS[firm.sub.products])
        chosen = rng.sample(templates, min(spec.n_products, len(templates)))
        begin = first_month(firm, start)
        item = rng.randint(1, 60)
        for j, tpl in enumerate(chosen):
            product_key += 1
            b = j % len(keys)
            launch = begin
            if j >= 2 and rng.random() < 0.5:
                latest = month_add(last_month, -8)
                if latest > begin:
                    span = (latest.year - begin.year) * 12 + latest.month - begin.month
                    launch = month_add(begin, rng.randint(1, span))
            brand_zh, brand_en = names[b]
            new_products.append(
                {
                    "key": product_key,
                    "enterprise_key": firm.key,
                    "brand_key": keys[b],
                    "gtin": make_gtin(f"{prefix}{item:03d}"),
                    "name_zh": f"{brand_zh}{tpl.name}",
                    "name_en": f"{brand_en} {tpl.name_en}",
                    "industry_id": firm.industry,
                    "category": tpl.category,
                    "net_content": tpl.net_content,
                    "origin_base_id": None,
                    "licence_kind": "",
                    "licence_no": "",
                }
            )
            item += rng.randint(1, 3)
            plans.append(
                ProductPlan(
                    key=product_key,
                    firm=firm,
                    template=tpl,
                    launch=launch,
                    weight=rng.lognormvariate(0.0, 0.5) * (1.6 if j == 0 else 1.0),
                    price_jitter=rng.uniform(0.9, 1.1),
                )
            )
    return new_brands, new_products, plans


def region_input_rows(
    rng: random.Random,
    *,
    statuses: list[dict[str, Any]],
    first_year: int,
    last_year: int,
) -> list[dict[str, Any]]:
    """The program's region-level figures, and the region's new green manufacturing.

    The region's count (自治区级以上, plan_533 二(三)) is the year's new regional or national
    green factories among the enterprises' statuses, plus green supply chains and green-design
    products, which the registry does not hold.
    """
    rows: list[dict[str, Any]] = []
    for indicator, (note, values) in PROGRAM_INPUTS.items():
        for y in range(max(2023, first_year), last_year + 1):
            value = values.get(y)
            if value is None:
                value = LATER_INPUTS.get(indicator, 1)
            rows.append(
                {
                    "indicator": indicator,
                    "scope": PROGRAM_SCOPE,
                    "year": y,
                    "value": Decimal(value),
                    "unit": "count",
                    "note": f"{note}。{NOTE}",
                }
            )
    factories: dict[int, int] = {}
    for s in statuses:
        if s["kind"] == "green_factory" and s["level"] in ("regional", "national"):
            y = s["valid_from"].year
            factories[y] = factories.get(y, 0) + 1
    for y in range(first_year, last_year + 1):
        others = rng.randint(0, 1) if y < 2022 else rng.randint(1, 2)
        rows.append(
            {
                "indicator": "new_green_manufacturing",
                "scope": "region",
                "year": y,
                "value": Decimal(factories.get(y, 0) + others),
                "unit": "count",
                "note": (
                    "当年新创建自治区级以上绿色工厂、绿色供应链、绿色设计产品数（绿色工厂"
                    f"{factories.get(y, 0)}家，绿色供应链及绿色设计产品{others}个）。{NOTE}"
                ),
            }
        )
    return rows
