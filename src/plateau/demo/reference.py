"""The reference data the demo world is built on, read from the database as plain values.

The generator never touches the database: it takes a ``Reference`` and returns rows, so the
same seed and reference always give the same world (and tests can build one in memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.registry.models import (
    County,
    Industry,
    IndustryClass,
    MarketRegion,
    Park,
    Prefecture,
    RawMaterialBase,
    base_county,
    base_industry,
    park_industry,
)


@dataclass(frozen=True)
class RefCounty:
    code: str
    prefecture_code: str
    name_zh: str


@dataclass(frozen=True)
class RefPark:
    id: str
    name_zh: str
    prefecture_code: str
    county_code: str | None
    industries: tuple[str, ...]


@dataclass(frozen=True)
class RefMarket:
    id: str
    name_zh: str
    name_en: str
    kind: str
    parent_id: str | None


@dataclass(frozen=True)
class RefBase:
    id: str
    product_zh: str
    industries: tuple[str, ...]
    counties: tuple[str, ...]


@dataclass
class Reference:
    """Places, industries, parks, bases and markets, each list sorted by its key."""

    prefectures: dict[str, str] = field(default_factory=dict)  # code -> name_zh
    counties: list[RefCounty] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    classes: dict[str, list[str]] = field(default_factory=dict)  # industry -> GB/T 4754 codes
    parks: list[RefPark] = field(default_factory=list)
    markets: list[RefMarket] = field(default_factory=list)
    bases: list[RefBase] = field(default_factory=list)

    def counties_of(self, prefecture_code: str) -> list[RefCounty]:
        return [c for c in self.counties if c.prefecture_code == prefecture_code]

    def county(self, code: str) -> RefCounty | None:
        return next((c for c in self.counties if c.code == code), None)

    def leaf_markets(self) -> list[RefMarket]:
        """Markets nothing else rolls up into (where sales are recorded)."""
        parents = {m.parent_id for m in self.markets if m.parent_id}
        return [m for m in self.markets if m.id not in parents and m.kind != "all"]


def read_reference(session: Session) -> Reference:
    """Read the reference tables the plans loaded (sorted, so generation is reproducible)."""
    ref = Reference()
    for code, name in session.execute(
        select(Prefecture.code, Prefecture.name_zh).order_by(Prefecture.code)
    ):
        ref.prefectures[code] = name
    ref.counties = [
        RefCounty(code=c, prefecture_code=p, name_zh=n)
        for c, p, n in session.execute(
            select(County.code, County.prefecture_code, County.name_zh).order_by(County.code)
        )
    ]
    ref.industries = list(
        session.scalars(select(Industry.id).order_by(Industry.sort_order, Industry.id))
    )
    for code, industry in session.execute(
        select(IndustryClass.code, IndustryClass.industry_id).order_by(IndustryClass.code)
    ):
        if industry:
            ref.classes.setdefault(industry, []).append(code)
    park_inds: dict[str, list[str]] = {}
    for park_id, industry_id in session.execute(
        select(park_industry.c.park_id, park_industry.c.industry_id).order_by(
            park_industry.c.park_id, park_industry.c.industry_id
        )
    ):
        park_inds.setdefault(park_id, []).append(industry_id)
    ref.parks = [
        RefPark(
            id=p.id,
            name_zh=p.name_zh,
            prefecture_code=p.prefecture_code,
            county_code=p.county_code,
            industries=tuple(park_inds.get(p.id, [])),
        )
        for p in session.scalars(select(Park).order_by(Park.id))
    ]
    ref.markets = [
        RefMarket(id=m.id, name_zh=m.name_zh, name_en=m.name_en, kind=m.kind, parent_id=m.parent_id)
        for m in session.scalars(select(MarketRegion).order_by(MarketRegion.id))
    ]
    base_inds: dict[str, list[str]] = {}
    for base_id, industry_id in session.execute(
        select(base_industry.c.base_id, base_industry.c.industry_id).order_by(
            base_industry.c.base_id, base_industry.c.industry_id
        )
    ):
        base_inds.setdefault(base_id, []).append(industry_id)
    base_cties: dict[str, list[str]] = {}
    for base_id, county_code in session.execute(
        select(base_county.c.base_id, base_county.c.county_code).order_by(
            base_county.c.base_id, base_county.c.county_code
        )
    ):
        base_cties.setdefault(base_id, []).append(county_code)
    ref.bases = [
        RefBase(
            id=b.id,
            product_zh=b.product_zh,
            industries=tuple(base_inds.get(b.id, [])),
            counties=tuple(base_cties.get(b.id, [])),
        )
        for b in session.scalars(select(RawMaterialBase).order_by(RawMaterialBase.id))
    ]
    return ref


def reference_from_package() -> Reference:
    """Build the reference straight from the plan package data (no database; for tests)."""
    from plateau.plan import data as plan_data
    from plateau.registry.reference import MARKET_REGIONS

    regions = plan_data.load_regions()
    ref = Reference()
    ref.prefectures = {p.code: p.name_zh for p in sorted(regions.prefectures, key=lambda p: p.code)}
    ref.counties = sorted(
        (
            RefCounty(code=c.code, prefecture_code=c.prefecture, name_zh=c.name_zh)
            for c in regions.counties
        ),
        key=lambda c: c.code,
    )
    industries = plan_data.load_industries()
    ref.industries = [i.id for i in industries]
    ref.classes = {i.id: sorted(i.gbt4754) for i in industries}
    plan = plan_data.load_plan("plan_533")
    ref.parks = sorted(
        (
            RefPark(
                id=p.id,
                name_zh=p.name_zh,
                prefecture_code=p.prefecture,
                county_code=p.county,
                industries=tuple(sorted(p.industries)),
            )
            for p in plan.parks
        ),
        key=lambda p: p.id,
    )
    ref.markets = sorted(
        (
            RefMarket(id=i, name_zh=zh, name_en=en, kind=k, parent_id=parent)
            for i, zh, en, k, parent in MARKET_REGIONS
        ),
        key=lambda m: m.id,
    )
    ref.bases = sorted(
        (
            RefBase(
                id=b.id,
                product_zh=b.product_zh,
                industries=tuple(sorted(b.industries)),
                counties=tuple(sorted(b.counties)),
            )
            for b in plan.raw_material_bases
        ),
        key=lambda b: b.id,
    )
    return ref
