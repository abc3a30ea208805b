"""Columns of the plan's exported tables (headers in the user's language)."""

from __future__ import annotations

from plateau.i18n import _
from plateau.tabular import Column


def figure_columns() -> list[Column]:
    return [
        Column("plan_id", _("Plan")),
        Column("indicator", _("Indicator id")),
        Column("indicator_name", _("Indicator")),
        Column("scope", _("Scope")),
        Column("year", _("Year")),
        Column("kind", _("Kind")),
        Column("value", _("Value")),
        Column("value_max", _("Upper end of range")),
        Column("bound", _("Bound")),
        Column("unit", _("Unit")),
        Column("since_year", _("Since year")),
        Column("source", _("Source section")),
        Column("text_zh", _("Text of the plan")),
    ]
