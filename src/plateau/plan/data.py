"""The two plans as validated package data.

The YAML files under ``plateau/plan/data/`` transcribe every figure of the plan originals
(seed 000, the regional "533" plan, and seed 004, Lhasa's garment action plan), together with
the reference lists they use: Tibet's prefectures and counties (GB/T 2260) and the eleven
industries of the 533 system with their GB/T 4754-2017 classes.

This module loads those files, validates them with Pydantic models and caches the result.
Invalid data raises a ``ValueError`` that names the file and the entry at fault.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "BENCHMARKS",
    "FIGURE_UNITS",
    "INCENTIVE_UNITS",
    "PLAN_IDS",
    "PROGRAM_IDS",
    "County",
    "Figure",
    "Incentive",
    "Indicator",
    "Industry",
    "Park",
    "PlanDocument",
    "PlanMeta",
    "Prefecture",
    "RawMaterialBase",
    "Region",
    "Regions",
    "SpecialAction",
    "SpecialActionItem",
    "content_digest",
    "load_industries",
    "load_plan",
    "load_plans",
    "load_regions",
    "parse_industries",
    "parse_plan",
    "parse_regions",
]

PLAN_IDS: tuple[str, ...] = ("plan_533", "lhasa_garment")
"""Ids of the plans shipped with the package, in seed order."""

PROGRAM_IDS: frozenset[str] = frozenset({"lhasa_garment"})
"""Programs a figure may be scoped to (``program:<id>``)."""

BENCHMARKS: frozenset[str] = frozenset({"qinghai", "outside_region", "national"})
"""Comparison areas a figure may be scoped to (``benchmark:<id>``)."""

FIGURE_UNITS: frozenset[str] = frozenset(
    {"CNY", "count", "%", "t", "mu", "head", "person", "household", "m2", "kind_count"}
)
"""Units of figures: money in CNY, tonnes, mu (亩), plain counts, percent."""

INCENTIVE_UNITS: frozenset[str] = frozenset({"CNY", "%"})
"""Units of incentive amounts: money in CNY, or a rate in percent."""

REGIONS_FILE = "regions.yaml"
INDUSTRIES_FILE = "industries.yaml"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DIVISION_CODE = re.compile(r"^54\d{4}$")
_GBT4754_CODE = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SCOPE = re.compile(
    r"^(?:region"
    r"|industry:[a-z][a-z0-9_]*"
    r"|prefecture:\d{6}"
    r"|park:[a-z][a-z0-9_]*"
    r"|base:[a-z][a-z0-9_]*"
    r"|program:[a-z][a-z0-9_]*"
    r"|benchmark:[a-z][a-z0-9_]*)$"
)
# Divisions 13-43 of GB/T 4754-2017 make up section C (manufacturing).
_SECTION_DIVISIONS: dict[str, range] = {"C": range(13, 44)}

Number = int | float


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not a snake_case id")
    return value


def _check_division_code(value: str) -> str:
    if not _DIVISION_CODE.match(value):
        raise ValueError(f"{value!r} is not a six-digit GB/T 2260 code of Tibet (54xxxx)")
    return value


def _check_finite(value: Number, field: str) -> Number:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{field} must be a finite number")
    return value


def _duplicates(values: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    dups: list[Any] = []
    for value in values:
        if value in seen and value not in dups:
            dups.append(value)
        seen.add(value)
    return dups


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------------------
# Regions (GB/T 2260)
# --------------------------------------------------------------------------------------


class Region(_Model):
    """The province-level division (Tibet Autonomous Region)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name_zh: str
    name_en: str

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if value != "540000":
            raise ValueError("the region code of Tibet is 540000")
        return value


class Prefecture(_Model):
    """A prefecture-level division (地市)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name_zh: str
    name_en: str

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        _check_division_code(value)
        if not value.endswith("00") or value == "540000":
            raise ValueError(f"{value!r} is not a prefecture-level code (54xx00)")
        return value


class County(_Model):
    """A county-level division (区/县/县级市) with its prefecture."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name_zh: str
    name_en: str
    kind: Literal["district", "county", "city"]
    prefecture: str
    former_codes: tuple[str, ...] = ()
    former_names_zh: tuple[str, ...] = ()

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        _check_division_code(value)
        if value.endswith("00"):
            raise ValueError(f"{value!r} is not a county-level code")
        return value

    @field_validator("former_codes")
    @classmethod
    def _former_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            _check_division_code(code)
        return value

    @model_validator(mode="after")
    def _in_prefecture(self) -> Self:
        if self.code[:4] != self.prefecture[:4]:
            raise ValueError(
                f"county {self.code} {self.name_zh} does not lie in prefecture {self.prefecture}"
            )
        return self


class Regions(_Model):
    """Tibet, its prefectures and all its county-level divisions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: Region
    prefectures: tuple[Prefecture, ...]
    counties: tuple[County, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        prefecture_codes = [p.code for p in self.prefectures]
        if dups := _duplicates(prefecture_codes):
            raise ValueError(f"duplicate prefecture codes: {dups}")
        county_codes = [c.code for c in self.counties]
        former = [code for c in self.counties for code in c.former_codes]
        if dups := _duplicates(county_codes + former):
            raise ValueError(f"duplicate county codes (current or former): {dups}")
        if dups := _duplicates(c.name_zh for c in self.counties):
            raise ValueError(f"duplicate county names: {dups}")
        known = set(prefecture_codes)
        for index, county in enumerate(self.counties):
            if county.prefecture not in known:
                raise ValueError(
                    f"counties[{index}] ({county.code} {county.name_zh}): "
                    f"unknown prefecture {county.prefecture}"
                )
        return self

    def prefecture(self, code: str) -> Prefecture:
        """The prefecture with this code; ``KeyError`` if there is none."""
        for prefecture in self.prefectures:
            if prefecture.code == code:
                return prefecture
        raise KeyError(code)

    def county(self, code: str) -> County:
        """The county with this current or former code; ``KeyError`` if there is none."""
        for county in self.counties:
            if county.code == code or code in county.former_codes:
                return county
        raise KeyError(code)

    def counties_of(self, prefecture_code: str) -> list[County]:
        """The counties of one prefecture, in code order."""
        return [c for c in self.counties if c.prefecture == prefecture_code]

    def find_county(self, name_zh: str, prefecture_code: str | None = None) -> County:
        """Resolve a county by its current or former Chinese name, with or without the suffix.

        The plans write county names without 县/区/市 ("林周", "米林") and sometimes by a former
        name ("林芝" for 巴宜区, formerly 林芝县). ``KeyError`` if no single county matches.
        """
        matches: list[County] = []
        for county in self.counties:
            if prefecture_code is not None and county.prefecture != prefecture_code:
                continue
            names = (county.name_zh, *county.former_names_zh)
            if any(name_zh in (name, _strip_suffix(name)) for name in names):
                matches.append(county)
        if len(matches) != 1:
            raise KeyError(name_zh)
        return matches[0]


def _strip_suffix(name: str) -> str:
    """Drop the 县/区/市 suffix (林周县 -> 林周); one-character stems (朗县, 索县) keep it."""
    if len(name) > 2 and name[-1] in "县区市":
        return name[:-1]
    return name


# --------------------------------------------------------------------------------------
# Industries (the 533 system, GB/T 4754-2017)
# --------------------------------------------------------------------------------------


class Industry(_Model):
    """One of the eleven industries of the 533 system (plan section 三)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str
    tier: Literal[1, 2, 3]
    tier_name_zh: str
    section: str
    gbt4754: tuple[str, ...] = Field(min_length=1)
    gbt4754_names_zh: dict[str, str]

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("gbt4754")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not _GBT4754_CODE.match(code):
                raise ValueError(f"{code!r} is not a four-digit GB/T 4754-2017 class code")
        if dups := _duplicates(value):
            raise ValueError(f"duplicate GB/T 4754 codes: {dups}")
        return value

    @model_validator(mode="after")
    def _names(self) -> Self:
        if set(self.gbt4754_names_zh) != set(self.gbt4754):
            missing = sorted(set(self.gbt4754) - set(self.gbt4754_names_zh))
            extra = sorted(set(self.gbt4754_names_zh) - set(self.gbt4754))
            raise ValueError(
                f"industry {self.id}: gbt4754_names_zh must name exactly the gbt4754 codes "
                f"(missing {missing}, extra {extra})"
            )
        return self


class _IndustriesFile(_Model):
    gbt4754_sections: dict[str, str]
    industries: tuple[Industry, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if dups := _duplicates(i.id for i in self.industries):
            raise ValueError(f"duplicate industry ids: {dups}")
        unknown_sections = sorted(set(self.gbt4754_sections) - set(_SECTION_DIVISIONS))
        if unknown_sections:
            raise ValueError(f"unsupported GB/T 4754 sections: {unknown_sections}")
        owner: dict[str, str] = {}
        for index, industry in enumerate(self.industries):
            for code in industry.gbt4754:
                if code in owner:
                    raise ValueError(
                        f"industries[{index}] ({industry.id}): GB/T 4754 code {code} "
                        f"already belongs to {owner[code]}"
                    )
                owner[code] = industry.id
                division = int(code[:2])
                if not any(division in _SECTION_DIVISIONS[s] for s in self.gbt4754_sections):
                    raise ValueError(
                        f"industries[{index}] ({industry.id}): GB/T 4754 code {code} is outside "
                        f"sections {sorted(self.gbt4754_sections)}"
                    )
        return self


# --------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------


class PlanMeta(_Model):
    """Identification of a plan document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title_zh: str
    title_en: str
    document_no: str | None = None
    issued: str | None = None
    issuer_zh: str | None = None
    period_start: int
    period_end: int
    base_year: int

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value not in PLAN_IDS:
            raise ValueError(f"unknown plan id {value!r}; expected one of {PLAN_IDS}")
        return value

    @field_validator("issued")
    @classmethod
    def _issued(cls, value: str | None) -> str | None:
        if value is not None and not _YEAR_MONTH.match(value):
            raise ValueError(f"issued must be YYYY-MM, got {value!r}")
        return value

    @model_validator(mode="after")
    def _period(self) -> Self:
        if not self.base_year < self.period_start <= self.period_end:
            raise ValueError("expected base_year < period_start <= period_end")
        return self


class Indicator(_Model):
    """A quantity a plan sets figures for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str
    unit: str
    direction: Literal["up", "down"]

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if value not in FIGURE_UNITS:
            raise ValueError(f"unit {value!r} is not one of {sorted(FIGURE_UNITS)}")
        return value


FigureKey = tuple[str, str, int, str]


class Figure(_Model):
    """One number of a plan: a baseline or a target of an indicator for a scope and year.

    ``value_max`` is set for ranges ("1-2家" -> value 1, value_max 2). ``bound`` says how the
    value binds: ``min`` ("以上", "突破"), ``approx`` ("左右", "约") or ``exact``.
    ``since_year`` is the base year of a growth rate or of a count of new units.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator: str
    scope: str
    year: int = Field(ge=2000, le=2100)
    kind: Literal["baseline", "target"]
    value: Number
    value_max: Number | None = None
    bound: Literal["min", "approx", "exact"]
    unit: str
    since_year: int | None = None
    source: str = Field(min_length=1)
    text_zh: str = Field(min_length=1)

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if value not in FIGURE_UNITS:
            raise ValueError(f"unit {value!r} is not one of {sorted(FIGURE_UNITS)}")
        return value

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str) -> str:
        if not _SCOPE.match(value):
            raise ValueError(
                f"scope {value!r} must be region, industry:<id>, prefecture:<code>, park:<id>, "
                "base:<id>, program:<id> or benchmark:<id>"
            )
        prefix, _, ref = value.partition(":")
        if prefix == "program" and ref not in PROGRAM_IDS:
            raise ValueError(f"unknown program {ref!r} in scope {value!r}")
        if prefix == "benchmark" and ref not in BENCHMARKS:
            raise ValueError(f"unknown benchmark {ref!r} in scope {value!r}")
        return value

    @model_validator(mode="after")
    def _numbers(self) -> Self:
        _check_finite(self.value, "value")
        if self.value_max is not None:
            _check_finite(self.value_max, "value_max")
            if self.value_max < self.value:
                raise ValueError(f"value_max {self.value_max} is below value {self.value}")
        if self.since_year is not None and self.since_year >= self.year:
            raise ValueError(f"since_year {self.since_year} must be before year {self.year}")
        return self

    @property
    def key(self) -> FigureKey:
        """The identity of a figure within a plan: (indicator, scope, year, kind)."""
        return (self.indicator, self.scope, self.year, self.kind)

    @property
    def scope_kind(self) -> str:
        """The scope's prefix: region, industry, prefecture, park, base, program, benchmark."""
        return self.scope.partition(":")[0]

    @property
    def scope_ref(self) -> str | None:
        """What the scope points to (an industry id, a code...), None for ``region``."""
        return self.scope.partition(":")[2] or None

    @property
    def is_range(self) -> bool:
        return self.value_max is not None


class Incentive(_Model):
    """A money amount (or rate) of a support measure: subsidy, award, fund."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str
    amount: Number
    amount_max: Number | None = None
    unit: str
    bound: Literal["max", "exact", "min"]
    per_zh: str
    condition_zh: str
    source: str = Field(min_length=1)
    text_zh: str = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if value not in INCENTIVE_UNITS:
            raise ValueError(f"unit {value!r} is not one of {sorted(INCENTIVE_UNITS)}")
        return value

    @model_validator(mode="after")
    def _numbers(self) -> Self:
        _check_finite(self.amount, "amount")
        if self.amount < 0:
            raise ValueError("amount must not be negative")
        if self.amount_max is not None:
            _check_finite(self.amount_max, "amount_max")
            if self.amount_max < self.amount:
                raise ValueError(f"amount_max {self.amount_max} is below amount {self.amount}")
        return self


class Park(_Model):
    """An industrial park of 专栏3."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str
    level: Literal["national", "regional", "county", "other"]
    prefecture: str
    county: str
    industries: tuple[str, ...]
    focus_zh: str
    source: str

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)


class RawMaterialBase(_Model):
    """A raw-material base of 专栏4 with the counties it covers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str
    product_zh: str
    industries: tuple[str, ...] = Field(min_length=1)
    counties: tuple[str, ...] = Field(min_length=1)
    text_zh: str
    source: str

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("counties")
    @classmethod
    def _counties(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if dups := _duplicates(value):
            raise ValueError(f"duplicate counties: {dups}")
        return value


class SpecialActionItem(_Model):
    """A numbered subsection of a special action, with its 专栏 (box) if any."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    section: str
    name_zh: str
    name_en: str | None = None
    box_zh: str | None = None


class SpecialAction(_Model):
    """One of the seven special actions of section 四."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str | None = None
    section: str
    items: tuple[SpecialActionItem, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _check_id(value)

    @model_validator(mode="after")
    def _items_inside(self) -> Self:
        for item in self.items:
            if not item.section.startswith(self.section):
                raise ValueError(
                    f"special action {self.id}: item section {item.section!r} is not inside "
                    f"{self.section!r}"
                )
        return self


@dataclass(frozen=True)
class _References:
    """Ids from the other files that a plan may reference."""

    industry_ids: frozenset[str]
    prefecture_codes: frozenset[str]
    county_prefecture: Mapping[str, str]  # current county code -> prefecture code

    @classmethod
    def build(cls, regions: Regions, industries: Iterable[Industry]) -> _References:
        return cls(
            industry_ids=frozenset(i.id for i in industries),
            prefecture_codes=frozenset(p.code for p in regions.prefectures),
            county_prefecture={c.code: c.prefecture for c in regions.counties},
        )


def _describe(figure: Figure) -> str:
    return f"({figure.indicator}, {figure.scope}, {figure.year}, {figure.kind})"


class PlanDocument(_Model):
    """A whole plan: identification, indicators, figures and structured lists."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    plan: PlanMeta
    indicators: tuple[Indicator, ...]
    figures: tuple[Figure, ...]
    incentives: tuple[Incentive, ...] = ()
    parks: tuple[Park, ...] = ()
    raw_material_bases: tuple[RawMaterialBase, ...] = ()
    special_actions: tuple[SpecialAction, ...] = ()

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Self:
        context = info.context if isinstance(info.context, dict) else {}
        refs = context.get("references")
        self._check_ids()
        self._check_figures(refs if isinstance(refs, _References) else None)
        if isinstance(refs, _References):
            self._check_places(refs)
        return self

    def _check_ids(self) -> None:
        for name, ids in (
            ("indicator", [i.id for i in self.indicators]),
            ("incentive", [i.id for i in self.incentives]),
            ("park", [p.id for p in self.parks]),
            ("raw-material base", [b.id for b in self.raw_material_bases]),
            ("special action", [a.id for a in self.special_actions]),
        ):
            if dups := _duplicates(ids):
                raise ValueError(f"duplicate {name} ids: {dups}")

    def _check_figures(self, refs: _References | None) -> None:
        indicators = {i.id: i for i in self.indicators}
        parks = {p.id for p in self.parks}
        bases = {b.id for b in self.raw_material_bases}
        meta = self.plan
        seen: dict[FigureKey, int] = {}
        for index, figure in enumerate(self.figures):
            where = f"figures[{index}] {_describe(figure)}"
            indicator = indicators.get(figure.indicator)
            if indicator is None:
                raise ValueError(f"{where}: indicator {figure.indicator!r} is not declared")
            if figure.unit != indicator.unit:
                raise ValueError(
                    f"{where}: unit {figure.unit!r} differs from the indicator's {indicator.unit!r}"
                )
            if figure.key in seen:
                raise ValueError(
                    f"{where}: duplicates figures[{seen[figure.key]}] "
                    "(same indicator, scope, year and kind)"
                )
            seen[figure.key] = index
            if figure.kind == "target" and not meta.period_start <= figure.year <= meta.period_end:
                raise ValueError(
                    f"{where}: target year {figure.year} is outside the plan period "
                    f"{meta.period_start}-{meta.period_end}"
                )
            if figure.kind == "baseline" and figure.year > meta.base_year:
                raise ValueError(
                    f"{where}: baseline year {figure.year} is after the base year {meta.base_year}"
                )
            prefix, ref = figure.scope_kind, figure.scope_ref
            if prefix == "park" and ref not in parks:
                raise ValueError(f"{where}: unknown park {ref!r}")
            if prefix == "base" and ref not in bases:
                raise ValueError(f"{where}: unknown raw-material base {ref!r}")
            if refs is not None:
                if prefix == "industry" and ref not in refs.industry_ids:
                    raise ValueError(f"{where}: unknown industry {ref!r}")
                if prefix == "prefecture" and ref not in refs.prefecture_codes:
                    raise ValueError(f"{where}: unknown prefecture {ref!r}")

    def _check_places(self, refs: _References) -> None:
        for index, park in enumerate(self.parks):
            where = f"parks[{index}] ({park.id})"
            if park.prefecture not in refs.prefecture_codes:
                raise ValueError(f"{where}: unknown prefecture {park.prefecture!r}")
            county_prefecture = refs.county_prefecture.get(park.county)
            if county_prefecture is None:
                raise ValueError(f"{where}: unknown county {park.county!r}")
            if county_prefecture != park.prefecture:
                raise ValueError(
                    f"{where}: county {park.county} lies in {county_prefecture}, "
                    f"not in {park.prefecture}"
                )
            for industry in park.industries:
                if industry not in refs.industry_ids:
                    raise ValueError(f"{where}: unknown industry {industry!r}")
        for index, base in enumerate(self.raw_material_bases):
            where = f"raw_material_bases[{index}] ({base.id})"
            for industry in base.industries:
                if industry not in refs.industry_ids:
                    raise ValueError(f"{where}: unknown industry {industry!r}")
            for county in base.counties:
                if county not in refs.county_prefecture:
                    raise ValueError(f"{where}: unknown county {county!r}")

    # -- look-ups ------------------------------------------------------------------

    def indicator(self, indicator_id: str) -> Indicator:
        """The declared indicator with this id; ``KeyError`` if there is none."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def figure(
        self, indicator: str, scope: str, year: int, kind: Literal["baseline", "target"]
    ) -> Figure:
        """The figure with this key; ``KeyError`` if there is none."""
        key = (indicator, scope, year, kind)
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)

    def figures_for(
        self,
        *,
        indicator: str | None = None,
        scope: str | None = None,
        kind: Literal["baseline", "target"] | None = None,
    ) -> list[Figure]:
        """Figures matching every given criterion, in file order."""
        return [
            f
            for f in self.figures
            if (indicator is None or f.indicator == indicator)
            and (scope is None or f.scope == scope)
            and (kind is None or f.kind == kind)
        ]

    def park(self, park_id: str) -> Park:
        for park in self.parks:
            if park.id == park_id:
                return park
        raise KeyError(park_id)

    def raw_material_base(self, base_id: str) -> RawMaterialBase:
        for base in self.raw_material_bases:
            if base.id == base_id:
                return base
        raise KeyError(base_id)

    def incentive(self, incentive_id: str) -> Incentive:
        for incentive in self.incentives:
            if incentive.id == incentive_id:
                return incentive
        raise KeyError(incentive_id)


# --------------------------------------------------------------------------------------
# Parsing and loading
# --------------------------------------------------------------------------------------


def _load_yaml(raw: bytes | str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping at the top level")
    return data


def _entry_label(data: Any, loc: tuple[int | str, ...]) -> str:
    """Describe an error location, e.g. ``figures[3] (indicator=output_value, scope=region)``."""
    parts: list[str] = []
    node: Any = data
    label = ""
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else str(item))
        if isinstance(node, dict):
            node = node.get(item) if isinstance(item, str) else None
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            node = node[item]
            if isinstance(node, dict):
                keys = ("id", "indicator", "scope", "year", "kind", "code", "section")
                shown = [f"{k}={node[k]}" for k in keys if k in node]
                if shown:
                    label = " (" + ", ".join(shown) + ")"
        else:
            node = None
    return ("".join(parts) or "<document>") + label


def _validation_error(source: str, data: Any, exc: ValidationError) -> ValueError:
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        lines.append(f"{_entry_label(data, loc)}: {error['msg']}")
    return ValueError(f"invalid data in {source}:\n  " + "\n  ".join(lines))


def parse_regions(raw: bytes | str, source: str = REGIONS_FILE) -> Regions:
    """Validate the text of a regions file."""
    data = _load_yaml(raw, source)
    try:
        return Regions.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(source, data, exc) from exc


def parse_industries(raw: bytes | str, source: str = INDUSTRIES_FILE) -> list[Industry]:
    """Validate the text of an industries file."""
    data = _load_yaml(raw, source)
    try:
        return list(_IndustriesFile.model_validate(data).industries)
    except ValidationError as exc:
        raise _validation_error(source, data, exc) from exc


def parse_plan(
    raw: bytes | str,
    source: str,
    *,
    regions: Regions | None = None,
    industries: Iterable[Industry] | None = None,
) -> PlanDocument:
    """Validate the text of a plan file.

    References to industries, prefectures and counties are checked against ``regions`` and
    ``industries`` (the packaged ones when not given).
    """
    data = _load_yaml(raw, source)
    refs = _References.build(
        regions if regions is not None else load_regions(),
        industries if industries is not None else load_industries(),
    )
    try:
        return PlanDocument.model_validate(data, context={"references": refs})
    except ValidationError as exc:
        raise _validation_error(source, data, exc) from exc


def _read(name: str) -> bytes:
    return (files("plateau.plan") / "data" / name).read_bytes()


def _plan_file(plan_id: str) -> str:
    if plan_id not in PLAN_IDS:
        raise ValueError(f"unknown plan id {plan_id!r}; expected one of {PLAN_IDS}")
    return f"{plan_id}.yaml"


@lru_cache(maxsize=1)
def load_regions() -> Regions:
    """Tibet's prefectures and counties (GB/T 2260), from the packaged data."""
    return parse_regions(_read(REGIONS_FILE), REGIONS_FILE)


@lru_cache(maxsize=1)
def _industries() -> tuple[Industry, ...]:
    return tuple(parse_industries(_read(INDUSTRIES_FILE), INDUSTRIES_FILE))


def load_industries() -> list[Industry]:
    """The eleven industries of the 533 system, in plan order."""
    return list(_industries())


@lru_cache(maxsize=len(PLAN_IDS))
def load_plan(plan_id: str) -> PlanDocument:
    """One plan, validated against the packaged regions and industries."""
    name = _plan_file(plan_id)
    document = parse_plan(_read(name), name)
    if document.plan.id != plan_id:
        raise ValueError(f"{name}: plan.id is {document.plan.id!r}, expected {plan_id!r}")
    return document


def load_plans() -> list[PlanDocument]:
    """Both plans, in ``PLAN_IDS`` order."""
    return [load_plan(plan_id) for plan_id in PLAN_IDS]


def content_digest(plan_id: str) -> str:
    """SHA-256 (hex) of the plan's YAML file: the version of the plan's data."""
    return hashlib.sha256(_read(_plan_file(plan_id))).hexdigest()
