"""HTML pages of the exchange: the board, a post with its matches and the thread."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.errors import DomainError, Forbidden, ValidationFailed
from plateau.exchange import labels, service
from plateau.exchange.models import Post
from plateau.exchange.schemas import PostCreate, PostUpdate
from plateau.i18n import _
from plateau.registry import service as registry_service
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PostedForm
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])


def _ctx(session: Session, actor: Actor, **more: Any) -> dict[str, Any]:
    return {
        "labels": labels,
        "L": labels.name,
        "places": {p.code: p for p in registry_service.list_prefectures(session, actor=actor)},
        "may_post": actor.role is Role.ENTERPRISE_USER,
        "moderator": service.may_moderate(actor),
        "today": service.today(),
        **more,
    }


def _board(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    kind: str = "",
    category: str = "",
    page: int = 1,
    status_code: int = 200,
) -> HTMLResponse:
    found = service.page_posts(
        session,
        actor=actor,
        kind=kind if kind in labels.KINDS else None,
        category=category if category in labels.CATEGORIES else None,
        page=page,
    )
    query = urlencode({k: v for k, v in (("kind", kind), ("category", category)) if v})
    ctx = _ctx(
        session,
        actor,
        posts=found.items,
        board=found,
        query=query,
        notices=service.notices(session, actor=actor),
        error=error,
        form=form or {},
        filters={"kind": kind, "category": category},
    )
    return render(
        request, "exchange/index.html", ctx, actor=actor, status_code=status_code, active="exchange"
    )


@router.get("/exchange", response_class=HTMLResponse)
def board(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    kind: str = "",
    category: str = "",
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    return _board(request, session, actor, kind=kind, category=category, page=page)


def _post_fields(form: dict[str, str]) -> dict[str, Any]:
    """The post form's values, read; a bad one becomes a message in the user's language."""
    try:
        return {
            "category": form.get("category", ""),
            "title": form.get("title", ""),
            "description": form.get("description", ""),
            "quantity": form.get("quantity") or None,
            "unit": form.get("unit", ""),
            "prefecture_code": form.get("prefecture_code", ""),
            "from_date": date.fromisoformat(form.get("from_date", "")),
            "until_date": date.fromisoformat(form.get("until_date", "")),
        }
    except ValueError:
        raise ValidationFailed(_("Give the dates as year-month-day.")) from None


def _checked(cls: type[PostCreate] | type[PostUpdate], **values: Any) -> Any:
    try:
        return cls(**values)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ValidationFailed(
            _("Please check %(field)s: %(problem)s", field=where, problem=first.get("msg", ""))
        ) from None


def _strings(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/exchange", response_class=HTMLResponse)
def post(request: Request, session: DbSession, actor: UserActor, form: PostedForm) -> Response:
    values = _strings(form)
    try:
        data = _checked(PostCreate, kind=values.get("kind", ""), **_post_fields(values))
        created = service.create_post(session, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _board(
            request, session, actor, error=exc.message, form=values, status_code=exc.status_code
        )
    return RedirectResponse(f"/exchange/{created.id}", status_code=303)


def _edit_page(
    request: Request,
    session: Session,
    actor: Actor,
    post: Post,
    form: dict[str, str],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = _ctx(session, actor, post=post, form=form, error=error)
    return render(
        request,
        "exchange/edit.html",
        ctx,
        actor=actor,
        status_code=status_code,
        active="exchange",
    )


def _form_of(post: Post) -> dict[str, str]:
    return {
        "category": post.category,
        "title": post.title,
        "description": post.description,
        "quantity": "" if post.quantity is None else f"{post.quantity.normalize():f}",
        "unit": post.unit,
        "prefecture_code": post.prefecture_code,
        "from_date": post.from_date.isoformat(),
        "until_date": post.until_date.isoformat(),
    }


def _own(session: Session, actor: Actor, post_id: int) -> Post:
    p, _name = service.get_post(session, post_id=post_id, actor=actor)
    if not service.may_edit(session, p, actor):
        raise Forbidden(_("Only the enterprise that posted it may change or withdraw a post."))
    return p


@router.get("/exchange/{post_id}/edit", response_class=HTMLResponse)
def edit(request: Request, session: DbSession, actor: UserActor, post_id: int) -> Response:
    p = _own(session, actor, post_id)
    return _edit_page(request, session, actor, p, _form_of(p))


@router.post("/exchange/{post_id}/edit", response_class=HTMLResponse)
def save(
    request: Request, session: DbSession, actor: UserActor, post_id: int, form: PostedForm
) -> Response:
    values = _strings(form)
    try:
        data = _checked(PostUpdate, **_post_fields(values))
        service.update_post(session, post_id=post_id, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        p = _own(session, actor, post_id)
        return _edit_page(
            request, session, actor, p, values, error=exc.message, status_code=exc.status_code
        )
    return RedirectResponse(f"/exchange/{post_id}", status_code=303)


@router.post("/exchange/{post_id}/withdraw")
def withdraw(request: Request, session: DbSession, actor: UserActor, post_id: int) -> Response:
    service.withdraw_post(session, post_id=post_id, actor=actor)
    return RedirectResponse(f"/exchange/{post_id}", status_code=303)


@router.get("/exchange/{post_id}", response_class=HTMLResponse)
def detail(request: Request, session: DbSession, actor: CurrentActor, post_id: int) -> Response:
    p, name = service.get_post(session, post_id=post_id, actor=actor)
    found = service.matches(session, post_id=post_id, actor=actor)
    threads = []
    for other, other_name in found:
        need, offer = (p, other) if p.kind == "need" else (other, p)
        try:
            messages = service.thread(session, need_id=need.id, offer_id=offer.id, actor=actor)
        except DomainError:
            messages = None  # not a party to this pair
        threads.append((other, other_name, need.id, offer.id, messages))
    ctx = _ctx(
        session,
        actor,
        post=p,
        enterprise=name,
        threads=threads,
        may_edit=service.may_edit(session, p, actor),
    )
    return render(request, "exchange/post.html", ctx, actor=actor, active="exchange")


@router.post("/exchange/threads/{need_id}/{offer_id}")
def write(
    request: Request,
    session: DbSession,
    actor: UserActor,
    need_id: int,
    offer_id: int,
    form: PostedForm,
) -> Response:
    back = str(form.get("back", need_id))
    service.send(
        session, need_id=need_id, offer_id=offer_id, text=str(form.get("text", "")), actor=actor
    )
    return RedirectResponse(f"/exchange/{back if back.isdigit() else need_id}", status_code=303)


@router.post("/exchange/{post_id}/hide")
def hide(
    request: Request, session: DbSession, actor: UserActor, post_id: int, form: PostedForm
) -> Response:
    service.hide(session, post_id=post_id, reason=str(form.get("reason", "")), actor=actor)
    return RedirectResponse(f"/exchange/{post_id}", status_code=303)
