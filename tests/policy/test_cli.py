"""``plateau import statuses`` and ``plateau policy …`` against a database of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.cli import app
from plateau.db import make_engine
from plateau.policy import service as policy_service
from plateau.policy.models import PolicyRun
from plateau.registry.models import EnterpriseStatus
from plateau.settings import get_settings
from tests.policy.builders import garment_maker, revenue
from tests.registry.builders import csv_bytes

runner = CliRunner()


def _reset() -> None:
    get_settings.cache_clear()
    runtime.session_factory.cache_clear()
    runtime.engine.cache_clear()


@pytest.fixture(scope="module")
def cli_url(
    engine: Engine, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own (the commands commit), with the plans and two garment makers."""
    from plateau.plan import service as plan_service

    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('policy-cli') / 'cli.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database("plateau_policy_cli")
    runtime.migrate(url)
    own = make_engine(url)
    with Session(own) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        a = garment_maker(session, 51)
        revenue(session, a, 2025, 8_000_000)
        garment_maker(session, 52)
        session.commit()
    yield url
    own.dispose()


@pytest.fixture
def db(cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setenv("PLATEAU_DATABASE_URL", cli_url)
    _reset()
    check = make_engine(cli_url)
    with Session(check) as session:
        yield session
    runtime.engine().dispose()
    check.dispose()
    _reset()


def _usccs(db: Session) -> list[str]:
    from plateau.registry.models import Enterprise

    return list(db.scalars(select(Enterprise.uscc).order_by(Enterprise.uscc)))


def test_statuses_import_then_policy_commands(db: Session, tmp_path: Path) -> None:
    a, b = _usccs(db)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            [
                ["uscc", "kind", "level", "valid_from", "valid_to", "certificate_no"],
                [a, "龙头企业/培育对象", "地市级", "2024-01-01", "", "LT-1"],
                [b, "no such kind", "", "2024-01-01", "", ""],
                [b, "credit_restricted", "", "2025-05-01", "2025-01-01", ""],
            ]
        )
    )
    result = runner.invoke(app, ["--lang", "en", "import", "statuses", str(bad)])
    assert result.exit_code == 1
    assert "Unknown status" in result.output and "before the start date" in result.output
    assert db.scalar(select(EnterpriseStatus.id)) is None  # all or nothing

    good = tmp_path / "good.csv"
    good.write_bytes(
        csv_bytes(
            [
                ["统一社会信用代码", "类型", "级别", "有效期起", "有效期止", "证书编号"],
                [a, "龙头企业/培育对象", "地市级", "2024-01-01", "", "LT-1"],
                [b, "失信/经营异常名录", "", "2025-05-01", "2025-09-30", "JYYC-1"],
            ]
        )
    )
    result = runner.invoke(app, ["import", "statuses", str(good)])
    assert result.exit_code == 0, result.output
    db.rollback()  # end the read transaction: see what the command committed
    kinds = set(db.scalars(select(EnterpriseStatus.kind)))
    assert kinds == {"leading_enterprise", "credit_restricted"}

    result = runner.invoke(app, ["--lang", "en", "policy", "list"])
    assert result.exit_code == 0 and "lhasa_garment_support" in result.output

    result = runner.invoke(app, ["policy", "entitlements", "--period", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    support = {(r["uscc"], r["rule"]): r for r in records}
    assert support[(a, "leading_revenue_support")]["amount_cny"] == "400000.00"
    assert support[(b, "leading_revenue_support")]["status"] == "credit_restricted"
    assert set(records[0]) == {"policy", "rule", "uscc", "period", "amount_cny", "status", "reason"}

    out = tmp_path / "e.xlsx"
    result = runner.invoke(
        app,
        [
            "policy",
            "entitlements",
            "--period",
            "2025",
            "--uscc",
            a,
            "--format",
            "xlsx",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 and rows[1][2] == a

    result = runner.invoke(
        app, ["policy", "run", "lhasa_garment_support", "--period", "2025", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    db.rollback()
    assert db.scalar(select(PolicyRun.id)) is None
    result = runner.invoke(app, ["policy", "run", "lhasa_garment_support", "--period", "2025"])
    assert result.exit_code == 0, result.output
    db.rollback()
    assert db.scalar(select(PolicyRun.year)) == 2025

    draft = tmp_path / "draft.yaml"
    text = policy_service.shipped_text("lhasa_garment_support")
    draft.write_text(text.replace("budget_cny: 5000000", "budget_cny: 200000"), encoding="utf-8")
    result = runner.invoke(
        app, ["--lang", "en", "policy", "whatif", str(draft), "--period", "2025"]
    )
    assert result.exit_code == 0, result.output
    assert "exceed the budget" in result.output and "0 enterprises gain, 1 lose" in result.output
    draft.write_text(text.replace("award: first_above_size_award", "award: nope"), encoding="utf-8")
    result = runner.invoke(app, ["--lang", "en", "policy", "whatif", str(draft)])
    assert result.exit_code == 1 and "draft.yaml:" in result.output and "nope" in result.output
