"""Recognitions: editions, nominations, jury, public vote, results and certificates.

One engine serves the 拉萨服饰周 selections, the "地球第三极" product evaluation and the
名优产品目录. Rules are declared per edition and frozen when scoring starts; the arithmetic
lives in ``scoring`` and the public vote's one-time codes in ``voting``.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session, selectinload

from plateau import picking
from plateau.auth import service as auth_service
from plateau.auth.models import User
from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.db import utcnow
from plateau.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.paging import Page
from plateau.picking import Choice
from plateau.recognition import scoring
from plateau.recognition.labels import STAGE_ORDER
from plateau.recognition.models import (
    Ballot,
    Category,
    Criterion,
    Edition,
    Member,
    Nomination,
    NominationImage,
    Objection,
    Result,
    Score,
    Voter,
)
from plateau.recognition.models import (
    Conflict as ConflictRow,
)
from plateau.recognition.schemas import (
    CategoryCreate,
    ConflictDeclare,
    EditionCreate,
    EditionUpdate,
    MemberAdd,
    MemberUpdate,
    NominationCreate,
    ObjectionCreate,
    Recognition,
    RulesUpdate,
    VoteCast,
    VoteReceipt,
)
from plateau.registry import service as registry_service

# GB/T 4754-2017 classes of garment making (18xx) and leather/fur garments (1921, 1932).
GARMENT_CLASSES = ("18", "1921", "1932")
LHASA = "540100"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGES = 6
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
SCORING_STAGES = ("scoring", "voting")
RESULT_STAGES = ("publicity", "final")


def beijing_today(now: datetime | None = None) -> date:
    """Today's date in Beijing time, which all the timetable's dates are in."""
    return (now or utcnow()).astimezone(BEIJING).date()


# --- access ---


def _member(session: Session, edition: Edition, actor: Actor, kind: str) -> Member | None:
    if actor.user_id is None:
        return None
    return session.scalar(
        select(Member).where(
            Member.edition_id == edition.id, Member.user_id == actor.user_id, Member.kind == kind
        )
    )


def may_organise(session: Session, edition: Edition, actor: Actor) -> bool:
    """Tell whether ``actor`` runs ``edition`` (the region administrator runs every one)."""
    if actor.is_admin:
        return True
    return (
        actor.role is Role.ORGANISER and _member(session, edition, actor, "organiser") is not None
    )


def _require_organiser(session: Session, edition: Edition, actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if not may_organise(session, edition, actor):
        raise Forbidden(_("Only the organisers of this edition may do this."))


def juror_of(session: Session, edition: Edition, actor: Actor) -> Member | None:
    """The caller's juror seat in ``edition``, if they have one."""
    if actor.role is not Role.JUROR:
        return None
    return _member(session, edition, actor, "juror")


def may_create_editions(actor: Actor) -> bool:
    return actor.is_admin or actor.role is Role.ORGANISER


# --- editions ---


def _edition_query() -> Select[Edition]:
    return select(Edition).options(selectinload(Edition.categories).selectinload(Category.criteria))


def list_editions(session: Session, *, actor: Actor) -> list[Edition]:
    """List the editions the caller may see: all but drafts, and the drafts they organise."""
    editions = list(session.scalars(_edition_query().order_by(Edition.year.desc(), Edition.id)))
    return [e for e in editions if e.stage != "draft" or may_organise(session, e, actor)]


def get_edition(session: Session, *, code: str, actor: Actor) -> Edition:
    """Return an edition by code, or NotFound (a draft exists only for its organisers)."""
    edition = session.scalar(_edition_query().where(Edition.code == code))
    if edition is None or (edition.stage == "draft" and not may_organise(session, edition, actor)):
        raise NotFound(_("No such edition."))
    return edition


def create_edition(session: Session, *, data: EditionCreate, actor: Actor) -> Edition:
    """Declare an edition with its categories, weighted criteria, timetable and rules."""
    if not may_create_editions(actor):
        raise Forbidden(_("Only the region administrator and organisers may create editions."))
    if session.scalar(select(Edition.id).where(Edition.code == data.code)) is not None:
        raise Conflict(_("An edition with code %(code)s already exists.", code=data.code))
    edition = Edition(**data.model_dump(exclude={"categories"}))
    session.add(edition)
    session.flush()
    for c in data.categories:
        cat = Category(edition_id=edition.id, **c.model_dump(exclude={"criteria"}))
        session.add(cat)
        session.flush()
        for cr in c.criteria:
            session.add(Criterion(category_id=cat.id, **cr.model_dump()))
    if actor.user_id is not None:
        session.add(Member(edition_id=edition.id, user_id=actor.user_id, kind="organiser"))
    session.flush()
    session.expire(edition)
    return get_edition(session, code=data.code, actor=actor)


def update_rules(session: Session, *, code: str, data: RulesUpdate, actor: Actor) -> Edition:
    """Change the combination, trimming, normalisation or tie-break rule before scoring starts."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    if edition.frozen_at is not None:
        raise Conflict(_("The rules are frozen: scoring has started."))
    for key, value in data.model_dump(exclude_none=True).items():
        setattr(edition, key, value)
    session.flush()
    return edition


def _require_unfrozen(edition: Edition) -> None:
    if edition.frozen_at is not None:
        raise Conflict(_("The rules are frozen: scoring has started."))


def new_edition_code(session: Session, *, kind: str, year: int) -> str:
    """A free code for a new edition (it appears in the edition's address only)."""
    base = f"{kind.replace('_', '-')}-{year}"
    taken = set(session.scalars(select(Edition.code).where(Edition.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def update_edition(session: Session, *, code: str, data: EditionUpdate, actor: Actor) -> Edition:
    """Change an edition's names, timetable and rules, until scoring starts."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    _require_unfrozen(edition)
    for key, value in data.model_dump().items():
        setattr(edition, key, value)
    session.flush()
    return edition


def _category_code(edition: Edition) -> str:
    taken = {c.code for c in edition.categories}
    n = len(taken) + 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"


def add_category(session: Session, *, code: str, data: CategoryCreate, actor: Actor) -> Category:
    """Add a category with its weighted criteria, until scoring starts."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    _require_unfrozen(edition)
    if any(c.code == data.code for c in edition.categories):
        data = data.model_copy(update={"code": _category_code(edition)})
    cat = Category(edition_id=edition.id, **data.model_dump(exclude={"criteria"}))
    session.add(cat)
    session.flush()
    for cr in data.criteria:
        session.add(Criterion(category_id=cat.id, **cr.model_dump()))
    session.flush()
    session.expire(edition)
    return cat


def update_category(
    session: Session, *, code: str, category_id: int, data: CategoryCreate, actor: Actor
) -> Category:
    """Rename a category, change its entries' kind, condition, awards and criteria.

    Before scoring starts no score refers to a criterion, so the criteria are replaced.
    """
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    _require_unfrozen(edition)
    cat = next((c for c in edition.categories if c.id == category_id), None)
    if cat is None:
        raise NotFound(_("No such category."))
    if cat.entry_kind != data.entry_kind and session.scalar(
        select(Nomination.id).where(Nomination.category_id == cat.id).limit(1)
    ):
        raise Conflict(_("The category has nominations: the kind of its entries stays."))
    for key, value in data.model_dump(exclude={"criteria", "code"}).items():
        setattr(cat, key, value)
    session.execute(delete(Criterion).where(Criterion.category_id == cat.id))
    for cr in data.criteria:
        session.add(Criterion(category_id=cat.id, **cr.model_dump()))
    session.flush()
    session.expire(edition)
    session.expire(cat)
    return cat


def _employer(session: Session, uscc: str, name: str) -> tuple[str, str]:
    """The employer's USCC and name: a registered enterprise's, or a name only."""
    if uscc:
        ent = registry_service.get_enterprise(session, uscc=uscc, actor=SYSTEM)
        return ent.uscc, ent.name
    return "", name.strip()


def add_member(session: Session, *, code: str, data: MemberAdd, actor: Actor) -> Member:
    """Seat a juror or add an organiser (the user must hold the matching role)."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    try:
        user: User | None = auth_service.get_user_by_username(session, username=data.username)
    except NotFound:
        user = None
    wanted = Role.JUROR if data.kind == "juror" else Role.ORGANISER
    if user is None or user.role != wanted.value:
        raise ValidationFailed(
            _("%(user)s is not a user with the role %(role)s.", user=data.username, role=wanted)
        )
    employer_uscc, employer_name = _employer(session, data.employer_uscc, data.employer_name)
    existing = session.scalar(
        select(Member).where(
            Member.edition_id == edition.id, Member.user_id == user.id, Member.kind == data.kind
        )
    )
    if existing is not None:
        raise Conflict(_("%(user)s is already a member of this edition.", user=data.username))
    member = Member(
        edition_id=edition.id,
        user_id=user.id,
        kind=data.kind,
        display_name=data.display_name or user.display_name or user.username,
        employer_uscc=employer_uscc,
        employer_name=employer_name,
    )
    session.add(member)
    session.flush()
    detect_conflicts(session, edition=edition)
    return member


def update_member(
    session: Session, *, code: str, member_id: int, data: MemberUpdate, actor: Actor
) -> Member:
    """Change a seat's name or employer; employer conflicts are detected anew."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    if edition.stage in RESULT_STAGES:
        raise Conflict(_("The results are published: the jury no longer changes."))
    member = session.scalar(
        select(Member).where(Member.id == member_id, Member.edition_id == edition.id)
    )
    if member is None:
        raise NotFound(_("No such member."))
    member.employer_uscc, member.employer_name = _employer(
        session, data.employer_uscc, data.employer_name
    )
    if data.display_name.strip():
        member.display_name = data.display_name.strip()
    # An employer conflict follows the employer; what the juror declared stays.
    session.execute(
        delete(ConflictRow).where(
            ConflictRow.member_id == member.id,
            ConflictRow.source == "detected",
            ConflictRow.reason == "employer",
        )
    )
    session.flush()
    detect_conflicts(session, edition=edition)
    return member


def remove_member(session: Session, *, code: str, member_id: int, actor: Actor) -> None:
    """Unseat a juror before the results (their scores and conflicts go with the seat)."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    if edition.stage in RESULT_STAGES:
        raise Conflict(_("The results are published: the jury no longer changes."))
    member = session.scalar(
        select(Member).where(
            Member.id == member_id, Member.edition_id == edition.id, Member.kind == "juror"
        )
    )
    if member is None:
        raise NotFound(_("No such member."))
    session.execute(delete(Score).where(Score.member_id == member.id))
    session.execute(delete(ConflictRow).where(ConflictRow.member_id == member.id))
    session.delete(member)
    session.flush()


def juror_choices(session: Session, *, code: str, actor: Actor) -> list[User]:
    """Users with the juror role who have no seat in the edition yet (for the seat picker)."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    seated = select(Member.user_id).where(Member.edition_id == edition.id, Member.kind == "juror")
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.JUROR.value, User.id.not_in(seated))
            .order_by(User.display_name, User.username)
        )
    )


def _own_enterprise(stmt: Any, actor: Actor) -> Any:
    from plateau.registry.models import Enterprise

    if actor.role is Role.ENTERPRISE_USER:
        return stmt.where(Enterprise.uscc == (actor.scope_value or ""))
    return stmt


def _signed_in(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))


def enterprise_choices(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    page: int = 1,
    per_page: int = picking.PER_PAGE,
) -> Page[Choice]:
    """One page of the registered enterprises the caller may pick, matching ``query`` by name or
    pinyin initials (an enterprise user: its own)."""
    _signed_in(actor)
    return registry_service.enterprise_choices(
        session,
        actor=actor,
        any_enterprise=actor.role is not Role.ENTERPRISE_USER,
        query=query,
        page=page,
        per_page=per_page,
    )


def brand_choices(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    page: int = 1,
    per_page: int = picking.PER_PAGE,
) -> Page[Choice]:
    """One page of the brands the caller may nominate, with their enterprise's name."""
    from plateau.registry.models import Brand, Enterprise

    _signed_in(actor)
    stmt = (
        select(Brand.id, Brand.name_zh, Enterprise.name)
        .join(Enterprise, Enterprise.id == Brand.enterprise_id)
        .order_by(Brand.name_zh, Brand.id)
    )
    return picking.search(
        session,
        _own_enterprise(stmt, actor),
        label=Brand.name_zh + " — " + Enterprise.name,
        query=query,
        page=page,
        per_page=per_page,
        describe=lambda row: f"{row[1]} — {row[2]}",
    )


def product_choices(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    page: int = 1,
    per_page: int = picking.PER_PAGE,
) -> Page[Choice]:
    """One page of the products the caller may nominate (by GTIN), with their enterprise's name."""
    _signed_in(actor)
    return registry_service.product_choices(
        session,
        actor=actor,
        any_enterprise=actor.role is not Role.ENTERPRISE_USER,
        query=query,
        page=page,
        per_page=per_page,
    )


CHOICE_KINDS = {
    "enterprises": enterprise_choices,
    "brands": brand_choices,
    "products": product_choices,
}


def enterprise_names(session: Session, *, usccs: list[str], actor: Actor) -> dict[str, str]:
    """The names of the given registered enterprises the caller may pick (for chosen options)."""
    from plateau.registry.models import Enterprise

    wanted = list(dict.fromkeys(u for u in usccs if u))[:500]
    if not wanted:
        return {}
    stmt = select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(wanted))
    return {u: n for u, n in session.execute(_own_enterprise(stmt, actor))}


def list_members(session: Session, *, code: str, actor: Actor) -> list[Member]:
    """List an edition's organisers and jurors (for its organisers)."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    return list(
        session.scalars(
            select(Member).where(Member.edition_id == edition.id).order_by(Member.kind, Member.id)
        )
    )


def _next_stage(edition: Edition) -> str:
    i = STAGE_ORDER.index(edition.stage)
    nxt = STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else edition.stage
    if nxt == "voting" and not edition.has_public_vote:
        nxt = "publicity"
    return nxt


def advance(session: Session, *, code: str, to: str, actor: Actor) -> Edition:
    """Move an edition to its next stage, checking what that stage needs."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    if edition.stage == "final" or to != _next_stage(edition):
        raise Conflict(
            _("This edition can only move on to: %(stage)s.", stage=_next_stage(edition))
        )
    if to == "nominations" and not edition.categories:
        raise Conflict(_("Add at least one award category before opening nominations."))
    if to == "scoring":
        undecided = session.scalar(
            select(func.count(Nomination.id)).where(
                Nomination.edition_id == edition.id, Nomination.status == "submitted"
            )
        )
        if undecided:
            raise Conflict(_("%(n)s nominations still await a decision.", n=undecided))
        edition.frozen_at = utcnow()
        detect_conflicts(session, edition=edition)
    if to == "publicity":
        publish_results(session, edition=edition)
    if to == "final":
        open_objections = session.scalar(
            select(func.count(Objection.id)).where(
                Objection.edition_id == edition.id, Objection.answered_at.is_(None)
            )
        )
        if open_objections:
            raise Conflict(_("%(n)s objections still await an answer.", n=open_objections))
        edition.final_at = utcnow()
    edition.stage = to
    session.flush()
    return edition


# --- nominations ---


@dataclass
class Nominee:
    """Where a nomination points in the registry."""

    enterprise_id: int | None
    enterprise_uscc: str | None
    brand_id: int | None
    product_id: int | None
    title: str


def _resolve_nominee(session: Session, data: NominationCreate, entry_kind: str) -> Nominee:
    # Trusted look-ups: whether the nominator may nominate this entry is decided here, from
    # the entry's owner, not from what the nominator may browse in the registry.
    if entry_kind == "brand":
        if data.brand_id is None:
            raise ValidationFailed(_("Choose the brand you nominate."))
        brand = registry_service.get_brand(session, brand_id=data.brand_id, actor=SYSTEM)
        ent = brand.enterprise
        return Nominee(ent.id, ent.uscc, brand.id, None, data.title or brand.name_zh)
    if entry_kind == "product":
        if not data.gtin:
            raise ValidationFailed(_("Give the GTIN of the product you nominate."))
        product = registry_service.get_product(session, gtin=data.gtin, actor=SYSTEM)
        ent = registry_service.get_enterprise(
            session, uscc=_uscc_of_product(session, product.enterprise_id), actor=SYSTEM
        )
        return Nominee(
            ent.id, ent.uscc, product.brand_id, product.id, data.title or product.name_zh
        )
    if not data.title.strip():
        raise ValidationFailed(_("Give the title of the design or the model's name."))
    if data.enterprise_uscc:
        ent = registry_service.get_enterprise(session, uscc=data.enterprise_uscc, actor=SYSTEM)
        return Nominee(ent.id, ent.uscc, None, None, data.title.strip())
    return Nominee(None, None, None, None, data.title.strip())


def _uscc_of_product(session: Session, enterprise_id: int) -> str:
    from plateau.registry.models import Enterprise

    uscc = session.scalar(select(Enterprise.uscc).where(Enterprise.id == enterprise_id))
    if uscc is None:
        raise NotFound(_("No such enterprise."))
    return uscc


def nominate(
    session: Session,
    *,
    code: str,
    data: NominationCreate,
    actor: Actor,
    images: list[bytes] | None = None,
    now: datetime | None = None,
) -> Nomination:
    """File a nomination while nominations are open; enterprises nominate their own entries."""
    edition = get_edition(session, code=code, actor=actor)
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in to nominate."))
    if actor.role not in (Role.REGION_ADMIN, Role.ORGANISER, Role.ENTERPRISE_USER):
        raise Forbidden(_("Enterprises, designers' enterprises and the association nominate."))
    if edition.stage != "nominations" or beijing_today(now) > edition.nominations_close_date:
        raise Conflict(
            _(
                "Nominations for %(edition)s closed on %(date)s.",
                edition=edition.name_zh,
                date=edition.nominations_close_date.isoformat(),
            )
            if edition.stage != "draft"
            else _("Nominations for this edition are not open yet.")
        )
    category = next((c for c in edition.categories if c.code == data.category), None)
    if category is None:
        raise ValidationFailed(_("No category %(code)s in this edition.", code=data.category))
    nominee = _resolve_nominee(session, data, category.entry_kind)
    if actor.role is Role.ENTERPRISE_USER:
        own = actor.scope_value if actor.scope_kind == "enterprise" else None
        if nominee.enterprise_uscc is None:
            nominee.enterprise_uscc = own
            if own:
                nominee.enterprise_id = registry_service.get_enterprise(
                    session, uscc=own, actor=SYSTEM
                ).id
        if nominee.enterprise_uscc != own:
            raise Forbidden(
                _("An enterprise may nominate only its own brands, products and designs.")
            )
    checked = [check_image(blob) for blob in images or []]
    if len(checked) > MAX_IMAGES:
        raise ValidationFailed(_("At most %(n)s images per nomination.", n=MAX_IMAGES))
    duplicate = session.scalar(
        select(Nomination.id).where(
            Nomination.category_id == category.id,
            Nomination.title == nominee.title,
            Nomination.enterprise_id == nominee.enterprise_id
            if nominee.enterprise_id
            else Nomination.enterprise_id.is_(None),
        )
    )
    if duplicate is not None:
        raise Conflict(_("%(title)s is already nominated in this category.", title=nominee.title))
    nomination = Nomination(
        edition_id=edition.id,
        category_id=category.id,
        title=nominee.title,
        description=data.description,
        enterprise_id=nominee.enterprise_id,
        brand_id=nominee.brand_id,
        product_id=nominee.product_id,
        nominated_by_user_id=actor.user_id,
    )
    session.add(nomination)
    session.flush()
    for content_type, blob in checked:
        session.add(
            NominationImage(nomination_id=nomination.id, content_type=content_type, data=blob)
        )
    session.flush()
    return nomination


def check_image(blob: bytes) -> tuple[str, bytes]:
    """Return the content type of an uploaded picture, refusing what is not a small image."""
    if len(blob) > MAX_IMAGE_BYTES:
        raise ValidationFailed(
            _("Each image may be at most %(mb)s MB.", mb=MAX_IMAGE_BYTES // (1024 * 1024))
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(blob)) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(_("The file is not an image (PNG, JPEG or WebP).")) from None
    if fmt not in IMAGE_FORMATS:
        raise ValidationFailed(_("The file is not an image (PNG, JPEG or WebP)."))
    return IMAGE_FORMATS[fmt], blob


def _get_nomination(session: Session, nomination_id: int, edition: Edition) -> Nomination:
    nomination = session.scalar(
        select(Nomination)
        .where(Nomination.id == nomination_id, Nomination.edition_id == edition.id)
        .options(selectinload(Nomination.category))
    )
    if nomination is None:
        raise NotFound(_("No such nomination."))
    return nomination


def eligibility_problem(session: Session, nomination: Nomination, *, today: date) -> str | None:
    """Say why an entry does not meet its category's condition, or None when it does."""
    rule = nomination.category.eligibility
    if rule == "none":
        return None
    if nomination.enterprise_id is None:
        return _("The entry is not linked to an enterprise of the registry.")
    ent = registry_service.get_enterprise(
        session, uscc=_uscc_of_product(session, nomination.enterprise_id), actor=SYSTEM
    )
    if rule == "lhasa_garment_brand":
        if nomination.brand_id is None:
            return _("The entry is not a registered brand.")
        if ent.prefecture_code != LHASA or not (ent.gbt4754 or "").startswith(GARMENT_CLASSES):
            return _("The brand's enterprise is not a Lhasa garment enterprise.")
        if ent.closed_date is not None and ent.closed_date <= today:
            return _("The brand's enterprise is closed.")
        return None
    if rule == "valid_certificate":
        if nomination.product_id is None:
            return _("The entry is not a registered product.")
        gtin = next((p.gtin for p in _products_by_id(session, [nomination.product_id])), None)
        if gtin is None:
            return _("The entry is not a registered product.")
        public = registry_service.public_product(session, gtin=gtin, today=today)
        if not public.certificates:
            return _("The product holds no valid certificate.")
    return None


def _products_by_id(session: Session, ids: list[int]):  # type: ignore[no-untyped-def]
    from plateau.registry.models import Product

    return session.scalars(select(Product).where(Product.id.in_(ids)))


def list_nominations(session: Session, *, code: str, actor: Actor) -> list[Nomination]:
    """List nominations: all for organisers, one's own for enterprises, accepted ones in public.

    A juror sees the accepted entries of the jury minus those they are in conflict with.
    """
    edition = get_edition(session, code=code, actor=actor)
    stmt = (
        select(Nomination)
        .where(Nomination.edition_id == edition.id)
        .options(selectinload(Nomination.category))
        .order_by(Nomination.category_id, Nomination.id)
    )
    if may_organise(session, edition, actor):
        return list(session.scalars(stmt))
    juror = juror_of(session, edition, actor)
    if juror is not None:
        conflicted = select(ConflictRow.nomination_id).where(ConflictRow.member_id == juror.id)
        return list(
            session.scalars(
                stmt.where(Nomination.status == "accepted", Nomination.id.not_in(conflicted))
            )
        )
    mine: list[Nomination] = []
    if actor.user_id is not None:
        mine = list(session.scalars(stmt.where(Nomination.nominated_by_user_id == actor.user_id)))
    if edition.stage in ("voting", *RESULT_STAGES):
        public = list(session.scalars(stmt.where(Nomination.status == "accepted")))
        seen = {n.id for n in public}
        return public + [n for n in mine if n.id not in seen]
    return mine


def get_nomination(session: Session, *, code: str, nomination_id: int, actor: Actor) -> Nomination:
    """Return one nomination the caller may see (a conflicted juror gets NotFound)."""
    visible = list_nominations(session, code=code, actor=actor)
    found = next((n for n in visible if n.id == nomination_id), None)
    if found is None:
        raise NotFound(_("No such nomination."))
    return found


def decide(
    session: Session,
    *,
    code: str,
    nomination_id: int,
    accept: bool,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> Nomination:
    """Accept or refuse a nomination during review; a refusal needs a reason."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    if edition.stage not in ("nominations", "review"):
        raise Conflict(_("Nominations can no longer be decided: scoring has started."))
    nomination = _get_nomination(session, nomination_id, edition)
    if not accept and len(reason.strip()) < 2:
        raise ValidationFailed(_("Give the reason for refusing the nomination."))
    if accept:
        problem = eligibility_problem(session, nomination, today=beijing_today(now))
        if problem:
            raise ValidationFailed(_("Not eligible: %(why)s", why=problem))
        if nomination.category.entry_kind == "design" and not session.scalar(
            select(func.count(NominationImage.id)).where(
                NominationImage.nomination_id == nomination.id
            )
        ):
            raise ValidationFailed(_("A design needs at least one image."))
    nomination.status = "accepted" if accept else "refused"
    nomination.reason = reason.strip()
    nomination.decided_at = utcnow()
    session.flush()
    if accept:
        detect_conflicts(session, edition=edition)
    return nomination


def add_image(
    session: Session, *, code: str, nomination_id: int, blob: bytes, actor: Actor
) -> NominationImage:
    """Attach an image to one's nomination while nominations are open."""
    edition = get_edition(session, code=code, actor=actor)
    nomination = _get_nomination(session, nomination_id, edition)
    if not (
        may_organise(session, edition, actor) or nomination.nominated_by_user_id == actor.user_id
    ) or (actor.user_id is None and not actor.is_admin):
        raise NotFound(_("No such nomination."))
    if edition.stage not in ("nominations", "review"):
        raise Conflict(_("Images can no longer be added: scoring has started."))
    count = session.scalar(
        select(func.count(NominationImage.id)).where(NominationImage.nomination_id == nomination.id)
    )
    if (count or 0) >= MAX_IMAGES:
        raise ValidationFailed(_("At most %(n)s images per nomination.", n=MAX_IMAGES))
    content_type, data = check_image(blob)
    image = NominationImage(nomination_id=nomination.id, content_type=content_type, data=data)
    session.add(image)
    session.flush()
    return image


def image_ids(session: Session, *, nomination_ids: list[int]) -> dict[int, list[int]]:
    """The images of the given nominations (callers pass only nominations they may see)."""
    out: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(nomination_ids):
        for nid, iid in session.execute(
            select(NominationImage.nomination_id, NominationImage.id)
            .where(NominationImage.nomination_id.in_(chunk))
            .order_by(NominationImage.id)
        ):
            out[nid].append(iid)
    return dict(out)


def get_image(session: Session, *, code: str, image_id: int, actor: Actor) -> NominationImage:
    """Return an image of a nomination the caller may see."""
    image = session.get(NominationImage, image_id)
    if image is None:
        raise NotFound(_("No such image."))
    get_nomination(session, code=code, nomination_id=image.nomination_id, actor=actor)
    return image


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- conflicts of interest ---


def detect_conflicts(session: Session, *, edition: Edition) -> int:
    """Record the conflicts the registry shows: a juror employed by, or nominating, an entry."""
    jurors = list(
        session.scalars(
            select(Member).where(Member.edition_id == edition.id, Member.kind == "juror")
        )
    )
    if not jurors:
        return 0
    nominations = list(
        session.scalars(select(Nomination).where(Nomination.edition_id == edition.id))
    )
    from plateau.registry.models import Enterprise

    ent_ids = {n.enterprise_id for n in nominations if n.enterprise_id}
    usccs = (
        dict(
            session.execute(
                select(Enterprise.id, Enterprise.uscc).where(Enterprise.id.in_(ent_ids))
            ).all()
        )
        if ent_ids
        else {}
    )
    existing = set(
        session.execute(
            select(ConflictRow.nomination_id, ConflictRow.member_id).where(
                ConflictRow.member_id.in_([j.id for j in jurors])
            )
        )
    )
    added = 0
    for n in nominations:
        for j in jurors:
            if (n.id, j.id) in existing:
                continue
            employer = bool(j.employer_uscc) and usccs.get(n.enterprise_id or -1) == j.employer_uscc
            nominated = n.nominated_by_user_id is not None and n.nominated_by_user_id == j.user_id
            if employer or nominated:
                session.add(
                    ConflictRow(
                        nomination_id=n.id,
                        member_id=j.id,
                        source="detected",
                        reason="employer" if employer else "business",
                    )
                )
                # A score given before the conflict came to light no longer counts.
                session.execute(
                    delete(Score).where(Score.nomination_id == n.id, Score.member_id == j.id)
                )
                added += 1
    session.flush()
    return added


def declare_conflict(
    session: Session, *, code: str, data: ConflictDeclare, actor: Actor
) -> ConflictRow:
    """A juror declares a conflict with an entry; from then on they neither see nor score it."""
    edition = get_edition(session, code=code, actor=actor)
    juror = juror_of(session, edition, actor)
    if juror is None:
        raise Forbidden(_("Only jurors of this edition declare conflicts."))
    nomination = _get_nomination(session, data.nomination_id, edition)
    existing = session.scalar(
        select(ConflictRow).where(
            ConflictRow.nomination_id == nomination.id, ConflictRow.member_id == juror.id
        )
    )
    if existing is not None:
        return existing
    row = ConflictRow(
        nomination_id=nomination.id,
        member_id=juror.id,
        source="declared",
        reason=data.reason,
        note=data.note,
    )
    session.add(row)
    # Scores given before the declaration no longer count.
    session.execute(
        delete(Score).where(Score.nomination_id == nomination.id, Score.member_id == juror.id)
    )
    session.flush()
    return row


def list_conflicts(
    session: Session, *, code: str, actor: Actor
) -> list[tuple[ConflictRow, Member, Nomination]]:
    """List an edition's conflicts with the juror and entry (for organisers)."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    return [
        (c, m, n)
        for c, m, n in session.execute(
            select(ConflictRow, Member, Nomination)
            .join(Member, Member.id == ConflictRow.member_id)
            .join(Nomination, Nomination.id == ConflictRow.nomination_id)
            .where(Member.edition_id == edition.id)
            .order_by(Member.id, Nomination.id)
        )
    ]


# --- scores ---


def submit_scores(
    session: Session, *, code: str, nomination_id: int, scores: dict[int, Decimal], actor: Actor
) -> list[Score]:
    """Record a juror's scores for every criterion of an entry (replacing earlier ones)."""
    edition = get_edition(session, code=code, actor=actor)
    juror = juror_of(session, edition, actor)
    if juror is None:
        raise Forbidden(_("Only jurors of this edition score."))
    # A conflicted juror gets the same answer as for an entry that does not exist.
    nomination = get_nomination(session, code=code, nomination_id=nomination_id, actor=actor)
    if edition.stage not in SCORING_STAGES:
        raise Conflict(_("Scoring is not open for this edition."))
    criteria = {
        c.id: c
        for cat in edition.categories
        if cat.id == nomination.category_id
        for c in cat.criteria
    }
    if set(scores) != set(criteria):
        raise ValidationFailed(_("Score every criterion of the category, and only those."))
    for criterion_id, value in scores.items():
        if not (0 <= value <= edition.score_max) or value != value.quantize(Decimal("0.01")):
            raise ValidationFailed(
                _(
                    "%(criterion)s: a score must be between 0 and %(max)s (at most two decimals).",
                    criterion=criteria[criterion_id].name_zh,
                    max=edition.score_max,
                )
            )
    existing = {
        s.criterion_id: s
        for s in session.scalars(
            select(Score).where(Score.nomination_id == nomination.id, Score.member_id == juror.id)
        )
    }
    out = []
    for criterion_id, value in scores.items():
        score = existing.get(criterion_id)
        if score is None:
            score = Score(
                nomination_id=nomination.id,
                criterion_id=criterion_id,
                member_id=juror.id,
                value=value,
            )
            session.add(score)
        else:
            score.value = value
        out.append(score)
    session.flush()
    return out


def own_scores(session: Session, *, code: str, actor: Actor) -> dict[tuple[int, int], Decimal]:
    """The caller's own scores in an edition, by (nomination, criterion)."""
    edition = get_edition(session, code=code, actor=actor)
    juror = juror_of(session, edition, actor)
    if juror is None:
        return {}
    return {
        (s.nomination_id, s.criterion_id): s.value
        for s in session.scalars(select(Score).where(Score.member_id == juror.id))
    }


def all_scores(session: Session, *, code: str, actor: Actor) -> list[tuple[Member, Score]]:
    """Every juror's scores, once the results are published (organisers and jurors)."""
    edition = get_edition(session, code=code, actor=actor)
    if edition.stage not in RESULT_STAGES:
        raise Forbidden(_("Jurors' scores are disclosed with the results."))
    if not (may_organise(session, edition, actor) or juror_of(session, edition, actor)):
        raise Forbidden(_("Only the organisers and jurors of this edition see the scores."))
    return [
        (m, s)
        for m, s in session.execute(
            select(Member, Score)
            .join(Score, Score.member_id == Member.id)
            .where(Member.edition_id == edition.id)
            .order_by(Score.nomination_id, Member.id, Score.criterion_id)
        )
    ]


# --- public vote ---


def cast_vote(
    session: Session,
    *,
    code: str,
    data: VoteCast,
    address: str = "",
    now: datetime | None = None,
) -> VoteReceipt:
    """Cast (or change) a verified person's vote in a category; the last ballot counts."""
    from plateau.recognition import voting

    now = now or utcnow()
    edition = get_edition(session, code=code, actor=SYSTEM)
    if edition.stage != "voting" or (
        edition.vote_close_date is not None and beijing_today(now) > edition.vote_close_date
    ):
        raise Conflict(_("The public vote is not open."))
    nomination = session.scalar(
        select(Nomination).where(
            Nomination.id == data.nomination_id,
            Nomination.edition_id == edition.id,
            Nomination.status == "accepted",
        )
    )
    if nomination is None:
        raise NotFound(_("No such entry."))
    phone_hash = voting.verify_code(session, phone=data.phone, code=data.code, now=now)
    voter = session.scalar(select(Voter).where(Voter.phone_hash == phone_hash))
    if voter is None:
        voter = Voter(phone_hash=phone_hash, created_at=now)
        session.add(voter)
        session.flush()
    last = session.scalar(
        select(Ballot)
        .where(Ballot.voter_id == voter.id, Ballot.category_id == nomination.category_id)
        .order_by(Ballot.id.desc())
        .limit(1)
    )
    if last is not None and last.nomination_id == nomination.id and not last.voided_at:
        raise Conflict(
            _(
                "Your vote for %(title)s is already counted; nothing was changed.",
                title=nomination.title,
            )
        )
    ballot = Ballot(
        edition_id=edition.id,
        category_id=nomination.category_id,
        nomination_id=nomination.id,
        voter_id=voter.id,
        address=address[:64],
        cast_at=now,
    )
    session.add(ballot)
    session.flush()
    flag_recent(session, edition=edition, now=now)
    changed = last is not None
    return VoteReceipt(
        ballot_id=ballot.id,
        changed=changed,
        message=_(
            "Your vote was changed to %(title)s; only the last one counts.", title=nomination.title
        )
        if changed
        else _("Thank you: your vote for %(title)s is counted.", title=nomination.title),
    )


def flag_recent(session: Session, *, edition: Edition, now: datetime) -> int:
    """Flag stuffing patterns among the ballots of the last window before ``now``."""
    since = now - timedelta(seconds=2 * scoring.BURST_WINDOW_SECONDS)
    rows = session.execute(
        select(Ballot, Voter.created_at)
        .join(Voter, Voter.id == Ballot.voter_id)
        .where(Ballot.edition_id == edition.id, Ballot.cast_at >= since)
    ).all()
    facts = [
        scoring.BallotFacts(b.id, b.nomination_id, b.address, b.cast_at, created)
        for b, created in rows
    ]
    flags = scoring.stuffing_flags(facts)
    n = 0
    for b, _created in rows:
        if b.id in flags and not b.flag:
            b.flag = flags[b.id]
            n += 1
    session.flush()
    return n


def list_ballots(
    session: Session, *, code: str, actor: Actor, flagged_only: bool = False
) -> list[Ballot]:
    """List the stored ballots (organisers only), flagged ones first when asked."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    stmt = select(Ballot).where(Ballot.edition_id == edition.id)
    if flagged_only:
        stmt = stmt.where(Ballot.flag != "")
    return list(session.scalars(stmt.order_by(Ballot.id)))


def void_ballots(
    session: Session, *, code: str, ballot_ids: list[int], reason: str, actor: Actor
) -> int:
    """Void ballots with a recorded reason (organisers only; before 公示)."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    if edition.stage in RESULT_STAGES:
        raise Conflict(_("The results are published: ballots can no longer be voided."))
    if len(reason.strip()) < 4:
        raise ValidationFailed(_("Give the reason for voiding these votes."))
    n = 0
    for chunk in _chunks(sorted(set(ballot_ids))):
        for b in session.scalars(
            select(Ballot).where(Ballot.edition_id == edition.id, Ballot.id.in_(chunk))
        ):
            if b.voided_at is None:
                b.voided_at = utcnow()
                b.void_reason = reason.strip()
                b.voided_by_user_id = actor.user_id
                n += 1
    session.flush()
    return n


def tally(session: Session, *, edition: Edition) -> dict[int, int]:
    """Count the votes per entry from the stored ballots (each voter's last one per category)."""
    rows = session.execute(
        select(
            Ballot.id, Ballot.voter_id, Ballot.category_id, Ballot.nomination_id, Ballot.voided_at
        ).where(Ballot.edition_id == edition.id)
    )
    return scoring.tally(
        scoring.CastBallot(i, v, c, n, voided is not None) for i, v, c, n, voided in rows
    )


# --- results ---


@dataclass
class CategoryOutcome:
    category: Category
    ranked: list[scoring.Ranked]
    missing: list[tuple[int, int]]
    titles: dict[int, str]


def compute(session: Session, *, edition: Edition) -> list[CategoryOutcome]:
    """Rank every category from the stored scores and ballots, and list missing scores."""
    rules = scoring.Rules(
        jury_weight=edition.jury_weight,
        score_max=edition.score_max,
        drop_extremes=edition.drop_extremes,
        normalise=edition.normalise,
        tie_break=edition.tie_break,
    )
    jurors = list(
        session.scalars(
            select(Member.id).where(Member.edition_id == edition.id, Member.kind == "juror")
        )
    )
    nominations = list(
        session.scalars(
            select(Nomination).where(
                Nomination.edition_id == edition.id, Nomination.status == "accepted"
            )
        )
    )
    ids = [n.id for n in nominations]
    conflicts: set[tuple[int, int]] = set()
    scores: dict[tuple[int, int, int], float] = {}
    for chunk in _chunks(ids):
        conflicts |= set(
            session.execute(
                select(ConflictRow.nomination_id, ConflictRow.member_id).where(
                    ConflictRow.nomination_id.in_(chunk)
                )
            )
        )
        for n_id, m_id, c_id, value in session.execute(
            select(Score.nomination_id, Score.member_id, Score.criterion_id, Score.value).where(
                Score.nomination_id.in_(chunk)
            )
        ):
            scores[(n_id, m_id, c_id)] = float(value)
    votes = tally(session, edition=edition) if edition.has_public_vote else {}
    out = []
    for cat in edition.categories:
        entries = [n for n in nominations if n.category_id == cat.id]
        weights = {c.id: c.weight for c in cat.criteria}
        entry_ids = {n.id for n in entries}
        totals = scoring.juror_totals(
            {
                k: v
                for k, v in scores.items()
                if k[0] in entry_ids and (k[0], k[1]) not in conflicts
            },
            weights,
            edition.score_max,
        )
        missing = scoring.missing_scores([n.id for n in entries], jurors, conflicts, totals)
        ranked = scoring.rank(
            [scoring.Entry(n.id, n.submitted_at) for n in entries], totals, votes, rules
        )
        out.append(CategoryOutcome(cat, ranked, missing, {n.id: n.title for n in entries}))
    return out


def jury_progress(session: Session, *, code: str, actor: Actor) -> dict[str, int]:
    """How many scores the jury still owes (organisers see this, never the scores)."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    outcomes = compute(session, edition=edition)
    missing = sum(len(o.missing) for o in outcomes)
    expected = sum(len(o.missing) + sum(r.jurors_counted for r in o.ranked) for o in outcomes)
    return {"expected": expected, "missing": missing}


def publish_results(session: Session, *, edition: Edition) -> list[Result]:
    """Store the ranked lists for 公示; refused while any juror has scores to give."""
    outcomes = compute(session, edition=edition)
    missing = sum(len(o.missing) for o in outcomes)
    if missing:
        raise Conflict(_("The jury has not finished: %(n)s entry scores are missing.", n=missing))
    session.execute(delete(Result).where(Result.edition_id == edition.id))
    rows = []
    for o in outcomes:
        for r in o.ranked:
            row = Result(
                edition_id=edition.id,
                category_id=o.category.id,
                nomination_id=r.nomination_id,
                rank=r.rank,
                jury_score=Decimal(str(r.jury_score)),
                public_score=Decimal(str(r.public_score)),
                votes=r.votes,
                total=Decimal(str(r.total)),
                recognised=r.rank <= o.category.awards,
            )
            session.add(row)
            rows.append(row)
    edition.published_at = utcnow()
    session.flush()
    return rows


@dataclass
class ResultLine:
    result: Result
    category: Category
    title: str


def results(session: Session, *, code: str, actor: Actor) -> list[ResultLine]:
    """The published ranked lists (public from 公示 on)."""
    edition = get_edition(session, code=code, actor=actor)
    if edition.stage not in RESULT_STAGES:
        raise NotFound(_("The results of this edition are not published yet."))
    cats = {c.id: c for c in edition.categories}
    return [
        ResultLine(r, cats[r.category_id], title)
        for r, title in session.execute(
            select(Result, Nomination.title)
            .join(Nomination, Nomination.id == Result.nomination_id)
            .where(Result.edition_id == edition.id)
            .order_by(Result.category_id, Result.rank)
        )
    ]


def file_objection(
    session: Session, *, code: str, data: ObjectionCreate, actor: Actor
) -> Objection:
    """Record an objection to a published result during 公示 (logged-in users)."""
    edition = get_edition(session, code=code, actor=actor)
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in to file an objection."))
    if edition.stage != "publicity" or beijing_today() > edition.publicity_end_date:
        raise Conflict(_("Objections are received only during the public notice period."))
    _get_nomination(session, data.nomination_id, edition)
    row = Objection(
        edition_id=edition.id,
        nomination_id=data.nomination_id,
        text=data.text.strip(),
        filed_by_user_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    return row


def list_objections(session: Session, *, code: str, actor: Actor) -> list[Objection]:
    """List the objections (organisers see all; others their own)."""
    edition = get_edition(session, code=code, actor=actor)
    stmt = select(Objection).where(Objection.edition_id == edition.id).order_by(Objection.id)
    if not may_organise(session, edition, actor):
        if actor.user_id is None:
            return []
        stmt = stmt.where(Objection.filed_by_user_id == actor.user_id)
    return list(session.scalars(stmt))


def answer_objection(
    session: Session, *, code: str, objection_id: int, answer: str, actor: Actor
) -> Objection:
    """Record the organisers' answer to an objection."""
    edition = get_edition(session, code=code, actor=actor)
    _require_organiser(session, edition, actor)
    row = session.scalar(
        select(Objection).where(Objection.id == objection_id, Objection.edition_id == edition.id)
    )
    if row is None:
        raise NotFound(_("No such objection."))
    row.answer = answer.strip()
    row.answered_at = utcnow()
    session.flush()
    return row


# --- what others show ---


def recognitions(
    session: Session, *, brand_id: int | None = None, product_id: int | None = None
) -> list[Recognition]:
    """The final recognitions of a brand or product (public by nature, like a label)."""
    if brand_id is None and product_id is None:
        return []
    stmt = (
        select(Result, Edition, Category)
        .join(Nomination, Nomination.id == Result.nomination_id)
        .join(Edition, Edition.id == Result.edition_id)
        .join(Category, Category.id == Result.category_id)
        .where(Edition.stage == "final", Result.recognised.is_(True))
    )
    stmt = stmt.where(
        Nomination.product_id == product_id
        if product_id is not None
        else Nomination.brand_id == brand_id
    )
    from plateau.formatting import loc

    return [
        Recognition(
            edition=e.code, edition_name=loc(e), category_name=loc(c), year=e.year, rank=r.rank
        )
        for r, e, c in session.execute(stmt.order_by(Edition.year.desc(), Result.rank))
    ]


def brand_recognitions(session: Session, *, brand_ids: list[int]) -> dict[int, list[Recognition]]:
    """The final recognitions of each of some brands (for the registry's enterprise page)."""
    return {b: found for b in brand_ids if (found := recognitions(session, brand_id=b))}


def product_recognitions(session: Session, *, gtin: str) -> list[Recognition]:
    """What a product and its brand were recognised for (for the consumer page); public."""
    try:
        product = registry_service.get_product(session, gtin=gtin, actor=SYSTEM)
    except NotFound:
        return []
    own = recognitions(session, product_id=product.id)
    brand = recognitions(session, brand_id=product.brand_id) if product.brand_id else []
    return own + [r for r in brand if r not in own]


def recognised_garment_brands(session: Session, *, up_to_year: int) -> int:
    """Count the distinct brands recognised by final 拉萨服饰周 editions up to a year."""
    return int(
        session.scalar(
            select(func.count(func.distinct(Nomination.brand_id)))
            .join(Result, Result.nomination_id == Nomination.id)
            .join(Edition, Edition.id == Nomination.edition_id)
            .where(
                Edition.kind == "fashion_week",
                Edition.stage == "final",
                Edition.year <= up_to_year,
                Result.recognised.is_(True),
                Nomination.brand_id.is_not(None),
            )
        )
        or 0
    )


def certificate(session: Session, *, code: str, nomination_id: int, actor: Actor) -> bytes:
    """The certificate of a final recognition as an A4 PDF (CJK font)."""
    edition = get_edition(session, code=code, actor=actor)
    if edition.stage != "final":
        raise NotFound(_("Certificates are issued once the results are final."))
    line = next(
        (
            ln
            for ln in results(session, code=code, actor=actor)
            if ln.result.nomination_id == nomination_id
        ),
        None,
    )
    if line is None or not line.result.recognised:
        raise NotFound(_("No certificate for this entry."))
    from plateau.recognition import documents

    return documents.certificate_pdf(edition, line)


def stage_error(edition: Edition) -> DomainError:
    return Conflict(_("Not possible at this stage."))
