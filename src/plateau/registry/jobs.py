"""Background jobs of the registry: large import files (kind ``registry.import``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from plateau.i18n import _
from plateau.registry.schemas import ImportKind
from plateau.tabular import read_table

if TYPE_CHECKING:
    from plateau.jobs.service import JobContext

LIST_PAGES = {
    "enterprises": "/registry/enterprises",
    "products": "/registry/products",
    "projects": "/registry/projects",
}


def run_import(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Read, check and write an import file: every row or none, every bad row named."""
    from plateau.registry import service as registry_service

    kind = cast(ImportKind, params["kind"])
    ctx.progress(0, 3, _("Reading the file"))
    table = read_table(ctx.payload(), str(params["filename"]))
    ctx.progress(1, 3, _("Checking %(n)s rows", n=len(table.rows)))
    with ctx.session() as session:
        report = registry_service.import_table(
            session, kind=kind, table=table, actor=ctx.actor, dry_run=bool(params["dry_run"])
        )
    ctx.progress(3, 3, _("Done"))
    if report.dry_run:
        summary = _(
            "Check passed: all %(n)s rows are valid. Nothing was saved (trial run).", n=report.rows
        )
    else:
        summary = _(
            "Imported %(n)s rows: %(created)s created, %(updated)s updated.",
            n=report.rows,
            created=report.created,
            updated=report.updated,
        )
    return {
        "summary": summary,
        # A trial run changed nothing: there is no list to look at.
        "url": None if report.dry_run else LIST_PAGES.get(kind, "/registry"),
        "report": report.model_dump(mode="json"),
    }
