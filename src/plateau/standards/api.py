"""JSON API of the standards programme: register, 专栏2 progress, self-declarations."""

from __future__ import annotations

from fastapi import APIRouter

from plateau.standards import service
from plateau.standards.schemas import (
    DeclarationCreate,
    DeclarationRead,
    Level,
    ParticipantAdd,
    ProgrammeItem,
    StandardCreate,
    StandardRead,
    Status,
    StatusChange,
)
from plateau.web.deps import Csrf, DbSession, UserActor

router = APIRouter(prefix="/standards", tags=["standards"], dependencies=[Csrf])


@router.get("", response_model=list[StandardRead])
def standards(
    session: DbSession,
    status: Status | None = None,
    level: Level | None = None,
    industry: str | None = None,
    item: str | None = None,
) -> list[StandardRead]:
    """The register of standards (public), filterable by status, level, industry, 专栏2 item."""
    return [
        StandardRead.model_validate(s)
        for s in service.list_standards(
            session, status=status, level=level, industry=industry, item=item
        )
    ]


@router.post("", response_model=StandardRead, status_code=201)
def create(session: DbSession, actor: UserActor, data: StandardCreate) -> StandardRead:
    """Register a standard (region administrator)."""
    return StandardRead.model_validate(service.create_standard(session, data=data, actor=actor))


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
