"""``plateau indicators`` (values, statuses, projections; backtest) and ``plateau targets``.

The commands run as the trusted local operator (the database is theirs): every scope is
printed, enterprises only when asked for with ``--scope enterprise`` or ``enterprise:<uscc>``.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from enum import StrEnum

import typer
from rich.console import Console
from rich.table import Table

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError
from plateau.formatting import fmt_value
from plateau.i18n import _
from plateau.monitoring.analytics import exports, service
from plateau.monitoring.analytics.labels import status_label
from plateau.monitoring.analytics.schemas import DecompositionRead, IndicatorRecord
from plateau.tabular import csv_text

indicators_app = typer.Typer(
    help="Indicator values, target statuses and projections.",
    invoke_without_command=True,
    no_args_is_help=False,
)
targets_app = typer.Typer(
    help="Decompose region targets into prefecture targets.", no_args_is_help=True
)
console = Console()
err = Console(stderr=True)


class Format(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"
    sdmx_csv = "sdmx-csv"


def _fail(exc: DomainError) -> typer.Exit:
    err.print(f"[red]{exc.message}[/red]")
    for e in exc.errors:
        err.print(f"  {e.field or ''}: {e.message}")
    return typer.Exit(1)


def _month(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        err.print(f"[red]{_('Give the month as YYYY-MM, not %(value)s.', value=value)}[/red]")
        raise typer.Exit(2) from None


@indicators_app.callback(invoke_without_command=True)
def indicators(
    ctx: typer.Context,
    year: int | None = typer.Option(None, "--year", help="Year (default: the latest with data)."),
    scope: str | None = typer.Option(
        None,
        "--scope",
        help="region, industry:<id>, prefecture:<code>, park:<id>, program:<id>, enterprise:<uscc>, or a kind (industry, enterprise, …).",
    ),
    format: Format = typer.Option(
        Format.json, "--format", help="json, csv, table or sdmx-csv (SDMX-CSV 2.0)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Use returns up to this month (YYYY-MM)."
    ),
) -> None:
    """Print one record per indicator × scope (money in CNY, same ids as `plateau plan targets`)."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        with runtime.open_session() as session:
            found = service.records(
                session, actor=SYSTEM, year=year, scope=scope, as_of=_month(as_of)
            )
    except DomainError as exc:
        raise _fail(exc) from None
    if format is Format.json:
        print(json.dumps([r.model_dump() for r in found], ensure_ascii=False, indent=1))
    elif format is Format.sdmx_csv:
        sys.stdout.write(exports.sdmx_csv(found))
    elif format is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(IndicatorRecord.model_fields))
        writer.writeheader()
        for r in found:
            writer.writerow(
                {k: "" if v is None else csv_text(v) for k, v in r.model_dump().items()}
            )
    else:
        _print_table(found)


def _print_table(found: list[IndicatorRecord]) -> None:
    table = Table(
        _("Indicator"),
        _("Scope"),
        _("Reporting period"),
        _("Value"),
        _("Target"),
        _("Status"),
        _("Projection"),
        _("Probability"),
    )
    for r in found:
        table.add_row(
            r.indicator,
            r.scope,
            r.period,
            fmt_value(r.value, r.unit),
            f"{fmt_value(r.target, r.unit)} ({r.target_year})" if r.target is not None else "—",
            status_label(r.status),
            fmt_value(r.projection, r.unit),
            f"{r.probability:.0%}" if r.probability is not None else "—",
        )
    console.print(table)


@indicators_app.command("backtest")
def backtest(
    format: Format = typer.Option(Format.table, "--format", help="json or table."),
) -> None:
    """Backtest the projections on the history: how often did the intervals hold?"""
    with runtime.open_session() as session:
        report = service.backtest(session, actor=SYSTEM)
    if format is Format.json:
        print(report.model_dump_json(indent=1))
        return
    console.print(report.method)
    console.print(
        _(
            "%(series)s series, %(cases)s projections from origins %(origins)s.",
            series=report.series,
            cases=report.cases,
            origins=", ".join(map(str, report.origins)),
        )
    )
    table = Table(_("Interval"), _("Horizon"), _("Projections"), _("Interval held"))
    for c in report.coverage:
        table.add_row(
            f"{c.level:.0%}",
            _("all") if c.horizon is None else f"+{c.horizon}",
            str(c.cases),
            f"{c.rate:.1%}" if c.rate is not None else "—",
        )
    console.print(table)


# --- plateau targets ---


@targets_app.command("list")
def list_targets() -> None:
    """List the region targets that can be decomposed, and whether shares are set."""
    with runtime.open_session() as session:
        found = service.list_decomposable(session, actor=SYSTEM)
    table = Table(_("Plan"), _("Indicator"), _("Target year"), _("Shares set"))
    for d in found:
        table.add_row(
            d.plan_id,
            f"{d.indicator} {d.indicator_name}",
            str(d.target_year),
            _("yes") if d.shares_set else _("no"),
        )
    console.print(table)


def _print_decomposition(found: DecompositionRead, format: Format) -> None:
    if format is Format.json:
        print(found.model_dump_json(indent=1))
        return
    table = Table(
        _("Prefecture"),
        _("Baseline"),
        _("Suggested share"),
        _("Share"),
        _("Target"),
        title=f"{found.indicator_name} {found.target_year}: {fmt_value(found.region_target, found.unit)}",
    )
    for row in found.rows:
        table.add_row(
            f"{row.prefecture} {row.name}",
            fmt_value(row.baseline, found.unit),
            f"{row.suggested_pct:.2f}%" if row.suggested_pct is not None else "—",
            f"{row.share_pct:.2f}%" if row.share_pct is not None else "—",
            fmt_value(row.target, found.unit),
        )
    console.print(table)
    console.print(found.message)


@targets_app.command("show")
def show(
    indicator: str = typer.Option(..., "--indicator", help="Indicator id, e.g. output_value."),
    year: int = typer.Option(..., "--year", help="Target year, e.g. 2025."),
    plan: str = typer.Option(service.MAIN_PLAN, "--plan", help="Plan id."),
    format: Format = typer.Option(Format.table, "--format", help="json or table."),
) -> None:
    """Show a region target split into prefecture targets, with suggested shares."""
    try:
        with runtime.open_session() as session:
            found = service.decomposition(
                session, actor=SYSTEM, indicator=indicator, year=year, plan_id=plan
            )
    except DomainError as exc:
        raise _fail(exc) from None
    _print_decomposition(found, format)


@targets_app.command("decompose")
def decompose(
    indicator: str = typer.Option(..., "--indicator", help="Indicator id, e.g. output_value."),
    year: int = typer.Option(..., "--year", help="Target year, e.g. 2025."),
    plan: str = typer.Option(service.MAIN_PLAN, "--plan", help="Plan id."),
    suggested: bool = typer.Option(
        False, "--suggested", help="Accept the shares suggested from the baseline."
    ),
    share: list[str] = typer.Option(
        [], "--share", help="A prefecture's share in percent: CODE=PCT (once per prefecture)."
    ),
    format: Format = typer.Option(Format.table, "--format", help="json or table."),
) -> None:
    """Set the prefecture shares of a region target (they must add up to 100%)."""
    try:
        with runtime.open_session() as session:
            if suggested:
                found = service.accept_suggested(
                    session, actor=SYSTEM, indicator=indicator, year=year, plan_id=plan
                )
            else:
                shares: dict[str, float] = {}
                for item in share:
                    code, _sep, pct = item.partition("=")
                    try:
                        shares[code.strip()] = float(pct)
                    except ValueError:
                        err.print(
                            f"[red]{_('Write each share as CODE=PCT, not %(value)s.', value=item)}[/red]"
                        )
                        raise typer.Exit(2) from None
                found = service.set_shares(
                    session,
                    actor=SYSTEM,
                    indicator=indicator,
                    year=year,
                    shares_pct=shares,
                    plan_id=plan,
                )
    except DomainError as exc:
        raise _fail(exc) from None
    _print_decomposition(found, format)


@targets_app.command("clear")
def clear(
    indicator: str = typer.Option(..., "--indicator", help="Indicator id."),
    year: int = typer.Option(..., "--year", help="Target year."),
    plan: str = typer.Option(service.MAIN_PLAN, "--plan", help="Plan id."),
) -> None:
    """Remove the prefecture shares of a region target."""
    with runtime.open_session() as session:
        service.clear_shares(session, actor=SYSTEM, indicator=indicator, year=year, plan_id=plan)
    console.print(_("Shares removed."))
