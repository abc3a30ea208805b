"""Background jobs of monitoring: large returns files (kind ``monitoring.import``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plateau.i18n import _
from plateau.tabular import read_table

if TYPE_CHECKING:
    from plateau.jobs.service import JobContext


def run_import(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Read, check and save a returns file: every row or none, every bad row named."""
    from plateau.monitoring import api as monitoring_api
    from plateau.monitoring import service as monitoring_service

    filename = str(params["filename"])
    dry_run = bool(params["dry_run"])
    ctx.progress(0, 3, _("Reading the file"))
    table = read_table(ctx.payload(), filename)
    ctx.progress(1, 3, _("Checking %(n)s rows", n=len(table.rows)))
    with ctx.session() as session:
        outcome = monitoring_service.import_returns(
            session,
            table=table,
            actor=ctx.actor,
            dry_run=dry_run,
            submit=bool(params["submit"]),
            source=filename,
        )
    ctx.progress(3, 3, _("Done"))
    if dry_run:
        summary = _(
            "Check passed: all %(n)s rows are valid. Nothing was saved (trial run).", n=outcome.rows
        )
    else:
        summary = _(
            "Imported %(n)s returns: %(created)s new, %(updated)s changed, %(unchanged)s "
            "unchanged, %(submitted)s submitted.",
            n=outcome.rows,
            created=outcome.created,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
            submitted=outcome.submitted,
        )
    return {
        "summary": summary,
        "url": None if dry_run else "/monitoring/returns",
        "report": monitoring_api.report(outcome, dry_run=dry_run).model_dump(mode="json"),
    }
