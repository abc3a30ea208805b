"""HTML pages of recognitions: editions, nominations, the jury's desk, the phone vote, results."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from plateau.auth.schemas import Actor
from plateau.errors import DomainError, ValidationFailed
from plateau.i18n import _
from plateau.plan import service as plan_service
from plateau.recognition import labels, service, voting
from plateau.recognition.models import Edition
from plateau.recognition.schemas import (
    ConflictDeclare,
    NominationCreate,
    ObjectionCreate,
    VoteCast,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])
M = TypeVar("M", bound=BaseModel)


def _page(
    request: Request,
    template: str,
    ctx: dict[str, Any],
    actor: Actor,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = {"labels": labels, "L": labels.name, "bj": _beijing, **ctx}
    return render(
        request, template, ctx, actor=actor, status_code=status_code, active="recognition"
    )


def _beijing(moment: datetime | None) -> str:
    return moment.astimezone(service.BEIJING).strftime("%Y-%m-%d %H:%M") if moment else ""


def _model(cls: type[M], **values: Any) -> M:
    """Build an input model from form values; a bad value becomes a message, not a 500."""
    try:
        return cls(**values)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValidationFailed(
            _("Please check %(field)s: %(problem)s", field=where, problem=first.get("msg", ""))
        ) from None


def _back(code: str, anchor: str = "", note: str = "") -> RedirectResponse:
    url = (
        f"/recognition/{code}"
        + (f"?note={note}" if note else "")
        + (f"#{anchor}" if anchor else "")
    )
    return RedirectResponse(url, status_code=303)


@router.get("/recognition", response_class=HTMLResponse)
def index(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    editions = service.list_editions(session, actor=actor)
    targets = [
        f
        for f in plan_service.list_figures(
            session, actor=actor, plan_id="lhasa_garment", indicator="regional_brands"
        )
        if f.kind == "target"
    ]
    target = targets[0] if targets else None
    counted = service.recognised_garment_brands(session, up_to_year=target.year) if target else None
    return _page(
        request,
        "recognition/index.html",
        {
            "editions": editions,
            "target": target,
            "counted": counted,
            "may_create": service.may_create_editions(actor),
        },
        actor,
    )


def _edition_ctx(session: Session, edition: Edition, actor: Actor) -> dict[str, Any]:
    code = edition.code
    organiser = service.may_organise(session, edition, actor)
    nominations = service.list_nominations(session, code=code, actor=actor)
    today = service.beijing_today()
    problems = (
        {
            n.id: service.eligibility_problem(session, n, today=today)
            for n in nominations
            if n.status == "submitted"
        }
        if organiser
        else {}
    )
    ctx: dict[str, Any] = {
        "edition": edition,
        "organiser": organiser,
        "juror": service.juror_of(session, edition, actor) is not None,
        "nominations": nominations,
        "images": service.image_ids(session, nomination_ids=[n.id for n in nominations]),
        "problems": problems,
        "next_stage": service._next_stage(edition),
        "results": service.results(session, code=code, actor=actor)
        if edition.stage in service.RESULT_STAGES
        else [],
        "objections": service.list_objections(session, code=code, actor=actor),
        "nominations_open": edition.stage == "nominations"
        and today <= edition.nominations_close_date,
        "may_nominate": actor.role.value in ("region_admin", "organiser", "enterprise_user"),
        "error": None,
        "form": {},
        "note": request_note(None),
    }
    if organiser:
        ctx["progress"] = (
            service.jury_progress(session, code=code, actor=actor)
            if edition.stage in ("scoring", "voting")
            else None
        )
        ctx["flagged"] = service.list_ballots(session, code=code, actor=actor, flagged_only=True)
        ctx["members"] = service.list_members(session, code=code, actor=actor)
        ctx["conflicts"] = service.list_conflicts(session, code=code, actor=actor)
    return ctx


NOTES = {
    "nominated": lambda: _("Your nomination was filed; the organisers will review it."),
    "decided": lambda: _("The decision was recorded."),
    "advanced": lambda: _("The edition moved on to its next stage."),
    "voided": lambda: _("The ballots were voided; the reason is recorded."),
    "objected": lambda: _("Your objection was recorded."),
    "answered": lambda: _("The answer was recorded."),
}


def request_note(key: str | None) -> str:
    maker = NOTES.get(key or "")
    return maker() if maker else ""


@router.get("/recognition/{code}", response_class=HTMLResponse)
def edition_page(
    request: Request, session: DbSession, actor: CurrentActor, code: str, note: str = ""
) -> Response:
    edition = service.get_edition(session, code=code, actor=actor)
    ctx = _edition_ctx(session, edition, actor)
    ctx["note"] = request_note(note)
    return _page(request, "recognition/edition.html", ctx, actor)


def _fail(
    request: Request,
    session: DbSession,
    actor: Actor,
    code: str,
    exc: DomainError,
    form: dict[str, Any],
) -> HTMLResponse:
    # Bad input changes nothing: undo whatever the failed step had flushed.
    session.rollback()
    edition = service.get_edition(session, code=code, actor=actor)
    ctx = _edition_ctx(session, edition, actor) | {"error": exc.message, "form": form}
    return _page(request, "recognition/edition.html", ctx, actor, exc.status_code)


@router.post("/recognition/{code}/nominate", response_class=HTMLResponse)
async def nominate(request: Request, session: DbSession, actor: UserActor, code: str) -> Response:
    form = await request.form()
    blobs: list[bytes] = []
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        for upload in form.getlist("images"):
            if isinstance(upload, UploadFile) and upload.filename:
                blobs.append(await upload.read(service.MAX_IMAGE_BYTES + 1))
        data = _model(
            NominationCreate,
            category=values.get("category", ""),
            title=values.get("title", ""),
            description=values.get("description", ""),
            brand_id=int(values["brand_id"]) if values.get("brand_id", "").isdigit() else None,
            gtin=values.get("gtin") or None,
            enterprise_uscc=values.get("enterprise_uscc") or None,
        )
        service.nominate(session, code=code, data=data, actor=actor, images=blobs)
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, values)
    return _back(code, "nominations", "nominated")


@router.post("/recognition/{code}/nominations/{nomination_id}/decision")
async def decide(
    request: Request, session: DbSession, actor: UserActor, code: str, nomination_id: int
) -> Response:
    form = await request.form()
    accept = form.get("accept") == "1"
    try:
        service.decide(
            session,
            code=code,
            nomination_id=nomination_id,
            accept=accept,
            reason=str(form.get("reason", "")),
            actor=actor,
        )
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, {})
    return _back(code, "nominations", "decided")


@router.post("/recognition/{code}/stage")
async def advance(request: Request, session: DbSession, actor: UserActor, code: str) -> Response:
    form = await request.form()
    try:
        service.advance(session, code=code, to=str(form.get("stage", "")), actor=actor)
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, {})
    return _back(code, "", "advanced")


@router.post("/recognition/{code}/void")
async def void(request: Request, session: DbSession, actor: UserActor, code: str) -> Response:
    form = await request.form()
    ids = [int(v) for v in form.getlist("ballot") if isinstance(v, str) and v.isdigit()]
    try:
        if not ids:
            raise ValidationFailed(_("Choose the ballots to void."))
        service.void_ballots(
            session, code=code, ballot_ids=ids, reason=str(form.get("reason", "")), actor=actor
        )
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, {})
    return _back(code, "ballots", "voided")


@router.post("/recognition/{code}/objections")
async def object_(request: Request, session: DbSession, actor: UserActor, code: str) -> Response:
    form = await request.form()
    try:
        nid = str(form.get("nomination_id", ""))
        data = _model(
            ObjectionCreate,
            nomination_id=int(nid) if nid.isdigit() else 0,
            text=str(form.get("text", "")),
        )
        service.file_objection(session, code=code, data=data, actor=actor)
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, {})
    return _back(code, "results", "objected")


@router.post("/recognition/{code}/objections/{objection_id}/answer")
async def answer(
    request: Request, session: DbSession, actor: UserActor, code: str, objection_id: int
) -> Response:
    form = await request.form()
    try:
        text = str(form.get("answer", ""))
        if len(text.strip()) < 2:
            raise ValidationFailed(_("Write the answer."))
        service.answer_objection(
            session, code=code, objection_id=objection_id, answer=text, actor=actor
        )
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, {})
    return _back(code, "results", "answered")


@router.get("/recognition/{code}/images/{image_id}")
def image(session: DbSession, actor: CurrentActor, code: str, image_id: int) -> Response:
    img = service.get_image(session, code=code, image_id=image_id, actor=actor)
    return Response(img.data, media_type=img.content_type)


@router.get("/recognition/{code}/certificates/{nomination_id}.pdf")
def certificate(session: DbSession, actor: CurrentActor, code: str, nomination_id: int) -> Response:
    pdf = service.certificate(session, code=code, nomination_id=nomination_id, actor=actor)
    return Response(pdf, media_type="application/pdf")


# --- the jury's desk ---


def _jury_ctx(session: Session, code: str, actor: Actor) -> dict[str, Any]:
    edition = service.get_edition(session, code=code, actor=actor)
    if service.juror_of(session, edition, actor) is None:
        raise DomainError(_("Only jurors of this edition have a desk here."), 403, "forbidden")
    return {
        "edition": edition,
        "entries": service.list_nominations(session, code=code, actor=actor),
        "mine": service.own_scores(session, code=code, actor=actor),
        "open": edition.stage in service.SCORING_STAGES,
        "error": None,
        "error_for": None,
        "saved": None,
    }


@router.get("/recognition/{code}/jury", response_class=HTMLResponse)
def jury(
    request: Request, session: DbSession, actor: UserActor, code: str, saved: int = 0
) -> Response:
    ctx = _jury_ctx(session, code, actor) | {"saved": saved or None}
    return _page(request, "recognition/jury.html", ctx, actor)


@router.post("/recognition/{code}/jury/{nomination_id}", response_class=HTMLResponse)
async def score(
    request: Request, session: DbSession, actor: UserActor, code: str, nomination_id: int
) -> Response:
    form = await request.form()
    try:
        scores: dict[int, Decimal] = {}
        for key, value in form.items():
            if key.startswith("c") and key[1:].isdigit() and isinstance(value, str):
                try:
                    scores[int(key[1:])] = Decimal(value.strip())
                except InvalidOperation:
                    raise ValidationFailed(_("A score must be a number.")) from None
        service.submit_scores(
            session, code=code, nomination_id=nomination_id, scores=scores, actor=actor
        )
    except DomainError as exc:
        session.rollback()
        ctx = _jury_ctx(session, code, actor) | {"error": exc.message, "error_for": nomination_id}
        return _page(request, "recognition/jury.html", ctx, actor, exc.status_code)
    return RedirectResponse(f"/recognition/{code}/jury?saved={nomination_id}", status_code=303)


@router.post("/recognition/{code}/jury/{nomination_id}/conflict")
async def conflict(
    request: Request, session: DbSession, actor: UserActor, code: str, nomination_id: int
) -> Response:
    form = await request.form()
    reason = str(form.get("reason", ""))
    if reason not in labels.CONFLICT_REASONS:
        raise ValidationFailed(_("Choose the kind of conflict."))
    service.declare_conflict(
        session,
        code=code,
        data=_model(
            ConflictDeclare,
            nomination_id=nomination_id,
            reason=reason,
            note=str(form.get("note", "")),
        ),  # type: ignore[arg-type]
        actor=actor,
    )
    return RedirectResponse(f"/recognition/{code}/jury", status_code=303)


# --- the public vote (a phone page) ---


def _vote_ctx(session: Session, code: str, actor: Actor) -> dict[str, Any]:
    edition = service.get_edition(session, code=code, actor=actor)
    entries = (
        service.list_nominations(session, code=code, actor=actor)
        if edition.stage in ("voting", *service.RESULT_STAGES)
        else []
    )
    return {
        "edition": edition,
        "entries": [n for n in entries if n.status == "accepted"],
        "images": service.image_ids(session, nomination_ids=[n.id for n in entries]),
        "open": edition.stage == "voting",
        "phone": "",
        "code_sent": False,
        "error": None,
        "message": None,
        "chosen": None,
    }


@router.get("/recognition/{code}/vote", response_class=HTMLResponse)
def vote_page(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    return _page(request, "recognition/vote.html", _vote_ctx(session, code, actor), actor)


@router.post("/recognition/{code}/vote", response_class=HTMLResponse)
async def vote(request: Request, session: DbSession, actor: CurrentActor, code: str) -> Response:
    form = await request.form()
    phone = str(form.get("phone", ""))
    step = str(form.get("step", "code"))
    nid = str(form.get("nomination_id", ""))
    ctx = _vote_ctx(session, code, actor) | {
        "phone": phone,
        "chosen": int(nid) if nid.isdigit() else None,
    }
    try:
        if step == "code":
            if not ctx["open"]:
                raise DomainError(_("The public vote is not open."), 409, "conflict")
            voting.request_code(session, phone=phone)
            ctx |= {"code_sent": True, "message": _("A code was sent to your phone.")}
        else:
            if not nid.isdigit():
                raise ValidationFailed(_("Choose the entry you vote for."))
            receipt = service.cast_vote(
                session,
                code=code,
                data=_model(
                    VoteCast,
                    phone=phone,
                    code=str(form.get("code", "")) or "0000",
                    nomination_id=int(nid),
                ),
                address=request.client.host if request.client else "",
            )
            ctx |= {"message": receipt.message, "code_sent": False}
    except DomainError as exc:
        session.rollback()
        ctx |= {"error": exc.message, "code_sent": step != "code"}
        return _page(request, "recognition/vote.html", ctx, actor, exc.status_code)
    return _page(request, "recognition/vote.html", ctx, actor)
