"""``plateau demo``."""

from __future__ import annotations

import typer

app = typer.Typer(help="The synthetic demo dataset.", no_args_is_help=True)
