"""``plateau policy``: list policies, run one for a year, print entitlements, what-if a draft.

Commands act as the region administrator (SYSTEM), like the other domains' commands.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError
from plateau.formatting import fmt_cny
from plateau.i18n import _
from plateau.policy import exports, service
from plateau.runtime import open_session
from plateau.tabular import to_csv

app = typer.Typer(
    help="Incentive policies (免申即享): entitlements without applying.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)


class Format(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]{message}[/bold red]")
    return typer.Exit(1)


def _title(obj: object) -> str:
    from plateau.formatting import loc

    return loc(obj)


@app.command("list")
def list_policies() -> None:
    """List the policies, their dates, budget and rules."""
    table = Table(title=_("Incentive policies"))
    ids = [p.id for p in service.list_policies()]
    # The id is what `plateau policy run` takes: never cut it.
    table.add_column(_("Policy"), no_wrap=True, min_width=max(map(len, ids), default=6))
    for header in (_("Title"), _("In force"), _("Budget"), _("Rules")):
        table.add_column(header, overflow="fold")
    for p in service.list_policies():
        table.add_row(
            p.id,
            _title(p),
            f"{p.effective_from} – {p.effective_to or '…'}",
            fmt_cny(p.budget_cny) if p.budget_cny is not None else "—",
            "\n".join(_title(r) for r in p.rules),
        )
    console.print(table)


@app.command()
def run(
    policy: str = typer.Argument(..., help="Policy id (see `plateau policy list`)."),
    period: int = typer.Option(..., "--period", help="Year, e.g. 2025."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Compute and show, store nothing."),
) -> None:
    """Compute the list of entitled enterprises of a policy for a year (数据比对)."""
    from rich.progress import Progress

    from plateau.jobs import service as jobs_service

    try:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task(_("Computing entitlements"), total=None)

            def progress(done: int, total: int | None, message: str) -> None:
                bar.update(task, completed=done, total=total, description=message)

            # The job's own handler, run in this process (the web runs it in the worker).
            result = jobs_service.run_inline(
                "policy.run",
                {"policy": policy, "period": period, "dry_run": dry_run},
                actor=SYSTEM,
                on_progress=progress,
            )
    except DomainError as exc:
        raise _fail(exc.message) from None
    if dry_run:
        table = Table(title=f"{policy} {period}")
        for header in (_("USCC"), _("Enterprise"), _("Rule"), _("Amount (CNY)")):
            table.add_column(header)
        for line in result["lines"]:
            table.add_row(line["uscc"], line["enterprise"], line["rule"], line["amount_cny"])
        console.print(table)
    console.print(result["summary"])
    if dry_run:
        console.print(_("Trial run: nothing was saved."))
    else:
        console.print(_("The list is at %(url)s.", url=result["url"]))


@app.command()
def entitlements(
    period: int = typer.Option(..., "--period", help="Year, e.g. 2025."),
    uscc: str | None = typer.Option(None, "--uscc", help="Only this enterprise."),
    format: Format = typer.Option(Format.json, "--format", help="json, csv or xlsx."),
    out: Path | None = typer.Option(None, "--out", help="File to write (xlsx needs one)."),
) -> None:
    """Compute every policy in force for the year for every enterprise, without any run."""
    try:
        with open_session() as session:
            lines = service.compute(session, year=period, actor=SYSTEM, uscc=uscc)
            records = [line.record() for line in lines]
    except DomainError as exc:
        raise _fail(exc.message) from None
    if uscc and not records:
        raise _fail(_("No enterprise with 统一社会信用代码 %(uscc)s in your area.", uscc=uscc))
    if format is Format.json:
        body = json.dumps(
            [r | {"amount_cny": str(r["amount_cny"])} for r in records],
            ensure_ascii=False,
            indent=1,
        ).encode()
    elif format is Format.csv:
        body = to_csv(exports.columns(exports.RECORD_LABELS), records)
    else:
        if out is None:
            raise _fail(_("Give --out FILE.xlsx for an Excel file."))
        body = exports.xlsx(exports.columns(exports.RECORD_LABELS), records, sheet="entitlements")
    if out is not None:
        out.write_bytes(body)
        console.print(_("Wrote %(n)s records to %(file)s.", n=len(records), file=str(out)))
    else:
        sys.stdout.buffer.write(body + (b"\n" if format is Format.json else b""))


@app.command()
def whatif(
    file: Path = typer.Argument(..., help="A draft policy document (YAML)."),
    period: int = typer.Option(2025, "--period", help="Year to compare on."),
) -> None:
    """Compare a draft policy or parameter change with the policy in force: cost, gainers, losers."""
    if not file.is_file():
        raise _fail(_("File %(name)s does not exist.", name=str(file)))
    try:
        draft = service.policy_from_path(file)
        with open_session() as session:
            result = service.whatif(session, policy=draft, year=period, actor=SYSTEM)
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(
        _(
            "Cost %(after)s instead of %(before)s; budget %(budget)s.",
            after=fmt_cny(result.total_after_cny),
            before=fmt_cny(result.total_before_cny),
            budget=fmt_cny(result.budget_cny) if result.budget_cny is not None else "—",
        )
    )
    if result.over_budget:
        console.print(
            _(
                "Entitlements of %(requested)s exceed the budget.",
                requested=fmt_cny(result.requested_cny),
            )
        )
    console.print(
        _("%(g)s enterprises gain, %(l)s lose.", g=len(result.gainers), l=len(result.losers))
    )
    for title, groups in (
        (_("By prefecture"), result.by_prefecture),
        (_("By industry"), result.by_industry),
    ):
        table = Table(title=title)
        for header in ("", _("Enterprises"), _("Before"), _("After")):
            table.add_column(header)
        for g in groups:
            table.add_row(g.key, str(g.count), fmt_cny(g.before_cny), fmt_cny(g.after_cny))
        console.print(table)
