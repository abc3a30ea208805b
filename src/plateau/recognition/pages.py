"""HTML pages of recognitions: editions, nominations, the jury's desk, the phone vote, results."""

from __future__ import annotations

from datetime import date as date_
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from plateau.auth.schemas import Actor
from plateau.errors import DomainError, Forbidden, ValidationFailed
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.plan import service as plan_service
from plateau.recognition import labels, service, voting
from plateau.recognition.models import Edition
from plateau.recognition.schemas import (
    CategoryCreate,
    ConflictDeclare,
    EditionCreate,
    EditionUpdate,
    MemberAdd,
    MemberUpdate,
    NominationCreate,
    ObjectionCreate,
    VoteCast,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PostedForm
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
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment else ""


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
    if ctx["nominations_open"] and ctx["may_nominate"]:
        kinds = {c.entry_kind for c in edition.categories}
        ctx["brand_choices"] = (
            service.brand_choices(session, actor=actor) if "brand" in kinds else None
        )
        ctx["product_choices"] = (
            service.product_choices(session, actor=actor) if "product" in kinds else None
        )
        ctx["enterprise_choices"] = (
            service.enterprise_choices(session, actor=actor)
            if kinds & {"design", "model"} and actor.role.value != "enterprise_user"
            else None
        )
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


@router.get("/recognition/new", response_class=HTMLResponse)
def new_edition(request: Request, actor: UserActor) -> Response:
    if not service.may_create_editions(actor):
        raise Forbidden(_("Only the region administrator and organisers may create editions."))
    return _page(request, "recognition/new.html", _new_ctx(actor), actor)


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
def nominate(
    request: Request, session: DbSession, actor: UserActor, code: str, form: PostedForm
) -> Response:
    blobs: list[bytes] = []
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        for upload in form.getlist("images"):
            if isinstance(upload, UploadFile) and upload.filename:
                # Already spooled to a temporary file: this blocks only this worker thread.
                blobs.append(upload.file.read(service.MAX_IMAGE_BYTES + 1))
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
def decide(
    request: Request,
    session: DbSession,
    actor: UserActor,
    code: str,
    nomination_id: int,
    form: PostedForm,
) -> Response:
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
def advance(
    request: Request, session: DbSession, actor: UserActor, code: str, form: PostedForm
) -> Response:
    try:
        service.advance(session, code=code, to=str(form.get("stage", "")), actor=actor)
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, {})
    return _back(code, "", "advanced")


def _organisers_only(session: Session, code: str, actor: Actor) -> None:
    """Refuse a caller who does not run the edition before reading what they sent."""
    edition = service.get_edition(session, code=code, actor=actor)
    if not service.may_organise(session, edition, actor):
        raise Forbidden(_("Only the organisers of this edition may do this."))


@router.post("/recognition/{code}/void")
def void(
    request: Request, session: DbSession, actor: UserActor, code: str, form: PostedForm
) -> Response:
    ids = [int(v) for v in form.getlist("ballot") if isinstance(v, str) and v.isdigit()]
    try:
        _organisers_only(session, code, actor)
        if not ids:
            raise ValidationFailed(_("Choose the ballots to void."))
        service.void_ballots(
            session, code=code, ballot_ids=ids, reason=str(form.get("reason", "")), actor=actor
        )
    except DomainError as exc:
        return _fail(request, session, actor, code, exc, {})
    return _back(code, "ballots", "voided")


@router.post("/recognition/{code}/objections")
def object_(
    request: Request, session: DbSession, actor: UserActor, code: str, form: PostedForm
) -> Response:
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
def answer(
    request: Request,
    session: DbSession,
    actor: UserActor,
    code: str,
    objection_id: int,
    form: PostedForm,
) -> Response:
    try:
        _organisers_only(session, code, actor)
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
def score(
    request: Request,
    session: DbSession,
    actor: UserActor,
    code: str,
    nomination_id: int,
    form: PostedForm,
) -> Response:
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
def conflict(
    request: Request,
    session: DbSession,
    actor: UserActor,
    code: str,
    nomination_id: int,
    form: PostedForm,
) -> Response:
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
def vote(
    request: Request, session: DbSession, actor: CurrentActor, code: str, form: PostedForm
) -> Response:
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
        if isinstance(exc, voting.WrongCode):
            # The used-up attempt must count in every web worker: keep it (nothing else
            # was written before the code was checked).
            session.commit()
        else:
            session.rollback()
        ctx |= {"error": exc.message, "code_sent": step != "code"}
        return _page(request, "recognition/vote.html", ctx, actor, exc.status_code)
    return _page(request, "recognition/vote.html", ctx, actor)


# --- setting an edition up: the edition, its categories and criteria, the jury's seats ---

MAX_CRITERIA_ROWS = 6


def _text(form: FormData, key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _date(form: FormData, key: str, label: str) -> date_ | None:
    raw = _text(form, key)
    if not raw:
        return None
    try:
        return date_.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("%(field)s is not a date.", field=label)) from None


def _int(form: FormData, key: str, label: str) -> int:
    raw = _text(form, key)
    if not raw.lstrip("-").isdigit():
        raise ValidationFailed(_("%(field)s must be a whole number.", field=label))
    return int(raw)


def _edition_fields(form: FormData) -> dict[str, Any]:
    """The edition form's names, timetable and rules, read and checked."""
    return {
        "name_zh": _text(form, "name_zh"),
        "name_en": _text(form, "name_en"),
        "year": _int(form, "year", _("Year")),
        "jury_weight": _int(form, "jury_weight", _("Jury share in percent")),
        "score_max": _int(form, "score_max", _("Highest score")),
        "drop_extremes": form.get("drop_extremes") == "1",
        "normalise": form.get("normalise") == "1",
        "tie_break": _text(form, "tie_break") or "jury",
        "nominations_close_date": _date(form, "nominations_close_date", _("Nominations close")),
        "scoring_start_date": _date(form, "scoring_start_date", _("Jury scoring starts")),
        "vote_close_date": _date(form, "vote_close_date", _("Public vote closes")),
        "publicity_end_date": _date(form, "publicity_end_date", _("Public notice ends")),
    }


def _category_fields(form: FormData, code: str) -> CategoryCreate:
    """A category with its criteria from the form's rows (empty rows are skipped)."""
    criteria = []
    for i in range(1, MAX_CRITERIA_ROWS + 1):
        name = _text(form, f"crit_name_{i}")
        weight = _text(form, f"crit_weight_{i}")
        if not name and not weight:
            continue
        if not name or not weight.isdigit():
            raise ValidationFailed(_("Each criterion needs a name and a weight in percent."))
        criteria.append(
            {"name_zh": name, "name_en": _text(form, f"crit_name_en_{i}"), "weight": int(weight)}
        )
    if not criteria:
        raise ValidationFailed(_("Give at least one criterion with its weight."))
    entry_kind = _text(form, "entry_kind")
    if entry_kind not in labels.ENTRY_KINDS:
        raise ValidationFailed(_("Choose what the category's entries are."))
    eligibility = _text(form, "eligibility") or "none"
    if eligibility not in labels.ELIGIBILITY:
        raise ValidationFailed(_("Choose the category's condition."))
    return _model(
        CategoryCreate,
        code=code,
        name_zh=_text(form, "cat_name_zh"),
        name_en=_text(form, "cat_name_en"),
        entry_kind=entry_kind,
        eligibility=eligibility,
        awards=_int(form, "awards", _("Awards")),
        criteria=criteria,
    )


def _new_ctx(actor: Actor) -> dict[str, Any]:
    today = service.beijing_today()
    return {
        "error": None,
        "form": {
            "year": str(today.year),
            "jury_weight": "70",
            "score_max": "10",
            "drop_extremes": "1",
            "tie_break": "jury",
            "awards": "1",
        },
        "rows": MAX_CRITERIA_ROWS,
        "may_create": service.may_create_editions(actor),
    }


@router.post("/recognition/new", response_class=HTMLResponse)
def create_edition(
    request: Request, session: DbSession, actor: UserActor, form: PostedForm
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        if not service.may_create_editions(actor):
            raise Forbidden(_("Only the region administrator and organisers may create editions."))
        kind = _text(form, "kind")
        if kind not in labels.KINDS:
            raise ValidationFailed(_("Choose the kind of recognition."))
        fields = _edition_fields(form)
        category = _category_fields(form, "c1")
        code = service.new_edition_code(session, kind=kind, year=fields["year"])
        data = _model(EditionCreate, code=code, kind=kind, categories=[category], **fields)
        edition = service.create_edition(session, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        ctx = _new_ctx(actor) | {"error": exc.message, "form": values}
        return _page(request, "recognition/new.html", ctx, actor, exc.status_code)
    return RedirectResponse(f"/recognition/{edition.code}/setup?note=created", status_code=303)


SETUP_NOTES = {
    "created": lambda: _("The edition was created as a draft; add categories and jurors."),
    "saved": lambda: _("Saved."),
}


def _setup_ctx(session: Session, code: str, actor: Actor) -> dict[str, Any]:
    edition = service.get_edition(session, code=code, actor=actor)
    if not service.may_organise(session, edition, actor):
        raise Forbidden(_("Only the organisers of this edition may do this."))
    members = service.list_members(session, code=code, actor=actor)
    form = {
        k: getattr(edition, k)
        for k in EditionUpdate.model_fields
        if k not in ("drop_extremes", "normalise")
    } | {
        "drop_extremes": "1" if edition.drop_extremes else "",
        "normalise": "1" if edition.normalise else "",
    }
    return {
        "edition": edition,
        "edition_form": form,
        "frozen": edition.frozen_at is not None,
        "members": members,
        "jurors": service.juror_choices(session, code=code, actor=actor),
        "employers": service.enterprise_choices(session, actor=actor),
        "employer_names": service.enterprise_names(
            session, usccs=[m.employer_uscc for m in members], actor=actor
        ),
        "conflicts": service.list_conflicts(session, code=code, actor=actor),
        "rows": MAX_CRITERIA_ROWS,
        "error": None,
        "error_at": "",
        "note": "",
    }


@router.get("/recognition/{code}/setup", response_class=HTMLResponse)
def setup(
    request: Request, session: DbSession, actor: UserActor, code: str, note: str = ""
) -> Response:
    ctx = _setup_ctx(session, code, actor)
    maker = SETUP_NOTES.get(note)
    ctx["note"] = maker() if maker else ""
    return _page(request, "recognition/setup.html", ctx, actor)


def _setup_fail(
    request: Request, session: Session, actor: Actor, code: str, exc: DomainError, at: str
) -> HTMLResponse:
    session.rollback()
    ctx = _setup_ctx(session, code, actor) | {"error": exc.message, "error_at": at}
    return _page(request, "recognition/setup.html", ctx, actor, exc.status_code)


def _setup_back(code: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/recognition/{code}/setup?note=saved#{anchor}", status_code=303)


@router.post("/recognition/{code}/setup", response_class=HTMLResponse)
def save_edition(
    request: Request, session: DbSession, actor: UserActor, code: str, form: PostedForm
) -> Response:
    try:
        data = _model(EditionUpdate, **_edition_fields(form))
        service.update_edition(session, code=code, data=data, actor=actor)
    except DomainError as exc:
        return _setup_fail(request, session, actor, code, exc, "edition")
    return _setup_back(code, "edition")


@router.post("/recognition/{code}/categories", response_class=HTMLResponse)
def add_category(
    request: Request, session: DbSession, actor: UserActor, code: str, form: PostedForm
) -> Response:
    try:
        edition = service.get_edition(session, code=code, actor=actor)
        data = _category_fields(form, service._category_code(edition))
        cat = service.add_category(session, code=code, data=data, actor=actor)
    except DomainError as exc:
        return _setup_fail(request, session, actor, code, exc, "new-category")
    return _setup_back(code, f"category-{cat.id}")


@router.post("/recognition/{code}/categories/{category_id}", response_class=HTMLResponse)
def save_category(
    request: Request,
    session: DbSession,
    actor: UserActor,
    code: str,
    category_id: int,
    form: PostedForm,
) -> Response:
    try:
        data = _category_fields(form, "keep")
        service.update_category(session, code=code, category_id=category_id, data=data, actor=actor)
    except DomainError as exc:
        return _setup_fail(request, session, actor, code, exc, f"category-{category_id}")
    return _setup_back(code, f"category-{category_id}")


def _employer_fields(form: FormData) -> dict[str, str]:
    choice = _text(form, "employer")
    if choice == "_other":
        name = _text(form, "employer_name")
        if not name:
            raise ValidationFailed(_("Name the employer that is not in the register."))
        return {"employer_uscc": "", "employer_name": name}
    return {"employer_uscc": choice, "employer_name": ""}


@router.post("/recognition/{code}/members", response_class=HTMLResponse)
def add_seat(
    request: Request, session: DbSession, actor: UserActor, code: str, form: PostedForm
) -> Response:
    try:
        username = _text(form, "username")
        if not username:
            raise ValidationFailed(_("Choose the juror."))
        data = _model(
            MemberAdd,
            username=username,
            kind="juror",
            display_name=_text(form, "display_name"),
            **_employer_fields(form),
        )
        service.add_member(session, code=code, data=data, actor=actor)
    except DomainError as exc:
        return _setup_fail(request, session, actor, code, exc, "jury")
    return _setup_back(code, "jury")


@router.post("/recognition/{code}/members/{member_id}", response_class=HTMLResponse)
def save_seat(
    request: Request,
    session: DbSession,
    actor: UserActor,
    code: str,
    member_id: int,
    form: PostedForm,
) -> Response:
    try:
        data = _model(
            MemberUpdate, display_name=_text(form, "display_name"), **_employer_fields(form)
        )
        service.update_member(session, code=code, member_id=member_id, data=data, actor=actor)
    except DomainError as exc:
        return _setup_fail(request, session, actor, code, exc, f"seat-{member_id}")
    return _setup_back(code, f"seat-{member_id}")


@router.post("/recognition/{code}/members/{member_id}/remove", response_class=HTMLResponse)
def remove_seat(
    request: Request, session: DbSession, actor: UserActor, code: str, member_id: int
) -> Response:
    try:
        service.remove_member(session, code=code, member_id=member_id, actor=actor)
    except DomainError as exc:
        return _setup_fail(request, session, actor, code, exc, "jury")
    return _setup_back(code, "jury")
