"""GS1 keys, EPC URIs (TDS 2.x pure identity) and GS1 Digital Link URIs, both ways.

Three spellings of one identifier circulate in EPCIS documents:

- the GS1 element string: application identifier (AI) and value, e.g. ``(01)04012345123456
  (21)12``; the keys carry a mod-10 check digit (GS1 General Specifications §7.9);
- the EPC URI of the Tag Data Standard: ``urn:epc:id:sgtin:4012345.012345.12``. The dot
  after the GS1 company prefix tells how long the prefix is; EPC URIs carry no check digit;
- the GS1 Digital Link URI: ``https://id.gs1.org/01/04012345123456/21/12``. Any host may
  serve it; ``https://id.gs1.org`` is the canonical one.

Going from a Digital Link (or a bare key) to an EPC URI needs the company prefix length,
which the key itself does not tell. Pass ``gcp_length`` (a number, or a function from the
key's digits to a number) or rely on :func:`default_gcp_length`, GS1's company prefix table
as biip carries it; where that table has no entry the conversion raises
:class:`UnknownCompanyPrefix` rather than guess.

Percent-encoding: in a Digital Link path the characters of the AI encodable character set
82 that are URI delimiters or unsafe (``! " # % & ( ) * + , / : < > ?``) are
percent-encoded (GS1 Digital Link 1.1 table 7-1, plus what RFC 3986 never allows
unescaped); ``' ; =`` stay literal, as they do in the CBV 2.0 event-hash test vectors. In
EPC URIs only ``" % & / < > ?`` (and ``#`` in a CPI) are escaped, as TDS 2.x prescribes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from plateau.i18n import _
from plateau.registry.identifiers import IdentifierError, gtin_check_digit

CANONICAL_HOST = "https://id.gs1.org"

Format = Literal["urn", "dl"]
GcpLength = int | Callable[[str], int | None] | None

# GS1 AI encodable character set 82 (GS1 General Specifications figure 7.11-1).
CS82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
# Character set 39, used by the component/part identifier (CPID, AI 8010).
CS39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

_DL_ESCAPE = frozenset('!"#%&()*+,/:<>?')
_URN_ESCAPE = frozenset('"%&/<>?#')


# --- check digits and GS1 keys --------------------------------------------------------


@dataclass(frozen=True)
class KeySpec:
    """The shape of one GS1 key: digits with a check digit, then optional free characters."""

    name: str
    ai: str
    digits: int  # numeric part including its check digit (0: no numeric part)
    check: bool = True
    max_tail: int = 0  # serial or reference after the numeric part
    tail_charset: frozenset[str] = CS82
    min_length: int = 0


KEYS: dict[str, KeySpec] = {
    "gtin": KeySpec("GTIN", "01", 14),
    "sscc": KeySpec("SSCC", "00", 18),
    "gln": KeySpec("GLN", "414", 13),
    "pgln": KeySpec("PGLN", "417", 13),
    "grai": KeySpec("GRAI", "8003", 14, max_tail=16),
    "giai": KeySpec("GIAI", "8004", 0, check=False, max_tail=30, min_length=6),
    "gsrn": KeySpec("GSRN", "8018", 18),
    "gsrnp": KeySpec("GSRN-P", "8017", 18),
    "gdti": KeySpec("GDTI", "253", 13, max_tail=17),
    "ginc": KeySpec("GINC", "401", 0, check=False, max_tail=30, min_length=6),
    "gsin": KeySpec("GSIN", "402", 17),
    "gcn": KeySpec("GCN", "255", 13, max_tail=12, tail_charset=frozenset("0123456789")),
    "cpid": KeySpec("CPID", "8010", 0, check=False, max_tail=30, tail_charset=CS39, min_length=6),
    "itip": KeySpec("ITIP", "8006", 18),
}
_KEY_BY_AI = {spec.ai: kind for kind, spec in KEYS.items()}


def check_digit(body: str) -> str:
    """Return the GS1 mod-10 check digit for the digits before it.

    The registry's function, not biip's: importing any part of biip loads the whole package
    (about 0.2 s), which the event hash, computing check digits, must not pay.
    """
    return gtin_check_digit(body)


def _fail_length(spec: KeySpec, code: str, expected: str) -> IdentifierError:
    return IdentifierError(
        _(
            "%(key)s %(code)s must have %(expected)s digits; it has %(n)s.",
            key=spec.name,
            code=code,
            expected=expected,
            n=len(code),
        )
    )


def _check_chars(name: str, code: str, text: str, charset: frozenset[str], offset: int) -> None:
    for i, ch in enumerate(text, start=offset + 1):
        if ch not in charset:
            raise IdentifierError(
                _(
                    "%(key)s %(code)s contains “%(ch)s”, which this GS1 key does not allow.",
                    key=name,
                    code=code,
                    ch=ch,
                ),
                i,
            )


def _check_numeric(spec: KeySpec, code: str, numeric: str, *, verify: bool) -> None:
    if not numeric.isdigit() or not numeric.isascii():
        raise IdentifierError(
            _(
                "%(key)s %(code)s must start with %(n)s digits.",
                key=spec.name,
                code=code,
                n=spec.digits,
            )
        )
    body = numeric[:-1]
    if spec.ai == "8006":
        body = numeric[:13]  # an ITIP is a GTIN-14 followed by piece and total
    if verify and spec.check:
        expected = check_digit(body)
        given = numeric[len(body)]
        if given != expected:
            raise IdentifierError(
                _(
                    "The check digit of %(key)s %(code)s is %(given)s but should be %(expected)s.",
                    key=spec.name,
                    code=code,
                    given=given,
                    expected=expected,
                ),
                len(body) + 1,
            )


def validate_key(kind: str, value: str, *, verify: bool = True) -> str:
    """Return a GS1 key in its element-string form or raise IdentifierError naming the fault.

    ``kind`` is one of :data:`KEYS` (``gtin``, ``sscc``, ``gln``, ``grai`` …). A GTIN of 8, 12
    or 13 digits is returned padded to 14.
    """
    spec = KEYS[kind]
    code = value.strip()
    if kind == "gtin" and code.isdigit() and len(code) in (8, 12, 13):
        code = code.zfill(14)
    if spec.digits:
        numeric, tail = code[: spec.digits], code[spec.digits :]
        if len(code) < spec.digits or (not spec.max_tail and tail):
            expected = "8/12/13/14" if kind == "gtin" else str(spec.digits)
            raise _fail_length(spec, value.strip(), expected)
        if verify and kind == "grai" and numeric[:1] != "0":
            raise IdentifierError(
                _("A GRAI starts with the digit 0; %(code)s does not.", code=code), 1
            )
        _check_numeric(spec, value.strip(), numeric, verify=verify)
    else:
        tail = code
        if not code[: spec.min_length].isdigit() or len(code) < spec.min_length:
            raise IdentifierError(
                _(
                    "%(key)s %(code)s must start with a GS1 company prefix (at least %(n)s digits).",
                    key=spec.name,
                    code=code,
                    n=spec.min_length,
                )
            )
    if len(tail) > spec.max_tail:
        raise IdentifierError(
            _(
                "%(key)s %(code)s is longer than %(max)s characters.",
                key=spec.name,
                code=code,
                max=spec.digits + spec.max_tail,
            )
        )
    _check_chars(spec.name, code, tail, spec.tail_charset, spec.digits)
    return code


def validate_gtin(value: str) -> str:
    """Return a GTIN-8/12/13/14 as 14 digits or raise IdentifierError."""
    return validate_key("gtin", value)


def validate_gln(value: str) -> str:
    """Return a GLN (13 digits) or raise IdentifierError."""
    return validate_key("gln", value)


def validate_pgln(value: str) -> str:
    """Return the GLN of a party (AI 417) or raise IdentifierError."""
    return validate_key("pgln", value)


def validate_sscc(value: str) -> str:
    """Return an SSCC (18 digits) or raise IdentifierError."""
    return validate_key("sscc", value)


def validate_grai(value: str) -> str:
    """Return a GRAI (14 digits and an optional serial) or raise IdentifierError."""
    return validate_key("grai", value)


def validate_giai(value: str) -> str:
    """Return a GIAI (company prefix and asset reference, at most 30 characters)."""
    return validate_key("giai", value)


def validate_gsrn(value: str) -> str:
    """Return a GSRN of a service provider (AI 8018) or raise IdentifierError."""
    return validate_key("gsrn", value)


def validate_gsrnp(value: str) -> str:
    """Return a GSRN of a service recipient (AI 8017) or raise IdentifierError."""
    return validate_key("gsrnp", value)


def validate_gdti(value: str) -> str:
    """Return a GDTI (13 digits and an optional serial) or raise IdentifierError."""
    return validate_key("gdti", value)


def validate_ginc(value: str) -> str:
    """Return a GINC (company prefix and consignment reference)."""
    return validate_key("ginc", value)


def validate_gsin(value: str) -> str:
    """Return a GSIN (17 digits) or raise IdentifierError."""
    return validate_key("gsin", value)


def validate_gcn(value: str) -> str:
    """Return a GCN, the coupon number behind an SGCN (13 digits and a numeric serial)."""
    return validate_key("gcn", value)


def validate_cpid(value: str) -> str:
    """Return a CPID (company prefix and part reference in character set 39)."""
    return validate_key("cpid", value)


def validate_itip(value: str) -> str:
    """Return an ITIP (GTIN-14, piece and total: 18 digits) or raise IdentifierError."""
    return validate_key("itip", value)


def validate_upui(value: str) -> str:
    """Return the third-party controlled product instance identifier (AI 235)."""
    tpx = value.strip()
    if not tpx or len(tpx) > 28:
        raise IdentifierError(
            _("%(key)s %(code)s is longer than %(max)s characters.", key="TPX", code=tpx, max=28)
        )
    _check_chars("TPX", tpx, tpx, CS82, 0)
    return tpx


# --- company prefix length ------------------------------------------------------------

# A key's digits do not tell where its company prefix ends. GS1 publishes the lengths
# allocated under every prefix range (the GCP prefix format list); biip carries that table,
# offline. Where the table has no entry, the length is unknown and we say so instead of
# guessing: a guessed split gives an EPC URI that differs from the partner's (the dot moves).


class UnknownCompanyPrefix(IdentifierError):
    """The company prefix length of a key is in no table we have."""


def gs1_company_prefix_length(digits: str) -> int | None:
    """Return the company prefix length GS1's table gives for a key starting with ``digits``.

    ``digits`` starts with the GS1 prefix (for a GTIN-14 or SSCC, skip the indicator or
    extension digit first; :func:`epc_from_elements` does). None when GS1's table does not
    know the range (a GTIN-8 range, ISBN, a restricted-circulation number, a free range).
    """
    from biip.gs1_prefixes import GS1CompanyPrefix

    if not (digits.isascii() and digits.isdecimal()):
        return None
    found = GS1CompanyPrefix.extract(digits)
    return len(found.value) if found is not None else None


def default_gcp_length(digits: str) -> int | None:
    """Return the company prefix length Plateau uses for ``digits``: GS1's table, or None."""
    return gs1_company_prefix_length(digits)


def _resolve_gcp_length(digits: str, gcp_length: GcpLength) -> int:
    length: int | None
    if isinstance(gcp_length, int):
        length = gcp_length
    elif gcp_length is not None:
        length = gcp_length(digits)
    else:
        length = None
    if length is None:
        length = default_gcp_length(digits)
    if length is None:
        raise UnknownCompanyPrefix(
            _(
                "The length of the GS1 company prefix in %(code)s is unknown (it is not in GS1's "
                "company prefix table), so it has no EPC URI that we could vouch for.",
                code=digits,
            )
        )
    if not 6 <= length <= 12:
        raise IdentifierError(_("A GS1 company prefix has 6 to 12 digits, not %(n)s.", n=length))
    return length


# --- escaping -------------------------------------------------------------------------


def _escape(text: str, chars: frozenset[str]) -> str:
    return "".join(f"%{ord(ch):02X}" if ch in chars else ch for ch in text)


def dl_escape(text: str) -> str:
    """Percent-encode a value for a GS1 Digital Link path segment."""
    return _escape(text, _DL_ESCAPE)


def urn_escape(text: str) -> str:
    """Escape a value for an EPC URI component (TDS 2.x)."""
    return _escape(text, _URN_ESCAPE)


# --- EPC URIs -------------------------------------------------------------------------

EpcLevel = Literal["id", "class", "idpat"]


@dataclass(frozen=True)
class Scheme:
    """One EPC scheme: its GS1 key, its field count, and the digits of prefix + first field."""

    key: str  # kind in KEYS
    fields: int  # fields after the company prefix
    ref_digits: int | None  # company prefix + first field, when that is fixed


SCHEMES: dict[str, Scheme] = {
    "sgtin": Scheme("gtin", 2, 13),
    "lgtin": Scheme("gtin", 2, 13),
    "sscc": Scheme("sscc", 1, 17),
    "sgln": Scheme("gln", 2, 12),
    "pgln": Scheme("pgln", 1, 12),
    "grai": Scheme("grai", 2, 12),
    "giai": Scheme("giai", 1, None),
    "gsrn": Scheme("gsrn", 1, 17),
    "gsrnp": Scheme("gsrnp", 1, 17),
    "gdti": Scheme("gdti", 2, 12),
    "cpi": Scheme("cpid", 2, None),
    "sgcn": Scheme("gcn", 2, 12),
    "ginc": Scheme("ginc", 1, None),
    "gsin": Scheme("gsin", 1, 16),
    "itip": Scheme("itip", 4, 13),
    "upui": Scheme("gtin", 2, 13),
}
_ID_SCHEMES = frozenset(SCHEMES) - {"lgtin"}
_CLASS_SCHEMES = frozenset({"lgtin"})
_PATTERN_SCHEMES = _ID_SCHEMES
# Patterns that fix everything but the serial name a class of objects, which has a
# Digital Link (the key without its serial); other patterns have none.
_CLASS_PATTERNS = frozenset({"sgtin", "grai", "gdti", "sgcn", "cpi", "itip", "upui"})

_LEVELS: dict[str, EpcLevel] = {"id": "id", "class": "class", "idpat": "idpat"}
_URN_RE = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.*)$", re.IGNORECASE)
_URN_CHAR = re.compile(r"^(?:[!'()*+,\-.0-9:;=A-Z_a-z]|%[0-9A-Fa-f]{2})*$")


@dataclass(frozen=True)
class EpcUri:
    """A parsed EPC URI: scheme, company prefix and the fields after it (unescaped)."""

    level: EpcLevel
    scheme: str
    company_prefix: str
    fields: tuple[str, ...]

    @property
    def is_pattern(self) -> bool:
        return self.level == "idpat"

    def urn(self) -> str:
        """Return the EPC URI in its normal spelling."""
        escaped = [f if f == "*" and self.is_pattern else urn_escape(f) for f in self.fields]
        return f"urn:epc:{self.level}:{self.scheme}:" + ".".join([self.company_prefix, *escaped])


def _bad_epc(value: str) -> IdentifierError:
    return IdentifierError(
        _(
            "%(value)s is not a valid EPC URI (urn:epc:id:…, urn:epc:class:lgtin:… or urn:epc:idpat:…).",
            value=value,
        )
    )


def parse_epc_uri(value: str) -> EpcUri:
    """Parse an EPC pure-identity, class or pattern URI, or raise IdentifierError."""
    text = value.strip()
    m = _URN_RE.match(text)
    if not m:
        raise _bad_epc(value)
    level = m.group(1).lower()
    scheme = m.group(2).lower()
    rest = m.group(3)
    allowed = {"id": _ID_SCHEMES, "class": _CLASS_SCHEMES, "idpat": _PATTERN_SCHEMES}[level]
    if scheme not in allowed:
        raise IdentifierError(
            _("EPC scheme “%(scheme)s” is not supported in %(value)s.", scheme=scheme, value=value)
        )
    spec = SCHEMES[scheme]
    # The last component may itself contain dots (TDS: GS3A3 characters include "."),
    # so only as many dots as the scheme has components separate them.
    parts = rest.split(".", spec.fields)
    if len(parts) != 1 + spec.fields:
        raise IdentifierError(
            _(
                "EPC URI %(value)s needs %(expected)s dot-separated parts after “%(scheme)s:”; it has %(n)s.",
                value=value,
                expected=1 + spec.fields,
                scheme=scheme,
                n=len(parts),
            )
        )
    gcp = parts[0]
    if level == "idpat" and gcp == "*":
        if any(p != "*" for p in parts):
            raise _bad_epc(value)
        return EpcUri("idpat", scheme, "*", tuple(parts[1:]))
    if not (gcp.isdigit() and gcp.isascii() and 6 <= len(gcp) <= 12):
        raise IdentifierError(
            _("The GS1 company prefix in %(value)s must be 6 to 12 digits.", value=value)
        )
    raw = parts[1:]
    wild = [i for i, part in enumerate(raw) if part == "*"] if level == "idpat" else []
    if level == "idpat" and (not wild or wild != list(range(wild[0], len(raw)))):
        raise _bad_epc(value)
    fields: list[str] = []
    for part in raw:
        if part == "*" and level == "idpat":
            fields.append("*")
            continue
        if not _URN_CHAR.match(part):
            raise IdentifierError(
                _(
                    "%(value)s contains a character that EPC URIs must escape or never use.",
                    value=value,
                )
            )
        fields.append(unquote(part))
    epc = EpcUri(_LEVELS[level], scheme, gcp, tuple(fields))
    _check_epc_fields(epc, value)
    return epc


def _check_epc_fields(epc: EpcUri, value: str) -> None:
    spec = SCHEMES[epc.scheme]
    first = epc.fields[0]
    if spec.ref_digits is not None and first != "*":
        numeric = epc.company_prefix + first
        if (not first.isdigit() and first != "") or len(numeric) != spec.ref_digits:
            raise IdentifierError(
                _(
                    "In %(value)s the company prefix and the reference after it must have %(n)s digits together.",
                    value=value,
                    n=spec.ref_digits,
                )
            )
    # A pattern with a wildcard before the serial, or in the only field (sscc, giai,
    # gsrn …), has no element string to build; what was fixed is checked above.
    if epc.is_pattern and "*" in (epc.fields[:-1] if len(epc.fields) > 1 else epc.fields):
        return
    # Building the element string validates the rest (serial characters, lengths).
    _epc_to_elements(epc, value)


def _epc_to_elements(epc: EpcUri, value: str) -> list[tuple[str, str]]:
    """Return the GS1 element strings (AI, value) an EPC URI stands for."""
    gcp, f = epc.company_prefix, epc.fields
    scheme = epc.scheme
    serial = None if epc.is_pattern else f[-1]

    def gtin() -> str:
        body = f[0][:1] + gcp + f[0][1:]
        return body + check_digit(body)

    out: list[tuple[str, str]]
    if scheme in ("sgtin", "lgtin", "upui"):
        out = [("01", gtin())]
        if serial is not None:
            qualifier = {"sgtin": "21", "lgtin": "10", "upui": "235"}[scheme]
            out.append((qualifier, serial))
    elif scheme == "sscc":
        body = f[0][:1] + gcp + f[0][1:]
        out = [("00", body + check_digit(body))]
    elif scheme in ("sgln", "pgln"):
        body = gcp + f[0]
        out = [("414" if scheme == "sgln" else "417", body + check_digit(body))]
        if scheme == "sgln" and serial is not None and serial != "0":
            out.append(("254", serial))
    elif scheme == "grai":
        body = "0" + gcp + f[0]
        out = [("8003", body + check_digit(body) + (serial or ""))]
    elif scheme in ("gdti", "sgcn"):
        body = gcp + f[0]
        out = [("253" if scheme == "gdti" else "255", body + check_digit(body) + (serial or ""))]
    elif scheme in ("giai", "ginc"):
        out = [("8004" if scheme == "giai" else "401", gcp + f[0])]
    elif scheme in ("gsrn", "gsrnp", "gsin"):
        body = gcp + f[0]
        ai = {"gsrn": "8018", "gsrnp": "8017", "gsin": "402"}[scheme]
        out = [(ai, body + check_digit(body))]
    elif scheme == "cpi":
        out = [("8010", gcp + f[0])]
        if serial is not None:
            out.append(("8011", serial))
    elif scheme == "itip":
        body = f[0][:1] + gcp + f[0][1:]
        out = [("8006", body + check_digit(body) + f[1] + f[2])]
        if not (len(f[1]) == 2 and f[1].isdigit() and len(f[2]) == 2 and f[2].isdigit()):
            raise IdentifierError(
                _("In %(value)s piece and total must have two digits each.", value=value)
            )
        if serial is not None:
            out.append(("21", serial))
    else:  # pragma: no cover - SCHEMES and this switch list the same schemes
        raise _bad_epc(value)
    for ai, element in out:
        _validate_element(ai, element)
    return out


# --- GS1 Digital Link -----------------------------------------------------------------

# Primary key AIs and the qualifiers each may carry, in their canonical order.
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "01": ("22", "10", "21", "235"),
    "8006": ("22", "10", "21"),
    "414": ("254",),
    "8010": ("8011",),
    "8018": ("8019",),
    "00": (),
    "417": (),
    "8003": (),
    "8004": (),
    "8017": ("8019",),
    "253": (),
    "255": (),
    "401": (),
    "402": (),
}
# Short names that GS1 Digital Link 1.0/1.1 allowed instead of the numeric AIs.
SHORT_NAMES = {
    "gtin": "01",
    "itip": "8006",
    "cpid": "8010",
    "gln": "414",
    "party": "417",
    "gsrnp": "8017",
    "gsrn": "8018",
    "gcn": "255",
    "sscc": "00",
    "gdti": "253",
    "ginc": "401",
    "gsin": "402",
    "grai": "8003",
    "giai": "8004",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
    "srin": "8019",
    "tpx": "235",
    "glnx": "254",
    "cpsn": "8011",
}
_QUALIFIER_LIMITS = {"22": 20, "10": 20, "21": 20, "235": 28, "254": 20, "8019": 10}


@dataclass(frozen=True)
class DigitalLink:
    """A parsed GS1 Digital Link: the primary key and its qualifiers as element strings."""

    elements: tuple[tuple[str, str], ...]

    @property
    def key_ai(self) -> str:
        return self.elements[0][0]

    def get(self, ai: str) -> str | None:
        return next((v for a, v in self.elements if a == ai), None)

    def uri(self, host: str = CANONICAL_HOST) -> str:
        """Return the Digital Link on ``host`` with numeric AIs in canonical order."""
        return host.rstrip("/") + "".join(f"/{ai}/{dl_escape(v)}" for ai, v in self.elements)

    def constrained(self) -> DigitalLink:
        """Keep only the identity: drop the CPV (22), and the lot (10) when a serial is present."""
        keep = [(a, v) for a, v in self.elements if a != "22"]
        if any(a == "21" for a, _v in keep):
            keep = [(a, v) for a, v in keep if a != "10"]
        return DigitalLink(tuple(keep))


def _validate_element(ai: str, value: str, *, verify: bool = True) -> str:
    kind = _KEY_BY_AI.get(ai)
    if kind is not None:
        return validate_key(kind, value, verify=verify)
    if ai == "235":
        return validate_upui(value)
    limit = _QUALIFIER_LIMITS.get(ai)
    if ai == "8011":
        if not (value.isdigit() and value.isascii() and 1 <= len(value) <= 12):
            raise IdentifierError(_("The CPID serial %(code)s must be 1 to 12 digits.", code=value))
        return value
    if limit is None:  # pragma: no cover - callers pass known AIs only
        raise IdentifierError(_("GS1 application identifier %(ai)s is not supported.", ai=ai))
    if not value or len(value) > limit:
        raise IdentifierError(
            _(
                "%(key)s %(code)s is longer than %(max)s characters.",
                key=f"({ai})",
                code=value,
                max=limit,
            )
        )
    _check_chars(f"({ai})", value, value, CS82, 0)
    return value


def _not_a_dl(value: str) -> IdentifierError:
    return IdentifierError(_("%(value)s is not a GS1 Digital Link URI.", value=value))


def parse_digital_link(value: str, *, verify: bool = True) -> DigitalLink:
    """Parse a GS1 Digital Link URI on any host, or raise IdentifierError.

    The query string and fragment are ignored (they carry data attributes, not identity).
    Path segments before the primary key are a host's own prefix and are skipped.
    ``verify=False`` skips check-digit verification (used when normalising for the event
    hash, which must not reject what the sender wrote).
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise _not_a_dl(value)
    segments = [s for s in parts.path.split("/") if s != ""]
    start = None
    for i in range(len(segments) - 1):
        ai = SHORT_NAMES.get(segments[i], segments[i])
        if ai in QUALIFIERS and (len(segments) - i) % 2 == 0:
            start = i
            break
    if start is None:
        raise _not_a_dl(value)
    pairs = [
        (SHORT_NAMES.get(segments[j], segments[j]), unquote(segments[j + 1]))
        for j in range(start, len(segments), 2)
    ]
    key_ai, key_value = pairs[0]
    if key_ai == "01" and key_value.isdigit() and len(key_value) in (8, 12, 13):
        key_value = key_value.zfill(14)
    allowed = QUALIFIERS[key_ai]
    seen: dict[str, str] = {}
    for ai, qualifier in pairs[1:]:
        if ai not in allowed or ai in seen:
            raise IdentifierError(
                _(
                    "In GS1 Digital Link %(value)s, AI %(ai)s cannot qualify AI %(key)s.",
                    value=value,
                    ai=ai,
                    key=key_ai,
                )
            )
        seen[ai] = _validate_element(ai, qualifier)
    if "235" in seen and len(seen) > 1:
        raise IdentifierError(
            _(
                "In GS1 Digital Link %(value)s, AI %(ai)s cannot qualify AI %(key)s.",
                value=value,
                ai="235",
                key=key_ai,
            )
        )
    elements = [(key_ai, _validate_element(key_ai, key_value, verify=verify))]
    elements += [(ai, seen[ai]) for ai in allowed if ai in seen]
    return DigitalLink(tuple(elements))


def _dl_from_epc(epc: EpcUri, value: str) -> DigitalLink:
    if epc.is_pattern:
        free = [i for i, f in enumerate(epc.fields) if f == "*"]
        if (
            epc.company_prefix == "*"
            or free != [len(epc.fields) - 1]
            or epc.scheme not in _CLASS_PATTERNS
        ):
            raise IdentifierError(
                _(
                    "Pattern %(value)s selects more than one GS1 key; it has no Digital Link equivalent.",
                    value=value,
                )
            )
    return DigitalLink(tuple(_epc_to_elements(epc, value)))


# --- conversions ----------------------------------------------------------------------


def epc_to_digital_link(value: str, *, host: str = CANONICAL_HOST) -> str:
    """Convert an EPC URI (id, class, or a pattern that fixes the class) to a Digital Link."""
    return _dl_from_epc(parse_epc_uri(value), value).uri(host)


def _split_gcp(digits: str, gcp_length: GcpLength, fixed: int | None) -> tuple[str, str]:
    length = _resolve_gcp_length(digits, gcp_length)
    if fixed is not None and length > fixed:
        raise IdentifierError(
            _(
                "A company prefix of %(n)s digits does not fit in %(code)s.",
                n=length,
                code=digits,
            )
        )
    return digits[:length], digits[length:]


def epc_from_elements(link: DigitalLink, *, gcp_length: GcpLength = None) -> EpcUri:
    """Return the EPC URI for a GS1 key and its qualifiers (the company prefix is looked up)."""
    ai, key = link.elements[0]
    serial21 = link.get("21")
    if ai == "01":
        gcp, ref = _split_gcp(key[1:13], gcp_length, 12)
        item = key[0] + ref
        if serial21 is not None:
            return EpcUri("id", "sgtin", gcp, (item, serial21))
        tpx = link.get("235")
        if tpx is not None:
            return EpcUri("id", "upui", gcp, (item, tpx))
        lot = link.get("10")
        if lot is not None:
            return EpcUri("class", "lgtin", gcp, (item, lot))
        return EpcUri("idpat", "sgtin", gcp, (item, "*"))
    if ai == "00":
        gcp, ref = _split_gcp(key[1:17], gcp_length, 12)
        return EpcUri("id", "sscc", gcp, (key[0] + ref,))
    if ai in ("414", "417"):
        gcp, ref = _split_gcp(key[:12], gcp_length, 12)
        if ai == "417":
            return EpcUri("id", "pgln", gcp, (ref,))
        return EpcUri("id", "sgln", gcp, (ref, link.get("254") or "0"))
    if ai == "8003":
        gcp, ref = _split_gcp(key[1:13], gcp_length, 12)
        serial = key[14:]
        return (
            EpcUri("id", "grai", gcp, (ref, serial))
            if serial
            else EpcUri("idpat", "grai", gcp, (ref, "*"))
        )
    if ai in ("253", "255"):
        scheme = "gdti" if ai == "253" else "sgcn"
        gcp, ref = _split_gcp(key[:12], gcp_length, 12)
        serial = key[13:]
        return (
            EpcUri("id", scheme, gcp, (ref, serial))
            if serial
            else EpcUri("idpat", scheme, gcp, (ref, "*"))
        )
    if ai in ("8004", "401"):
        gcp, ref = _split_gcp(key, gcp_length, None)
        if not gcp.isdigit():
            raise IdentifierError(
                _("The GS1 company prefix in %(value)s must be 6 to 12 digits.", value=key)
            )
        return EpcUri("id", "giai" if ai == "8004" else "ginc", gcp, (ref,))
    if ai in ("8018", "8017", "402"):
        scheme = {"8018": "gsrn", "8017": "gsrnp", "402": "gsin"}[ai]
        gcp, ref = _split_gcp(key[:-1], gcp_length, 12)
        return EpcUri("id", scheme, gcp, (ref,))
    if ai == "8010":
        gcp, ref = _split_gcp(key, gcp_length, None)
        if not gcp.isdigit():
            raise IdentifierError(
                _("The GS1 company prefix in %(value)s must be 6 to 12 digits.", value=key)
            )
        cps = link.get("8011")
        return (
            EpcUri("id", "cpi", gcp, (ref, cps)) if cps else EpcUri("idpat", "cpi", gcp, (ref, "*"))
        )
    if ai == "8006":
        gcp, ref = _split_gcp(key[1:13], gcp_length, 12)
        item = key[0] + ref
        piece, total = key[14:16], key[16:18]
        if serial21 is not None:
            return EpcUri("id", "itip", gcp, (item, piece, total, serial21))
        if link.get("10") is None:
            return EpcUri("idpat", "itip", gcp, (item, piece, total, "*"))
    raise IdentifierError(_("%(value)s has no EPC URI equivalent.", value=link.uri()))


def digital_link_to_epc(value: str, *, gcp_length: GcpLength = None) -> str:
    """Convert a GS1 Digital Link URI to its EPC URI (pure identity, lgtin class or pattern).

    ``gcp_length`` gives the company prefix length (an int, or a function of the key's
    digits after any indicator digit); :func:`default_gcp_length` is used otherwise.
    """
    return epc_from_elements(parse_digital_link(value), gcp_length=gcp_length).urn()


def canonical_digital_link(value: str, *, verify: bool = True) -> str:
    """Return an EPC URI or Digital Link as a canonical ``https://id.gs1.org`` Digital Link.

    Qualifiers are kept (except the CPV and, next to a serial, the lot: see
    :meth:`DigitalLink.constrained`); query string and fragment are dropped.
    """
    text = value.strip()
    if text.lower().startswith("urn:epc:"):
        return _dl_from_epc(parse_epc_uri(text), value).constrained().uri()
    return parse_digital_link(text, verify=verify).constrained().uri()


def is_gs1_identifier(value: str) -> bool:
    """Tell whether ``value`` is spelt as an EPC URI or a GS1 Digital Link URI."""
    text = value.strip()
    if text.lower().startswith("urn:epc:"):
        return True
    try:
        parse_digital_link(text, verify=False)
    except IdentifierError:
        return False
    return True


def normalize_epc(
    value: str, fmt: Format = "urn", *, gcp_length: GcpLength = None, strict: bool = True
) -> str:
    """Return an identifier in one spelling, EPC URI (``urn``) or canonical Digital Link (``dl``).

    Used for the ``GS1-EPC-Format`` header and to tell that two spellings name one object.
    EPC URIs and Digital Links are converted; any other URI (``geo:``, a company's own
    URL, ``urn:uuid:``) is returned as it was, because EPCIS allows them wherever it allows
    EPCs. The Digital Link form keeps only the identity (see
    :meth:`DigitalLink.constrained`): a lot next to a serial, or a CPV, has no place in an
    EPC URI either.

    A malformed EPC URI or Digital Link (a wrong check digit, say) raises IdentifierError;
    with ``strict=False`` it is returned as written (a Digital Link moved to the canonical
    host), which is what reading back stored data needs.
    """
    if fmt not in ("urn", "dl"):
        raise IdentifierError(_("Unknown identifier format “%(fmt)s”; use “urn” or “dl”.", fmt=fmt))
    text = value.strip()
    try:
        return _normalize(text, fmt, gcp_length)
    except IdentifierError:
        if strict:
            raise
    if fmt == "dl" and not text.lower().startswith("urn:"):
        try:
            return canonical_digital_link(text, verify=False)
        except IdentifierError:
            pass
    return text


def _normalize(text: str, fmt: Format, gcp_length: GcpLength) -> str:
    if text.lower().startswith("urn:epc:"):
        epc = parse_epc_uri(text)
        if fmt == "urn":
            return epc.urn()
        try:
            return _dl_from_epc(epc, text).constrained().uri()
        except IdentifierError:
            if epc.is_pattern:  # a wider pattern has no Digital Link; keep the URN
                return epc.urn()
            raise
    try:
        link = parse_digital_link(text)
    except IdentifierError:
        if _looks_like_digital_link(text):
            raise
        return text
    if fmt == "dl":
        return link.constrained().uri()
    return epc_from_elements(link, gcp_length=gcp_length).urn()


def _looks_like_digital_link(text: str) -> bool:
    """A web URI whose path names a GS1 primary key AI is meant as a Digital Link."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https"):
        return False
    segments = [s for s in parts.path.split("/") if s]
    for i, seg in enumerate(segments[:-1]):
        ai = SHORT_NAMES.get(seg, seg)
        if ai in QUALIFIERS and segments[i + 1][:1].isdigit():
            return True
    return False
