"""HTML pages of the standards programme: progress against 专栏2, the register, a standard's
page with its lifecycle and participants, and enterprises' self-declarations."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from plateau.auth.schemas import Actor, Role
from plateau.errors import DomainError, Forbidden, ValidationFailed
from plateau.i18n import _
from plateau.registry import service as registry_service
from plateau.standards import labels, service
from plateau.standards.schemas import DeclarationCreate, StandardCreate, StatusChange
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PostedForm
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])


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
    error: str | None = None,
    note: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    ctx = _common(session, actor)
    industries = ctx["industries"]
    declarer = actor.is_admin or actor.role is Role.ENTERPRISE_USER
    ctx |= {
        "programme": service.programme(session),
        "standards": service.list_standards(
            session,
            status=status if status in labels.STATUSES else None,
            level=level if level in labels.LEVELS else None,
            industry=industry if industry in industries else None,
        ),
        "declarations": service.list_declarations(session)[:50],
        "filters": {"status": status, "level": level, "industry": industry},
        "declarer": declarer,
        "published": service.list_standards(session, status="published") if declarer else [],
        "declaring_enterprises": service.enterprise_choices(session, actor=actor)
        if declarer
        else [],
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
    note: str = "",
) -> Response:
    shown = {
        "declared": _("Your self-declaration is public."),
        "withdrawn": _("The self-declaration was withdrawn."),
    }.get(note, "")
    return _index(
        request, session, actor, status=status, level=level, industry=industry, note=shown
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
    }
    return render(
        request, "standards/new.html", ctx, actor=actor, status_code=status_code, active="standards"
    )


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
        "candidates": [
            c
            for c in service.enterprise_choices(session, actor=actor)
            if c[0] not in {u for u, _n in taking_part}
        ]
        if actor.is_admin
        else [],
        "error": error,
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
def detail(request: Request, session: DbSession, actor: CurrentActor, standard_id: int) -> Response:
    return _detail(request, session, actor, standard_id)


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
