"""The packaged plan data: loading, validation, and fidelity to the plan originals (seeds)."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml

from plateau.plan.data import (
    PLAN_IDS,
    Figure,
    PlanDocument,
    Regions,
    content_digest,
    load_industries,
    load_plan,
    load_plans,
    load_regions,
    parse_industries,
    parse_plan,
    parse_regions,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT.parent / "shared" / "seeds"
SEED_FILES = {
    "plan_533": "000_0c8476620f3dab78.txt",
    "lhasa_garment": "004_fed7b76654af93b5.txt",
}

# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _data_bytes(name: str) -> bytes:
    return (files("plateau.plan") / "data" / name).read_bytes()


def _data_dict(name: str) -> dict[str, Any]:
    data = yaml.safe_load(_data_bytes(name))
    assert isinstance(data, dict)
    return data


def _seed(plan_id: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"plan originals not found at {SEEDS} (shared/ is not beside the repo)")
    return (SEEDS / SEED_FILES[plan_id]).read_text(encoding="utf-8")


def _squash(text: str) -> str:
    """Drop all whitespace: the seeds break lines and space numbers irregularly."""
    return re.sub(r"\s+", "", text)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# A number printed with a unit, with its qualifier: "超50亿元", "1-2 家", "3—5 个", "83%左右".
_MENTION = re.compile(
    r"(?P<pre>超|突破|不低于|约为|约|近)?\s*"
    r"(?<![\d.])(?P<a>\d+(?:\.\d+)?)"
    r"(?:\s*[-—–－~]\s*(?P<b>\d+(?:\.\d+)?))?"
    r"\s*(?P<more>余|多)?\s*"
    r"(?P<unit>亿元|万元|元|万吨|吨|万亩|亩|公斤|家|个|户|种|项|%)"
    r"(?P<post>(?:（个）)?(?:以上|左右))?"
)
_UNITS: dict[str, tuple[float, str]] = {
    "亿元": (1e8, "CNY"),
    "万元": (1e4, "CNY"),
    "元": (1.0, "CNY"),
    "万吨": (1e4, "t"),
    "吨": (1.0, "t"),
    "万亩": (1e4, "mu"),
    "亩": (1.0, "mu"),
    "公斤": (1e-3, "t"),
    "家": (1.0, "count"),
    "个": (1.0, "count"),
    "户": (1.0, "count"),
    "项": (1.0, "count"),
    "种": (1.0, "count"),
    "%": (1.0, "%"),
}


@dataclass(frozen=True)
class Mention:
    value: float
    value_max: float | None
    unit: str
    bound: str
    text: str
    start: int
    end: int

    def unit_fits(self, unit: str) -> bool:
        return unit == self.unit or (self.unit == "count" and unit == "kind_count")


def mentions(text: str) -> Iterator[Mention]:
    for m in _MENTION.finditer(text):
        scale, unit = _UNITS[m["unit"]]
        pre, post = m["pre"] or "", m["post"] or ""
        if pre in ("超", "突破", "不低于") or m["more"] or post.endswith("以上"):
            bound = "min"
        elif pre in ("约为", "约", "近") or post.endswith("左右"):
            bound = "approx"
        else:
            bound = "exact"
        value_max = float(m["b"]) * scale if m["b"] else None
        start = m.start("pre") if m["pre"] else m.start("a")
        yield Mention(
            float(m["a"]) * scale, value_max, unit, bound, text[start : m.end()], start, m.end()
        )


def _figure_matches(mention: Mention, value: float, value_max: float | None, unit: str) -> bool:
    """Does a number printed in the seed correspond to this figure (a range to a range)?"""
    if not mention.unit_fits(unit) or not _close(value, mention.value):
        return False
    if mention.value_max is None or value_max is None:
        return mention.value_max is None and value_max is None
    return _close(value_max, mention.value_max)


def _section(text: str, start: str, end: str | None, *, last: bool = True) -> str:
    """The body text between two headings; the last occurrence skips the table of contents."""
    i = text.rindex(start) if last else text.index(start)
    j = text.index(end, i + len(start)) if end is not None else len(text)
    return text[i:j]


# Numbers in the seeds that are thresholds of a category, not figures.
THRESHOLDS = {
    "plan_533": ("20 亿元级企业", "10 亿元级企业", "产值 5 亿元以上农畜食品加工龙头企业"),
    "lhasa_garment": ("产值5000万元以上企业",),
}


def _is_threshold(plan_id: str, chunk: str, mention: Mention) -> bool:
    for phrase in THRESHOLDS[plan_id]:
        pattern = r"\s*".join(re.escape(char) for char in _squash(phrase))
        for occurrence in re.finditer(pattern, chunk):
            if occurrence.start() <= mention.start and mention.end <= occurrence.end():
                return True
    return False


def _unmatched(
    plan_id: str,
    chunk: str,
    candidates: Sequence[tuple[float, float | None, str]],
) -> list[str]:
    """Printed numbers of ``chunk`` left without a figure; each figure answers one number."""
    missing = []
    used: set[int] = set()
    for mention in mentions(chunk):
        if _is_threshold(plan_id, chunk, mention):
            continue
        match = next(
            (
                i
                for i, (v, vmax, u) in enumerate(candidates)
                if i not in used and _figure_matches(mention, v, vmax, u)
            ),
            None,
        )
        if match is not None:
            used.add(match)
        else:
            context = chunk[max(0, mention.start - 12) : mention.end + 6].replace("\n", " ")
            missing.append(f"{mention.text!r} in …{context}…")
    return missing


def _figure_candidates(doc: PlanDocument, source: str) -> list[tuple[float, float | None, str]]:
    """(value, value_max, unit) of the figures quoted from one section of the plan."""
    return [(f.value, f.value_max, f.unit) for f in doc.figures if f.source == source]


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------

PREFECTURES = {
    "540100": ("拉萨市", 8),
    "540200": ("日喀则市", 18),
    "540300": ("昌都市", 11),
    "540400": ("林芝市", 7),
    "540500": ("山南市", 12),
    "540600": ("那曲市", 11),
    "542500": ("阿里地区", 7),
}


def test_regions_load_with_all_74_counties() -> None:
    regions = load_regions()
    assert isinstance(regions, Regions)
    assert regions.region.code == "540000"
    assert {p.code: p.name_zh for p in regions.prefectures} == {
        code: name for code, (name, _) in PREFECTURES.items()
    }
    assert len(regions.counties) == 74
    for code, (_, count) in PREFECTURES.items():
        assert len(regions.counties_of(code)) == count, code
    expected = {
        "540102": "城关区",
        "540103": "堆龙德庆区",
        "540104": "达孜区",
        "540121": "林周县",
        "540127": "墨竹工卡县",
        "540202": "桑珠孜区",
        "540302": "卡若区",
        "540402": "巴宜区",
        "540502": "乃东区",
        "540602": "色尼区",
        "540630": "双湖县",
        "542521": "普兰县",
        "542527": "措勤县",
    }
    for code, name in expected.items():
        assert regions.county(code).name_zh == name


def test_renamed_counties_resolve_by_former_code_and_name() -> None:
    regions = load_regions()
    assert regions.county("540422").name_zh == "米林市"
    assert regions.county("540530").name_zh == "错那市"
    assert regions.find_county("米林").code == "540481"
    assert regions.find_county("错那").code == "540581"
    assert regions.find_county("林芝").code == "540402"  # 林芝县 -> 巴宜区
    assert regions.find_county("那曲").code == "540602"
    assert regions.find_county("朗县").code == "540426"
    with pytest.raises(KeyError):
        regions.find_county("不存在")


DESIGN_INDUSTRIES = {
    "agri_food": ("农畜食品精深加工业", 1, "三(一)1"),
    "brewing": ("高原特色酿酒业", 1, "三(一)2"),
    "cookware": ("高原烹饪炊具产业", 1, "三(一)3"),
    "drinking_water": ("天然饮用水产业", 1, "三(一)4"),
    "tibetan_medicine": ("中藏药产业", 1, "三(一)5"),
    "ethnic_handicraft": ("民族手工业", 2, "三(二)1"),
    "oxygen_health": ("高原用氧健康产业", 2, "三(二)2"),
    "packaging": ("新型包装材料产业", 2, "三(二)3"),
    "bio_fermentation": ("生物发酵制品产业", 3, "三(三)1"),
    "beverage_tea": ("高原特色饮品和精制茶加工业", 3, "三(三)2"),
    "leather_wool": ("皮革毛纺产业", 3, "三(三)3"),
}


def test_industries_match_the_design() -> None:
    industries = load_industries()
    assert [i.id for i in industries] == list(DESIGN_INDUSTRIES)
    for industry in industries:
        name, tier, section = DESIGN_INDUSTRIES[industry.id]
        assert (industry.name_zh, industry.tier, industry.section) == (name, tier, section)
    codes = [code for i in industries for code in i.gbt4754]
    assert len(codes) == len(set(codes)), "a GB/T 4754 class belongs to one industry only"
    by_id = {i.id: i for i in industries}
    assert by_id["drinking_water"].gbt4754 == ("1522",)
    assert {"1512", "1513", "1514", "1515", "1519"} <= set(by_id["brewing"].gbt4754)
    assert {"2730", "2740"} <= set(by_id["tibetan_medicine"].gbt4754)
    assert by_id["drinking_water"].gbt4754_names_zh["1522"] == "瓶（罐）装饮用水制造"


def test_plans_load_in_order_and_are_cached() -> None:
    plans = load_plans()
    assert [p.plan.id for p in plans] == list(PLAN_IDS) == ["plan_533", "lhasa_garment"]
    assert load_plan("plan_533") is load_plan("plan_533")
    meta = load_plan("plan_533").plan
    assert (meta.document_no, meta.issued, meta.issuer_zh) == (
        "藏绿工组发〔2023〕4号",
        "2023-06",
        "西藏自治区绿色工业专项组",
    )
    assert (meta.period_start, meta.period_end, meta.base_year) == (2023, 2030, 2022)
    lhasa = load_plan("lhasa_garment").plan
    assert (lhasa.period_start, lhasa.period_end, lhasa.base_year) == (2024, 2026, 2023)
    with pytest.raises(ValueError, match="unknown plan id"):
        load_plan("no_such_plan")


def test_figure_counts() -> None:
    plan = load_plan("plan_533")
    lhasa = load_plan("lhasa_garment")
    assert len(plan.figures) == 113
    assert len(lhasa.figures) == 9
    assert len(lhasa.incentives) == 4
    assert plan.incentives == ()
    assert all(f.scope == "program:lhasa_garment" for f in lhasa.figures)
    assert all(f.kind == "target" for f in lhasa.figures)


def test_content_digest_is_the_sha256_of_the_file() -> None:
    digests = {plan_id: content_digest(plan_id) for plan_id in PLAN_IDS}
    for plan_id, digest in digests.items():
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        assert digest == hashlib.sha256(_data_bytes(f"{plan_id}.yaml")).hexdigest()
    assert len(set(digests.values())) == len(PLAN_IDS)
    with pytest.raises(ValueError):
        content_digest("no_such_plan")


# --------------------------------------------------------------------------------------
# spot checks against the seeds
# --------------------------------------------------------------------------------------

# One line per figure: indicator scope year kind value value_max bound unit since_year
# ("-" for none). Values are in the stored units (CNY, t, mu...).
SPOT_CHECKS_TEXT = {
    "plan_533": """
# 一(一) / 一(二) — the 2022 situation
output_value region 2022 baseline 5e9 - min CNY -
enterprises_above_size region 2022 baseline 63 - exact count -
enterprises_over_100m region 2022 baseline 14 - exact count -
high_tech_enterprises region 2022 baseline 15 - exact count -
specialized_smes region 2022 baseline 21 - exact count -
green_factories region 2022 baseline 17 - exact count -
barley_product_varieties industry:agri_food 2022 baseline 80 - min kind_count -
handicraft_product_varieties industry:ethnic_handicraft 2022 baseline 30 - min kind_count -
gmp_certified_enterprises industry:tibetan_medicine 2022 baseline 15 - exact count -
water_enterprises_core_prefectures industry:drinking_water 2022 baseline 38 - exact count -
water_enterprises_core_prefectures_share industry:drinking_water 2022 baseline 68 - exact % -
water_design_capacity_core_prefectures industry:drinking_water 2022 baseline 4.8e6 - exact t -
water_design_capacity_core_prefectures_share industry:drinking_water 2022 baseline 95 - exact % -
output_value_national_share region 2022 baseline 0.04 - exact % -
output_value industry:agri_food 2022 baseline 1.8e9 - exact CNY -
drinking_water_volume industry:drinking_water 2022 baseline 500000 - exact t -
drinking_water_national_share industry:drinking_water 2022 baseline 0.6 - exact % -
yak_purchase_price_per_jin region 2022 baseline 42 - exact CNY -
yak_purchase_price_per_jin benchmark:qinghai 2022 baseline 34 - exact CNY -
raw_milk_purchase_price_per_jin benchmark:outside_region 2022 baseline 1.7 - exact CNY -
raw_milk_purchase_price_premium region 2022 baseline 76.5 - exact % -
worker_monthly_wage region 2022 baseline 6000 - exact CNY -
industrial_electricity_price_per_kwh benchmark:qinghai 2022 baseline 0.42 - exact CNY -
barley_commodity_conversion_rate benchmark:qinghai 2022 baseline 83 - approx % -
yak_offtake_rate region 2022 baseline 5.3 - exact % -
yak_offtake_rate benchmark:qinghai 2022 baseline 30 - approx % -
# 二(三) — text and table
output_value region 2025 target 7.5e9 - min CNY -
output_value region 2030 target 1.4e10 - min CNY -
value_added_growth region 2025 target 7 - exact % 2022
value_added_growth region 2030 target 8 - exact % 2022
enterprises_above_size region 2030 target 100 - exact count -
barley_conversion_rate region 2020 baseline 17.8 - exact % -
barley_conversion_rate region 2030 target 28 - exact % -
parks_over_100m region 2022 baseline 3 - exact count -
parks_over_100m region 2025 target 5 - exact count -
park_output_value region 2030 target 9.5e9 - exact CNY -
standard_testing_platforms region 2025 target 1 2 exact count 2022
national_innovation_carriers region 2030 target 2 - exact count 2025
new_enterprises_above_size region 2025 target 15 - approx count 2022
new_enterprises_above_size region 2030 target 20 - exact count 2025
little_giants region 2025 target 1 2 exact count -
enterprises_over_2b region 2030 target 1 - exact count -
enterprises_over_1b region 2030 target 2 3 exact count -
enterprises_over_100m region 2030 target 5 6 exact count -
little_giants_or_single_champions region 2030 target 5 - approx count -
new_green_manufacturing region 2030 target 20 - approx count 2025
# 三 — industries
output_value industry:bio_fermentation 2025 target 5e7 - min CNY -
output_value industry:bio_fermentation 2030 target 1e8 - min CNY -
bio_fermentation_enterprises_above_size industry:bio_fermentation 2030 target 2 3 exact count -
output_value industry:ethnic_handicraft 2025 target 1.3e8 - exact CNY -
output_value industry:tibetan_medicine 2030 target 5.5e9 - exact CNY -
output_value_growth industry:tibetan_medicine 2030 target 10 - min % 2022
output_value_growth industry:drinking_water 2030 target 20 - min % 2022
drinking_water_volume industry:drinking_water 2025 target 700000 - exact t -
drinking_water_volume industry:drinking_water 2030 target 1.7e6 - exact t -
drinking_water_market_share industry:drinking_water 2030 target 80 - min % -
leading_enterprises_over_500m industry:agri_food 2030 target 2 3 exact count -
# 四 and 专栏
tech_innovation_bases_meat industry:agri_food 2030 target 1 3 exact count 2022
city_promotion_events_per_year region 2030 target 1 2 exact count 2022
diagnosis_treatment_standards industry:tibetan_medicine 2030 target 30 - exact count -
external_therapy_specifications industry:tibetan_medicine 2030 target 2 3 exact count -
fermentation_product_standards industry:bio_fermentation 2030 target 3 5 exact count 2022
new_standardized_barley_area base:highland_barley 2030 target 700000 - exact mu 2022
yak_fattening_weight_gain base:yak 2030 target 0.05 - min t -
meat_sheep_main_areas base:tibetan_sheep 2030 target 10 - exact count -
smart_factories industry:drinking_water 2025 target 3 - min count 2022
leading_enterprises_visiting_per_year region 2030 target 10 - approx count 2022
# Lhasa garment program
""",
    "lhasa_garment": """
sales_value_growth program:lhasa_garment 2024 target 15 - min % 2023
sales_value_growth program:lhasa_garment 2025 target 20 - min % 2024
platforms_built program:lhasa_garment 2024 target 2 - exact count 2023
markets_built program:lhasa_garment 2024 target 1 - exact count 2023
enterprises_above_size_or_quota program:lhasa_garment 2025 target 1 2 exact count -
regional_brands program:lhasa_garment 2025 target 3 5 exact count -
enterprises_over_50m program:lhasa_garment 2026 target 1 - exact count -
specialized_smes program:lhasa_garment 2026 target 1 3 exact count -
new_green_manufacturing program:lhasa_garment 2026 target 3 - approx count 2023
""",
}


def _optional(token: str) -> float | None:
    return None if token == "-" else float(token)


SPOT_CHECKS: list[tuple[str, str, str, int, str, float, float | None, str, str, int | None]] = [
    (
        plan_id,
        indicator,
        scope,
        int(year),
        kind,
        float(value),
        _optional(value_max),
        bound,
        unit,
        None if since == "-" else int(since),
    )
    for plan_id, text in SPOT_CHECKS_TEXT.items()
    for line in text.splitlines()
    if line.strip() and not line.startswith("#")
    for indicator, scope, year, kind, value, value_max, bound, unit, since in [line.split()]
]
SPOT_CHECKS.append(  # too long for one line of the table above
    (
        "plan_533",
        "national_leading_water_enterprises_introduced",
        "industry:drinking_water",
        2030,
        "target",
        1.0,
        2.0,
        "exact",
        "count",
        2022,
    )
)


@pytest.mark.parametrize(
    (
        "plan_id",
        "indicator",
        "scope",
        "year",
        "kind",
        "value",
        "value_max",
        "bound",
        "unit",
        "since",
    ),
    SPOT_CHECKS,
    ids=[f"{c[0]}:{c[1]}:{c[2]}:{c[3]}:{c[4]}" for c in SPOT_CHECKS],
)
def test_spot_check_figures(
    plan_id: str,
    indicator: str,
    scope: str,
    year: int,
    kind: str,
    value: float,
    value_max: float | None,
    bound: str,
    unit: str,
    since: int | None,
) -> None:
    doc = load_plan(plan_id)
    assert kind in ("baseline", "target")
    figure = doc.figure(indicator, scope, year, "baseline" if kind == "baseline" else "target")
    assert _close(figure.value, value)
    if value_max is None:
        assert figure.value_max is None
    else:
        assert figure.value_max is not None and _close(figure.value_max, value_max)
    assert (figure.bound, figure.unit, figure.since_year) == (bound, unit, since)


INDUSTRY_OUTPUT_TARGETS = {  # 亿元, 2025 and 2030, from section 三
    "agri_food": (10, 20),
    "brewing": (8, 18),
    "cookware": (5, 8),
    "drinking_water": (8, 20),
    "tibetan_medicine": (35, 55),
    "ethnic_handicraft": (1.3, 2),
    "oxygen_health": (5, 10),
    "packaging": (2, 4),
    "bio_fermentation": (0.5, 1),
    "beverage_tea": (1, 2),
    "leather_wool": (1, 2),
}


def test_every_industry_has_its_output_targets() -> None:
    doc = load_plan("plan_533")
    industries = {i.id: i for i in load_industries()}
    for industry_id, (y2025, y2030) in INDUSTRY_OUTPUT_TARGETS.items():
        for year, amount in ((2025, y2025), (2030, y2030)):
            figure = doc.figure("output_value", f"industry:{industry_id}", year, "target")
            assert _close(figure.value, amount * 1e8), (industry_id, year)
            assert figure.source == industries[industry_id].section
            expected_bound = "min" if industry_id == "bio_fermentation" else "exact"
            assert figure.bound == expected_bound
    # The industry targets add up to about the regional targets (75 / 140 亿元).
    total_2025 = sum(v for v, _ in INDUSTRY_OUTPUT_TARGETS.values())
    total_2030 = sum(v for _, v in INDUSTRY_OUTPUT_TARGETS.values())
    assert 75 <= total_2025 <= 80
    assert 140 <= total_2030 <= 145


INCENTIVES = {
    "leading_enterprise_support_rate": (5, None, "%", "exact"),
    "leading_enterprise_support_cap": (500_000, None, "CNY", "max"),
    "technology_upgrade_award": (200_000, 1_500_000, "CNY", "exact"),
    "first_time_above_size_award": (300_000, None, "CNY", "exact"),
}


def test_lhasa_incentives() -> None:
    doc = load_plan("lhasa_garment")
    assert [i.id for i in doc.incentives] == list(INCENTIVES)
    for incentive_id, (amount, amount_max, unit, bound) in INCENTIVES.items():
        incentive = doc.incentive(incentive_id)
        assert (incentive.amount, incentive.amount_max, incentive.unit, incentive.bound) == (
            amount,
            amount_max,
            unit,
            bound,
        )
        assert incentive.source == "二(五)"


# --------------------------------------------------------------------------------------
# fidelity to the seed texts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_text_zh_is_quoted_from_the_seed(plan_id: str) -> None:
    seed = _squash(_seed(plan_id))
    doc = load_plan(plan_id)
    quotes = [(f"figure {f.key}", f.text_zh) for f in doc.figures]
    quotes += [(f"incentive {i.id}", i.text_zh) for i in doc.incentives]
    quotes += [(f"park {p.id}", p.focus_zh) for p in doc.parks]
    missing = []
    for label, quote in quotes:
        position = 0
        for part in quote.split("…"):
            found = seed.find(_squash(part), position)
            if found < 0:
                missing.append(f"{label}: {part!r}")
                break
            position = found + len(_squash(part))
    assert not missing, "quotes not found in the seed:\n" + "\n".join(missing)


# Figures whose quoted phrase prints the number without a digit.
NUMBER_IN_WORDS = {("bottled_water_transport_cost_premium", "一倍")}


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_each_figure_value_and_bound_are_printed_in_its_quote(plan_id: str) -> None:
    """The value sits in text_zh with its unit, and the qualifier next to it gives the bound."""
    doc = load_plan(plan_id)
    problems = []
    for figure in doc.figures:
        if figure.source == "二(三) 表":
            continue  # checked cell by cell in test_main_indicator_table
        if any(figure.indicator == i and word in figure.text_zh for i, word in NUMBER_IN_WORDS):
            continue
        found = [
            m
            for m in mentions(figure.text_zh)
            if m.unit_fits(figure.unit)
            and _close(m.value, figure.value)
            and (
                (m.value_max is None and figure.value_max is None)
                or (
                    m.value_max is not None
                    and figure.value_max is not None
                    and _close(m.value_max, figure.value_max)
                )
            )
        ]
        if not found:
            problems.append(f"{figure.key}: value not printed in {figure.text_zh!r}")
            continue
        expected = found[0].bound
        if figure.indicator == "output_value_ratio_to_yili":
            expected = "approx"  # "不到…2%": no upper-bound vocabulary for figures
        if figure.bound != expected:
            problems.append(f"{figure.key}: bound {figure.bound}, the text says {expected}")
    assert not problems, "\n".join(problems)


TABLE_ROWS = {
    "规上轻工业增加值年均增速（%）": ("value_added_growth", 1.0),
    "规上轻工业总产值（亿元）": ("output_value", 1e8),
    "规上轻工业企业（户）": ("enterprises_above_size", 1.0),
    "高新技术企业（户）": ("high_tech_enterprises", 1.0),
    "自治区级以上“专精特新”企业（户）": ("specialized_smes", 1.0),
    "青稞加工转化率（%）": ("barley_conversion_rate", 1.0),
    "自治区级以上绿色工厂（家）": ("green_factories", 1.0),
    "产值 1 亿元以上重点轻工产业园区（个）": ("parks_over_100m", 1.0),
    "园区内规上轻工业总产值（亿元）": ("park_output_value", 1e8),
}
_CELL = re.compile(r"^(?P<v>\d+(?:\.\d+)?)(?:\s*\((?P<y1>\d{4})(?:-(?P<y2>\d{4}))?\s*年\))?$")


def test_main_indicator_table() -> None:
    """Every cell of the 二(三) table is a figure (the text's qualifier may override exact)."""
    seed = _seed("plan_533")
    table = _section(seed, "2025 年和 2030 年青藏高原轻工业主要指标", "注：", last=False)
    doc = load_plan("plan_533")
    rows_seen = set()
    cells = 0
    for line in table.splitlines():
        parts = line.split("\t")
        if len(parts) < 4 or parts[-4] not in TABLE_ROWS:
            continue
        label, *columns = parts[-4:]
        rows_seen.add(label)
        indicator, scale = TABLE_ROWS[label]
        for column_year, cell in zip((2022, 2025, 2030), columns, strict=True):
            if cell.strip() == "—":
                continue
            m = _CELL.match(cell.strip())
            assert m, f"unparsed cell {cell!r}"
            kind: Literal["baseline", "target"] = "baseline" if column_year == 2022 else "target"
            year, since = column_year, None
            if m["y2"]:
                since, year = int(m["y1"]), int(m["y2"])
            elif m["y1"]:
                year = int(m["y1"])
            figure = doc.figure(indicator, "region", year, kind)
            assert _close(figure.value, float(m["v"]) * scale), (label, column_year)
            assert figure.since_year == since, (label, column_year)
            if figure.source == "二(三) 表":
                assert figure.bound == "exact"
            else:  # also printed in the text, whose qualifier wins
                assert figure.source in ("一(一)", "二(三)")
            cells += 1
    assert rows_seen == set(TABLE_ROWS)
    assert cells == 26


def _section_three_chunks(seed: str) -> list[tuple[str, str]]:
    body = _section(seed, "三、重点方向", "四、专项行动")
    starts = []
    for industry in load_industries():
        m = re.search(rf"\n\d\.\s*{re.escape(industry.name_zh)}\n", body)
        assert m, industry.name_zh
        starts.append((m.start(), industry.section))
    starts.sort()
    chunks = []
    for index, (start, section) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(body)
        chunks.append((section, body[start:end]))
    return chunks


def test_goals_and_section_three_numbers_all_have_figures() -> None:
    """Each number with a unit in 二(三) and in every subsection of 三 is a figure of it."""
    seed = _seed("plan_533")
    doc = load_plan("plan_533")
    chunks = [
        ("二(三)", _section(seed, "（三）发展目标", "2025 年和 2030 年青藏高原轻工业主要指标"))
    ]
    chunks += _section_three_chunks(seed)
    missing = []
    checked = 0
    for source, chunk in chunks:
        candidates = _figure_candidates(doc, source)
        missing += [f"{source}: {m}" for m in _unmatched("plan_533", chunk, candidates)]
        checked += sum(1 for _ in mentions(chunk))
    assert checked > 50
    assert not missing, "numbers without a figure:\n" + "\n".join(missing)


_CN_NUMBERS = "一二三四五六七"


def _section_four_chunks(seed: str) -> list[tuple[str, str]]:
    """Section 四 cut into pieces named like figure sources: "四(一)2", "专栏4 1"..."""
    body = _section(seed, "四、专项行动", "五、保障措施")
    chunks: list[tuple[str, str]] = []
    source, box = "四", ""
    lines: list[str] = []
    action = ""
    for line in body.splitlines(keepends=True):
        stripped = line.strip()
        head = re.match(rf"^（([{_CN_NUMBERS}])）", stripped)
        subsection = re.match(r"^(\d)\.[^。]{1,20}$", stripped)
        box_start = re.match(r"^专栏 (\d)", stripped)
        box_item = re.match(r"^(\d+)\.[^。]{1,25}。", stripped)
        new_source = None
        if head:
            action, box = f"四({head[1]})", ""
            new_source = action
        elif subsection:
            box = ""
            new_source = f"{action}{subsection[1]}"
        elif box_start:
            box = box_start[1]
            new_source = f"专栏{box}"
        elif box and box_item:
            new_source = f"专栏{box} {box_item[1]}"
        if new_source is not None:
            chunks.append((source, "".join(lines)))
            source, lines = new_source, []
        lines.append(line)
    chunks.append((source, "".join(lines)))
    return [(s, text) for s, text in chunks if text.strip()]


def test_section_four_is_cut_into_figure_sources() -> None:
    sources = [s for s, _ in _section_four_chunks(_seed("plan_533"))]
    for expected in (
        "四(一)2",
        "四(二)2",
        "专栏2 3",
        "专栏2 5",
        "专栏4 1",
        "专栏4 9",
        "专栏5 2",
        "专栏6 1",
        "四(七)",
        "四(六)2",
    ):
        assert expected in sources


def test_other_sections_numbers_all_have_figures() -> None:
    """一 (situation), 四 (special actions and their 专栏), 五 and 六: no number is left out."""
    seed = _seed("plan_533")
    doc = load_plan("plan_533")
    chunks = [
        ("一(一)", _section(seed, "（一）发展现状", "（二）主要问题", last=False)),
        ("一(二)", _section(seed, "（二）主要问题", "二、总体要求", last=False)),
        *_section_four_chunks(seed),
        ("五", _section(seed, "五、保障措施", None)),
    ]
    missing = []
    checked = 0
    for source, chunk in chunks:
        candidates = _figure_candidates(doc, source)
        missing += [f"{source}: {m}" for m in _unmatched("plan_533", chunk, candidates)]
        checked += sum(1 for _ in mentions(chunk))
    assert checked > 40
    assert not missing, "numbers without a figure:\n" + "\n".join(missing)


def test_lhasa_numbers_all_have_figures_or_incentives() -> None:
    seed = _seed("lhasa_garment")
    doc = load_plan("lhasa_garment")
    goals = _section(seed, "（三）主要目标", "二、重点任务", last=False)
    heads = ["1.重构业态", "2.提质赋能", "3.集聚发展"]
    positions = [goals.index(h) for h in heads] + [len(goals)]
    missing = []
    for n, head in enumerate(heads):
        chunk = goals[positions[n] : positions[n + 1]]
        source = f"一(三){n + 1}"
        candidates = _figure_candidates(doc, source)
        missing += _unmatched("lhasa_garment", chunk, candidates)
        assert any(True for _ in mentions(chunk)), head
    tasks = _section(seed, "二、重点任务", "三、保障措施", last=False)
    # "20万元—150万元" prints a range as two amounts: each end is matched on its own.
    money: list[tuple[float, float | None, str]] = [
        (i.amount, None, i.unit) for i in doc.incentives
    ]
    money += [(i.amount_max, None, i.unit) for i in doc.incentives if i.amount_max is not None]
    missing += _unmatched("lhasa_garment", tasks, money)
    # Outside the goals and the tasks the plan prints no quantity.
    rest = seed[: seed.index("（三）主要目标")] + seed[seed.index("三、保障措施") :]
    missing += _unmatched("lhasa_garment", rest, [])
    assert not missing, "numbers without a figure or incentive:\n" + "\n".join(missing)


# --------------------------------------------------------------------------------------
# parks, raw-material bases, special actions
# --------------------------------------------------------------------------------------

PARK_IDS = [
    "lhasa_etdz",
    "lhasa_hitech",
    "dazi_industrial_park",
    "zhizhao_industrial_park",
    "shigatse_edz",
    "shannan_demo_zone",
    "senburi_livestock_park",
    "nyingchi_edz",
    "chamdo_edz",
    "nagqu_hitech",
]
# How 专栏3 names the industries.
INDUSTRY_WORDS = {
    "农畜食品精深加工": "agri_food",
    "高原特色酿造业": "brewing",
    "高原特色酿酒业": "brewing",
    "天然饮用水": "drinking_water",
    "高原烹饪炊具": "cookware",
    "中藏药": "tibetan_medicine",
    "高原用氧健康": "oxygen_health",
    "新型包装材料": "packaging",
    "民族手工业": "ethnic_handicraft",
    "生物发酵制品": "bio_fermentation",
    "高原特色饮品和精制茶加工业": "beverage_tea",
    "皮革毛纺": "leather_wool",
}


def test_parks_follow_box_3() -> None:
    seed = _seed("plan_533")
    box = _section(seed, "专栏 3：特色产业园区培育工程", "（五）产业生态构建行动")
    doc = load_plan("plan_533")
    regions = load_regions()
    assert [p.id for p in doc.parks] == PARK_IDS
    for number, park in enumerate(doc.parks, start=1):
        assert park.source == f"专栏3 {number}"
        m = re.search(rf"{number}\.{re.escape(park.name_zh)}。(?P<body>[^\n]*)", box)
        assert m, park.name_zh
        named = {i for word, i in INDUSTRY_WORDS.items() if word in m["body"]}
        assert set(park.industries) == named, park.id
        assert regions.county(park.county).prefecture == park.prefecture
    assert doc.park("lhasa_etdz").level == "national"
    assert doc.park("lhasa_etdz").prefecture == "540100"


BASE_IDS = [
    "highland_barley",
    "yak",
    "dairy_cattle",
    "tibetan_sheep",
    "tibetan_chicken",
    "tibetan_pig",
    "tibetan_medicinal_herbs",
    "tea",
    "grape",
]


def _county_stems(regions: Regions) -> list[tuple[str, str]]:
    stems: dict[str, str] = {}
    for county in regions.counties:
        for name in (county.name_zh, *county.former_names_zh):
            stems[name] = county.code
            if len(name) > 2 and name[-1] in "县区市":
                stems[name[:-1]] = county.code
    return sorted(stems.items(), key=lambda item: -len(item[0]))


def _counties_named(paragraph: str, regions: Regions) -> list[str]:
    """County codes in the order the paragraph names them (longest names matched first)."""
    text = paragraph
    for prefecture in regions.prefectures:
        text = text.replace(prefecture.name_zh, "#" * len(prefecture.name_zh))
    found: list[tuple[int, str]] = []
    for stem, code in _county_stems(regions):
        for m in re.finditer(re.escape(stem), text):
            found.append((m.start(), code))
        text = text.replace(stem, "#" * len(stem))
    ordered: list[str] = []
    for _, code in sorted(found):
        if code not in ordered:
            ordered.append(code)
    return ordered


def test_raw_material_bases_name_every_county_of_box_4() -> None:
    seed = _seed("plan_533")
    box = _section(seed, "专栏 4：原料基地建设工程", "2.提升工业设计水平")
    paragraphs = re.split(r"\n\s*\d\.(?=\S+?。)", box)[1:]
    assert len(paragraphs) == 9
    doc = load_plan("plan_533")
    regions = load_regions()
    assert [b.id for b in doc.raw_material_bases] == BASE_IDS
    for number, (base, paragraph) in enumerate(
        zip(doc.raw_material_bases, paragraphs, strict=True), start=1
    ):
        assert paragraph.startswith(f"{base.name_zh}。"), (base.id, paragraph[:10])
        assert base.source == f"专栏4 {number}"
        assert list(base.counties) == _counties_named(paragraph, regions), base.id
    assert "540402" in doc.raw_material_base("tibetan_medicinal_herbs").counties  # "林芝"
    assert "540581" in doc.raw_material_base("tea").counties  # "错那"


def test_special_actions_follow_section_four() -> None:
    seed = _seed("plan_533")
    body = _squash(_section(seed, "四、专项行动", "五、保障措施"))
    doc = load_plan("plan_533")
    assert [a.section for a in doc.special_actions] == [f"四({n})" for n in "一二三四五六七"]
    for number, action in zip("一二三四五六七", doc.special_actions, strict=True):
        assert f"（{number}）{action.name_zh}" in body
        numbered = [item for item in action.items if item.section != action.section]
        for n, item in enumerate(numbered, start=1):
            assert item.section == f"{action.section}{n}"
            assert f"{n}.{item.name_zh}" in body, item.name_zh
        for item in action.items:
            assert item.name_zh in body
    counts = [len(a.items) for a in doc.special_actions]
    assert counts == [3, 2, 2, 3, 3, 2, 4]


# --------------------------------------------------------------------------------------
# validators reject broken copies
# --------------------------------------------------------------------------------------


def _index(data: dict[str, Any], indicator: str, scope: str | None = None) -> int:
    for i, figure in enumerate(data["figures"]):
        if figure["indicator"] == indicator and (scope is None or figure["scope"] == scope):
            return i
    raise AssertionError(indicator)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _range_value_max_below(data: dict[str, Any]) -> None:
    i = _index(data, "little_giants")
    data["figures"][i]["value_max"] = 0


def _duplicate_first_figure(data: dict[str, Any]) -> None:
    data["figures"].append(dict(data["figures"][0]))


def _target_after_period(data: dict[str, Any]) -> None:
    data["figures"][_index(data, "parks_over_100m", "region") + 1]["year"] = 2035


def _since_after_year(data: dict[str, Any]) -> None:
    data["figures"][_index(data, "value_added_growth")]["since_year"] = 2026


def _duplicate_indicator(data: dict[str, Any]) -> None:
    data["indicators"].append(dict(data["indicators"][0]))


def _unknown_base_county(data: dict[str, Any]) -> None:
    data["raw_material_bases"][0]["counties"].append("549999")


def _extra_field(data: dict[str, Any]) -> None:
    data["figures"][0]["comment"] = "not a field"


PLAN_533_BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("bad bound", _set(("figures", 0, "bound"), "maybe"), "figures[0].bound", "'min'"),
    ("value_max below value", _range_value_max_below, "indicator=little_giants", "value_max"),
    ("unknown unit", _set(("figures", 0, "unit"), "kg"), "figures[0].unit", "unit 'kg'"),
    ("unit differs from indicator", _set(("figures", 0, "unit"), "t"), "figures[0]", "differs"),
    (
        "unknown industry",
        _set(("figures", 0, "scope"), "industry:steel"),
        "figures[0]",
        "unknown industry",
    ),
    ("unknown park", _set(("figures", 0, "scope"), "park:nowhere"), "figures[0]", "unknown park"),
    (
        "unknown base",
        _set(("figures", 0, "scope"), "base:nowhere"),
        "figures[0]",
        "unknown raw-material base",
    ),
    (
        "unknown prefecture",
        _set(("figures", 0, "scope"), "prefecture:549900"),
        "figures[0]",
        "unknown prefecture",
    ),
    (
        "bad scope prefix",
        _set(("figures", 0, "scope"), "county:540102"),
        "figures[0].scope",
        "scope",
    ),
    (
        "unknown benchmark",
        _set(("figures", 0, "scope"), "benchmark:mars"),
        "figures[0].scope",
        "unknown benchmark",
    ),
    (
        "unknown program",
        _set(("figures", 0, "scope"), "program:other"),
        "figures[0].scope",
        "unknown program",
    ),
    ("duplicate key", _duplicate_first_figure, "figures[113]", "duplicates figures[0]"),
    (
        "undeclared indicator",
        _set(("figures", 0, "indicator"), "no_such_indicator"),
        "figures[0]",
        "not declared",
    ),
    ("target outside the period", _target_after_period, "figures[", "outside the plan period"),
    ("since_year after year", _since_after_year, "indicator=value_added_growth", "since_year"),
    ("duplicate indicator", _duplicate_indicator, "<document>", "duplicate indicator ids"),
    (
        "park in unknown county",
        _set(("parks", 0, "county"), "540199"),
        "parks[0] (lhasa_etdz)",
        "unknown county",
    ),
    (
        "park county in another prefecture",
        _set(("parks", 0, "county"), "540202"),
        "parks[0] (lhasa_etdz)",
        "lies in 540200",
    ),
    (
        "park unknown industry",
        _set(("parks", 1, "industries"), ["steel"]),
        "parks[1]",
        "unknown industry",
    ),
    ("park bad level", _set(("parks", 0, "level"), "galactic"), "parks[0].level", "'national'"),
    (
        "base unknown county",
        _unknown_base_county,
        "raw_material_bases[0] (highland_barley)",
        "unknown county",
    ),
    (
        "base unknown industry",
        _set(("raw_material_bases", 0, "industries"), ["steel"]),
        "raw_material_bases[0]",
        "unknown industry",
    ),
    (
        "action item outside",
        _set(("special_actions", 0, "items", 0, "section"), "五(一)1"),
        "special_actions[0]",
        "not inside",
    ),
    ("extra field", _extra_field, "figures[0].comment", "Extra inputs are not permitted"),
    ("bad issued", _set(("plan", "issued"), "2023-13"), "plan.issued", "YYYY-MM"),
]


@pytest.mark.parametrize(
    ("mutate", "entry", "message"),
    [case[1:] for case in PLAN_533_BREAKAGES],
    ids=[case[0] for case in PLAN_533_BREAKAGES],
)
def test_plan_validators_reject_broken_copies(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], entry: str, message: str
) -> None:
    data = _data_dict("plan_533.yaml")
    mutate(data)
    path = tmp_path / "plan_533.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError) as excinfo:
        parse_plan(path.read_bytes(), path.name)
    text = str(excinfo.value)
    assert "plan_533.yaml" in text
    assert entry in text
    assert message in text


def _incentive_range_inverted(data: dict[str, Any]) -> None:
    data["incentives"][2]["amount_max"] = 100_000


LHASA_BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "amount_max below amount",
        _incentive_range_inverted,
        "incentives[2] (id=technology_upgrade_award)",
        "amount_max",
    ),
    ("incentive unit", _set(("incentives", 0, "unit"), "USD"), "incentives[0].unit", "unit 'USD'"),
    ("incentive bound", _set(("incentives", 1, "bound"), "approx"), "incentives[1].bound", "'max'"),
    ("wrong plan id", _set(("plan", "id"), "lhasa"), "plan.id", "unknown plan id"),
]


@pytest.mark.parametrize(
    ("mutate", "entry", "message"),
    [case[1:] for case in LHASA_BREAKAGES],
    ids=[case[0] for case in LHASA_BREAKAGES],
)
def test_lhasa_validators_reject_broken_copies(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], entry: str, message: str
) -> None:
    data = _data_dict("lhasa_garment.yaml")
    mutate(data)
    path = tmp_path / "lhasa_garment.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError) as excinfo:
        parse_plan(path.read_bytes(), path.name)
    text = str(excinfo.value)
    assert "lhasa_garment.yaml" in text
    assert entry in text
    assert message in text


def _duplicate_county(data: dict[str, Any]) -> None:
    data["counties"].append(dict(data["counties"][0]))


REGION_BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown prefecture", _set(("counties", 0, "prefecture"), "549900"), "does not lie"),
    (
        "county outside its prefecture",
        _set(("counties", 0, "prefecture"), "540200"),
        "does not lie",
    ),
    ("duplicate county", _duplicate_county, "duplicate county codes"),
    ("bad county code", _set(("counties", 0, "code"), "5401"), "six-digit"),
    ("bad kind", _set(("counties", 0, "kind"), "banner"), "'district'"),
]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [case[1:] for case in REGION_BREAKAGES],
    ids=[case[0] for case in REGION_BREAKAGES],
)
def test_regions_validators_reject_broken_copies(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = _data_dict("regions.yaml")
    mutate(data)
    path = tmp_path / "regions.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as excinfo:
        parse_regions(path.read_bytes(), path.name)
    assert "regions.yaml" in str(excinfo.value)


def _code_in_two_industries(data: dict[str, Any]) -> None:
    data["industries"][1]["gbt4754"].append("1522")
    data["industries"][1]["gbt4754_names_zh"]["1522"] = "瓶（罐）装饮用水制造"


def _code_outside_manufacturing(data: dict[str, Any]) -> None:
    data["industries"][4]["gbt4754"].append("0170")
    data["industries"][4]["gbt4754_names_zh"]["0170"] = "中草药种植"


def _name_missing(data: dict[str, Any]) -> None:
    del data["industries"][0]["gbt4754_names_zh"]["1314"]


INDUSTRY_BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("code in two industries", _code_in_two_industries, "code 1522 already belongs to brewing"),
    ("code outside section C", _code_outside_manufacturing, "outside sections"),
    ("names do not match codes", _name_missing, "must name exactly"),
    ("bad tier", _set(("industries", 0, "tier"), 4), "industries[0].tier"),
    ("bad code", _set(("industries", 0, "gbt4754"), ["15"]), "four-digit"),
]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [case[1:] for case in INDUSTRY_BREAKAGES],
    ids=[case[0] for case in INDUSTRY_BREAKAGES],
)
def test_industries_validators_reject_broken_copies(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = _data_dict("industries.yaml")
    mutate(data)
    path = tmp_path / "industries.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as excinfo:
        parse_industries(path.read_bytes(), path.name)
    assert "industries.yaml" in str(excinfo.value)


def test_invalid_yaml_is_reported_with_the_file_name() -> None:
    with pytest.raises(ValueError, match=r"broken\.yaml: not valid YAML"):
        parse_plan(b"plan: [unclosed", "broken.yaml")
    with pytest.raises(ValueError, match="expected a mapping"):
        parse_regions(b"- 1\n- 2\n", "list.yaml")


def test_models_are_frozen() -> None:
    figure: Figure = load_plan("plan_533").figures[0]
    with pytest.raises(ValueError):
        figure.value = 0  # type: ignore[misc]
