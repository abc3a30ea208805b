"""Every route of the standards programme, API and pages, against every role.

Enterprise A leads a drafting standard whose text is attached (the draft's text is for its
officers and lead only) and has declared a published one; B is another enterprise. Each
request runs inside a savepoint rolled back afterwards, so one role's write does not change
what the next role meets. A refused caller gets 401/403/404 (a page: the same codes, or the
login page) and never the draft's text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.standards import service
from plateau.standards.schemas import DeclarationCreate, StandardCreate
from tests.builders import ROLES, make_role_users
from tests.registry.builders import make_enterprise, make_product

EVERYONE = set(ROLES)
USERS = EVERYONE - {"public"}
ADMIN = {"region_admin"}
LEAD = {"region_admin", "enterprise_a"}
DRAFT_TEXT = b"%PDF-1.4\n(matrix draft secret)\n%%EOF\n"
SECRET = "matrix draft secret"


@dataclass
class Case:
    method: str
    route: str
    allowed: set[str]
    json: Callable[[dict[str, Any]], Any] | None = None
    form: Callable[[dict[str, Any]], dict[str, str]] | None = None
    file: bool = False


def _new(w: dict[str, Any]) -> dict[str, Any]:
    return {"title_zh": "矩阵新标准", "level": "local", "industry_id": "agri_food"}


API = [
    Case("GET", "/api/standards", EVERYONE),
    Case("POST", "/api/standards", ADMIN, json=_new),
    Case("GET", "/api/standards/choices/enterprises", USERS),
    Case("GET", "/api/standards/choices/products", USERS),
    Case("PATCH", "/api/standards/{draft}", ADMIN, json=lambda w: {"title_en": "Matrix"}),
    Case("GET", "/api/standards/{draft}/history", ADMIN),
    Case("PUT", "/api/standards/{draft}/document", LEAD, file=True),
    Case("GET", "/api/standards/{draft}/document", LEAD),
    Case("GET", "/api/standards/{published}/document", EVERYONE),
    Case("POST", "/api/standards/{draft}/status", ADMIN, json=lambda w: {"status": "consultation"}),
    Case("GET", "/api/standards/{draft}/participants", EVERYONE),
    Case("POST", "/api/standards/{draft}/participants", ADMIN, json=lambda w: {"uscc": w["a"]}),
    Case("DELETE", "/api/standards/{draft}/participants/{b}", ADMIN),
    Case("GET", "/api/standards/programme", EVERYONE),
    Case("GET", "/api/standards/declarations", EVERYONE),
    Case(
        "POST",
        "/api/standards/declarations",
        LEAD,
        json=lambda w: {"enterprise_uscc": w["a"], "standard_id": w["published"]},
    ),
    Case("DELETE", "/api/standards/declarations/{declaration}", LEAD),
]

PAGES = [
    Case("GET", "/standards", EVERYONE),
    Case(
        "POST",
        "/standards/declarations",
        LEAD,
        form=lambda w: {"enterprise_uscc": w["a"], "standard_id": str(w["published"])},
    ),
    Case("POST", "/standards/declarations/{declaration}/withdraw", LEAD),
    Case("GET", "/standards/new", ADMIN),
    Case(
        "POST",
        "/standards/new",
        ADMIN,
        form=lambda w: _new(w) | {"status": "planned"},
    ),
    Case("GET", "/standards/{draft}", EVERYONE),
    Case(
        "POST",
        "/standards/{draft}/edit",
        ADMIN,
        form=lambda w: {"title_zh": "矩阵改名", "level": "group", "industry_id": "agri_food"},
    ),
    Case("POST", "/standards/{draft}/document", LEAD, file=True),
    Case("GET", "/standards/{draft}/document", LEAD),
    Case("GET", "/standards/{published}/document", EVERYONE),
    Case("POST", "/standards/{draft}/status", ADMIN, form=lambda w: {"status": "consultation"}),
    Case("POST", "/standards/{draft}/participants", ADMIN, form=lambda w: {"uscc": w["a"]}),
]


def _routes(module: str, prefix: str) -> set[tuple[str, str]]:
    """The routes a module's router declares (what the app serves under ``prefix``)."""
    router = importlib.import_module(module).router
    return {
        (method, prefix + route.path)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def _template(path: str) -> str:
    for name in ("draft", "published"):
        path = path.replace("{" + name + "}", "{standard_id}")
    return path.replace("{b}", "{uscc}").replace("{declaration}", "{declaration_id}")


@pytest.mark.parametrize(
    ("module", "cases", "prefix"),
    [("plateau.standards.api", API, "/api"), ("plateau.standards.pages", PAGES, "")],
)
def test_every_standards_route_is_in_the_matrix(
    module: str, cases: list[Case], prefix: str
) -> None:
    expected = {(c.method, _template(c.route)) for c in cases}
    assert _routes(module, prefix) == expected


def _world(session: Session) -> dict[str, Any]:
    a = make_enterprise(session, n=9501, park="lhasa_etdz")
    b = make_enterprise(session, n=9502, prefecture="540600")
    make_product(session, a, n=9501, name="矩阵产品")
    users = make_role_users(session, a=a.uscc, b=b.uscc, prefix="std")
    draft = service.create_standard(
        session,
        data=StandardCreate(
            title_zh="矩阵草案",
            level="group",
            industry_id="agri_food",
            lead_enterprise_uscc=a.uscc,
            participant_usccs=[b.uscc],
        ),
        actor=SYSTEM,
    )
    service.attach_document(
        session, standard_id=draft.id, filename="draft.pdf", blob=DRAFT_TEXT, actor=SYSTEM
    )
    published = service.create_standard(
        session,
        data=StandardCreate(
            code="T/XZ 900—2026",
            title_zh="矩阵已发布",
            level="group",
            status="published",
            industry_id="agri_food",
        ),
        actor=SYSTEM,
    )
    service.attach_document(
        session,
        standard_id=published.id,
        filename="pub.pdf",
        blob=b"%PDF-1.4\n(public)\n%%EOF\n",
        actor=SYSTEM,
    )
    declaration = service.declare(
        session,
        data=DeclarationCreate(enterprise_uscc=a.uscc, standard_id=published.id),
        actor=SYSTEM,
    )
    session.commit()
    return {
        "headers": users.headers,
        "draft": draft.id,
        "published": published.id,
        "declaration": declaration.id,
        "a": a.uscc,
        "b": b.uscc,
    }


def _ok(case: Case, status: int, pages: bool) -> bool:
    if pages and case.method == "POST":
        return status in (200, 303)
    return 200 <= status < 300


def _refused(role: str, status: int, text: str, location: str) -> bool:
    if SECRET in text:
        return False
    if role == "public" and status == 303 and location.startswith("/login"):
        return True
    return status in (401, 403, 404)


@pytest.mark.parametrize("cases", ["api", "pages"])
def test_routes_answer_each_role(
    client: TestClient, session: Session, connection: Connection, cases: str
) -> None:
    w = _world(session)
    pages = cases == "pages"
    failures = []
    for case in PAGES if pages else API:
        path = case.route.format(**w)
        for role in ROLES:
            savepoint = connection.begin_nested()
            try:
                kwargs: dict[str, Any] = {"headers": w["headers"][role]}
                if case.json:
                    kwargs["json"] = case.json(w)
                if case.form:
                    kwargs["data"] = case.form(w)
                if case.file:
                    kwargs["files"] = {"file": ("t.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
                resp = client.request(case.method, path, follow_redirects=False, **kwargs)
            finally:
                savepoint.rollback()
            body = resp.content.decode("utf-8", "replace")
            if role in case.allowed:
                good = _ok(case, resp.status_code, pages)
            else:
                location = resp.headers.get("location", "")
                good = _refused(role, resp.status_code, body, location)
            if not good:
                failures.append((case.method, case.route, role, resp.status_code))
    assert failures == []
