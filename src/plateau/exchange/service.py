"""The 供需对接 exchange: offers and needs, matching with notices, threads, moderation.

Posts are public while active and not expired, but they never carry personal contact
details: a description with a phone number or an e-mail address is refused, and contact
goes through the platform's threads. Expiry is read from ``until_date`` (a GET writes
nothing). The association (organisers) and the region administrator moderate.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.db import utcnow
from plateau.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.exchange.models import Message, Notice, Post
from plateau.exchange.schemas import MessageRead, NoticeRead, PostCreate, PostRead, PostUpdate
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.paging import Paged, paginate
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise
from plateau.tabular import Column

CONTACT = re.compile(
    r"(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}|[\w.+-]+@[\w-]+\.[\w.]+|0\d{2,3}[\s-]?\d{7,8}|微信|wechat",
    re.IGNORECASE,
)


def today() -> date:
    return utcnow().astimezone(BEIJING).date()


def may_moderate(actor: Actor) -> bool:
    """The association (organisers) and the region administrator moderate the exchange, and
    the design platform by the same rule (design calls this one)."""
    return actor.is_admin or actor.role is Role.ORGANISER


def _own_enterprise(session: Session, actor: Actor, uscc: str | None) -> Enterprise:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if actor.role is Role.ENTERPRISE_USER and actor.scope_kind == "enterprise":
        if uscc and uscc != actor.scope_value:
            raise Forbidden(_("An enterprise posts and writes only for itself."))
        uscc = actor.scope_value
    elif not actor.is_admin:
        raise Forbidden(_("Enterprises post offers and needs."))
    if not uscc:
        raise ValidationFailed(_("Say which enterprise posts."))
    return registry_service.get_enterprise(session, uscc=uscc, actor=SYSTEM)


def _check_no_contact(text: str) -> None:
    if CONTACT.search(text):
        raise ValidationFailed(
            _(
                "Posts are public: leave out phone numbers, e-mail and messenger accounts; contact goes through the platform."
            )
        )


def _counterparts(post: Post, on: date) -> Select[Post]:
    return select(Post).where(
        Post.kind == ("offer" if post.kind == "need" else "need"),
        Post.category == post.category,
        Post.hidden_at.is_(None),
        Post.withdrawn_at.is_(None),
        Post.until_date >= on,
        Post.from_date <= post.until_date,
        Post.until_date >= post.from_date,
        Post.enterprise_id != post.enterprise_id,
    )


def create_post(session: Session, *, data: PostCreate, actor: Actor) -> Post:
    """Post an offer or a need; every fitting counterpart's enterprise and the poster are told."""
    ent = _own_enterprise(session, actor, data.enterprise_uscc)
    _check_no_contact(data.title + " " + data.description)
    if data.until_date < today():
        raise ValidationFailed(_("The post would already be expired."))
    if not registry_service.scope_exists(session, scope=f"prefecture:{data.prefecture_code}"):
        raise ValidationFailed(_("Choose a prefecture of the region."))
    post = Post(
        **data.model_dump(exclude={"enterprise_uscc"}),
        enterprise_id=ent.id,
        author_user_id=actor.user_id,
    )
    session.add(post)
    session.flush()
    _notify_matches(session, post)
    return post


def _notify_matches(session: Session, post: Post) -> None:
    """Tell both sides of every fitting pair they have not been told of yet."""
    told = set(
        session.execute(
            select(Notice.enterprise_id, Notice.need_id, Notice.offer_id).where(
                (Notice.need_id == post.id) | (Notice.offer_id == post.id)
            )
        )
    )
    for other in session.scalars(_counterparts(post, today())):
        need, offer = (post, other) if post.kind == "need" else (other, post)
        for ent_id in {post.enterprise_id, other.enterprise_id}:
            if (ent_id, need.id, offer.id) not in told:
                session.add(Notice(enterprise_id=ent_id, need_id=need.id, offer_id=offer.id))
    session.flush()


def may_edit(session: Session, post: Post, actor: Actor) -> bool:
    """Tell whether the caller speaks for the post's enterprise (or is the administrator)."""
    if actor.is_admin:
        return True
    if actor.role is not Role.ENTERPRISE_USER or actor.scope_kind != "enterprise":
        return False
    uscc = session.scalar(select(Enterprise.uscc).where(Enterprise.id == post.enterprise_id))
    return uscc == actor.scope_value


def _own_post(session: Session, post_id: int, actor: Actor) -> Post:
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    post, _name = get_post(session, post_id=post_id, actor=actor)
    if not may_edit(session, post, actor):
        raise Forbidden(_("Only the enterprise that posted it may change or withdraw a post."))
    return post


def update_post(session: Session, *, post_id: int, data: PostUpdate, actor: Actor) -> Post:
    """Change one's own offer or need; posts that now fit are told, as for a new post."""
    post = _own_post(session, post_id, actor)
    if post.withdrawn_at is not None:
        raise Conflict(_("The post was withdrawn; post it anew."))
    _check_no_contact(data.title + " " + data.description)
    if data.until_date < today():
        raise ValidationFailed(_("The post would already be expired."))
    if not registry_service.scope_exists(session, scope=f"prefecture:{data.prefecture_code}"):
        raise ValidationFailed(_("Choose a prefecture of the region."))
    for key, value in data.model_dump().items():
        setattr(post, key, value)
    post.updated_at = utcnow()
    session.flush()
    _notify_matches(session, post)
    return post


def withdraw_post(session: Session, *, post_id: int, actor: Actor) -> Post:
    """Take one's own post off the board (its threads stay readable to both sides)."""
    post = _own_post(session, post_id, actor)
    if post.withdrawn_at is None:
        post.withdrawn_at = utcnow()
        session.flush()
    return post


def _visible(actor: Actor, on: date) -> Any:
    if may_moderate(actor):
        return Post.id.is_not(None)
    own = (
        Post.enterprise_id.in_(select(Enterprise.id).where(Enterprise.uscc == actor.scope_value))
        if actor.role is Role.ENTERPRISE_USER
        else None
    )
    public = Post.hidden_at.is_(None) & Post.withdrawn_at.is_(None) & (Post.until_date >= on)
    return or_(public, own) if own is not None else public


def _posts(actor: Actor, kind: str | None, category: str | None) -> Select[Post, str]:
    stmt = (
        select(Post, Enterprise.name)
        .join(Enterprise, Enterprise.id == Post.enterprise_id)
        .where(_visible(actor, today()))
    )
    if kind:
        stmt = stmt.where(Post.kind == kind)
    if category:
        stmt = stmt.where(Post.category == category)
    return stmt


def list_posts(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    category: str | None = None,
) -> list[tuple[Post, str]]:
    """Every post the caller may see, newest first (moderators also see hidden and expired
    ones; enterprises their own): for exports and commands; pages use :func:`page_posts`."""
    stmt = _posts(actor, kind, category).order_by(Post.created_at.desc(), Post.id.desc())
    return [(p, name) for p, name in session.execute(stmt)]


def page_posts(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    category: str | None = None,
    page: int = 1,
    per_page: int = 30,
) -> Paged[tuple[Post, str]]:
    """One page of the board, newest first, cut in SQL."""
    stmt = _posts(actor, kind, category).order_by(Post.created_at.desc(), Post.id.desc())
    return paginate(session, stmt, page=page, per_page=per_page)


def get_post(session: Session, *, post_id: int, actor: Actor) -> tuple[Post, str]:
    row = session.execute(
        select(Post, Enterprise.name)
        .join(Enterprise, Enterprise.id == Post.enterprise_id)
        .where(Post.id == post_id, _visible(actor, today()))
    ).first()
    if row is None:
        raise NotFound(_("No such post."))
    return row[0], row[1]


def read(post: Post, enterprise: str) -> PostRead:
    return PostRead(
        id=post.id,
        kind=post.kind,
        category=post.category,
        title=post.title,
        description=post.description,
        quantity=post.quantity,
        unit=post.unit,
        prefecture_code=post.prefecture_code,
        from_date=post.from_date,
        until_date=post.until_date,
        enterprise=enterprise,
        expired=post.until_date < today(),
        hidden=post.hidden_at is not None,
        withdrawn=post.withdrawn_at is not None,
    )


def matches(session: Session, *, post_id: int, actor: Actor) -> list[tuple[Post, str]]:
    """The active posts on the other side that fit this one (category, dates)."""
    post, _name = get_post(session, post_id=post_id, actor=actor)
    return [
        (p, name)
        for p, name in session.execute(
            _counterparts(post, today())
            .add_columns(Enterprise.name)
            .join(Enterprise, Enterprise.id == Post.enterprise_id)
            .order_by(Post.from_date, Post.id)
        )
    ]


def notices(session: Session, *, actor: Actor) -> list[NoticeRead]:
    """The matches an enterprise has been told of."""
    if actor.role is not Role.ENTERPRISE_USER:
        return []
    ent = _own_enterprise(session, actor, None)
    need = Post.__table__.alias("need")
    offer = Post.__table__.alias("offer")
    rows = session.execute(
        select(Notice, need.c.title, offer.c.title)
        .join(need, need.c.id == Notice.need_id)
        .join(offer, offer.c.id == Notice.offer_id)
        .where(Notice.enterprise_id == ent.id)
        .order_by(Notice.created_at.desc())
        .limit(200)
    )
    return [
        NoticeRead(
            need_id=n.need_id,
            offer_id=n.offer_id,
            need_title=nt,
            offer_title=ot,
            created_at=n.created_at,
        )
        for n, nt, ot in rows
    ]


def _pair(
    session: Session, need_id: int, offer_id: int, actor: Actor
) -> tuple[Post, Post, int | None]:
    need = session.get(Post, need_id)
    offer = session.get(Post, offer_id)
    if need is None or offer is None or need.kind != "need" or offer.kind != "offer":
        raise NotFound(_("No such thread."))
    mine: int | None = None
    if actor.role is Role.ENTERPRISE_USER and actor.scope_kind == "enterprise":
        ent = _own_enterprise(session, actor, None)
        if ent.id in (need.enterprise_id, offer.enterprise_id):
            mine = ent.id
    if mine is None and not may_moderate(actor):
        raise NotFound(_("No such thread."))
    return need, offer, mine


def send(session: Session, *, need_id: int, offer_id: int, text: str, actor: Actor) -> Message:
    """Write to the other side of a need and an offer; the platform keeps the thread."""
    need, offer, mine = _pair(session, need_id, offer_id, actor)
    if mine is None:
        raise Forbidden(_("Only the two enterprises write in their thread."))
    if need.category != offer.category:
        raise ValidationFailed(_("The need and the offer are not of the same kind of goods."))
    if not text.strip():
        raise ValidationFailed(_("Write a message."))
    message = Message(
        need_id=need.id, offer_id=offer.id, from_enterprise_id=mine, text=text.strip()
    )
    session.add(message)
    other = offer.enterprise_id if mine == need.enterprise_id else need.enterprise_id
    exists = session.scalar(
        select(Notice.id).where(
            Notice.enterprise_id == other, Notice.need_id == need.id, Notice.offer_id == offer.id
        )
    )
    if exists is None:
        session.add(Notice(enterprise_id=other, need_id=need.id, offer_id=offer.id))
    session.flush()
    return message


def thread(session: Session, *, need_id: int, offer_id: int, actor: Actor) -> list[MessageRead]:
    """The messages between a need and an offer (the two enterprises and moderators)."""
    _pair(session, need_id, offer_id, actor)
    return [
        MessageRead(id=m.id, sender=name, text=m.text, sent_at=m.sent_at)
        for m, name in session.execute(
            select(Message, Enterprise.name)
            .join(Enterprise, Enterprise.id == Message.from_enterprise_id)
            .where(Message.need_id == need_id, Message.offer_id == offer_id)
            .order_by(Message.id)
        )
    ]


def hide(session: Session, *, post_id: int, reason: str, actor: Actor) -> Post:
    """Hide a post from the public with a recorded reason (the association moderates)."""
    if not may_moderate(actor):
        raise Forbidden(_("Only the association and the region administrator moderate."))
    if len(reason.strip()) < 4:
        raise ValidationFailed(_("Give the reason for hiding the post."))
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(_("No such post."))
    post.hidden_at = utcnow()
    post.hidden_reason = reason.strip()
    session.flush()
    return post


def export_columns() -> list[Column]:
    return [
        Column("id", _("No.")),
        Column("kind", _("Offer or need")),
        Column("category", _("Category of goods")),
        Column("title", _("Title")),
        Column("quantity", _("Quantity")),
        Column("unit", _("Unit")),
        Column("place", _("Place")),
        Column("from_date", _("From")),
        Column("until_date", _("Until")),
        Column("enterprise", _("Enterprise")),
    ]


def export_rows(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """The posts the caller sees, as rows with names for people."""
    from plateau.exchange import labels
    from plateau.formatting import loc

    places = {p.code: p for p in registry_service.list_prefectures(session, actor=SYSTEM)}
    return [
        {
            "id": p.id,
            "kind": labels.name(labels.KINDS, p.kind),
            "category": labels.name(labels.CATEGORIES, p.category),
            "title": p.title,
            "quantity": p.quantity,
            "unit": p.unit,
            "place": loc(places.get(p.prefecture_code)),
            "from_date": p.from_date,
            "until_date": p.until_date,
            "enterprise": name,
        }
        for p, name in list_posts(session, actor=actor)
    ]
