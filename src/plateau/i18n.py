"""Translations: Simplified Chinese first, English second.

Message ids are English. Every package may carry ``locale/<locale>.po``; all of them are
merged at start-up into one catalog per locale, so domains never edit a shared file.
The current locale lives in a context variable set per request (or per CLI run).
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DEFAULT_LOCALE = "zh_Hans_CN"
LOCALES: tuple[str, ...] = ("zh_Hans_CN", "en")
LOCALE_NAMES = {"zh_Hans_CN": "简体中文", "en": "English"}
# What <html lang> and Intl APIs expect for each locale.
HTML_LANG = {"zh_Hans_CN": "zh-CN", "en": "en"}

_current_locale: ContextVar[str] = ContextVar("plateau_locale", default=DEFAULT_LOCALE)


def catalog_files(locale: str) -> list[Path]:
    """Return every ``locale/<locale>.po`` file shipped inside the plateau package."""
    root = Path(str(resources.files("plateau")))
    return sorted(root.glob(f"**/locale/{locale}.po"))


@lru_cache
def translations(locale: str) -> NullTranslations:
    """Return the merged translations of one locale."""
    merged: Translations | None = None
    for path in catalog_files(locale):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale.split("_")[0])
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        part = Translations(buf)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged if merged is not None else NullTranslations()


def normalize_locale(value: str | None) -> str:
    """Map a cookie, header or CLI value to a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    v = value.strip().replace("-", "_").lower()
    if v.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def get_locale() -> str:
    """Return the locale of the current request or command."""
    return _current_locale.get()


def set_locale(locale: str) -> None:
    """Set the locale for the current context."""
    _current_locale.set(normalize_locale(locale))


def gettext(message: str, **params: Any) -> str:
    """Translate ``message`` into the current locale and fill ``%(name)s`` parameters."""
    text = translations(get_locale()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """Translate a message with a plural form."""
    text = translations(get_locale()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext


def lazy(message: str) -> str:
    """Mark a string for extraction without translating it now (translate at display)."""
    return message
