"""``plateau exchange``: the board as a table, and its Excel export."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from plateau.auth.schemas import SYSTEM
from plateau.exchange import service
from plateau.i18n import _
from plateau.runtime import open_session
from plateau.tabular import to_xlsx

app = typer.Typer(help="The 供需对接 exchange of offers and needs.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_() -> None:
    """List the posts (all, as the administrator sees them)."""
    with open_session() as session:
        rows = service.export_rows(session, actor=SYSTEM)
    columns = service.export_columns()
    table = Table(*[c.header for c in columns])
    for r in rows:
        table.add_row(*["" if r[c.key] is None else str(r[c.key]) for c in columns])
    console.print(table)


@app.command()
def export(out: Path = typer.Option(..., "--out", help="An .xlsx file.")) -> None:
    """Write the posts to an Excel workbook."""
    with open_session() as session:
        rows = service.export_rows(session, actor=SYSTEM)
    out.write_bytes(to_xlsx(service.export_columns(), rows, sheet="exchange"))
    console.print(_("Wrote %(path)s.", path=str(out)))
