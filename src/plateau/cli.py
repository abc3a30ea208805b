"""The ``plateau`` command line: each domain mounts its own sub-app here."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from plateau import runtime
from plateau.i18n import set_locale

app = typer.Typer(
    name="plateau",
    help="Plateau — Tibet plateau light-industry platform (西藏高原轻工业数字化公共服务平台).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


@app.callback()
def _main(
    lang: str = typer.Option(
        os.environ.get("PLATEAU_LANG", "zh_Hans_CN"),
        "--lang",
        help="Message language: zh_Hans_CN or en.",
    ),
) -> None:
    """Plateau command line."""
    set_locale(lang)


@app.command()
def init() -> None:
    """Create or migrate the database and load both plans; safe to run again."""
    report = runtime.init_database()
    console.print(report)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
) -> None:
    """Serve the platform over HTTP."""
    import uvicorn

    uvicorn.run(
        "plateau.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level="info",
    )


def _mount() -> None:
    from plateau.auth import cli as auth_cli
    from plateau.demo import cli as demo_cli
    from plateau.design import cli as design_cli
    from plateau.exchange import cli as exchange_cli
    from plateau.forecast import cli as forecast_cli
    from plateau.jobs import cli as jobs_cli
    from plateau.monitoring import cli as monitoring_cli
    from plateau.monitoring.analytics import cli as analytics_cli
    from plateau.monitoring.report import cli as report_cli
    from plateau.plan import cli as plan_cli
    from plateau.policy import cli as policy_cli
    from plateau.recognition import cli as recognition_cli
    from plateau.registry import cli as registry_cli
    from plateau.standards import cli as standards_cli
    from plateau.trace.epcis import cli as trace_cli
    from plateau.trace.lineage import cli as lineage_cli

    app.add_typer(auth_cli.users_app, name="users")
    app.add_typer(auth_cli.tokens_app, name="tokens")
    app.add_typer(plan_cli.app, name="plan")
    monitoring_cli.register_import_command(registry_cli.import_app)
    forecast_cli.register_import_command(registry_cli.import_app)
    app.add_typer(registry_cli.import_app, name="import")
    app.add_typer(registry_cli.export_app, name="export")
    app.add_typer(demo_cli.app, name="demo")
    app.add_typer(monitoring_cli.returns_app, name="returns")
    app.add_typer(analytics_cli.indicators_app, name="indicators")
    app.add_typer(analytics_cli.targets_app, name="targets")
    app.command("report")(report_cli.report)
    trace_cli.merge(lineage_cli.app)
    app.add_typer(trace_cli.app, name="trace")
    app.add_typer(jobs_cli.app, name="jobs")
    app.add_typer(forecast_cli.app, name="forecast")
    app.add_typer(policy_cli.app, name="policy")
    app.add_typer(recognition_cli.app, name="recognition")
    app.add_typer(standards_cli.app, name="standards")
    app.add_typer(exchange_cli.app, name="exchange")
    app.add_typer(design_cli.app, name="design")


_mount()
