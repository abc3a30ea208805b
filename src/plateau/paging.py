"""One page of a list, as every JSON list of the platform returns it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_PER_PAGE = 200

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)


class Found(Protocol):
    """What a service's paged list returns: records of one page and the count of all."""

    @property
    def items(self) -> list[Any]: ...
    @property
    def total(self) -> int: ...
    @property
    def page(self) -> int: ...
    @property
    def per_page(self) -> int: ...


class Page(BaseModel, Generic[T]):
    """One page of a list: the items and how many there are in all."""

    items: list[T]
    total: int
    page: int
    per_page: int


def clamp(page: int, per_page: int) -> tuple[int, int]:
    """A page number of at least 1 and a page size between 1 and :data:`MAX_PER_PAGE`."""
    return max(1, page), max(1, min(per_page, MAX_PER_PAGE))


@dataclass(frozen=True)
class Paged(Generic[R]):
    """A service's page of records (what :class:`Found` describes) and the number of pages."""

    items: list[R]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    *,
    page: int,
    per_page: int,
    scalars: bool = False,
) -> Paged[Any]:
    """Count what ``stmt`` selects and fetch one page of it, cut in SQL (LIMIT/OFFSET).

    ``stmt`` carries its own order; a page past the end is empty. ``scalars`` returns the
    first column of each row (one entity per row), otherwise rows as tuples."""
    page, per_page = clamp(page, per_page)
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = int(session.scalar(counted) or 0)
    cut = stmt.offset((page - 1) * per_page).limit(per_page)
    items: list[Any] = (
        list(session.scalars(cut)) if scalars else [tuple(row) for row in session.execute(cut)]
    )
    return Paged(items=items, total=total, page=page, per_page=per_page)


def page_of(model: type[M], found: Found, read: Callable[[Any], M] | None = None) -> Page[M]:
    """Turn a service's page of records into the response model, item by item (with ``read``
    where a record is not the model's source as it stands)."""
    page_model: type[Page[M]] = Page[model]  # type: ignore[valid-type]
    convert = read or model.model_validate
    return page_model(
        items=[convert(item) for item in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


def page_of_rows(model: type[M], rows: list[Any], *, page: int, per_page: int) -> Page[M]:
    """Cut one page out of a list computed in full (small lists that need no SQL paging)."""
    page_model: type[Page[M]] = Page[model]  # type: ignore[valid-type]
    chunk = rows[(page - 1) * per_page : page * per_page]
    return page_model(
        items=[model.model_validate(item) for item in chunk],
        total=len(rows),
        page=page,
        per_page=per_page,
    )
