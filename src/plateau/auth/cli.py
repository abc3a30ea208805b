"""``plateau users`` and ``plateau tokens``."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from plateau.auth import service
from plateau.auth.schemas import SYSTEM, Role, TokenCreate, UserCreate
from plateau.errors import DomainError
from plateau.formatting import BEIJING
from plateau.runtime import open_session

users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="Issue API tokens for machine clients.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name."),
    role: Role = typer.Option(
        ...,
        "--role",
        help="region_admin, prefecture_officer, park_officer, enterprise_user or analyst.",
    ),
    scope: str | None = typer.Option(
        None, "--scope", help="prefecture:<code>, park:<id> or enterprise:<uscc>."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    display_name: str = typer.Option("", "--name", help="Display name."),
) -> None:
    """Create a user with a role and (for officers and enterprises) a scope."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(
            username=username, password=password, role=role, scope=scope, display_name=display_name
        )
        with open_session() as session:
            user = service.create_user(session, data=data, actor=SYSTEM)
            console.print(
                f"created user {user.username} ({user.role}{' ' + user.scope if user.scope else ''})"
            )
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


@users_app.command("list")
def list_() -> None:
    """List user accounts."""
    with open_session() as session:
        for user in service.list_users(session, actor=SYSTEM):
            console.print(f"{user.username}\t{user.role}\t{user.scope or ''}")


@users_app.command("password")
def password(
    username: str = typer.Argument(..., help="Login name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Set a user's password; the user's sessions and API tokens end."""
    if password_stdin:
        new = sys.stdin.readline().rstrip("\n")
    else:
        new = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with open_session() as session:
            service.set_password(session, username=username, password=new, actor=SYSTEM)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"password of {username} changed; its sessions and tokens ended")


@users_app.command("deactivate")
def deactivate(username: str = typer.Argument(..., help="Login name.")) -> None:
    """Disable an account; its sessions and API tokens end at once."""
    try:
        with open_session() as session:
            service.deactivate_user(session, username=username, actor=SYSTEM)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"deactivated {username}")


@users_app.command("audit")
def audit(
    kind: str = typer.Option("", "--kind", help="Only this kind, e.g. login_locked."),
) -> None:
    """Show the security audit trail (lockouts, password changes, overrides), newest first."""
    with open_session() as session:
        for e in service.list_events(session, actor=SYSTEM, kind=kind or None):
            when = e.occurred_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
            # Plain tab-separated lines (Rich would expand the tabs): for grep and cut.
            print(f"{when}\t{e.kind}\t{e.actor or '-'}\t{e.subject}\t{e.address or ''}\t{e.detail}")


@tokens_app.command("create")
def token_create(
    username: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option("", "--name", help="A label for the token."),
) -> None:
    """Issue an API token; the token is printed alone on the last line."""
    try:
        with open_session() as session:
            _token, plain = service.create_token(
                session, username=username, data=TokenCreate(name=name), actor=SYSTEM
            )
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    print(plain)
