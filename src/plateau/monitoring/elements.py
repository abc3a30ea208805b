"""Data elements and region-level inputs, declared in ``data_elements.yaml``.

An element is stored either in a column of ``monthly_return`` (the core monthly figures)
or as a ``return_value`` row (everything else, and every annual figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from plateau.i18n import _, get_locale

Kind = Literal["money", "quantity", "integer"]
Frequency = Literal["monthly", "annual"]
KINDS: tuple[str, ...] = ("money", "quantity", "integer")
PLACES: dict[str, Decimal] = {
    "money": Decimal("0.01"),
    "quantity": Decimal("0.001"),
    "integer": Decimal(1),
}
# Columns of monthly_return an element may live in.
RETURN_COLUMNS: frozenset[str] = frozenset(
    {
        "output_value_cny",
        "revenue_cny",
        "value_added_cny",
        "exports_cny",
        "rd_spending_cny",
        "employees",
        "energy_tce",
        "water_m3",
        "product_volume_t",
    }
)
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "CNY": ("元", "CNY"),
    "persons": ("人", "persons"),
    "count": ("个", "count"),
    "tce": ("吨标准煤", "tce"),
    "m3": ("立方米", "m³"),
    "t": ("吨", "t"),
    "ratio": ("", ""),
}


@dataclass(frozen=True)
class DataElement:
    """One figure an enterprise files."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: Kind
    column: str | None  # None: stored as a return_value row
    industries: frozenset[str] | None  # None: every industry
    frequency: Frequency
    ytd: str

    @property
    def name(self) -> str:
        return self.name_en if get_locale() == "en" else self.name_zh

    @property
    def unit_label(self) -> str:
        zh, en = UNIT_LABELS.get(self.unit, (self.unit, self.unit))
        return en if get_locale() == "en" else zh

    def applies_to(self, industry_id: str | None) -> bool:
        return self.industries is None or industry_id in self.industries

    def quantize(self, value: Decimal) -> Decimal:
        return value.quantize(PLACES[self.kind], rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RegionInputSpec:
    """A region-level figure the administrator enters (barley production, price indices …)."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    scopes: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.name_en if get_locale() == "en" else self.name_zh


@dataclass(frozen=True)
class Catalog:
    elements: dict[str, DataElement]
    region_inputs: dict[str, RegionInputSpec]

    def for_return(self, frequency: str, industry_id: str | None) -> list[DataElement]:
        """The elements an enterprise of ``industry_id`` files in a return of ``frequency``."""
        return [
            e
            for e in self.elements.values()
            if e.frequency == frequency and e.applies_to(industry_id)
        ]

    def of_frequency(self, frequency: str) -> list[DataElement]:
        return [e for e in self.elements.values() if e.frequency == frequency]


def _element(raw: dict[str, Any]) -> DataElement:
    storage = str(raw["storage"])
    column = storage.removeprefix("column:") if storage.startswith("column:") else None
    if storage != "extra" and column not in RETURN_COLUMNS:
        raise ValueError(f"data element {raw['id']}: unknown storage {storage}")
    if raw["kind"] not in KINDS:
        raise ValueError(f"data element {raw['id']}: unknown kind {raw['kind']}")
    if raw["frequency"] not in ("monthly", "annual"):
        raise ValueError(f"data element {raw['id']}: unknown frequency {raw['frequency']}")
    if column is not None and raw["frequency"] != "monthly":
        raise ValueError(f"data element {raw['id']}: only monthly elements live in columns")
    industries = raw.get("industries", "*")
    return DataElement(
        id=str(raw["id"]),
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        unit=str(raw["unit"]),
        kind=raw["kind"],
        column=column,
        industries=None if industries == "*" else frozenset(industries),
        frequency=raw["frequency"],
        ytd=str(raw.get("ytd", "sum")),
    )


def parse_catalog(data: dict[str, Any]) -> Catalog:
    """Build the catalog from the YAML structure, refusing inconsistent declarations."""
    elements: dict[str, DataElement] = {}
    for raw in data["elements"]:
        element = _element(raw)
        if element.id in elements:
            raise ValueError(f"data element {element.id} declared twice")
        elements[element.id] = element
    # Two elements may share a column only if no industry files both.
    by_column: dict[str, list[DataElement]] = {}
    for e in elements.values():
        if e.column:
            by_column.setdefault(e.column, []).append(e)
    for column, shared in by_column.items():
        if len(shared) > 1 and any(
            e.industries is None or (f.industries is None or e.industries & f.industries)
            for i, e in enumerate(shared)
            for f in shared[i + 1 :]
        ):
            raise ValueError(f"column {column} is shared by elements of the same industry")
    inputs = {
        str(r["id"]): RegionInputSpec(
            id=str(r["id"]),
            name_zh=str(r["name_zh"]),
            name_en=str(r["name_en"]),
            unit=str(r["unit"]),
            scopes=tuple(r.get("scopes", ["region"])),
        )
        for r in data.get("region_inputs", [])
    }
    return Catalog(elements=elements, region_inputs=inputs)


@lru_cache
def catalog() -> Catalog:
    """Return the data elements shipped with the package."""
    text = (resources.files("plateau.monitoring") / "data_elements.yaml").read_text("utf-8")
    return parse_catalog(yaml.safe_load(text))


def element_for_column(column: str, industry_id: str | None) -> DataElement | None:
    """The monthly element an enterprise of ``industry_id`` keeps in ``column``."""
    for e in catalog().elements.values():
        if e.column == column and e.applies_to(industry_id):
            return e
    return None


class NumberError(ValueError):
    """A cell that is not a number; ``message`` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def format_value(element: DataElement, value: Decimal | float | None) -> str:
    """A figure for reading: 万元/亿元 for money, 万吨 for tonnes, units spelled out otherwise."""
    from plateau.formatting import fmt_number, fmt_value

    if value is None:
        return "—"
    if element.unit in ("CNY", "t"):
        return fmt_value(value, element.unit)
    space = " " if get_locale() == "en" else ""
    if element.unit in ("persons", "count"):
        digits = 0 if Decimal(str(value)) == Decimal(str(value)).to_integral_value() else 1
        return f"{fmt_number(value, digits)}{space}{element.unit_label}".strip()
    return f"{fmt_number(value, 2)}{space}{element.unit_label}".strip()


def format_in_unit(element: DataElement, value: Decimal | float | None) -> str:
    """A figure in the element's own unit, without the unit, for a table whose unit column
    names it (the return form, where figures are typed in that unit too): one unit per row."""
    from plateau.formatting import fmt_number

    if value is None:
        return "—"
    exact = Decimal(str(value))
    places = {"money": 2, "quantity": 3, "integer": 0}[element.kind]
    return fmt_number(value, 0 if exact == exact.to_integral_value() else places)


def parse_number(element: DataElement, raw: object) -> Decimal | None:
    """Read a figure typed by a person or a program; None for an empty cell."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberError(_("“%(value)s” is not a number.", value=raw))
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").replace(" ", "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise NumberError(_("“%(value)s” is not a number.", value=str(raw).strip())) from None
    if not value.is_finite():
        raise NumberError(_("“%(value)s” is not a number.", value=str(raw).strip()))
    if abs(value) >= Decimal("1e15"):
        raise NumberError(_("%(value)s is too large for this figure.", value=str(raw).strip()))
    # Integers are checked by a rule (so the message names the rule); others are rounded.
    return value if element.kind == "integer" else element.quantize(value)
