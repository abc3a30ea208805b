"""HTML pages of the exchange: the board, a post with its matches and the thread."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.errors import DomainError, ValidationFailed
from plateau.exchange import labels, service
from plateau.exchange.schemas import PostCreate
from plateau.i18n import _
from plateau.registry import service as registry_service
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
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
    status_code: int = 200,
) -> HTMLResponse:
    posts = service.list_posts(
        session,
        actor=actor,
        kind=kind if kind in labels.KINDS else None,
        category=category if category in labels.CATEGORIES else None,
    )
    ctx = _ctx(
        session,
        actor,
        posts=posts,
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
    request: Request, session: DbSession, actor: CurrentActor, kind: str = "", category: str = ""
) -> Response:
    return _board(request, session, actor, kind=kind, category=category)


@router.post("/exchange", response_class=HTMLResponse)
async def post(request: Request, session: DbSession, actor: UserActor) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        try:
            data = PostCreate(
                kind=form.get("kind", ""),  # type: ignore[arg-type]
                category=form.get("category", ""),  # type: ignore[arg-type]
                title=form.get("title", ""),
                description=form.get("description", ""),
                quantity=form.get("quantity") or None,  # type: ignore[arg-type]
                unit=form.get("unit", ""),
                prefecture_code=form.get("prefecture_code", ""),
                from_date=date.fromisoformat(form.get("from_date", "")),
                until_date=date.fromisoformat(form.get("until_date", "")),
            )
        except (PydanticValidationError, ValueError) as exc:
            raise ValidationFailed(
                _("Please check the form: %(problem)s", problem=str(exc).splitlines()[0])
            ) from None
        created = service.create_post(session, data=data, actor=actor)
    except DomainError as exc:
        session.rollback()
        return _board(
            request, session, actor, error=exc.message, form=form, status_code=exc.status_code
        )
    return RedirectResponse(f"/exchange/{created.id}", status_code=303)


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
    ctx = _ctx(session, actor, post=p, enterprise=name, threads=threads)
    return render(request, "exchange/post.html", ctx, actor=actor, active="exchange")


@router.post("/exchange/threads/{need_id}/{offer_id}")
async def write(
    request: Request, session: DbSession, actor: UserActor, need_id: int, offer_id: int
) -> Response:
    form = await request.form()
    back = str(form.get("back", need_id))
    service.send(
        session, need_id=need_id, offer_id=offer_id, text=str(form.get("text", "")), actor=actor
    )
    return RedirectResponse(f"/exchange/{back if back.isdigit() else need_id}", status_code=303)


@router.post("/exchange/{post_id}/hide")
async def hide(request: Request, session: DbSession, actor: UserActor, post_id: int) -> Response:
    form = await request.form()
    service.hide(session, post_id=post_id, reason=str(form.get("reason", "")), actor=actor)
    return RedirectResponse(f"/exchange/{post_id}", status_code=303)
