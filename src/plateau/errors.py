"""Domain errors: each carries its HTTP status and a message already in the user's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One problem with one input value (a row and column for file imports)."""

    message: str
    field: str | None = None
    row: int | None = None
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message, "value": self.value}


@dataclass
class DomainError(Exception):
    """A rule of the domain was broken; ``message`` is fit to show to the user."""

    message: str
    status_code: int = 400
    code: str = "bad_request"
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 404, "not_found")


class Forbidden(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 403, "forbidden")


class Unauthorized(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 401, "unauthorized")


class Conflict(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 409, "conflict")


class ValidationFailed(DomainError):
    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message, 422, "validation_failed", errors or [])
