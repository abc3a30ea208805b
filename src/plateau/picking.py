"""Searchable pickers: one page of (value, name) choices matching a query by name or pinyin initials.

A picker on a page is a plain ``<select>``; when there are more than ``PLAIN_MAX`` choices,
a search box beside it asks a JSON endpoint for the matching ones (``web/_picker.html`` and
``plateau.js``). Each domain's service builds the statement of what the caller may pick
(its scope) and hands it to ``search``; this module only filters and cuts pages.
Decision 0053.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from plateau.collation import pinyin_initials
from plateau.paging import Page

#: Up to this many choices a page shows a plain select, without a search box.
PLAIN_MAX = 50
#: Choices a picker shows at a time (the first page, and each answer of the search).
PER_PAGE = 50


class Choice(BaseModel):
    """One choice of a picker: the value the form sends and the name a person reads."""

    value: str
    label: str


def matches(label: str, query: str) -> bool:
    """Whether a name matches what was typed: part of the name, or of its pinyin initials."""
    q = query.strip().casefold()
    if not q:
        return True
    if q in label.casefold():
        return True
    compact = q.replace(" ", "")
    return compact.isascii() and compact.isalnum() and compact in pinyin_initials(label)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    *,
    label: Any,
    query: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
    describe: Any = None,
) -> Page[Choice]:
    """One page of the choices of ``stmt`` (rows of value, name[, extra]) matching ``query``.

    Text with Chinese characters is matched in SQL (``label`` LIKE); Latin letters may be pinyin
    initials, which SQL cannot compute, so those rows are filtered here, one page kept.
    ``describe`` turns a row into the shown label (default: its second column).
    """
    q = query.strip()[:60]
    show = describe or (lambda row: str(row[1]))
    if q and not q.isascii():
        stmt = stmt.where(label.like(f"%{_escaped(q)}%", escape="\\"))
        q = ""
    found: list[Choice] = []
    total = 0
    start = (page - 1) * per_page
    for row in session.execute(stmt):
        text = show(row)
        if q and not matches(text, q):
            continue
        if start <= total < start + per_page:
            found.append(Choice(value=str(row[0]), label=text))
        total += 1
    return Page[Choice](items=found, total=total, page=page, per_page=per_page)
