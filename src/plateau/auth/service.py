"""Users, passwords, sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from plateau.auth.models import ApiToken, User
from plateau.auth.schemas import (
    ROLE_SCOPE_KIND,
    Actor,
    Role,
    TokenCreate,
    UserCreate,
)
from plateau.db import utcnow
from plateau.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.i18n import _

_hasher = PasswordHasher()
TOKEN_PREFIX = "plt_"


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may manage users."))


def actor_for(user: User, *, via_token: bool = False) -> Actor:
    """Return the actor a user acts as."""
    return Actor(
        role=Role(user.role),
        user_id=user.id,
        username=user.username,
        scope=user.scope,
        via_token=via_token,
    )


def check_scope(session: Session, *, role: Role, scope: str | None) -> None:
    """Raise unless ``scope`` fits ``role`` and names a record that exists."""
    from plateau.registry import service as registry_service

    if role is Role.PUBLIC:
        raise ValidationFailed(_("The public role cannot be given to a user account."))
    kind = ROLE_SCOPE_KIND[role]
    if kind is None:
        if scope:
            raise ValidationFailed(_("Role %(role)s is region-wide and takes no scope.", role=role))
        return
    if not scope or not scope.startswith(kind + ":"):
        raise ValidationFailed(
            _("Role %(role)s needs a scope of the form %(kind)s:<id>.", role=role, kind=kind)
        )
    if not registry_service.scope_exists(session, scope=scope):
        raise ValidationFailed(_("Scope %(scope)s names nothing in the registry.", scope=scope))


def create_user(session: Session, *, data: UserCreate, actor: Actor) -> User:
    """Create a user account with a role and scope."""
    _require_admin(actor)
    check_scope(session, role=data.role, scope=data.scope)
    exists = session.scalar(
        select(User.id).where(func.lower(User.username) == data.username.lower())
    )
    if exists is not None:
        raise Conflict(_("User %(username)s already exists.", username=data.username))
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        password_hash=hash_password(data.password),
        role=data.role.value,
        scope=data.scope,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, username: str, password: str, actor: Actor) -> User:
    """Set a user's password (admin, or the user themself)."""
    user = get_user_by_username(session, username=username)
    if not (actor.is_admin or actor.user_id == user.id):
        raise Forbidden(_("You may only change your own password."))
    if len(password) < 8:
        raise ValidationFailed(_("A password needs at least 8 characters."))
    user.password_hash = hash_password(password)
    session.flush()
    return user


def get_user_by_username(session: Session, *, username: str) -> User:
    """Return the user named ``username`` or raise NotFound."""
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        raise NotFound(_("No user named %(username)s.", username=username))
    return user


def get_user(session: Session, *, user_id: int) -> User | None:
    """Return the user with this id, if any."""
    return session.get(User, user_id)


def list_users(session: Session, *, actor: Actor) -> list[User]:
    """List user accounts (region administrator only)."""
    _require_admin(actor)
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(session: Session, *, username: str, password: str) -> User:
    """Return the active user whose password matches, or raise Unauthorized."""
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    failure = Unauthorized(_("Wrong user name or password."))
    if user is None or not user.is_active or not user.password_hash:
        # Spend the same time as a real check so user names cannot be probed by timing.
        _hasher.hash(password)
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, *, username: str, data: TokenCreate, actor: Actor
) -> tuple[ApiToken, str]:
    """Issue an API token for a user; the plain token is returned once and never stored."""
    user = get_user_by_username(session, username=username)
    if not (actor.is_admin or actor.user_id == user.id):
        raise Forbidden(_("You may only create tokens for yourself."))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=data.name, token_hash=_token_hash(plain), prefix=plain[:10]
    )
    session.add(token)
    session.flush()
    return token, plain


def list_tokens(session: Session, *, actor: Actor) -> list[ApiToken]:
    """List the caller's own API tokens."""
    if actor.user_id is None:
        raise Unauthorized(_("Please log in."))
    stmt = select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)
    return list(session.scalars(stmt))


def revoke_token(session: Session, *, token_id: int, actor: Actor) -> ApiToken:
    """Revoke one of the caller's tokens (or any, for the administrator)."""
    token = session.get(ApiToken, token_id)
    if token is None or not (actor.is_admin or token.user_id == actor.user_id):
        raise NotFound(_("No such token."))
    token.revoked_at = utcnow()
    session.flush()
    return token


def actor_from_token(session: Session, *, token: str) -> Actor:
    """Resolve a bearer token to its actor, or raise Unauthorized."""
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _token_hash(token))
    ).first()
    if row is None:
        raise Unauthorized(_("The API token is not valid."))
    api_token, user = row
    if api_token.revoked_at is not None or not user.is_active:
        raise Unauthorized(_("The API token is not valid."))
    if _token_use_due(api_token.last_used_at):
        # Recorded after the request, in a short transaction of its own (web.deps): a read
        # must not write, and a stamp per call made every token GET a writer.
        session.info[PENDING_TOKEN_USE] = api_token.id
    return actor_for(user, via_token=True)


#: How coarsely a token's last use is recorded: at most one write per token per period.
TOKEN_USE_RESOLUTION = timedelta(minutes=15)
#: Key of ``Session.info`` naming the token whose use the request should record.
PENDING_TOKEN_USE = "plateau.pending_token_use"


def _token_use_due(last_used_at: datetime | None) -> bool:
    return last_used_at is None or last_used_at < utcnow() - TOKEN_USE_RESOLUTION


def record_token_use(session: Session, *, token_id: int) -> bool:
    """Stamp a token's last use unless it was stamped within the resolution; True if stamped."""
    now = utcnow()
    result = session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - TOKEN_USE_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def actor_from_session(session: Session, *, user_id: int | None) -> Actor | None:
    """Resolve a logged-in session's user id to an actor (None if gone or disabled)."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return actor_for(user)
