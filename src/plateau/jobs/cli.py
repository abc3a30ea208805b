"""``plateau jobs``: list and show background jobs, and run a worker process."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError
from plateau.formatting import fmt_time
from plateau.i18n import _
from plateau.jobs import service
from plateau.jobs.models import STATES
from plateau.runtime import open_session

app = typer.Typer(help="Background jobs: list, show, and run a worker.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("list")
def list_(
    state: str | None = typer.Option(None, help="queued, running, succeeded, failed or cancelled."),
    limit: int = typer.Option(50, min=1, max=200, help="How many of the newest jobs."),
) -> None:
    """List the newest background jobs."""
    if state is not None and state not in STATES:
        err.print(f"[red]{_('No such job state.')}[/red] ({', '.join(STATES)})")
        raise typer.Exit(1)
    with open_session() as session:
        found = service.list_jobs(session, actor=SYSTEM, state=state, per_page=limit)
        table = Table(_("Job"), _("Kind"), _("State"), _("Progress"), _("Submitted (Beijing time)"))
        for job in found.items:
            progress = f"{job.percent}%" if job.percent is not None else "—"
            table.add_row(
                str(job.id), job.kind_label, job.state_label, progress, fmt_time(job.created_at)
            )
    console.print(table)
    console.print(_("%(total)s jobs", total=found.total))


@app.command("show")
def show(job_id: int = typer.Argument(..., help="The job's number.")) -> None:
    """Show one job: state, progress, result or error."""
    try:
        with open_session() as session:
            job = service.get_job(session, job_id, actor=SYSTEM)
            console.print(f"[bold]{job.id} {job.kind_label}[/bold] ({job.kind})")
            console.print(f"{_('State')}: {job.state_label}")
            total = job.progress_total if job.progress_total is not None else "?"
            console.print(f"{_('Progress')}: {job.progress_done}/{total} {job.progress_message}")
            console.print(f"{_('Attempts')}: {job.attempts}/{job.max_attempts}")
            console.print(
                f"{_('Submitted by')}: {job.submitter_username if job.submitted_by_id is not None else _('The platform')}"
            )
            console.print(f"{_('Submitted (Beijing time)')}: {fmt_time(job.created_at)}")
            if job.finished_at:
                console.print(f"{_('Finished %(at)s', at=fmt_time(job.finished_at))}")
            if job.error:
                console.print(f"[red]{job.error}[/red]")
            for e in (job.error_details or [])[:50]:
                console.print(
                    f"  {e.get('row') or '-'} {e.get('field') or '-'}: {e.get('message')}"
                )
            if job.result:
                console.print_json(data=job.result)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


@app.command("worker")
def worker(
    threads: int = typer.Option(1, min=1, max=32, help="Worker threads in this process."),
    once: bool = typer.Option(False, "--once", help="Run the jobs waiting now, then stop."),
) -> None:
    """Run background jobs in this process until stopped (Ctrl-C)."""
    from plateau import runtime
    from plateau.jobs.worker import WorkerPool
    from plateau.settings import get_settings

    factory = runtime.session_factory()
    if once:
        count = service.run_pending(factory, worker="cli-once")
        console.print(_("%(count)s jobs run.", count=count))
        return
    settings = get_settings()
    pool = WorkerPool(
        factory,
        threads=threads,
        poll_s=settings.job_poll_s,
        heartbeat_s=settings.job_heartbeat_s,
        stale_after_s=settings.job_stale_after_s,
    )
    pool.start()
    console.print(_("Job worker running with %(n)s threads; Ctrl-C stops it.", n=threads))
    try:
        pool.wait()
    except KeyboardInterrupt:
        console.print(_("Stopping: the jobs running now finish first."))
        pool.stop(timeout_s=60)
