"""``plateau standards``: the register and progress against the plan's 专栏2."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from plateau.auth.schemas import SYSTEM
from plateau.errors import DomainError
from plateau.i18n import _, get_locale
from plateau.runtime import open_session
from plateau.standards import labels, service
from plateau.standards.schemas import StandardUpdate, StatusChange

app = typer.Typer(help="The standards programme (专栏2).", no_args_is_help=True)
console = Console()


@app.command()
def programme() -> None:
    """Show each 专栏2 item with the standards published and under way."""
    with open_session() as session:
        items = service.programme(session)
    table = Table(_("Programme item"), _("Target"), _("Published"), _("Under way"))
    for item in items:
        target = (
            "—" if item.min is None else (f"{item.min}–{item.max}" if item.max else str(item.min))
        )
        name = item.name_en if get_locale() == "en" else item.name_zh
        table.add_row(name, target, str(item.published), str(item.in_progress))
    console.print(table)


@app.command("list")
def list_(
    status: str | None = typer.Option(
        None, help="planned, drafting, consultation, published, superseded."
    ),
    industry: str | None = typer.Option(None, help="Industry id, e.g. bio_fermentation."),
) -> None:
    """List the register of standards."""
    with open_session() as session:
        rows = service.list_standards(session, status=status, industry=industry)
        table = Table(_("Number"), _("Title"), _("Level"), _("Status"), _("Lead organisation"))
        for s in rows:
            table.add_row(
                s.code or "—",
                service.loc_title(s),
                labels.name(labels.LEVELS, s.level),
                labels.name(labels.STATUSES, s.status),
                s.lead_organisation,
            )
    console.print(table)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]{escape(message)}[/bold red]", soft_wrap=True)
    return typer.Exit(1)


@app.command()
def status(
    standard_id: int = typer.Argument(..., help="The standard's number in the register."),
    new_status: str = typer.Argument(
        ..., metavar="STATUS", help="drafting, consultation, published or superseded."
    ),
    number: str | None = typer.Option(
        None, "--number", help="The standard's number, e.g. T/XZ 001—2026."
    ),
    published: str | None = typer.Option(None, "--published", help="Publication date, YYYY-MM-DD."),
) -> None:
    """Move a standard forward in its lifecycle (as the region administrator)."""
    if new_status not in labels.STATUSES:
        raise _fail(_("Choose the status of the standard."))
    try:
        data = StatusChange(
            status=new_status,  # type: ignore[arg-type]
            code=number,
            published_date=date.fromisoformat(published) if published else None,
        )
        with open_session() as session:
            standard = service.change_status(
                session, standard_id=standard_id, data=data, actor=SYSTEM
            )
            shown = labels.name(labels.STATUSES, standard.status)
    except ValueError:
        raise _fail(_("Give the date as year-month-day.")) from None
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("The standard is now: %(status)s.", status=shown))


@app.command()
def participant(
    standard_id: int = typer.Argument(..., help="The standard's number in the register."),
    uscc: str = typer.Argument(..., help="The enterprise's 统一社会信用代码."),
    remove: bool = typer.Option(False, "--remove", help="Take the enterprise off instead."),
) -> None:
    """Add an enterprise to a standard's participants, or take it off."""
    try:
        with open_session() as session:
            if remove:
                service.remove_participant(
                    session, standard_id=standard_id, uscc=uscc, actor=SYSTEM
                )
            else:
                service.add_participant(session, standard_id=standard_id, uscc=uscc, actor=SYSTEM)
            names = [n for _u, n in service.participants(session, standard_id=standard_id)]
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Participants: %(names)s", names="、".join(names) or "—"))


@app.command()
def edit(
    standard_id: int = typer.Argument(..., help="The standard's number in the register."),
    title_zh: str | None = typer.Option(None, "--title-zh", help="The Chinese title."),
    title_en: str | None = typer.Option(None, "--title-en", help="The English title."),
    level: str | None = typer.Option(None, help="national, industry, local, group or enterprise."),
    industry: str | None = typer.Option(None, help="Industry id, e.g. bio_fermentation."),
    lead: str | None = typer.Option(None, "--lead", help="The lead organisation."),
) -> None:
    """Correct a standard's titles, level, industry or lead organisation (recorded in its history)."""
    if level is not None and level not in labels.LEVELS:
        raise _fail(_("Choose the level of the standard."))
    try:
        given = {
            "title_zh": title_zh,
            "title_en": title_en,
            "level": level,
            "industry_id": industry,
            "lead_organisation": lead,
        }
        data = StandardUpdate.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise _fail(
            _("Please check %(field)s: %(problem)s", field=where, problem=first.get("msg", ""))
        ) from None
    try:
        with open_session() as session:
            standard = service.update_standard(
                session, standard_id=standard_id, data=data, actor=SYSTEM
            )
            title = service.loc_title(standard)
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("Saved: %(title)s.", title=title))


@app.command()
def history(
    standard_id: int = typer.Argument(..., help="The standard's number in the register."),
) -> None:
    """Show the recorded changes of a standard, newest first."""
    from plateau.formatting import beijing_time

    try:
        with open_session() as session:
            rows = service.history(session, standard_id=standard_id, actor=SYSTEM)
    except DomainError as exc:
        raise _fail(exc.message) from None
    table = Table(_("When"), _("What"), _("Before"), _("After"), _("By"))
    for h in rows:
        table.add_row(
            beijing_time(h.changed_at), h.field_name, h.old_value, h.new_value, h.username
        )
    console.print(table)


@app.command()
def attach(
    standard_id: int = typer.Argument(..., help="The standard's number in the register."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The standard's PDF."),
) -> None:
    """Attach the text of a standard as a PDF (replacing an earlier one)."""
    with file.open("rb") as fh:
        blob = fh.read(service.MAX_DOCUMENT_BYTES + 1)
    try:
        with open_session() as session:
            service.attach_document(
                session, standard_id=standard_id, filename=file.name, blob=blob, actor=SYSTEM
            )
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(_("The text of the standard is attached."))
