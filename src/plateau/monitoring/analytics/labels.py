"""Display labels shared by pages, exports and the CLI (message ids, translated at display)."""

from __future__ import annotations

from plateau.i18n import _, lazy

STATUS_LABELS: dict[str, str] = {
    "on_track": lazy("On track"),
    "at_risk": lazy("At risk"),
    "off_track": lazy("Off track"),
}
MEASURE_LABELS: dict[str, str] = {
    "level": lazy("Value"),
    "difference": lazy("Increase since the base year"),
    "cumulative": lazy("Total since the base year"),
    "growth": lazy("Average annual growth since the base year"),
}
BASELINE_SOURCES: dict[str, str] = {
    "plan_baseline": lazy("plan baseline"),
    "previous_target": lazy("previous target"),
    "data": lazy("observed in the base year"),
    "since": lazy("zero in the base year"),
    "none": lazy("no baseline"),
}
# The outlier table of the early-warning page and its export: key of the row -> header.
OUTLIER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("enterprise", lazy("Enterprise")),
    ("uscc", lazy("Unified social credit code")),
    ("prefecture", lazy("Prefecture")),
    ("park", lazy("Park")),
    ("industry", lazy("Industry")),
    ("period_label", lazy("Month")),
    ("status_label", lazy("Status")),
    ("element_name", lazy("Figure")),
    ("rule_name", lazy("Check")),
    ("message", lazy("Why it is unusual")),
    ("z_rounded", lazy("Modified z-score")),
)
SCOPE_KIND_LABELS: dict[str, str] = {
    "region": lazy("Region"),
    "industry": lazy("Industries"),
    "prefecture": lazy("Prefectures"),
    "park": lazy("Parks"),
    "program": lazy("Programs"),
    "enterprise": lazy("Enterprises"),
}


def status_label(status: str | None) -> str:
    """The translated label of a status (a dash when there is none)."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else "—"


def thresholds_text(at_risk: float) -> str:
    """The status rule as a sentence, for every page that shows statuses."""
    return (
        _(
            "On track: at or above the trajectory from the baseline to the target; at risk: at least %(pct)s%% of it; off track: below that. In a year in progress, money and volumes are judged by their year-end estimate (year to date × last year ÷ last year's same months), counts by the trajectory at that point of the year.",
            pct=f"{at_risk * 100:.0f}",
        )
        + " "
        + _(
            "Figures entered once a year and added up since a year (new green factories, supply chains and design products) are judged, while the current year's figure is not yet entered, on the years entered so far against the trajectory at the end of the last of them; a year not yet entered is not counted as falling behind."
        )
    )


def above_size_note() -> str:
    """The note every page with money or enterprise counts carries."""
    return _(
        "Money indicators and counts of enterprises concern above-designated-size enterprises (规上: main-business revenue of 20 million CNY or more in that year, unless the registry records otherwise); status counts (high-tech, specialized SMEs, green factories) count every registered enterprise holding the status at the period's end."
    )


def counted_note() -> str:
    """Which returns count."""
    return _(
        "Only returns submitted, approved or locked are counted; drafts and returns sent back for correction are not."
    )


def projection_note() -> str:
    """How projections are made."""
    return _(
        "Projection: a log-linear trend (money, volumes, growth) or a linear trend (counts, rates) fitted on the complete years observed; the band is the 80% prediction interval (Student t) and the probability is that of meeting the target under the same distribution."
    )
