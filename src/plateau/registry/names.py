"""Names of the reference data (prefectures, parks, industries) for exports and lists.

Exports print names where the database keeps codes: a row's ``prefecture_code``,
``park_id`` or ``industry_id`` becomes the name in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.formatting import loc
from plateau.registry.models import Industry, Park, Prefecture


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
