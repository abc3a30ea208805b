"""``plateau import returns`` and ``plateau returns …``: statistical returns from the command line.

Commands act as the region administrator (SYSTEM). Imports check every row first and write
nothing when any row is wrong; the exit status is 0 on success and 1 on any error.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError, ValidationFailed
from plateau.i18n import _
from plateau.monitoring import service
from plateau.monitoring.schemas import ReturnFilter
from plateau.runtime import open_session
from plateau.tabular import Column, read_table, to_csv

returns_app = typer.Typer(
    help="Statistical returns: import, periods and locks, review, completeness, late filers.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)

FILE_HELP = "CSV or Excel (.xlsx) file with a header row."
PERIOD_HELP = "YYYY-MM (a month) or YYYY (a year)."


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]{message}[/bold red]")
    return typer.Exit(1)


def _problems(exc: ValidationFailed) -> None:
    if not exc.errors:
        return
    grid = RichTable(title=_("Problems found"), show_lines=False)
    grid.add_column(_("Row"), justify="right")
    grid.add_column(_("Column"))
    grid.add_column(_("Problem"), overflow="fold")
    grid.add_column(_("Value"), overflow="fold")
    for e in exc.errors:
        grid.add_row(
            str(e.row or ""), e.field or "", e.message, "" if e.value is None else str(e.value)
        )
    err_console.print(grid)


def _run_import(file: Path, dry_run: bool, submit: bool) -> None:
    if not file.is_file():
        raise _fail(_("File %(name)s does not exist.", name=str(file)))
    try:
        table = read_table(file.read_bytes(), file.name)
        with open_session() as session:
            outcome = service.import_returns(
                session,
                table=table,
                actor=SYSTEM,
                dry_run=dry_run,
                submit=submit,
                source=file.name,
            )
    except ValidationFailed as exc:
        _problems(exc)
        raise _fail(exc.message) from None
    except DomainError as exc:
        raise _fail(exc.message) from None
    if dry_run:
        console.print(
            _(
                "Check passed: all %(n)s rows are valid. Nothing was saved (trial run).",
                n=outcome.rows,
            )
        )
    else:
        console.print(
            _(
                "Imported %(n)s returns: %(created)s new, %(updated)s changed, %(unchanged)s unchanged, %(submitted)s submitted.",
                n=outcome.rows,
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
                submitted=outcome.submitted,
            )
        )
    for w in outcome.warnings:
        console.print(_("Warning, row %(row)s: %(text)s", row=w.row, text=w.message))


def import_returns(
    file: Path = typer.Argument(..., help=FILE_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row but write nothing."),
    submit: bool = typer.Option(False, "--submit", help="Submit the returns after saving them."),
) -> None:
    """Import returns: uscc,period,output_value,revenue,value_added,employees [other element ids, comment]."""
    _run_import(file, dry_run, submit)


def register_import_command(import_app: typer.Typer) -> None:
    """Add ``returns`` to the ``plateau import`` sub-app."""
    import_app.command("returns")(import_returns)


returns_app.command("import")(import_returns)


@returns_app.command("lock")
def lock(period: str = typer.Argument(..., help=PERIOD_HELP)) -> None:
    """Lock a period: its approved returns become locked; nothing in it changes until reopened."""
    try:
        with open_session() as session:
            p, n, left = service.lock_period(session, period=period, actor=SYSTEM)
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("%(period)s locked: %(n)s approved returns locked.", period=str(p), n=n))
    if left:
        console.print(
            _(
                "%(n)s returns not approved stay as they are and can no longer change.",
                n=sum(left.values()),
            )
        )


@returns_app.command("reopen")
def reopen(
    period: str = typer.Argument(..., help=PERIOD_HELP),
    reason: str = typer.Option(..., "--reason", help="Why the period is reopened (audited)."),
) -> None:
    """Reopen a locked period with a reason: its locked returns are approved again."""
    try:
        with open_session() as session:
            p, n = service.reopen_period(session, period=period, reason=reason, actor=SYSTEM)
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("%(period)s reopened: %(n)s returns are approved again.", period=str(p), n=n))


@returns_app.command("periods")
def periods() -> None:
    """List recent periods: returns by status, lock and deadline."""
    with open_session() as session:
        lines = service.periods_overview(session, actor=SYSTEM)
        grid = RichTable(title=_("Periods"))
        grid.add_column(_("Reporting period"))
        for s in service.STATUSES:
            grid.add_column(service.status_label(s), justify="right")
        grid.add_column(_("Lock"))
        for line in lines:
            grid.add_row(
                str(line.period),
                *(str(line.counts.get(s, 0)) for s in service.STATUSES),
                _("Locked") if line.locked else "",
            )
    console.print(grid)


@returns_app.command("list")
def list_returns(
    period: str = typer.Option("", help=PERIOD_HELP),
    status: str = typer.Option("", help="draft, submitted, approved, returned or locked."),
    prefecture: str = typer.Option("", help="GB/T 2260 prefecture code."),
    park: str = typer.Option("", help="Park id."),
    out: Path | None = typer.Option(None, "--out", help="Write a .csv or .xlsx file instead."),
) -> None:
    """List returns (all matching rows), or write them to a file."""
    try:
        filters = ReturnFilter.model_validate(
            {"period": period, "status": status, "prefecture": prefecture, "park": park}
        )
        with open_session() as session:
            rows = service.all_returns(session, filters=filters, actor=SYSTEM)
            if out is not None:
                from plateau.monitoring.api import named_rows

                rows = named_rows(session, rows)  # names and Beijing time, as the web export
    except DomainError as exc:
        raise _fail(exc.message) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if out is not None:
        from plateau.monitoring.api import return_columns
        from plateau.tabular import to_xlsx

        cols = return_columns()
        out.write_bytes(
            to_xlsx(cols, rows, sheet="returns") if out.suffix == ".xlsx" else to_csv(cols, rows)
        )
        console.print(_("Wrote %(n)s rows to %(file)s.", n=len(rows), file=str(out)))
        return
    grid = RichTable(title=_("%(n)s returns", n=len(rows)))
    for header in (_("Reporting period"), _("USCC"), _("Enterprise name"), _("Status")):
        grid.add_column(header)
    for r in rows[:500]:
        grid.add_row(
            r["period"], r["uscc"], r["enterprise_name"], service.status_label(r["status"])
        )
    console.print(grid)


def _review(action: str, uscc: str, period: str, comment: str) -> None:
    try:
        with open_session() as session:
            if action == "approve":
                service.approve_return(
                    session, uscc=uscc, period=period, comment=comment, actor=SYSTEM
                )
            else:
                service.return_for_correction(
                    session, uscc=uscc, period=period, comment=comment, actor=SYSTEM
                )
    except DomainError as exc:
        raise _fail(exc.message) from None


@returns_app.command("approve")
def approve(
    uscc: str = typer.Argument(..., help="统一社会信用代码."),
    period: str = typer.Argument(..., help=PERIOD_HELP),
    comment: str = typer.Option("", "--comment"),
) -> None:
    """Approve a submitted return."""
    _review("approve", uscc, period, comment)
    console.print(_("Approved."))


@returns_app.command("return")
def send_back(
    uscc: str = typer.Argument(..., help="统一社会信用代码."),
    period: str = typer.Argument(..., help=PERIOD_HELP),
    comment: str = typer.Option(..., "--comment", help="What must be corrected."),
) -> None:
    """Return a submitted return to the enterprise for correction."""
    _review("return", uscc, period, comment)
    console.print(_("Returned to the enterprise for correction."))


@returns_app.command("completeness")
def completeness(
    period: str = typer.Option(
        "", help=PERIOD_HELP + " Default: the latest month past its deadline."
    ),
    by: str = typer.Option("prefecture", help="prefecture, park or industry."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Completeness and timeliness of a period per prefecture, park or industry."""
    if by not in ("prefecture", "park", "industry"):
        raise _fail(_("Group by prefecture, park or industry."))
    try:
        with open_session() as session:
            found = service.completeness(
                session, period=period or str(service.report_period()), by=by, actor=SYSTEM
            )
    except DomainError as exc:
        raise _fail(exc.message) from None
    rows = [*found.rows, found.total]
    if as_json:
        data = [
            {
                "key": t.key or "total",
                "name": t.name,
                "expected": t.expected,
                "filed": t.filed,
                "on_time": t.on_time,
                "approved": t.approved,
                "completeness": t.completeness,
                "timeliness": t.timeliness,
            }
            for t in rows
        ]
        typer.echo(
            json.dumps({"period": str(found.period), "by": by, "rows": data}, ensure_ascii=False)
        )
        return
    grid = RichTable(title=_("Completeness of %(period)s", period=str(found.period)))
    for header in (by, _("Expected"), _("Filed"), _("On time"), _("Completeness"), _("Timeliness")):
        grid.add_column(header)
    for t in rows:
        grid.add_row(
            t.name,
            str(t.expected),
            str(t.filed),
            str(t.on_time),
            "—" if t.completeness is None else f"{t.completeness:.1f}%",
            "—" if t.timeliness is None else f"{t.timeliness:.1f}%",
        )
    console.print(grid)


@returns_app.command("late")
def late(
    period: str = typer.Option(
        "", help=PERIOD_HELP + " Default: the latest month past its deadline."
    ),
) -> None:
    """List the late filers of a period."""
    try:
        with open_session() as session:
            rows = service.late_filers(
                session, period=period or str(service.report_period()), actor=SYSTEM
            )
    except DomainError as exc:
        raise _fail(exc.message) from None
    grid = RichTable(title=_("%(n)s enterprises", n=len(rows)))
    for header in (_("USCC"), _("Enterprise name"), _("Status"), _("Days late")):
        grid.add_column(header)
    for x in rows:
        grid.add_row(
            x.enterprise["uscc"],
            x.enterprise["name"],
            service.status_label(x.status),
            str(x.days_late) if x.overdue else _("not yet due"),
        )
    console.print(grid)


@returns_app.command("remind")
def remind(
    period: str = typer.Option(
        "", help=PERIOD_HELP + " Default: the latest month past its deadline."
    ),
    note: str = typer.Option("", help="A note added to every reminder."),
) -> None:
    """Remind (催报) every overdue enterprise that has not submitted the period's return.

    Each is reminded at most once a day, so this may run from a daily schedule."""
    try:
        with open_session() as session:
            done = service.remind_late_filers(
                session,
                period=period or str(service.report_period()),
                usccs=None,
                note=note,
                actor=SYSTEM,
            )
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Reminders sent to %(n)s enterprises.", n=len(done.sent)))
    if done.skipped:
        console.print(
            _(
                "%(n)s were left out: already reminded today, or no longer overdue.",
                n=done.skipped,
            )
        )


@returns_app.command("template")
def template(out: Path = typer.Argument(..., help="File to write: .xlsx or .csv.")) -> None:
    """Write the import template."""
    if out.suffix.lower() == ".csv":
        out.write_bytes(to_csv([Column(c, c) for c in service.template_columns()], []))
    else:
        out.write_bytes(service.template_workbook())
    console.print(_("Wrote %(file)s.", file=str(out)))
