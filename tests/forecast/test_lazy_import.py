"""The forecasting stack is heavy: the CLI, app start-up and pages outside /forecast never import it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("statsforecast", "hierarchicalforecast", "numba", "utilsforecast")

SCRIPT = """
import sys
from typer.testing import CliRunner
from plateau.cli import app
assert CliRunner().invoke(app, ["--help"]).exit_code == 0
from sqlalchemy import create_engine
import plateau.models
from plateau.db import Base
from plateau.settings import Settings
from plateau.web.app import create_app
from fastapi.testclient import TestClient
Base.metadata.create_all(create_engine("sqlite:///db.sqlite"))
with TestClient(create_app(Settings(database_url="sqlite:///db.sqlite", secret_key="x"))) as client:
    for path in ("/healthz", "/", "/plan", "/trace", "/login"):
        assert client.get(path).status_code == 200, path
print("loaded:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def test_cli_and_app_start_without_the_forecasting_stack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "loaded:"
