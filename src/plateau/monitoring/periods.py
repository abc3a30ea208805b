"""Reporting periods: ``YYYY-MM`` for a month, ``YYYY`` for a year, and their deadlines.

A monthly return holds the month's own figures; a year's months 1..N add up to the
"1–N月累计" figures shown beside them. Deadlines are in Beijing time (UTC+8, no DST).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from plateau.formatting import BEIJING
from plateau.i18n import _

_MONTHLY = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月$"),
    # Excel turns "2026-09" into a date; its first day stands for the month.
    re.compile(r"^(\d{4})-(\d{1,2})-01(?:[T ]00:00(?::00)?)?$"),
)
_ANNUAL = (re.compile(r"^(\d{4})$"), re.compile(r"^(\d{4})年(?:度)?$"))


class PeriodError(ValueError):
    """A period that cannot be filed: malformed, unknown, too early or not yet over."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Period:
    """A month (``month`` 1–12) or a whole year (``month`` None)."""

    year: int
    month: int | None = None

    @property
    def is_annual(self) -> bool:
        return self.month is None

    @property
    def frequency(self) -> str:
        return "annual" if self.month is None else "monthly"

    @property
    def start(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        if self.month is None or self.month == 12:
            return date(self.year, 12, 31)
        return date(self.year, self.month + 1, 1) - timedelta(days=1)

    @property
    def index(self) -> int:
        """Months since year 0, for arithmetic (annual periods use December)."""
        return self.year * 12 + (self.month or 12) - 1

    def __str__(self) -> str:
        return str(self.year) if self.month is None else f"{self.year:04d}-{self.month:02d}"

    def add_months(self, n: int) -> Period:
        """The month ``n`` months after this one (monthly periods only)."""
        assert self.month is not None
        idx = self.index + n
        return Period(idx // 12, idx % 12 + 1)

    def months(self) -> list[Period]:
        """The months of an annual period (or the month itself)."""
        if self.month is not None:
            return [self]
        return [Period(self.year, m) for m in range(1, 13)]

    def year_to_date(self) -> list[Period]:
        """Months 1..N of the year (the months behind 1–N月累计)."""
        if self.month is None:
            return self.months()
        return [Period(self.year, m) for m in range(1, self.month + 1)]

    def label(self) -> str:
        """The period as readers expect it: 2026年9月 / 2026年 in Chinese."""
        from plateau.i18n import get_locale

        if get_locale() == "en":
            return str(self)
        return f"{self.year}年" if self.month is None else f"{self.year}年{self.month}月"

    def ytd_label(self) -> str:
        """The heading of the year-to-date column, e.g. 1–9月累计."""
        if self.month is None:
            return _("Year")
        if self.month == 1:
            return _("January")
        return _("Jan–%(month)s year to date", month=self.month)


def from_date(d: date, *, annual: bool = False) -> Period:
    """The period containing ``d``."""
    return Period(d.year) if annual else Period(d.year, d.month)


def latest_monthly(today: date) -> Period:
    """The last month that has ended (returns are filed for past months)."""
    return Period(today.year, today.month).add_months(-1)


def latest_annual(today: date) -> Period:
    """The last year that has ended."""
    return Period(today.year - 1)


def _shape(text: str) -> Period | None:
    for pattern in _MONTHLY:
        m = pattern.match(text)
        if m:
            return Period(int(m[1]), int(m[2]))
    for pattern in _ANNUAL:
        m = pattern.match(text)
        if m:
            return Period(int(m[1]))
    return None


def parse_period(text: str, *, today: date, first: Period) -> Period:
    """Read ``YYYY-MM`` or ``YYYY`` (and common spellings); raise PeriodError with the reason."""
    value = str(text).strip()
    if not value:
        raise PeriodError(
            _("The period is missing: write YYYY-MM for a month (e.g. 2026-09) or YYYY for a year.")
        )
    found = _shape(value)
    if found is None:
        raise PeriodError(
            _(
                "“%(value)s” is not a period: write YYYY-MM for a month (e.g. 2026-09) or YYYY for a year.",
                value=value,
            )
        )
    if found.month is not None and not 1 <= found.month <= 12:
        raise PeriodError(
            _(
                "“%(value)s” is not a period: there is no month %(month)s.",
                value=value,
                month=found.month,
            )
        )
    too_early = found.year < first.year if found.is_annual else found.index < first.index
    if too_early:
        raise PeriodError(
            _(
                "%(period)s is unknown: the platform collects returns from %(first)s on.",
                period=str(found),
                first=str(first),
            )
        )
    latest = latest_annual(today) if found.is_annual else latest_monthly(today)
    if found.index > latest.index:
        raise PeriodError(
            _(
                "%(period)s has not ended yet: returns are filed after the period, the latest now is %(latest)s.",
                period=str(found),
                latest=str(latest),
            )
        )
    return found


def deadline(period: Period, *, monthly_due_day: int, annual_due: tuple[int, int]) -> datetime:
    """The moment a return for ``period`` is due (end of the due day, Beijing time), in UTC."""
    if period.month is None:
        day = date(period.year + 1, annual_due[0], annual_due[1])
    else:
        nxt = period.add_months(1)
        day = date(nxt.year, nxt.month or 1, monthly_due_day)
    return datetime.combine(day, time(23, 59, 59), tzinfo=BEIJING).astimezone(UTC)


def beijing_today() -> date:
    """Today's date in Beijing."""
    return datetime.now(BEIJING).date()
