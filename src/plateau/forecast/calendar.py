"""Calendar effects on demand in Tibet, computed (never typed in per year).

Losar (藏历新年) and the Shoton festival (雪顿节) follow the Tibetan Phugpa calendar. No
maintained Python library knows it (``lunardate``/``lunar-python`` are Chinese-only and
Chinese New Year is a month away from Losar in some years), so it is computed here with the
arithmetic of the Phugpa calendar as given by Svante Janson, *Tibetan calendar mathematics*
(2014) and by Reingold & Dershowitz, *Calendrical Calculations* ch. 21. The results are
checked against published Losar dates in ``tests/forecast/test_calendar.py``.

``monthly_features`` turns these into exogenous regressors for monthly series: one column
per effect, a share of the month in [0, 1].
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

# Rata Die (day 1 = 0001-01-01, Python's ordinal) of the Tibetan epoch, 7 December 128 BCE.
_TIBETAN_EPOCH_RD = -46410
_TIBETAN_YEAR_OFFSET = 127  # Tibetan year = Gregorian year + 127 (Losar 2024 opens 2151)


def _sun_equation(alpha: Fraction) -> Fraction:
    if alpha > 6:
        return -_sun_equation(alpha - 6)
    if alpha > 3:
        return _sun_equation(6 - alpha)
    table = (Fraction(0), Fraction(6, 60), Fraction(10, 60), Fraction(11, 60))
    lo = math.floor(alpha)
    if alpha == lo:
        return table[lo]
    frac = alpha - lo
    return frac * table[lo + 1] + (1 - frac) * table[lo]


def _moon_equation(alpha: Fraction) -> Fraction:
    if alpha > 14:
        return -_moon_equation(alpha - 14)
    if alpha > 7:
        return _moon_equation(14 - alpha)
    table = tuple(Fraction(m, 60) for m in (0, 5, 10, 15, 19, 22, 24, 25))
    lo = math.floor(alpha)
    if alpha == lo:
        return table[lo]
    frac = alpha - lo
    return frac * table[lo + 1] + (1 - frac) * table[lo]


def _month_position(t_year: int, month: int) -> Fraction:
    return Fraction(804, 65) * (t_year - 1) + Fraction(67, 65) * month + Fraction(64, 65)


def is_leap_month(t_year: int, month: int) -> bool:
    """Tell whether Tibetan month ``month`` of ``t_year`` is doubled (its leap month first)."""
    # A leap month is inserted where the true month count jumps by two between two months
    # of the same number: the fractional part of the count is then below 2/65.
    x = _month_position(t_year, month)
    return x - math.floor(x) < Fraction(2, 65)


def fixed_from_tibetan(t_year: int, month: int, leap_month: bool, day: int) -> date:
    """Return the Gregorian date of a (non-leap) day of the Phugpa calendar."""
    months = math.floor(_month_position(t_year, month) - (1 if leap_month else 0))
    days = 30 * months + day
    mean = days * Fraction(11135, 11312) - 30 - 1 + Fraction(1071, 1616)
    solar = (days * Fraction(13, 4824) + Fraction(2117, 4824)) % 1
    lunar = (days * Fraction(3781, 105840) + Fraction(2837, 15120)) % 1
    sun = -_sun_equation(12 * solar)
    moon = _moon_equation(28 * lunar)
    return date.fromordinal(math.floor(_TIBETAN_EPOCH_RD + mean + sun + moon))


def losar(year: int) -> date:
    """Return the first day of the Tibetan year that begins in Gregorian ``year`` (藏历新年)."""
    t_year = year + _TIBETAN_YEAR_OFFSET
    return fixed_from_tibetan(t_year, 1, is_leap_month(t_year, 1), 1)


def shoton(year: int) -> date:
    """Return the opening day of the Shoton festival (雪顿节): 30th day of the 6th month."""
    t_year = year + _TIBETAN_YEAR_OFFSET
    # The 30th of month 6 is the eve of month 7's first day; a skipped day 30 falls back a day.
    return fixed_from_tibetan(t_year, 7, is_leap_month(t_year, 7), 1) - timedelta(days=1)


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


def _share_of_month(start: date, days: int, year: int, month: int) -> float:
    first = date(year, month, 1)
    last = first + timedelta(days=_days_in_month(year, month))
    lo = max(start, first)
    hi = min(start + timedelta(days=days), last)
    return max(0, (hi - lo).days) / _days_in_month(year, month)


# Intervention months of the tourism shocks: the national shutdown of early 2020 and Tibet's
# own lockdown from August to November 2022 (with the national wave in December).
SHOCK_MONTHS: frozenset[tuple[int, int]] = frozenset(
    {(2020, m) for m in range(1, 7)} | {(2022, m) for m in range(8, 13)}
)

FEATURES: tuple[str, ...] = (
    "losar",
    "shoton",
    "tourist_season",
    "national_day",
    "shopping_618",
    "double_eleven",
    "shock",
)


def monthly_features(year: int, month: int) -> dict[str, float]:
    """Return the calendar regressors of one month (each a share of the month in [0, 1])."""
    # Losar is celebrated for about 15 days; Shoton for about a week.
    return {
        "losar": _share_of_month(losar(year), 15, year, month),
        "shoton": _share_of_month(shoton(year), 7, year, month),
        "tourist_season": 1.0 if 5 <= month <= 10 else 0.0,
        "national_day": _share_of_month(date(year, 10, 1), 7, year, month),
        "shopping_618": 1.0 if month == 6 else 0.0,
        "double_eleven": 1.0 if month == 11 else 0.0,
        "shock": 1.0 if (year, month) in SHOCK_MONTHS else 0.0,
    }
