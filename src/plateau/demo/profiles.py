"""What the demo world is calibrated on: industry profiles, the calendar, products, markets.

Sources of the 2022 calibration (seed 000): 一(一) 63 above-size enterprises with output
"over 5 billion", 14 over 100 million, 15 high-tech, 21 specialized SMEs, 17 green factories;
一(二) agri-food above-size output 1.8 billion, drinking water 500,000 t, barley conversion
17.8% (2020); 一(一) 38 drinking-water companies (68%) in Lhasa, Shigatse, Shannan, Nyingchi
and Chamdo; 二(三) park output 3.1 billion with 3 parks over 100 million.
Everything else (growth, seasonality, prices) is an assumption made to look plausible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

YI = 100_000_000.0  # 亿元 in CNY
WAN = 10_000.0  # 万元 in CNY
ABOVE_SIZE_REVENUE = 20_000_000.0  # 规模以上: main-business revenue ≥ 20 million CNY
BASE_YEAR = 2022
FIRST_MONTH = date(2019, 1, 1)

# The five prefectures the plan names for drinking water (一(一)).
WATER_CORE_PREFECTURES: tuple[str, ...] = ("540100", "540200", "540500", "540400", "540300")

Season = tuple[float, float, float, float, float, float, float, float, float, float, float, float]

SEASON_FLAT: Season = (0.95, 0.9, 0.95, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.05, 1.0, 1.05)
# Bottled water and beer follow the warm months; tourism goods follow the visitor season
# (June to October, the peak around the Shoton festival in August).
SEASON_WATER: Season = (0.55, 0.5, 0.7, 0.9, 1.1, 1.3, 1.45, 1.45, 1.25, 1.0, 0.75, 0.6)
SEASON_TOURISM: Season = (0.6, 0.7, 0.75, 0.85, 1.0, 1.2, 1.45, 1.5, 1.3, 1.15, 0.8, 0.65)
SEASON_BEER: Season = (0.7, 0.8, 0.8, 0.9, 1.05, 1.25, 1.35, 1.35, 1.15, 0.95, 0.8, 0.9)
SEASON_FOOD: Season = (0.95, 0.9, 0.9, 0.95, 1.0, 1.0, 1.05, 1.1, 1.1, 1.1, 1.0, 1.0)
SEASON_MEAT: Season = (0.9, 0.8, 0.75, 0.75, 0.8, 0.85, 0.95, 1.05, 1.15, 1.25, 1.35, 1.3)
SEASON_MEDICINE: Season = (0.85, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.05, 1.25)
SEASON_COOKWARE: Season = (0.9, 0.8, 0.9, 1.0, 1.0, 1.0, 1.05, 1.05, 1.0, 1.05, 1.1, 1.15)
SEASON_PACKAGING: Season = (0.7, 0.65, 0.85, 1.0, 1.1, 1.2, 1.25, 1.2, 1.1, 1.0, 0.85, 0.75)
SEASON_TEA: Season = (0.7, 0.7, 0.85, 1.15, 1.3, 1.3, 1.2, 1.2, 1.0, 0.9, 0.8, 0.8)
SEASON_WOOL: Season = (1.0, 0.9, 0.8, 0.8, 0.85, 0.9, 1.0, 1.05, 1.1, 1.2, 1.25, 1.15)
# Tibetan dress sells for Losar (new clothes for the new year) and for the summer festivals
# and visitors (Shoton in August); fur and leather robes sell in the cold months.
SEASON_GARMENT: Season = (1.2, 1.0, 0.8, 0.85, 0.9, 0.95, 1.1, 1.2, 1.0, 1.0, 0.95, 1.05)
SEASON_FUR: Season = (1.3, 1.1, 0.8, 0.7, 0.65, 0.65, 0.75, 0.85, 1.0, 1.2, 1.45, 1.55)

# Tibetan New Year (Losar, 藏历新年), first day: factories pause that month, shops stock up
# the month before. Approximate dates of the Tibetan calendar.
LOSAR: dict[int, date] = {
    2019: date(2019, 2, 5),
    2020: date(2020, 2, 24),
    2021: date(2021, 2, 12),
    2022: date(2022, 3, 3),
    2023: date(2023, 2, 21),
    2024: date(2024, 2, 10),
    2025: date(2025, 2, 28),
    2026: date(2026, 2, 18),
    2027: date(2027, 2, 7),
    2028: date(2028, 2, 26),
    2029: date(2029, 2, 14),
    2030: date(2030, 3, 5),
}

# Months hit by COVID-19: the national shutdown of early 2020, and Tibet's own outbreak and
# lockdown from August to November 2022 (with the national wave in December).
COVID: dict[tuple[int, int], float] = {
    (2020, 1): 0.85,
    (2020, 2): 0.55,
    (2020, 3): 0.75,
    (2020, 4): 0.92,
    (2022, 8): 0.72,
    (2022, 9): 0.42,
    (2022, 10): 0.48,
    (2022, 11): 0.68,
    (2022, 12): 0.85,
}


@dataclass(frozen=True)
class Subsector:
    """A line of business inside an industry: its GB/T 4754 classes, names and products."""

    id: str
    weight: float
    classes: tuple[str, ...]
    business: str  # key of names.BUSINESS_WORDS
    products: str  # key of PRODUCTS
    barley: bool = False  # processes highland barley (product volume = barley t)
    season: Season = SEASON_FLAT


@dataclass(frozen=True)
class IndustryProfile:
    id: str
    above_2022: int  # above-size enterprises in 2022
    big_2022: int  # of which with output over 100 million CNY
    output_2022: float  # above-size output, CNY
    below_2022: int  # below-size enterprises active in 2022
    growth: dict[int, float]  # nominal growth of the year over the previous one
    value_added_ratio: float
    productivity: float  # output per employee and year, CNY (2022)
    energy_tce_per_wan: float  # tce per 10,000 CNY of output (2022)
    water_m3_per_wan: float  # m³ per 10,000 CNY of output (2022)
    rd_share: tuple[float, float]  # of revenue
    export_share: tuple[float, float]  # of revenue, for the exporters among them
    exporter_share: float  # share of enterprises that export at all
    prefectures: dict[str, float]  # where its enterprises are, as weights
    subsectors: tuple[Subsector, ...]
    price_trend: float  # yearly price change (the deflator)
    tourism_staff: bool = False  # seasonal workers in the visitor season
    consumer: bool = True  # sells products to consumers (has GTINs and sales)
    pre_losar: float = 1.0  # sales push the month before Losar
    channels: dict[str, float] = field(default_factory=dict)
    markets: dict[str, float] = field(default_factory=dict)


def _growth(
    pre: tuple[float, float, float], post: tuple[float, float, float, float]
) -> dict[int, float]:
    """Growth rates 2020-2022 (back-cast from 2022) and 2023-2026, later years as 2026."""
    rates = {2020: pre[0], 2021: pre[1], 2022: pre[2]}
    for year, rate in zip(range(2023, 2027), post, strict=True):
        rates[year] = rate
    for year in range(2027, 2031):
        rates[year] = post[-1]
    return rates


IN_REGION_DEFAULT = {
    "in_540100": 3.0,
    "in_540200": 1.0,
    "in_540300": 0.7,
    "in_540400": 0.8,
    "in_540500": 0.8,
    "in_540600": 0.5,
    "in_542500": 0.3,
}

PROFILES: tuple[IndustryProfile, ...] = (
    IndustryProfile(
        id="agri_food",
        above_2022=21,
        big_2022=5,
        output_2022=18.0 * YI,
        below_2022=8,
        growth=_growth((0.02, 0.09, 0.03), (0.06, 0.05, 0.04, 0.04)),
        value_added_ratio=0.27,
        productivity=900_000,
        energy_tce_per_wan=0.06,
        water_m3_per_wan=3.0,
        rd_share=(0.003, 0.015),
        export_share=(0.01, 0.05),
        exporter_share=0.15,
        prefectures={"540100": 8, "540200": 4, "540300": 2, "540400": 3, "540500": 2, "540600": 2},
        subsectors=(
            Subsector(
                "barley",
                0.4,
                ("1314", "1319", "1419", "1431"),
                "barley",
                "barley",
                True,
                SEASON_FOOD,
            ),
            Subsector(
                "dairy", 0.25, ("1441", "1442", "1449"), "dairy", "dairy", False, SEASON_FOOD
            ),
            Subsector("meat", 0.25, ("1353", "1351"), "meat", "meat", False, SEASON_MEAT),
            Subsector(
                "forest", 0.1, ("1372", "1373", "1492"), "forest", "forest", False, SEASON_TOURISM
            ),
        ),
        price_trend=0.022,
        pre_losar=1.08,
        channels={"retail": 0.45, "wholesale": 0.3, "ecommerce": 0.2, "tourism": 0.05},
        markets={
            **IN_REGION_DEFAULT,
            "chengdu": 1.0,
            "chongqing": 0.5,
            "guangzhou": 0.3,
            "shenzhen": 0.3,
            "beijing": 0.4,
            "shanghai": 0.4,
            "domestic_other": 0.6,
            "nepal": 0.05,
        },
    ),
    IndustryProfile(
        id="tibetan_medicine",
        above_2022=15,
        big_2022=5,
        output_2022=16.3 * YI,
        below_2022=4,
        growth=_growth((0.06, 0.08, 0.02), (0.15, 0.13, 0.12, 0.11)),
        value_added_ratio=0.40,
        productivity=1_000_000,
        energy_tce_per_wan=0.03,
        water_m3_per_wan=2.0,
        rd_share=(0.015, 0.035),
        export_share=(0.005, 0.03),
        exporter_share=0.2,
        prefectures={"540100": 7, "540200": 2, "540400": 2, "540500": 2, "540300": 1, "540600": 1},
        subsectors=(
            Subsector(
                "patent", 0.75, ("2740",), "tibetan_medicine", "medicine", False, SEASON_MEDICINE
            ),
            Subsector(
                "pieces", 0.25, ("2730",), "tibetan_medicine", "medicine", False, SEASON_MEDICINE
            ),
        ),
        price_trend=0.012,
        channels={"wholesale": 0.55, "retail": 0.3, "ecommerce": 0.15},
        markets={
            "in_540100": 2.0,
            "in_540200": 0.5,
            "in_540300": 0.3,
            "in_540400": 0.3,
            "in_540500": 0.3,
            "in_540600": 0.2,
            "in_542500": 0.1,
            "chengdu": 1.2,
            "chongqing": 0.6,
            "beijing": 1.5,
            "shanghai": 1.2,
            "guangzhou": 1.0,
            "shenzhen": 0.8,
            "jiangsu": 0.8,
            "zhejiang": 0.8,
            "qinghai": 0.5,
            "domestic_other": 2.0,
            "nepal": 0.1,
        },
    ),
    IndustryProfile(
        id="brewing",
        above_2022=4,
        big_2022=1,
        output_2022=4.9 * YI,
        below_2022=3,
        growth=_growth((0.0, 0.10, 0.02), (0.13, 0.12, 0.11, 0.1)),
        value_added_ratio=0.36,
        productivity=1_400_000,
        energy_tce_per_wan=0.12,
        water_m3_per_wan=8.0,
        rd_share=(0.003, 0.01),
        export_share=(0.0, 0.0),
        exporter_share=0.0,
        prefectures={"540100": 3, "540200": 1, "540300": 1, "540500": 0.5},
        subsectors=(
            Subsector("beer", 0.4, ("1513",), "beer", "beer", True, SEASON_BEER),
            Subsector("liquor", 0.45, ("1512", "1519"), "liquor", "liquor", True, SEASON_FOOD),
            Subsector("wine", 0.15, ("1515",), "wine", "wine", False, SEASON_FOOD),
        ),
        price_trend=0.02,
        pre_losar=1.12,
        channels={"retail": 0.5, "wholesale": 0.4, "ecommerce": 0.1},
        markets={
            **IN_REGION_DEFAULT,
            "in_540200": 1.2,
            "chengdu": 0.8,
            "chongqing": 0.3,
            "domestic_other": 0.3,
        },
    ),
    IndustryProfile(
        id="drinking_water",
        above_2022=9,
        big_2022=1,
        output_2022=4.6 * YI,
        below_2022=47,
        growth=_growth((0.03, 0.11, 0.02), (0.2, 0.18, 0.17, 0.15)),
        value_added_ratio=0.38,
        productivity=1_300_000,
        energy_tce_per_wan=0.05,
        water_m3_per_wan=0.0,
        rd_share=(0.002, 0.01),
        export_share=(0.005, 0.02),
        exporter_share=0.1,
        prefectures={},  # placed exactly, see generator
        subsectors=(
            Subsector("water", 1.0, ("1522",), "drinking_water", "water", False, SEASON_WATER),
        ),
        price_trend=0.01,
        channels={"retail": 0.5, "wholesale": 0.35, "ecommerce": 0.1, "tourism": 0.05},
        markets={
            "in_540100": 5.0,
            "in_540200": 1.0,
            "in_540300": 0.6,
            "in_540400": 0.8,
            "in_540500": 0.8,
            "in_540600": 0.5,
            "in_542500": 0.3,
            "chengdu": 2.5,
            "chongqing": 1.5,
            "sichuan_other": 0.5,
            "beijing": 0.3,
            "shanghai": 0.3,
            "guangzhou": 0.2,
            "shenzhen": 0.2,
            "nepal": 0.05,
        },
    ),
    IndustryProfile(
        id="cookware",
        above_2022=2,
        big_2022=0,
        output_2022=1.2 * YI,
        below_2022=1,
        growth=_growth((0.05, 0.25, 0.1), (0.38, 0.33, 0.28, 0.22)),
        value_added_ratio=0.29,
        productivity=800_000,
        energy_tce_per_wan=0.08,
        water_m3_per_wan=1.0,
        rd_share=(0.02, 0.04),
        export_share=(0.0, 0.0),
        exporter_share=0.0,
        prefectures={"540100": 1},
        subsectors=(
            Subsector(
                "cookware",
                1.0,
                ("3381", "3854", "3382"),
                "cookware",
                "cookware",
                False,
                SEASON_COOKWARE,
            ),
        ),
        price_trend=0.005,
        channels={"retail": 0.5, "ecommerce": 0.35, "wholesale": 0.15},
        markets={
            "in_540100": 2.5,
            "in_540200": 1.5,
            "in_540300": 1.0,
            "in_540400": 0.8,
            "in_540500": 1.0,
            "in_540600": 1.2,
            "in_542500": 0.6,
            "qinghai": 1.0,
            "sichuan_other": 0.5,
            "domestic_other": 0.3,
        },
    ),
    IndustryProfile(
        id="ethnic_handicraft",
        above_2022=3,
        big_2022=0,
        output_2022=0.9 * YI,
        below_2022=6,
        growth=_growth((-0.12, 0.08, -0.05), (0.15, 0.13, 0.12, 0.1)),
        value_added_ratio=0.36,
        productivity=250_000,
        energy_tce_per_wan=0.02,
        water_m3_per_wan=0.5,
        rd_share=(0.0, 0.008),
        export_share=(0.03, 0.12),
        exporter_share=0.4,
        prefectures={
            "540100": 5,
            "540200": 2,
            "540300": 1,
            "540500": 1,
            "540600": 0.3,
            "540400": 0.3,
        },
        subsectors=(
            Subsector(
                "thangka", 0.25, ("2434", "2439"), "thangka", "thangka", False, SEASON_TOURISM
            ),
            Subsector(
                "incense", 0.25, ("2689", "2222"), "incense", "incense", False, SEASON_TOURISM
            ),
            Subsector("carpet", 0.25, ("2437",), "carpet", "carpet", False, SEASON_TOURISM),
            Subsector(
                "crafts",
                0.25,
                ("2110", "2432", "2438", "3075"),
                "crafts",
                "crafts",
                False,
                SEASON_TOURISM,
            ),
        ),
        price_trend=0.015,
        tourism_staff=True,
        pre_losar=1.1,
        channels={"tourism": 0.55, "retail": 0.2, "ecommerce": 0.25},
        markets={
            "in_540100": 6.0,
            "in_540200": 1.5,
            "in_540300": 0.4,
            "in_540400": 0.6,
            "in_540500": 0.4,
            "beijing": 0.5,
            "shanghai": 0.5,
            "chengdu": 0.5,
            "nepal": 0.3,
            "export_other": 0.3,
        },
    ),
    IndustryProfile(
        id="oxygen_health",
        above_2022=2,
        big_2022=1,
        output_2022=1.9 * YI,
        below_2022=2,
        growth=_growth((0.1, 0.15, 0.05), (0.24, 0.22, 0.18, 0.16)),
        value_added_ratio=0.33,
        productivity=1_100_000,
        energy_tce_per_wan=0.25,
        water_m3_per_wan=1.0,
        rd_share=(0.02, 0.04),
        export_share=(0.0, 0.0),
        exporter_share=0.0,
        prefectures={"540100": 2, "540200": 1, "540600": 0.5},
        subsectors=(
            Subsector(
                "oxygen",
                1.0,
                ("2619", "3463", "3856", "3589"),
                "oxygen_health",
                "oxygen",
                False,
                SEASON_TOURISM,
            ),
        ),
        price_trend=0.005,
        tourism_staff=True,
        channels={"tourism": 0.45, "retail": 0.4, "ecommerce": 0.15},
        markets={
            "in_540100": 4.0,
            "in_540200": 1.0,
            "in_540300": 0.6,
            "in_540400": 0.5,
            "in_540500": 0.6,
            "in_540600": 1.5,
            "in_542500": 1.0,
            "qinghai": 0.8,
            "chengdu": 0.3,
        },
    ),
    IndustryProfile(
        id="packaging",
        above_2022=3,
        big_2022=1,
        output_2022=1.7 * YI,
        below_2022=1,
        growth=_growth((0.02, 0.09, 0.02), (0.1, 0.09, 0.08, 0.07)),
        value_added_ratio=0.25,
        productivity=1_000_000,
        energy_tce_per_wan=0.15,
        water_m3_per_wan=1.5,
        rd_share=(0.003, 0.012),
        export_share=(0.0, 0.0),
        exporter_share=0.0,
        prefectures={"540100": 1},
        subsectors=(
            Subsector("pet", 0.5, ("2926", "2921"), "packaging", "", False, SEASON_PACKAGING),
            Subsector("paper", 0.35, ("2231", "2319"), "packaging", "", False, SEASON_PACKAGING),
            Subsector("metal", 0.15, ("3333",), "packaging", "", False, SEASON_PACKAGING),
        ),
        price_trend=0.015,
        consumer=False,
    ),
    IndustryProfile(
        id="bio_fermentation",
        above_2022=0,
        big_2022=0,
        output_2022=0.0,
        below_2022=3,
        growth=_growth((0.05, 0.12, 0.05), (0.25, 0.3, 0.3, 0.25)),
        value_added_ratio=0.31,
        productivity=700_000,
        energy_tce_per_wan=0.08,
        water_m3_per_wan=4.0,
        rd_share=(0.01, 0.03),
        export_share=(0.0, 0.0),
        exporter_share=0.0,
        prefectures={"540400": 1, "540500": 1, "540100": 1},
        subsectors=(
            Subsector("vinegar", 0.5, ("1462",), "bio_fermentation", "vinegar", False, SEASON_FLAT),
            Subsector(
                "probiotic", 0.3, ("1495",), "bio_fermentation", "probiotic", False, SEASON_FLAT
            ),
            Subsector("chili", 0.2, ("1469",), "bio_fermentation", "chili", False, SEASON_FLAT),
        ),
        price_trend=0.01,
        channels={"retail": 0.5, "ecommerce": 0.3, "wholesale": 0.2},
        markets={
            "in_540100": 2.0,
            "in_540400": 0.8,
            "in_540500": 0.6,
            "chengdu": 1.0,
            "chongqing": 0.8,
            "domestic_other": 0.5,
        },
    ),
    IndustryProfile(
        id="beverage_tea",
        above_2022=2,
        big_2022=0,
        output_2022=0.6 * YI,
        below_2022=3,
        growth=_growth((-0.05, 0.1, -0.02), (0.2, 0.17, 0.15, 0.13)),
        value_added_ratio=0.3,
        productivity=700_000,
        energy_tce_per_wan=0.05,
        water_m3_per_wan=6.0,
        rd_share=(0.003, 0.015),
        export_share=(0.0, 0.0),
        exporter_share=0.0,
        prefectures={"540400": 2, "540100": 2, "540500": 0.5, "540200": 0.5},
        subsectors=(
            Subsector("tea", 0.5, ("1530",), "tea", "tea", False, SEASON_TEA),
            Subsector(
                "drink", 0.5, ("1529", "1523", "1525"), "beverage", "drink", False, SEASON_TOURISM
            ),
        ),
        price_trend=0.015,
        tourism_staff=True,
        pre_losar=1.05,
        channels={"retail": 0.35, "tourism": 0.3, "ecommerce": 0.35},
        markets={
            "in_540100": 3.0,
            "in_540400": 1.5,
            "in_540200": 0.6,
            "in_540500": 0.5,
            "chengdu": 1.0,
            "beijing": 0.3,
            "shanghai": 0.3,
            "guangzhou": 0.3,
        },
    ),
    IndustryProfile(
        id="leather_wool",
        above_2022=2,
        big_2022=0,
        output_2022=0.5 * YI,
        below_2022=2,
        growth=_growth((-0.03, 0.08, 0.0), (0.15, 0.12, 0.1, 0.1)),
        value_added_ratio=0.27,
        productivity=500_000,
        energy_tce_per_wan=0.1,
        water_m3_per_wan=10.0,
        rd_share=(0.002, 0.01),
        export_share=(0.05, 0.2),
        exporter_share=0.6,
        prefectures={"540500": 2, "540200": 1, "540600": 1, "540100": 1},
        subsectors=(
            Subsector("wool", 0.6, ("1721", "1722"), "leather_wool", "wool", False, SEASON_WOOL),
            Subsector(
                "leather",
                0.4,
                ("1910", "1929", "1922"),
                "leather_wool",
                "leather",
                False,
                SEASON_WOOL,
            ),
        ),
        price_trend=0.015,
        tourism_staff=True,
        channels={"tourism": 0.35, "ecommerce": 0.35, "retail": 0.3},
        markets={
            "in_540100": 2.0,
            "in_540200": 0.4,
            "in_540500": 0.4,
            "beijing": 1.0,
            "shanghai": 1.0,
            "zhejiang": 0.5,
            "export_other": 0.6,
            "nepal": 0.2,
        },
    ),
)

PROFILE_BY_ID: dict[str, IndustryProfile] = {p.id: p for p in PROFILES}


@dataclass(frozen=True)
class ProductTemplate:
    name: str  # after the brand: 「雪朗」+ name
    name_en: str
    category: str
    net_content: str
    unit_price: float  # ex-factory CNY per sales unit, 2022
    base: str = ""  # raw-material base id it comes from


PRODUCTS: dict[str, tuple[ProductTemplate, ...]] = {
    "barley": (
        ProductTemplate(
            "青稞米", "Highland barley rice", "barley_food", "1kg", 22.0, "highland_barley"
        ),
        ProductTemplate(
            "青稞挂面", "Highland barley noodles", "barley_food", "500g", 9.5, "highland_barley"
        ),
        ProductTemplate(
            "青稞饼干", "Highland barley biscuits", "barley_snack", "300g", 15.0, "highland_barley"
        ),
        ProductTemplate("糌粑", "Tsampa", "barley_food", "1kg", 26.0, "highland_barley"),
        ProductTemplate(
            "黑青稞麦片", "Black barley oats", "barley_snack", "500g", 29.0, "highland_barley"
        ),
        ProductTemplate(
            "青稞面粉", "Highland barley flour", "barley_food", "2.5kg", 32.0, "highland_barley"
        ),
    ),
    "dairy": (
        ProductTemplate("牦牛酸奶", "Yak yoghurt", "dairy", "200g", 6.5, "dairy_cattle"),
        ProductTemplate("牦牛奶粉", "Yak milk powder", "dairy", "400g", 158.0, "yak"),
        ProductTemplate("酥油", "Butter (ghee)", "dairy", "500g", 52.0, "dairy_cattle"),
        ProductTemplate(
            "高原纯牛奶", "Plateau whole milk", "dairy", "250ml×12", 48.0, "dairy_cattle"
        ),
        ProductTemplate("牦牛奶酪", "Yak cheese", "dairy", "200g", 38.0, "yak"),
    ),
    "meat": (
        ProductTemplate("风干牦牛肉", "Air-dried yak meat", "yak_meat", "250g", 88.0, "yak"),
        ProductTemplate("牦牛肉干", "Yak jerky", "yak_meat", "100g", 39.0, "yak"),
        ProductTemplate("藏香猪腊肉", "Tibetan pig bacon", "meat", "500g", 96.0, "tibetan_pig"),
        ProductTemplate(
            "冷鲜藏羊肉", "Chilled Tibetan mutton", "meat", "1kg", 118.0, "tibetan_sheep"
        ),
        ProductTemplate("牦牛肉酱", "Yak meat sauce", "yak_meat", "220g", 28.0, "yak"),
    ),
    "forest": (
        ProductTemplate("冻干松茸", "Freeze-dried matsutake", "forest_food", "50g", 238.0),
        ProductTemplate("高原核桃", "Plateau walnuts", "forest_food", "500g", 45.0),
        ProductTemplate("灵芝冲调粉", "Lingzhi drink powder", "forest_food", "150g", 128.0),
        ProductTemplate("虫草花", "Cordyceps flower", "forest_food", "100g", 58.0),
    ),
    "beer": (
        ProductTemplate(
            "青稞啤酒", "Highland barley beer", "beer", "500ml", 5.2, "highland_barley"
        ),
        ProductTemplate(
            "青稞精酿啤酒", "Barley craft beer", "beer", "330ml", 11.0, "highland_barley"
        ),
        ProductTemplate(
            "青稞啤酒（听装）", "Barley beer (can)", "beer", "330ml×24", 98.0, "highland_barley"
        ),
    ),
    "liquor": (
        ProductTemplate(
            "青稞酒", "Highland barley liquor", "barley_liquor", "500ml", 58.0, "highland_barley"
        ),
        ProductTemplate(
            "青稞白酒（窖藏）",
            "Cellared barley spirit",
            "barley_liquor",
            "500ml",
            168.0,
            "highland_barley",
        ),
        ProductTemplate(
            "传统青稞酒", "Traditional chang", "barley_liquor", "1L", 26.0, "highland_barley"
        ),
    ),
    "wine": (
        ProductTemplate("高原干红葡萄酒", "Plateau dry red wine", "wine", "750ml", 198.0, "grape"),
        ProductTemplate("高原冰葡萄酒", "Plateau ice wine", "wine", "375ml", 268.0, "grape"),
        ProductTemplate("葡萄蒸馏酒", "Grape brandy", "wine", "500ml", 228.0, "grape"),
    ),
    "water": (
        ProductTemplate(
            "冰川天然矿泉水", "Glacier natural mineral water", "drinking_water", "550ml", 2.6
        ),
        ProductTemplate(
            "冰川天然矿泉水（小瓶）",
            "Glacier mineral water (small)",
            "drinking_water",
            "330ml",
            2.0,
        ),
        ProductTemplate(
            "天然饮用水（家庭装）", "Natural drinking water (family)", "drinking_water", "4.5L", 9.8
        ),
        ProductTemplate(
            "天然矿泉水（箱装）", "Natural mineral water (case)", "drinking_water", "550ml×24", 52.0
        ),
        ProductTemplate(
            "母婴天然饮用水", "Natural water for mother and baby", "drinking_water", "1L", 7.5
        ),
    ),
    "medicine": (
        ProductTemplate(
            "二十五味松石丸",
            "Twenty-five-ingredient turquoise pills",
            "tibetan_medicine",
            "1g×10丸",
            98.0,
            "tibetan_medicinal_herbs",
        ),
        ProductTemplate(
            "七十味珍珠丸",
            "Seventy-ingredient pearl pills",
            "tibetan_medicine",
            "1g×5丸",
            680.0,
            "tibetan_medicinal_herbs",
        ),
        ProductTemplate(
            "十味龙胆花颗粒",
            "Ten-ingredient gentian granules",
            "tibetan_medicine",
            "3g×12袋",
            36.0,
            "tibetan_medicinal_herbs",
        ),
        ProductTemplate(
            "如意珍宝丸",
            "Ruyi zhenbao pills",
            "tibetan_medicine",
            "0.5g×30丸",
            58.0,
            "tibetan_medicinal_herbs",
        ),
        ProductTemplate(
            "二十五味珊瑚丸",
            "Twenty-five-ingredient coral pills",
            "tibetan_medicine",
            "1g×10丸",
            118.0,
            "tibetan_medicinal_herbs",
        ),
        ProductTemplate(
            "红景天胶囊",
            "Rhodiola capsules",
            "tibetan_medicine",
            "0.38g×24粒",
            42.0,
            "tibetan_medicinal_herbs",
        ),
        ProductTemplate(
            "藏药饮片（手掌参）",
            "Tibetan herbal pieces (gymnadenia)",
            "herbal_pieces",
            "100g",
            85.0,
            "tibetan_medicinal_herbs",
        ),
    ),
    "cookware": (
        ProductTemplate("高原压力汤锅", "Plateau pressure soup pot", "cookware", "6L", 620.0),
        ProductTemplate("高原压力炒锅", "Plateau pressure wok", "cookware", "32cm", 480.0),
        ProductTemplate("高原电水壶", "Plateau electric kettle", "cookware", "1.5L", 228.0),
        ProductTemplate("全自动酥油茶机", "Automatic butter-tea maker", "cookware", "1.2L", 1180.0),
        ProductTemplate("钛户外水壶", "Titanium outdoor kettle", "cookware", "0.8L", 298.0),
        ProductTemplate(
            "不锈钢多功能蒸锅", "Stainless multi-use steamer", "cookware", "28cm", 268.0
        ),
    ),
    "thangka": (
        ProductTemplate(
            "手绘唐卡（小幅）", "Hand-painted thangka (small)", "thangka", "40×60cm", 2800.0
        ),
        ProductTemplate("丝织唐卡", "Woven silk thangka", "thangka", "50×70cm", 880.0),
        ProductTemplate("唐卡文创书签", "Thangka bookmarks", "souvenir", "6枚", 48.0),
    ),
    "incense": (
        ProductTemplate("藏香", "Tibetan incense", "incense", "30支", 32.0),
        ProductTemplate("藏香礼盒", "Tibetan incense gift box", "incense", "3×30支", 128.0),
        ProductTemplate("藏纸笔记本", "Tibetan paper notebook", "souvenir", "A5", 58.0),
    ),
    "carpet": (
        ProductTemplate("手工藏毯", "Hand-knotted Tibetan carpet", "carpet", "1.2×1.8m", 2600.0),
        ProductTemplate("藏式坐垫", "Tibetan seat cushion", "carpet", "60×60cm", 380.0),
        ProductTemplate("氆氇围巾", "Pulu scarf", "textile", "180×30cm", 168.0),
    ),
    "crafts": (
        ProductTemplate("藏式木碗", "Tibetan wooden bowl", "souvenir", "Φ12cm", 260.0),
        ProductTemplate("铜制转经筒", "Copper prayer wheel", "souvenir", "H20cm", 420.0),
        ProductTemplate("藏式银饰手链", "Tibetan silver bracelet", "jewellery", "1件", 360.0),
        ProductTemplate("拉萨釉陶茶具", "Lhasa glazed tea set", "souvenir", "1壶4杯", 480.0),
    ),
    "oxygen": (
        ProductTemplate("便携式氧气瓶", "Portable oxygen can", "oxygen", "1L", 18.0),
        ProductTemplate(
            "家用制氧机", "Home oxygen concentrator", "oxygen_device", "3L/min", 2980.0
        ),
        ProductTemplate(
            "车载制氧机", "In-car oxygen concentrator", "oxygen_device", "1L/min", 1680.0
        ),
        ProductTemplate("医用氧气（充装）", "Medical oxygen (refill)", "oxygen", "40L", 65.0),
    ),
    "vinegar": (
        ProductTemplate(
            "青稞醋", "Highland barley vinegar", "condiment", "500ml", 18.0, "highland_barley"
        ),
        ProductTemplate(
            "青稞陈醋", "Aged barley vinegar", "condiment", "500ml", 32.0, "highland_barley"
        ),
    ),
    "probiotic": (
        ProductTemplate(
            "高原益生菌粉", "Plateau probiotic powder", "probiotic", "2g×30袋", 168.0, "yak"
        ),
        ProductTemplate(
            "牦牛乳益生菌酸奶粉",
            "Yak-milk probiotic yoghurt starter",
            "probiotic",
            "1g×10袋",
            39.0,
            "yak",
        ),
    ),
    "chili": (
        ProductTemplate("发酵辣椒酱", "Fermented chili sauce", "condiment", "260g", 22.0),
        ProductTemplate("牦牛肉辣椒酱", "Yak meat chili sauce", "condiment", "220g", 29.0, "yak"),
    ),
    "tea": (
        ProductTemplate("雪域有机绿茶", "Organic green tea", "tea", "250g", 168.0, "tea"),
        ProductTemplate("藏茶", "Tibetan dark tea", "tea", "500g", 88.0, "tea"),
        ProductTemplate("高原红茶", "Plateau black tea", "tea", "250g", 128.0, "tea"),
    ),
    "drink": (
        ProductTemplate("甜茶粉", "Sweet milk tea powder", "beverage", "400g", 22.0),
        ProductTemplate("酥油茶粉", "Butter tea powder", "beverage", "400g", 35.0),
        ProductTemplate(
            "青稞饮料", "Highland barley drink", "beverage", "310ml", 4.8, "highland_barley"
        ),
        ProductTemplate("羌根果汁", "Qianggen fruit juice", "beverage", "248ml", 6.5),
        ProductTemplate("藏红花茶", "Saffron tea", "beverage", "3g×10袋", 98.0),
    ),
    "wool": (
        ProductTemplate("牦牛绒围巾", "Yak down scarf", "wool", "200×70cm", 580.0, "yak"),
        ProductTemplate(
            "藏羊毛毯", "Tibetan sheep wool blanket", "wool", "150×200cm", 780.0, "tibetan_sheep"
        ),
        ProductTemplate("牦牛绒毛衣", "Yak down sweater", "wool", "1件", 880.0, "yak"),
    ),
    # Lhasa garment program (seed 004): Tibetan dress, fur and leather robes, accessories.
    "garment": (
        ProductTemplate(
            "邦典藏装套装", "Tibetan dress with bangdian apron", "garment", "1套", 1280.0
        ),
        ProductTemplate("氆氇藏袍", "Pulu wool chuba", "garment", "1件", 1880.0),
        ProductTemplate("藏式衬衫", "Tibetan-style blouse", "garment", "1件", 268.0),
        ProductTemplate("改良藏装连衣裙", "Modern Tibetan-style dress", "garment", "1件", 698.0),
        ProductTemplate("儿童藏装", "Children's Tibetan dress", "garment", "1套", 368.0),
        ProductTemplate("藏式羽绒外套", "Tibetan-style down jacket", "garment", "1件", 980.0),
    ),
    "fur_garment": (
        ProductTemplate(
            "羔皮藏袍", "Lambskin chuba", "fur_garment", "1件", 3680.0, "tibetan_sheep"
        ),
        ProductTemplate(
            "羊皮坎肩", "Sheepskin waistcoat", "fur_garment", "1件", 880.0, "tibetan_sheep"
        ),
        ProductTemplate("牦牛皮夹克", "Yak leather jacket", "fur_garment", "1件", 1680.0, "yak"),
        ProductTemplate(
            "皮毛一体外套", "Shearling coat", "fur_garment", "1件", 2280.0, "tibetan_sheep"
        ),
    ),
    "garment_accessory": (
        ProductTemplate("藏式礼帽", "Tibetan felt hat", "garment_accessory", "1顶", 260.0),
        ProductTemplate("邦典围裙", "Bangdian apron", "garment_accessory", "1条", 180.0),
        ProductTemplate("藏式腰带", "Tibetan belt", "garment_accessory", "1条", 220.0),
        ProductTemplate("氆氇披肩", "Pulu shawl", "garment_accessory", "1条", 320.0),
    ),
    "leather": (
        ProductTemplate("牦牛皮钱包", "Yak leather wallet", "leather", "1件", 228.0, "yak"),
        ProductTemplate(
            "藏式皮帽", "Tibetan leather hat", "leather", "1件", 320.0, "tibetan_sheep"
        ),
        ProductTemplate("牦牛皮手提包", "Yak leather handbag", "leather", "1件", 980.0, "yak"),
    ),
}

CHANNEL_PRICE = {"retail": 1.0, "ecommerce": 0.95, "wholesale": 0.8, "tourism": 1.12}
