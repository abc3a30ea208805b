"""Regenerate the single initial migration from the models.

Only while no database outside development exists: afterwards, add migrations with
``alembic revision --autogenerate`` instead of rewriting this one.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from plateau.runtime import alembic_config

VERSIONS = Path(__file__).resolve().parents[1] / "src" / "plateau" / "migrations" / "versions"


def main() -> None:
    for old in VERSIONS.glob("*_initial.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config(f"sqlite:///{tmp}/empty.db")
        cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_0001_%%(slug)s")
        command.revision(cfg, message="initial", autogenerate=True, rev_id="0001")
    generated = sorted(VERSIONS.glob("*_initial.py"))
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run([str(ruff), "check", "--fix", "-q", *map(str, generated)], check=False)
    subprocess.run([str(ruff), "format", "-q", *map(str, generated)], check=False)
    print("regenerated", *sorted(p.name for p in VERSIONS.glob("*.py")))


if __name__ == "__main__":
    main()
