"""Roles, the acting caller, and the auth domain's input/output models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from plateau.i18n import lazy


class Role(StrEnum):
    REGION_ADMIN = "region_admin"
    PREFECTURE_OFFICER = "prefecture_officer"
    PARK_OFFICER = "park_officer"
    ENTERPRISE_USER = "enterprise_user"
    ANALYST = "analyst"
    # Recognitions (issue 13): which editions they organise or judge is recorded per edition.
    ORGANISER = "organiser"
    JUROR = "juror"
    PUBLIC = "public"


# Which scope kind each role must carry (None: region-wide, no scope).
ROLE_SCOPE_KIND: dict[Role, str | None] = {
    Role.REGION_ADMIN: None,
    Role.ANALYST: None,
    Role.PREFECTURE_OFFICER: "prefecture",
    Role.PARK_OFFICER: "park",
    Role.ENTERPRISE_USER: "enterprise",
    Role.ORGANISER: None,
    Role.JUROR: None,
    Role.PUBLIC: None,
}


@dataclass(frozen=True)
class Actor:
    """Who is calling: every service that reads or writes data takes one."""

    role: Role
    user_id: int | None = None
    username: str = ""
    scope: str | None = None
    via_token: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.role is not Role.PUBLIC

    @property
    def is_region_wide(self) -> bool:
        """Sees every record of the region (admin and analyst)."""
        return self.role in (Role.REGION_ADMIN, Role.ANALYST)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.REGION_ADMIN

    @property
    def scope_kind(self) -> str | None:
        return self.scope.split(":", 1)[0] if self.scope else None

    @property
    def scope_value(self) -> str | None:
        return self.scope.split(":", 1)[1] if self.scope else None


ROLE_LABELS: dict[Role, str] = {
    Role.REGION_ADMIN: lazy("Region administrator"),
    Role.PREFECTURE_OFFICER: lazy("Prefecture officer"),
    Role.PARK_OFFICER: lazy("Park officer"),
    Role.ENTERPRISE_USER: lazy("Enterprise user"),
    Role.ANALYST: lazy("Analyst (read-only)"),
    Role.ORGANISER: lazy("Recognition organiser"),
    Role.JUROR: lazy("Juror"),
    Role.PUBLIC: lazy("Public"),
}

PUBLIC = Actor(role=Role.PUBLIC)
# The actor of trusted system jobs (plan loading, demo generation, migrations).
SYSTEM = Actor(role=Role.REGION_ADMIN, username="system")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=256)
    role: Role
    scope: str | None = None
    display_name: str = ""


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    scope: str | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=128)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssued(TokenRead):
    token: str
