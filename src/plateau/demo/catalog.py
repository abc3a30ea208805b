"""Brands, products (with GTINs), certifications and investment projects of the demo world."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from plateau.demo.firms import ABOVE, ENTRANT, Firm
from plateau.demo.history import month_add
from plateau.demo.names import BUSINESS_WORDS, NamePool, investor_name
from plateau.demo.profiles import PRODUCTS, WAN, YI, ProductTemplate
from plateau.demo.reference import Reference
from plateau.registry.identifiers import make_gtin


@dataclass
class ProductPlan:
    """A product while the world is built: its row plus what sales generation needs."""

    key: int
    firm: Firm
    template: ProductTemplate
    launch: date  # first month it sells
    weight: float  # share of the firm's product sales
    price_jitter: float


SHOWCASE_PRODUCTS: dict[str, tuple[str, ...]] = {
    "showcase_yak": ("牦牛肉干",),
    "showcase_barley": ("青稞面粉", "青稞饼干"),
    "showcase_water": ("冰川天然矿泉水",),
}


def _gs1_prefixes(rng: random.Random, n: int) -> list[str]:
    """Invented GS1 China company prefixes: 69 + 7 digits, all different."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        p = "69" + "".join(rng.choice("0123456789") for _ in range(7))
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def catalog_rows(
    rng: random.Random,
    firms: list[Firm],
    *,
    trade: dict[int, tuple[str, str]],
    pool: NamePool,
    ref: Reference,
    first_months: dict[int, date],
    last_month: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[ProductPlan]]:
    """Return brand rows, product rows and the product plans, for consumer-goods firms."""
    brands: list[dict[str, Any]] = []
    products: list[dict[str, Any]] = []
    plans: list[ProductPlan] = []
    bases = {b.id for b in ref.bases}
    consumer = [f for f in firms if f.profile.consumer and f.sub.products]
    prefixes = _gs1_prefixes(rng, len(consumer))
    trademark_seen: set[str] = set()

    def trademark() -> str:
        while True:
            t = str(rng.randint(10_000_000, 59_999_999))
            if t not in trademark_seen:
                trademark_seen.add(t)
                return t

    # Well-known marks (驰名商标) as the plan counts them: two Tibetan-medicine brands, one
    # drinking-water brand, one highland-barley brand.
    well_known: set[int] = set()
    med = sorted(
        (f for f in firms if f.industry == "tibetan_medicine" and f.size == ABOVE),
        key=lambda f: -f.output_2022,
    )
    well_known.update(f.key for f in med[:2])
    well_known.update(
        f.key for f in firms if "showcase_water" in f.tags or "showcase_barley" in f.tags
    )

    for firm, prefix in zip(consumer, prefixes, strict=True):
        first_brand = trade[firm.key]
        firm_brands = [first_brand]
        if firm.size == ABOVE and firm.output_2022 >= YI:
            firm_brands.append(pool.take())
        brand_keys: list[int] = []
        for i, (zh, en) in enumerate(firm_brands):
            key = len(brands) + 1
            brand_keys.append(key)
            brands.append(
                {
                    "key": key,
                    "enterprise_key": firm.key,
                    "name_zh": zh,
                    "name_en": en,
                    "trademark_no": trademark(),
                    "well_known": i == 0 and firm.key in well_known,
                }
            )
        templates = list(PRODUCTS[firm.sub.products])
        if firm.size == ABOVE:
            n = rng.randint(4, 6) if firm.output_2022 >= YI else rng.randint(3, 4)
        else:
            n = rng.randint(2, 3)
        # Showcase firms make what the traceability demo follows (yak jerky from Nagqu,
        # barley flour and biscuits, bottled water), whatever else they make.
        required = [
            t
            for tag in sorted(firm.tags)
            for t in templates
            if t.name in SHOWCASE_PRODUCTS.get(tag, ())
        ]
        others = [t for t in templates if t not in required]
        chosen = required + rng.sample(others, max(0, min(n, len(templates)) - len(required)))
        start = first_months[firm.key]
        item = rng.randint(1, 80)
        for j, tpl in enumerate(chosen):
            key = len(products) + 1
            b = j % len(brand_keys) if j else 0
            brand_zh, brand_en = firm_brands[b]
            launch = start
            if j >= 2 and rng.random() < 0.4:
                latest = month_add(last_month, -8)
                if latest > start:
                    span = (latest.year - start.year) * 12 + latest.month - start.month
                    launch = month_add(start, rng.randint(1, span))
            gtin = make_gtin(f"{prefix}{item:03d}")
            item += rng.randint(1, 3)
            products.append(
                {
                    "key": key,
                    "enterprise_key": firm.key,
                    "brand_key": brand_keys[b],
                    "gtin": gtin,
                    "name_zh": f"{brand_zh}{tpl.name}",
                    "name_en": f"{brand_en} {tpl.name_en}",
                    "industry_id": firm.industry,
                    "category": tpl.category,
                    "net_content": tpl.net_content,
                    "origin_base_id": tpl.base if tpl.base in bases else None,
                    **licence(firm.industry, key),
                }
            )
            plans.append(
                ProductPlan(
                    key=key,
                    firm=firm,
                    template=tpl,
                    launch=launch,
                    weight=rng.lognormvariate(0.0, 0.6) * (1.6 if j == 0 else 1.0),
                    price_jitter=rng.uniform(0.88, 1.12),
                )
            )
    return brands, products, plans


# Industries whose packs carry a food production licence (SC) number; Tibetan medicine
# carries a drug approval number (批准文号, Z for traditional medicine, 54 for Tibet).
SC_INDUSTRIES = {
    "agri_food": 101,
    "brewing": 115,
    "drinking_water": 106,
    "beverage_tea": 114,
    "bio_fermentation": 126,
}


# Placeholder pack colours of the showcase products (the traceability demo follows them).
PHOTO_COLOURS = {
    "牦牛肉干": (150, 62, 40),
    "青稞面粉": (214, 180, 96),
    "青稞饼干": (196, 140, 70),
    "冰川天然矿泉水": (70, 140, 200),
}


def placeholder_photo(name_zh: str) -> bytes | None:
    """Return a small drawn PNG standing for a showcase product's photo, else None."""
    colour = next((c for n, c in PHOTO_COLOURS.items() if n in name_zh), None)
    if colour is None:
        return None
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 200), (244, 246, 248))
    draw = ImageDraw.Draw(img)
    if "矿泉水" in name_zh:
        draw.rounded_rectangle((135, 20, 185, 50), 6, fill=(40, 90, 150))
        draw.rounded_rectangle((115, 45, 205, 185), 22, fill=colour)
        draw.rectangle((115, 95, 205, 135), fill=(250, 250, 250))
    else:
        draw.rounded_rectangle((80, 25, 240, 180), 14, fill=colour)
        draw.rectangle((80, 25, 240, 45), fill=tuple(max(v - 40, 0) for v in colour))
        draw.ellipse((130, 80, 190, 140), fill=(250, 250, 250))
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def licence(industry: str, key: int) -> dict[str, str]:
    """Return a plausible, synthetic licence of a demo product (no random draw: the rest of
    the world stays as it was)."""
    if industry in SC_INDUSTRIES:
        # SC + food category (3) + province 54 + city, county (4) + serial (4) + check (1).
        return {
            "licence_kind": "sc",
            "licence_no": f"SC{SC_INDUSTRIES[industry]}54{key % 7 + 1:02d}{key % 30 + 21:02d}"
            f"{key % 10000:04d}{key % 10}",
        }
    if industry == "tibetan_medicine":
        return {"licence_kind": "drug_approval", "licence_no": f"国药准字Z5402{key % 10000:04d}"}
    return {"licence_kind": "", "licence_no": ""}


CERT_RULES: dict[str, tuple[tuple[str, float], ...]] = {
    # category -> (certificate kind, probability)
    "barley_food": (("green_food", 0.45), ("organic", 0.3), ("earth_third_pole", 0.5)),
    "barley_snack": (("green_food", 0.3), ("earth_third_pole", 0.4)),
    "dairy": (("green_food", 0.35), ("organic", 0.2), ("earth_third_pole", 0.4)),
    "yak_meat": (("organic", 0.25), ("geographical_indication", 0.3), ("earth_third_pole", 0.5)),
    "meat": (("geographical_indication", 0.3), ("earth_third_pole", 0.3)),
    "forest_food": (("geographical_indication", 0.5), ("organic", 0.3), ("earth_third_pole", 0.3)),
    "drinking_water": (("earth_third_pole", 0.35),),
    "tea": (("organic", 0.5), ("geographical_indication", 0.3), ("earth_third_pole", 0.4)),
    "barley_liquor": (("geographical_indication", 0.25), ("earth_third_pole", 0.3)),
    "wine": (("geographical_indication", 0.4),),
    "beverage": (("earth_third_pole", 0.25),),
    "wool": (("earth_third_pole", 0.25),),
}
ISSUERS = {
    "organic": "有机产品认证机构（国家认监委备案）",
    "green_food": "中国绿色食品发展中心",
    "geographical_indication": "国家知识产权局",
    "earth_third_pole": "西藏自治区农业农村厅（“地球第三极”区域公用品牌）",
    "gmp": "西藏自治区药品监督管理局",
}
VALID_YEARS = {"organic": 1, "green_food": 3, "earth_third_pole": 3, "gmp": 5}


def _plus_years(d: date, years: int) -> date:
    return date(d.year + years, d.month, min(d.day, 28)) - timedelta(days=1)


def certification_rows(
    rng: random.Random,
    firms: list[Firm],
    products: list[dict[str, Any]],
    *,
    first_months: dict[int, date],
    today: date,
) -> list[dict[str, Any]]:
    """Certificates with validity dates; renewed while the firm is in business."""
    rows: list[dict[str, Any]] = []
    counter: dict[str, int] = {}

    def number(kind: str, start: date) -> str:
        counter[kind] = counter.get(kind, 0) + 1
        n = counter[kind]
        if kind == "organic":
            return f"226OP{start.year % 100:02d}{n:05d}"
        if kind == "green_food":
            return f"LB-{rng.randint(10, 60)}-{start.year % 100:02d}{start.month:02d}{n:06d}A"
        if kind == "geographical_indication":
            return f"GI-54-{n:04d}"
        if kind == "earth_third_pole":
            return f"DQSJ-{start.year}-{n:04d}"
        return f"XZ{start.year}{n:04d}"

    def chain(firm: Firm, product_key: int | None, kind: str, first: date) -> None:
        years = VALID_YEARS.get(kind)
        start = first
        while start <= today:
            end = _plus_years(start, years) if years else None
            rows.append(
                {
                    "enterprise_key": firm.key,
                    "product_key": product_key,
                    "kind": kind,
                    "certificate_no": number(kind, start),
                    "issuer": ISSUERS[kind],
                    "valid_from": start,
                    "valid_to": end,
                }
            )
            if end is None or firm.exit_month is not None:
                break
            start = end + timedelta(days=1)

    by_key = {f.key: f for f in firms}
    for firm in firms:
        if firm.industry == "tibetan_medicine":
            begin = (
                max(first_months[firm.key], date(2015, 1, 1))
                if firm.size == ENTRANT
                else date(rng.randint(2015, 2019), rng.randint(1, 12), rng.randint(1, 28))
            )
            chain(firm, None, "gmp", begin)
    for product in products:
        firm = by_key[product["enterprise_key"]]
        for kind, p in CERT_RULES.get(product["category"], ()):
            if rng.random() >= p:
                continue
            earliest = max(first_months[firm.key], date(2017, 1, 1))
            if kind == "earth_third_pole":
                earliest = max(earliest, date(2021, 5, 1))  # the regional brand's launch
            latest = min(today, date(2025, 12, 31))
            if earliest >= latest:
                continue
            span = (latest - earliest).days
            first = earliest + timedelta(days=rng.randint(0, span))
            chain(firm, product["key"], kind, first)
    return rows


PROJECT_THEMES: dict[str, tuple[str, ...]] = {
    "agri_food": (
        "年产{n}万吨青稞精深加工项目",
        "牦牛肉精深加工及冷链物流项目",
        "高原乳制品扩能改造项目",
        "青稞预制食品生产线项目",
        "林下资源（松茸、核桃）精深加工项目",
    ),
    "brewing": ("青稞啤酒扩能改造项目", "青稞白酒酿造及窖藏项目", "高原葡萄酒庄建设项目"),
    "cookware": ("高原压力炊具智能制造项目", "钛合金炊具及户外用品生产线项目"),
    "drinking_water": (
        "年产{n}万吨高原天然饮用水生产线项目",
        "冰川矿泉水大包装生产线项目",
        "天然饮用水水源地保护及灌装项目",
    ),
    "tibetan_medicine": (
        "藏药新剂型（颗粒、胶囊）生产线建设项目",
        "藏药材种植及饮片加工项目",
        "藏药智能化提取车间项目",
    ),
    "ethnic_handicraft": (
        "唐卡文化产业园项目",
        "藏香藏纸传承创新基地项目",
        "民族手工艺品展销中心项目",
    ),
    "oxygen_health": ("液氧生产及供氧系统建设项目", "弥散式供氧设备制造项目"),
    "packaging": ("PET瓶坯及两片罐生产线项目", "绿色纸包装智能工厂项目"),
    "bio_fermentation": ("青稞醋及高原益生菌发酵项目", "发酵辣椒酱生产基地项目"),
    "beverage_tea": ("藏茶精制加工厂项目", "高原特色饮品生产线项目"),
    "leather_wool": ("牦牛绒精梳纺纱项目", "牦牛皮革精深加工项目"),
}
PROJECT_WEIGHTS = {
    "agri_food": 8,
    "tibetan_medicine": 6,
    "drinking_water": 6,
    "brewing": 3,
    "cookware": 3,
    "ethnic_handicraft": 3,
    "oxygen_health": 3,
    "packaging": 2,
    "bio_fermentation": 2,
    "beverage_tea": 2,
    "leather_wool": 2,
}
STAGES = ("planning", "signed", "under_construction", "in_production")


def project_rows(
    rng: random.Random,
    firms: list[Firm],
    *,
    ref: Reference,
    pool: NamePool,
    today: date,
    n: int = 40,
) -> list[dict[str, Any]]:
    """The investment project library (招商引资项目库): ``n`` projects across stages."""
    rows: list[dict[str, Any]] = []
    industries = [i for i in PROJECT_WEIGHTS if i in ref.industries or not ref.industries]
    for i in range(n):
        industry = rng.choices(industries, weights=[PROJECT_WEIGHTS[x] for x in industries])[0]
        stage = STAGES[i % len(STAGES)]
        parks = [p for p in ref.parks if industry in p.industries]
        park = rng.choice(parks) if parks and rng.random() < 0.75 else None
        if park is not None:
            prefecture = park.prefecture_code
        else:
            prefecture = rng.choice(sorted(ref.prefectures)) if ref.prefectures else "540100"
        theme = rng.choice(PROJECT_THEMES[industry]).format(n=rng.choice((1, 2, 3, 5, 10)))
        trade = pool.take()
        business = {
            "agri_food": "barley",
            "brewing": "beer",
            "ethnic_handicraft": "crafts",
            "beverage_tea": "tea",
        }.get(industry, industry)
        if business not in BUSINESS_WORDS:
            business = "barley"
        investor = investor_name(rng, trade, business)
        amount = Decimal(round(rng.lognormvariate(8.9, 0.9))) * Decimal(int(WAN))  # 万元 → CNY
        amount = min(max(amount, Decimal(500 * int(WAN))), Decimal(8 * int(YI)))
        signed = start = production = None
        y0 = today.year
        if stage == "signed":
            signed = _random_day(rng, date(y0 - 2, 1, 1), today)
        elif stage == "under_construction":
            signed = _random_day(rng, date(y0 - 3, 1, 1), today - timedelta(days=200))
            start = _random_day(rng, signed + timedelta(days=60), today)
        elif stage == "in_production":
            signed = _random_day(rng, date(2019, 1, 1), today - timedelta(days=900))
            start = _random_day(rng, signed + timedelta(days=60), signed + timedelta(days=300))
            production = _random_day(rng, start + timedelta(days=300), today - timedelta(days=30))
        owner = None
        if stage == "in_production":
            local = [f for f in firms if f.industry == industry and f.prefecture == prefecture]
            if local and rng.random() < 0.6:
                owner = rng.choice(local).key
        place = park.name_zh if park else ref.prefectures.get(prefecture, "")
        rows.append(
            {
                "name": f"{trade[0]}{theme}",
                "industry_id": industry,
                "prefecture_code": prefecture,
                "park_id": park.id if park else None,
                "enterprise_key": owner,
                "investor": investor,
                "amount_cny": amount,
                "stage": stage,
                "signed_date": signed,
                "start_date": start,
                "production_date": production,
                "description": f"由{investor}投资，建设地点：{place}。（演示数据，虚构）",
            }
        )
    return rows


def _random_day(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))
