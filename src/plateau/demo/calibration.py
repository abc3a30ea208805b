"""How close a world (generated in memory, or loaded in a database) is to the plan's 2022 figures.

One function computes the check from plain per-enterprise figures, so the generator's tests
and ``plateau demo summary`` (which reads the database) measure the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from plateau.demo.profiles import ABOVE_SIZE_REVENUE, WATER_CORE_PREFECTURES, YI

CALIBRATION_YEAR = 2022
# The plan's own 2022 figures (seed 000, 一 and 二(三)) the demo is calibrated on.
PLAN_2022: dict[str, float] = {
    "above_size": 63,
    "output_value_cny": 50 * YI,
    "over_100m": 14,
    "high_tech": 15,
    "specialized_sme": 21,
    "green_factory": 17,
    "park_output_cny": 31 * YI,
    "parks_over_100m": 3,
    "agri_food_output_cny": 18 * YI,
    "tibetan_medicine_above_size": 15,
    "water_companies_core": 38,
    "water_core_share_pct": 68,
    "water_volume_t": 500_000,
    "barley_conversion_2020_pct": 17.8,
}


@dataclass(frozen=True)
class FirmInfo:
    industry: str
    prefecture: str
    park: str | None


@dataclass(frozen=True)
class YearFigures:
    output: float
    revenue: float
    volume: float


def calibration(
    *,
    figures: Mapping[tuple[Any, int], YearFigures],
    firms: Mapping[Any, FirmInfo],
    statuses: Iterable[tuple[Any, str, date, date | None]],
    gmp: Iterable[tuple[Any, date, date | None]],
    barley_production_2020: float | None,
) -> dict[str, float]:
    """Return the world's 2022 figures under the plan's names (money in CNY)."""
    year = CALIBRATION_YEAR
    day = date(year, 12, 31)
    in_year = {k: f for (k, y), f in figures.items() if y == year}
    above = {k for k, f in in_year.items() if f.revenue >= ABOVE_SIZE_REVENUE}
    parks: dict[str, float] = {}
    for k in above:
        park = firms[k].park
        if park:
            parks[park] = parks.get(park, 0.0) + in_year[k].output
    held: dict[str, set[Any]] = {}
    for key, kind, start, end in statuses:
        if start <= day and (end is None or end >= day):
            held.setdefault(kind, set()).add(key)
    gmp_holders = {k for k, start, end in gmp if start <= day and (end is None or end >= day)}
    water = [k for k in in_year if firms[k].industry == "drinking_water"]
    core = [k for k in water if firms[k].prefecture in WATER_CORE_PREFECTURES]
    medicine = [k for k in above if firms[k].industry == "tibetan_medicine"]
    barley_2020 = sum(
        f.volume
        for (k, y), f in figures.items()
        if y == 2020 and firms[k].industry != "drinking_water"
    )
    return {
        "above_size": len(above),
        "output_value_cny": round(sum(in_year[k].output for k in above), 2),
        "over_100m": sum(1 for k in above if in_year[k].output > YI),
        "high_tech": len(held.get("high_tech", set())),
        "specialized_sme": len(held.get("specialized_sme", set())),
        "green_factory": len(held.get("green_factory", set())),
        "park_output_cny": round(sum(parks.values()), 2),
        "parks_over_100m": sum(1 for v in parks.values() if v > YI),
        "agri_food_output_cny": round(
            sum(in_year[k].output for k in above if firms[k].industry == "agri_food"), 2
        ),
        "tibetan_medicine_above_size": len(medicine),
        "tibetan_medicine_above_size_gmp": sum(1 for k in medicine if k in gmp_holders),
        "water_companies": len(water),
        "water_companies_core": len(core),
        "water_core_share_pct": round(100 * len(core) / len(water), 2) if water else 0.0,
        "water_volume_t": round(sum(in_year[k].volume for k in water), 3),
        "barley_conversion_2020_pct": (
            round(100 * barley_2020 / barley_production_2020, 2) if barley_production_2020 else 0.0
        ),
    }


def world_calibration(world: Any) -> dict[str, float]:
    """The calibration check of a generated ``World`` (before it is loaded)."""
    figures: dict[tuple[Any, int], YearFigures] = {}
    for r in world.returns:
        key = (r["enterprise_key"], r["period"].year)
        f = figures.get(key, YearFigures(0.0, 0.0, 0.0))
        vol = float(r["product_volume_t"]) if r["product_volume_t"] is not None else 0.0
        figures[key] = YearFigures(
            f.output + float(r["output_value_cny"]),
            f.revenue + float(r["revenue_cny"]),
            f.volume + vol,
        )
    firms = {
        e["key"]: FirmInfo(e["industry_id"], e["prefecture_code"], e["park_id"])
        for e in world.enterprises
    }
    production = next(
        (
            float(r["value"])
            for r in world.region_inputs
            if r["indicator"] == "highland_barley_production" and r["year"] == 2020
        ),
        None,
    )
    return calibration(
        figures=figures,
        firms=firms,
        statuses=[
            (s["enterprise_key"], s["kind"], s["valid_from"], s["valid_to"]) for s in world.statuses
        ],
        gmp=[
            (c["enterprise_key"], c["valid_from"], c["valid_to"])
            for c in world.certifications
            if c["kind"] == "gmp"
        ],
        barley_production_2020=production,
    )
