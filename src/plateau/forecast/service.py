"""The forecasting domain's operations: the only place with its business rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plateau.i18n import _

if TYPE_CHECKING:
    from plateau.forecast import engine


def note_text(note: engine.Note, structure: engine.Structure | None = None) -> str:
    """Say a note of the engine in the user's language, naming the series."""
    who = _("all series")
    if note.series:
        if structure is not None and note.series in set(structure.tags_ids()):
            keys = structure.keys(note.series)
            who = ", ".join(f"{k}={v}" for k, v in keys.items() if v is not None) or _("total")
        else:
            who = note.series
    if note.code == "all_zero":
        return _("%(series)s is all zeros: its forecast is flat at zero.", series=who)
    if note.code == "short_series":
        return _(
            "%(series)s has only %(n)s points: too short for a seasonal model, a simple one stands in.",
            series=who,
            n=note.detail,
        )
    if note.code == "gaps":
        return _(
            "%(series)s had %(n)s missing period(s), filled by interpolation.",
            series=who,
            n=note.detail,
        )
    if note.code == "stopped":
        return _(
            "%(series)s stops %(n)s period(s) before the others; counted as zero since.",
            series=who,
            n=note.detail,
        )
    if note.code == "no_backtest":
        return _(
            "The series are too short to backtest; %(model)s is used everywhere.", model=note.detail
        )
    if note.code == "fallback_reconciliation":
        return _(
            "MinTrace could not be estimated; %(method)s reconciled the forecasts.",
            method=note.detail,
        )
    return note.code
