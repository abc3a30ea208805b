"""Enterprises and their dated statuses: lists, filters, registration, changes, status queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Select, distinct, func, or_, select
from sqlalchemy.orm import Session, selectinload

from plateau.auth.schemas import Actor
from plateau.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from plateau.i18n import _
from plateau.registry import access, rules
from plateau.registry.listing import Listing, normal, order_by, paginate
from plateau.registry.models import (
    Enterprise,
    EnterpriseStatus,
)
from plateau.registry.reference import Refs
from plateau.registry.schemas import (
    ENTERPRISE_OWNER_FIELDS,
    EnterpriseCreate,
    EnterpriseFilter,
    EnterpriseUpdate,
    StatusCreate,
    StatusUpdate,
)

# --- enterprises ---


def enterprise_query(filters: EnterpriseFilter, actor: Actor) -> Select[Enterprise]:
    access.require_reader(actor)
    stmt = (
        select(Enterprise)
        .options(selectinload(Enterprise.statuses))
        .where(access.visible_enterprises(actor))
    )
    f = filters
    if f.q:
        stmt = stmt.where(
            or_(
                Enterprise.name.icontains(f.q, autoescape=True),
                Enterprise.name_en.icontains(f.q, autoescape=True),
                Enterprise.uscc.startswith(normal(f.q), autoescape=True),
            )
        )
    if f.prefecture:
        stmt = stmt.where(Enterprise.prefecture_code == f.prefecture)
    if f.county:
        stmt = stmt.where(Enterprise.county_code == f.county)
    if f.park:
        stmt = stmt.where(Enterprise.park_id == f.park)
    if f.industry:
        stmt = stmt.where(Enterprise.industry_id == f.industry)
    if f.gbt4754:
        stmt = stmt.where(Enterprise.gbt4754.startswith(f.gbt4754, autoescape=True))
    if f.status:
        stmt = stmt.where(Enterprise.id.in_(_holding_status(f.status, f.as_of or date.today())))
    columns = {
        "name": Enterprise.name_sort,
        "uscc": Enterprise.uscc,
        "founded_date": Enterprise.founded_date,
        "prefecture": Enterprise.prefecture_code,
        "industry": Enterprise.industry_id,
        "created_at": Enterprise.created_at,
    }
    return stmt.order_by(*order_by(f.sort, columns, Enterprise.id))


def _holding_status(kind: str, on: date) -> Select[int]:
    return select(EnterpriseStatus.enterprise_id).where(
        EnterpriseStatus.kind == kind,
        EnterpriseStatus.valid_from <= on,
        or_(EnterpriseStatus.valid_to.is_(None), EnterpriseStatus.valid_to >= on),
    )


def list_enterprises(
    session: Session,
    *,
    filters: EnterpriseFilter | None = None,
    page: int = 1,
    per_page: int = 50,
    actor: Actor,
) -> Listing[Enterprise]:
    """List the enterprises the caller may see, filtered, sorted and paginated."""
    stmt = enterprise_query(filters or EnterpriseFilter(), actor)
    return paginate(session, stmt, page, per_page)


def get_enterprise(session: Session, *, uscc: str, actor: Actor) -> Enterprise:
    """Return an enterprise the caller may see, or raise NotFound (also when out of scope)."""
    access.require_reader(actor)
    ent = session.scalar(
        select(Enterprise)
        .options(selectinload(Enterprise.statuses))
        .where(Enterprise.uscc == normal(uscc), access.visible_enterprises(actor))
    )
    if ent is None:
        raise NotFound(_("No enterprise with 统一社会信用代码 %(uscc)s.", uscc=normal(uscc)))
    return ent


def _check_enterprise_fields(
    refs: Refs,
    *,
    prefecture_code: str,
    county_code: str | None,
    park_id: str | None,
    gbt4754: str | None,
    industry_id: str | None,
) -> str:
    errors = rules.check_location(
        refs, prefecture_code=prefecture_code, county_code=county_code, park_id=park_id
    )
    industry, industry_errors = rules.resolve_industry(
        refs, gbt4754=gbt4754, industry_id=industry_id
    )
    errors += industry_errors
    if errors or industry is None:
        raise ValidationFailed(_("The enterprise cannot be saved as given."), errors)
    return industry


def create_enterprise(
    session: Session, *, data: EnterpriseCreate, actor: Actor, source: str = "manual"
) -> Enterprise:
    """Register an enterprise inside the caller's area."""
    access.require_reader(actor)
    if not access.may_register_enterprises(actor):
        raise access.forbid_outside_scope(actor)
    refs = Refs.load(session)
    industry = _check_enterprise_fields(
        refs,
        prefecture_code=data.prefecture_code,
        county_code=data.county_code,
        park_id=data.park_id,
        gbt4754=data.gbt4754,
        industry_id=data.industry_id,
    )
    if not access.may_manage(actor, prefecture_code=data.prefecture_code, park_id=data.park_id):
        raise access.forbid_outside_scope(actor)
    if session.scalar(select(Enterprise.id).where(Enterprise.uscc == data.uscc)) is not None:
        raise Conflict(_("统一社会信用代码 %(uscc)s is already registered.", uscc=data.uscc))
    ent = Enterprise(
        **data.model_dump(exclude={"industry_id"}), industry_id=industry, source=source
    )
    ent.statuses = []
    session.add(ent)
    session.flush()
    return ent


def update_enterprise(
    session: Session, *, uscc: str, data: EnterpriseUpdate, actor: Actor
) -> Enterprise:
    """Change an enterprise; officers keep it inside their area, owners edit only minor fields."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    changes = data.model_dump(exclude_unset=True)
    # Required fields cannot be cleared: a null there means "leave as is".
    for name in ("name", "name_en", "prefecture_code", "industry_id", "address"):
        if name in changes and changes[name] is None:
            del changes[name]
    changes = {k: v for k, v in changes.items() if getattr(ent, k) != v}
    if access.is_owner(actor, ent):
        if set(changes) - ENTERPRISE_OWNER_FIELDS:
            raise Forbidden(
                _(
                    "Enterprise users may change only the English name and the address; ask your prefecture or park officer to change the rest."
                )
            )
    elif not access.may_manage(actor, prefecture_code=ent.prefecture_code, park_id=ent.park_id):
        raise access.forbid_outside_scope(actor)
    merged = {
        "prefecture_code": changes.get("prefecture_code", ent.prefecture_code),
        "county_code": changes.get("county_code", ent.county_code),
        "park_id": changes.get("park_id", ent.park_id),
        "gbt4754": changes.get("gbt4754", ent.gbt4754),
    }
    if "industry_id" in changes:
        industry_id: str | None = changes["industry_id"]
    elif "gbt4754" in changes and changes["gbt4754"] is not None:
        industry_id = None  # a new class brings its own industry
    else:
        industry_id = ent.industry_id
    refs = Refs.load(session)
    industry = _check_enterprise_fields(refs, industry_id=industry_id, **merged)
    if not access.is_owner(actor, ent) and not access.may_manage(
        actor, prefecture_code=merged["prefecture_code"], park_id=merged["park_id"]
    ):
        raise access.forbid_outside_scope(actor)
    for name, value in changes.items():
        setattr(ent, name, value)
    ent.industry_id = industry
    session.flush()
    return ent


def delete_enterprise(session: Session, *, uscc: str, actor: Actor) -> None:
    """Remove an enterprise and everything it holds (region administrator only)."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may delete an enterprise."))
    session.delete(ent)
    session.flush()


# --- statuses ---


def list_statuses(session: Session, *, uscc: str, actor: Actor) -> list[EnterpriseStatus]:
    """List an enterprise's statuses, newest first."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    return sorted(ent.statuses, key=lambda s: (s.valid_from, s.id), reverse=True)


def _may_set_statuses(actor: Actor, ent: Enterprise) -> None:
    if access.may_manage(actor, prefecture_code=ent.prefecture_code, park_id=ent.park_id):
        return
    if access.is_owner(actor, ent):
        raise Forbidden(
            _("Statuses are recorded by prefecture and park officers, not by the enterprise.")
        )
    raise access.forbid_outside_scope(actor)


def add_status(
    session: Session, *, uscc: str, data: StatusCreate, actor: Actor
) -> EnterpriseStatus:
    """Record a dated status (规上, 高新技术, 专精特新, …) of an enterprise."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    _may_set_statuses(actor, ent)
    for other in ent.statuses:
        if other.kind == data.kind and rules.periods_overlap(
            other.valid_from, other.valid_to, data.valid_from, data.valid_to
        ):
            raise ValidationFailed(
                _(
                    "The enterprise already holds this status from %(start)s; end that period first.",
                    start=other.valid_from,
                ),
                [FieldError(_("Overlaps an existing period."), field="valid_from")],
            )
    status = EnterpriseStatus(enterprise_id=ent.id, **data.model_dump())
    ent.statuses.append(status)
    session.flush()
    return status


def _get_status(ent: Enterprise, status_id: int) -> EnterpriseStatus:
    for s in ent.statuses:
        if s.id == status_id:
            return s
    raise NotFound(_("No such status of this enterprise."))


def update_status(
    session: Session, *, uscc: str, status_id: int, data: StatusUpdate, actor: Actor
) -> EnterpriseStatus:
    """Change a status's level, end date or certificate number."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    status = _get_status(ent, status_id)
    _may_set_statuses(actor, ent)
    changes = data.model_dump(exclude_unset=True)
    errors = rules.check_date_order(
        [("valid_from", status.valid_from, "valid_to", changes.get("valid_to", status.valid_to))]
    )
    if errors:
        raise ValidationFailed(_("The status cannot be saved as given."), errors)
    for name, value in changes.items():
        if value is not None or name == "valid_to":
            setattr(status, name, value)
    session.flush()
    return status


def delete_status(session: Session, *, uscc: str, status_id: int, actor: Actor) -> None:
    """Remove a status recorded in error."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    status = _get_status(ent, status_id)
    _may_set_statuses(actor, ent)
    ent.statuses.remove(status)
    session.delete(status)
    session.flush()


def enterprises_with_status(
    session: Session, *, kind: str, on: date, actor: Actor
) -> list[Enterprise]:
    """Return the enterprises (visible to the caller) holding status ``kind`` on date ``on``."""
    filters = EnterpriseFilter(status=kind, as_of=on)  # type: ignore[arg-type]
    return list(session.scalars(enterprise_query(filters, actor)))


def enterprises_with_statuses(
    session: Session, *, actor: Actor, uscc: str | None = None
) -> list[Enterprise]:
    """Return the enterprises the caller may see (one, with ``uscc``), statuses loaded, by USCC."""
    access.require_reader(actor)
    stmt = (
        select(Enterprise)
        .where(access.visible_enterprises(actor))
        .options(selectinload(Enterprise.statuses))
        .order_by(Enterprise.uscc)
    )
    if uscc is not None:
        stmt = stmt.where(Enterprise.uscc == uscc)
    return list(session.scalars(stmt))


def count_by_status(
    session: Session,
    *,
    on: date,
    actor: Actor,
    kind: str | None = None,
    group_by: Literal["kind", "prefecture", "industry", "park"] = "kind",
) -> dict[str, int]:
    """Count the enterprises holding each status on ``on`` (or one ``kind``, grouped by place)."""
    access.require_reader(actor)
    key = {
        "kind": EnterpriseStatus.kind,
        "prefecture": Enterprise.prefecture_code,
        "industry": Enterprise.industry_id,
        "park": Enterprise.park_id,
    }[group_by]
    stmt = (
        select(key, func.count(distinct(Enterprise.id)))
        .select_from(EnterpriseStatus)
        .join(Enterprise, Enterprise.id == EnterpriseStatus.enterprise_id)
        .where(
            access.visible_enterprises(actor),
            EnterpriseStatus.valid_from <= on,
            or_(EnterpriseStatus.valid_to.is_(None), EnterpriseStatus.valid_to >= on),
        )
        .group_by(key)
    )
    if kind:
        stmt = stmt.where(EnterpriseStatus.kind == kind)
    return {str(k): int(n) for k, n in session.execute(stmt) if k is not None}


# --- what the caller may do ---


@dataclass(frozen=True)
class Permissions:
    """What the caller may do with one enterprise (pages show only the forms that work)."""

    edit: bool
    edit_key_fields: bool
    statuses: bool
    holdings: bool
    delete: bool


def permissions(enterprise: Enterprise, *, actor: Actor) -> Permissions:
    """Return what ``actor`` may change on ``enterprise``."""
    manage = access.may_manage(
        actor, prefecture_code=enterprise.prefecture_code, park_id=enterprise.park_id
    )
    return Permissions(
        edit=manage or access.is_owner(actor, enterprise),
        edit_key_fields=manage,
        statuses=manage,
        holdings=access.may_edit_holdings(actor, enterprise),
        delete=actor.is_admin,
    )


def count_enterprises(
    session: Session,
    *,
    actor: Actor,
    group_by: Literal["prefecture", "industry", "park", "county"] = "prefecture",
) -> dict[str, int]:
    """Count the enterprises the caller may see, by prefecture, industry, park or county."""
    access.require_reader(actor)
    key = {
        "prefecture": Enterprise.prefecture_code,
        "industry": Enterprise.industry_id,
        "park": Enterprise.park_id,
        "county": Enterprise.county_code,
    }[group_by]
    stmt = select(key, func.count()).where(access.visible_enterprises(actor)).group_by(key)
    return {str(k): int(n) for k, n in session.execute(stmt) if k is not None}
