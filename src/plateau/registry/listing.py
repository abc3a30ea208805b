"""Paged lists: one page of records, its total, and safe sorting by a named key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _
from plateau.paging import MAX_PER_PAGE

T = TypeVar("T")


@dataclass
class Listing(Generic[T]):
    """One page of records and how many match in all."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Listing(items=items, total=total, page=page, per_page=per_page)


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
