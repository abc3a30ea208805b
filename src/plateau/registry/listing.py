"""Paged lists: one page of records, its total, and safe sorting by a named key."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from plateau import paging
from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _
from plateau.paging import MAX_PER_PAGE

T = TypeVar("T")

#: One page of records and how many match in all (the platform's page of a service).
Listing = paging.Paged


def normal(code: str) -> str:
    return code.strip().upper()


def paginate(session: Session, stmt: Select[T], page: int, per_page: int) -> Listing[T]:
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed(
            _("per_page must be between 1 and %(max)s.", max=MAX_PER_PAGE),
            [FieldError(_("Out of range."), field="per_page", value=per_page)],
        )
    if page < 1:
        raise ValidationFailed(
            _("page starts at 1."), [FieldError(_("Out of range."), field="page", value=page)]
        )
    return paging.paginate(session, stmt, page=page, per_page=per_page, scalars=True)


def order_by(sort: str, columns: dict[str, Any], tie: Any) -> list[Any]:
    key = sort.strip() or "name"
    desc = key.startswith("-")
    column = columns.get(key.lstrip("-"))
    if column is None:
        raise ValidationFailed(
            _("Unknown sort key “%(key)s”: use one of %(keys)s.", key=key, keys=", ".join(columns)),
            [FieldError(_("Unknown sort key."), field="sort", value=sort)],
        )
    return [column.desc() if desc else column.asc(), tie]
