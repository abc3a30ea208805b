"""``plateau plan``: the plans' figures for scripts, and the coherence check."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum

import typer
from rich.console import Console
from rich.table import Table

from plateau.auth.schemas import PUBLIC
from plateau.formatting import fmt_value
from plateau.i18n import _
from plateau.plan import service
from plateau.plan.schemas import FigureRecord
from plateau.runtime import open_session
from plateau.tabular import csv_text

app = typer.Typer(help="The plans as data: baselines, targets and checks.", no_args_is_help=True)
console = Console()


class Format(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"


@app.command()
def targets(
    format: Format = typer.Option(Format.json, "--format", help="json, csv or table."),
    plan: str | None = typer.Option(None, help="plan_533 or lhasa_garment."),
    indicator: str | None = typer.Option(None, help="Only this indicator id."),
    scope: str | None = typer.Option(None, help="Only this scope (region, industry:<id>, …)."),
    kind: str | None = typer.Option(None, help="baseline or target."),
    year: int | None = typer.Option(None, help="Only this year."),
) -> None:
    """Print every baseline and target of both plans (money in CNY)."""
    with open_session() as session:
        figures = service.list_figures(
            session,
            actor=PUBLIC,
            plan_id=plan,
            indicator=indicator,
            scope=scope,
            kind=kind,
            year=year,
        )
        records = [service.figure_record(f) for f in figures]
    if format is Format.json:
        print(json.dumps([r.model_dump() for r in records], ensure_ascii=False, indent=1))
    elif format is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(FigureRecord.model_fields))
        writer.writeheader()
        for r in records:
            writer.writerow({k: csv_text(v) for k, v in r.model_dump().items()})
    else:
        table = Table(
            _("Indicator"), _("Scope"), _("Year"), _("Kind"), _("Value"), _("Source section")
        )
        for r in records:
            shown = fmt_value(r.value, r.unit)
            if r.value_max is not None:
                shown += "–" + fmt_value(r.value_max, r.unit)
            table.add_row(
                r.indicator, r.scope, str(r.year), r.kind, f"{shown} ({r.bound})", r.source
            )
        console.print(table)


@app.command()
def check() -> None:
    """Compare the sum of the eleven industry output targets with the region target, per year."""
    with open_session() as session:
        rows = service.coherence_check(session, actor=PUBLIC)
    for row in rows:
        table = Table(title=f"{row.year}")
        table.add_column(_("Industry"))
        table.add_column(_("Target"), justify="right")
        for share in row.industries:
            table.add_row(
                share.name, fmt_value(share.value, "CNY") if share.value is not None else "—"
            )
        table.add_row(
            f"[bold]{_('Sum of industries')}[/bold]",
            f"[bold]{fmt_value(row.industry_sum, 'CNY')}[/bold]",
        )
        table.add_row(f"[bold]{_('Region target')}[/bold]", fmt_value(row.region_value, "CNY"))
        console.print(table)
        console.print(row.message)
