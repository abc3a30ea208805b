"""JSON API of the 众包设计 platform: briefs, proposals, award, production link, threads."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from plateau.design import service
from plateau.design.schemas import (
    AdoptRequest,
    AwardRequest,
    BriefCreate,
    BriefRead,
    Category,
    CloseRequest,
    MessageCreate,
    MessageRead,
    Phase,
    ProductionRequest,
    ProposalCreate,
    ProposalRead,
    ShortlistRequest,
)
from plateau.paging import MAX_PER_PAGE, Page, page_of
from plateau.tabular import export_response
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor

router = APIRouter(prefix="/design", tags=["design"], dependencies=[Csrf])


def _brief(session: DbSession, actor: CurrentActor, brief_id: int) -> BriefRead:
    return service.read_brief(service.brief_row(session, brief_id=brief_id, actor=actor))


@router.get("/briefs", response_model=Page[BriefRead])
def briefs(
    session: DbSession,
    actor: CurrentActor,
    category: Category | None = None,
    phase: Phase | None = None,
    format: Literal["json", "csv", "xlsx"] = "json",
    page: int = Query(1, ge=1),
    per_page: int = Query(20, ge=1, le=MAX_PER_PAGE),
) -> Page[BriefRead] | Response:
    """Design briefs (public), newest first, a page at a time; CSV or Excel export of all."""
    if format != "json":
        return export_response(
            format,
            service.export_columns(),
            service.export_rows(session, actor=actor),
            filename="design-briefs",
        )
    found = service.page_briefs(
        session, actor=actor, category=category, phase_=phase, page=page, per_page=per_page
    )
    return page_of(BriefRead, found, service.read_brief)


@router.post("/briefs", response_model=BriefRead, status_code=201)
def create(session: DbSession, actor: UserActor, data: BriefCreate) -> BriefRead:
    """Put out a design brief for one's enterprise (or, as the association, for the industry)."""
    brief = service.create_brief(session, data=data, actor=actor)
    return _brief(session, actor, brief.id)


@router.post("/briefs/from-recognition", response_model=BriefRead, status_code=201)
def from_recognition(session: DbSession, actor: UserActor, data: AdoptRequest) -> BriefRead:
    """Carry a design recognised in a final recognition edition into production (an awarded brief)."""
    brief = service.adopt_recognised_design(
        session,
        code=data.code,
        nomination_id=data.nomination_id,
        product_gtin=data.product_gtin,
        actor=actor,
    )
    return _brief(session, actor, brief.id)


@router.get("/briefs/{brief_id}", response_model=BriefRead)
def brief(session: DbSession, actor: CurrentActor, brief_id: int) -> BriefRead:
    """One design brief with its phase and, once decided, the award."""
    return _brief(session, actor, brief_id)


@router.get("/briefs/{brief_id}/proposals", response_model=list[ProposalRead])
def proposals(session: DbSession, actor: CurrentActor, brief_id: int) -> list[ProposalRead]:
    """The proposals the caller may see (owner: all; designer: its own; public: if the brief says so)."""
    return [
        service.read_proposal(session, p, name)
        for p, name in service.list_proposals(session, brief_id=brief_id, actor=actor)
    ]


@router.post("/briefs/{brief_id}/proposals", response_model=ProposalRead, status_code=201)
def propose(
    session: DbSession, actor: UserActor, brief_id: int, data: ProposalCreate
) -> ProposalRead:
    """Send one's proposal until the deadline (one per designer); add images afterwards."""
    p = service.submit_proposal(session, brief_id=brief_id, data=data, actor=actor)
    proposal, name, _brief = service.get_proposal(session, proposal_id=p.id, actor=actor)
    return service.read_proposal(session, proposal, name)


@router.get("/proposals/{proposal_id}", response_model=ProposalRead)
def proposal(session: DbSession, actor: CurrentActor, proposal_id: int) -> ProposalRead:
    """One proposal the caller may see."""
    p, name, _brief = service.get_proposal(session, proposal_id=proposal_id, actor=actor)
    return service.read_proposal(session, p, name)


@router.put("/proposals/{proposal_id}", response_model=ProposalRead)
def update(
    session: DbSession, actor: UserActor, proposal_id: int, data: ProposalCreate
) -> ProposalRead:
    """Change one's own proposal until the deadline."""
    service.update_proposal(session, proposal_id=proposal_id, data=data, actor=actor)
    p, name, _brief = service.get_proposal(session, proposal_id=proposal_id, actor=actor)
    return service.read_proposal(session, p, name)


@router.post("/proposals/{proposal_id}/images", response_model=ProposalRead, status_code=201)
def add_image(
    session: DbSession,
    actor: UserActor,
    proposal_id: int,
    file: Annotated[UploadFile, File(description="A PNG, JPEG or WebP picture up to 2 MB.")],
) -> ProposalRead:
    """Add an image (PNG, JPEG or WebP, at most 2 MB) to one's own proposal until the deadline."""
    p, _name, _brief = service.get_proposal(session, proposal_id=proposal_id, actor=actor)
    blob = file.file.read(service.MAX_IMAGE_BYTES + 1)
    service.update_proposal(
        session,
        proposal_id=proposal_id,
        data=ProposalCreate(
            title=p.title, description=p.description, designer_name=p.designer_name
        ),
        images=[blob],
        actor=actor,
    )
    p, name, _brief = service.get_proposal(session, proposal_id=proposal_id, actor=actor)
    return service.read_proposal(session, p, name)


@router.get("/images/{image_id}")
def image(session: DbSession, actor: CurrentActor, image_id: int) -> Response:
    """An image of a proposal the caller may see."""
    img = service.get_image(session, image_id=image_id, actor=actor)
    return Response(img.data, media_type=img.content_type)


@router.post("/proposals/{proposal_id}/shortlist", response_model=ProposalRead)
def shortlist(
    session: DbSession, actor: UserActor, proposal_id: int, data: ShortlistRequest
) -> ProposalRead:
    """Put a proposal on or off the owner's shortlist."""
    service.shortlist(session, proposal_id=proposal_id, on=data.shortlisted, actor=actor)
    p, name, _brief = service.get_proposal(session, proposal_id=proposal_id, actor=actor)
    return service.read_proposal(session, p, name)


@router.post("/briefs/{brief_id}/award", response_model=BriefRead)
def award(session: DbSession, actor: UserActor, brief_id: int, data: AwardRequest) -> BriefRead:
    """Award one proposal with a note (and, optionally, the product made from it)."""
    service.award(
        session,
        brief_id=brief_id,
        proposal_id=data.proposal_id,
        note=data.note,
        product_gtin=data.product_gtin,
        actor=actor,
    )
    return _brief(session, actor, brief_id)


@router.post("/briefs/{brief_id}/close", response_model=BriefRead)
def close(session: DbSession, actor: UserActor, brief_id: int, data: CloseRequest) -> BriefRead:
    """Close the brief without award, with the reason the designers are told."""
    service.close(session, brief_id=brief_id, reason=data.reason, actor=actor)
    return _brief(session, actor, brief_id)


@router.post("/briefs/{brief_id}/hide", response_model=BriefRead)
def hide(session: DbSession, actor: UserActor, brief_id: int, data: CloseRequest) -> BriefRead:
    """Take a brief off the public platform (the association's moderators), with the reason
    its owner is told."""
    service.hide(session, brief_id=brief_id, reason=data.reason, actor=actor)
    return _brief(session, actor, brief_id)


@router.post("/briefs/{brief_id}/restore", response_model=BriefRead)
def restore(session: DbSession, actor: UserActor, brief_id: int) -> BriefRead:
    """Put a hidden brief back on the platform (the association's moderators)."""
    service.restore(session, brief_id=brief_id, actor=actor)
    return _brief(session, actor, brief_id)


@router.post("/briefs/{brief_id}/production", response_model=BriefRead)
def production(
    session: DbSession, actor: UserActor, brief_id: int, data: ProductionRequest
) -> BriefRead:
    """Carry the awarded design into production: link the registry product made from it."""
    service.carry_into_production(
        session, brief_id=brief_id, product_gtin=data.product_gtin, actor=actor
    )
    return _brief(session, actor, brief_id)


@router.get("/proposals/{proposal_id}/messages", response_model=list[MessageRead])
def thread(session: DbSession, actor: UserActor, proposal_id: int) -> list[MessageRead]:
    """The thread between the brief's owner and the proposal's designer."""
    return service.thread(session, proposal_id=proposal_id, actor=actor)


@router.post("/proposals/{proposal_id}/messages", response_model=MessageRead, status_code=201)
def send(
    session: DbSession, actor: UserActor, proposal_id: int, data: MessageCreate
) -> MessageRead:
    """Write to the other side through the platform."""
    service.send(session, proposal_id=proposal_id, text=data.text, actor=actor)
    return service.thread(session, proposal_id=proposal_id, actor=actor)[-1]
