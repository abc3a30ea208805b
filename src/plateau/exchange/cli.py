"""``plateau exchange``: the board as a table, and its Excel export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import typer
from pydantic import ValidationError as PydanticValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM, Actor
from plateau.errors import DomainError
from plateau.exchange import service
from plateau.exchange.schemas import PostUpdate
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


def _actor(session: Session, username: str) -> Actor:
    user = auth_service.get_user_by_username(session, username=username)
    if not user.is_active:
        raise DomainError(_("The user %(name)s is disabled.", name=username), 403)
    return auth_service.actor_for(user)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]{escape(message)}[/bold red]", soft_wrap=True)
    return typer.Exit(1)


AS_USER = typer.Option(..., "--as", help="Act as this user (the post's enterprise's user).")


@app.command()
def edit(
    post_id: int = typer.Argument(..., help="The post's number."),
    as_user: str = AS_USER,
    title: str | None = typer.Option(None, help="New title."),
    description: str | None = typer.Option(None, help="New description."),
    quantity: Decimal | None = typer.Option(None, help="New quantity."),
    unit: str | None = typer.Option(None, help="New unit."),
    until: str | None = typer.Option(None, "--until", help="New last day, YYYY-MM-DD."),
) -> None:
    """Change one's own offer or need (only what is given changes)."""
    try:
        with open_session() as session:
            actor = _actor(session, as_user)
            post, _name = service.get_post(session, post_id=post_id, actor=actor)
            current = {k: getattr(post, k) for k in PostUpdate.model_fields}
            changes = {
                "title": title,
                "description": description,
                "quantity": quantity,
                "unit": unit,
                "until_date": date.fromisoformat(until) if until else None,
            }
            try:
                data = PostUpdate(**(current | {k: v for k, v in changes.items() if v is not None}))
            except PydanticValidationError as exc:
                raise DomainError(str(exc.errors()[0].get("msg", "")), 422) from None
            service.update_post(session, post_id=post_id, data=data, actor=actor)
    except ValueError:
        raise _fail(_("Give the date as year-month-day.")) from None
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Post %(id)s was changed.", id=post_id))


@app.command()
def withdraw(
    post_id: int = typer.Argument(..., help="The post's number."),
    as_user: str = AS_USER,
) -> None:
    """Take one's own offer or need off the board."""
    try:
        with open_session() as session:
            service.withdraw_post(session, post_id=post_id, actor=_actor(session, as_user))
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Post %(id)s was withdrawn.", id=post_id))
