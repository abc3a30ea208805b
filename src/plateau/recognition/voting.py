"""One-time codes for the public vote, and the pluggable sender that delivers them.

Only a keyed hash of a phone number is stored, so the ballots can be tallied and checked
for stuffing without keeping anyone's number. The sender is chosen by the
``PLATEAU_SMS_SENDER`` setting; "log" (development and tests) writes the code to the log
and never to the network. A production SMS gateway registers itself in ``SENDERS``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from plateau.db import utcnow
from plateau.errors import Conflict, ValidationFailed
from plateau.i18n import _
from plateau.recognition.models import OneTimeCode

log = logging.getLogger("plateau.recognition.sms")

CODE_TTL = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 5
PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")

Sender = Callable[[str, str], None]


class WrongCode(ValidationFailed):
    """A wrong one-time code. The attempt it used up must outlive the request's rollback:
    the route commits before answering, so every web worker sees the same count."""


def log_sender(phone: str, code: str) -> None:
    """Write the code to the log (development and tests)."""
    log.info("one-time code for %s: %s", phone, code)


SENDERS: dict[str, Sender] = {"log": log_sender}


def sender() -> Sender:
    from plateau.settings import get_settings

    name = get_settings().sms_sender
    return SENDERS.get(name, log_sender)


def normal_phone(phone: str) -> str:
    """Return the 11-digit mainland mobile number, or refuse the input."""
    m = PHONE.match(re.sub(r"[\s-]", "", phone))
    if m is None:
        raise ValidationFailed(_("Enter a mainland China mobile number (11 digits)."))
    return m.group(1)


def _key() -> bytes:
    from plateau.settings import get_settings

    return get_settings().resolved_secret_key().encode()


def phone_hash(phone: str) -> str:
    return hmac.new(_key(), b"voter:" + normal_phone(phone).encode(), hashlib.sha256).hexdigest()


def _code_hash(p_hash: str, code: str) -> str:
    return hashlib.sha256(f"{p_hash}:{code}".encode()).hexdigest()


def request_code(
    session: Session, *, phone: str, now: datetime | None = None, send: Sender | None = None
) -> None:
    """Send a six-digit code to a phone (at most one a minute per number)."""
    now = now or utcnow()
    number = normal_phone(phone)
    p_hash = phone_hash(number)
    recent = session.scalar(
        select(OneTimeCode.id).where(
            OneTimeCode.phone_hash == p_hash,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now + CODE_TTL - RESEND_AFTER,
        )
    )
    if recent is not None:
        raise Conflict(_("A code was just sent to this number; please wait a minute."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(
        OneTimeCode(
            phone_hash=p_hash, code_hash=_code_hash(p_hash, code), expires_at=now + CODE_TTL
        )
    )
    session.flush()
    (send or sender())(number, code)


def verify_code(session: Session, *, phone: str, code: str, now: datetime) -> str:
    """Use up a valid code for a phone and return the phone's hash, or refuse."""
    p_hash = phone_hash(phone)
    row = session.scalar(
        select(OneTimeCode)
        .where(
            OneTimeCode.phone_hash == p_hash,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .order_by(OneTimeCode.id.desc())
        .limit(1)
        # Concurrent guesses for one number queue here (PostgreSQL; SQLite writers are
        # serialised by BEGIN IMMEDIATE), so no two of them read the same count.
        .with_for_update()
    )
    if row is None or row.attempts >= MAX_ATTEMPTS:
        raise ValidationFailed(_("The code has expired or was already used; ask for a new one."))
    if not hmac.compare_digest(row.code_hash, _code_hash(p_hash, code.strip())):
        session.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == row.id)
            .values(attempts=OneTimeCode.attempts + 1)
        )
        left = MAX_ATTEMPTS - row.attempts - 1
        raise WrongCode(
            _("The code is not correct; %(n)s tries left.", n=left)
            if left > 0
            else _("The code is not correct; ask for a new one.")
        )
    row.used_at = now
    session.flush()
    return p_hash
