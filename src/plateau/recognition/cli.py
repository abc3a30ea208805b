"""``plateau recognition``: editions, stages, results, ballots and certificates from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError
from plateau.formatting import loc
from plateau.i18n import _
from plateau.recognition import labels, service
from plateau.recognition.schemas import EditionCreate
from plateau.runtime import open_session

app = typer.Typer(
    help="Recognitions: fashion week selections, product evaluations, catalogues.",
    no_args_is_help=True,
)
console = Console()


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(1)


@app.command("list")
def list_editions() -> None:
    """List the editions with their stage."""
    with open_session() as session:
        table = Table(_("Code"), _("Edition"), _("Year"), _("Edition stage"))
        for e in service.list_editions(session, actor=SYSTEM):
            table.add_row(e.code, loc(e), str(e.year), labels.name(labels.STAGES, e.stage))
    console.print(table)


@app.command()
def create(path: Path = typer.Argument(..., help="The edition as YAML or JSON.")) -> None:
    """Declare an edition from a file (categories, criteria, timetable, rules)."""
    try:
        data = EditionCreate.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise _fail(str(exc)) from None
    try:
        with open_session() as session:
            edition = service.create_edition(session, data=data, actor=SYSTEM)
            console.print(_("Created %(code)s.", code=edition.code))
    except DomainError as exc:
        raise _fail(exc.message) from None


@app.command()
def stage(code: str, to: str = typer.Argument(..., help="The next stage.")) -> None:
    """Move an edition to its next stage (publishing needs a finished jury)."""
    try:
        with open_session() as session:
            edition = service.advance(session, code=code, to=to, actor=SYSTEM)
            console.print(labels.name(labels.STAGES, edition.stage))
    except DomainError as exc:
        raise _fail(exc.message) from None


@app.command()
def results(code: str, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print the published ranked lists with jury and public parts."""
    try:
        with open_session() as session:
            lines = service.results(session, code=code, actor=SYSTEM)
            rows = [
                {
                    "category": loc(ln.category),
                    "rank": ln.result.rank,
                    "title": ln.title,
                    "jury": float(ln.result.jury_score),
                    "public": float(ln.result.public_score),
                    "votes": ln.result.votes,
                    "total": float(ln.result.total),
                    "recognised": ln.result.recognised,
                }
                for ln in lines
            ]
    except DomainError as exc:
        raise _fail(exc.message) from None
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(
        _("Award category"), _("Rank"), _("Entry"), _("Jury"), _("Public"), _("Votes"), _("Total")
    )
    for r in rows:
        mark = " ★" if r["recognised"] else ""
        table.add_row(
            str(r["category"]),
            str(r["rank"]),
            f"{r['title']}{mark}",
            f"{r['jury']:.2f}",
            f"{r['public']:.2f}",
            str(r["votes"]),
            f"{r['total']:.2f}",
        )
    console.print(table)


@app.command()
def ballots(code: str, flagged: bool = typer.Option(False, help="Only flagged ballots.")) -> None:
    """List the stored ballots and their stuffing flags, and the tally they give."""
    try:
        with open_session() as session:
            rows = service.list_ballots(session, code=code, actor=SYSTEM, flagged_only=flagged)
            edition = service.get_edition(session, code=code, actor=SYSTEM)
            counts = service.tally(session, edition=edition)
    except DomainError as exc:
        raise _fail(exc.message) from None
    table = Table(_("Ballot"), _("Entry"), _("Voter"), _("Address"), _("Flag"), _("Voided"))
    for b in rows:
        table.add_row(
            str(b.id),
            str(b.nomination_id),
            str(b.voter_id),
            b.address,
            labels.name(labels.FLAGS, b.flag),
            b.void_reason,
        )
    console.print(table)
    console.print(_("Tally from the stored ballots: %(counts)s", counts=json.dumps(counts)))


@app.command()
def certificate(
    code: str, nomination: int, out: Path = typer.Option(..., "--out", help="PDF file.")
) -> None:
    """Write the certificate of a final recognition as PDF."""
    try:
        with open_session() as session:
            pdf = service.certificate(session, code=code, nomination_id=nomination, actor=SYSTEM)
    except DomainError as exc:
        raise _fail(exc.message) from None
    out.write_bytes(pdf)
    console.print(_("Wrote %(path)s.", path=str(out)))
