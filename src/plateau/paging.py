"""One page of a list, as every JSON list of the platform returns it."""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

MAX_PER_PAGE = 200

T = TypeVar("T")
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


def page_of(model: type[M], found: Found) -> Page[M]:
    """Turn a service's page of records into the response model, item by item."""
    page_model: type[Page[M]] = Page[model]  # type: ignore[valid-type]
    return page_model(
        items=[model.model_validate(item) for item in found.items],
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
