"""Registered enterprises and products to pick from, for the pickers of other domains.

Who may pick any enterprise is the calling domain's rule (recognition lets the association
nominate any; standards only the administrator), so it comes in as ``any_enterprise``; the
rest of the scope is the registry's: otherwise an enterprise user picks only its own, and
anybody else none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from plateau import picking
from plateau.auth.schemas import Actor, Role
from plateau.paging import Page
from plateau.picking import Choice
from plateau.registry.models import Enterprise, Product


def _scoped(stmt: Select[*tuple[Any, ...]], actor: Actor, any_enterprise: bool) -> Any:
    if any_enterprise:
        return stmt
    own = actor.scope_value if actor.role is Role.ENTERPRISE_USER else None
    return stmt.where(Enterprise.uscc == (own or ""), Enterprise.uscc.is_not(None))


def enterprise_choices(
    session: Session,
    *,
    actor: Actor,
    any_enterprise: bool,
    query: str = "",
    page: int = 1,
    per_page: int = picking.PER_PAGE,
    leave_out: Select[int] | None = None,
) -> Page[Choice]:
    """One page of the enterprises the caller may pick (USCC, name), matching ``query`` by
    name or pinyin initials; ``leave_out`` selects enterprise ids not to offer."""
    stmt = select(Enterprise.uscc, Enterprise.name).order_by(Enterprise.name, Enterprise.uscc)
    if leave_out is not None:
        stmt = stmt.where(Enterprise.id.not_in(leave_out))
    return picking.search(
        session,
        _scoped(stmt, actor, any_enterprise),
        label=Enterprise.name,
        query=query,
        page=page,
        per_page=per_page,
    )


def product_choices(
    session: Session,
    *,
    actor: Actor,
    any_enterprise: bool,
    query: str = "",
    page: int = 1,
    per_page: int = picking.PER_PAGE,
    with_enterprise: bool = True,
) -> Page[Choice]:
    """One page of the products the caller may pick (GTIN, name and, ``with_enterprise``, its
    enterprise's name), matching ``query`` by name or pinyin initials."""
    stmt = (
        select(Product.gtin, Product.name_zh, Enterprise.name)
        .join(Enterprise, Enterprise.id == Product.enterprise_id)
        .order_by(Product.name_zh, Product.gtin)
    )
    return picking.search(
        session,
        _scoped(stmt, actor, any_enterprise),
        label=Product.name_zh + " — " + Enterprise.name if with_enterprise else Product.name_zh,
        query=query,
        page=page,
        per_page=per_page,
        describe=(lambda row: f"{row[1]} — {row[2]}") if with_enterprise else None,
    )
