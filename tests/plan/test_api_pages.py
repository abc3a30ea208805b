from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

RECORD_KEYS = {
    "indicator",
    "scope",
    "year",
    "kind",
    "value",
    "value_max",
    "bound",
    "unit",
    "source",
}


def test_targets_api_is_public_and_filterable(client: TestClient) -> None:
    resp = client.get(
        "/api/plan/targets",
        params={"indicator": "output_value", "scope": "industry:tibetan_medicine"},
    )
    assert resp.status_code == 200
    rows = resp.json()
    assert {tuple(sorted(r)) for r in rows} == {tuple(sorted(RECORD_KEYS))}
    assert {(r["year"], r["value"]) for r in rows if r["kind"] == "target"} == {
        (2025, 3_500_000_000),
        (2030, 5_500_000_000),
    }


def test_targets_export_to_csv_and_excel(client: TestClient) -> None:
    c = client.get(
        "/api/plan/targets", params={"format": "csv", "scope": "region", "kind": "target"}
    )
    assert c.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["规划", "指标代码", "指标"]
    assert any(
        row[1] == "output_value" and row[4] == "2025" and row[6] == "7500000000"
        for row in table[1:]
    )
    x = client.get("/plan/targets", params={"format": "xlsx", "indicator": "green_factories"})
    ws = load_workbook(io.BytesIO(x.content)).active
    values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    assert {(r[3], r[4], r[6]) for r in values} >= {
        ("西藏自治区", 2025, 32),
        ("西藏自治区", 2030, 50),
        ("西藏自治区", 2022, 17),
    }


def test_check_api_and_page(client: TestClient) -> None:
    rows = client.get("/api/plan/check").json()
    assert [r["year"] for r in rows] == [2025, 2030]
    page = client.get("/plan/check")
    assert page.status_code == 200
    assert "76.8亿元" in page.text and 'data-covers="True"' in page.text


def test_plan_overview_page_shows_both_plans(client: TestClient) -> None:
    page = client.get("/plan")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "西藏自治区高原轻工业高质量发展规划",
        "拉萨市服装产业",
        "拉萨经济技术开发区",
        "青稞",
        "中藏药产业",
        "55亿元",
    ):
        assert expected in text, expected


def test_targets_page_filters_with_htmx(client: TestClient) -> None:
    full = client.get("/plan/targets")
    assert full.status_code == 200 and "<html" in full.text
    part = client.get(
        "/plan/targets",
        params={"indicator": "drinking_water_volume"},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in part.text
    assert "170万吨" in part.text and "70万吨" in part.text and "规上轻工业总产值" not in part.text
