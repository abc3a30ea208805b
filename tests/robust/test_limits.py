"""Input past the limits gets a clear 4xx and changes nothing (issue #8, points 4-6)."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau import tabular
from plateau.auth.schemas import SYSTEM
from plateau.errors import ValidationFailed
from plateau.registry import service as registry_service
from plateau.registry.models import Enterprise
from plateau.tabular import read_table
from plateau.trace.epcis.models import EpcisEvent
from tests.builders import bearer
from tests.registry.builders import csv_bytes, uscc, xlsx_bytes
from tests.trace.epcis import test_capture_builders as shared

admin_token, client, epcis_app, enterprise, enterprise_token = (
    shared.admin_token,
    shared.client,
    shared.epcis_app,
    shared.enterprise,
    shared.enterprise_token,
)

DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
    creationDate="2024-01-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
  <eventTime>2024-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <epcList><epc>&xxe;</epc></epcList><action>OBSERVE</action>
</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"""


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EpcisEvent)) or 0


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("path", ["/epcis/capture", "/epcis/events"])
def test_deeply_nested_json_is_refused_with_400(
    client: TestClient, enterprise_token: str, session: Session, path: str, body: str
) -> None:
    resp = client.post(
        path,
        content=body,
        headers={**bearer(enterprise_token), "Content-Type": "application/json"},
    )
    assert resp.status_code == 400, resp.text
    assert "嵌套超过 64 层" in resp.json()["detail"]
    assert _events(session) == 0


def test_deeply_nested_json_to_the_api_is_400_in_the_users_language(
    client: TestClient, admin_token: str
) -> None:
    resp = client.post(
        "/api/registry/enterprises",
        content=DEEP_ARRAY,
        headers={**bearer(admin_token), "Content-Type": "application/json"},
    )
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "无法读取请求内容" in resp.json()["detail"]


def test_xml_with_an_external_entity_is_refused_and_the_entity_stays_unresolved(
    client: TestClient, enterprise_token: str, session: Session
) -> None:
    resp = client.post(
        "/epcis/capture",
        content=XXE,
        headers={**bearer(enterprise_token), "Content-Type": "application/xml"},
    )
    assert resp.status_code == 400, resp.text
    assert "DTD" in resp.json()["detail"]
    assert "root:" not in resp.text
    assert _events(session) == 0


# --- uploaded tables -----------------------------------------------------------------------


def _bomb(unpacked_mb: int) -> bytes:
    """A valid-looking .xlsx whose one sheet unpacks to ``unpacked_mb`` MB of empty rows."""
    base = xlsx_bytes([["统一社会信用代码", "企业名称"], ["x", "y"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, _sep, tail = data.partition(b"</sheetData>")
                padding = b"<row/>" * (unpacked_mb * 1024 * 1024 // 6)
                data = head + padding + b"</sheetData>" + tail
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_parsed() -> None:
    bomb = _bomb(60)
    assert len(bomb) < 200 * 1024
    with pytest.raises(ValidationFailed) as caught:
        read_table(bomb, "bomb.xlsx")
    assert "解压后为 60 MB" in caught.value.message


def test_an_ordinary_xlsx_is_still_read() -> None:
    table = read_table(xlsx_bytes([["a", "b"], ["1", "2"], ["3", "4"]]), "ok.xlsx")
    assert [raw for _n, raw in table.rows] == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_table_past_the_row_limit_is_refused(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 10)
    rows = [["a"], *[[str(n)] for n in range(11)]]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    with pytest.raises(ValidationFailed) as caught:
        read_table(data, f"big.{fmt}")
    assert "超过 10 行" in caught.value.message
    rows.pop()
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    assert len(read_table(data, f"fits.{fmt}").rows) == 10


def test_an_enterprise_import_of_70000_rows_is_one_answer_not_a_driver_error(
    session: Session,
) -> None:
    # 70,000 USCCs once went into one IN (...) list: past PostgreSQL's 65,535 parameters.
    # A dry run makes the same lookups as the import (the writing is ordinary executemany
    # batches) at a third of the time.
    header = ["uscc", "name", "prefecture", "industry"]
    rows = [[uscc(n), f"企业{n}", "540100", "agri_food"] for n in range(1, 70_001)]
    table = read_table(csv_bytes([header, *rows]), "many.csv")
    report = registry_service.import_table(
        session, kind="enterprises", table=table, actor=SYSTEM, dry_run=True
    )
    assert (report.rows, report.created, report.dry_run) == (70_000, 70_000, True)
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 0
