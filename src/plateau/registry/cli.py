"""``plateau import`` / ``plateau export`` (placeholder)."""

from __future__ import annotations

import typer

import_app = typer.Typer(help="Import records from CSV or Excel files.", no_args_is_help=True)
export_app = typer.Typer(help="Export lists to CSV or Excel files.", no_args_is_help=True)
