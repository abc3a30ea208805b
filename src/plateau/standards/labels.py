"""Names of the standards programme's codes."""

from __future__ import annotations

from plateau.i18n import _, lazy

LEVELS: dict[str, str] = {
    "national": lazy("National standard"),
    "industry": lazy("Industry standard"),
    "local": lazy("Local standard"),
    "group": lazy("Group standard"),
    "enterprise": lazy("Enterprise standard"),
}
STATUSES: dict[str, str] = {
    "planned": lazy("Planned"),
    "drafting": lazy("Drafting"),
    "consultation": lazy("Public consultation"),
    "published": lazy("Published"),
    "superseded": lazy("Superseded"),
}
STATUS_ORDER = list(STATUSES)


def name(table: dict[str, str], code: str) -> str:
    label = table.get(code)
    return _(label) if label else code
