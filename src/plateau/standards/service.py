"""The standards programme (专栏2): the register, progress against the plan, self-declarations.

Standards and declarations are public by nature (企业标准自我声明公开 means exactly that);
writing is for the region administrator, and for an enterprise about itself.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau import picking
from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.db import utcnow
from plateau.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.formatting import BEIJING, loc
from plateau.i18n import _, lazy
from plateau.paging import Page, Paged, paginate
from plateau.picking import Choice
from plateau.registry import service as registry_service
from plateau.standards import labels
from plateau.standards.labels import STATUS_ORDER
from plateau.standards.models import (
    ProductStandard,
    SelfDeclaration,
    Standard,
    StandardChange,
    StandardDocument,
    StandardParticipant,
)
from plateau.standards.schemas import (
    ChangeRead,
    DeclarationCreate,
    DeclarationRead,
    ProductStandardRead,
    ProgrammeItem,
    StandardCreate,
    StandardUpdate,
    StatusChange,
)


@cache
def _items() -> tuple[ProgrammeItem, ...]:
    text = resources.files("plateau.standards").joinpath("programme.yaml").read_text("utf-8")
    return tuple(ProgrammeItem.model_validate(row) for row in yaml.safe_load(text))


def programme(session: Session) -> list[ProgrammeItem]:
    """The plan's 专栏2 items with how many standards are published and under way for each."""
    counts: dict[tuple[str | None, str], int] = {
        (item, status): n
        for item, status, n in session.execute(
            select(Standard.programme_item, Standard.status, func.count(Standard.id))
            .where(Standard.programme_item.is_not(None))
            .group_by(Standard.programme_item, Standard.status)
        )
    }
    out = []
    for item in _items():
        published = counts.get((item.code, "published"), 0)
        under_way = sum(counts.get((item.code, s), 0) for s in ("drafting", "consultation"))
        out.append(item.model_copy(update={"published": published, "in_progress": under_way}))
    return out


def _require_admin(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator keeps the register of standards."))


def list_standards(
    session: Session,
    *,
    status: str | None = None,
    level: str | None = None,
    industry: str | None = None,
    item: str | None = None,
) -> list[Standard]:
    """The register of standards, filtered (public)."""
    stmt = select(Standard).order_by(Standard.industry_id, Standard.id)
    if status:
        stmt = stmt.where(Standard.status == status)
    if level:
        stmt = stmt.where(Standard.level == level)
    if industry:
        stmt = stmt.where(Standard.industry_id == industry)
    if item:
        stmt = stmt.where(Standard.programme_item == item)
    return list(session.scalars(stmt))


def find_standards(
    session: Session,
    *,
    status: str | None = None,
    level: str | None = None,
    industry: str | None = None,
    item: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Paged[Standard]:
    """One page of the register, filtered (public); a page past the end is empty."""
    where = []
    if status:
        where.append(Standard.status == status)
    if level:
        where.append(Standard.level == level)
    if industry:
        where.append(Standard.industry_id == industry)
    if item:
        where.append(Standard.programme_item == item)
    stmt = select(Standard).where(*where).order_by(Standard.industry_id, Standard.id)
    return paginate(session, stmt, page=page, per_page=per_page, scalars=True)


def get_standard(session: Session, *, standard_id: int) -> Standard:
    standard = session.get(Standard, standard_id)
    if standard is None:
        raise NotFound(_("No such standard."))
    return standard


def create_standard(session: Session, *, data: StandardCreate, actor: Actor) -> Standard:
    """Register a standard (planned or further along) with its lead and participants."""
    _require_admin(actor)
    industries = {i.id for i in registry_service.list_industries(session, actor=actor)}
    if data.industry_id not in industries:
        raise ValidationFailed(_("Unknown industry %(id)s.", id=data.industry_id))
    if data.programme_item and data.programme_item not in {i.code for i in _items()}:
        raise ValidationFailed(_("Unknown programme item %(code)s.", code=data.programme_item))
    if data.status == "published" and not data.code:
        raise ValidationFailed(_("A published standard needs its number."))
    lead = (
        registry_service.get_enterprise(session, uscc=data.lead_enterprise_uscc, actor=SYSTEM)
        if data.lead_enterprise_uscc
        else None
    )
    participants = [
        registry_service.get_enterprise(session, uscc=u, actor=SYSTEM)
        for u in data.participant_usccs
    ]
    standard = Standard(
        **data.model_dump(exclude={"lead_enterprise_uscc", "participant_usccs"}),
        lead_enterprise_id=lead.id if lead else None,
    )
    if lead and not standard.lead_organisation:
        standard.lead_organisation = lead.name
    session.add(standard)
    session.flush()
    for ent in {p.id: p for p in participants}.values():
        session.add(StandardParticipant(standard_id=standard.id, enterprise_id=ent.id))
    session.flush()
    return standard


def change_status(
    session: Session, *, standard_id: int, data: StatusChange, actor: Actor
) -> Standard:
    """Move a standard forward (planned → drafting → consultation → published → superseded)."""
    _require_admin(actor)
    standard = get_standard(session, standard_id=standard_id)
    if STATUS_ORDER.index(data.status) <= STATUS_ORDER.index(standard.status):
        raise Conflict(
            _(
                "A standard only moves forward: it is already %(status)s.",
                status=labels.name(labels.STATUSES, standard.status),
            )
        )
    before = (standard.status, standard.code, standard.published_date)
    if data.code:
        standard.code = data.code
    if data.status == "published":
        if not standard.code:
            raise ValidationFailed(_("A published standard needs its number."))
        standard.published_date = data.published_date or standard.published_date
    standard.status = data.status
    after = (standard.status, standard.code, standard.published_date)
    for field, old, new in zip(("status", "code", "published_date"), before, after, strict=True):
        if old != new:
            _record(session, standard, field, old, new, actor)
    session.flush()
    return standard


def _record(
    session: Session, standard: Standard, field: str, old: object, new: object, actor: Actor
) -> None:
    session.add(
        StandardChange(
            standard_id=standard.id,
            field=field,
            old_value="" if old is None else str(old),
            new_value="" if new is None else str(new),
            username=actor.username,
        )
    )


EDITABLE = ("title_zh", "title_en", "level", "industry_id", "lead_organisation")


def update_standard(
    session: Session, *, standard_id: int, data: StandardUpdate, actor: Actor
) -> Standard:
    """Correct a standard's titles, level, industry or lead organisation; each change is recorded."""
    _require_admin(actor)
    standard = get_standard(session, standard_id=standard_id)
    given = data.model_dump(exclude_unset=True, exclude_none=True)
    values = {k: v.strip() if isinstance(v, str) else v for k, v in given.items()}
    if "title_zh" in values and len(values["title_zh"]) < 2:
        raise ValidationFailed(_("The Chinese title needs at least 2 characters."))
    if "industry_id" in values:
        industries = {i.id for i in registry_service.list_industries(session, actor=actor)}
        if values["industry_id"] not in industries:
            raise ValidationFailed(_("Unknown industry %(id)s.", id=values["industry_id"]))
    if values.get("level") and values["level"] not in labels.LEVELS:
        raise ValidationFailed(_("Choose the level of the standard."))
    for field in EDITABLE:
        if field in values and getattr(standard, field) != values[field]:
            _record(session, standard, field, getattr(standard, field), values[field], actor)
            setattr(standard, field, values[field])
    session.flush()
    return standard


FIELD_NAMES: dict[str, str] = {
    "title_zh": lazy("Title (Chinese)"),
    "title_en": lazy("Title (English)"),
    "level": lazy("Level"),
    "industry_id": lazy("Industry"),
    "lead_organisation": lazy("Lead organisation"),
    "status": lazy("Status"),
    "code": lazy("Number"),
    "published_date": lazy("Published on"),
    "document": lazy("Text of the standard (PDF)"),
}


def history(session: Session, *, standard_id: int, actor: Actor) -> list[ChangeRead]:
    """The recorded changes of a standard, newest first, in names (its officers only)."""
    _require_admin(actor)
    standard = get_standard(session, standard_id=standard_id)
    industries = {i.id: i for i in registry_service.list_industries(session, actor=actor)}

    def shown(field: str, value: str) -> str:
        if not value:
            return "—"
        if field == "level":
            return labels.name(labels.LEVELS, value)
        if field == "status":
            return labels.name(labels.STATUSES, value)
        if field == "industry_id" and value in industries:
            return loc(industries[value])
        return value

    rows = session.scalars(
        select(StandardChange)
        .where(StandardChange.standard_id == standard.id)
        .order_by(StandardChange.changed_at.desc(), StandardChange.id.desc())
        .limit(500)
    )
    return [
        ChangeRead(
            field=r.field,
            field_name=_(FIELD_NAMES[r.field]) if r.field in FIELD_NAMES else r.field,
            old_value=shown(r.field, r.old_value),
            new_value=shown(r.field, r.new_value),
            username=r.username,
            changed_at=r.changed_at,
        )
        for r in rows
    ]


MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _may_upload(session: Session, standard: Standard, actor: Actor) -> bool:
    if actor.is_admin:
        return True
    if actor.role is not Role.ENTERPRISE_USER or standard.lead_enterprise_id is None:
        return False
    from plateau.registry.models import Enterprise

    lead_uscc = session.scalar(
        select(Enterprise.uscc).where(Enterprise.id == standard.lead_enterprise_id)
    )
    return lead_uscc is not None and actor.scope == f"enterprise:{lead_uscc}"


def may_upload(session: Session, *, standard_id: int, actor: Actor) -> bool:
    """Whether the caller may attach the standard's text (its officers and its lead enterprise)."""
    return _may_upload(session, get_standard(session, standard_id=standard_id), actor)


def check_pdf(blob: bytes) -> None:
    """Refuse what is not a PDF of a sensible size (magic bytes and end-of-file marker)."""
    if len(blob) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            _("The PDF may be at most %(mb)s MB.", mb=MAX_DOCUMENT_BYTES // (1024 * 1024))
        )
    # A PDF starts with %PDF- within its first KB and ends with %%EOF (ISO 32000-1, 7.5.2/7.5.5).
    if b"%PDF-" not in blob[:1024] or b"%%EOF" not in blob[-2048:]:
        raise ValidationFailed(_("The file is not a PDF."))


def attach_document(
    session: Session, *, standard_id: int, filename: str, blob: bytes, actor: Actor
) -> StandardDocument:
    """Attach (or replace) the text of a standard as a PDF; the change is recorded."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    standard = get_standard(session, standard_id=standard_id)
    if not _may_upload(session, standard, actor):
        raise Forbidden(_("Only the programme's officers and the lead enterprise attach the text."))
    if not blob:
        raise ValidationFailed(_("Choose the PDF file of the standard."))
    check_pdf(blob)
    name = (filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "standard.pdf")[-200:]
    doc = session.scalar(
        select(StandardDocument).where(StandardDocument.standard_id == standard.id)
    )
    old = doc.filename if doc else ""
    if doc is None:
        doc = StandardDocument(standard_id=standard.id, filename=name, size_bytes=0, data=b"")
        session.add(doc)
    doc.filename, doc.size_bytes, doc.data = name, len(blob), blob
    doc.uploaded_by, doc.uploaded_at = actor.username, utcnow()
    _record(session, standard, "document", old, name, actor)
    session.flush()
    return doc


def document_info(session: Session, *, standard_id: int) -> StandardDocument | None:
    """The attached text's name, size and date, without its bytes (None when none)."""
    from sqlalchemy.orm import defer

    return session.scalar(
        select(StandardDocument)
        .options(defer(StandardDocument.data))
        .where(StandardDocument.standard_id == standard_id)
    )


def get_document(session: Session, *, standard_id: int, actor: Actor) -> StandardDocument:
    """The text of a standard: public once published; before, its officers and lead only."""
    standard = get_standard(session, standard_id=standard_id)
    doc = session.scalar(
        select(StandardDocument).where(StandardDocument.standard_id == standard.id)
    )
    visible = standard.status in ("published", "superseded") or _may_upload(
        session, standard, actor
    )
    if doc is None or not visible:
        raise NotFound(_("This standard has no text to download."))
    return doc


def declare(session: Session, *, data: DeclarationCreate, actor: Actor) -> SelfDeclaration:
    """File an enterprise's public self-declaration of a standard, with the products it covers."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    own = actor.role is Role.ENTERPRISE_USER and actor.scope == f"enterprise:{data.enterprise_uscc}"
    if not (actor.is_admin or own):
        raise Forbidden(_("An enterprise declares only for itself."))
    ent = registry_service.get_enterprise(session, uscc=data.enterprise_uscc, actor=SYSTEM)
    standard = get_standard(session, standard_id=data.standard_id)
    if standard.status != "published":
        raise ValidationFailed(_("Only a published standard can be declared."))
    products = [registry_service.get_product(session, gtin=g, actor=SYSTEM) for g in data.gtins]
    if any(p.enterprise_id != ent.id for p in products):
        raise ValidationFailed(_("Every product must be the enterprise's own."))
    row = SelfDeclaration(enterprise_id=ent.id, standard_id=standard.id, scope_zh=data.scope_zh)
    session.add(row)
    linked = set(
        session.scalars(
            select(ProductStandard.product_id).where(ProductStandard.standard_id == standard.id)
        )
    )
    for p in products:
        if p.id not in linked:
            session.add(ProductStandard(product_id=p.id, standard_id=standard.id))
            linked.add(p.id)
    session.flush()
    return row


def withdraw_declaration(session: Session, *, declaration_id: int, actor: Actor) -> None:
    """Withdraw an enterprise's self-declaration (the enterprise itself, or the administrator);
    its products stop showing the standard unless another declaration still covers them."""
    from plateau.registry.models import Enterprise, Product

    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    row = session.get(SelfDeclaration, declaration_id)
    if row is None:
        raise NotFound(_("No such self-declaration."))
    uscc = session.scalar(select(Enterprise.uscc).where(Enterprise.id == row.enterprise_id))
    own = actor.role is Role.ENTERPRISE_USER and actor.scope == f"enterprise:{uscc}"
    if not (actor.is_admin or own):
        raise Forbidden(_("An enterprise declares only for itself."))
    session.delete(row)
    session.flush()
    still = session.scalar(
        select(func.count(SelfDeclaration.id)).where(
            SelfDeclaration.enterprise_id == row.enterprise_id,
            SelfDeclaration.standard_id == row.standard_id,
        )
    )
    if not still:
        own_products = select(Product.id).where(Product.enterprise_id == row.enterprise_id)
        for link in session.scalars(
            select(ProductStandard).where(
                ProductStandard.standard_id == row.standard_id,
                ProductStandard.product_id.in_(own_products),
            )
        ):
            session.delete(link)
    session.flush()


def list_declarations(
    session: Session, *, enterprise_uscc: str | None = None
) -> list[DeclarationRead]:
    """The public self-declarations, newest first."""
    from plateau.registry.models import Enterprise

    stmt = (
        select(SelfDeclaration, Standard, Enterprise)
        .join(Standard, Standard.id == SelfDeclaration.standard_id)
        .join(Enterprise, Enterprise.id == SelfDeclaration.enterprise_id)
        .order_by(SelfDeclaration.declared_at.desc(), SelfDeclaration.id.desc())
    )
    if enterprise_uscc:
        stmt = stmt.where(Enterprise.uscc == enterprise_uscc)
    return [
        DeclarationRead(
            id=d.id,
            enterprise=e.name,
            enterprise_uscc=e.uscc,
            standard_id=s.id,
            standard_code=s.code,
            standard_title=s.title_zh,
            scope_zh=d.scope_zh,
            declared_on=d.declared_at.astimezone(BEIJING).date(),
        )
        for d, s, e in session.execute(stmt.limit(500))
    ]


def product_standards(session: Session, *, gtin: str) -> list[ProductStandardRead]:
    """The published standards a product follows (for the consumer page); public."""
    try:
        product = registry_service.get_product(session, gtin=gtin, actor=SYSTEM)
    except NotFound:
        return []
    return [
        ProductStandardRead(code=s.code, title=loc_title(s), level=s.level)
        for s in session.scalars(
            select(Standard)
            .join(ProductStandard, ProductStandard.standard_id == Standard.id)
            .where(ProductStandard.product_id == product.id, Standard.status == "published")
            .order_by(Standard.code)
        )
    ]


def loc_title(standard: Standard) -> str:
    """A standard's title in the current language."""

    class _Named:
        name_zh = standard.title_zh
        name_en = standard.title_en

    return loc(_Named)


def next_statuses(standard: Standard) -> list[str]:
    """The statuses a standard may still move to (a step may be skipped, never undone)."""
    return STATUS_ORDER[STATUS_ORDER.index(standard.status) + 1 :]


def participants(session: Session, *, standard_id: int) -> list[tuple[str, str]]:
    """The enterprises taking part in drafting a standard, as (USCC, name); public."""
    from plateau.registry.models import Enterprise

    return [
        (u, n)
        for u, n in session.execute(
            select(Enterprise.uscc, Enterprise.name)
            .join(StandardParticipant, StandardParticipant.enterprise_id == Enterprise.id)
            .where(StandardParticipant.standard_id == standard_id)
            .order_by(Enterprise.name)
        )
    ]


def add_participant(session: Session, *, standard_id: int, uscc: str, actor: Actor) -> None:
    """Add an enterprise to those drafting a standard (region administrator)."""
    _require_admin(actor)
    standard = get_standard(session, standard_id=standard_id)
    ent = registry_service.get_enterprise(session, uscc=uscc, actor=SYSTEM)
    exists = session.scalar(
        select(StandardParticipant.id).where(
            StandardParticipant.standard_id == standard.id,
            StandardParticipant.enterprise_id == ent.id,
        )
    )
    if exists is not None:
        raise Conflict(_("%(name)s already takes part.", name=ent.name))
    session.add(StandardParticipant(standard_id=standard.id, enterprise_id=ent.id))
    session.flush()


def remove_participant(session: Session, *, standard_id: int, uscc: str, actor: Actor) -> None:
    """Take an enterprise off a standard's participants (region administrator)."""
    _require_admin(actor)
    standard = get_standard(session, standard_id=standard_id)
    ent = registry_service.get_enterprise(session, uscc=uscc, actor=SYSTEM)
    row = session.scalar(
        select(StandardParticipant).where(
            StandardParticipant.standard_id == standard.id,
            StandardParticipant.enterprise_id == ent.id,
        )
    )
    if row is None:
        raise NotFound(_("%(name)s does not take part in this standard.", name=ent.name))
    session.delete(row)
    session.flush()


def enterprise_choices(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    page: int = 1,
    per_page: int = picking.PER_PAGE,
    not_in_standard: int | None = None,
) -> Page[Choice]:
    """Registered enterprises to pick from, one page matching ``query``: all for the
    administrator, one's own for an enterprise user, none for anybody else."""
    return registry_service.enterprise_choices(
        session,
        actor=actor,
        any_enterprise=actor.is_admin,
        query=query,
        page=page,
        per_page=per_page,
        leave_out=None
        if not_in_standard is None
        else select(StandardParticipant.enterprise_id).where(
            StandardParticipant.standard_id == not_in_standard
        ),
    )


def chosen_enterprises(session: Session, *, usccs: list[str], actor: Actor) -> list[Choice]:
    """The named enterprises among those the caller may pick, in the given order."""
    from plateau.registry.models import Enterprise

    wanted = list(dict.fromkeys(u for u in usccs if u))[:200]
    if not wanted:
        return []
    stmt = select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(wanted))
    if not actor.is_admin:
        own = actor.scope_value if actor.role is Role.ENTERPRISE_USER else None
        stmt = stmt.where(Enterprise.uscc == (own or ""))
    names = {u: n for u, n in session.execute(stmt)}
    return [Choice(value=u, label=names[u]) for u in wanted if u in names]


def own_products(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    page: int = 1,
    per_page: int = picking.PER_PAGE,
) -> Page[Choice]:
    """An enterprise user's products (GTIN, name), one page matching ``query``, for a
    declaration's picker; nobody else has any."""
    return registry_service.product_choices(
        session,
        actor=actor,
        any_enterprise=False,
        query=query,
        page=page,
        per_page=per_page,
        with_enterprise=False,
    )


def programme_items() -> list[ProgrammeItem]:
    """The 专栏2 items (for the register's picker)."""
    return list(_items())
