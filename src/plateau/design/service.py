"""众包设计: design briefs, proposals from designers, award, and carrying a design into production.

A brief is put out by an enterprise (or by the industry association: ``enterprise_id`` NULL)
and is public. Designers — design enterprises' users — send one proposal each until the
deadline (a Beijing date, inclusive); after it the brief is "in review" without anything being
written (the phase is computed on read). The owner sees every proposal; the public only when
the brief says so, and then without contact details (text with a phone number, e-mail or
messenger account is refused, as on the exchange). The owner shortlists, awards one proposal
with a note or closes without award with a reason; designers are told through
``plateau.messaging``. Owner and designer write to each other in a thread the platform keeps.
An awarded design is carried into production by linking it to a registry product.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.db import chunked, utcnow
from plateau.design import labels
from plateau.design.models import Brief, Proposal, ProposalImage, ThreadMessage
from plateau.design.schemas import BriefCreate, BriefRead, MessageRead, ProposalCreate, ProposalRead
from plateau.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.exchange import service as exchange_service
from plateau.i18n import _
from plateau.messaging import service as messaging
from plateau.paging import Paged, paginate
from plateau.recognition import service as recognition_service
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise, Product
from plateau.registry.schemas import ProductFilter
from plateau.tabular import Column

MAX_IMAGES = recognition_service.MAX_IMAGES
MAX_IMAGE_BYTES = recognition_service.MAX_IMAGE_BYTES
MAX_PRODUCT_CHOICES = 200


def today() -> date:
    return exchange_service.today()


def _own_uscc(actor: Actor) -> str | None:
    if actor.role is Role.ENTERPRISE_USER and actor.scope_kind == "enterprise":
        return actor.scope_value
    return None


def _enterprise_id(session: Session, uscc: str) -> int:
    return registry_service.get_enterprise(session, uscc=uscc, actor=SYSTEM).id


def _check_public_text(text: str) -> None:
    if exchange_service.CONTACT.search(text):
        raise ValidationFailed(
            _(
                "Briefs and proposals may be public: leave out phone numbers, e-mail and messenger accounts; contact goes through the platform."
            )
        )


def phase(brief: Brief, on: date | None = None) -> str:
    """open, review (past the deadline, not decided), awarded or closed."""
    if brief.status != "open":
        return brief.status
    return "review" if (on or today()) > brief.deadline_date else "open"


def may_post(actor: Actor) -> bool:
    return actor.is_admin or actor.role is Role.ORGANISER or _own_uscc(actor) is not None


def may_manage(session: Session, brief: Brief, actor: Actor) -> bool:
    """Tell whether the caller speaks for the brief's owner (its enterprise, or the association)."""
    if actor.is_admin:
        return True
    if brief.enterprise_id is None:
        return actor.role is Role.ORGANISER
    own = _own_uscc(actor)
    return own is not None and _enterprise_id(session, own) == brief.enterprise_id


# --- briefs ---


def create_brief(session: Session, *, data: BriefCreate, actor: Actor) -> Brief:
    """Put out a design brief for one's enterprise (the association: organisers and admin)."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if not may_post(actor):
        raise Forbidden(_("Enterprises and the industry association put out design briefs."))
    enterprise_id: int | None = None
    own = _own_uscc(actor)
    if own is not None:
        if data.enterprise_uscc and data.enterprise_uscc != own:
            raise Forbidden(_("An enterprise puts out briefs only for itself."))
        enterprise_id = _enterprise_id(session, own)
    elif data.enterprise_uscc:
        if not actor.is_admin:
            raise Forbidden(_("An enterprise puts out briefs only for itself."))
        enterprise_id = _enterprise_id(session, data.enterprise_uscc)
    _check_public_text(f"{data.title} {data.description} {data.deliverables}")
    if data.deadline_date < today():
        raise ValidationFailed(_("The deadline for proposals has already passed."))
    brief = Brief(
        **data.model_dump(exclude={"enterprise_uscc"}),
        enterprise_id=enterprise_id,
        author_user_id=actor.user_id,
    )
    session.add(brief)
    session.flush()
    return brief


def _seen(session: Session, brief: Brief, actor: Actor) -> bool:
    """A hidden brief is seen by the moderators and its owner only."""
    return (
        brief.hidden_at is None
        or exchange_service.may_moderate(actor)
        or may_manage(session, brief, actor)
    )


def get_brief(session: Session, *, brief_id: int, actor: Actor) -> Brief:
    """Return a brief (briefs are public, unless the association hid one)."""
    brief = session.get(Brief, brief_id)
    if brief is None or not _seen(session, brief, actor):
        raise NotFound(_("No such design brief."))
    return brief


def hide(session: Session, *, brief_id: int, reason: str, actor: Actor) -> Brief:
    """Take a brief off the public platform (the association's moderators), with the reason
    its owner is told; proposals already sent stay with their designers."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if not exchange_service.may_moderate(actor):
        raise Forbidden(_("Only the industry association moderates design briefs."))
    brief = get_brief(session, brief_id=brief_id, actor=actor)
    if len(reason.strip()) < 2:
        raise ValidationFailed(_("Give the reason for hiding the brief."))
    brief.hidden_at = utcnow()
    brief.hidden_reason = reason.strip()
    session.flush()
    if brief.enterprise_id is not None:
        _tell(session, [brief.enterprise_id], "hidden", brief, None, actor, reason=reason.strip())
    return brief


def restore(session: Session, *, brief_id: int, actor: Actor) -> Brief:
    """Put a hidden brief back on the platform (the association's moderators)."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if not exchange_service.may_moderate(actor):
        raise Forbidden(_("Only the industry association moderates design briefs."))
    brief = get_brief(session, brief_id=brief_id, actor=actor)
    brief.hidden_at = None
    brief.hidden_reason = ""
    session.flush()
    return brief


def _managed(session: Session, brief_id: int, actor: Actor) -> Brief:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    brief = get_brief(session, brief_id=brief_id, actor=actor)
    if not may_manage(session, brief, actor):
        raise Forbidden(_("Only the owner of the brief may do this."))
    return brief


@dataclass
class BriefRow:
    brief: Brief
    owner: str
    proposals: int
    phase: str
    awarded_to: str | None
    product: Product | None


def _owner_names(session: Session, ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in chunked(sorted(ids)):
        for eid, name in session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(chunk))
        ):
            out[eid] = name
    return out


def _rows(session: Session, briefs: list[Brief]) -> list[BriefRow]:
    ids = [b.id for b in briefs]
    counts: dict[int, int] = defaultdict(int)
    awarded: dict[int, str] = {}
    for chunk in chunked(ids):
        for bid, n in session.execute(
            select(Proposal.brief_id, func.count(Proposal.id))
            .where(Proposal.brief_id.in_(chunk))
            .group_by(Proposal.brief_id)
        ):
            counts[bid] = n
        for bid, designer, ent in session.execute(
            select(Proposal.brief_id, Proposal.designer_name, Enterprise.name)
            .join(Enterprise, Enterprise.id == Proposal.enterprise_id)
            .where(Proposal.brief_id.in_(chunk), Proposal.awarded.is_(True))
        ):
            awarded[bid] = designer or ent
    owners = _owner_names(session, {b.enterprise_id for b in briefs if b.enterprise_id})
    product_ids = sorted({b.product_id for b in briefs if b.product_id})
    products: dict[int, Product] = {}
    for chunk in chunked(product_ids):
        products.update(
            {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(chunk)))}
        )
    on = today()
    return [
        BriefRow(
            brief=b,
            owner=owners.get(b.enterprise_id, "") if b.enterprise_id else labels.association(),
            proposals=counts.get(b.id, 0),
            phase=phase(b, on),
            awarded_to=awarded.get(b.id),
            product=products.get(b.product_id) if b.product_id else None,
        )
        for b in briefs
    ]


def _briefs_query(actor: Actor, category: str | None, phase_: str | None) -> Select[Brief]:
    stmt = select(Brief)
    if not exchange_service.may_moderate(actor):
        own = _own_uscc(actor)
        stmt = stmt.where(
            or_(
                Brief.hidden_at.is_(None),
                Brief.enterprise_id.in_(select(Enterprise.id).where(Enterprise.uscc == own))
                if own is not None
                else false(),
            )
        )
    if category:
        stmt = stmt.where(Brief.category == category)
    on = today()
    if phase_ == "open":
        stmt = stmt.where(Brief.status == "open", Brief.deadline_date >= on)
    elif phase_ == "review":
        stmt = stmt.where(Brief.status == "open", Brief.deadline_date < on)
    elif phase_ in ("awarded", "closed"):
        stmt = stmt.where(Brief.status == phase_)
    return stmt


def list_briefs(
    session: Session, *, actor: Actor, category: str | None = None, phase_: str | None = None
) -> list[BriefRow]:
    """Every brief the caller may see, newest first, filtered by category and phase (for
    exports and commands; pages use :func:`page_briefs`). Hidden briefs: moderators see them
    all, an enterprise its own, nobody else any."""
    stmt = _briefs_query(actor, category, phase_).order_by(Brief.created_at.desc(), Brief.id.desc())
    return _rows(session, list(session.scalars(stmt)))


def page_briefs(
    session: Session,
    *,
    actor: Actor,
    category: str | None = None,
    phase_: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Paged[BriefRow]:
    """One page of :func:`list_briefs`, cut in SQL."""
    stmt = _briefs_query(actor, category, phase_)
    stmt = stmt.order_by(Brief.created_at.desc(), Brief.id.desc())
    found = paginate(session, stmt, page=page, per_page=per_page, scalars=True)
    return replace(found, items=_rows(session, found.items))


def brief_row(session: Session, *, brief_id: int, actor: Actor) -> BriefRow:
    return _rows(session, [get_brief(session, brief_id=brief_id, actor=actor)])[0]


def read_brief(row: BriefRow) -> BriefRead:
    b = row.brief
    return BriefRead(
        id=b.id,
        title=b.title,
        category=b.category,
        category_name=labels.name(labels.CATEGORIES, b.category),
        description=b.description,
        deliverables=b.deliverables,
        reward_cny=b.reward_cny,
        deadline_date=b.deadline_date,
        proposals_public=b.proposals_public,
        owner=row.owner,
        phase=row.phase,  # type: ignore[arg-type]
        phase_name=labels.name(labels.PHASES, row.phase),
        proposals=row.proposals,
        awarded_to=row.awarded_to,
        decision_note=b.decision_note,
        product_gtin=row.product.gtin if row.product else None,
        product_name=row.product.name_zh if row.product else None,
        recognition_code=b.recognition_code or None,
    )


# --- proposals ---


def submit_proposal(
    session: Session,
    *,
    brief_id: int,
    data: ProposalCreate,
    actor: Actor,
    images: list[bytes] | None = None,
) -> Proposal:
    """Send one's proposal to an open brief (one per designer; images checked, all or nothing)."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    brief = get_brief(session, brief_id=brief_id, actor=actor)
    own = _own_uscc(actor)
    if own is None:
        raise Forbidden(_("Designers send proposals with their enterprise's account."))
    ent_id = _enterprise_id(session, own)
    if brief.enterprise_id == ent_id:
        raise Forbidden(_("An enterprise does not answer its own brief."))
    if phase(brief) != "open":
        raise Conflict(
            _("Proposals for this brief closed on %(date)s.", date=brief.deadline_date.isoformat())
        )
    _check_public_text(f"{data.title} {data.description} {data.designer_name}")
    exists = session.scalar(
        select(Proposal.id).where(Proposal.brief_id == brief.id, Proposal.enterprise_id == ent_id)
    )
    if exists is not None:
        raise Conflict(_("You have already sent a proposal for this brief; change it instead."))
    checked = _check_images(images or [], already=0)
    proposal = Proposal(
        brief_id=brief.id,
        enterprise_id=ent_id,
        designer_name=data.designer_name.strip(),
        title=data.title.strip(),
        description=data.description.strip(),
        author_user_id=actor.user_id,
    )
    session.add(proposal)
    session.flush()
    for content_type, blob in checked:
        session.add(ProposalImage(proposal_id=proposal.id, content_type=content_type, data=blob))
    session.flush()
    if brief.enterprise_id is not None:
        designer = proposal.designer_name or _owner_names(session, {ent_id}).get(ent_id, "")
        _tell(session, [brief.enterprise_id], "proposal", brief, proposal, actor, designer=designer)
    return proposal


def _check_images(blobs: list[bytes], *, already: int) -> list[tuple[str, bytes]]:
    if already + len(blobs) > MAX_IMAGES:
        raise ValidationFailed(_("At most %(n)s images per proposal.", n=MAX_IMAGES))
    return [recognition_service.check_image(blob) for blob in blobs]


def _visible_proposals(session: Session, brief: Brief, actor: Actor) -> ColumnElement[bool]:
    if may_manage(session, brief, actor) if actor.is_authenticated else False:
        return true()
    own = _own_uscc(actor)
    mine = (
        Proposal.enterprise_id.in_(select(Enterprise.id).where(Enterprise.uscc == own))
        if own
        else false()
    )
    return or_(true() if brief.proposals_public else false(), mine)


def list_proposals(session: Session, *, brief_id: int, actor: Actor) -> list[tuple[Proposal, str]]:
    """The proposals the caller may see, with their enterprise's name: the owner all of them,
    a designer its own, the public all when the brief says so."""
    brief = get_brief(session, brief_id=brief_id, actor=actor)
    return [
        (p, name)
        for p, name in session.execute(
            select(Proposal, Enterprise.name)
            .join(Enterprise, Enterprise.id == Proposal.enterprise_id)
            .where(Proposal.brief_id == brief.id, _visible_proposals(session, brief, actor))
            .order_by(Proposal.awarded.desc(), Proposal.shortlisted.desc(), Proposal.id)
        )
    ]


def get_proposal(
    session: Session, *, proposal_id: int, actor: Actor
) -> tuple[Proposal, str, Brief]:
    """Return a proposal the caller may see (NotFound otherwise, revealing nothing)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("No such proposal."))
    brief = get_brief(session, brief_id=proposal.brief_id, actor=actor)
    found = next(
        (
            (p, n)
            for p, n in list_proposals(session, brief_id=brief.id, actor=actor)
            if p.id == proposal_id
        ),
        None,
    )
    if found is None:
        raise NotFound(_("No such proposal."))
    return found[0], found[1], brief


def is_designer(session: Session, proposal: Proposal, actor: Actor) -> bool:
    own = _own_uscc(actor)
    return own is not None and _enterprise_id(session, own) == proposal.enterprise_id


def update_proposal(
    session: Session,
    *,
    proposal_id: int,
    data: ProposalCreate,
    actor: Actor,
    images: list[bytes] | None = None,
    remove_images: list[int] | None = None,
) -> Proposal:
    """Change one's own proposal until the brief's deadline (images added or removed)."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    proposal, _name, brief = get_proposal(session, proposal_id=proposal_id, actor=actor)
    if not is_designer(session, proposal, actor):
        raise Forbidden(_("Only the designer who sent it may change a proposal."))
    if phase(brief) != "open":
        raise Conflict(
            _("Proposals for this brief closed on %(date)s.", date=brief.deadline_date.isoformat())
        )
    _check_public_text(f"{data.title} {data.description} {data.designer_name}")
    current = image_ids(session, proposal_ids=[proposal.id]).get(proposal.id, [])
    drop = [i for i in remove_images or [] if i in current]
    checked = _check_images(images or [], already=len(current) - len(drop))
    proposal.title = data.title.strip()
    proposal.description = data.description.strip()
    proposal.designer_name = data.designer_name.strip()
    proposal.updated_at = utcnow()
    for image in session.scalars(select(ProposalImage).where(ProposalImage.id.in_(drop or [0]))):
        session.delete(image)
    for content_type, blob in checked:
        session.add(ProposalImage(proposal_id=proposal.id, content_type=content_type, data=blob))
    session.flush()
    return proposal


def image_ids(session: Session, *, proposal_ids: list[int]) -> dict[int, list[int]]:
    """The images of the given proposals (callers pass only proposals they may see)."""
    out: dict[int, list[int]] = defaultdict(list)
    for chunk in chunked(proposal_ids):
        for pid, iid in session.execute(
            select(ProposalImage.proposal_id, ProposalImage.id)
            .where(ProposalImage.proposal_id.in_(chunk))
            .order_by(ProposalImage.id)
        ):
            out[pid].append(iid)
    return dict(out)


def get_image(session: Session, *, image_id: int, actor: Actor) -> ProposalImage:
    """Return an image of a proposal the caller may see."""
    image = session.get(ProposalImage, image_id)
    if image is None:
        raise NotFound(_("No such image."))
    get_proposal(session, proposal_id=image.proposal_id, actor=actor)
    return image


def read_proposal(session: Session, proposal: Proposal, enterprise: str) -> ProposalRead:
    return ProposalRead(
        id=proposal.id,
        brief_id=proposal.brief_id,
        title=proposal.title,
        description=proposal.description,
        designer=proposal.designer_name or enterprise,
        enterprise=enterprise,
        shortlisted=proposal.shortlisted,
        awarded=proposal.awarded,
        images=image_ids(session, proposal_ids=[proposal.id]).get(proposal.id, []),
        submitted_at=proposal.submitted_at,
    )


# --- decisions ---


def _undecided(brief: Brief) -> None:
    if brief.status != "open":
        raise Conflict(_("The brief has already been decided."))


def shortlist(session: Session, *, proposal_id: int, on: bool, actor: Actor) -> Proposal:
    """Put a proposal on (or off) the owner's shortlist."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("No such proposal."))
    brief = get_brief(session, brief_id=proposal.brief_id, actor=actor)
    if not actor.is_authenticated or not may_manage(session, brief, actor):
        raise NotFound(_("No such proposal."))
    _undecided(brief)
    proposal.shortlisted = on
    session.flush()
    return proposal


def _product_for(session: Session, brief: Brief, gtin: str) -> Product:
    try:
        product = registry_service.get_product(session, gtin=gtin, actor=SYSTEM)
    except NotFound:
        raise ValidationFailed(_("Choose a product of the register.")) from None
    if brief.enterprise_id is not None and product.enterprise_id != brief.enterprise_id:
        raise ValidationFailed(_("Choose one of the brief's enterprise's own products."))
    return product


def product_choices(session: Session, *, brief_id: int, actor: Actor) -> list[tuple[str, str]]:
    """The products an awarded design may be carried into: GTIN and name (owner only)."""
    brief = _managed(session, brief_id, actor)
    filters = ProductFilter(sort="name")
    if brief.enterprise_id is not None:
        uscc = session.scalar(select(Enterprise.uscc).where(Enterprise.id == brief.enterprise_id))
        filters = ProductFilter(enterprise=uscc, sort="name")
    listing = registry_service.list_products(
        session, filters=filters, per_page=MAX_PRODUCT_CHOICES, actor=SYSTEM
    )
    return [(p.gtin, f"{p.name_zh} — {p.enterprise.name}") for p in listing.items]


def award(
    session: Session,
    *,
    brief_id: int,
    proposal_id: int,
    note: str,
    actor: Actor,
    product_gtin: str | None = None,
) -> Brief:
    """Award one proposal (ends the call for proposals); every designer is told."""
    brief = _managed(session, brief_id, actor)
    _undecided(brief)
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.brief_id != brief.id:
        raise ValidationFailed(_("Choose one of this brief's proposals."))
    product = _product_for(session, brief, product_gtin) if product_gtin else None
    proposal.awarded = True
    proposal.shortlisted = True
    brief.status = "awarded"
    brief.decision_note = note.strip()
    brief.decided_at = utcnow()
    if product is not None:
        brief.product_id = product.id
    session.flush()
    others = [
        e
        for e in session.scalars(
            select(Proposal.enterprise_id).where(
                Proposal.brief_id == brief.id, Proposal.id != proposal.id
            )
        )
    ]
    _tell(session, [proposal.enterprise_id], "awarded", brief, proposal, actor)
    _tell(session, others, "not_chosen", brief, None, actor)
    return brief


def close(session: Session, *, brief_id: int, reason: str, actor: Actor) -> Brief:
    """Close a brief without award, with the reason every designer is told."""
    brief = _managed(session, brief_id, actor)
    _undecided(brief)
    if len(reason.strip()) < 2:
        raise ValidationFailed(_("Give the reason for closing without award."))
    brief.status = "closed"
    brief.decision_note = reason.strip()
    brief.decided_at = utcnow()
    session.flush()
    designers = list(
        session.scalars(select(Proposal.enterprise_id).where(Proposal.brief_id == brief.id))
    )
    _tell(session, designers, "closed", brief, None, actor, reason=brief.decision_note)
    return brief


def carry_into_production(
    session: Session, *, brief_id: int, product_gtin: str, actor: Actor
) -> Brief:
    """Record the registry product made from the brief's awarded design."""
    brief = _managed(session, brief_id, actor)
    if brief.status != "awarded":
        raise Conflict(_("Only an awarded design is carried into production."))
    brief.product_id = _product_for(session, brief, product_gtin).id
    session.flush()
    return brief


@dataclass(frozen=True)
class RecognisedDesign:
    """A design recognised in a final edition that the caller may carry into production."""

    code: str
    edition: str
    nomination_id: int
    title: str


def recognised_designs(session: Session, *, actor: Actor) -> list[RecognisedDesign]:
    """Recognised designs of final editions not yet carried into production (the association:
    all of them; an enterprise: those it entered)."""
    if not actor.is_authenticated or not may_post(actor):
        return []
    own = _own_uscc(actor)
    own_id = _enterprise_id(session, own) if own is not None else None
    adopted = set(
        session.scalars(
            select(Brief.recognition_nomination_id).where(
                Brief.recognition_nomination_id.is_not(None)
            )
        )
    )
    out = []
    for edition in recognition_service.list_editions(session, actor=actor):
        if edition.stage != "final":
            continue
        lines = [
            x
            for x in recognition_service.results(session, code=edition.code, actor=actor)
            if x.result.recognised
            and x.category.entry_kind == "design"
            and x.result.nomination_id not in adopted
        ]
        for x in lines:
            nomination = recognition_service.get_nomination(
                session, code=edition.code, nomination_id=x.result.nomination_id, actor=actor
            )
            if nomination.enterprise_id is None or (
                own_id is not None and nomination.enterprise_id != own_id
            ):
                continue
            out.append(RecognisedDesign(edition.code, edition.name_zh, nomination.id, x.title))
    return out


def adopt_recognised_design(
    session: Session,
    *,
    code: str,
    nomination_id: int,
    actor: Actor,
    product_gtin: str | None = None,
) -> Brief:
    """Carry a design recognised in a final recognition edition into production: it becomes an
    awarded brief (no call for proposals) whose product link works as for any award.

    The association (organisers, the administrator) or the enterprise that entered the design
    does it; the design's images are copied, its enterprise is the designer."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if not may_post(actor):
        raise Forbidden(_("Enterprises and the industry association put out design briefs."))
    edition = recognition_service.get_edition(session, code=code, actor=actor)
    lines = (
        recognition_service.results(session, code=code, actor=actor)
        if edition.stage == "final"
        else []
    )
    line = next((x for x in lines if x.result.nomination_id == nomination_id), None)
    if line is None or not line.result.recognised or line.category.entry_kind != "design":
        raise ValidationFailed(
            _("Only a design recognised in a final edition is carried into production this way.")
        )
    nomination = recognition_service.get_nomination(
        session, code=code, nomination_id=nomination_id, actor=actor
    )
    if nomination.enterprise_id is None:
        raise ValidationFailed(
            _("The recognised design is not linked to an enterprise of the registry.")
        )
    own = _own_uscc(actor)
    owner_id = _enterprise_id(session, own) if own is not None else None
    if owner_id is not None and owner_id != nomination.enterprise_id:
        raise Forbidden(
            _(
                "Only the enterprise that entered the design, or the association, carries it into production."
            )
        )
    if session.scalar(select(Brief.id).where(Brief.recognition_nomination_id == nomination.id)):
        raise Conflict(_("This recognised design has already been carried into production."))
    brief = Brief(
        title=nomination.title,
        category="garment" if edition.kind == "fashion_week" else "product",
        description=nomination.description,
        reward_cny=Decimal(0),
        deadline_date=today(),
        proposals_public=True,
        enterprise_id=owner_id,
        author_user_id=actor.user_id,
        status="awarded",
        decided_at=utcnow(),
        recognition_code=edition.code,
        recognition_nomination_id=nomination.id,
    )
    session.add(brief)
    session.flush()
    if product_gtin:
        brief.product_id = _product_for(session, brief, product_gtin).id
    proposal = Proposal(
        brief_id=brief.id,
        enterprise_id=nomination.enterprise_id,
        title=nomination.title,
        description=nomination.description,
        shortlisted=True,
        awarded=True,
        author_user_id=actor.user_id,
    )
    session.add(proposal)
    session.flush()
    for iid in recognition_service.image_ids(session, nomination_ids=[nomination.id]).get(
        nomination.id, []
    ):
        img = recognition_service.get_image(session, code=code, image_id=iid, actor=actor)
        session.add(
            ProposalImage(proposal_id=proposal.id, content_type=img.content_type, data=img.data)
        )
    session.flush()
    if owner_id != nomination.enterprise_id:
        _tell(session, [nomination.enterprise_id], "awarded", brief, proposal, actor)
    return brief


@dataclass(frozen=True)
class ProductDesign:
    """The design a product was made from, as the public may know it."""

    designer: str
    brief_id: int
    brief_title: str


def product_designs(session: Session, *, gtin: str) -> list[ProductDesign]:
    """The awarded designs carried into this product (public by nature: the designer's credit)."""
    code = gtin.strip().zfill(14)
    rows = session.execute(
        select(Brief.id, Brief.title, Proposal.designer_name, Enterprise.name)
        .join(Product, Product.id == Brief.product_id)
        .join(Proposal, (Proposal.brief_id == Brief.id) & Proposal.awarded.is_(True))
        .join(Enterprise, Enterprise.id == Proposal.enterprise_id)
        .where(Product.gtin == code, Brief.status == "awarded")
        .order_by(Brief.id)
    )
    return [ProductDesign(designer or ent, bid, title) for bid, title, designer, ent in rows]


# --- messages and the thread ---


def _tell(
    session: Session,
    enterprise_ids: list[int],
    topic: str,
    brief: Brief,
    proposal: Proposal | None,
    actor: Actor,
    **params: Any,
) -> None:
    ids = sorted(set(enterprise_ids))
    if not ids:
        return
    base = {"brief_id": brief.id, "title": brief.title, **params}
    if proposal is not None:
        base["proposal_id"] = proposal.id
    messaging.send(
        session,
        kind="design",
        drafts=[messaging.Draft(enterprise_id=i, topic=topic, params=base) for i in ids],
        note="",
        actor=actor,
    )


def _thread_side(session: Session, proposal: Proposal, brief: Brief, actor: Actor) -> bool | None:
    """True for the owner's side, False for the designer's, None for anyone else.

    The administrator reads every thread but writes only for the association's briefs: on an
    enterprise's brief it would be writing in that enterprise's name."""
    if is_designer(session, proposal, actor):
        return False
    if actor.is_admin and brief.enterprise_id is not None:
        return None
    if may_manage(session, brief, actor):
        return True
    return None


def thread(session: Session, *, proposal_id: int, actor: Actor) -> list[MessageRead]:
    """The messages between the brief's owner and the proposal's designer (only they read it)."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    proposal, _name, brief = get_proposal(session, proposal_id=proposal_id, actor=actor)
    if _thread_side(session, proposal, brief, actor) is None and not actor.is_admin:
        raise NotFound(_("No such thread."))
    return [
        MessageRead(
            id=m.id, sender=m.sender_name, from_owner=m.from_owner, text=m.text, sent_at=m.sent_at
        )
        for m in session.scalars(
            select(ThreadMessage)
            .where(ThreadMessage.proposal_id == proposal.id)
            .order_by(ThreadMessage.id)
        )
    ]


def may_write(session: Session, proposal: Proposal, brief: Brief, actor: Actor) -> bool:
    return actor.is_authenticated and _thread_side(session, proposal, brief, actor) is not None


def send(session: Session, *, proposal_id: int, text: str, actor: Actor) -> ThreadMessage:
    """Write to the other side of a proposal; the platform keeps the thread and tells them."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    proposal, ent_name, brief = get_proposal(session, proposal_id=proposal_id, actor=actor)
    side = _thread_side(session, proposal, brief, actor)
    if side is None:
        raise NotFound(_("No such thread."))
    if not text.strip():
        raise ValidationFailed(_("Write a message."))
    if side:
        sender = (
            _owner_names(session, {brief.enterprise_id}).get(brief.enterprise_id, "")
            if brief.enterprise_id
            else labels.association()
        )
    else:
        sender = ent_name
    message = ThreadMessage(
        proposal_id=proposal.id, from_owner=side, sender_name=sender, text=text.strip()
    )
    session.add(message)
    session.flush()
    to = proposal.enterprise_id if side else brief.enterprise_id
    if to is not None:
        _tell(session, [to], "message", brief, proposal, actor)
    return message


# --- export ---


def export_columns() -> list[Column]:
    return [
        Column("id", _("No.")),
        Column("title", _("Design brief")),
        Column("category", _("What is to be designed")),
        Column("owner", _("Put out by")),
        Column("reward_cny", _("Reward (CNY)")),
        Column("deadline_date", _("Proposals until")),
        Column("phase", _("Status")),
        Column("proposals", _("Proposals")),
        Column("awarded_to", _("Awarded to")),
        Column("product", _("Product made from the design")),
    ]


def export_rows(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """The briefs as rows with names for people."""
    return [
        {
            "id": r.brief.id,
            "title": r.brief.title,
            "category": labels.name(labels.CATEGORIES, r.brief.category),
            "owner": r.owner,
            "reward_cny": Decimal(r.brief.reward_cny),
            "deadline_date": r.brief.deadline_date,
            "phase": labels.name(labels.PHASES, r.phase),
            "proposals": r.proposals,
            "awarded_to": r.awarded_to or "",
            "product": r.product.name_zh if r.product else "",
        }
        for r in list_briefs(session, actor=actor)
    ]
