"""Indicator definitions: ``indicators.yaml`` read and validated into typed records.

The formulas are data (see the YAML's header for the kinds); the engine in ``engine.py``
evaluates them. Adding an indicator means adding a YAML entry, not code, as long as its
formula is one of the kinds below.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from plateau.i18n import get_locale

Kind = Literal[
    "sum", "count", "status_count", "ratio", "growth", "new_members", "park_count", "region_input"
]
Population = Literal["above_size", "all"]
Trajectory = Literal["geometric", "linear", "constant"]
Accumulation = Literal["stock", "flow"]
ScopeKind = Literal["region", "industry", "prefecture", "park", "enterprise", "program"]

SCOPE_KINDS: tuple[ScopeKind, ...] = (
    "region",
    "industry",
    "prefecture",
    "park",
    "enterprise",
    "program",
)
# Data elements of a monthly return an indicator may use, and how a year aggregates them.
ELEMENTS: dict[str, str] = {
    "output_value": "output_value_cny",
    "revenue": "revenue_cny",
    "value_added": "value_added_cny",
    "exports": "exports_cny",
    "rd_spending": "rd_spending_cny",
    "energy_tce": "energy_tce",
    "water_m3": "water_m3",
    "product_volume_t": "product_volume_t",
}
# Whatever the indicators use, these are read: revenue decides above-size status.
ALWAYS_READ: tuple[str, ...] = ("revenue", "output_value")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    above_size_revenue_cny: float
    counted_statuses: tuple[str, ...]
    at_risk_ratio: float = Field(gt=0, lt=1)


class Program(BaseModel):
    """A program scope: the enterprises of some prefectures in some GB/T 4754 classes."""

    model_config = ConfigDict(extra="forbid")

    name_zh: str
    name_en: str
    prefectures: tuple[str, ...]
    gbt4754_prefixes: tuple[str, ...]

    def includes(self, *, prefecture: str, gbt4754: str | None) -> bool:
        """Tell whether an enterprise so placed and classified belongs to the program."""
        return (
            prefecture in self.prefectures
            and gbt4754 is not None
            and gbt4754.startswith(self.gbt4754_prefixes)
        )


class ProgramSetting(BaseModel):
    """What differs for one program's scope: the levels a status counts at, the name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: tuple[str, ...] | None = None
    name_zh: str | None = None
    name_en: str | None = None


class Indicator(BaseModel):
    """One indicator: what it measures, in which unit, and its formula."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: Kind
    element: str | None = None
    population: Population = "above_size"
    industries: tuple[str, ...] = ()
    in_park: bool = False
    min: float | None = None
    statuses: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    deflate: bool = False
    base_year: int | None = None
    denominator: str | None = None
    input: str | None = None
    accumulation: Accumulation = "stock"
    trajectory: Trajectory
    monthly: bool = False
    scopes: tuple[ScopeKind, ...] = SCOPE_KINDS
    # Per program (its scope ``program:<id>``): another level set, another name.
    programs: dict[str, ProgramSetting] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        if self.element is not None and self.element not in ELEMENTS:
            raise ValueError(f"{self.id}: unknown data element {self.element}")
        needs_element = {"sum", "ratio", "growth", "park_count"}
        if self.kind in needs_element and self.element is None:
            raise ValueError(f"{self.id}: a {self.kind} indicator needs an element")
        if self.kind == "growth" and self.base_year is None:
            raise ValueError(f"{self.id}: a growth indicator needs a base_year")
        if self.kind == "ratio" and self.denominator is None:
            raise ValueError(f"{self.id}: a ratio indicator needs a denominator")
        if self.kind == "region_input" and self.input is None:
            raise ValueError(f"{self.id}: a region_input indicator needs an input")
        if self.kind == "status_count" and not self.statuses:
            raise ValueError(f"{self.id}: a status_count indicator needs statuses")
        if self.min is not None and self.element is None:
            raise ValueError(f"{self.id}: a threshold needs an element")
        if self.monthly and self.kind != "sum":
            raise ValueError(f"{self.id}: only sums are computed per month")
        for pid, setting in self.programs.items():
            if setting.levels is not None and self.kind != "status_count":
                raise ValueError(f"{self.id}: levels of program {pid} need a status_count")
        return self

    def __hash__(self) -> int:
        # ``programs`` is a dict: the id is unique in a catalog and identifies the indicator.
        return hash(self.id)

    def levels_for(self, scope_id: str) -> tuple[str, ...]:
        """The status levels counted for a scope (a program may count other levels)."""
        setting = self._program_setting(scope_id)
        if setting is not None and setting.levels is not None:
            return setting.levels
        return self.levels

    def name_for(self, scope_id: str | None) -> str:
        """The name in the current locale, as the scope's plan calls it."""
        setting = self._program_setting(scope_id)
        if setting is not None and setting.name_zh and setting.name_en:
            return setting.name_en if get_locale() == "en" else setting.name_zh
        return self.name

    def _program_setting(self, scope_id: str | None) -> ProgramSetting | None:
        if not scope_id or not scope_id.startswith("program:"):
            return None
        return self.programs.get(scope_id.split(":", 1)[1])

    @property
    def name(self) -> str:
        """The name in the current locale."""
        return self.name_en if get_locale() == "en" else self.name_zh

    @property
    def about_above_size(self) -> bool:
        """Whether the figure concerns above-designated-size enterprises only."""
        return self.population == "above_size" and self.kind in (
            "sum",
            "count",
            "growth",
            "park_count",
            "new_members",
        )

    def applies_to(self, scope_kind: str, scope_value: str | None = None) -> bool:
        """Tell whether the indicator is computed for a scope (kind, and industry filter)."""
        if scope_kind not in self.scopes:
            return False
        return not (
            scope_kind == "industry"
            and self.industries
            and scope_value is not None
            and scope_value not in self.industries
        )


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    settings: Settings
    programs: dict[str, Program]
    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _unique(self) -> Catalog:
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError("indicator ids must be unique")
        return self

    @model_validator(mode="after")
    def _known_programs(self) -> Catalog:
        for ind in self.indicators:
            unknown = set(ind.programs) - set(self.programs)
            if unknown:
                raise ValueError(f"{ind.id}: unknown programs {sorted(unknown)}")
        return self

    def get(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def elements(self) -> tuple[str, ...]:
        """The data elements the indicators read (in a stable order)."""
        used = set(ALWAYS_READ) | {i.element for i in self.indicators if i.element}
        return tuple(e for e in ELEMENTS if e in used)


def parse_catalog(text: str) -> Catalog:
    """Validate an indicator catalog written as YAML."""
    return Catalog.model_validate(yaml.safe_load(text))


@lru_cache
def catalog() -> Catalog:
    """Return the indicator catalog shipped with the package."""
    text = (resources.files("plateau.monitoring.analytics") / "indicators.yaml").read_text("utf-8")
    return parse_catalog(text)
