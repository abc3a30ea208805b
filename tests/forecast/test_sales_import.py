"""Sales intake: all or nothing, each bad row named in the user's language; CLI and upload page."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau.auth.schemas import SYSTEM, Role
from plateau.errors import ValidationFailed
from plateau.forecast import service
from plateau.forecast.models import SalesRecord
from tests.builders import csrf_from, login, make_user
from tests.registry.builders import gtin, make_enterprise, make_product

HEADER = "gtin,market_region,period,channel,quantity,revenue_cny\n"


def _count(session: Session) -> int:
    return session.scalar(select(func.count(SalesRecord.id))) or 0


def _product(session: Session) -> str:
    firm = make_enterprise(session, n=970)
    return make_product(session, firm, n=970).gtin


def test_good_file_is_stored_and_a_second_import_replaces(session: Session) -> None:
    code = _product(session)
    body = (
        HEADER
        + f"{code},in_540100,2024-01,retail,10,300\n{code},chengdu,2024-02,ecommerce,5.5,200\n"
    )
    before = _count(session)
    report = service.import_sales(session, data=body.encode(), filename="s.csv", actor=SYSTEM)
    assert (report.created, report.updated) == (2, 0) and _count(session) == before + 2
    again = service.import_sales(
        session,
        data=(HEADER + f"{code},in_540100,2024-01,retail,12,360\n").encode(),
        filename="s.csv",
        actor=SYSTEM,
    )
    assert (again.created, again.updated) == (0, 1)
    value = session.scalar(
        select(SalesRecord.quantity).where(
            SalesRecord.period == __import__("datetime").date(2024, 1, 1)
        )
    )
    assert float(value or 0) == 12


def test_bad_rows_are_all_named_and_nothing_is_stored(session: Session) -> None:
    code = _product(session)
    body = HEADER + (
        f"{code},in_540100,2024-01,retail,10,300\n"  # row 2: fine
        f"{gtin(999)},in_540100,2024-01,retail,10,300\n"  # row 3: unknown GTIN
        f"{code},atlantis,2024-01,retail,10,300\n"  # row 4: unknown region
        f"{code},in_540100,2024-03,retail,lots,300\n"  # row 5: text quantity
        f"{code},in_540100,2024-04,retail,-1,300\n"  # row 6: negative
        f"{code},in_540100,2024-01,retail,11,330\n"  # row 7: duplicates row 2
        f"{code},in_540100,2999-01,retail,1,30\n"  # row 8: future
    )
    before = _count(session)
    with pytest.raises(ValidationFailed) as caught:
        service.import_sales(session, data=body.encode(), filename="s.csv", actor=SYSTEM)
    named = {(e.row, e.field) for e in caught.value.errors}
    assert named == {
        (3, "gtin"),
        (4, "market_region"),
        (5, "quantity"),
        (6, "quantity"),
        (7, "gtin"),
        (8, "period"),
    }
    assert "未知" in caught.value.errors[0].message  # in the user's language (Chinese by default)
    assert _count(session) == before


def test_cli_import_sales_refuses_and_names_rows(cli: CliRunner, tmp_path: Path) -> None:
    from plateau.cli import app

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{gtin(998)},in_540100,2024-01,retail,x,300\n", encoding="utf-8")
    result = cli.invoke(app, ["--lang", "en", "import", "sales", str(bad), "--dry-run"])
    assert result.exit_code == 1
    assert "Unknown GTIN" in result.output and "Not a number of zero or more" in result.output
    missing = cli.invoke(app, ["--lang", "en", "import", "sales", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 1 and "File not found" in missing.output


def test_upload_page_names_bad_rows(client: TestClient, session: Session) -> None:
    code = _product(session)
    user = make_user(session, Role.ANALYST)
    session.commit()
    login(client, user.username)
    form = client.get("/forecast/sales")
    token = csrf_from(form.text)
    bad = HEADER + f"{code},atlantis,2024-01,retail,10,300\n"
    resp = client.post(
        "/forecast/sales",
        data={"csrf_token": token},
        files={"file": ("s.csv", bad.encode(), "text/csv")},
    )
    assert resp.status_code == 422 and 'data-row="2"' in resp.text
    good = HEADER + f"{code},in_540100,2024-01,retail,10,300\n"
    resp = client.post(
        "/forecast/sales",
        data={"csrf_token": token},
        files={"file": ("s.csv", good.encode(), "text/csv")},
    )
    assert resp.status_code == 200 and "data-imported" in resp.text
