"""Who may see and change what in the registry: the one place that turns a caller into filters.

Every read of enterprise-owned data in ``service`` goes through ``visible_enterprises`` or
``visible_projects``; every write asks ``may_manage``, ``may_edit_holdings`` or
``may_manage_project``. Reference data (places, parks, industries, bases, markets) is public.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from plateau.auth.schemas import Actor, Role
from plateau.errors import Forbidden, Unauthorized
from plateau.i18n import _
from plateau.registry.models import Enterprise, InvestmentProject


def require_reader(actor: Actor) -> None:
    """Refuse the public: enterprise data is for logged-in users only."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in to see enterprise data."))


def _scope(actor: Actor, kind: str) -> str | None:
    # A role with a scope of the wrong kind sees nothing rather than everything.
    return actor.scope_value if actor.scope_kind == kind else None


def visible_enterprises(actor: Actor) -> ColumnElement[bool]:
    """Return the condition on ``Enterprise`` that selects what ``actor`` may see."""
    if actor.is_region_wide:
        return true()
    if actor.role is Role.PREFECTURE_OFFICER and (code := _scope(actor, "prefecture")):
        return Enterprise.prefecture_code == code
    if actor.role is Role.PARK_OFFICER and (park := _scope(actor, "park")):
        return Enterprise.park_id == park
    if actor.role is Role.ENTERPRISE_USER and (uscc := _scope(actor, "enterprise")):
        return Enterprise.uscc == uscc
    return false()


def visible_projects(actor: Actor) -> ColumnElement[bool]:
    """Return the condition on ``InvestmentProject`` that selects what ``actor`` may see."""
    if actor.is_region_wide:
        return true()
    if actor.role is Role.PREFECTURE_OFFICER and (code := _scope(actor, "prefecture")):
        return InvestmentProject.prefecture_code == code
    if actor.role is Role.PARK_OFFICER and (park := _scope(actor, "park")):
        return InvestmentProject.park_id == park
    if actor.role is Role.ENTERPRISE_USER and (uscc := _scope(actor, "enterprise")):
        own = select(Enterprise.id).where(Enterprise.uscc == uscc).scalar_subquery()
        return InvestmentProject.enterprise_id == own
    return false()


def may_manage(actor: Actor, *, prefecture_code: str, park_id: str | None) -> bool:
    """Tell whether ``actor`` may register or change an enterprise (or project) located so."""
    if actor.is_admin:
        return True
    if actor.role is Role.PREFECTURE_OFFICER:
        return _scope(actor, "prefecture") == prefecture_code
    if actor.role is Role.PARK_OFFICER:
        return park_id is not None and _scope(actor, "park") == park_id
    return False


def may_edit_holdings(actor: Actor, enterprise: Enterprise) -> bool:
    """Tell whether ``actor`` may change the products, brands and certificates of ``enterprise``."""
    if may_manage(actor, prefecture_code=enterprise.prefecture_code, park_id=enterprise.park_id):
        return True
    return actor.role is Role.ENTERPRISE_USER and _scope(actor, "enterprise") == enterprise.uscc


def is_owner(actor: Actor, enterprise: Enterprise) -> bool:
    """Tell whether ``actor`` is a user of ``enterprise`` itself."""
    return actor.role is Role.ENTERPRISE_USER and _scope(actor, "enterprise") == enterprise.uscc


def may_write_anything(actor: Actor) -> bool:
    """Tell whether ``actor`` has any write right in the registry (for showing forms)."""
    return actor.is_admin or actor.role in (
        Role.PREFECTURE_OFFICER,
        Role.PARK_OFFICER,
        Role.ENTERPRISE_USER,
    )


def may_register_enterprises(actor: Actor) -> bool:
    """Tell whether ``actor`` may register enterprises at all (somewhere)."""
    return actor.is_admin or actor.role in (Role.PREFECTURE_OFFICER, Role.PARK_OFFICER)


def forbid_outside_scope(actor: Actor) -> Forbidden:
    """Return the error for a write outside the caller's area."""
    if actor.role is Role.ANALYST:
        return Forbidden(_("Analysts have read-only access."))
    if actor.role is Role.PARK_OFFICER:
        return Forbidden(
            _("You may only register and change records of park %(park)s.", park=actor.scope_value)
        )
    if actor.role is Role.PREFECTURE_OFFICER:
        return Forbidden(
            _(
                "You may only register and change records of prefecture %(code)s.",
                code=actor.scope_value,
            )
        )
    return Forbidden(_("You may not change this record."))
