"""The label printing page's service: which products a caller may label, their known lots,
and a sheet of QR labels (GS1 Digital Link on the configured public URL) with the product's
name in Chinese, printed from the browser (the system's CJK fonts draw the name).

Reads only: a sheet of new serialised items draws unpredictable serials but stores nothing;
the items exist in the repository once their commissioning event is captured.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.errors import FieldError, Forbidden, NotFound, Unauthorized, ValidationFailed
from plateau.i18n import _
from plateau.registry.identifiers import IdentifierError
from plateau.registry.models import Enterprise, Product
from plateau.trace.epcis.models import EpcisEventEpc
from plateau.trace.lineage import genealogy
from plateau.trace.lineage.labels import codes as labels

SIZES: dict[str, int] = {"small": 25, "medium": 35, "large": 50}  # QR side in millimetres
MAX_SHEET = 500  # labels on one printed sheet


@dataclass(frozen=True)
class Choice:
    gtin: str
    name: str
    enterprise: str


@dataclass(frozen=True)
class PrintedLabel:
    uri: str
    name: str
    lines: list[str]
    svg: Markup


def _products(actor: Actor):  # type: ignore[no-untyped-def]
    stmt = select(Product.gtin, Product.name_zh, Enterprise.name).join(
        Enterprise, Enterprise.id == Product.enterprise_id
    )
    if actor.is_admin:
        return stmt
    if actor.role is Role.ENTERPRISE_USER and actor.scope_kind == "enterprise":
        return stmt.where(Enterprise.uscc == actor.scope_value)
    raise Forbidden(_("Labels are printed by the product's own enterprise."))


def choices(session: Session, *, actor: Actor) -> list[Choice]:
    """The products the caller may print labels for (its own; every one for the admin)."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    rows = session.execute(_products(actor).order_by(Enterprise.name_sort, Product.name_sort)).all()
    return [Choice(g.zfill(14), n, e) for g, n, e in rows]


def known_lots(session: Session, *, gtin: str, limit: int = 60) -> list[str]:
    """Lots of the product the repository has seen, newest first (for the lot picker)."""
    keys = session.scalars(
        select(EpcisEventEpc.epc)
        .where(EpcisEventEpc.gtin == gtin, EpcisEventEpc.epc.contains("/10/"))
        .distinct()
        .limit(500)
    ).all()
    lots = {genealogy.key_parts(k).lot for k in keys}
    return sorted((lot for lot in lots if lot), reverse=True)[:limit]


def sheet(
    session: Session,
    *,
    gtin: str,
    lot: str,
    kind: str,
    count: int,
    base_url: str,
    actor: Actor,
) -> list[PrintedLabel]:
    """Labels to print: ``count`` copies of the lot's label, or ``count`` new serialised
    items of the lot (kind ``items``). Bad input raises ValidationFailed, changing nothing."""
    mine = {c.gtin: c for c in choices(session, actor=actor)}
    product = mine.get(gtin.strip().zfill(14))
    if product is None:
        raise NotFound(_("No product with GTIN %(gtin)s.", gtin=gtin))
    errors = []
    if not 1 <= count <= MAX_SHEET:
        errors.append(FieldError(_("From 1 to %(n)s labels.", n=MAX_SHEET), "count"))
    if kind not in ("lot", "items"):
        errors.append(FieldError(_("Some of the values are not valid."), "kind"))
    if kind == "items" and not lot.strip():
        errors.append(FieldError(_("Serialised items need their lot."), "lot"))
    if errors:
        raise ValidationFailed(_("The labels cannot be made as asked."), errors)
    serials = labels.random_serials(count) if kind == "items" else None
    try:
        made = labels.make_labels(
            gtin=product.gtin, lot=lot.strip() or None, serials=serials, base_url=base_url
        )
    except IdentifierError as exc:
        raise ValidationFailed(
            _("The labels cannot be made as asked."), [FieldError(str(exc), "lot")]
        ) from None
    if kind == "lot":
        made = made * count
    return [
        PrintedLabel(
            uri=m.uri,
            name=product.name,
            lines=m.human_readable(),
            svg=Markup(labels.qr(m).svg_inline(omitsize=True, border=1)),
        )
        for m in made
    ]
