"""The returns API as a program uses it: filing one or many, file uploads, problem details,
the workflow, pagination and the OpenAPI description."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import Users
from tests.monitoring.builders import core
from tests.monitoring.conftest import World
from tests.registry.builders import csv_bytes, xlsx_bytes

R = "/api/monitoring"
HEADER = ["uscc", "period", "output_value", "revenue", "value_added", "employees"]


def test_file_one_return_then_many(client: TestClient, world: World, users: Users) -> None:
    h = users.headers["enterprise_a"]
    one = client.post(
        f"{R}/returns", headers=h, json={"uscc": world.a, "period": "2025-01", "values": core()}
    )
    assert one.status_code == 200, one.text
    assert one.json() == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "submitted": 0,
        "dry_run": False,
        "warnings": [],
    }
    many = [
        {"uscc": world.a, "period": "2025-02", "values": core(), "submit": True},
        {"uscc": world.a, "period": "2025-01", "values": {"exports": 5000}},
    ]
    resp = client.post(f"{R}/returns", headers=h, json=many)
    assert (
        resp.json()["created"] == 1
        and resp.json()["updated"] == 1
        and resp.json()["submitted"] == 1
    )
    got = client.get(f"{R}/returns/{world.a}/2025-02", headers=h).json()
    assert got["status"] == "submitted" and got["frequency"] == "monthly"
    output = next(e for e in got["elements"] if e["element"] == "output_value")
    assert output["value"] == "1000000.00" and output["ytd"] == "2000000.00"


def test_a_bad_batch_is_a_problem_listing_every_row(
    client: TestClient, world: World, users: Users
) -> None:
    body = [
        {"uscc": world.a, "period": "2025-01", "values": core()},
        {"uscc": world.a, "period": "2025-1", "values": core(revenue="abc")},
        {"uscc": "91540100MA0000011", "period": "2026-13", "values": core()},
    ]
    resp = client.post(f"{R}/returns", headers=users.headers["region_admin"], json=body)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["detail"] == "未保存任何内容：发现 4 个问题。"
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [
        (2, "period"),  # 2025-1 is 2025-01 again
        (2, "revenue"),
        (3, "uscc"),
        (3, "period"),
    ]
    listed = client.get(f"{R}/returns", headers=users.headers["region_admin"]).json()
    assert listed["total"] == 0


def test_uploads_in_csv_and_excel(client: TestClient, world: World, users: Users) -> None:
    h = users.headers["region_admin"]
    bad = csv_bytes([HEADER, [world.a, "2025-03", "1000000", "950000", "300000", "二十"]])
    resp = client.post(f"{R}/returns/import", headers=h, files={"file": ("r.csv", bad, "text/csv")})
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"row": 2, "field": "employees", "message": "“二十”不是数字。", "value": "二十"}
    ]
    good = xlsx_bytes(
        [
            HEADER,
            [world.a, datetime(2025, 3, 1), 1_000_000, 950_000, 300_000, 20],
            [world.b, "2025-03", 2_000_000, 1_900_000, 600_000, 30],
        ]
    )
    resp = client.post(
        f"{R}/returns/import",
        headers=h,
        files={"file": ("r.xlsx", good, "application/octet-stream")},
        data={"submit": "true"},
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["created"], resp.json()["submitted"]) == (2, 2)
    page = client.get(
        f"{R}/returns",
        headers=h,
        params={"period": "2025-03", "status": "submitted", "per_page": 1, "page": 2},
    ).json()
    assert (page["total"], page["page"], len(page["items"])) == (2, 2, 1)


def test_the_workflow_over_the_api(client: TestClient, world: World, users: Users) -> None:
    ent, park = users.headers["enterprise_a"], users.headers["park_etdz"]
    url = f"{R}/returns/{world.a}/2025-04"
    assert client.put(url, headers=ent, json={"values": core()}).json()["status"] == "draft"
    assert client.post(f"{url}/submit", headers=ent, json={}).json()["status"] == "submitted"
    back = client.post(f"{url}/return", headers=park, json={"comment": "请补充出口交货值"})
    assert (
        back.json()["status"] == "returned" and back.json()["review_comment"] == "请补充出口交货值"
    )
    again = client.post(f"{url}/approve", headers=park, json={})
    assert (
        again.status_code == 409
        and again.json()["detail"] == "只有已提交的报表可以审核通过；此报表状态为“已退回修改”。"
    )
    client.put(url, headers=ent, json={"values": {"exports": "20000"}, "submit": True})
    assert client.post(f"{url}/approve", headers=park, json={}).json()["status"] == "approved"
    admin = users.headers["region_admin"]
    lock = client.post(f"{R}/periods/2025-04/lock", headers=admin)
    assert lock.json() == {"period": "2025-04", "locked": 1, "left": {}}
    refused = client.put(url, headers=admin, json={"values": {"exports": "1"}, "reason": "更正"})
    assert refused.status_code == 409
    assert (
        client.post(f"{R}/periods/2025-04/reopen", headers=admin, json={"reason": ""}).status_code
        == 422
    )
    assert (
        client.post(f"{R}/periods/2025-04/reopen", headers=admin, json={"reason": "更正"}).json()[
            "reopened"
        ]
        == 1
    )
    trail = client.get(f"{url}/audit", headers=users.headers["analyst"]).json()
    assert [a["action"] for a in trail][-4:] == ["submit", "approve", "lock", "reopen"]
    assert (
        trail[-1]["reason"] == "更正" and trail[-1]["username"] == users.usernames["region_admin"]
    )


def test_validation_without_saving(client: TestClient, world: World, users: Users) -> None:
    resp = client.post(
        f"{R}/returns/validate",
        headers=users.headers["enterprise_a"],
        json={
            "uscc": world.a,
            "period": "2025-05",
            "values": {"output_value": "100", "value_added": "200"},
        },
    )
    body = resp.json()
    assert [(f["rule"], f["severity"], f["element"]) for f in body["findings"]] == [
        ("required_core", "error", "revenue"),
        ("required_core", "error", "employees"),
        ("value_added_within_output", "error", "value_added"),
    ]
    assert client.get(f"{R}/returns", headers=users.headers["enterprise_a"]).json()["total"] == 0


def test_a_return_not_filed_yet_reads_as_not_filed(
    client: TestClient, world: World, users: Users
) -> None:
    got = client.get(
        f"{R}/returns/{world.b}/2025", headers=users.headers["prefecture_nagqu"]
    ).json()
    assert got["status"] is None and got["frequency"] == "annual"
    assert "drinking_water_capacity" in got["values"]
    bad = client.get(f"{R}/returns/{world.b}/2025-00", headers=users.headers["prefecture_nagqu"])
    assert bad.status_code == 422 and bad.json()["detail"] == "“2025-00”不是报告期：没有第0月。"


def test_metadata_and_openapi(client: TestClient, session: Session) -> None:
    elements = client.get(f"{R}/elements").json()
    by_id = {e["id"]: e for e in elements}
    assert by_id["highland_barley_processed"]["storage"] == "column:product_volume_t"
    assert by_id["highland_barley_processed"]["industries"] == [
        "agri_food",
        "beverage_tea",
        "brewing",
    ]
    assert {r["id"] for r in client.get(f"{R}/rules").json()} >= {
        "outlier_own_history",
        "yoy_change",
    }
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"]["/api/monitoring/returns/{uscc}/{period}/approve"]["post"]
    assert op["tags"] == ["monitoring"] and "Approve a submitted return" in op["description"]
    params = {p["name"] for p in spec["paths"]["/api/monitoring/returns"]["get"]["parameters"]}
    assert {"period", "status", "prefecture", "park", "page", "per_page", "format"} <= params
