"""Every registry API route against every role: allowed callers get 2xx and only their tenants'
data; everyone else gets 401, 403 or 404 (404 whenever the record is outside their scope), and no
response ever carries another tenant's data."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from PIL import Image
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.registry import service
from plateau.registry.schemas import BrandFilter, CertificationFilter
from tests.builders import ROLES, Users
from tests.registry.builders import csv_bytes, gtin, uscc
from tests.registry.conftest import VISIBLE, VISIBLE_PROJECTS, World

EVERYONE = set(ROLES)
USERS = EVERYONE - {"public"}
A_VIEWERS = {r for r, seen in VISIBLE.items() if "a" in seen}
A_MANAGERS = {"region_admin", "prefecture_lhasa", "park_etdz"}
A_HOLDERS = A_MANAGERS | {"enterprise_a"}
IMPORTERS = {"region_admin", "prefecture_lhasa", "prefecture_nagqu", "park_etdz"}
PROJECT_NAMES = {"a": "拉萨净水工程", "b": "那曲牦牛肉扩产项目", "c": "拉萨民族手工艺产业园"}
ROLE_NO = {role: i for i, role in enumerate(ROLES)}
# Where each role may register things (what it imports in the import cases).
HOME = {
    "prefecture_nagqu": ("540600", None),
    "park_etdz": ("540100", "lhasa_etdz"),
}


@dataclass
class Ids:
    world: World
    status_a: int
    brand_a: int
    cert_a: int

    def fill(self, path: str) -> str:
        w = self.world
        return path.format(
            a=w.a,
            b=w.b,
            gtin_a=w.gtin_a,
            project_a=w.project_a,
            status_a=self.status_a,
            brand_a=self.brand_a,
            cert_a=self.cert_a,
        )


Check = Callable[[str, Response, Ids], None]


@dataclass
class Case:
    method: str
    route: str  # the OpenAPI path
    allowed: set[str]
    path: str = ""  # the concrete path, placeholders filled from Ids
    params: dict[str, str] = field(default_factory=dict)
    json: Callable[[str, Ids], dict[str, Any]] | None = None
    files: Callable[[str, Ids], dict[str, Any]] | None = None
    target: str | None = None  # "a" or "b": a single record, 404 for those who cannot see it
    check: Check | None = None

    @property
    def id(self) -> str:
        extra = "?" + "&".join(f"{k}={v}" for k, v in self.params.items()) if self.params else ""
        return f"{self.method} {self.route}{extra}{' ' + self.target if self.target else ''}"


def _letters(ids: Ids, usccs: set[str]) -> set[str]:
    by = {ids.world.a: "a", ids.world.b: "b", ids.world.c: "c"}
    return {by.get(u, "new") for u in usccs}


def _items(resp: Response) -> list[dict[str, Any]]:
    return list(resp.json()["items"])


def check_enterprises(role: str, resp: Response, ids: Ids) -> None:
    assert _letters(ids, {e["uscc"] for e in _items(resp)}) == VISIBLE[role]


def check_enterprise_csv(role: str, resp: Response, ids: Ids) -> None:
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert _letters(ids, {r[0] for r in rows[1:]}) == VISIBLE[role]


def check_products(role: str, resp: Response, ids: Ids) -> None:
    assert _letters(ids, {p["enterprise_uscc"] for p in _items(resp)}) == VISIBLE[role] - {"c"}


def check_brands(role: str, resp: Response, ids: Ids) -> None:
    assert _letters(ids, {b["enterprise_uscc"] for b in _items(resp)}) == VISIBLE[role] - {"c"}


def check_certifications(role: str, resp: Response, ids: Ids) -> None:
    assert _letters(ids, {c["enterprise_uscc"] for c in _items(resp)}) == VISIBLE[role] - {"c"}


def check_projects(role: str, resp: Response, ids: Ids) -> None:
    expected = {PROJECT_NAMES[k] for k in VISIBLE_PROJECTS[role]}
    assert {p["name"] for p in _items(resp)} == expected


def check_project_csv(role: str, resp: Response, ids: Ids) -> None:
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {PROJECT_NAMES[k] for k in VISIBLE_PROJECTS[role]}


def check_summary(role: str, resp: Response, ids: Ids) -> None:
    assert sum(s["count"] for s in resp.json()) == len(VISIBLE_PROJECTS[role])


def check_status_counts(role: str, resp: Response, ids: Ids) -> None:
    expected = {}
    if "a" in VISIBLE[role]:
        expected["high_tech"] = 1
    if "b" in VISIBLE[role]:
        expected["above_designated_size"] = 1
    assert resp.json() == expected


def _home(role: str) -> tuple[str, str | None]:
    return HOME.get(role, ("540100", "lhasa_etdz"))


def enterprise_file(role: str, ids: Ids) -> dict[str, Any]:
    prefecture, park = _home(role)
    data = csv_bytes(
        [
            ["uscc", "name", "prefecture", "park", "industry"],
            [
                uscc(500 + ROLE_NO[role], prefecture),
                f"导入企业{role}",
                prefecture,
                park or "",
                "agri_food",
            ],
        ]
    )
    return {"file": ("enterprises.csv", data, "text/csv")}


def product_file(role: str, ids: Ids) -> dict[str, Any]:
    owner = ids.world.b if role in ("prefecture_nagqu", "enterprise_b") else ids.world.a
    data = csv_bytes([["gtin", "name", "uscc"], [gtin(500 + ROLE_NO[role]), "导入产品", owner]])
    return {"file": ("products.csv", data, "text/csv")}


def photo_file(role: str, ids: Ids) -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (ROLE_NO[role], 0, 0)).save(out, "PNG")
    return {"file": ("photo.png", out.getvalue(), "image/png")}


def project_file(role: str, ids: Ids) -> dict[str, Any]:
    prefecture, park = _home(role)
    data = csv_bytes(
        [
            ["name", "industry", "prefecture", "park", "stage", "amount_cny"],
            [f"导入项目{role}", "agri_food", prefecture, park or "", "planning", "1000000"],
        ]
    )
    return {"file": ("projects.csv", data, "text/csv")}


def new_enterprise(role: str, ids: Ids) -> dict[str, Any]:
    return {
        "uscc": uscc(600 + ROLE_NO[role]),
        "name": f"新企业{role}",
        "prefecture_code": "540100",
        "park_id": "lhasa_etdz",
        "industry_id": "agri_food",
    }


def new_project(role: str, ids: Ids) -> dict[str, Any]:
    return {
        "name": f"新项目{role}",
        "industry_id": "agri_food",
        "prefecture_code": "540100",
        "park_id": "lhasa_etdz",
        "amount_cny": "1000000",
        "stage": "planning",
    }


R = "/api/registry"
CASES: list[Case] = [
    Case("GET", f"{R}/prefectures", EVERYONE),
    Case("GET", f"{R}/counties", EVERYONE),
    Case("GET", f"{R}/industries", EVERYONE),
    Case("GET", f"{R}/parks", EVERYONE),
    Case("GET", f"{R}/parks/{{park_id}}", EVERYONE, path=f"{R}/parks/lhasa_etdz"),
    Case("GET", f"{R}/bases", EVERYONE),
    Case("GET", f"{R}/market-regions", EVERYONE),
    Case(
        "GET", f"{R}/import-templates/{{kind}}", EVERYONE, path=f"{R}/import-templates/enterprises"
    ),
    Case("GET", f"{R}/enterprises", USERS, check=check_enterprises),
    Case("GET", f"{R}/enterprises", USERS, params={"format": "csv"}, check=check_enterprise_csv),
    Case("GET", f"{R}/enterprises", USERS, params={"format": "xlsx"}),
    Case("POST", f"{R}/enterprises", A_MANAGERS, json=new_enterprise),
    Case("POST", f"{R}/enterprises/import", IMPORTERS, files=enterprise_file),
    Case("GET", f"{R}/enterprises/{{uscc}}", A_VIEWERS, path=f"{R}/enterprises/{{a}}", target="a"),
    Case(
        "GET",
        f"{R}/enterprises/{{uscc}}",
        {r for r, s in VISIBLE.items() if "b" in s},
        path=f"{R}/enterprises/{{b}}",
        target="b",
    ),
    Case(
        "PATCH",
        f"{R}/enterprises/{{uscc}}",
        A_HOLDERS,
        path=f"{R}/enterprises/{{a}}",
        json=lambda role, ids: {"address": f"地址{role}"},
        target="a",
    ),
    Case(
        "DELETE",
        f"{R}/enterprises/{{uscc}}",
        {"region_admin"},
        path=f"{R}/enterprises/{{a}}",
        target="a",
    ),
    Case(
        "GET",
        f"{R}/enterprises/{{uscc}}/statuses",
        A_VIEWERS,
        path=f"{R}/enterprises/{{a}}/statuses",
        target="a",
    ),
    Case(
        "POST",
        f"{R}/enterprises/{{uscc}}/statuses",
        A_MANAGERS,
        path=f"{R}/enterprises/{{a}}/statuses",
        target="a",
        json=lambda role, ids: {"kind": "green_factory", "valid_from": "2024-01-01"},
    ),
    Case(
        "PATCH",
        f"{R}/enterprises/{{uscc}}/statuses/{{status_id}}",
        A_MANAGERS,
        path=f"{R}/enterprises/{{a}}/statuses/{{status_a}}",
        target="a",
        json=lambda role, ids: {"valid_to": "2030-12-31"},
    ),
    Case(
        "DELETE",
        f"{R}/enterprises/{{uscc}}/statuses/{{status_id}}",
        A_MANAGERS,
        path=f"{R}/enterprises/{{a}}/statuses/{{status_a}}",
        target="a",
    ),
    Case("GET", f"{R}/status-counts", USERS, check=check_status_counts),
    Case("GET", f"{R}/brands", USERS, check=check_brands),
    Case(
        "POST",
        f"{R}/brands",
        A_HOLDERS,
        target="a",
        json=lambda role, ids: {"enterprise_uscc": ids.world.a, "name_zh": f"品牌{role}"},
    ),
    Case(
        "DELETE", f"{R}/brands/{{brand_id}}", A_HOLDERS, path=f"{R}/brands/{{brand_a}}", target="a"
    ),
    Case("GET", f"{R}/products", USERS, check=check_products),
    Case("GET", f"{R}/products", USERS, params={"format": "csv"}),
    Case(
        "POST",
        f"{R}/products",
        A_HOLDERS,
        target="a",
        json=lambda role, ids: {
            "enterprise_uscc": ids.world.a,
            "gtin": gtin(700 + ROLE_NO[role]),
            "name_zh": "新品",
        },
    ),
    Case(
        "POST",
        f"{R}/products/import",
        IMPORTERS | {"enterprise_a", "enterprise_b"},
        files=product_file,
    ),
    Case("GET", f"{R}/products/{{gtin}}", A_VIEWERS, path=f"{R}/products/{{gtin_a}}", target="a"),
    Case(
        "PATCH",
        f"{R}/products/{{gtin}}",
        A_HOLDERS,
        path=f"{R}/products/{{gtin_a}}",
        target="a",
        json=lambda role, ids: {"net_content": "1L"},
    ),
    Case(
        "PUT",
        f"{R}/products/{{gtin}}/photo",
        A_HOLDERS,
        path=f"{R}/products/{{gtin_a}}/photo",
        target="a",
        files=photo_file,
    ),
    Case(
        "DELETE",
        f"{R}/products/{{gtin}}/photo",
        A_HOLDERS,
        path=f"{R}/products/{{gtin_a}}/photo",
        target="a",
    ),
    Case(
        "DELETE", f"{R}/products/{{gtin}}", A_HOLDERS, path=f"{R}/products/{{gtin_a}}", target="a"
    ),
    Case(
        "GET",
        f"{R}/enterprises/{{uscc}}/prefixes",
        A_VIEWERS,
        path=f"{R}/enterprises/{{a}}/prefixes",
        target="a",
    ),
    Case(
        "POST",
        f"{R}/enterprises/{{uscc}}/prefixes",
        A_MANAGERS,
        path=f"{R}/enterprises/{{a}}/prefixes",
        target="a",
        json=lambda role, ids: {"prefix": f"6905{ROLE_NO[role]:02d}00", "kind": "licensed"},
    ),
    Case(
        "DELETE",
        f"{R}/enterprises/{{uscc}}/prefixes/{{prefix}}",
        A_MANAGERS,
        path=f"{R}/enterprises/{{a}}/prefixes/6901234",
        target="a",
    ),
    Case("GET", f"{R}/certifications", USERS, check=check_certifications),
    Case(
        "POST",
        f"{R}/certifications",
        A_HOLDERS,
        target="a",
        json=lambda role, ids: {
            "enterprise_uscc": ids.world.a,
            "kind": "gmp",
            "certificate_no": f"GMP-{role}",
            "valid_from": "2024-01-01",
        },
    ),
    Case(
        "DELETE",
        f"{R}/certifications/{{certification_id}}",
        A_HOLDERS,
        path=f"{R}/certifications/{{cert_a}}",
        target="a",
    ),
    Case("GET", f"{R}/projects", USERS, check=check_projects),
    Case("GET", f"{R}/projects", USERS, params={"format": "csv"}, check=check_project_csv),
    Case("POST", f"{R}/projects", A_MANAGERS, json=new_project),
    Case("POST", f"{R}/projects/import", IMPORTERS, files=project_file),
    Case("GET", f"{R}/projects/summary", USERS, check=check_summary),
    Case(
        "GET",
        f"{R}/projects/{{project_id}}",
        A_VIEWERS,
        path=f"{R}/projects/{{project_a}}",
        target="a",
    ),
    Case(
        "PATCH",
        f"{R}/projects/{{project_id}}",
        A_MANAGERS,
        path=f"{R}/projects/{{project_a}}",
        target="a",
        json=lambda role, ids: {"stage": "under_construction"},
    ),
    Case(
        "DELETE",
        f"{R}/projects/{{project_id}}",
        A_MANAGERS,
        path=f"{R}/projects/{{project_a}}",
        target="a",
    ),
]


def test_every_registry_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        if path.startswith("/api/registry")
        for method in ops
    }
    assert routes == {(c.method, c.route) for c in CASES}


@pytest.fixture
def ids(session: Session, world: World, users: Users) -> Ids:
    statuses = service.list_statuses(session, uscc=world.a, actor=SYSTEM)
    [brand] = service.list_brands(
        session, filters=BrandFilter(enterprise=world.a), actor=SYSTEM
    ).items
    [cert] = service.list_certifications(
        session, filters=CertificationFilter(enterprise=world.a), actor=SYSTEM
    ).items
    session.commit()
    return Ids(world=world, status_a=statuses[0].id, brand_a=brand.id, cert_a=cert.id)


def _forbidden_markers(role: str, world: World) -> set[str]:
    markers: set[str] = set()
    for letter, code in (("a", world.a), ("b", world.b), ("c", world.c)):
        if letter not in VISIBLE[role]:
            markers |= world.markers(code)
        if letter not in VISIBLE_PROJECTS[role]:
            markers.add(PROJECT_NAMES[letter])
    return markers


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_route_against_every_role(
    client: TestClient, connection: Connection, users: Users, ids: Ids, case: Case
) -> None:
    for role in ROLES:
        request: dict[str, Any] = {"headers": users.headers[role], "params": case.params}
        if case.json:
            request["json"] = case.json(role, ids)
        if case.files:
            request["files"] = case.files(role, ids)
        path = ids.fill(case.path or case.route)
        # Each role starts from the same world: roll back what the previous one changed.
        nested = connection.begin_nested()
        try:
            resp = client.request(case.method, path, **request)
        finally:
            nested.rollback()
        where = f"{case.id} as {role}: {resp.status_code} {resp.text[:300]}"
        if role in case.allowed:
            assert 200 <= resp.status_code < 300, where
            if case.check:
                case.check(role, resp, ids)
        elif role == "public":
            assert resp.status_code in (401, 403), where
        elif case.target and case.target not in VISIBLE[role]:
            assert resp.status_code == 404, where  # never reveal that the record exists
        else:
            assert resp.status_code == 403, where
        sent = path + json.dumps(request.get("json", {}), ensure_ascii=False)
        body = resp.content.decode("utf-8", "replace") if "xlsx" not in case.params.values() else ""
        leaked = {m for m in _forbidden_markers(role, ids.world) if m in body and m not in sent}
        assert not leaked, f"{where} leaks {leaked}"
