"""Industrial-internet identifiers (工业互联网标识解析): prefixes, minting and resolution.

China's industrial-internet identifier system resolves Handle-style identifiers
``prefix/suffix`` through a hierarchy: the national top-level nodes (国家顶级节点, e.g.
Beijing, Shanghai, Guangzhou, Wuhan, Chongqing), secondary nodes per industry or region
(二级节点, which allocate enterprise prefixes such as ``88.118.8``), and enterprise nodes.
The prefix ``88`` is China's; ``88.118`` a secondary node; ``88.118.8`` one enterprise.

What Plateau implements (acting as a light enterprise-level node for the plan's
enterprises):

- an enterprise records the prefix a secondary node allocated to it
  (``trace_handle_prefix``: prefix, enterprise, allocating node); a prefix belongs to one
  enterprise only;
- Plateau mints identifiers under that prefix for the enterprise's own products (GTIN),
  lots and items. Suffixes are opaque and stable: a letter for the kind (``P`` product,
  ``L`` lot, ``S`` serialised item) and ten base-32 characters of a SHA-256 of the GS1
  values, so minting the same thing twice gives the same identifier, and the label does
  not reveal the GTIN structure. A suffix written as a GS1 Digital Link path
  (``88.118.8/01/06901234000126/10/W2405A``) resolves too, without minting, as long as the
  prefix is registered to the GTIN's owner;
- ``GET /resolve/{identifier}`` redirects to the public product or lot page (the GS1
  Digital Link resolver), or answers ``Accept: application/json`` with a record shaped
  like the Handle System's REST API (``responseCode``, ``handle``, typed ``values``:
  ``URL``, ``GS1_DIGITAL_LINK``, ``GTIN``, ``LOT``, ``SERIAL``, ``HS_ADMIN``-like owner).

What a real national top-level node (国家顶级节点) or secondary node (二级节点) adds, and
Plateau does not:

- allocation and registration of prefixes with identity verification of the enterprise,
  annual fees and the 标识注册管理 rules; Plateau trusts what an enterprise records;
- the resolution protocol itself (the Handle protocol on TCP/UDP 2641 and its HTTP
  gateway, or the IDIS/VAA and Ecode resolution services), global and local handle
  registries (GHR/LHS), caching resolvers and redundancy across nodes;
- signed records and authenticated administration (HS_ADMIN, HS_PUBKEY, certificates
  under the national CA), access control on individual values, and audit logs;
- synchronisation with the top-level node's data (prefix status, enterprise master data,
  the 标识解析公共服务平台 statistics), and interconnection with GS1 and OID.

Ecode prefixes (GB/T 31866, :mod:`plateau.trace.ecode`) go through the same functions: a
prefix without dots is read as ``V + NSI + enterprise code``, identifiers minted under it
are full-length Ecodes, and ``/resolve/{ecode}`` finds them.

Registering Plateau's identifiers with a real secondary node would make the ``URL`` value
of each minted identifier point at ``/resolve/{identifier}`` here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Actor, Role
from plateau.errors import Conflict, DomainError, Forbidden, NotFound, Unauthorized
from plateau.i18n import _
from plateau.registry import service as registry_service
from plateau.registry.identifiers import IdentifierError
from plateau.trace import identifiers
from plateau.trace.lineage import ecode
from plateau.trace.lineage.models import TraceHandle, TraceHandlePrefix
from plateau.trace.lineage.schemas import HandleCreate, HandleKind, PrefixCreate

PREFIX_RE = re.compile(r"^\d{2,3}(\.\d{1,10}){1,4}$")
_KIND_LETTER: dict[HandleKind, str] = {"product": "P", "lot": "L", "item": "S"}


@dataclass(frozen=True)
class Target:
    """What an identifier resolves to."""

    handle: str
    kind: HandleKind
    gtin: str
    lot: str | None
    serial: str | None
    enterprise_uscc: str

    def digital_link(self, host: str = identifiers.CANONICAL_HOST) -> str:
        elements: list[tuple[str, str]] = [("01", self.gtin)]
        if self.lot:
            elements.append(("10", self.lot))
        if self.serial:
            elements.append(("21", self.serial))
        return identifiers.DigitalLink(tuple(elements)).uri(host)

    def path(self) -> str:
        """Return the Digital Link path the public pages serve (``/01/…``)."""
        return self.digital_link("")


def looks_like_handle(text: str) -> bool:
    """Tell whether ``text`` is spelt ``prefix/suffix`` with a numeric dotted prefix."""
    prefix, sep, suffix = text.strip().partition("/")
    return bool(sep and suffix and PREFIX_RE.match(prefix))


def is_ecode_prefix(prefix: str) -> bool:
    """Tell an Ecode prefix (no dots) from a Handle-style one (``88.118.8``)."""
    return "." not in prefix


def _suffix(kind: HandleKind, gtin: str, lot: str | None, serial: str | None) -> str:
    digest = hashlib.sha256(f"{gtin}|{lot or ''}|{serial or ''}".encode()).digest()
    return _KIND_LETTER[kind] + base64.b32encode(digest).decode()[:10]


def _owner_of(session: Session, gtin: str) -> str:
    product = registry_service.get_product(session, gtin=gtin, actor=SYSTEM)
    return product.enterprise.uscc


def _may_act_for(actor: Actor, uscc: str) -> bool:
    if actor.is_admin:
        return True
    return (
        actor.role is Role.ENTERPRISE_USER
        and actor.scope_kind == "enterprise"
        and actor.scope_value == uscc
    )


def register_prefix(session: Session, *, data: PrefixCreate, actor: Actor) -> TraceHandlePrefix:
    """Record the identifier prefix a secondary node allocated to an enterprise."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    if not _may_act_for(actor, data.enterprise_uscc):
        raise Forbidden(_("You may only register identifier prefixes of your own enterprise."))
    if is_ecode_prefix(data.prefix):
        try:
            ecode.parse_prefix(data.prefix)
        except IdentifierError as exc:
            raise DomainError(str(exc), 422, "validation_failed") from None
    registry_service.get_enterprise(session, uscc=data.enterprise_uscc, actor=SYSTEM)
    taken = session.scalar(select(TraceHandlePrefix).where(TraceHandlePrefix.prefix == data.prefix))
    if taken is not None:
        raise Conflict(_("Identifier prefix %(prefix)s is already registered.", prefix=data.prefix))
    row = TraceHandlePrefix(
        prefix=data.prefix, enterprise_uscc=data.enterprise_uscc, allocated_by=data.allocated_by
    )
    session.add(row)
    session.flush()
    return row


def list_prefixes(session: Session, *, actor: Actor) -> list[TraceHandlePrefix]:
    """List the prefixes the caller may see (all for region-wide roles, else their own)."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    stmt = select(TraceHandlePrefix).order_by(TraceHandlePrefix.prefix)
    if not actor.is_region_wide:
        uscc = actor.scope_value if actor.scope_kind == "enterprise" else None
        if uscc is None:
            return []
        stmt = stmt.where(TraceHandlePrefix.enterprise_uscc == uscc)
    return list(session.scalars(stmt))


def mint(session: Session, *, data: HandleCreate, actor: Actor) -> TraceHandle:
    """Mint (or return the existing) identifier of a product, lot or item."""
    if not actor.is_authenticated:
        raise Unauthorized(_("Please log in."))
    prefix = session.scalar(
        select(TraceHandlePrefix).where(TraceHandlePrefix.prefix == data.prefix)
    )
    if prefix is None or not _may_act_for(actor, prefix.enterprise_uscc):
        raise NotFound(_("No identifier prefix %(prefix)s of yours.", prefix=data.prefix))
    try:
        gtin = identifiers.validate_gtin(data.gtin.zfill(14))
    except IdentifierError as exc:
        raise DomainError(str(exc), 422, "validation_failed") from None
    if _owner_of(session, gtin) != prefix.enterprise_uscc:
        raise Forbidden(
            _("GTIN %(gtin)s is not a product of the enterprise that holds this prefix.", gtin=gtin)
        )
    kind: HandleKind = "item" if data.serial else "lot" if data.lot else "product"
    target = Target("", kind, gtin, data.lot, data.serial, prefix.enterprise_uscc)
    try:
        identifiers.parse_digital_link(target.digital_link())
    except IdentifierError as exc:
        raise DomainError(str(exc), 422, "validation_failed") from None
    if is_ecode_prefix(prefix.prefix):
        handle = ecode.mint(
            ecode.parse_prefix(prefix.prefix),
            kind=kind,
            gtin=gtin,
            lot=data.lot,
            serial=data.serial,
        )
    else:
        handle = f"{prefix.prefix}/{_suffix(kind, gtin, data.lot, data.serial)}"
    row = session.scalar(select(TraceHandle).where(TraceHandle.handle == handle))
    if row is not None and (row.gtin, row.lot, row.serial) != (gtin, data.lot, data.serial):
        # Two things hashed to one code: practically never, and never silently.
        raise Conflict(
            _("Identifier %(id)s is already taken by another product, lot or item.", id=handle)
        )
    if row is None:
        row = TraceHandle(
            handle=handle,
            prefix_id=prefix.id,
            kind=kind,
            gtin=gtin,
            lot=data.lot,
            serial=data.serial,
        )
        session.add(row)
        session.flush()
    return row


def list_handles(
    session: Session, *, actor: Actor, gtin: str | None = None, limit: int = 500
) -> list[TraceHandle]:
    """List minted identifiers under the prefixes the caller may see."""
    prefixes = {p.id for p in list_prefixes(session, actor=actor)}
    if not prefixes:
        return []
    stmt = select(TraceHandle).where(TraceHandle.prefix_id.in_(sorted(prefixes)))
    if gtin:
        stmt = stmt.where(TraceHandle.gtin == gtin.zfill(14))
    return list(session.scalars(stmt.order_by(TraceHandle.id).limit(limit)))


def resolve(session: Session, text: str) -> Target | None:
    """Resolve an identifier ``prefix/suffix`` (public: only what the label already says)."""
    value = text.strip()
    if ecode.looks_like_ecode(value):
        return _resolve_ecode(session, value)
    if not looks_like_handle(value):
        return None
    prefix_text, _sep, suffix = value.partition("/")
    prefix = session.scalar(
        select(TraceHandlePrefix).where(TraceHandlePrefix.prefix == prefix_text)
    )
    if prefix is None:
        return None
    row = session.scalar(select(TraceHandle).where(TraceHandle.handle == value))
    if row is not None:
        kind: HandleKind = (
            "item" if row.kind == "item" else "lot" if row.kind == "lot" else "product"
        )
        return Target(row.handle, kind, row.gtin, row.lot, row.serial, prefix.enterprise_uscc)
    # A suffix written as a Digital Link path, under the GTIN owner's prefix.
    try:
        link = identifiers.parse_digital_link("https://h/" + suffix)
    except IdentifierError:
        return None
    if link.key_ai != "01":
        return None
    gtin = link.elements[0][1]
    try:
        owner = _owner_of(session, gtin)
    except DomainError:
        return None
    if owner != prefix.enterprise_uscc:
        return None
    lot, serial = link.get("10"), link.get("21")
    path_kind: HandleKind = "item" if serial else "lot" if lot else "product"
    return Target(value, path_kind, gtin, lot, serial, owner)


def _resolve_ecode(session: Session, value: str) -> Target | None:
    found = session.execute(
        select(TraceHandle, TraceHandlePrefix)
        .join(TraceHandlePrefix, TraceHandlePrefix.id == TraceHandle.prefix_id)
        .where(TraceHandle.handle == value)
    ).first()
    if found is None:
        return None
    row, prefix = found
    kind: HandleKind = "item" if row.kind == "item" else "lot" if row.kind == "lot" else "product"
    return Target(row.handle, kind, row.gtin, row.lot, row.serial, prefix.enterprise_uscc)


def record(target: Target, *, base_url: str) -> dict[str, Any]:
    """Return the identifier's record as the Handle System's REST API writes one."""
    page = base_url.rstrip("/") + target.path()
    values: list[dict[str, Any]] = [
        {"index": 1, "type": "URL", "data": {"format": "string", "value": page}},
        {
            "index": 2,
            "type": "GS1_DIGITAL_LINK",
            "data": {"format": "string", "value": target.digital_link()},
        },
        {"index": 3, "type": "GTIN", "data": {"format": "string", "value": target.gtin}},
    ]
    if target.lot:
        values.append(
            {"index": 4, "type": "LOT", "data": {"format": "string", "value": target.lot}}
        )
    if target.serial:
        values.append(
            {"index": 5, "type": "SERIAL", "data": {"format": "string", "value": target.serial}}
        )
    values.append(
        {
            "index": 100,
            "type": "OWNER_USCC",
            "data": {"format": "string", "value": target.enterprise_uscc},
        }
    )
    return {"responseCode": 1, "handle": target.handle, "kind": target.kind, "values": values}
