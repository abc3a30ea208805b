"""Outlier scores: the modified z-score on the median absolute deviation (Iglewicz and Hoaglin).

    M = 0.6745 · (x − median) / MAD,   MAD = median(|xᵢ − median|)

0.6745 is the 0.75 quantile of the standard normal, so M is on the scale of an ordinary
z-score for normal data but is not dragged by the outliers themselves. |M| > 3.5 is the
usual flag. A sample without spread (MAD = 0) gives no score: any change would be "infinite".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CONSISTENCY = 0.6745


def median(values: Sequence[float]) -> float:
    """The middle value (mean of the two middle ones for an even count)."""
    if not values:
        raise ValueError("median of an empty sample")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def mad(values: Sequence[float]) -> float:
    """The median absolute deviation from the median."""
    centre = median(values)
    return median([abs(v - centre) for v in values])


@dataclass(frozen=True)
class Score:
    """How far ``value`` lies from a sample, in robust standard deviations."""

    value: float
    median: float
    mad: float
    z: float
    n: int

    def exceeds(self, threshold: float) -> bool:
        return abs(self.z) > threshold


def modified_z(value: float, sample: Sequence[float]) -> Score | None:
    """Score ``value`` against ``sample`` (which should not contain it); None without spread."""
    if not sample:
        return None
    centre = median(sample)
    spread = mad(sample)
    if spread == 0:
        return None
    return Score(
        value=value,
        median=centre,
        mad=spread,
        z=CONSISTENCY * (value - centre) / spread,
        n=len(sample),
    )
