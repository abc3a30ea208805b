"""Sorting Chinese names by pinyin, without a dictionary dependency.

GB 2312 orders its 3,755 level-1 hanzi (the common characters, which include the names of
Tibet's prefectures, counties, parks and nearly every enterprise name) by pinyin, so a
character's GB 18030 bytes sort by pinyin within that range. Each character is keyed by
its pinyin initial (from the classic table of the first level-1 character of every letter)
and then its bytes, so Latin letters and hanzi interleave (A…, 阿…, B…, 巴…). Characters
outside level 1 (rare ones, ordered by radical in GB 2312) sort after the letter z, by
code point. Polyphones take GB 2312's reading (重 as zhong). Decision 0036.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from plateau.i18n import get_locale

T = TypeVar("T")

# The first level-1 character of each pinyin initial (i, u and v begin no syllable).
_INITIALS = (
    (0xB0A1, "a"), (0xB0C5, "b"), (0xB2C1, "c"), (0xB4EE, "d"), (0xB6EA, "e"),
    (0xB7A2, "f"), (0xB8C1, "g"), (0xB9FE, "h"), (0xBBF7, "j"), (0xBFA6, "k"),
    (0xC0AC, "l"), (0xC2E8, "m"), (0xC4C3, "n"), (0xC5B6, "o"), (0xC5BE, "p"),
    (0xC6DA, "q"), (0xC8BB, "r"), (0xC8F6, "s"), (0xCBFA, "t"), (0xCDDA, "w"),
    (0xCEF4, "x"), (0xD1B9, "y"), (0xD4D1, "z"),
)  # fmt: skip
_STARTS = [start for start, _letter in _INITIALS]
_LEVEL1_END = 0xD7F9
_AFTER_Z = "{"  # sorts after every lower-case letter


def _char_key(ch: str) -> tuple[str, int]:
    if ch.isascii():
        return (ch.lower(), ord(ch.lower()))
    try:
        raw = ch.encode("gb18030")
    except UnicodeEncodeError:
        return (_AFTER_Z, ord(ch))
    if len(raw) == 2:
        code = raw[0] << 8 | raw[1]
        if _STARTS[0] <= code <= _LEVEL1_END:
            return (_INITIALS[bisect_right(_STARTS, code) - 1][1], code)
    return (_AFTER_Z, 0x10000 + ord(ch))


def pinyin_key(text: str) -> tuple[tuple[str, int], ...]:
    """A sort key that orders Chinese names by pinyin (and Latin text alphabetically)."""
    return tuple(_char_key(ch) for ch in text.strip())


def pinyin_initials(text: str) -> str:
    """The pinyin initials of a name (拉萨净土 → lsjt), Latin letters and digits as they are;
    rare characters outside GB 2312 level 1 are left out."""
    out = []
    for ch in text:
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
            continue
        letter = _char_key(ch)[0]
        if letter != _AFTER_Z:
            out.append(letter)
    return "".join(out)


def name_key(text: str) -> Any:
    """The sort key of a name in the reader's language: pinyin in Chinese, else casefold."""
    return pinyin_key(text) if get_locale() != "en" else text.casefold()


def by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by their name as the reader expects (pinyin for Chinese)."""
    return sorted(items, key=lambda item: name_key(name(item)))


SORT_KEY_CHARS = 64  # names longer than this sort by their first 64 characters, then by id
SORT_KEY_LENGTH = SORT_KEY_CHARS * 8


def sort_key(text: str) -> str:
    """``pinyin_key`` as a string that a database orders the same way, to sort and page in SQL.

    Each character becomes eight hex digits (its initial's code, then its code within it), so
    comparing two keys byte by byte compares the tuples of ``pinyin_key``. Only ``0-9a-f``
    appear, and columns holding keys use the "C" collation on PostgreSQL: no locale reorders them.
    """
    return "".join(
        f"{ord(initial):02x}{code:06x}" for initial, code in pinyin_key(text[:SORT_KEY_CHARS])
    )
