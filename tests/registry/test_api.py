"""The registry JSON API: pagination, filters, CSV/Excel export and import, errors as problems."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.registry import service
from tests.builders import Users
from tests.registry.builders import csv_bytes, make_enterprise, uscc, xlsx_bytes
from tests.registry.conftest import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_reference_data_is_public(client: TestClient, session: Session) -> None:
    assert len(client.get("/api/registry/prefectures").json()) == 7
    counties = client.get("/api/registry/counties", params={"prefecture": "540600"}).json()
    assert {c["prefecture_code"] for c in counties} == {"540600"} and len(counties) == 11
    industries = client.get("/api/registry/industries").json()
    assert [i["id"] for i in industries][:2] == ["agri_food", "brewing"]
    assert "1522" in next(i for i in industries if i["id"] == "drinking_water")["gbt4754"]
    park = client.get("/api/registry/parks/nagqu_hitech").json()
    assert park["prefecture_code"] == "540600" and "drinking_water" in park["industries"]
    assert client.get("/api/registry/parks/atlantis").status_code == 404
    bases = client.get("/api/registry/bases", params={"industry": "tibetan_medicine"}).json()
    assert bases and all("tibetan_medicine" in b["industries"] for b in bases)
    markets = client.get("/api/registry/market-regions").json()
    assert markets[0] == {
        "id": "all",
        "name_zh": "全部市场",
        "name_en": "All markets",
        "kind": "all",
        "parent_id": None,
    }


def test_enterprise_pages_and_filters(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    for n in range(30, 35):
        make_enterprise(session, n=n, name=f"接口企业{n}")
    session.commit()
    admin = users.headers["region_admin"]
    page = client.get(
        "/api/registry/enterprises",
        params={"per_page": 2, "page": 2, "q": "接口企业"},
        headers=admin,
    )
    body = page.json()
    assert (body["total"], body["page"], body["per_page"]) == (5, 2, 2)
    assert [e["name"] for e in body["items"]] == ["接口企业32", "接口企业33"]
    too_many = client.get("/api/registry/enterprises", params={"per_page": 500}, headers=admin)
    assert too_many.status_code == 422 and too_many.headers["content-type"].startswith(
        "application/problem+json"
    )
    held = client.get(
        "/api/registry/enterprises",
        params={"status": "above_designated_size", "as_of": "2020-06-30"},
        headers=admin,
    ).json()
    assert [e["uscc"] for e in held["items"]] == [world.a]
    assert {s["kind"] for s in held["items"][0]["statuses"]} == {
        "high_tech",
        "above_designated_size",
    }
    by_park = client.get(
        "/api/registry/enterprises", params={"park": "nagqu_hitech"}, headers=admin
    ).json()
    assert [e["uscc"] for e in by_park["items"]] == [world.b]


def test_create_and_change_an_enterprise(client: TestClient, world: World, users: Users) -> None:
    officer = users.headers["prefecture_lhasa"]
    new = {
        "uscc": uscc(36),
        "name": "达孜青稞酒厂",
        "prefecture_code": "540100",
        "park_id": "dazi_industrial_park",
        "gbt4754": "1513",
    }
    made = client.post("/api/registry/enterprises", json=new, headers=officer)
    assert made.status_code == 201, made.text
    assert made.json()["industry_id"] == "brewing" and made.json()["source"] == "api"
    bad = client.post(
        "/api/registry/enterprises", json=new | {"uscc": uscc(37)[:-1] + "I"}, headers=officer
    )
    assert bad.status_code == 422
    assert "第 18 位" in bad.json()["errors"][0]["message"]
    wrong_county = client.post(
        "/api/registry/enterprises",
        json=new | {"uscc": uscc(38), "county_code": "540602"},
        headers=officer,
    )
    assert wrong_county.status_code == 422
    assert wrong_county.json()["errors"] == [
        {"row": None, "field": "county_code", "message": "色尼区不属于拉萨市。", "value": "540602"}
    ]
    patched = client.patch(
        f"/api/registry/enterprises/{uscc(36)}",
        json={"founded_date": "2018-08-08"},
        headers=officer,
    )
    assert patched.status_code == 200 and patched.json()["founded_date"] == "2018-08-08"
    status = client.post(
        f"/api/registry/enterprises/{uscc(36)}/statuses",
        json={
            "kind": "specialized_sme",
            "level": "regional",
            "valid_from": "2024-01-01",
            "valid_to": "2026-12-31",
        },
        headers=officer,
    )
    assert status.status_code == 201
    counts = client.get(
        "/api/registry/status-counts", params={"on": "2025-01-01"}, headers=officer
    ).json()
    assert counts == {"high_tech": 1, "specialized_sme": 1}


def _rows_of_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_lists_export_to_csv_and_excel_with_the_same_filters(
    client: TestClient, world: World, users: Users
) -> None:
    officer = users.headers["prefecture_lhasa"]
    exported = client.get(
        "/api/registry/enterprises",
        params={"format": "csv", "industry": "drinking_water"},
        headers=officer,
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = _rows_of_csv(exported.content)
    assert rows[0][:4] == ["统一社会信用代码", "企业名称", "英文名称", "地市"]
    assert [r[0] for r in rows[1:]] == [world.a]
    assert "高新技术企业" in rows[1]
    workbook = client.get("/api/registry/projects", params={"format": "xlsx"}, headers=officer)
    assert workbook.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("项目编号", "项目名称")
    assert sorted(r[1] for r in values[1:]) == sorted(["拉萨净水工程", "拉萨民族手工艺产业园"])
    assert {r[values[0].index("投资额（元）")] for r in values[1:]} == {120_000_000, 30_000_000}
    parks = client.get("/api/registry/parks", params={"format": "csv"})
    assert len(_rows_of_csv(parks.content)) == 11


def test_an_import_with_a_bad_row_answers_422_and_imports_nothing(
    client: TestClient, session: Session, users: Users
) -> None:
    admin = users.headers["region_admin"]
    data = xlsx_bytes(
        [
            ["统一社会信用代码", "企业名称", "地市", "产业", "成立日期"],
            [uscc(90), "好的一行", "540100", "agri_food", "2020-01-01"],
            [uscc(91), "坏的一行", "540100", "agri_food", "二〇二〇年"],
        ]
    )
    files = {"file": ("企业.xlsx", data, XLSX)}
    answer = client.post("/api/registry/enterprises/import", files=files, headers=admin)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["title"] == "validation_failed" and "未导入任何数据" in problem["detail"]
    assert [(e["row"], e["field"], e["value"]) for e in problem["errors"]] == [
        (3, "成立日期", "二〇二〇年")
    ]
    assert client.get(f"/api/registry/enterprises/{uscc(90)}", headers=admin).status_code == 404
    dry = client.post(
        "/api/registry/enterprises/import",
        files={
            "file": (
                "e.csv",
                csv_bytes(
                    [
                        ["uscc", "name", "prefecture", "industry"],
                        [uscc(92), "试导入", "540100", "brewing"],
                    ]
                ),
                "text/csv",
            )
        },
        data={"dry_run": "true"},
        headers=admin,
    )
    assert dry.status_code == 200 and dry.json() == {
        "kind": "enterprises",
        "rows": 1,
        "created": 1,
        "updated": 0,
        "dry_run": True,
    }
    assert service.scope_exists(session, scope=f"enterprise:{uscc(92)}") is False


def test_import_templates_carry_the_headers(client: TestClient) -> None:
    answer = client.get("/api/registry/import-templates/enterprises")
    assert answer.headers["content-type"] == XLSX
    header = next(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert header[:8] == (
        "统一社会信用代码",
        "企业名称",
        "地市",
        "产业",
        "区县",
        "园区",
        "行业代码",
        "成立日期",
    )
    projects = client.get("/api/registry/import-templates/projects", params={"format": "csv"})
    assert _rows_of_csv(projects.content)[0][:4] == ["项目名称", "产业", "地市", "项目阶段"]


def test_products_and_certificates_round_trip(
    client: TestClient, world: World, users: Users
) -> None:
    own = users.headers["enterprise_a"]
    made = client.post(
        "/api/registry/products",
        json={
            "enterprise_uscc": world.a,
            "gtin": "6901234567892",
            "name_zh": "冰川水 1L",
            "brand": "新品牌",
        },
        headers=own,
    )
    assert made.status_code == 201, made.text
    assert made.json()["gtin"] == "06901234567892" and made.json()["brand"] == "新品牌"
    bad = client.post(
        "/api/registry/products",
        json={"enterprise_uscc": world.a, "gtin": "6901234567893", "name_zh": "x"},
        headers=own,
    )
    assert bad.status_code == 422 and "校验位" in bad.json()["errors"][0]["message"]
    cert = client.post(
        "/api/registry/certifications",
        json={
            "enterprise_uscc": world.a,
            "product_gtin": "6901234567892",
            "kind": "earth_third_pole",
            "certificate_no": "DQSJ-2024-1",
            "valid_from": "2024-01-01",
        },
        headers=own,
    )
    assert cert.status_code == 201 and cert.json()["product_gtin"] == "06901234567892"
    listed = client.get(
        "/api/registry/certifications", params={"kind": "earth_third_pole"}, headers=own
    ).json()
    assert [c["certificate_no"] for c in listed["items"]] == ["DQSJ-2024-1"]
    brands = client.get("/api/registry/brands", headers=own).json()
    assert {b["name_zh"] for b in brands["items"]} == {"净土冰川", "新品牌"}


def test_project_summary_by_stage(client: TestClient, world: World, users: Users) -> None:
    summary = client.get("/api/registry/projects/summary", headers=users.headers["analyst"]).json()
    assert [(s["stage"], s["count"]) for s in summary] == [
        ("planning", 1),
        ("signed", 1),
        ("under_construction", 1),
        ("in_production", 0),
    ]
    signed = client.get(
        "/api/registry/projects", params={"stage": "signed"}, headers=users.headers["analyst"]
    ).json()
    assert [p["name"] for p in signed["items"]] == ["拉萨净水工程"]
    assert signed["items"][0]["enterprise_uscc"] == world.a


def test_the_openapi_document_describes_every_registry_route(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    for path, ops in spec["paths"].items():
        if path.startswith("/api/registry"):
            for op in ops.values():
                assert op.get("description") or op.get("summary"), path


def test_system_actor_sees_what_the_admin_sees(
    session: Session, world: World, users: Users
) -> None:
    assert (
        service.list_enterprises(session, actor=SYSTEM).total
        == service.list_enterprises(session, actor=users.actors["region_admin"]).total
    )
