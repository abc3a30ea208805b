"""Columns of the plan's exported tables (headers in the user's language)."""

from __future__ import annotations

from plateau.i18n import _
from plateau.tabular import Column


def figure_columns() -> list[Column]:
    return [
        Column("plan_name", _("Plan")),
        Column("indicator", _("Indicator code")),
        Column("indicator_name", _("Indicator")),
        Column("scope_name", _("Scope")),
        Column("year", _("Year")),
        Column("kind_label", _("Kind")),
        Column("value", _("Value")),
        Column("value_max", _("Upper end of range")),
        Column("bound_label", _("Bound")),
        Column("unit_label", _("Unit")),
        Column("since_year", _("Since year")),
        Column("source", _("Source section")),
        Column("text_zh", _("Text of the plan")),
    ]
