"""HTML pages of the standards programme: progress against 专栏2, the register, a standard's
page with its lifecycle and participants, and enterprises' self-declarations."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from plateau.auth.schemas import Actor, Role
from plateau.errors import DomainError, Forbidden, ValidationFailed
from plateau.i18n import _
from plateau.paging import Paged
from plateau.picking import Choice
from plateau.registry import service as registry_service
from plateau.standards import labels, service
from plateau.standards.api import document_response
from plateau.standards.schemas import (
    DeclarationCreate,
    StandardCreate,
    StandardUpdate,
    StatusChange,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PageNo, PostedForm
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])

# A phone shows a page of the register in about two screens (decision 0053).
REGISTER_PER_PAGE = 20
DECLARATIONS_PER_PAGE = 10


def _text(form: FormData, key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _checked(cls: type[Any], **values: Any) -> Any:
    try:
        return cls(**values)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValidationFailed(
            _("Please check %(field)s: %(problem)s", field=where, problem=first.get("msg", ""))
        ) from None


def _date(raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(_("Give the date as year-month-day.")) from None


def _common(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "labels": labels,
        "L": labels.name,
        "title_of": service.loc_title,
        "industries": {i.id: i for i in registry_service.list_industries(session, actor=actor)},
        "admin": actor.is_admin,
    }


def _index(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    status: str = "",
    level: str = "",
    industry: str = "",
    page: int = 1,
    dpage: int = 1,
    error: str | None = None,
    note: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    ctx = _common(session, actor)
    industries = ctx["industries"]
    declarer = actor.is_admin or actor.role is Role.ENTERPRISE_USER
    filters = {
        "status": status if status in labels.STATUSES else "",
        "level": level if level in labels.LEVELS else "",
        "industry": industry if industry in industries else "",
    }
    register = service.find_standards(
        session,
        status=filters["status"] or None,
        level=filters["level"] or None,
        industry=filters["industry"] or None,
        page=max(page, 1),
        per_page=REGISTER_PER_PAGE,
    )
    declarations = service.list_declarations(session)
    dpage = max(dpage, 1)
    ctx |= {
        "programme": service.programme(session),
        "register": register,
        "declarations": Paged(
            items=declarations[(dpage - 1) * DECLARATIONS_PER_PAGE : dpage * DECLARATIONS_PER_PAGE],
            total=len(declarations),
            page=dpage,
            per_page=DECLARATIONS_PER_PAGE,
        ),
        "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        # The self-declarations' pager keeps the register where the reader left it.
        "dquery": urlencode({k: v for k, v in filters.items() if v} | {"page": register.page}),
        "declarer": declarer,
        "published": service.list_standards(session, status="published") if declarer else [],
        "declaring_enterprises": service.enterprise_choices(session, actor=actor)
        if declarer
        else None,
        "own_products": service.own_products(session, actor=actor),
        "own_uscc": actor.scope_value if actor.role is Role.ENTERPRISE_USER else None,
        "error": error,
        "note": note,
    }
    return render(
        request,
        "standards/index.html",
        ctx,
        actor=actor,
        status_code=status_code,
        active="standards",
    )


@router.get("/standards", response_class=HTMLResponse)
def index(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    status: str = "",
    level: str = "",
    industry: str = "",
    page: PageNo = 1,
    dpage: PageNo = 1,
    note: str = "",
) -> Response:
    shown = {
        "declared": _("Your self-declaration is public."),
        "withdrawn": _("The self-declaration was withdrawn."),
    }.get(note, "")
    return _index(
        request,
        session,
        actor,
        status=status,
        level=level,
        industry=industry,
        page=page,
        dpage=dpage,
        note=shown,
    )


@router.post("/standards/declarations", response_class=HTMLResponse)
def declare(request: Request, session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    try:
        sid = _text(form, "standard_id")
        if not sid.isdigit():
            raise ValidationFailed(_("Choose the standard you declare."))
        uscc = _text(form, "enterprise_uscc") or (
            actor.scope_value if actor.role is Role.ENTERPRISE_USER else ""
        )
        if not uscc:
            raise ValidationFailed(_("Choose the enterprise that declares."))
        data = _checked(
            DeclarationCreate,
            enterprise_uscc=uscc,
            standard_id=int(sid),
            scope_zh=_text(form, "scope_zh"),
            gtins=[g for g in form.getlist("gtin") if isinstance(g, str) and g],
        )
        service.declare(session, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _index(request, session, actor, error=exc.message, status_code=exc.status_code)
    return RedirectResponse("/standards?note=declared#declarations", status_code=303)


@router.post("/standards/declarations/{declaration_id}/withdraw", response_class=HTMLResponse)
def withdraw_declaration(
    request: Request, session: DbSession, actor: UserActor, declaration_id: int
) -> Response:
    service.withdraw_declaration(session, declaration_id=declaration_id, actor=actor)
    return RedirectResponse("/standards?note=withdrawn#declarations", status_code=303)


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    form: dict[str, Any],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = _common(session, actor) | {
        "form": form,
        "error": error,
        "items": service.programme_items(),
        "enterprises": service.enterprise_choices(session, actor=actor),
        "chosen_lead": _chosen(session, actor, [form.get("lead_enterprise_uscc") or ""]),
        "chosen_participants": _chosen(session, actor, form.get("participants") or []),
    }
    return render(
        request, "standards/new.html", ctx, actor=actor, status_code=status_code, active="standards"
    )


def _chosen(session: Session, actor: Actor, usccs: list[str]) -> list[Choice]:
    """The enterprises a refused form had chosen, by name, so that it shows them again."""
    return service.chosen_enterprises(session, usccs=usccs, actor=actor)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator keeps the register of standards."))


@router.get("/standards/new", response_class=HTMLResponse)
def new(request: Request, session: DbSession, actor: UserActor) -> Response:
    _require_admin(actor)
    return _form_page(request, session, actor, {"status": "planned"})


@router.post("/standards/new", response_class=HTMLResponse)
def create(request: Request, session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["participants"] = [u for u in form.getlist("participants") if isinstance(u, str)]
    try:
        level = _text(form, "level")
        if level not in labels.LEVELS:
            raise ValidationFailed(_("Choose the level of the standard."))
        status = _text(form, "status") or "planned"
        if status not in labels.STATUSES:
            raise ValidationFailed(_("Choose the status of the standard."))
        data = _checked(
            StandardCreate,
            code=_text(form, "code"),
            title_zh=_text(form, "title_zh"),
            title_en=_text(form, "title_en"),
            level=level,
            status=status,
            industry_id=_text(form, "industry_id"),
            programme_item=_text(form, "programme_item") or None,
            lead_organisation=_text(form, "lead_organisation"),
            lead_enterprise_uscc=_text(form, "lead_enterprise_uscc") or None,
            participant_usccs=[u for u in values["participants"] if u],
            published_date=_date(_text(form, "published_date")),
        )
        standard = service.create_standard(session, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _form_page(
            request, session, actor, values, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/standards/{standard.id}", status_code=303)


def _detail(
    request: Request,
    session: Session,
    actor: Actor,
    standard_id: int,
    *,
    error: str | None = None,
    note: str = "",
    edit: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    standard = service.get_standard(session, standard_id=standard_id)
    taking_part = service.participants(session, standard_id=standard.id)
    ctx = _common(session, actor) | {
        "standard": standard,
        "participants": taking_part,
        "next_statuses": service.next_statuses(standard),
        "item": next(
            (i for i in service.programme_items() if i.code == standard.programme_item), None
        ),
        "declarations": [
            d for d in service.list_declarations(session) if d.standard_id == standard.id
        ],
        "candidates": service.enterprise_choices(session, actor=actor, not_in_standard=standard.id)
        if actor.is_admin
        else None,
        "document": service.document_info(session, standard_id=standard.id),
        "may_upload": service.may_upload(session, standard_id=standard.id, actor=actor),
        "public_text": standard.status in ("published", "superseded"),
        "history": service.history(session, standard_id=standard.id, actor=actor)
        if actor.is_admin
        else [],
        "edit": edit or {},
        "error": error,
        "note": note,
    }
    return render(
        request,
        "standards/standard.html",
        ctx,
        actor=actor,
        status_code=status_code,
        active="standards",
    )


@router.get("/standards/{standard_id}", response_class=HTMLResponse)
def detail(
    request: Request, session: DbSession, actor: CurrentActor, standard_id: int, note: str = ""
) -> Response:
    shown = {
        "edited": _("The changes are saved and recorded in the history."),
        "attached": _("The text of the standard is attached."),
    }.get(note, "")
    return _detail(request, session, actor, standard_id, note=shown)


@router.post("/standards/{standard_id}/edit", response_class=HTMLResponse)
def edit(
    request: Request, session: DbSession, actor: UserActor, standard_id: int, form: PostedForm
) -> Response:
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    try:
        level = values.get("level", "")
        if level not in labels.LEVELS:
            raise ValidationFailed(_("Choose the level of the standard."))
        data = _checked(
            StandardUpdate,
            title_zh=values.get("title_zh", ""),
            title_en=values.get("title_en", ""),
            level=level,
            industry_id=values.get("industry_id", ""),
            lead_organisation=values.get("lead_organisation", ""),
        )
        service.update_standard(session, standard_id=standard_id, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _detail(
            request,
            session,
            actor,
            standard_id,
            error=exc.message,
            edit=values,
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/standards/{standard_id}?note=edited", status_code=303)


@router.post("/standards/{standard_id}/document", response_class=HTMLResponse)
def attach_document(
    request: Request, session: DbSession, actor: UserActor, standard_id: int, form: PostedForm
) -> Response:
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed(_("Choose the PDF file of the standard."))
        # Already spooled to a temporary file: this blocks only this worker thread.
        blob = upload.file.read(service.MAX_DOCUMENT_BYTES + 1)
        service.attach_document(
            session, standard_id=standard_id, filename=upload.filename, blob=blob, actor=actor
        )
    except DomainError as exc:
        session.rollback()
        return _detail(
            request, session, actor, standard_id, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/standards/{standard_id}?note=attached", status_code=303)


@router.get("/standards/{standard_id}/document")
def document(session: DbSession, actor: CurrentActor, standard_id: int) -> Response:
    return document_response(service.get_document(session, standard_id=standard_id, actor=actor))


@router.post("/standards/{standard_id}/status", response_class=HTMLResponse)
def change_status(
    request: Request, session: DbSession, actor: UserActor, standard_id: int, form: PostedForm
) -> Response:
    try:
        status = _text(form, "status")
        if status not in labels.STATUSES:
            raise ValidationFailed(_("Choose the status of the standard."))
        data = _checked(
            StatusChange,
            status=status,
            code=_text(form, "code") or None,
            published_date=_date(_text(form, "published_date")),
        )
        service.change_status(session, standard_id=standard_id, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _detail(
            request, session, actor, standard_id, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/standards/{standard_id}", status_code=303)


@router.post("/standards/{standard_id}/participants", response_class=HTMLResponse)
def add_participant(
    request: Request, session: DbSession, actor: UserActor, standard_id: int, form: PostedForm
) -> Response:
    try:
        uscc = _text(form, "uscc")
        if not uscc:
            raise ValidationFailed(_("Choose the enterprise."))
        if _text(form, "remove") == "1":
            service.remove_participant(session, standard_id=standard_id, uscc=uscc, actor=actor)
        else:
            service.add_participant(session, standard_id=standard_id, uscc=uscc, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _detail(
            request, session, actor, standard_id, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/standards/{standard_id}#participants", status_code=303)
