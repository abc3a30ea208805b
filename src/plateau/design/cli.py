"""``plateau design``: the design briefs as a table, their Excel export, award and close."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM, Actor
from plateau.design import service
from plateau.errors import DomainError
from plateau.i18n import _
from plateau.runtime import open_session
from plateau.tabular import to_xlsx

app = typer.Typer(help="The 众包设计 platform: design briefs and proposals.", no_args_is_help=True)
console = Console()
AS_USER = typer.Option(..., "--as", help="Act as this user (the brief's owner).")


def _actor(session: Session, username: str) -> Actor:
    user = auth_service.get_user_by_username(session, username=username)
    if not user.is_active:
        raise DomainError(_("The user %(name)s is disabled.", name=username), 403)
    return auth_service.actor_for(user)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]{escape(message)}[/bold red]", soft_wrap=True)
    return typer.Exit(1)


@app.command("list")
def list_() -> None:
    """List the design briefs with their status and award."""
    with open_session(write=False) as session:
        rows = service.export_rows(session, actor=SYSTEM)
    columns = service.export_columns()
    table = Table(*[c.header for c in columns])
    for r in rows:
        table.add_row(*["" if r[c.key] is None else str(r[c.key]) for c in columns])
    console.print(table)


@app.command()
def proposals(brief_id: int = typer.Argument(..., help="The brief's number.")) -> None:
    """List a brief's proposals (as the administrator sees them)."""
    try:
        with open_session(write=False) as session:
            rows = [
                service.read_proposal(session, p, name)
                for p, name in service.list_proposals(session, brief_id=brief_id, actor=SYSTEM)
            ]
    except DomainError as exc:
        raise _fail(exc.message) from None
    table = Table(_("No."), _("Title"), _("Designer"), _("Enterprise"), _("Status"))
    for p in rows:
        state = _("Awarded") if p.awarded else (_("Shortlisted") if p.shortlisted else "")
        table.add_row(str(p.id), p.title, p.designer, p.enterprise, state)
    console.print(table)


@app.command()
def export(out: Path = typer.Option(..., "--out", help="An .xlsx file.")) -> None:
    """Write the design briefs to an Excel workbook."""
    with open_session(write=False) as session:
        rows = service.export_rows(session, actor=SYSTEM)
    out.write_bytes(to_xlsx(service.export_columns(), rows, sheet="design"))
    console.print(_("Wrote %(path)s.", path=str(out)))


@app.command()
def award(
    brief_id: int = typer.Argument(..., help="The brief's number."),
    proposal_id: int = typer.Argument(..., help="The proposal's number."),
    as_user: str = AS_USER,
    note: str = typer.Option("", help="The note shown with the award."),
    product: str | None = typer.Option(None, "--product", help="GTIN of the product made from it."),
) -> None:
    """Award a proposal of one's brief; every designer is told."""
    try:
        with open_session() as session:
            service.award(
                session,
                brief_id=brief_id,
                proposal_id=proposal_id,
                note=note,
                product_gtin=product,
                actor=_actor(session, as_user),
            )
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Brief %(id)s was awarded.", id=brief_id))


@app.command()
def close(
    brief_id: int = typer.Argument(..., help="The brief's number."),
    as_user: str = AS_USER,
    reason: str = typer.Option(..., "--reason", help="Why there is no award (designers are told)."),
) -> None:
    """Close one's brief without award."""
    try:
        with open_session() as session:
            service.close(session, brief_id=brief_id, reason=reason, actor=_actor(session, as_user))
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Brief %(id)s was closed without award.", id=brief_id))


@app.command()
def hide(
    brief_id: int = typer.Argument(..., help="The brief's number."),
    as_user: str = AS_USER,
    reason: str = typer.Option(..., "--reason", help="Why it is hidden (its owner is told)."),
) -> None:
    """Take a brief off the platform (the industry association's moderators)."""
    try:
        with open_session() as session:
            service.hide(session, brief_id=brief_id, reason=reason, actor=_actor(session, as_user))
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Brief %(id)s was hidden.", id=brief_id))


@app.command()
def adopt(
    code: str = typer.Argument(..., help="The recognition edition's code."),
    nomination_id: int = typer.Argument(..., help="The recognised design's nomination number."),
    as_user: str = typer.Option(
        ..., "--as", help="The association's or the entering enterprise's user."
    ),
    product: str | None = typer.Option(None, "--product", help="GTIN of the product made from it."),
) -> None:
    """Carry a design recognised in a final recognition edition into production."""
    try:
        with open_session() as session:
            brief = service.adopt_recognised_design(
                session,
                code=code,
                nomination_id=nomination_id,
                product_gtin=product,
                actor=_actor(session, as_user),
            )
            brief_id = brief.id
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Brief %(id)s was awarded.", id=brief_id))
