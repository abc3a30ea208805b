"""JSON API of the standards programme: register, 专栏2 progress, self-declarations."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from plateau.paging import Page, page_of
from plateau.picking import Choice
from plateau.standards import service
from plateau.standards.models import StandardDocument
from plateau.standards.schemas import (
    ChangeRead,
    DeclarationCreate,
    DeclarationRead,
    Level,
    ParticipantAdd,
    ProgrammeItem,
    StandardCreate,
    StandardRead,
    StandardUpdate,
    Status,
    StatusChange,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PageNo, PerPage

router = APIRouter(prefix="/standards", tags=["standards"], dependencies=[Csrf])


@router.get("", response_model=Page[StandardRead])
def standards(
    session: DbSession,
    status: Status | None = None,
    level: Level | None = None,
    industry: str | None = None,
    item: str | None = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[StandardRead]:
    """One page of the register of standards (public), filterable by status, level, industry,
    专栏2 item."""
    found = service.find_standards(
        session,
        status=status,
        level=level,
        industry=industry,
        item=item,
        page=page,
        per_page=per_page,
    )
    return page_of(StandardRead, found)


Query_ = Annotated[str, Query(max_length=60, description="Part of the name or pinyin initials.")]


@router.get("/choices/enterprises", response_model=Page[Choice])
def enterprise_choices(
    session: DbSession,
    actor: UserActor,
    q: Query_ = "",
    page: PageNo = 1,
    per_page: PerPage = 50,
    not_in: int | None = None,
) -> Page[Choice]:
    """Enterprises the caller may pick (the administrator: all; an enterprise: itself), by name or
    pinyin initials; ``not_in`` leaves out a standard's participants."""
    return service.enterprise_choices(
        session, actor=actor, query=q, page=page, per_page=per_page, not_in_standard=not_in
    )


@router.get("/choices/products", response_model=Page[Choice])
def product_choices(
    session: DbSession, actor: UserActor, q: Query_ = "", page: PageNo = 1, per_page: PerPage = 50
) -> Page[Choice]:
    """The calling enterprise's own products, by name or pinyin initials (for a declaration)."""
    return service.own_products(session, actor=actor, query=q, page=page, per_page=per_page)


@router.post("", response_model=StandardRead, status_code=201)
def create(session: DbSession, actor: UserActor, data: StandardCreate) -> StandardRead:
    """Register a standard (region administrator)."""
    return StandardRead.model_validate(service.create_standard(session, data=data, actor=actor))


@router.patch("/{standard_id}", response_model=StandardRead)
def update(
    session: DbSession, actor: UserActor, standard_id: int, data: StandardUpdate
) -> StandardRead:
    """Correct a standard's titles, level, industry or lead organisation (its officers); recorded."""
    return StandardRead.model_validate(
        service.update_standard(session, standard_id=standard_id, data=data, actor=actor)
    )


@router.get("/{standard_id}/history", response_model=list[ChangeRead])
def history(session: DbSession, actor: UserActor, standard_id: int) -> list[ChangeRead]:
    """The recorded changes of a standard, newest first (its officers)."""
    return service.history(session, standard_id=standard_id, actor=actor)


@router.put("/{standard_id}/document", status_code=204)
def attach_document(
    session: DbSession,
    actor: UserActor,
    standard_id: int,
    file: Annotated[UploadFile, File(description="The standard's text as a PDF, up to 20 MB.")],
) -> None:
    """Attach or replace the standard's text as a PDF (its officers and lead enterprise)."""
    # A plain def: FastAPI has spooled the upload; reading it blocks only this worker thread.
    blob = file.file.read(service.MAX_DOCUMENT_BYTES + 1)
    service.attach_document(
        session, standard_id=standard_id, filename=file.filename or "", blob=blob, actor=actor
    )


@router.get(
    "/{standard_id}/document",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def document(session: DbSession, actor: CurrentActor, standard_id: int) -> Response:
    """Download the standard's text (public once published)."""
    return document_response(service.get_document(session, standard_id=standard_id, actor=actor))


def document_response(doc: StandardDocument) -> Response:
    """The PDF as a download, its name in UTF-8 (RFC 6266/5987)."""
    return Response(
        content=doc.data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.filename)}"},
    )


@router.post("/{standard_id}/status", response_model=StandardRead)
def change_status(
    session: DbSession, actor: UserActor, standard_id: int, data: StatusChange
) -> StandardRead:
    """Move a standard forward through drafting, consultation, publication, supersession."""
    return StandardRead.model_validate(
        service.change_status(session, standard_id=standard_id, data=data, actor=actor)
    )


@router.get("/{standard_id}/participants")
def participants(session: DbSession, standard_id: int) -> list[dict[str, str]]:
    """The enterprises taking part in drafting a standard (public)."""
    service.get_standard(session, standard_id=standard_id)
    return [
        {"uscc": u, "name": n} for u, n in service.participants(session, standard_id=standard_id)
    ]


@router.post("/{standard_id}/participants", status_code=201)
def add_participant(
    session: DbSession, actor: UserActor, standard_id: int, data: ParticipantAdd
) -> dict[str, str]:
    """Add a registered enterprise to a standard's participants (region administrator)."""
    service.add_participant(session, standard_id=standard_id, uscc=data.uscc, actor=actor)
    return {"uscc": data.uscc}


@router.delete("/{standard_id}/participants/{uscc}", status_code=204)
def remove_participant(session: DbSession, actor: UserActor, standard_id: int, uscc: str) -> None:
    """Take an enterprise off a standard's participants (region administrator)."""
    service.remove_participant(session, standard_id=standard_id, uscc=uscc, actor=actor)


@router.get("/programme", response_model=list[ProgrammeItem])
def programme(session: DbSession) -> list[ProgrammeItem]:
    """The plan's 专栏2 items with published and in-progress counts (public)."""
    return service.programme(session)


@router.get("/declarations", response_model=list[DeclarationRead])
def declarations(session: DbSession, enterprise: str | None = None) -> list[DeclarationRead]:
    """Enterprise standard self-declarations (企业标准自我声明公开), public."""
    return service.list_declarations(session, enterprise_uscc=enterprise)


@router.post("/declarations", response_model=DeclarationRead, status_code=201)
def declare(session: DbSession, actor: UserActor, data: DeclarationCreate) -> DeclarationRead:
    """An enterprise declares the standard its products follow (for itself only)."""
    row = service.declare(session, data=data, actor=actor)
    return next(d for d in service.list_declarations(session) if d.id == row.id)


@router.delete("/declarations/{declaration_id}", status_code=204)
def withdraw_declaration(session: DbSession, actor: UserActor, declaration_id: int) -> None:
    """Withdraw one's own self-declaration (or, for the administrator, anyone's)."""
    service.withdraw_declaration(session, declaration_id=declaration_id, actor=actor)
