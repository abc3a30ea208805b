"""``plateau report --year Y --out FILE.pdf|.xlsx|.html``: the mid-term evaluation report.

The command runs as the trusted local operator (every scope may be asked for).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError
from plateau.i18n import _, set_locale
from plateau.monitoring.report import documents, service

console = Console()
err = Console(stderr=True)
FORMATS = {".pdf": "pdf", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}


def report(
    year: int = typer.Option(..., "--year", help="The year evaluated, e.g. 2024."),
    out: Path = typer.Option(..., "--out", help="Output file: .pdf, .xlsx or .html."),
    scope: str = typer.Option("region", "--scope", help="region or prefecture:<code>."),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of the report: zh_Hans_CN or en (default: the CLI's)."
    ),
) -> None:
    """Write the mid-term evaluation report of a year as PDF, Excel or HTML."""
    if lang:
        set_locale(lang)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        err.print(
            f"[red]{_('The output file must end in .pdf, .xlsx or .html, not %(name)s.', name=out.name)}[/red]"
        )
        raise typer.Exit(2)
    try:
        with runtime.open_session() as session:
            found = service.build_report(session, actor=SYSTEM, year=year, scope=scope)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    content = documents.render(found, fmt)
    # Written only once the whole report is rendered: a failure leaves no partial file.
    out.write_bytes(content)
    console.print(_("Wrote %(path)s (%(size)s bytes).", path=str(out), size=len(content)))


# A one-command app (for tests and embedding); the root CLI mounts ``report`` directly.
app = typer.Typer(help="The mid-term evaluation report.", add_completion=False)
app.command()(report)
