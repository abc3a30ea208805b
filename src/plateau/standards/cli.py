"""``plateau standards``: the register and progress against the plan's 专栏2."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from plateau.i18n import _, get_locale
from plateau.runtime import open_session
from plateau.standards import labels, service

app = typer.Typer(help="The standards programme (专栏2).", no_args_is_help=True)
console = Console()


@app.command()
def programme() -> None:
    """Show each 专栏2 item with the standards published and under way."""
    with open_session() as session:
        items = service.programme(session)
    table = Table(_("Programme item"), _("Target"), _("Published"), _("Under way"))
    for item in items:
        target = (
            "—" if item.min is None else (f"{item.min}–{item.max}" if item.max else str(item.min))
        )
        name = item.name_en if get_locale() == "en" else item.name_zh
        table.add_row(name, target, str(item.published), str(item.in_progress))
    console.print(table)


@app.command("list")
def list_(
    status: str | None = typer.Option(
        None, help="planned, drafting, consultation, published, superseded."
    ),
    industry: str | None = typer.Option(None, help="Industry id, e.g. bio_fermentation."),
) -> None:
    """List the register of standards."""
    with open_session() as session:
        rows = service.list_standards(session, status=status, industry=industry)
        table = Table(_("Number"), _("Title"), _("Level"), _("Status"), _("Lead organisation"))
        for s in rows:
            table.add_row(
                s.code or "—",
                service.loc_title(s),
                labels.name(labels.LEVELS, s.level),
                labels.name(labels.STATUSES, s.status),
                s.lead_organisation,
            )
    console.print(table)
