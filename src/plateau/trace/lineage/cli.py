"""Commands on top of the EPCIS repository, to be merged into ``plateau trace``:
``show``, ``export``, ``labels``, ``mass-balance`` and ``handles …``.

Commands act as the system (the region administrator) unless ``--as USER`` names a user,
whose scope then limits what they see.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from plateau import runtime
from plateau.auth.schemas import SYSTEM, Actor
from plateau.errors import DomainError
from plateau.i18n import _
from plateau.registry.identifiers import IdentifierError
from plateau.settings import get_settings
from plateau.tabular import to_csv, to_xlsx
from plateau.trace.epcis import service as trace_service
from plateau.trace.lineage import service
from plateau.trace.lineage.genealogy import Direction
from plateau.trace.lineage.labels import codes as qr_labels
from plateau.trace.lineage.resolver import local_time, short_key
from plateau.trace.lineage.schemas import HandleCreate, PrefixCreate

app = typer.Typer(help="Genealogy, recall, labels and identifiers.", no_args_is_help=True)
handles_app = typer.Typer(
    help="Industrial-internet identifiers (工业互联网标识): prefixes, minting, resolution.",
    no_args_is_help=True,
)
app.add_typer(handles_app, name="handles")

console = Console()
err_console = Console(stderr=True)
AS_USER = typer.Option(None, "--as", help="Act as this user (their scope applies).")


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]{message}[/bold red]")
    return typer.Exit(1)


def _actor(session: object, username: str | None) -> Actor:
    if not username:
        return SYSTEM
    return trace_service.actor_named(session, username=username)  # type: ignore[arg-type]


@app.command("show")
def show(
    identifier: str = typer.Argument(..., help="EPC URI, Digital Link, SSCC or prefix/suffix."),
    direction: str = typer.Option("both", help="back, forward or both."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole answer as JSON."),
    as_user: str | None = AS_USER,
) -> None:
    """Trace an item, lot, case or pallet back to its base and forward to every destination."""
    if direction not in ("back", "forward", "both"):
        raise _fail(_("Direction must be back, forward or both."))
    chosen: Direction = (
        "back" if direction == "back" else "forward" if direction == "forward" else "both"
    )
    try:
        with runtime.open_session() as session:
            found = service.trace(
                session, identifier=identifier, direction=chosen, actor=_actor(session, as_user)
            )
    except DomainError as exc:
        raise _fail(exc.message) from None
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    console.print(f"[bold]{found.nodes[0].label if found.nodes else found.key}[/bold]  {found.key}")
    if found.base is not None:
        county = f"{found.county.prefecture} {found.county.name}" if found.county else ""
        console.print(
            _(
                "Raw-material base: %(base)s, %(place)s %(county)s",
                base=found.base.name,
                place=found.base.location,
                county=county,
            )
        )
    table = Table(title=_("Events"))
    for header in (_("Time"), _("Step"), _("Where"), _("About")):
        table.add_column(header)
    names = {p.key: p.name or "" for p in found.locations}
    for ev in found.events:
        where = ev.biz_location or ev.read_point
        table.add_row(
            local_time(ev.event_time, ev.event_time_offset).strftime("%Y-%m-%d %H:%M"),
            ev.biz_step or ev.event_type,
            names.get(where or "", short_key(where)) if where else "",
            ", ".join(short_key(s) for s in ev.subjects[:2])
            + (f" +{len(ev.subjects) - 2}" if len(ev.subjects) > 2 else ""),
        )
    console.print(table)
    console.print(
        _(
            "%(nodes)s identifiers, %(events)s events, %(places)s locations, %(parties)s parties.",
            nodes=len(found.nodes),
            events=len(found.events),
            places=len(found.locations),
            parties=len(found.parties),
        )
    )


@app.command("export")
def export(
    lot: str = typer.Option(
        ..., "--lot", help="Lot as LGTIN URI or Digital Link, or the lot number with --gtin."
    ),
    gtin: str | None = typer.Option(
        None, "--gtin", help="GTIN, when --lot is only the lot number."
    ),
    out: Path = typer.Option(..., "--out", help="recall.xlsx, recall.csv or recall.json"),
    as_user: str | None = AS_USER,
) -> None:
    """Write the recall of a lot as the FSMA 204 sortable spreadsheet."""
    identifier = f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{lot}" if gtin else lot
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".json"):
        raise _fail(_("The output file must end in .xlsx, .csv or .json."))
    try:
        with runtime.open_session() as session:
            actor = _actor(session, as_user)
            if suffix == ".json":
                found = service.recall_of(session, identifier=identifier, actor=actor)
                out.write_text(found.model_dump_json(indent=2), encoding="utf-8")
                count = len(found.rows)
            else:
                columns, rows, name = service.recall_table(
                    session, identifier=identifier, actor=actor
                )
                body = (
                    to_xlsx(columns, rows, sheet=name)
                    if suffix == ".xlsx"
                    else to_csv(columns, rows)
                )
                out.write_bytes(body)
                count = len(rows)
    except DomainError as exc:
        raise _fail(exc.message) from None
    console.print(
        _("%(count)s critical tracking events written to %(file)s.", count=count, file=str(out))
    )


@app.command("labels")
def labels(
    gtin: str = typer.Option(..., "--gtin", help="GTIN of the product."),
    lot: str | None = typer.Option(None, "--lot", help="Lot (batch) number."),
    serials: int = typer.Option(
        0, "--serials", min=0, max=qr_labels.MAX_LABELS, help="Number of serialised items."
    ),
    first: int | None = typer.Option(
        None, "--first", help="Number serials from this one instead of drawing random ones."
    ),
    out: Path = typer.Option(
        ..., "--out", help="labels.pdf (printable sheet) or labels.zip (SVG and PNG per code)."
    ),
    base_url: str = typer.Option(
        "",
        "--base-url",
        help="Host of the Digital Links (default: the public_url setting).",
    ),
) -> None:
    """Make QR labels (GS1 Digital Link) for a product, a lot or its serialised items."""
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".zip"):
        raise _fail(_("The output file must end in .pdf or .zip."))
    if serials:
        numbers = (
            qr_labels.sequential_serials(serials, first)
            if first is not None
            else qr_labels.random_serials(serials)
        )
    else:
        numbers = None
    try:
        base_url = base_url or get_settings().public_url or "https://id.gs1.org"
        made = qr_labels.make_labels(gtin=gtin, lot=lot, serials=numbers, base_url=base_url)
    except IdentifierError as exc:
        raise _fail(str(exc)) from None
    out.write_bytes(qr_labels.pdf_sheet(made) if suffix == ".pdf" else qr_labels.zip_archive(made))
    console.print(_("%(count)s labels written to %(file)s.", count=len(made), file=str(out)))


@app.command("mass-balance")
def mass_balance(
    flagged: bool = typer.Option(False, "--flagged", help="Only what is flagged."),
    as_user: str | None = AS_USER,
) -> None:
    """Check transformations and lots against yields; exit 1 when anything is flagged."""
    try:
        with runtime.open_session() as session:
            found = service.mass_balance_of(session, actor=_actor(session, as_user))
    except DomainError as exc:
        raise _fail(exc.message) from None
    table = Table(title=_("Lots"))
    for header in (
        _("Lot"),
        _("Produced"),
        _("Inputs can give"),
        _("Dispatched"),
        _("Sold"),
        _("Findings"),
    ):
        table.add_column(header)
    for lot in found.lots:
        if flagged and not lot.flags:
            continue
        table.add_row(
            lot.label,
            f"{lot.produced:,.0f}",
            f"{lot.supportable:,.0f}" if lot.supportable is not None else "—",
            f"{lot.dispatched:,.0f}",
            f"{lot.sold:,.0f}",
            "\n".join(f.message for f in lot.flags),
        )
    console.print(table)
    for t in found.transformations:
        for f in t.flags:
            if f.severity == "warning":
                console.print(f"[red]{t.time:%Y-%m-%d} {f.message}[/red]")
    if found.flagged_lots or found.flagged_transformations:
        raise typer.Exit(1)


@handles_app.command("register-prefix")
def register_prefix(
    prefix: str = typer.Argument(..., help="e.g. 88.118.8"),
    enterprise: str = typer.Option(..., "--enterprise", help="USCC of the enterprise."),
    allocated_by: str = typer.Option(
        "", "--allocated-by", help="The secondary node that allocated it."
    ),
    as_user: str | None = AS_USER,
) -> None:
    """Record the identifier prefix a secondary node allocated to an enterprise."""
    try:
        with runtime.open_session() as session:
            row = service.register_prefix(
                session,
                data=PrefixCreate(
                    prefix=prefix, enterprise_uscc=enterprise, allocated_by=allocated_by
                ),
                actor=_actor(session, as_user),
            )
            console.print(
                _(
                    "Prefix %(prefix)s registered for %(uscc)s.",
                    prefix=row.prefix,
                    uscc=row.enterprise_uscc,
                )
            )
    except (DomainError, ValueError) as exc:
        raise _fail(exc.message if isinstance(exc, DomainError) else str(exc)) from None


@handles_app.command("mint")
def mint(
    prefix: str = typer.Option(..., "--prefix"),
    gtin: str = typer.Option(..., "--gtin"),
    lot: str | None = typer.Option(None, "--lot"),
    serial: str | None = typer.Option(None, "--serial"),
    as_user: str | None = AS_USER,
) -> None:
    """Mint the identifier of a product, lot or item under a prefix."""
    try:
        with runtime.open_session() as session:
            made = service.mint_handle(
                session,
                data=HandleCreate(prefix=prefix, gtin=gtin, lot=lot, serial=serial),
                actor=_actor(session, as_user),
            )
    except (DomainError, ValueError) as exc:
        raise _fail(exc.message if isinstance(exc, DomainError) else str(exc)) from None
    typer.echo(made.handle)
    console.print(made.digital_link)


@handles_app.command("resolve")
def resolve(
    identifier: str = typer.Argument(...),
    base_url: str = typer.Option("", "--base-url", help="Default: the public_url setting."),
) -> None:
    """Resolve an identifier to its product, lot or item (the Handle-style record)."""
    try:
        with runtime.open_session() as session:
            target = service.resolve_handle(session, identifier=identifier)
    except DomainError as exc:
        raise _fail(exc.message) from None
    typer.echo(
        json.dumps(
            service.handle_record(target, base_url=base_url or get_settings().public_url),
            ensure_ascii=False,
            indent=2,
        )
    )


@handles_app.command("list")
def list_handles(
    gtin: str | None = typer.Option(None, "--gtin"),
    as_user: str | None = AS_USER,
) -> None:
    """List the prefixes and the identifiers minted under them."""
    try:
        with runtime.open_session() as session:
            actor = _actor(session, as_user)
            prefixes = service.list_prefixes(session, actor=actor)
            minted = service.list_handles(session, actor=actor, gtin=gtin)
    except DomainError as exc:
        raise _fail(exc.message) from None
    for p in prefixes:
        console.print(f"[bold]{p.prefix}[/bold]  {p.enterprise_uscc}  {p.allocated_by}")
    for h in minted:
        console.print(f"{h.handle}  {h.kind}  {h.digital_link}")
