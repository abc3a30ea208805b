"""``plateau forecast``: forecast any long file, evaluate models on it, run the platform's forecast.

The forecasting stack is imported inside the commands, so ``plateau --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from plateau.errors import DomainError, ValidationFailed
from plateau.i18n import _

app = typer.Typer(
    help="Demand forecasting: forecast or evaluate any file, run the platform's forecast.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)


class Format(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class Freq(StrEnum):
    D = "D"
    W = "W"
    M = "M"
    Q = "Q"


def _fail(exc: DomainError) -> typer.Exit:
    if isinstance(exc, ValidationFailed) and exc.errors:
        grid = RichTable(title=_("Problems found"))
        grid.add_column(_("Row"), justify="right")
        grid.add_column(_("Column"))
        grid.add_column(_("Problem"), overflow="fold")
        grid.add_column(_("Value"), overflow="fold")
        for e in exc.errors:
            grid.add_row(
                str(e.row or ""), e.field or "", e.message, "" if e.value is None else str(e.value)
            )
        err_console.print(grid)
    err_console.print(f"[red]{exc.message}[/red]")
    return typer.Exit(code=1)


def _progress_bar() -> tuple[object, object]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    task = bar.add_task(_("Forecasting"), total=4)

    def on_progress(done: int, total: int, message: str) -> None:
        bar.update(task, completed=done, total=total, description=message)

    return bar, on_progress


@app.command("file")
def file_(
    path: Path = typer.Argument(..., help="Long CSV or XLSX file: one value per row."),
    date: str = typer.Option(..., "--date", help="Column of the dates."),
    value: str = typer.Option(..., "--value", help="Column of the values."),
    by: list[str] = typer.Option([], "--by", help="Column that identifies series (repeatable)."),
    nested: bool = typer.Option(
        False, "--nested", help="The --by columns form one hierarchy, in order."
    ),
    horizon: int = typer.Option(..., "--horizon", help="Periods to forecast."),
    freq: Freq | None = typer.Option(
        None, "--freq", help="D, W, M or Q (default: from the dates)."
    ),
    season: int | None = typer.Option(
        None, "--season", help="Season length (default: from the frequency)."
    ),
    format: Format = typer.Option(Format.json, "--format", help="json, csv or xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output."),
    subtree: list[str] = typer.Option(
        [],
        "--subtree",
        help="A --by column whose subtrees are reconciled one by one (for large files; "
        "repeatable).",
    ),
    x: list[str] = typer.Option(
        [], "--x", help="Not supported here: use it with `plateau forecast evaluate`."
    ),
) -> None:
    """Forecast every series of every level of a file, reconciled, model chosen by backtest."""
    from plateau.forecast import engine, files

    if format is Format.xlsx and out is None:
        raise _fail(DomainError(_("Excel output needs --out FILE.xlsx.")))
    if x:
        raise _fail(
            DomainError(
                _(
                    "--x works with `plateau forecast evaluate` only: a forecast needs the regressor's future values, which a file of history does not hold."
                )
            )
        )
    try:
        frame = files.read_frame(path, date=date, value=value, by=by)
        structure = files.structure_of(
            frame, by=by, nested=nested, freq=freq.value if freq else None, season=season
        )
        bar, on_progress = _progress_bar()
        with bar:  # type: ignore[attr-defined]
            result = engine.forecast(
                structure,
                h=horizon,
                progress=on_progress,  # type: ignore[arg-type]
                subtree=subtree or None,
            )
    except engine.EngineError as exc:
        raise _fail(DomainError(files.engine_message(exc))) from None
    except DomainError as exc:
        raise _fail(exc) from None
    recs = files.records(structure, result)
    for note in result.notes:
        err_console.print(_("Note: %(text)s", text=note_text(note, structure)))
    if format is Format.json:
        body = files.to_bytes_json(recs)
    else:
        cols = [*by, "ds", "forecast", "lo_80", "hi_80", "lo_95", "hi_95", "model"]
        body = files.write_table(files.flat_rows(recs, by), cols, format.value)
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.write(b"\n")
    else:
        out.write_bytes(body)
        err_console.print(_("Wrote %(n)s forecasts to %(path)s.", n=len(recs), path=out))


def note_text(note: object, structure: object) -> str:
    """Say one note in the user's language."""
    from plateau.forecast import service

    return service.note_text(note, structure)  # type: ignore[arg-type]


@app.command()
def evaluate(
    path: Path = typer.Argument(..., help="Long CSV or XLSX file: one value per row."),
    date: str = typer.Option(..., "--date", help="Column of the dates."),
    value: str = typer.Option(..., "--value", help="Column of the values."),
    by: list[str] = typer.Option([], "--by", help="Column that identifies series (repeatable)."),
    nested: bool = typer.Option(
        False, "--nested", help="The --by columns form one hierarchy, in order."
    ),
    test_size: int = typer.Option(..., "--test-size", help="Periods held out at the end."),
    exog: bool = typer.Option(
        False,
        "--exog",
        help="Also score AutoARIMA and ARIMA+X (calendar effects as regressors; M or Q data).",
    ),
    x: list[str] = typer.Option(
        [],
        "--x",
        help="Numeric column used as a regressor by ARIMA+X, scored beside AutoARIMA "
        "(repeatable; the held-out rows carry its values).",
    ),
    freq: Freq | None = typer.Option(
        None, "--freq", help="D, W, M or Q (default: from the dates)."
    ),
    season: int | None = typer.Option(
        None, "--season", help="Season length (default: from the frequency)."
    ),
    format: Format = typer.Option(Format.json, "--format", help="json, csv or xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output."),
) -> None:
    """Print the backtest leaderboard: MASE per level and model on the held-out periods."""
    from plateau.forecast import engine, files

    try:
        frame = files.read_frame(path, date=date, value=value, by=by, regressors=x)
        structure = files.structure_of(
            frame,
            by=by,
            nested=nested,
            freq=freq.value if freq else None,
            season=season,
            regressors=x,
        )
        if exog:
            engine.add_calendar(structure)
        board = files.evaluate(structure, test_size=test_size)
    except engine.EngineError as exc:
        raise _fail(DomainError(files.engine_message(exc))) from None
    except DomainError as exc:
        raise _fail(exc) from None
    rows = board.to_dict(orient="records")
    for r in rows:
        for k, v in list(r.items()):
            if isinstance(v, float) and v != v:
                r[k] = None
    if format is Format.json:
        body = json.dumps(rows, ensure_ascii=False, indent=1).encode()
    else:
        body = files.write_table(rows, list(board.columns), format.value)
    if out is None:
        sys.stdout.buffer.write(body + b"\n")
    else:
        out.write_bytes(body)


class Measure(StrEnum):
    quantity = "quantity"
    revenue = "revenue"


@app.command()
def run(
    measure: Measure = typer.Option(Measure.quantity, "--measure", help="quantity or revenue."),
    horizon: int = typer.Option(
        0, "--horizon", help="Months to forecast (1–96; 0: to the end of 2030)."
    ),
    exog: bool = typer.Option(
        False,
        "--exog",
        help="Calendar effects (Losar, Shoton, tourism shocks) as regressors: ARIMA+X beside "
        "AutoARIMA in the backtest (slower).",
    ),
    subtree: list[str] = typer.Option(
        [],
        "--subtree",
        help="Reconcile each subtree of this column on its own (repeatable: market_kind, "
        "province, industry …); default: per market kind above 3,000 bottom series.",
    ),
) -> None:
    """Forecast every sales series (all levels, reconciled) and store the results."""
    from plateau.auth.schemas import SYSTEM
    from plateau.forecast import service
    from plateau.runtime import open_session

    bar, on_progress = _progress_bar()
    try:
        with open_session() as session:
            queued = service.start_run(
                session,
                actor=SYSTEM,
                measure=measure.value,
                horizon=horizon,
                exog=exog,
                subtree=subtree,
            )
            with bar:  # type: ignore[attr-defined]
                done = service.execute_run(
                    session,
                    run_id=queued.id,
                    actor=SYSTEM,
                    progress=on_progress,  # type: ignore[arg-type]
                )
            run_id, status, n, error = done.id, done.status, done.n_series, done.error
    except DomainError as exc:
        raise _fail(exc) from None
    if status != "done":
        raise _fail(DomainError(error))
    console.print(_("Forecast run %(id)s stored: %(n)s series.", id=run_id, n=n))


@app.command("sync-retail")
def sync_retail(
    queue: bool = typer.Option(
        False, "--queue", help="Queue it as a background job for the server's worker instead."
    ),
) -> None:
    """Turn till scans (retail_selling events of the traceability repository) into sales."""
    from plateau.auth.schemas import SYSTEM
    from plateau.forecast import service
    from plateau.runtime import open_session

    try:
        with open_session() as session:
            if queue:
                from plateau.jobs import service as jobs_service

                job = jobs_service.submit(
                    session, kind="forecast.sync_retail", params={}, actor=SYSTEM
                )
                console.print(_("Queued as background job %(id)s.", id=job.id))
                return
            report = service.sync_retail(session, actor=SYSTEM)
            text = service.sync_retail_text(report)
    except DomainError as exc:
        raise _fail(exc) from None
    console.print(text)


def import_sales(
    file: Path = typer.Argument(
        ...,
        help="CSV or Excel (.xlsx): gtin, market_region, period, channel, quantity, revenue_cny.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row but write nothing."),
) -> None:
    """Import monthly sales, all or nothing; every bad row is named."""
    from plateau.auth.schemas import SYSTEM
    from plateau.forecast import service
    from plateau.runtime import open_session

    if not file.is_file():
        raise _fail(DomainError(_("File not found: %(path)s", path=str(file))))
    try:
        with open_session() as session:
            report = service.import_sales(
                session, data=file.read_bytes(), filename=file.name, actor=SYSTEM, dry_run=dry_run
            )
    except DomainError as exc:
        raise _fail(exc) from None
    console.print(
        _(
            "%(n)s sales rows checked: %(created)s new, %(updated)s replaced%(trial)s.",
            n=report.rows,
            created=report.created,
            updated=report.updated,
            trial=_(" (trial run: nothing saved)") if dry_run else "",
        )
    )


def register_import_command(import_app: typer.Typer) -> None:
    """Add ``sales`` to the ``plateau import`` sub-app."""
    import_app.command("sales")(import_sales)
