"""Who may file, review, lock and read returns: the one place that turns a caller into rights.

Reads are filtered by the registry's own scope condition (``visible_enterprises``): an
enterprise user sees its enterprise, a park officer its park's, a prefecture officer its
prefecture's, the administrator and analysts the whole region, the public nothing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement

from plateau.auth.schemas import Actor, Role
from plateau.errors import Forbidden, Unauthorized
from plateau.i18n import _
from plateau.registry import access as registry_access
from plateau.registry.models import Enterprise


def require_reader(actor: Actor) -> None:
    """Refuse the public: returns are for logged-in users only."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in to see statistical returns."))


def visible(actor: Actor) -> ColumnElement[bool]:
    """The condition on ``Enterprise`` selecting the enterprises whose returns ``actor`` sees."""
    return registry_access.visible_enterprises(actor)


def _scope(actor: Actor, kind: str) -> str | None:
    return actor.scope_value if actor.scope_kind == kind else None


def is_owner(actor: Actor, enterprise: Enterprise) -> bool:
    return actor.role is Role.ENTERPRISE_USER and _scope(actor, "enterprise") == enterprise.uscc


def may_file(actor: Actor, enterprise: Enterprise) -> bool:
    """The enterprise's own users file its returns; the administrator may file for anyone."""
    return actor.is_admin or is_owner(actor, enterprise)


def may_file_any(actor: Actor) -> bool:
    """Whether ``actor`` may file returns at all (for forms and upload pages)."""
    return actor.is_admin or actor.role is Role.ENTERPRISE_USER


def may_review(actor: Actor, enterprise: Enterprise) -> bool:
    """Park officers review their park's returns, prefecture officers their prefecture's."""
    if actor.is_admin:
        return True
    if actor.role is Role.PARK_OFFICER:
        return enterprise.park_id is not None and _scope(actor, "park") == enterprise.park_id
    if actor.role is Role.PREFECTURE_OFFICER:
        return _scope(actor, "prefecture") == enterprise.prefecture_code
    return False


def may_review_any(actor: Actor) -> bool:
    return actor.is_admin or actor.role in (Role.PARK_OFFICER, Role.PREFECTURE_OFFICER)


def may_monitor(actor: Actor) -> bool:
    """Completeness, timeliness and late filers: officers, analysts and the administrator."""
    return actor.is_region_wide or actor.role in (Role.PARK_OFFICER, Role.PREFECTURE_OFFICER)


def require_filer(actor: Actor) -> None:
    require_reader(actor)
    if not may_file_any(actor):
        raise Forbidden(
            _("Only an enterprise's own users (or the region administrator) file its returns.")
        )


def require_monitor(actor: Actor) -> None:
    require_reader(actor)
    if not may_monitor(actor):
        raise Forbidden(
            _(
                "Completeness and late filers are for officers, analysts and the region administrator."
            )
        )


def require_admin(actor: Actor) -> None:
    require_reader(actor)
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may lock and reopen periods."))


def forbid_filing(actor: Actor) -> Forbidden:
    if actor.role is Role.ANALYST:
        return Forbidden(_("Analysts have read-only access."))
    return Forbidden(
        _("Only an enterprise's own users (or the region administrator) file its returns.")
    )


def forbid_review(actor: Actor) -> Forbidden:
    if actor.role is Role.ANALYST:
        return Forbidden(_("Analysts have read-only access."))
    if actor.role is Role.ENTERPRISE_USER:
        return Forbidden(_("An enterprise cannot approve its own returns."))
    return Forbidden(_("This return belongs to an enterprise outside your park or prefecture."))
