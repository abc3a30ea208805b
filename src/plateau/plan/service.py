"""The plans as data: loading, figures, the coherence check, headline figures."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.errors import Forbidden, NotFound
from plateau.formatting import fmt_value
from plateau.i18n import _, get_locale, lazy
from plateau.plan import data as plan_data
from plateau.plan.models import PlanAction, PlanDocument, PlanFigure, PlanIncentive, PlanIndicator
from plateau.plan.schemas import (
    CoherenceRow,
    FigureRead,
    FigureRecord,
    HeadlineRow,
    HeadlineTarget,
    IndustryShare,
    LoadReport,
    plain_number,
)

# The main indicator table of plan_533 二(三), in the order the plan prints it.
MAIN_TABLE: tuple[str, ...] = (
    "value_added_growth",
    "output_value",
    "enterprises_above_size",
    "high_tech_enterprises",
    "specialized_smes",
    "barley_conversion_rate",
    "green_factories",
    "parks_over_100m",
    "park_output_value",
)
MAIN_PLAN = "plan_533"


def localized(zh: str, en: str) -> str:
    """Pick the Chinese or English name for the current locale."""
    return en if get_locale() == "en" and en else zh


def _dec(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def load_plans(session: Session, *, actor: Actor) -> LoadReport:
    """Load both plans and the reference data they define; unchanged plans are left alone."""
    from plateau.registry import service as registry_service

    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may load plans."))
    status: dict[str, str] = {}
    for doc in plan_data.load_plans():
        meta = doc.plan
        version = plan_data.content_digest(meta.id)
        row = session.get(PlanDocument, meta.id)
        if row is not None and row.version == version:
            status[meta.id] = "unchanged"
            continue
        if row is None:
            row = PlanDocument(id=meta.id)
            session.add(row)
        row.title_zh = meta.title_zh
        row.title_en = meta.title_en
        row.document_no = meta.document_no or ""
        row.issuer_zh = meta.issuer_zh or ""
        row.issued = meta.issued or ""
        row.period_start = meta.period_start
        row.period_end = meta.period_end
        row.base_year = meta.base_year
        row.version = version
        session.flush()
        for table in (PlanFigure, PlanIndicator, PlanIncentive, PlanAction):
            session.execute(delete(table).where(table.plan_id == meta.id))
        session.add_all(
            PlanIndicator(
                plan_id=meta.id,
                code=ind.id,
                name_zh=ind.name_zh,
                name_en=ind.name_en,
                unit=ind.unit,
                direction=ind.direction,
                sort_order=i,
            )
            for i, ind in enumerate(doc.indicators)
        )
        session.add_all(
            PlanFigure(
                plan_id=meta.id,
                indicator=f.indicator,
                scope=f.scope,
                year=f.year,
                kind=f.kind,
                value=_dec(f.value),
                value_max=_dec(f.value_max),
                bound=f.bound,
                unit=f.unit,
                since_year=f.since_year,
                source=f.source,
                text_zh=f.text_zh or "",
                sort_order=i,
            )
            for i, f in enumerate(doc.figures)
        )
        session.add_all(
            PlanIncentive(
                plan_id=meta.id,
                code=inc.id,
                name_zh=inc.name_zh,
                name_en=inc.name_en,
                amount=_dec(inc.amount),
                amount_max=_dec(inc.amount_max),
                unit=inc.unit,
                bound=inc.bound,
                per_zh=inc.per_zh or "",
                condition_zh=inc.condition_zh or "",
                source=inc.source,
                text_zh=inc.text_zh or "",
            )
            for inc in doc.incentives
        )
        order = 0
        for action in doc.special_actions:
            session.add(
                PlanAction(
                    plan_id=meta.id,
                    code=action.id,
                    section=action.section,
                    parent_section=None,
                    name_zh=action.name_zh,
                    sort_order=order,
                )
            )
            order += 1
            for item in action.items:
                session.add(
                    PlanAction(
                        plan_id=meta.id,
                        code="",
                        section=item.section,
                        parent_section=action.section,
                        name_zh=item.name_zh,
                        sort_order=order,
                    )
                )
                order += 1
        session.flush()
        status[meta.id] = "loaded"
    reference = registry_service.load_reference(session, actor=actor)
    figures = len(session.scalars(select(PlanFigure.id)).all())
    return LoadReport(plans=status, figures=figures, reference=reference)


def list_plans(session: Session, *, actor: Actor) -> list[PlanDocument]:
    """List the loaded plans (public: the plans are published documents)."""
    return list(session.scalars(select(PlanDocument).order_by(PlanDocument.period_start)))


def get_plan(session: Session, *, plan_id: str, actor: Actor) -> PlanDocument:
    """Return one plan or raise NotFound."""
    plan = session.get(PlanDocument, plan_id)
    if plan is None:
        raise NotFound(_("No plan %(plan)s.", plan=plan_id))
    return plan


def indicator_names(session: Session, *, actor: Actor) -> dict[tuple[str, str], PlanIndicator]:
    """Map (plan, indicator code) to the indicator row."""
    return {(i.plan_id, i.code): i for i in session.scalars(select(PlanIndicator))}


def list_indicators(
    session: Session, *, actor: Actor, plan_id: str | None = None
) -> list[PlanIndicator]:
    """List the indicators of one or both plans."""
    stmt = select(PlanIndicator).order_by(PlanIndicator.plan_id, PlanIndicator.sort_order)
    if plan_id:
        stmt = stmt.where(PlanIndicator.plan_id == plan_id)
    return list(session.scalars(stmt))


def list_figures(
    session: Session,
    *,
    actor: Actor,
    plan_id: str | None = None,
    indicator: str | None = None,
    scope: str | None = None,
    kind: str | None = None,
    year: int | None = None,
) -> list[PlanFigure]:
    """List baselines and targets, filtered; public, as the plans are published documents."""
    stmt = select(PlanFigure).order_by(PlanFigure.plan_id.desc(), PlanFigure.sort_order)
    if plan_id:
        stmt = stmt.where(PlanFigure.plan_id == plan_id)
    if indicator:
        stmt = stmt.where(PlanFigure.indicator == indicator)
    if scope:
        stmt = stmt.where(PlanFigure.scope == scope)
    if kind:
        stmt = stmt.where(PlanFigure.kind == kind)
    if year is not None:
        stmt = stmt.where(PlanFigure.year == year)
    return list(session.scalars(stmt))


def figure_record(figure: PlanFigure) -> FigureRecord:
    """Return the stable export record of a figure."""
    value = plain_number(figure.value)
    assert value is not None
    return FigureRecord(
        indicator=figure.indicator,
        scope=figure.scope,
        year=figure.year,
        kind=figure.kind,  # type: ignore[arg-type]
        value=value,
        value_max=plain_number(figure.value_max),
        bound=figure.bound,  # type: ignore[arg-type]
        unit=figure.unit,
        source=figure.source,
    )


def figure_read(figure: PlanFigure, names: dict[tuple[str, str], PlanIndicator]) -> FigureRead:
    """Return a figure with its plan, period and indicator name for pages."""
    ind = names.get((figure.plan_id, figure.indicator))
    return FigureRead(
        **figure_record(figure).model_dump(),
        plan_id=figure.plan_id,
        since_year=figure.since_year,
        text_zh=figure.text_zh,
        indicator_name=localized(ind.name_zh, ind.name_en) if ind else figure.indicator,
    )


def coherence_check(session: Session, *, actor: Actor) -> list[CoherenceRow]:
    """Compare, per target year, the sum of the eleven industry output targets with the region's."""
    from plateau.registry import service as registry_service

    industries = registry_service.list_industries(session, actor=actor)
    figures = list_figures(
        session, actor=actor, plan_id=MAIN_PLAN, indicator="output_value", kind="target"
    )
    by_scope_year = {(f.scope, f.year): f for f in figures}
    years = sorted({f.year for f in figures})
    rows: list[CoherenceRow] = []
    for year in years:
        region = by_scope_year.get(("region", year))
        shares: list[IndustryShare] = []
        missing: list[str] = []
        total = Decimal(0)
        total_max = Decimal(0)
        for ind in industries:
            fig = by_scope_year.get((f"industry:{ind.id}", year))
            name = localized(ind.name_zh, ind.name_en)
            if fig is None:
                missing.append(ind.id)
                shares.append(
                    IndustryShare(
                        industry=ind.id, name=name, value=None, value_max=None, bound=None
                    )
                )
                continue
            total += fig.value
            total_max += fig.value_max if fig.value_max is not None else fig.value
            shares.append(
                IndustryShare(
                    industry=ind.id,
                    name=name,
                    value=plain_number(fig.value),
                    value_max=plain_number(fig.value_max),
                    bound=fig.bound,
                )
            )
        difference = ratio = covers = None
        if region is not None:
            difference = total - region.value
            ratio = float(total / region.value) if region.value else None
            covers = total >= region.value
            if covers:
                message = _(
                    "In %(year)s the eleven industry targets add up to %(sum)s, %(diff)s above the region target of %(region)s: meeting every industry target meets the region target.",
                    year=year,
                    sum=fmt_value(total, "CNY"),
                    diff=fmt_value(difference, "CNY"),
                    region=fmt_value(region.value, "CNY"),
                )
            else:
                message = _(
                    "In %(year)s the eleven industry targets add up to %(sum)s, %(diff)s short of the region target of %(region)s: the industry targets do not cover the region target.",
                    year=year,
                    sum=fmt_value(total, "CNY"),
                    diff=fmt_value(-difference, "CNY"),
                    region=fmt_value(region.value, "CNY"),
                )
        else:
            message = _("The plan sets no region target for %(year)s.", year=year)
        if missing:
            message += " " + _("No target for: %(list)s.", list=", ".join(missing))
        rows.append(
            CoherenceRow(
                year=year,
                region_value=plain_number(region.value) if region else None,
                region_bound=region.bound if region else None,
                industry_sum=plain_number(total) or 0,
                industry_sum_max=plain_number(total_max) or 0,
                difference=plain_number(difference) if difference is not None else None,
                ratio=ratio,
                covers_region_target=covers,
                missing_industries=missing,
                industries=shares,
                message=message,
            )
        )
    return rows


def headline(session: Session, *, actor: Actor) -> list[HeadlineRow]:
    """Return the region's main-table indicators with their baseline and targets."""
    names = indicator_names(session, actor=actor)
    figures = list_figures(session, actor=actor, plan_id=MAIN_PLAN, scope="region")
    rows: list[HeadlineRow] = []
    for code in MAIN_TABLE:
        mine = [f for f in figures if f.indicator == code]
        if not mine:
            continue
        ind = names.get((MAIN_PLAN, code))
        baselines = sorted((f for f in mine if f.kind == "baseline"), key=lambda f: f.year)
        baseline = baselines[-1] if baselines else None
        targets = [
            HeadlineTarget(
                year=f.year,
                value=plain_number(f.value) or 0,
                value_max=plain_number(f.value_max),
                bound=f.bound,
                since_year=f.since_year,
            )
            for f in sorted((f for f in mine if f.kind == "target"), key=lambda f: f.year)
        ]
        rows.append(
            HeadlineRow(
                indicator=code,
                name=localized(ind.name_zh, ind.name_en) if ind else code,
                unit=mine[0].unit,
                baseline_year=baseline.year if baseline else None,
                baseline=plain_number(baseline.value) if baseline else None,
                targets=targets,
            )
        )
    return rows


def list_incentives(
    session: Session, *, actor: Actor, plan_id: str | None = None
) -> list[PlanIncentive]:
    """List the money amounts the plans promise."""
    stmt = select(PlanIncentive).order_by(PlanIncentive.plan_id, PlanIncentive.id)
    if plan_id:
        stmt = stmt.where(PlanIncentive.plan_id == plan_id)
    return list(session.scalars(stmt))


def list_actions(session: Session, *, actor: Actor, plan_id: str = MAIN_PLAN) -> list[PlanAction]:
    """List the special actions and their items in plan order."""
    stmt = select(PlanAction).where(PlanAction.plan_id == plan_id).order_by(PlanAction.sort_order)
    return list(session.scalars(stmt))


_LOAD_STATES = {"loaded": lazy("loaded"), "unchanged": lazy("unchanged")}
_REFERENCE_NAMES = {
    "prefectures": lazy("prefectures"),
    "counties": lazy("counties"),
    "industries": lazy("industries"),
    "industry_classes": lazy("GB/T 4754 classes"),
    "parks": lazy("parks"),
    "raw_material_bases": lazy("raw-material bases"),
    "market_regions": lazy("market regions"),
    "changed": lazy("changed"),
}


def describe_load(report: LoadReport, names: dict[str, str]) -> str:
    """What ``load_plans`` did, as a sentence in the current language."""
    zh = get_locale() != "en"
    plans = ("；" if zh else "; ").join(
        f"{names.get(pid, pid)}{'：' if zh else ': '}{_(_LOAD_STATES.get(state, state))}"
        for pid, state in report.plans.items()
    )
    reference = ("、" if zh else ", ").join(
        f"{_(_REFERENCE_NAMES.get(k, k))} {v}" for k, v in report.reference.items()
    )
    return _(
        "Plans: %(plans)s. %(figures)s figures. Reference data: %(reference)s.",
        plans=plans,
        figures=report.figures,
        reference=reference,
    )
