"""催报: remind the enterprises whose return is overdue and not yet submitted.

The message goes through the platform's one messaging module (``plateau.messaging``): stored,
logged, shown on the enterprise's home page, and carried by whatever sender is plugged in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.errors import FieldError, ValidationFailed
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.messaging import service as messaging
from plateau.monitoring import access, returns
from plateau.monitoring.completeness import LateFiler, late_filers

KIND = "reminder"


@dataclass(frozen=True)
class Reminded:
    sent: list[str]  # USCCs reminded now
    skipped: int  # chosen but not overdue, already submitted, or reminded today


def remindable(row: LateFiler) -> bool:
    """Overdue and still not submitted (a return filed late needs no reminder)."""
    return row.overdue and row.submitted_at is None


def last_reminded(
    session: Session, *, period: str, rows: Sequence[LateFiler]
) -> dict[str, datetime]:
    """When each late filer was last reminded of this period, by USCC."""
    by_id = {int(r.enterprise["id"]): str(r.enterprise["uscc"]) for r in rows}
    sent = messaging.last_sent(session, kind=KIND, topic=period, enterprise_ids=by_id)
    return {by_id[eid]: at for eid, at in sent.items()}


def remind_late_filers(
    session: Session,
    *,
    period: str,
    usccs: Sequence[str] | None,
    note: str = "",
    actor: Actor,
    today: date | None = None,
) -> Reminded:
    """Send a reminder to the chosen overdue enterprises of the caller's area (all of them
    when ``usccs`` is None). Reviewers and the administrator only; at most once a day each."""
    access.require_reader(actor)
    if not access.may_review_any(actor):
        raise access.forbid_review(actor)
    if len(note) > 500:
        raise ValidationFailed(
            _("The note is longer than %(n)s characters.", n=500),
            [FieldError(_("Too long."), "note")],
        )
    p = returns.parse(period, today=returns.today_or(today))
    rows = late_filers(session, period=str(p), actor=actor, today=today)
    chosen = set(usccs) if usccs is not None else None
    if chosen is not None and not chosen:
        raise ValidationFailed(_("Choose at least one enterprise to remind."))
    candidates = [r for r in rows if chosen is None or str(r.enterprise["uscc"]) in chosen]
    earlier = last_reminded(session, period=str(p), rows=candidates)
    day = returns.today_or(today)
    drafts: list[messaging.Draft] = []
    sent: list[str] = []
    for r in candidates:
        uscc = str(r.enterprise["uscc"])
        if not remindable(r):
            continue
        before = earlier.get(uscc)
        if before is not None and before.astimezone(BEIJING).date() >= day:
            continue
        drafts.append(
            messaging.Draft(
                enterprise_id=int(r.enterprise["id"]),
                topic=str(p),
                params={
                    "uscc": uscc,
                    "deadline": r.deadline.astimezone(BEIJING).strftime("%Y-%m-%d"),
                    "days_late": r.days_late,
                },
            )
        )
        sent.append(uscc)
    messaging.send(session, kind=KIND, drafts=drafts, note=note, actor=actor)
    asked = len(chosen) if chosen is not None else len([r for r in rows if remindable(r)])
    return Reminded(sent=sent, skipped=max(0, asked - len(sent)))
