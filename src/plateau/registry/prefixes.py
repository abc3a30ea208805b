"""GS1 company prefixes: who may register which GTIN, and whose GTIN a product really is.

A GTIN belongs to the enterprise holding the GS1 company prefix it was built from (GS1
General Specifications §1.4.2: the brand owner, the licensee of the prefix, allocates the
GTIN). Registering a product therefore needs the prefix: an enterprise registers GTINs of
its own prefixes only; an officer may register another GTIN for an enterprise with a
recorded reason (a GTIN assigned by a brand owner that has no account here), which goes to
the security audit trail. Prefix ranges and GS1 prefixes are checked with ``biip``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM, Actor
from plateau.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from plateau.i18n import _
from plateau.registry import access
from plateau.registry.enterprises import get_enterprise
from plateau.registry.identifiers import IdentifierError, validate_gtin
from plateau.registry.models import CompanyPrefix, Enterprise
from plateau.registry.schemas import CompanyPrefixCreate

LICENSED_LENGTHS = range(6, 13)


@dataclass(frozen=True)
class Holder:
    """The enterprise holding the range a GTIN lies in."""

    enterprise_id: int
    prefix: str
    kind: str


def _key(gtin14: str) -> str:
    # Company prefixes are written in the GTIN-13 form: drop the packaging indicator (or the
    # padding zero of a GTIN-13/12).
    return gtin14[1:]


def _candidates(gtin14: str) -> list[str]:
    key = _key(gtin14)
    return [gtin14] + [key[:n] for n in LICENSED_LENGTHS]


def holder_of(session: Session, *, gtin: str) -> Holder | None:
    """Return who holds the range of a (14-digit) GTIN, or None if nobody registered it."""
    rows = session.execute(
        select(CompanyPrefix.enterprise_id, CompanyPrefix.prefix, CompanyPrefix.kind).where(
            CompanyPrefix.prefix.in_(_candidates(gtin))
        )
    ).all()
    if not rows:
        return None
    best = max(rows, key=lambda r: len(r.prefix))
    return Holder(best.enterprise_id, best.prefix, best.kind)


def holders_of(session: Session, gtins: Iterable[str]) -> dict[str, Holder]:
    """Map each GTIN that lies in a registered range to the range's holder."""
    found: dict[str, Holder] = {}
    wanted = sorted(set(gtins))
    # Chunked: the candidate list grows with the input (8 per GTIN).
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        candidates = {c for g in chunk for c in _candidates(g)}
        ranges = {
            r.prefix: Holder(r.enterprise_id, r.prefix, r.kind)
            for r in session.execute(
                select(CompanyPrefix.enterprise_id, CompanyPrefix.prefix, CompanyPrefix.kind).where(
                    CompanyPrefix.prefix.in_(sorted(candidates))
                )
            )
        }
        for g in chunk:
            hits = [c for c in _candidates(g) if c in ranges]
            if hits:
                found[g] = ranges[max(hits, key=len)]
    return found


def gtin_refusal(
    session: Session,
    *,
    ent: Enterprise,
    gtin: str,
    actor: Actor,
    reason: str | None,
    holder: Holder | bool | None = True,
) -> str | None:
    """Return why ``actor`` may not register ``gtin`` for ``ent`` (None: allowed).

    ``holder`` is looked up unless given (imports look them up in bulk). Records the
    officer's reason in the audit trail when an override is used.
    """
    if holder is True:
        holder = holder_of(session, gtin=gtin)
    assert holder is None or isinstance(holder, Holder)
    if holder is not None and holder.enterprise_id == ent.id:
        return None
    if actor == SYSTEM and holder is None:
        # Trusted system jobs (demo, operator's CLI) may fill unclaimed ranges.
        return None
    if access.is_owner(actor, ent) or not access.may_edit_holdings(actor, ent):
        if holder is not None:
            return _(
                "GTIN %(gtin)s lies in GS1 company prefix %(prefix)s, which another "
                "enterprise holds; only that enterprise may register it.",
                gtin=gtin,
                prefix=holder.prefix,
            )
        return _(
            "GTIN %(gtin)s is not in a GS1 company prefix of your enterprise. Ask your "
            "officer to record your prefix (from your GS1 system member certificate) first.",
            gtin=gtin,
        )
    if not (reason and reason.strip()):
        return _(
            "GTIN %(gtin)s is not in a GS1 company prefix of this enterprise; give the reason "
            "for registering it anyway (for example, the brand owner that assigned it).",
            gtin=gtin,
        )
    auth_service.record_event(
        session,
        kind="gtin_override",
        actor=actor,
        subject=gtin,
        detail=f"enterprise {ent.uscc}; range holder "
        f"{holder.prefix if holder else 'none'}; reason: {reason.strip()}",
    )
    return None


def check_gtin_right(
    session: Session, *, ent: Enterprise, gtin: str, actor: Actor, reason: str | None
) -> None:
    """Raise 403 unless ``actor`` may register ``gtin`` for ``ent`` (see ``gtin_refusal``)."""
    refusal = gtin_refusal(session, ent=ent, gtin=gtin, actor=actor, reason=reason)
    if refusal is not None:
        raise Forbidden(refusal)


def _normal_prefix(data: CompanyPrefixCreate) -> str:
    from biip.gs1_prefixes import GS1CompanyPrefix

    def bad(message: str) -> ValidationFailed:
        return ValidationFailed(
            _("The GS1 company prefix cannot be saved as given."),
            [FieldError(message, field="prefix", value=data.prefix)],
        )

    if data.kind == "assigned":
        try:
            return validate_gtin(data.prefix)
        except IdentifierError as exc:
            raise bad(exc.message) from None
    if len(data.prefix) not in LICENSED_LENGTHS:
        raise bad(_("A licensed GS1 company prefix has 6 to 12 digits."))
    # biip knows GS1's prefix table: restricted circulation, ISBN/ISSN and coupon ranges
    # have no company prefixes.
    if GS1CompanyPrefix.extract(data.prefix.ljust(13, "0")) is None:
        raise bad(
            _(
                "%(prefix)s is not in a range where GS1 licenses company prefixes.",
                prefix=data.prefix,
            )
        )
    return data.prefix


def _overlaps(session: Session, prefix: str, kind: str) -> CompanyPrefix | None:
    if kind == "assigned":
        inside = _candidates(prefix)
        return session.scalar(select(CompanyPrefix).where(CompanyPrefix.prefix.in_(inside)))
    shorter = [prefix[:n] for n in LICENSED_LENGTHS if n <= len(prefix)]
    found = session.scalar(select(CompanyPrefix).where(CompanyPrefix.prefix.in_(shorter)))
    if found is not None:
        return found
    # A longer licensed prefix, or an assigned GTIN-14 whose GTIN-13 form starts with it.
    return session.scalar(
        select(CompanyPrefix).where(
            CompanyPrefix.prefix.startswith(prefix, autoescape=True)
            | (
                (CompanyPrefix.kind == "assigned")
                & CompanyPrefix.prefix.startswith("_" + prefix, autoescape=False)
            )
        )
    )


def add_prefix(
    session: Session, *, uscc: str, data: CompanyPrefixCreate, actor: Actor
) -> CompanyPrefix:
    """Record a GS1 company prefix (or an assigned GTIN) of an enterprise (its officers)."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    if access.is_owner(actor, ent) or not access.may_edit_holdings(actor, ent):
        raise Forbidden(
            _(
                "Only an officer of the enterprise's area records its GS1 company prefixes, "
                "after seeing its GS1 system member certificate."
            )
        )
    prefix = _normal_prefix(data)
    clash = _overlaps(session, prefix, data.kind)
    if clash is not None:
        raise Conflict(
            _(
                "%(prefix)s overlaps GS1 company prefix %(other)s, which is already registered.",
                prefix=prefix,
                other=clash.prefix,
            )
        )
    row = CompanyPrefix(enterprise_id=ent.id, prefix=prefix, kind=data.kind)
    row.enterprise = ent
    session.add(row)
    session.flush()
    auth_service.record_event(
        session, kind="prefix_added", actor=actor, subject=prefix, detail=f"enterprise {ent.uscc}"
    )
    return row


def list_prefixes(session: Session, *, uscc: str, actor: Actor) -> list[CompanyPrefix]:
    """List the GS1 company prefixes of an enterprise the caller may see."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    return list(
        session.scalars(
            select(CompanyPrefix)
            .join(CompanyPrefix.enterprise)
            .options(contains_eager(CompanyPrefix.enterprise))
            .where(CompanyPrefix.enterprise_id == ent.id)
            .order_by(CompanyPrefix.prefix)
        )
    )


def delete_prefix(session: Session, *, uscc: str, prefix: str, actor: Actor) -> None:
    """Remove a GS1 company prefix of an enterprise (its officers)."""
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    row = session.scalar(
        select(CompanyPrefix).where(
            CompanyPrefix.enterprise_id == ent.id, CompanyPrefix.prefix == prefix
        )
    )
    if row is None:
        raise NotFound(_("No such GS1 company prefix."))
    if access.is_owner(actor, ent) or not access.may_edit_holdings(actor, ent):
        raise access.forbid_outside_scope(actor)
    session.delete(row)
    auth_service.record_event(
        session, kind="prefix_removed", actor=actor, subject=prefix, detail=f"enterprise {ent.uscc}"
    )
