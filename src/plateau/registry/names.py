"""Names of the reference data (prefectures, parks, industries) for exports and lists,
and of products and enterprises for whoever holds their GTINs or USCCs.

Exports print names where the database keeps codes: a row's ``prefecture_code``,
``park_id`` or ``industry_id`` becomes the name in the reader's language. A trace names
every product and enterprise it passes: :func:`product_names` and :func:`enterprise_names`
read them for a whole set of codes at once, as plain rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import Session

from plateau.formatting import loc
from plateau.registry.models import Enterprise, Industry, Park, Prefecture, Product

# Codes per IN (…) list: well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500


@dataclass(frozen=True)
class Names:
    prefectures: dict[str, str]
    parks: dict[str, str]
    industries: dict[str, str]

    def prefecture(self, code: str | None) -> str:
        return self.prefectures.get(code or "", code or "")

    def park(self, park_id: str | None) -> str:
        return self.parks.get(park_id or "", park_id or "")

    def industry(self, industry_id: str | None) -> str:
        return self.industries.get(industry_id or "", industry_id or "")


def reference_names(session: Session) -> Names:
    """Every prefecture, park and industry name, in the current language (three small reads)."""
    return Names(
        prefectures={p.code: loc(p) for p in session.scalars(select(Prefecture))},
        parks={p.id: loc(p) for p in session.scalars(select(Park))},
        industries={i.id: loc(i) for i in session.scalars(select(Industry))},
    )


@dataclass(frozen=True)
class ProductName:
    """A product's names and the USCC of its enterprise."""

    gtin: str
    name_zh: str
    name_en: str
    enterprise_uscc: str


@dataclass(frozen=True)
class EnterpriseName:
    """An enterprise's names."""

    uscc: str
    name: str
    name_en: str


# Built once (a trace asks on every call); the reader's condition is added per call.
_PRODUCT_NAMES = (
    select(Product.gtin, Product.name_zh, Product.name_en, Enterprise.uscc)
    .join(Enterprise, Enterprise.id == Product.enterprise_id)
    .where(Product.gtin.in_(bindparam("codes", expanding=True)))
)
_ENTERPRISE_NAMES = select(Enterprise.uscc, Enterprise.name, Enterprise.name_en).where(
    Enterprise.uscc.in_(bindparam("codes", expanding=True))
)


def _chunks(values: Iterable[str]) -> list[list[str]]:
    items = sorted(set(values))
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def product_names(
    session: Session, gtins: Iterable[str], visible: ColumnElement[bool]
) -> dict[str, ProductName]:
    """Return the names of the products with these GTINs (8 to 14 digits; keyed as given)
    whose enterprise meets ``visible``, one statement per 500 GTINs."""
    asked: dict[str, list[str]] = {}
    for gtin in gtins:
        if gtin:
            asked.setdefault(gtin.strip().zfill(14), []).append(gtin)
    found: dict[str, ProductName] = {}
    for chunk in _chunks(asked):
        for gtin, name_zh, name_en, uscc in session.execute(
            _PRODUCT_NAMES.where(visible), {"codes": chunk}
        ):
            for given in asked[gtin]:
                found[given] = ProductName(gtin, name_zh, name_en or "", uscc)
    return found


def enterprise_names(
    session: Session, usccs: Iterable[str], visible: ColumnElement[bool]
) -> dict[str, EnterpriseName]:
    """Return the names of the enterprises with these USCCs (keyed as given) that meet
    ``visible``, one statement per 500 USCCs."""
    asked: dict[str, list[str]] = {}
    for uscc in usccs:
        if uscc:
            asked.setdefault(uscc.strip().upper(), []).append(uscc)
    found: dict[str, EnterpriseName] = {}
    for chunk in _chunks(asked):
        for uscc, name, name_en in session.execute(
            _ENTERPRISE_NAMES.where(visible), {"codes": chunk}
        ):
            for given in asked[uscc]:
                found[given] = EnterpriseName(uscc, name, name_en or "")
    return found
