"""``plateau demo``: load the synthetic demo world, show its accounts and its calibration."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import func, select

from plateau.auth.schemas import SYSTEM, Role
from plateau.demo import service
from plateau.demo.calibration import CALIBRATION_YEAR
from plateau.errors import DomainError
from plateau.formatting import fmt_value
from plateau.i18n import _, lazy
from plateau.registry.models import Enterprise
from plateau.runtime import open_session

app = typer.Typer(help="The synthetic demo dataset.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

# Calibration lines: key, label (message id), unit for display.
CALIBRATION_ROWS: tuple[tuple[str, str, str], ...] = (
    ("above_size", lazy("Above-size enterprises"), "count"),
    ("output_value_cny", lazy("Output value of above-size enterprises"), "CNY"),
    ("over_100m", lazy("Enterprises with output over 100 million CNY"), "count"),
    ("high_tech", lazy("High-tech enterprises"), "count"),
    ("specialized_sme", lazy("Specialized and sophisticated SMEs"), "count"),
    ("green_factory", lazy("Green factories"), "count"),
    ("park_output_cny", lazy("Above-size output in parks"), "CNY"),
    ("parks_over_100m", lazy("Parks with output over 100 million CNY"), "count"),
    ("agri_food_output_cny", lazy("Agri-food above-size output"), "CNY"),
    ("tibetan_medicine_above_size", lazy("Above-size Tibetan-medicine enterprises"), "count"),
    (
        "water_companies_core",
        lazy("Drinking-water companies in Lhasa, Shigatse, Shannan, Nyingchi, Chamdo"),
        "count",
    ),
    ("water_core_share_pct", lazy("Their share of all drinking-water companies"), "%"),
    ("water_volume_t", lazy("Drinking water produced"), "t"),
    ("barley_conversion_2020_pct", lazy("Highland-barley conversion rate (2020)"), "%"),
)


def _parse_today(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = _("--today must be a date written YYYY-MM-DD, not %(value)s.", value=value)
        err.print(f"[red]{message}[/red]")
        raise typer.Exit(2) from None


@app.command("load")
def load(
    seed: int = typer.Option(
        service.DEFAULT_SEED, "--seed", help="Random seed: the same seed gives the same world."
    ),
    if_empty: bool = typer.Option(
        False,
        "--if-empty",
        help="Do nothing (and exit 0) if the demo or any enterprise is already there.",
    ),
    force: bool = typer.Option(False, "--force", help="Load even next to real (non-demo) data."),
    today: str | None = typer.Option(
        None,
        "--today",
        help="Generate history up to the month before this date (YYYY-MM-DD; default: today).",
    ),
    forecasts: bool = typer.Option(
        True,
        "--forecasts/--no-forecasts",
        help="Queue demand-forecast runs of the demo sales (the server's job worker computes them).",
    ),
) -> None:
    """Generate the synthetic demo world (calibrated on the plan's 2022 figures) and load it."""
    as_of = _parse_today(today)
    try:
        with open_session() as session:
            if if_empty:
                if service.demo_loaded(session):
                    console.print(_("The demo dataset is already loaded; nothing to do."))
                    return
                has_enterprises = session.scalar(select(func.count()).select_from(Enterprise))
                if has_enterprises or service.real_data(session)["users"]:
                    console.print(
                        _(
                            "The database already holds enterprises or user accounts; the demo dataset is not loaded."
                        )
                    )
                    return
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as bar:
                tasks: dict[str, TaskID] = {}

                def report(step: str, done: int, total: int) -> None:
                    if step not in tasks:
                        tasks[step] = bar.add_task(step, total=total)
                    bar.update(tasks[step], completed=done, total=total)

                result = service.load_demo(
                    session, seed=seed, today=as_of, force=force, actor=SYSTEM, progress=report
                )
            if forecasts:
                # Minutes of work: a background job, so `make run` serves pages meanwhile.
                from plateau.forecast import service as forecast_service

                for measure in ("quantity", "revenue"):
                    forecast_service.submit_run(session, actor=SYSTEM, measure=measure)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    console.print(
        _(
            "Loaded the synthetic demo world (seed %(seed)s): %(enterprises)s enterprises, %(returns)s monthly returns from %(first)s to %(last)s, %(sales)s sales records.",
            seed=result.seed,
            enterprises=result.counts["enterprises"],
            returns=result.counts["monthly_returns"],
            first=result.first_month,
            last=result.last_month,
            sales=result.counts["sales_records"],
        )
    )
    _print_calibration(result.calibration, result.plan_2022)
    if forecasts:
        console.print(
            _(
                "Demand forecasts of the demo sales are queued: the server's job worker computes them after it starts (progress on /forecast and /jobs)."
            )
        )
    if result.credentials_file:
        console.print(
            _(
                "Demo accounts and passwords: %(path)s (plateau demo credentials)",
                path=result.credentials_file,
            )
        )


def _print_calibration(calibration: dict[str, float], plan: dict[str, float]) -> None:
    table = Table(title=_("Calibration on the plan's %(year)s figures", year=CALIBRATION_YEAR))
    table.add_column(_("Indicator"))
    table.add_column(_("Plan"), justify="right")
    table.add_column(_("Demo world"), justify="right")
    for key, label, unit in CALIBRATION_ROWS:
        table.add_row(
            _(label), fmt_value(plan.get(key), unit), fmt_value(calibration.get(key), unit)
        )
    console.print(table)


@app.command("credentials")
def credentials(
    url: str = typer.Option(
        "http://127.0.0.1:8000", "--url", help="Base URL the platform is served at."
    ),
) -> None:
    """Print the demo accounts (the administrator first) from the credentials file."""
    path = service.credentials_path()
    creds = service.read_credentials(path)
    if not creds:
        err.print(
            _(
                "No demo credentials in %(path)s: load the demo first (plateau demo load).",
                path=path,
            )
        )
        raise typer.Exit(1)
    base = url.rstrip("/")
    admin = next((c for c in creds if c.role == Role.REGION_ADMIN.value), None)
    if admin is not None:
        console.print(
            _(
                "Admin login: %(url)s  user: %(user)s  password: %(password)s",
                url=f"{base}/login",
                user=admin.username,
                password=admin.password,
            ),
            style="bold green",
            highlight=False,
            soft_wrap=True,
        )
    table = Table(title=_("Other demo accounts (synthetic data)"))
    # User names, passwords and codes never wrap or get cut short; the scope's name may fold.
    table.add_column(_("User"), no_wrap=True)
    table.add_column(_("Password"), no_wrap=True)
    table.add_column(_("Role"), overflow="fold")
    table.add_column(_("Scope"), overflow="fold")
    table.add_column(_("Code"), no_wrap=True)
    with open_session() as session:
        for c in creds:
            if c is not admin:
                name, code = _scope_text(session, c.scope)
                table.add_row(c.username, c.password, _role_name(c.role), name, code)
    console.print(table)


def _role_name(role: str) -> str:
    from plateau.auth.schemas import ROLE_LABELS

    try:
        return _(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


def _scope_text(session: Any, scope: str | None) -> tuple[str, str]:
    """The name of an account's scope and the code beside it (a USCC, a GB/T 2260 code)."""
    from plateau.errors import NotFound
    from plateau.formatting import loc
    from plateau.registry import service as registry_service

    if not scope:
        return _("The whole region"), ""
    kind, _sep, value = scope.partition(":")
    refs = registry_service.reference(session, actor=SYSTEM)
    if kind == "prefecture":
        return loc(refs.prefectures.get(value)), value
    if kind == "park":
        return loc(refs.parks.get(value)), ""
    if kind == "enterprise":
        try:
            return loc(registry_service.get_enterprise(session, uscc=value, actor=SYSTEM)), value
        except NotFound:
            return value, value
    return scope, ""


@app.command("summary")
def summary(
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Show what the database holds and how it compares with the plan's 2022 figures."""
    with open_session() as session:
        data: dict[str, Any] = service.summary(session)
    if fmt == "json":
        typer.echo(json.dumps(data, ensure_ascii=False, default=str, indent=1))
        return
    demo = data["demo"]
    if demo is None:
        console.print(_("The demo dataset is not loaded."))
    else:
        console.print(
            _(
                "Demo dataset (synthetic) of seed %(seed)s, generator %(version)s, loaded %(when)s; history %(first)s to %(last)s.",
                seed=demo["seed"],
                version=demo["version"],
                when=demo["loaded_at"][:10],
                first=demo["first_month"],
                last=demo["last_month"],
            )
        )
    counts = Table(title=_("Records"))
    counts.add_column(_("Table"))
    counts.add_column(_("Rows"), justify="right")
    for name, n in data["counts"].items():
        counts.add_row(name, f"{n:,}")
    console.print(counts)
    _print_calibration(data["calibration"], data["plan_2022"])
