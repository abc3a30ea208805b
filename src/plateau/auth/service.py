"""Users, passwords, sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from plateau.auth.models import ApiToken, LoginFailure, SecurityEvent, User, UserSession
from plateau.auth.schemas import (
    ROLE_SCOPE_KIND,
    Actor,
    Role,
    TokenCreate,
    UserCreate,
)
from plateau.db import utcnow
from plateau.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from plateau.i18n import _

_hasher = PasswordHasher()
TOKEN_PREFIX = "plt_"

# Sign-in throttling: this many wrong passwords within the window lock the account name
# (or the address) until the window has passed since the last of them.
ACCOUNT_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
FAILURE_WINDOW = timedelta(minutes=15)
# zxcvbn's scale: 3 is "safely unguessable" against an online attack with throttling off.
MIN_PASSWORD_SCORE = 3


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password(password: str, *, username: str, display_name: str = "") -> None:
    """Raise unless ``password`` is long, uncommon and not built from the user's own names."""
    from zxcvbn import zxcvbn

    if len(password) < 8:
        raise ValidationFailed(_("A password needs at least 8 characters."))
    names = [n.lower() for n in (username, display_name) if n]
    parts = {p for n in names for p in re.split(r"[\W_]+", n) if len(p) >= 3}
    # What an attacker who knows the user's names still has to guess: the password without
    # them (zxcvbn alone scores "Zhang-Analyst-2026" as strong for user "analyst-zhang").
    rest = password.lower()
    for part in sorted({*names, *parts}, key=len, reverse=True):
        rest = rest.replace(part, "")
    # zxcvbn is quadratic in the length; the schema caps a password at 256 characters.
    score = zxcvbn(rest[:100], user_inputs=[*names, *parts])["score"] if rest else 0
    derived = len(rest) < 8
    if derived or score < MIN_PASSWORD_SCORE:
        raise ValidationFailed(
            _(
                "This password is too easy to guess: it is a common password or is built "
                "from the user name. Use a longer phrase of several unrelated words."
            ),
            [FieldError(_("Choose a harder password."), field="password")],
        )


def record_event(
    session: Session,
    *,
    kind: str,
    actor: Actor | None,
    subject: str = "",
    detail: str = "",
    address: str | None = None,
) -> SecurityEvent:
    """Add an entry to the security audit trail (in the caller's transaction)."""
    event = SecurityEvent(
        kind=kind,
        actor=actor.username if actor is not None else "",
        subject=subject[:128],
        detail=detail[:1000],
        address=address,
    )
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, *, actor: Actor, kind: str | None = None) -> list[SecurityEvent]:
    """List the security audit trail, newest first (region administrator only)."""
    _require_admin(actor)
    stmt = select(SecurityEvent).order_by(SecurityEvent.id.desc()).limit(1000)
    if kind:
        stmt = stmt.where(SecurityEvent.kind == kind)
    return list(session.scalars(stmt))


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
    check_password(data.password, username=data.username, display_name=data.display_name)
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
    check_password(password, username=user.username, display_name=user.display_name)
    user.password_hash = hash_password(password)
    # Whoever knew the old password may hold a session or have minted tokens: end them all.
    end_all_sessions(session, user_id=user.id)
    revoke_all_tokens(session, user_id=user.id)
    record_event(session, kind="password_changed", actor=actor, subject=user.username)
    return user


def change_own_password(
    session: Session, *, actor: Actor, current: str, new: str, address: str
) -> User:
    """Change the caller's own password after checking the current one (throttled)."""
    if actor.user_id is None:
        raise Unauthorized(_("Please log in."))
    if actor.via_token:
        raise Forbidden(_("Sign in with your password to change it; an API token cannot."))
    sign_in(session, username=actor.username, password=current, address=address)
    return set_password(session, username=actor.username, password=new, actor=actor)


def deactivate_user(session: Session, *, username: str, actor: Actor) -> User:
    """Disable an account and end its sessions and tokens (region administrator)."""
    _require_admin(actor)
    user = get_user_by_username(session, username=username)
    user.is_active = False
    end_all_sessions(session, user_id=user.id)
    revoke_all_tokens(session, user_id=user.id)
    record_event(session, kind="user_deactivated", actor=actor, subject=user.username)
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
    if actor.via_token:
        # A stolen token must not be able to outlive its own revocation by minting heirs.
        raise Forbidden(
            _("An API token cannot create tokens; sign in with your password to create one.")
        )
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


def revoke_all_tokens(session: Session, *, user_id: int) -> None:
    """Revoke every live API token of a user."""
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = utcnow()
    session.flush()


def _session_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(session: Session, *, user: User, max_age_s: int) -> str:
    """Open a server-side session for ``user`` and return the key its cookie carries."""
    now = utcnow()
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    key = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            key_hash=_session_hash(key),
            created_at=now,
            expires_at=now + timedelta(seconds=max_age_s),
        )
    )
    session.flush()
    return key


def end_session(session: Session, *, key: str | None) -> None:
    """End one browser session (logout)."""
    if key:
        session.execute(delete(UserSession).where(UserSession.key_hash == _session_hash(key)))


def end_all_sessions(session: Session, *, user_id: int) -> None:
    """End every browser session of a user."""
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def actor_from_session(session: Session, *, key: str | None) -> Actor | None:
    """Resolve a session cookie's key to an actor (None if ended, expired, or disabled)."""
    if not key or not isinstance(key, str):
        return None
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == _session_hash(key))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if user_session.expires_at <= utcnow() or not user.is_active:
        return None
    return actor_for(user)


class TooManyAttempts(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 429, "too_many_attempts")


def _failures_since(
    session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
) -> list[datetime]:
    stmt = (
        select(LoginFailure.failed_at)
        .where(column == value, LoginFailure.failed_at > since)
        .order_by(LoginFailure.failed_at.desc())
    )
    return list(session.scalars(stmt))


def _check_throttle(session: Session, *, username: str, address: str, now: datetime) -> None:
    since = now - FAILURE_WINDOW
    for column, value, limit in (
        (LoginFailure.username, username, ACCOUNT_FAILURE_LIMIT),
        (LoginFailure.address, address, ADDRESS_FAILURE_LIMIT),
    ):
        recent = _failures_since(session, column, value, since)
        if len(recent) >= limit:
            wait = recent[0] + FAILURE_WINDOW - now
            minutes = max(1, -(-int(wait.total_seconds()) // 60))
            raise TooManyAttempts(
                _(
                    "Too many wrong passwords: signing in is locked for %(minutes)s minute(s). "
                    "Try again later or ask the administrator.",
                    minutes=minutes,
                )
            )


def sign_in(session: Session, *, username: str, password: str, address: str) -> User:
    """Check a password with throttling per account name and per address.

    A wrong password is recorded even though Unauthorized is raised: the caller must
    commit its transaction on that error (the login page does), or the throttle forgets.
    """
    name = username.strip().lower()[:64]
    address = address[:64]
    now = utcnow()
    _check_throttle(session, username=name, address=address, now=now)
    try:
        user = authenticate(session, username=username, password=password)
    except Unauthorized:
        session.add(LoginFailure(username=name, address=address, failed_at=now))
        session.flush()
        since = now - FAILURE_WINDOW
        for kind, column, value, limit in (
            ("login_locked", LoginFailure.username, name, ACCOUNT_FAILURE_LIMIT),
            ("address_locked", LoginFailure.address, address, ADDRESS_FAILURE_LIMIT),
        ):
            if len(_failures_since(session, column, value, since)) == limit:
                record_event(
                    session,
                    kind=kind,
                    actor=None,
                    subject=name,
                    address=address,
                    detail=f"{limit} wrong passwords within {FAILURE_WINDOW}",
                )
        raise
    session.execute(delete(LoginFailure).where(LoginFailure.username == name))
    # Old failures of every account are of no use past the window.
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - FAILURE_WINDOW))
    return user
