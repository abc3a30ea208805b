"""Check characters of the identifiers the registry holds.

- 统一社会信用代码 (USCC), GB 32100-2015: 18 characters from a 31-character alphabet;
  the 18th is a check character over the first 17 (weights 3^i mod 31).
- GTIN-8/12/13/14 (GS1 General Specifications §7.9): mod-10 check digit; stored as GTIN-14.
"""

from __future__ import annotations

from dataclasses import dataclass

from plateau.i18n import _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}


# Not frozen: contextmanager and FastAPI set __traceback__ on exceptions passing through.
@dataclass
class IdentifierError(ValueError):
    """A malformed identifier; ``position`` is 1-based, ``message`` is translated."""

    message: str
    position: int | None = None

    def __str__(self) -> str:
        return self.message


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the code upper-cased and trimmed, or raise IdentifierError naming the fault."""
    code = value.strip().upper()
    if len(code) != 18:
        raise IdentifierError(
            _(
                "统一社会信用代码 must have 18 characters; %(code)s has %(n)s.",
                code=code,
                n=len(code),
            )
        )
    for i, ch in enumerate(code, start=1):
        if ch not in _USCC_VALUE:
            raise IdentifierError(
                _(
                    "Character %(pos)s of 统一社会信用代码 %(code)s is “%(ch)s”, which the code never uses (no I, O, S, V or Z).",
                    pos=i,
                    code=code,
                    ch=ch,
                ),
                i,
            )
    if not code[2:8].isdigit():
        raise IdentifierError(
            _(
                "Characters 3–8 of 统一社会信用代码 %(code)s must be the administrative division code (6 digits).",
                code=code,
            ),
            3,
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            _(
                "The check character (position 18) of 统一社会信用代码 %(code)s is “%(given)s” but should be “%(expected)s”: a character is mistyped.",
                code=code,
                given=code[17],
                expected=expected,
            ),
            18,
        )
    return code


def make_uscc(first17: str) -> str:
    """Complete 17 characters with their check character (for generators and tests)."""
    return first17 + uscc_check_char(first17)


def gtin_check_digit(body: str) -> str:
    """Return the GS1 mod-10 check digit for the digits before it."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def validate_gtin(value: str) -> str:
    """Return the GTIN as 14 digits or raise IdentifierError naming the fault."""
    code = value.strip().replace(" ", "")
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        raise IdentifierError(_("GTIN %(code)s must be 8, 12, 13 or 14 digits.", code=code))
    expected = gtin_check_digit(code[:-1])
    if code[-1] != expected:
        raise IdentifierError(
            _(
                "The check digit of GTIN %(code)s is %(given)s but should be %(expected)s.",
                code=code,
                given=code[-1],
                expected=expected,
            ),
            len(code),
        )
    return code.zfill(14)


def make_gtin(body: str) -> str:
    """Complete a GTIN body (without check digit) and return it as 14 digits."""
    return (body + gtin_check_digit(body)).zfill(14)
