"""HTML pages of the 众包设计 platform: the briefs, one brief with its proposals, one proposal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from plateau.auth.schemas import Actor
from plateau.design import labels, service
from plateau.design.schemas import BriefCreate, ProposalCreate
from plateau.errors import DomainError, ValidationFailed
from plateau.exchange import service as exchange_service
from plateau.i18n import _, lazy
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PostedForm
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])

FIELD_NAMES = {
    "title": lazy("Title"),
    "category": lazy("What is to be designed"),
    "description": lazy("Description"),
    "deliverables": lazy("Deliverables"),
    "reward_cny": lazy("Reward (CNY)"),
    "deadline_date": lazy("Proposals until"),
    "designer_name": lazy("Designer"),
}


def _ctx(actor: Actor, **more: Any) -> dict[str, Any]:
    return {"labels": labels, "L": labels.name, "today": service.today(), **more}


def _page(
    request: Request, name: str, ctx: dict[str, Any], actor: Actor, status_code: int = 200
) -> HTMLResponse:
    return render(request, name, ctx, actor=actor, status_code=status_code, active="design")


def _checked(cls: type[BaseModel], **values: Any) -> Any:
    """Build the input model; a bad value becomes a message naming the field, in the user's language."""
    try:
        return cls(**values)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        key = str(first.get("loc", ("",))[0])
        field = _(FIELD_NAMES[key]) if key in FIELD_NAMES else key
        if key == "reward_cny":
            raise ValidationFailed(_("The reward is an amount in yuan, zero or more.")) from None
        raise ValidationFailed(
            _("Please check %(field)s: %(problem)s", field=field, problem=first.get("msg", ""))
        ) from None


def _strings(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _uploads(form: Any) -> list[bytes]:
    blobs = []
    for upload in form.getlist("images"):
        if isinstance(upload, UploadFile) and upload.filename:
            # Already spooled to a temporary file: this blocks only this worker thread.
            blobs.append(upload.file.read(service.MAX_IMAGE_BYTES + 1))
    return blobs


def _index(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    category: str = "",
    phase: str = "",
    page: int = 1,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = service.page_briefs(
        session,
        actor=actor,
        category=category if category in labels.CATEGORIES else None,
        phase_=phase if phase in labels.PHASES else None,
        page=page,
    )
    ctx = _ctx(
        actor,
        rows=found.items,
        board=found,
        query=urlencode({k: v for k, v in (("category", category), ("phase", phase)) if v}),
        may_post=service.may_post(actor),
        recognised=service.recognised_designs(session, actor=actor),
        filters={"category": category, "phase": phase},
        error=error,
        form=form or {},
    )
    return _page(request, "design/index.html", ctx, actor, status_code)


@router.get("/design", response_class=HTMLResponse)
def index(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    category: str = "",
    phase: str = "",
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    return _index(request, session, actor, category=category, phase=phase, page=page)


@router.post("/design", response_class=HTMLResponse)
def create(request: Request, session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    values = _strings(form)
    try:
        try:
            deadline = date.fromisoformat(values.get("deadline_date", ""))
        except ValueError:
            raise ValidationFailed(_("Give the deadline as year-month-day.")) from None
        try:
            reward = Decimal(values.get("reward_cny", "").strip().replace(",", ""))
        except InvalidOperation:
            raise ValidationFailed(_("The reward is an amount in yuan, zero or more.")) from None
        data = _checked(
            BriefCreate,
            title=values.get("title", ""),
            category=values.get("category", ""),
            description=values.get("description", ""),
            deliverables=values.get("deliverables", ""),
            reward_cny=reward,
            deadline_date=deadline,
            proposals_public=values.get("proposals_public") == "on",
        )
        brief = service.create_brief(session, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _index(
            request, session, actor, error=exc.message, form=values, status_code=exc.status_code
        )
    return RedirectResponse(f"/design/{brief.id}", status_code=303)


@router.post("/design/from-recognition", response_class=HTMLResponse)
def adopt(request: Request, session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    values = _strings(form)
    code, _sep, nid = values.get("design", "").partition("/")
    try:
        brief = service.adopt_recognised_design(
            session, code=code, nomination_id=int(nid) if nid.isdigit() else 0, actor=actor
        )
    except DomainError as exc:
        session.rollback()
        return _index(request, session, actor, error=exc.message, status_code=exc.status_code)
    return RedirectResponse(f"/design/{brief.id}", status_code=303)


def _brief_page(
    request: Request,
    session: Session,
    actor: Actor,
    brief_id: int,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    row = service.brief_row(session, brief_id=brief_id, actor=actor)
    proposals = service.list_proposals(session, brief_id=brief_id, actor=actor)
    manager = actor.is_authenticated and service.may_manage(session, row.brief, actor)
    own = next((p for p, _n in proposals if service.is_designer(session, p, actor)), None)
    ctx = _ctx(
        actor,
        row=row,
        brief=row.brief,
        proposals=proposals,
        images=service.image_ids(session, proposal_ids=[p.id for p, _n in proposals]),
        manager=manager,
        moderator=exchange_service.may_moderate(actor),
        own=own,
        may_propose=(
            own is None
            and not manager
            and row.phase == "open"
            and row.brief.hidden_at is None
            and actor.role.value == "enterprise_user"
        ),
        products=(
            service.product_choices(session, brief_id=brief_id, actor=actor) if manager else []
        ),
        error=error,
        form=form or {},
    )
    return _page(request, "design/brief.html", ctx, actor, status_code)


@router.get("/design/{brief_id}", response_class=HTMLResponse)
def brief(request: Request, session: DbSession, actor: CurrentActor, brief_id: int) -> Response:
    return _brief_page(request, session, actor, brief_id)


def _act(
    request: Request,
    session: Session,
    actor: Actor,
    brief_id: int,
    values: dict[str, str],
    step: Any,
    back: str,
) -> Response:
    """Run one step; on bad input, undo it and show the brief page with the message."""
    try:
        step()
    except DomainError as exc:
        if exc.status_code in (401, 404):
            raise
        session.rollback()
        return _brief_page(
            request,
            session,
            actor,
            brief_id,
            error=exc.message,
            form=values,
            status_code=exc.status_code,
        )
    return RedirectResponse(back, status_code=303)


@router.post("/design/{brief_id}/proposals", response_class=HTMLResponse)
def propose(
    request: Request, session: DbSession, actor: UserActor, brief_id: int, form: PostedForm
) -> Response:
    values = _strings(form)
    made: list[int] = []

    def step() -> None:
        data = _checked(
            ProposalCreate,
            title=values.get("title", ""),
            description=values.get("description", ""),
            designer_name=values.get("designer_name", ""),
        )
        p = service.submit_proposal(
            session, brief_id=brief_id, data=data, actor=actor, images=_uploads(form)
        )
        made.append(p.id)

    result = _act(request, session, actor, brief_id, values, step, "")
    if made:
        return RedirectResponse(f"/design/proposals/{made[0]}", status_code=303)
    return result


@router.post("/design/{brief_id}/award", response_class=HTMLResponse)
def award(
    request: Request, session: DbSession, actor: UserActor, brief_id: int, form: PostedForm
) -> Response:
    values = _strings(form)
    pid = values.get("proposal_id", "")
    return _act(
        request,
        session,
        actor,
        brief_id,
        values,
        lambda: service.award(
            session,
            brief_id=brief_id,
            proposal_id=int(pid) if pid.isdigit() else 0,
            note=values.get("note", ""),
            product_gtin=values.get("product_gtin") or None,
            actor=actor,
        ),
        f"/design/{brief_id}",
    )


@router.post("/design/{brief_id}/close", response_class=HTMLResponse)
def close(
    request: Request, session: DbSession, actor: UserActor, brief_id: int, form: PostedForm
) -> Response:
    values = _strings(form)
    return _act(
        request,
        session,
        actor,
        brief_id,
        values,
        lambda: service.close(
            session, brief_id=brief_id, reason=values.get("reason", ""), actor=actor
        ),
        f"/design/{brief_id}",
    )


@router.post("/design/{brief_id}/hide", response_class=HTMLResponse)
def hide(
    request: Request, session: DbSession, actor: UserActor, brief_id: int, form: PostedForm
) -> Response:
    values = _strings(form)
    return _act(
        request,
        session,
        actor,
        brief_id,
        values,
        lambda: service.hide(
            session, brief_id=brief_id, reason=values.get("reason", ""), actor=actor
        ),
        f"/design/{brief_id}",
    )


@router.post("/design/{brief_id}/restore", response_class=HTMLResponse)
def restore(
    request: Request, session: DbSession, actor: UserActor, brief_id: int, form: PostedForm
) -> Response:
    return _act(
        request,
        session,
        actor,
        brief_id,
        _strings(form),
        lambda: service.restore(session, brief_id=brief_id, actor=actor),
        f"/design/{brief_id}",
    )


@router.post("/design/{brief_id}/production", response_class=HTMLResponse)
def production(
    request: Request, session: DbSession, actor: UserActor, brief_id: int, form: PostedForm
) -> Response:
    values = _strings(form)

    def step() -> None:
        gtin = values.get("product_gtin", "")
        if not gtin:
            raise ValidationFailed(_("Choose a product of the register."))
        service.carry_into_production(session, brief_id=brief_id, product_gtin=gtin, actor=actor)

    return _act(request, session, actor, brief_id, values, step, f"/design/{brief_id}")


def _proposal_page(
    request: Request,
    session: Session,
    actor: Actor,
    proposal_id: int,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    proposal, enterprise, brief = service.get_proposal(
        session, proposal_id=proposal_id, actor=actor
    )
    designer = service.is_designer(session, proposal, actor)
    manager = actor.is_authenticated and service.may_manage(session, brief, actor)
    writer = service.may_write(session, proposal, brief, actor)
    ctx = _ctx(
        actor,
        proposal=proposal,
        enterprise=enterprise,
        brief=brief,
        phase=service.phase(brief),
        images=service.image_ids(session, proposal_ids=[proposal.id]).get(proposal.id, []),
        designer=designer,
        manager=manager,
        messages=service.thread(session, proposal_id=proposal.id, actor=actor)
        if writer or actor.is_admin
        else None,
        writer=writer,
        max_images=service.MAX_IMAGES,
        error=error,
        form=form
        or {
            "title": proposal.title,
            "description": proposal.description,
            "designer_name": proposal.designer_name,
        },
    )
    return _page(request, "design/proposal.html", ctx, actor, status_code)


@router.get("/design/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal(
    request: Request, session: DbSession, actor: CurrentActor, proposal_id: int
) -> Response:
    return _proposal_page(request, session, actor, proposal_id)


def _proposal_act(
    request: Request,
    session: Session,
    actor: Actor,
    proposal_id: int,
    values: dict[str, str],
    step: Any,
) -> Response:
    try:
        step()
    except DomainError as exc:
        if exc.status_code in (401, 404):
            raise
        session.rollback()
        return _proposal_page(
            request,
            session,
            actor,
            proposal_id,
            error=exc.message,
            form=values,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/design/proposals/{proposal_id}", status_code=303)


@router.post("/design/proposals/{proposal_id}/edit", response_class=HTMLResponse)
def edit(
    request: Request, session: DbSession, actor: UserActor, proposal_id: int, form: PostedForm
) -> Response:
    values = _strings(form)

    def step() -> None:
        data = _checked(
            ProposalCreate,
            title=values.get("title", ""),
            description=values.get("description", ""),
            designer_name=values.get("designer_name", ""),
        )
        remove = [
            int(v) for v in form.getlist("remove_image") if isinstance(v, str) and v.isdigit()
        ]
        service.update_proposal(
            session,
            proposal_id=proposal_id,
            data=data,
            actor=actor,
            images=_uploads(form),
            remove_images=remove,
        )

    return _proposal_act(request, session, actor, proposal_id, values, step)


@router.post("/design/proposals/{proposal_id}/shortlist", response_class=HTMLResponse)
def shortlist(
    request: Request, session: DbSession, actor: UserActor, proposal_id: int, form: PostedForm
) -> Response:
    values = _strings(form)
    return _proposal_act(
        request,
        session,
        actor,
        proposal_id,
        values,
        lambda: service.shortlist(
            session, proposal_id=proposal_id, on=values.get("on") == "1", actor=actor
        ),
    )


@router.post("/design/proposals/{proposal_id}/messages", response_class=HTMLResponse)
def write(
    request: Request, session: DbSession, actor: UserActor, proposal_id: int, form: PostedForm
) -> Response:
    values = _strings(form)
    return _proposal_act(
        request,
        session,
        actor,
        proposal_id,
        values,
        lambda: service.send(
            session, proposal_id=proposal_id, text=values.get("text", ""), actor=actor
        ),
    )


@router.get("/design/images/{image_id}")
def image(session: DbSession, actor: CurrentActor, image_id: int) -> Response:
    img = service.get_image(session, image_id=image_id, actor=actor)
    return Response(img.data, media_type=img.content_type)
