"""The design API: every route against every role, uploads, and the Excel export.

Enterprise A (Lhasa) owns both briefs; B (Nagqu) is a designer whose proposal answers the
first brief; the second brief has no proposals yet. Each role's request runs inside a
savepoint rolled back afterwards, so one role's write does not change what the next meets.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.design import service
from plateau.design.models import ProposalImage
from plateau.registry import service as registry_service
from plateau.registry.schemas import ProductCreate
from tests.builders import ROLES, make_role_users
from tests.design.builders import PNG_1PX, brief_data, proposal_data
from tests.registry.builders import gtin, make_enterprise

EVERYONE = set(ROLES)
OWNER = {"region_admin", "enterprise_a"}


@dataclass
class Case:
    method: str
    route: str
    allowed: set[str]
    status: int = 200
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    files: bool = False
    # Which brief the route's {brief_id} names: "first" (with B's proposal) or "second".
    brief: str = "first"
    extra: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("GET", "/api/design/briefs", EVERYONE),
    Case("POST", "/api/design/briefs", {"region_admin", "enterprise_a", "enterprise_b"}, 201,
         body=lambda w: brief_data().model_dump(mode="json")),
    # Only a design recognised in a final edition (tests/design/test_recognition.py); none here.
    Case("POST", "/api/design/briefs/from-recognition", set(), body=lambda w: {"code": "fw-none", "nomination_id": 1}),
    Case("GET", "/api/design/briefs/{brief_id}", EVERYONE),
    Case("GET", "/api/design/briefs/{brief_id}/proposals", EVERYONE),
    Case("POST", "/api/design/briefs/{brief_id}/proposals", {"enterprise_b"}, 201, brief="second",
         body=lambda w: proposal_data().model_dump()),
    Case("GET", "/api/design/proposals/{proposal_id}", OWNER | {"enterprise_b"}),
    Case("PUT", "/api/design/proposals/{proposal_id}", {"enterprise_b"},
         body=lambda w: proposal_data(title="修订方案").model_dump()),
    Case("POST", "/api/design/proposals/{proposal_id}/images", {"enterprise_b"}, 201, files=True),
    Case("GET", "/api/design/images/{image_id}", OWNER | {"enterprise_b"}),
    Case("POST", "/api/design/proposals/{proposal_id}/shortlist", OWNER, body=lambda w: {"shortlisted": True}),
    Case("POST", "/api/design/briefs/{brief_id}/award", OWNER,
         body=lambda w: {"proposal_id": w["proposal_id"], "note": "好", "product_gtin": w["gtin"]}),
    Case("POST", "/api/design/briefs/{brief_id}/close", OWNER, body=lambda w: {"reason": "预算调整"}),
    # Moderation is the association's (organisers and the administrator), not the owner's.
    Case("POST", "/api/design/briefs/{brief_id}/hide", {"region_admin"}, body=lambda w: {"reason": "涉嫌违规"}),
    Case("POST", "/api/design/briefs/{brief_id}/restore", {"region_admin"}),
    Case("POST", "/api/design/briefs/{brief_id}/production", OWNER, brief="awarded",
         body=lambda w: {"product_gtin": w["gtin"]}),
    Case("GET", "/api/design/proposals/{proposal_id}/messages", OWNER | {"enterprise_b"}),
    # The administrator reads threads; only the two sides write (the owner's name is not its to use).
    Case("POST", "/api/design/proposals/{proposal_id}/messages", {"enterprise_a", "enterprise_b"}, 201,
         body=lambda w: {"text": "请在平台内沟通"}),
]  # fmt: skip


def test_every_design_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        if path.startswith("/api/design")
        for method in ops
    }
    assert routes == {(c.method, c.route) for c in CASES}


def _world(session: Session) -> dict[str, Any]:
    a = make_enterprise(session, n=9701, industry="ethnic_handicraft", gbt4754="1819")
    b = make_enterprise(session, n=9702, prefecture="540600", name="那曲设计工作室")
    users = make_role_users(session, a=a.uscc, b=b.uscc, prefix="dsg")
    owner, designer = users.actors["enterprise_a"], users.actors["enterprise_b"]
    first = service.create_brief(session, data=brief_data(), actor=owner)
    second = service.create_brief(session, data=brief_data(title="青稞酒礼盒包装"), actor=owner)
    awarded = service.create_brief(session, data=brief_data(title="吊牌设计"), actor=owner)
    p = service.submit_proposal(
        session, brief_id=first.id, data=proposal_data(), actor=designer, images=[PNG_1PX]
    )
    q = service.submit_proposal(session, brief_id=awarded.id, data=proposal_data(), actor=designer)
    service.award(session, brief_id=awarded.id, proposal_id=q.id, note="", actor=owner)
    product = registry_service.create_product(
        session,
        data=ProductCreate(
            gtin=gtin(9701), name_zh="藏装", enterprise_uscc=a.uscc, industry_id="ethnic_handicraft"
        ),
        actor=SYSTEM,
    )
    image_id = session.scalar(select(ProposalImage.id).where(ProposalImage.proposal_id == p.id))
    session.commit()
    return {
        "headers": users.headers,
        "briefs": {"first": first.id, "second": second.id, "awarded": awarded.id},
        "proposal_id": p.id,
        "image_id": image_id,
        "gtin": product.gtin,
    }


def _expected(case: Case, got: dict[str, int]) -> dict[str, int]:
    out = {}
    for role in ROLES:
        if role in case.allowed:
            out[role] = case.status
        elif role == "public" and case.method != "GET":
            out[role] = 403  # unsafe requests of the public fail the CSRF check first
        else:
            out[role] = got[role] if got[role] in (401, 403, 404) else -1
    return out


def test_routes_answer_each_role(
    client: TestClient, session: Session, connection: Connection
) -> None:
    w = _world(session)
    failures = []
    for case in CASES:
        path = case.route.format(
            brief_id=w["briefs"][case.brief],
            proposal_id=w["proposal_id"],
            image_id=w["image_id"],
        )
        got: dict[str, int] = {}
        for role in ROLES:
            savepoint = connection.begin_nested()
            try:
                kwargs: dict[str, Any] = {"headers": w["headers"][role]}
                if case.body:
                    kwargs["json"] = case.body(w)
                if case.files:
                    kwargs["files"] = {"file": ("a.png", PNG_1PX, "image/png")}
                got[role] = client.request(case.method, path, **kwargs).status_code
            finally:
                savepoint.rollback()
        if got != _expected(case, got):
            failures.append((case.method, case.route, got))
    assert not failures


def test_api_refuses_bad_input_and_hides_other_proposals(
    client: TestClient, session: Session
) -> None:
    w = _world(session)
    h = w["headers"]
    first = w["briefs"]["first"]
    # Bad reward and a past deadline: 422 in the problem format, nothing made.
    before = client.get("/api/design/briefs").json()["total"]
    for bad in ({"reward_cny": "两万"}, {"reward_cny": -5}, {"deadline_date": "2000-01-01"}):
        body = brief_data().model_dump(mode="json") | bad
        resp = client.post("/api/design/briefs", json=body, headers=h["enterprise_a"])
        assert resp.status_code == 422, resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/design/briefs").json()["total"] == before
    # Not an image; a second proposal by the same designer.
    resp = client.post(
        f"/api/design/proposals/{w['proposal_id']}/images",
        files={"file": ("a.png", b"GIF89a not really", "image/png")},
        headers=h["enterprise_b"],
    )
    assert resp.status_code == 422 and "图片" in resp.json()["detail"]
    assert session.scalar(select(func.count(ProposalImage.id))) == 1
    resp = client.post(
        f"/api/design/briefs/{first}/proposals",
        json=proposal_data().model_dump(),
        headers=h["enterprise_b"],
    )
    assert resp.status_code == 409
    # The public and other enterprises see none of the non-public proposals.
    for role in ("public", "analyst", "prefecture_lhasa"):
        assert client.get(f"/api/design/briefs/{first}/proposals", headers=h[role]).json() == []
    assert [
        p["id"]
        for p in client.get(
            f"/api/design/briefs/{first}/proposals", headers=h["enterprise_a"]
        ).json()
    ] == [w["proposal_id"]]


def test_excel_export_has_names_and_text_cells(client: TestClient, session: Session) -> None:
    a = make_enterprise(session, n=9711)
    users = make_role_users(
        session, a=a.uscc, b=make_enterprise(session, n=9712).uscc, prefix="dsx"
    )
    service.create_brief(
        session,
        data=brief_data(title="=HYPERLINK(1)", category="brand_identity"),
        actor=users.actors["enterprise_a"],
    )
    session.commit()
    resp = client.get("/api/design/briefs", params={"format": "xlsx"})
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("设计需求")] == "=HYPERLINK(1)")
    cell = next(c for c in ws[rows.index(row) + 1] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"  # a string, never a formula
    assert row[header.index("设计内容")] == "标签与品牌形象设计"
    assert row[header.index("状态")] == "征集中"
    assert row[header.index("发布方")] == a.name
