"""Reference data of the registry: loading it from the plans, and looking it up quickly.

Places, industries, parks and raw-material bases come from the plan package's data; the
market-region hierarchy (used by demand forecasting) is declared here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from plateau.registry.models import (
    County,
    Industry,
    IndustryClass,
    MarketRegion,
    Park,
    Prefecture,
    RawMaterialBase,
)

# (id, name_zh, name_en, kind, parent_id): every leaf sums up to "all", so forecasts reconcile.
MARKET_REGIONS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("all", "全部市场", "All markets", "all", None),
    ("in_region", "区内市场", "Within Tibet", "in_region", "all"),
    ("in_540100", "拉萨市", "Lhasa", "in_region", "in_region"),
    ("in_540200", "日喀则市", "Shigatse", "in_region", "in_region"),
    ("in_540300", "昌都市", "Chamdo", "in_region", "in_region"),
    ("in_540400", "林芝市", "Nyingchi", "in_region", "in_region"),
    ("in_540500", "山南市", "Shannan", "in_region", "in_region"),
    ("in_540600", "那曲市", "Nagqu", "in_region", "in_region"),
    ("in_542500", "阿里地区", "Ngari", "in_region", "in_region"),
    ("domestic", "区外国内市场", "Rest of China", "domestic", "all"),
    ("sichuan", "四川省", "Sichuan", "domestic", "domestic"),
    ("chengdu", "成都市", "Chengdu", "domestic", "sichuan"),
    ("sichuan_other", "四川省其他地区", "Rest of Sichuan", "domestic", "sichuan"),
    ("chongqing", "重庆市", "Chongqing", "domestic", "domestic"),
    ("beijing", "北京市", "Beijing", "domestic", "domestic"),
    ("shanghai", "上海市", "Shanghai", "domestic", "domestic"),
    ("guangdong", "广东省", "Guangdong", "domestic", "domestic"),
    ("guangzhou", "广州市", "Guangzhou", "domestic", "guangdong"),
    ("shenzhen", "深圳市", "Shenzhen", "domestic", "guangdong"),
    ("guangdong_other", "广东省其他地区", "Rest of Guangdong", "domestic", "guangdong"),
    ("qinghai", "青海省", "Qinghai", "domestic", "domestic"),
    ("jiangsu", "江苏省", "Jiangsu", "domestic", "domestic"),
    ("zhejiang", "浙江省", "Zhejiang", "domestic", "domestic"),
    ("domestic_other", "其他省份", "Other provinces", "domestic", "domestic"),
    ("export", "出口市场", "Export", "export", "all"),
    ("south_asia", "南亚", "South Asia", "export", "export"),
    ("nepal", "尼泊尔", "Nepal", "export", "south_asia"),
    ("south_asia_other", "南亚其他国家", "Rest of South Asia", "export", "south_asia"),
    ("export_other", "其他境外市场", "Other export markets", "export", "export"),
)

M = TypeVar("M")


def _upsert(session: Session, model: type[M], key: Any, values: dict[str, Any]) -> tuple[M, bool]:
    """Insert or update one row; return it and whether anything changed."""
    row = session.get(model, key)
    if row is None:
        row = model(**values)
        session.add(row)
        return row, True
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return row, changed


def _set_members(current: list[Any], wanted: list[Any], key: str) -> bool:
    """Make a many-to-many collection hold exactly ``wanted``; return whether it changed."""
    if sorted(getattr(x, key) for x in current) == sorted(getattr(x, key) for x in wanted):
        return False
    current[:] = wanted
    return True


def _resolve_county(
    text: str | None, counties: dict[str, County], prefecture: str | None
) -> str | None:
    if not text:
        return None
    if text in counties:
        return text
    for c in counties.values():
        same = c.name_zh == text or c.name_zh.rstrip("县区市") == text.rstrip("县区市")
        if same and (prefecture is None or c.prefecture_code == prefecture):
            return c.code
    return None


def load_reference_data(session: Session) -> dict[str, int]:
    """Upsert places, industries, parks, bases and market regions; return counts and changes."""
    from plateau.plan import data as plan_data

    changes = 0
    regions = plan_data.load_regions()
    for p in regions.prefectures:
        _, changed = _upsert(
            session,
            Prefecture,
            p.code,
            {"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en},
        )
        changes += changed
    session.flush()
    counties: dict[str, County] = {}
    for c in regions.counties:
        county, changed = _upsert(
            session,
            County,
            c.code,
            {
                "code": c.code,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "prefecture_code": c.prefecture,
            },
        )
        counties[c.code] = county
        changes += changed
    session.flush()

    industries: dict[str, Industry] = {}
    n_classes = 0
    for order, ind in enumerate(plan_data.load_industries(), start=1):
        row, changed = _upsert(
            session,
            Industry,
            ind.id,
            {
                "id": ind.id,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "tier": ind.tier,
                "sort_order": order,
            },
        )
        industries[ind.id] = row
        changes += changed
    session.flush()
    for ind in plan_data.load_industries():
        names = dict(ind.gbt4754_names_zh or {})
        for code in ind.gbt4754:
            _, changed = _upsert(
                session,
                IndustryClass,
                code,
                {"code": code, "name_zh": names.get(code, code), "industry_id": ind.id},
            )
            changes += changed
            n_classes += 1
    session.flush()

    plan = plan_data.load_plan("plan_533")
    existing_parks = {
        p.id: p for p in session.scalars(select(Park).options(selectinload(Park.industries)))
    }
    for pk in plan.parks:
        values = {
            "id": pk.id,
            "name_zh": pk.name_zh,
            "name_en": pk.name_en,
            "level": pk.level,
            "prefecture_code": pk.prefecture,
            "county_code": _resolve_county(pk.county, counties, pk.prefecture),
            "focus_zh": pk.focus_zh or "",
            "source": pk.source or "",
        }
        park = existing_parks.get(pk.id)
        if park is None:
            park = Park(**values)
            park.industries = []
            session.add(park)
            changes += 1
        else:
            _, changed = _upsert(session, Park, pk.id, values)
            changes += changed
        changes += _set_members(park.industries, [industries[i] for i in pk.industries], "id")
    session.flush()

    existing_bases = {
        b.id: b
        for b in session.scalars(
            select(RawMaterialBase).options(
                selectinload(RawMaterialBase.counties), selectinload(RawMaterialBase.industries)
            )
        )
    }
    for rb in plan.raw_material_bases:
        values = {
            "id": rb.id,
            "name_zh": rb.name_zh,
            "name_en": rb.name_en,
            "product_zh": rb.product_zh,
            "description_zh": rb.text_zh or "",
            "source": rb.source or "",
        }
        base = existing_bases.get(rb.id)
        if base is None:
            base = RawMaterialBase(**values)
            base.counties, base.industries = [], []
            session.add(base)
            changes += 1
        else:
            _, changed = _upsert(session, RawMaterialBase, rb.id, values)
            changes += changed
        codes = [_resolve_county(c, counties, None) for c in rb.counties]
        wanted = [counties[c] for c in dict.fromkeys(codes) if c is not None]
        changes += _set_members(base.counties, wanted, "code")
        changes += _set_members(base.industries, [industries[i] for i in rb.industries], "id")
    session.flush()

    # Parents first: the self-referencing foreign key is checked row by row on some backends.
    for mid, name_zh, name_en, kind, parent in MARKET_REGIONS:
        _, changed = _upsert(
            session,
            MarketRegion,
            mid,
            {"id": mid, "name_zh": name_zh, "name_en": name_en, "kind": kind, "parent_id": parent},
        )
        changes += changed
        session.flush()

    return {
        "prefectures": len(regions.prefectures),
        "counties": len(regions.counties),
        "industries": len(industries),
        "industry_classes": n_classes,
        "parks": len(plan.parks),
        "raw_material_bases": len(plan.raw_material_bases),
        "market_regions": len(MARKET_REGIONS),
        "changed": changes,
    }


def _fold(text: str) -> str:
    return "".join(text.split()).lower()


@dataclass
class Refs:
    """All reference rows in memory: checks and imports look things up without a query each."""

    prefectures: dict[str, Prefecture]
    counties: dict[str, County]
    parks: dict[str, Park]
    industries: dict[str, Industry]
    classes: dict[str, IndustryClass]
    bases: dict[str, RawMaterialBase]
    _names: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Refs:
        """Read every reference table once."""
        return cls(
            prefectures={p.code: p for p in session.scalars(select(Prefecture))},
            counties={c.code: c for c in session.scalars(select(County))},
            parks={p.id: p for p in session.scalars(select(Park))},
            industries={i.id: i for i in session.scalars(select(Industry))},
            classes={c.code: c for c in session.scalars(select(IndustryClass))},
            bases={b.id: b for b in session.scalars(select(RawMaterialBase))},
        )

    def _index(self, kind: str, rows: Iterable[tuple[str, list[str]]]) -> dict[str, str]:
        if kind not in self._names:
            index: dict[str, str] = {}
            for key, names in rows:
                for name in names:
                    if name:
                        index.setdefault(_fold(name), key)
            self._names[kind] = index
        return self._names[kind]

    def find_prefecture(self, text: str) -> str | None:
        """Return the code of a prefecture given by code, Chinese or English name."""
        if text in self.prefectures:
            return text
        index = self._index(
            "prefecture",
            (
                (p.code, [p.name_zh, p.name_en, p.name_zh.removesuffix("市").removesuffix("地区")])
                for p in self.prefectures.values()
            ),
        )
        return index.get(_fold(text))

    def find_county(self, text: str, prefecture_code: str | None) -> str | None:
        """Return a county's code given its code or name (names repeat across prefectures)."""
        if text in self.counties:
            return text
        wanted = _fold(text)
        found = [
            c.code
            for c in self.counties.values()
            if wanted in (_fold(c.name_zh), _fold(c.name_en))
            and (prefecture_code is None or c.prefecture_code == prefecture_code)
        ]
        return found[0] if len(found) == 1 else None

    def find_park(self, text: str) -> str | None:
        """Return the id of a park given by id or name."""
        if text in self.parks:
            return text
        index = self._index("park", ((p.id, [p.name_zh, p.name_en]) for p in self.parks.values()))
        return index.get(_fold(text))

    def find_industry(self, text: str) -> str | None:
        """Return the id of a 533 industry given by id or name."""
        if text in self.industries:
            return text
        index = self._index(
            "industry", ((i.id, [i.name_zh, i.name_en]) for i in self.industries.values())
        )
        return index.get(_fold(text))

    def find_base(self, text: str) -> str | None:
        """Return the id of a raw-material base given by id or name."""
        if text in self.bases:
            return text
        index = self._index("base", ((b.id, [b.name_zh, b.name_en]) for b in self.bases.values()))
        return index.get(_fold(text))
