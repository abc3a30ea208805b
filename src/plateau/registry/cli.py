"""``plateau import`` and ``plateau export``: registry lists in and out of CSV and Excel files.

Imports check every row first and write nothing when any row is wrong; the exit status is
0 on success and 1 on any error, so scripts can rely on it.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError, ValidationFailed
from plateau.i18n import _
from plateau.registry import service
from plateau.registry.schemas import (
    EnterpriseFilter,
    ImportKind,
    ProductFilter,
    ProjectFilter,
)
from plateau.runtime import open_session
from plateau.tabular import read_table, to_csv, to_xlsx

import_app = typer.Typer(help="Import records from CSV or Excel files.", no_args_is_help=True)
export_app = typer.Typer(help="Export lists to CSV or Excel files.", no_args_is_help=True)

console = Console()
err_console = Console(stderr=True)

FILE_HELP = "CSV or Excel (.xlsx) file with a header row."
DRY_RUN_HELP = "Check every row but write nothing."
OUT_HELP = "File to write; .csv or .xlsx."


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]{message}[/bold red]")
    return typer.Exit(1)


def _import(kind: ImportKind, file: Path, dry_run: bool) -> None:
    if not file.is_file():
        raise _fail(_("File %(name)s does not exist.", name=str(file)))
    try:
        table = read_table(file.read_bytes(), file.name)
        with open_session() as session:
            report = service.import_table(
                session, kind=kind, table=table, actor=SYSTEM, dry_run=dry_run
            )
    except ValidationFailed as exc:
        if exc.errors:
            grid = RichTable(title=_("Problems found"), show_lines=False)
            grid.add_column(_("Row"), justify="right")
            grid.add_column(_("Column"))
            grid.add_column(_("Problem"), overflow="fold")
            grid.add_column(_("Value"), overflow="fold")
            for e in exc.errors:
                grid.add_row(
                    str(e.row or ""),
                    e.field or "",
                    e.message,
                    "" if e.value is None else str(e.value),
                )
            err_console.print(grid)
        raise _fail(exc.message) from None
    except DomainError as exc:
        raise _fail(exc.message) from None
    if report.dry_run:
        console.print(
            _(
                "Check passed: all %(n)s rows are valid. Nothing was saved (trial run).",
                n=report.rows,
            )
        )
        console.print(
            _(
                "Importing this file would create %(created)s and update %(updated)s records.",
                created=report.created,
                updated=report.updated,
            )
        )
    else:
        console.print(
            _(
                "Imported %(n)s rows: %(created)s created, %(updated)s updated.",
                n=report.rows,
                created=report.created,
                updated=report.updated,
            )
        )


@import_app.command("enterprises")
def import_enterprises(
    file: Path = typer.Argument(..., help=FILE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """Import enterprises: uscc,name,prefecture,industry [county,park,gbt4754,founded_date]."""
    _import("enterprises", file, dry_run)


@import_app.command("products")
def import_products(
    file: Path = typer.Argument(..., help=FILE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """Import products: gtin,name,uscc [brand,industry,category,net_content,origin_base]."""
    _import("products", file, dry_run)


@import_app.command("projects")
def import_projects(
    file: Path = typer.Argument(..., help=FILE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """Import investment projects: name,industry,prefecture,stage,amount_cny (or amount_wan)."""
    _import("projects", file, dry_run)


@import_app.command("statuses")
def import_statuses(
    file: Path = typer.Argument(..., help=FILE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """Import dated statuses: uscc,kind,valid_from [level,valid_to,certificate_no]."""
    _import("statuses", file, dry_run)


def _write(
    kind: service.ExportKind,
    out: Path,
    filters: EnterpriseFilter | ProductFilter | ProjectFilter | None = None,
) -> None:
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _fail(_("Write to a .csv or .xlsx file, not %(name)s.", name=out.name))
    try:
        with open_session() as session:
            table = service.export_rows(session, kind=kind, actor=SYSTEM, filters=filters)
    except DomainError as exc:
        raise _fail(exc.message) from None
    if suffix == ".csv":
        body = to_csv(table.columns, table.rows)
    else:
        body = to_xlsx(table.columns, table.rows, sheet=table.filename)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    console.print(_("Wrote %(n)s rows to %(file)s.", n=len(table.rows), file=str(out)))


@export_app.command("enterprises")
def export_enterprises(
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
    prefecture: str | None = typer.Option(None, help="GB/T 2260 code, e.g. 540100."),
    park: str | None = typer.Option(None, help="Park id."),
    industry: str | None = typer.Option(None, help="533 industry id."),
    status: str | None = typer.Option(None, help="Only holders of this status today."),
) -> None:
    """Export enterprises (the same columns the import reads, and more)."""
    try:
        filters = EnterpriseFilter(
            prefecture=prefecture,
            park=park,
            industry=industry,
            status=status,  # type: ignore[arg-type]
        )
    except ValueError:
        raise _fail(_("Unknown status %(status)s.", status=str(status))) from None
    _write("enterprises", out, filters)


@export_app.command("products")
def export_products(
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
    enterprise: str | None = typer.Option(None, help="USCC of one enterprise."),
    industry: str | None = typer.Option(None, help="533 industry id."),
) -> None:
    """Export products with their enterprise, brand and origin."""
    _write("products", out, ProductFilter(enterprise=enterprise, industry=industry))


@export_app.command("projects")
def export_projects(
    out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP),
    prefecture: str | None = typer.Option(None, help="GB/T 2260 code, e.g. 540100."),
    stage: str | None = typer.Option(
        None, help="planning, signed, under_construction or in_production."
    ),
) -> None:
    """Export the investment project library (amounts in CNY)."""
    try:
        filters = ProjectFilter(prefecture=prefecture, stage=stage)  # type: ignore[arg-type]
    except ValueError:
        raise _fail(_("Unknown stage %(stage)s.", stage=str(stage))) from None
    _write("projects", out, filters)


@export_app.command("brands")
def export_brands(out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP)) -> None:
    """Export the brands of all enterprises."""
    _write("brands", out)


@export_app.command("certifications")
def export_certifications(out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP)) -> None:
    """Export all certificates."""
    _write("certifications", out)


@export_app.command("parks")
def export_parks(out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP)) -> None:
    """Export the industrial parks."""
    _write("parks", out)


@export_app.command("bases")
def export_bases(out: Path = typer.Option(..., "--out", "-o", help=OUT_HELP)) -> None:
    """Export the raw-material bases with their counties."""
    _write("bases", out)
