"""Ecode (物品编码 Ecode, GB/T 31866): the entity code of China's IoT identification system.

An Ecode is ``V + NSI + MD``: a one-character version ``V`` that fixes the length and the
character set, the numbering-system identifier ``NSI`` (编码体系标识) that the national
IoT identification management platform (国家物联网标识管理公共服务平台, run by the Article
Numbering Center of China) allocates to a coding system, and the master-data code ``MD``
(主码) that the holder of the NSI structures as it likes. The versions, as we read the
standard:

====  ======  =====  =======  ===============================
 V    total   NSI    MD       characters
====  ======  =====  =======  ===============================
 0    25      4      <= 20    digits
 1    34      4      <= 29    digits
 2    36      4      <= 31    digits and capital letters
 3    <= 44   5      <= 39    GB/T 1988 (ASCII) characters
 4    var.    5      var.     Unicode; 5-9 reserved
====  ======  =====  =======  ===============================

What Plateau implements: an enterprise registers the head of the codes it was given, its
**Ecode prefix** ``V + NSI + enterprise code`` (for instance ``1`` + ``0086`` +
``5400001``: version 1, an NSI, and the enterprise's code under it), for versions 0, 1 and
2, whose fixed lengths let a minted code be checked by shape alone. Plateau then mints
full-length codes for the enterprise's products, lots and items: the prefix, one
character for the kind (``1``/``P`` product, ``2``/``L`` lot, ``3``/``S`` item) and the
rest filled from a SHA-256 of the GS1 values, so minting twice gives the same code and
the code does not reveal the GTIN. ``GET /resolve/{ecode}`` resolves them like the
Handle-style identifiers of :mod:`plateau.trace.handles`.

Limits: versions 3 and 4 (variable length, wider character sets) are refused; the NSI is
not checked against the platform's register, nor the enterprise code against the NSI
holder's allocation; the 2015 text defines no check character, so none is added; carriers
(barcodes, RFID, NFC per GB/T 31867-31869) are left to the label printer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from plateau.i18n import _
from plateau.registry.identifiers import IdentifierError


@dataclass(frozen=True)
class Version:
    """The shape one Ecode version gives a code."""

    total: int
    nsi: int
    charset: re.Pattern[str]


VERSIONS: dict[str, Version] = {
    "0": Version(25, 4, re.compile(r"^[0-9]+$")),
    "1": Version(34, 4, re.compile(r"^[0-9]+$")),
    "2": Version(36, 4, re.compile(r"^[0-9A-Z]+$")),
}
# Hash characters a minted code keeps at least, so that codes of one prefix stay unique.
MIN_HASH_CHARS = 9
_KIND_CHAR = {
    "numeric": {"product": "1", "lot": "2", "item": "3"},
    "alphanumeric": {"product": "P", "lot": "L", "item": "S"},
}
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class Prefix:
    """A registered Ecode prefix: version, NSI and the enterprise's part of the MD."""

    version: str
    nsi: str
    enterprise_code: str

    @property
    def text(self) -> str:
        return self.version + self.nsi + self.enterprise_code

    @property
    def numeric(self) -> bool:
        return self.version in ("0", "1")


def looks_like_ecode(text: str) -> bool:
    """Tell whether ``text`` has the shape of a version 0, 1 or 2 Ecode (or prefix)."""
    value = text.strip()
    spec = VERSIONS.get(value[:1])
    return spec is not None and 6 <= len(value) <= spec.total and bool(spec.charset.match(value))


def parse_prefix(text: str) -> Prefix:
    """Read an Ecode prefix ``V + NSI + enterprise code``, or raise IdentifierError."""
    value = text.strip()
    version = value[:1]
    spec = VERSIONS.get(version)
    if spec is None:
        raise IdentifierError(
            _(
                "%(value)s is not an Ecode prefix Plateau can mint under: the version (first "
                "digit) must be 0, 1 or 2.",
                value=value,
            )
        )
    if not spec.charset.match(value):
        allowed = _("digits") if version in ("0", "1") else _("digits and capital letters")
        raise IdentifierError(
            _(
                "An Ecode of version %(version)s is made of %(allowed)s only: %(value)s.",
                version=version,
                allowed=allowed,
                value=value,
            )
        )
    nsi, enterprise = value[1 : 1 + spec.nsi], value[1 + spec.nsi :]
    if len(nsi) < spec.nsi or not nsi.isdigit() or not enterprise:
        raise IdentifierError(
            _(
                "An Ecode prefix is the version, a %(n)s-digit NSI and the enterprise's code "
                "after it: %(value)s is too short.",
                n=spec.nsi,
                value=value,
            )
        )
    room = spec.total - len(value)
    if room < 1 + MIN_HASH_CHARS:
        raise IdentifierError(
            _(
                "The Ecode prefix %(value)s leaves %(room)s of the %(total)s characters of "
                "version %(version)s for products, lots and items; it needs at least %(min)s.",
                value=value,
                room=room,
                total=spec.total,
                version=version,
                min=1 + MIN_HASH_CHARS,
            )
        )
    return Prefix(version, nsi, enterprise)


def mint(prefix: Prefix, *, kind: str, gtin: str, lot: str | None, serial: str | None) -> str:
    """Return the full-length Ecode of a product, lot or item under ``prefix``."""
    spec = VERSIONS[prefix.version]
    room = spec.total - len(prefix.text) - 1
    digest = hashlib.sha256(f"ecode|{gtin}|{lot or ''}|{serial or ''}".encode()).digest()
    if prefix.numeric:
        body = str(int.from_bytes(digest, "big") % 10**room).zfill(room)
        head = _KIND_CHAR["numeric"][kind]
    else:
        number = int.from_bytes(digest, "big")
        chars = []
        for _i in range(room):
            number, rest = divmod(number, 32)
            chars.append(_BASE32[rest])
        body = "".join(chars)
        head = _KIND_CHAR["alphanumeric"][kind]
    return prefix.text + head + body
