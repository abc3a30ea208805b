"""Names of the exchange's codes."""

from __future__ import annotations

from plateau.i18n import _, lazy

KINDS: dict[str, str] = {"offer": lazy("Offer"), "need": lazy("Need")}
CATEGORIES: dict[str, str] = {
    "materials": lazy("Raw and auxiliary materials"),
    "packaging": lazy("Packaging"),
    "processing": lazy("Processing capacity and orders"),
    "design": lazy("Design services"),
    "finished_goods": lazy("Finished goods for buyers"),
}


def name(table: dict[str, str], code: str) -> str:
    label = table.get(code)
    return _(label) if label else code
