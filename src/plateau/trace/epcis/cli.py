"""``plateau trace``: capture EPCIS documents from files, run scheduled subscriptions.

Exit status 0 when everything was stored (duplicates included), 1 when anything was
refused, so scripts can rely on it.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from plateau import runtime
from plateau.auth.schemas import SYSTEM, Actor
from plateau.errors import DomainError
from plateau.i18n import _
from plateau.settings import get_settings
from plateau.trace.epcis import service
from plateau.trace.epcis.capture import ErrorBehaviour, Payload

app = typer.Typer(help="Traceability: the EPCIS 2.0 repository.", no_args_is_help=True)
subscriptions_app = typer.Typer(
    help="Webhook subscriptions to named queries.", no_args_is_help=True
)
app.add_typer(subscriptions_app, name="subscriptions")

console = Console()
err_console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    # Escaped: problem details end in a [rule] that Rich would take for markup.
    err_console.print(f"[bold red]{escape(message)}[/bold red]", soft_wrap=True)
    return typer.Exit(1)


@app.command("capture")
def capture(
    file: Path = typer.Argument(
        ..., help="EPCISDocument as JSON-LD (.json, .jsonld) or XML (.xml)."
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="Capture as this user (an enterprise user captures for its enterprise)."
    ),
    proceed: bool = typer.Option(
        False, "--proceed", help="Store the valid events even if some are invalid."
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Refuse what is otherwise normalised (bare CBV words in XML, 1.2 QuantityEvents).",
    ),
) -> None:
    """Capture the events of an EPCIS document file, as the REST capture interface does."""
    if not file.is_file():
        raise _fail(_("File %(name)s does not exist.", name=str(file)))
    data = file.read_bytes()
    content_type = "application/xml" if file.suffix.lower() == ".xml" else "application/json"
    behaviour: ErrorBehaviour = "proceed" if proceed else "rollback"
    try:
        with runtime.open_session() as session:
            actor: Actor = service.actor_named(session, username=as_user) if as_user else SYSTEM
            outcome = service.capture_document(
                session,
                payload=Payload(data, content_type, behaviour, strict=strict),
                actor=actor,
                max_bytes=get_settings().max_upload_bytes,
            )
            job = service.capture_job_read(outcome.job)
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(
        _(
            "Capture job %(id)s: %(stored)s events stored, %(duplicates)s already stored, %(refused)s refused.",
            id=job.captureID,
            stored=job.storedCount,
            duplicates=job.duplicateCount,
            refused=job.refusedCount,
        )
    )
    for note in job.notes:
        # Not markup: the rule names are in [brackets]; a path is not to be wrapped either.
        line = f"{note.get('instance', '')} {note.get('detail', '')}"
        console.print(line, markup=False, soft_wrap=True)
    if outcome.stored_ids:
        service.deliver_streams(runtime.session_factory())
    if job.errors:
        for problem in job.errors:
            line = f"{problem.get('instance', '')} {problem.get('detail', '')}"
            err_console.print(line, markup=False, soft_wrap=True)
        raise typer.Exit(1)


@subscriptions_app.command("run")
def run_subscriptions() -> None:
    """Deliver the scheduled subscriptions whose schedule fired since the last run."""
    results = service.run_schedules(runtime.session_factory())
    failed = [r for r in results if not r.ok]
    console.print(
        _(
            "%(sent)s deliveries sent, %(failed)s failed.",
            sent=len(results) - len(failed),
            failed=len(failed),
        )
    )
    for result in failed:
        err_console.print(
            f"{result.delivery.subscription_id} {result.delivery.dest}: {result.error}"
        )
    if failed:
        raise typer.Exit(1)


def merge(other: typer.Typer) -> None:
    """Add another trace command group's commands under ``plateau trace`` (one name, one app)."""
    app.registered_commands.extend(other.registered_commands)
    app.registered_groups.extend(other.registered_groups)
