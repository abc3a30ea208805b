"""Sorting Chinese names by pinyin, with pypinyin's dictionary (decisions 0036, 0055).

Each character of a name is keyed by its pinyin syllable without tone (pypinyin reads
polyphones by phrase: 重庆 as chongqing, 重量 as zhongliang), then by its code point, so names
sort syllable by syllable and Latin letters interleave (A…, 阿…, B…, 巴…). Characters with no
reading (Tibetan script, symbols) sort after the letter z, by code point. pypinyin is
imported on first use: its dictionary takes a moment to load, and most processes never sort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

from plateau.i18n import get_locale

T = TypeVar("T")

_AFTER_Z = "{"  # sorts after every lower-case letter
_SYLLABLE_BYTES = 6  # the longest pinyin syllables: zhuang, shuang, chuang


def _each(run: str) -> Any:
    """pypinyin's ``errors`` callback: a run without readings, one item per character (the
    library takes a list; its type hints say str)."""
    return list(run)


@lru_cache(maxsize=65_536)
def _readings(text: str) -> tuple[str, ...]:
    """One item per character: a hanzi's syllable (lower case, no tone), else the character."""
    from pypinyin import lazy_pinyin

    readings = lazy_pinyin(text, errors=_each)
    if len(readings) != len(text):  # never seen; keep one item per character regardless
        readings = [lazy_pinyin(ch, errors=_each)[0] for ch in text]
    return tuple(readings)


def _char_key(ch: str, reading: str) -> tuple[str, int]:
    if ch.isascii():
        return (ch.lower(), ord(ch.lower()))
    if reading != ch and reading.isascii() and reading.isalpha():
        return (reading.lower(), ord(ch))
    return (_AFTER_Z, 0x10000 + ord(ch))


@lru_cache(maxsize=65_536)
def pinyin_key(text: str) -> tuple[tuple[str, int], ...]:
    """A sort key that orders Chinese names by pinyin (and Latin text alphabetically)."""
    text = text.strip()
    return tuple(_char_key(ch, r) for ch, r in zip(text, _readings(text), strict=True))


def pinyin_initials(text: str) -> str:
    """The pinyin initials of a name (拉萨净土 → lsjt, 牦牛 → mn), Latin letters and digits as
    they are; characters with no reading are left out."""
    out = []
    for ch, reading in zip(text, _readings(text), strict=True):
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
            continue
        letter = _char_key(ch, reading)[0][:1]
        if letter != _AFTER_Z:
            out.append(letter)
    return "".join(out)


def name_key(text: str) -> Any:
    """The sort key of a name in the reader's language: pinyin in Chinese, else casefold."""
    return pinyin_key(text) if get_locale() != "en" else text.casefold()


def by_name(items: Iterable[T], name: Callable[[T], str]) -> list[T]:
    """``items`` sorted by their name as the reader expects (pinyin for Chinese)."""
    return sorted(items, key=lambda item: name_key(name(item)))


SORT_KEY_CHARS = 40  # names longer than this sort by their first 40 characters, then by id
_CHAR_HEX = 2 * _SYLLABLE_BYTES + 6
SORT_KEY_LENGTH = SORT_KEY_CHARS * _CHAR_HEX


def sort_key(text: str) -> str:
    """``pinyin_key`` as a string that a database orders the same way, to sort and page in SQL.

    Each character becomes 18 hex digits: its syllable's bytes padded to six with zero bytes
    (so "an" sorts before "ang"), then its code point. Comparing two keys byte by byte
    compares the tuples of ``pinyin_key``. Only ``0-9a-f`` appear, and columns holding keys
    use the "C" collation on PostgreSQL: no locale reorders them.
    """
    return "".join(
        syllable.encode("ascii").ljust(_SYLLABLE_BYTES, b"\0").hex() + f"{code:06x}"
        for syllable, code in pinyin_key(text[:SORT_KEY_CHARS])
    )
