"""Display formats for numbers, money and dates: the one place that knows 万元 and 亿元."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from plateau.i18n import get_locale

Number = int | float | Decimal

YI = 100_000_000  # 亿
WAN = 10_000  # 万
BEIJING = timezone(timedelta(hours=8))


def fmt_number(value: Number | None, digits: int = 0) -> str:
    """Format a plain number with thousands separators."""
    if value is None:
        return "—"
    return _unsigned_zero(f"{float(value):,.{digits}f}")


def _unsigned_zero(text: str) -> str:
    # A small negative number rounds to "-0" (or "-0.00"): zero has no sign for a reader.
    if text.startswith("-") and not text.strip("-0.,"):
        return text[1:]
    return text


def fmt_cny(value: Number | None, *, digits: int = 2) -> str:
    """Format an amount in CNY the way readers expect: 亿元/万元 in Chinese, bn/m in English."""
    if value is None:
        return "—"
    v = float(value)
    if get_locale() == "en":
        if abs(v) >= 1e9:
            return f"CNY {v / 1e9:,.{digits}f} bn"
        if abs(v) >= 1e6:
            return f"CNY {v / 1e6:,.{digits}f} m"
        return f"CNY {_unsigned_zero(f'{v:,.0f}')}"
    if abs(v) >= YI:
        return f"{_trim(v / YI, digits)}亿元"
    if abs(v) >= WAN:
        return f"{_trim(v / WAN, digits)}万元"
    return f"{_unsigned_zero(f'{v:,.0f}')}元"


def fmt_tonnes(value: Number | None) -> str:
    """Format a mass in tonnes (万吨 in Chinese)."""
    if value is None:
        return "—"
    v = float(value)
    if get_locale() == "en":
        return f"{_unsigned_zero(f'{v:,.0f}')} t"
    if abs(v) >= WAN:
        return f"{_trim(v / WAN, 2)}万吨"
    return f"{_unsigned_zero(f'{v:,.0f}')}吨"


def fmt_value(value: Number | None, unit: str) -> str:
    """Format a plan or indicator value by its unit (CNY, count, %, t, mu, …)."""
    if value is None:
        return "—"
    if unit == "CNY":
        return fmt_cny(value)
    if unit == "t":
        return fmt_tonnes(value)
    if unit == "%":
        return f"{_trim(float(value), 2)}%"
    if unit == "count":
        return fmt_number(value)
    if unit == "mu":
        v = float(value)
        if get_locale() != "en" and abs(v) >= WAN:
            return f"{_trim(v / WAN, 2)}万亩"
        return f"{v:,.0f} {'mu' if get_locale() == 'en' else '亩'}"
    return f"{_trim(float(value), 2)} {unit}"


def _trim(v: float, digits: int) -> str:
    # Chinese figures in 万/亿 carry no thousands separator (5000万元); English ones do.
    text = f"{v:,.{digits}f}" if get_locale() == "en" else f"{v:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _unsigned_zero(text)


def loc(obj: Any) -> str:
    """A record's name in the current language (Chinese when there is no English one)."""
    if obj is None:
        return "—"
    zh = getattr(obj, "name_zh", None) or getattr(obj, "name", "")
    en = getattr(obj, "name_en", "")
    return str(en if get_locale() == "en" and en else zh)


def fmt_time(value: datetime | None) -> str:
    """Format a moment in Beijing time (UTC+8), as officials read it."""
    if value is None:
        return "—"
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
