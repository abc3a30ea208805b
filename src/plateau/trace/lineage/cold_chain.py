"""Cold chain: the temperature readings (``sensorElementList``) on a trace, with excursions
outside the storage range of the product's kind marked, and the ECharts option that draws
them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.i18n import _
from plateau.trace.epcis.models import EpcisEventSensor
from plateau.trace.lineage.genealogy import Genealogy, chunks
from plateau.trace.lineage.resolver import local_time
from plateau.trace.lineage.schemas import ColdChainRead, SensorReading

TEMPERATURE = "Temperature"
# A reading this far outside the range is not noise.
TOLERANCE_C = 0.05
MAX_READINGS = 5_000


def to_celsius(value: float | None, uom: str | None) -> float | None:
    """Convert a temperature in CEL, FAH or KEL to degrees Celsius."""
    if value is None:
        return None
    if uom == "FAH":
        return (value - 32.0) * 5.0 / 9.0
    if uom == "KEL":
        return value - 273.15
    return value


Range = tuple[float | None, float | None]


def readings(
    session: Session,
    walk: Genealogy,
    *,
    kind: str | None,
    temp_min_c: float | None,
    temp_max_c: float | None,
    place_name: Callable[[str | None], str],
    range_of: Callable[[int], Range | None] | None = None,
) -> ColdChainRead:
    """Return the temperature readings of the walk's events, excursions marked.

    A reading is checked against the storage range of what its event is about (``range_of``:
    chilled carcasses on the way to a jerky lot keep 0–4 °C), else against the product's.
    """
    found: list[SensorReading] = []
    for chunk in chunks(walk.events):
        rows = session.execute(
            select(
                EpcisEventSensor.event_id,
                EpcisEventSensor.time,
                EpcisEventSensor.start_time,
                EpcisEventSensor.value,
                EpcisEventSensor.min_value,
                EpcisEventSensor.max_value,
                EpcisEventSensor.mean_value,
                EpcisEventSensor.uom,
                EpcisEventSensor.device_id,
                EpcisEventSensor.exception,
            ).where(EpcisEventSensor.event_id.in_(chunk), EpcisEventSensor.type == TEMPERATURE)
        )
        for event_id, time, start, value, low, high, mean, uom, device, exception in rows:
            ev = walk.events[event_id]
            measured = value if value is not None else mean
            if measured is None and low is not None and high is not None:
                measured = (low + high) / 2
            celsius = to_celsius(measured, uom)
            if celsius is None:
                continue
            low_c, high_c = to_celsius(low, uom), to_celsius(high, uom)
            lowest = min(x for x in (celsius, low_c) if x is not None)
            highest = max(x for x in (celsius, high_c) if x is not None)
            low_limit, high_limit = (range_of(event_id) if range_of else None) or (
                temp_min_c,
                temp_max_c,
            )
            excursion = exception is not None
            if low_limit is not None and lowest < low_limit - TOLERANCE_C:
                excursion = True
            if high_limit is not None and highest > high_limit + TOLERANCE_C:
                excursion = True
            found.append(
                SensorReading(
                    time=local_time(time or start or ev.time, ev.offset),
                    type=TEMPERATURE,
                    value=round(celsius, 2),
                    min_value=round(low_c, 2) if low_c is not None else None,
                    max_value=round(high_c, 2) if high_c is not None else None,
                    uom="CEL",
                    device=device,
                    place=place_name(ev.biz_location or ev.read_point) or None,
                    event_id=ev.event_id,
                    excursion=excursion,
                )
            )
    found.sort(key=lambda r: r.time)
    found = found[:MAX_READINGS]
    return ColdChainRead(
        kind=kind,
        temp_min_c=temp_min_c,
        temp_max_c=temp_max_c,
        readings=found,
        excursions=sum(1 for r in found if r.excursion),
    )


def chart_option(chain: ColdChainRead) -> dict[str, Any]:
    """Return the ECharts option of a cold-chain chart (line, excursions in red, limits dashed)."""
    limits: list[dict[str, Any]] = []
    if chain.temp_min_c is not None:
        limits.append({"yAxis": chain.temp_min_c, "name": _("Lowest allowed")})
    if chain.temp_max_c is not None:
        limits.append({"yAxis": chain.temp_max_c, "name": _("Highest allowed")})
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 24, "top": 36, "bottom": 40},
        "xAxis": {
            "type": "time",
            "splitNumber": 4,
            "axisLabel": {
                "hideOverlap": True,
                "formatter": {"day": "{MM}-{dd}", "hour": "{HH}:{mm}", "minute": "{HH}:{mm}"},
            },
        },
        "yAxis": {"type": "value", "name": "°C"},
        "series": [
            {
                "type": "line",
                "name": _("Temperature"),
                "showSymbol": True,
                "symbolSize": 5,
                "data": [[r.time.isoformat(), r.value] for r in chain.readings],
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": "#c0392b"},
                    "label": {"position": "insideEndTop", "formatter": "{c} °C"},
                    "data": limits,
                },
            },
            {
                "type": "scatter",
                "name": _("Excursion"),
                "symbolSize": 12,
                "itemStyle": {"color": "#e74c3c"},
                "data": [[r.time.isoformat(), r.value] for r in chain.readings if r.excursion],
            },
        ],
    }
