"""JSON API of the 供需对接 exchange."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from plateau.exchange import service
from plateau.exchange.schemas import (
    Category,
    HideRequest,
    Kind,
    MessageCreate,
    MessageRead,
    NoticeRead,
    PostCreate,
    PostRead,
    PostUpdate,
)
from plateau.paging import MAX_PER_PAGE, Page, page_of
from plateau.tabular import export_response
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor

router = APIRouter(prefix="/exchange", tags=["exchange"], dependencies=[Csrf])


@router.get("/posts", response_model=Page[PostRead])
def posts(
    session: DbSession,
    actor: CurrentActor,
    kind: Kind | None = None,
    category: Category | None = None,
    format: Literal["json", "csv", "xlsx"] = "json",
    page: int = Query(1, ge=1),
    per_page: int = Query(30, ge=1, le=MAX_PER_PAGE),
) -> Page[PostRead] | Response:
    """Active offers and needs (no contact details), newest first, a page at a time; CSV or
    Excel export of all of them."""
    if format != "json":
        return export_response(
            format,
            service.export_columns(),
            service.export_rows(session, actor=actor),
            filename="exchange",
        )
    found = service.page_posts(
        session, actor=actor, kind=kind, category=category, page=page, per_page=per_page
    )
    return page_of(PostRead, found, lambda row: service.read(*row))


@router.post("/posts", response_model=PostRead, status_code=201)
def create(session: DbSession, actor: UserActor, data: PostCreate) -> PostRead:
    """Post an offer or a need for one's enterprise; both sides of every match are told."""
    post = service.create_post(session, data=data, actor=actor)
    return service.read(*service.get_post(session, post_id=post.id, actor=actor))


@router.put("/posts/{post_id}", response_model=PostRead)
def update(session: DbSession, actor: UserActor, post_id: int, data: PostUpdate) -> PostRead:
    """Change one's own offer or need (403 for anyone else's)."""
    post = service.update_post(session, post_id=post_id, data=data, actor=actor)
    return service.read(*service.get_post(session, post_id=post.id, actor=actor))


@router.post("/posts/{post_id}/withdraw", response_model=PostRead)
def withdraw(session: DbSession, actor: UserActor, post_id: int) -> PostRead:
    """Take one's own offer or need off the board."""
    post = service.withdraw_post(session, post_id=post_id, actor=actor)
    return service.read(*service.get_post(session, post_id=post.id, actor=actor))


@router.get("/posts/{post_id}/matches", response_model=list[PostRead])
def matches(session: DbSession, actor: CurrentActor, post_id: int) -> list[PostRead]:
    """The posts on the other side that fit this one."""
    return [service.read(p, n) for p, n in service.matches(session, post_id=post_id, actor=actor)]


@router.post("/posts/{post_id}/hide", response_model=PostRead)
def hide(session: DbSession, actor: UserActor, post_id: int, data: HideRequest) -> PostRead:
    """Hide a post with a reason (the association and the region administrator)."""
    post = service.hide(session, post_id=post_id, reason=data.reason, actor=actor)
    return service.read(*service.get_post(session, post_id=post.id, actor=actor))


@router.get("/notices", response_model=list[NoticeRead])
def notices(session: DbSession, actor: UserActor) -> list[NoticeRead]:
    """The matches the caller's enterprise was told of."""
    return service.notices(session, actor=actor)


@router.get("/threads/{need_id}/{offer_id}", response_model=list[MessageRead])
def thread(session: DbSession, actor: UserActor, need_id: int, offer_id: int) -> list[MessageRead]:
    """The messages between a need and an offer (their two enterprises, moderators)."""
    return service.thread(session, need_id=need_id, offer_id=offer_id, actor=actor)


@router.post("/threads/{need_id}/{offer_id}", response_model=MessageRead, status_code=201)
def send(
    session: DbSession, actor: UserActor, need_id: int, offer_id: int, data: MessageCreate
) -> MessageRead:
    """Write to the other side through the platform."""
    service.send(session, need_id=need_id, offer_id=offer_id, text=data.text, actor=actor)
    return service.thread(session, need_id=need_id, offer_id=offer_id, actor=actor)[-1]
