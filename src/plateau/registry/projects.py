"""The investment project library (招商引资项目库): projects by place, stage and enterprise."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from plateau.auth.schemas import Actor
from plateau.errors import FieldError, NotFound, ValidationFailed
from plateau.i18n import _
from plateau.registry import access, rules
from plateau.registry.listing import Listing, normal, order_by, paginate
from plateau.registry.models import (
    Enterprise,
    InvestmentProject,
)
from plateau.registry.reference import Refs
from plateau.registry.schemas import (
    PROJECT_STAGES,
    ProjectCreate,
    ProjectFilter,
    ProjectUpdate,
    StageSummary,
)

# --- investment projects ---


def project_query(filters: ProjectFilter, actor: Actor) -> Select[InvestmentProject]:
    access.require_reader(actor)
    stmt = (
        select(InvestmentProject)
        .options(selectinload(InvestmentProject.enterprise))
        .where(access.visible_projects(actor))
    )
    f = filters
    if f.q:
        stmt = stmt.where(
            or_(
                InvestmentProject.name.icontains(f.q, autoescape=True),
                InvestmentProject.investor.icontains(f.q, autoescape=True),
            )
        )
    if f.prefecture:
        stmt = stmt.where(InvestmentProject.prefecture_code == f.prefecture)
    if f.park:
        stmt = stmt.where(InvestmentProject.park_id == f.park)
    if f.industry:
        stmt = stmt.where(InvestmentProject.industry_id == f.industry)
    if f.stage:
        stmt = stmt.where(InvestmentProject.stage == f.stage)
    if f.enterprise:
        stmt = stmt.where(InvestmentProject.enterprise.has(Enterprise.uscc == normal(f.enterprise)))
    columns = {
        "name": InvestmentProject.name_sort,
        "amount": InvestmentProject.amount_cny,
        "stage": InvestmentProject.stage,
        "signed_date": InvestmentProject.signed_date,
        "created_at": InvestmentProject.created_at,
    }
    return stmt.order_by(*order_by(f.sort, columns, InvestmentProject.id))


def list_projects(
    session: Session,
    *,
    filters: ProjectFilter | None = None,
    page: int = 1,
    per_page: int = 50,
    actor: Actor,
) -> Listing[InvestmentProject]:
    """List the investment projects the caller may see."""
    return paginate(session, project_query(filters or ProjectFilter(), actor), page, per_page)


def project_summary(
    session: Session, *, filters: ProjectFilter | None = None, actor: Actor
) -> list[StageSummary]:
    """Count projects and sum their investment by stage (谋划, 签约, 在建, 投产)."""
    stmt = project_query((filters or ProjectFilter()).model_copy(update={"stage": None}), actor)
    sub = stmt.order_by(None).subquery()
    rows = session.execute(
        select(sub.c.stage, func.count(), func.coalesce(func.sum(sub.c.amount_cny), 0)).group_by(
            sub.c.stage
        )
    )
    found = {stage: (int(n), Decimal(total)) for stage, n, total in rows}
    return [
        StageSummary(
            stage=s,
            count=found.get(s, (0, Decimal(0)))[0],
            amount_cny=found.get(s, (0, Decimal(0)))[1],
        )
        for s in PROJECT_STAGES
    ]


def get_project(session: Session, *, project_id: int, actor: Actor) -> InvestmentProject:
    """Return a project the caller may see, or raise NotFound."""
    project = session.scalar(
        project_query(ProjectFilter(), actor).where(InvestmentProject.id == project_id)
    )
    if project is None:
        raise NotFound(_("No investment project with id %(id)s.", id=project_id))
    return project


def _project_enterprise(session: Session, uscc: str | None, actor: Actor) -> Enterprise | None:
    if uscc is None:
        return None
    ent = session.scalar(
        select(Enterprise).where(Enterprise.uscc == uscc, access.visible_enterprises(actor))
    )
    if ent is None:
        raise ValidationFailed(
            _("The project cannot be saved as given."),
            [
                FieldError(
                    _("No enterprise with 统一社会信用代码 %(uscc)s in your area.", uscc=uscc),
                    field="enterprise_uscc",
                    value=uscc,
                )
            ],
        )
    return ent


def _check_project(refs: Refs, values: dict[str, Any]) -> None:
    errors = rules.check_location(
        refs, prefecture_code=values["prefecture_code"], park_id=values["park_id"]
    )
    errors += rules.check_industry(refs, values["industry_id"])
    errors += rules.check_date_order(
        [
            ("signed_date", values["signed_date"], "start_date", values["start_date"]),
            ("start_date", values["start_date"], "production_date", values["production_date"]),
        ]
    )
    if errors:
        raise ValidationFailed(_("The project cannot be saved as given."), errors)


def create_project(session: Session, *, data: ProjectCreate, actor: Actor) -> InvestmentProject:
    """Add a project to the investment project library (招商引资项目库)."""
    access.require_reader(actor)
    values = data.model_dump(exclude={"enterprise_uscc"})
    _check_project(Refs.load(session), values)
    if not access.may_manage(actor, prefecture_code=data.prefecture_code, park_id=data.park_id):
        raise access.forbid_outside_scope(actor)
    ent = _project_enterprise(session, data.enterprise_uscc, actor)
    project = InvestmentProject(**values, enterprise_id=ent.id if ent else None)
    project.enterprise = ent
    session.add(project)
    session.flush()
    return project


def update_project(
    session: Session, *, project_id: int, data: ProjectUpdate, actor: Actor
) -> InvestmentProject:
    """Change a project: its stage as it advances, dates, amount, place."""
    project = get_project(session, project_id=project_id, actor=actor)
    if not access.may_manage(
        actor, prefecture_code=project.prefecture_code, park_id=project.park_id
    ):
        raise access.forbid_outside_scope(actor)
    changes = data.model_dump(exclude_unset=True)
    for name in (
        "name",
        "industry_id",
        "prefecture_code",
        "investor",
        "amount_cny",
        "stage",
        "description",
    ):
        if name in changes and changes[name] is None:
            del changes[name]
    uscc_given = "enterprise_uscc" in changes
    uscc = changes.pop("enterprise_uscc", None)
    fields = (
        "prefecture_code",
        "park_id",
        "industry_id",
        "signed_date",
        "start_date",
        "production_date",
    )
    merged = {name: changes.get(name, getattr(project, name)) for name in fields}
    _check_project(Refs.load(session), merged)
    if not access.may_manage(
        actor, prefecture_code=merged["prefecture_code"], park_id=merged["park_id"]
    ):
        raise access.forbid_outside_scope(actor)
    if uscc_given:
        ent = _project_enterprise(session, uscc, actor)
        project.enterprise = ent
        project.enterprise_id = ent.id if ent else None
    for name, value in changes.items():
        setattr(project, name, value)
    session.flush()
    return project


def delete_project(session: Session, *, project_id: int, actor: Actor) -> None:
    """Remove a project from the library."""
    project = get_project(session, project_id=project_id, actor=actor)
    if not access.may_manage(
        actor, prefecture_code=project.prefecture_code, park_id=project.park_id
    ):
        raise access.forbid_outside_scope(actor)
    session.delete(project)
    session.flush()


def may_change_project(project: InvestmentProject, *, actor: Actor) -> bool:
    """Tell whether the caller may change ``project``."""
    return access.may_manage(
        actor, prefecture_code=project.prefecture_code, park_id=project.park_id
    )
