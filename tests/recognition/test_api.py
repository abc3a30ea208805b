"""The recognition API: every route against every role, and one edition driven over HTTP."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from plateau.recognition import service
from tests.builders import bearer, make_token, make_user
from tests.recognition.builders import (
    PNG_1PX,
    World,
    edition_data,
    make_world,
    nominate_brands,
    open_nominations,
    to_scoring,
)

ROLES = (
    "public",
    "region_admin",
    "analyst",
    "prefecture_officer",
    "organiser",
    "other_organiser",
    "juror_conflicted",
    "juror",
    "enterprise_a",
)
EVERYONE = set(ROLES)
USERS = EVERYONE - {"public"}
ORGANISERS = {"region_admin", "organiser"}
JURORS = {"juror_conflicted", "juror"}


@dataclass
class Ctx:
    world: World
    ids: dict[str, int]

    def fill(self, path: str) -> str:
        return path.format(code=self.world.edition.code, **self.ids)


@dataclass
class Case:
    method: str
    path: str
    allowed: set[str]
    body: Callable[[str, Ctx], Any] | None = None
    files: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _scores(role: str, ctx: Ctx) -> dict[str, Any]:
    return {"scores": {str(c): 7 for c in ctx.ids["brand_criteria"]}}


BASE = "/api/recognition/editions"


def _edition_update() -> dict[str, Any]:
    return {
        "name_zh": "改名",
        "year": 2026,
        "jury_weight": 100,
        "score_max": 10,
        "nominations_close_date": "2026-01-01",
        "scoring_start_date": "2026-01-02",
        "publicity_end_date": "2026-01-03",
    }


def _category() -> dict[str, Any]:
    return {
        "code": "extra",
        "name_zh": "新类别",
        "entry_kind": "design",
        "criteria": [{"name_zh": "创意", "weight": 100}],
    }


CASES = [
    # Pickers: any signed-in caller, scoped (an enterprise user: its own; tests/recognition/test_pickers.py).
    Case("GET", "/api/recognition/choices/brands", USERS),
    Case("GET", BASE, EVERYONE),
    Case(
        "POST",
        BASE,
        {"region_admin", "organiser", "other_organiser"},
        lambda role, ctx: edition_data(f"m-{role.replace('_', '-')}").model_dump(mode="json"),
    ),
    Case("GET", BASE + "/{code}", EVERYONE),
    Case("PATCH", BASE + "/{code}/rules", set(), lambda r, c: {"jury_weight": 50}),
    Case("POST", BASE + "/{code}/stage", set(), lambda r, c: {"stage": "publicity"}),
    Case(
        "POST",
        BASE + "/{code}/members",
        ORGANISERS,
        lambda role, ctx: {"username": f"extra-juror-{role}", "kind": "juror"},
    ),
    Case("GET", BASE + "/{code}/nominations", EVERYONE),
    Case(
        "POST",
        BASE + "/{code}/nominations",
        set(),
        lambda r, c: {"category": "best_design", "title": "迟到的设计"},
    ),
    Case("POST", BASE + "/{code}/nominations/{b}/images", set(), files=True),
    Case("POST", BASE + "/{code}/nominations/{b}/decision", set(), lambda r, c: {"accept": True}),
    Case(
        "POST",
        BASE + "/{code}/conflicts",
        JURORS,
        lambda r, c: {"nomination_id": c.ids["d"], "reason": "family"},
    ),
    Case("PUT", BASE + "/{code}/nominations/{b}/scores", JURORS, _scores),
    Case("GET", BASE + "/{code}/my-scores", USERS),
    # Frozen once scoring started: organisers too are refused (409).
    Case("PUT", BASE + "/{code}", set(), lambda r, c: _edition_update()),
    Case("POST", BASE + "/{code}/categories", set(), lambda r, c: _category()),
    Case("PUT", BASE + "/{code}/categories/987654", set(), lambda r, c: _category()),
    Case("DELETE", BASE + "/{code}/members/987654", set()),
    Case(
        "PATCH",
        BASE + "/{code}/members/987654",
        set(),
        lambda r, c: {"employer_name": "西藏大学"},
    ),
    Case("GET", BASE + "/{code}/progress", ORGANISERS),
    Case(
        "POST",
        "/api/recognition/vote/code",
        EVERYONE,
        lambda role, ctx: {"phone": f"1380000{ROLES.index(role):04d}"},
    ),
    Case(
        "POST",
        BASE + "/{code}/votes",
        set(),
        lambda r, c: {"phone": "13800009999", "code": "123456", "nomination_id": c.ids["b"]},
    ),
    Case("GET", BASE + "/{code}/ballots", ORGANISERS),
    Case(
        "POST",
        BASE + "/{code}/ballots/void",
        ORGANISERS,
        lambda r, c: {"ballot_ids": [987654], "reason": "矩阵测试"},
    ),
    Case("GET", BASE + "/{code}/results", set()),
    Case("GET", BASE + "/{code}/objections", USERS),
    Case(
        "POST",
        BASE + "/{code}/objections",
        set(),
        lambda r, c: {"nomination_id": c.ids["b"], "text": "尚未公示"},
    ),
    Case("POST", BASE + "/{code}/objections/987654/answer", set(), lambda r, c: {"answer": "好"}),
    Case("GET", BASE + "/{code}/nominations/{b}/certificate.pdf", set()),
]


def test_every_recognition_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (
            method.upper(),
            path.replace("{nomination_id}", "{b}")
            .replace("{objection_id}", "987654")
            .replace("{category_id}", "987654")
            .replace("{member_id}", "987654")
            .replace("{kind}", "brands"),
        )
        for path, ops in app.openapi()["paths"].items()
        if path.startswith("/api/recognition")
        for method in ops
    }
    assert routes == {(c.method, c.path) for c in CASES}


def _voting_world(session: Session) -> Ctx:
    w = make_world(session)
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    service.advance(session, code=w.edition.code, to="voting", actor=w.organiser)
    edition = service.get_edition(session, code=w.edition.code, actor=w.organiser)
    brand_cat = next(c for c in edition.categories if c.code == "best_brand")
    ids: dict[str, Any] = {"a": a.id, "b": b.id, "d": d.id}
    ids["brand_criteria"] = [c.id for c in brand_cat.criteria]  # type: ignore[assignment]
    return Ctx(w, ids)


def _headers(session: Session, ctx: Ctx, role: str) -> dict[str, str]:
    w = ctx.world
    users = {
        "organiser": None,
        "juror_conflicted": w.juror_users[0],
        "juror": w.juror_users[1],
    }
    if role == "public":
        return {}
    if role in users:
        user = users[role]
        if user is None:
            from plateau.auth import service as auth_service

            user = auth_service.get_user(session, user_id=w.organiser.user_id or 0)
        return bearer(make_token(session, user))  # type: ignore[arg-type]
    spec = {
        "region_admin": (Role.REGION_ADMIN, None),
        "analyst": (Role.ANALYST, None),
        "prefecture_officer": (Role.PREFECTURE_OFFICER, "prefecture:540100"),
        "other_organiser": (Role.ORGANISER, None),
        "enterprise_a": (Role.ENTERPRISE_USER, f"enterprise:{w.ent_a.uscc}"),
    }[role]
    return bearer(make_token(session, make_user(session, *spec)))


@pytest.mark.parametrize("role", ROLES)
def test_routes_answer_each_role(client: TestClient, session: Session, role: str) -> None:
    # One world per role, every route in turn: a world per (role, route) would take minutes.
    ctx = _voting_world(session)
    headers = _headers(session, ctx, role)
    make_user(session, Role.JUROR, username=f"extra-juror-{role}")
    session.commit()
    wrong = []
    for case in CASES:
        kwargs: dict[str, Any] = {"headers": headers}
        if case.body:
            kwargs["json"] = case.body(role, ctx)
        if case.files:
            kwargs["files"] = {"file": ("a.png", PNG_1PX, "image/png")}
        resp = client.request(case.method, ctx.fill(case.path), **kwargs)
        if role in case.allowed:
            ok = 200 <= resp.status_code < 300
        else:
            ok = resp.status_code in (401, 403, 404, 409, 422) and resp.headers[
                "content-type"
            ].startswith("application/problem+json")
        if not ok:
            wrong.append((case.method, case.path, resp.status_code, resp.text[:200]))
    assert wrong == []


def test_a_conflicted_juror_sees_neither_the_entry_nor_other_scores(
    client: TestClient, session: Session
) -> None:
    ctx = _voting_world(session)
    conflicted = _headers(session, ctx, "juror_conflicted")
    other = _headers(session, ctx, "juror")
    session.commit()
    code = ctx.world.edition.code
    listed = client.get(f"{BASE}/{code}/nominations", headers=conflicted).json()
    assert ctx.ids["a"] not in {n["id"] for n in listed} and ctx.ids["b"] in {
        n["id"] for n in listed
    }
    put = client.put(
        f"{BASE}/{code}/nominations/{ctx.ids['a']}/scores",
        headers=conflicted,
        json=_scores("", ctx),
    )
    assert put.status_code == 404
    assert (
        client.put(
            f"{BASE}/{code}/nominations/{ctx.ids['b']}/scores", headers=other, json=_scores("", ctx)
        ).status_code
        == 200
    )
    mine = client.get(f"{BASE}/{code}/my-scores", headers=conflicted).json()
    assert mine == []


def test_an_edition_over_http(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    w = make_world(session, code="fw-http")
    admin = bearer(make_token(session, make_user(session, Role.REGION_ADMIN)))
    maker = bearer(
        make_token(session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{w.ent_a.uscc}"))
    )
    jurors = [bearer(make_token(session, u)) for u in w.juror_users]
    session.commit()
    base = f"{BASE}/fw-http"
    assert (
        client.post(f"{base}/stage", headers=admin, json={"stage": "nominations"}).status_code
        == 200
    )
    nom = client.post(
        f"{base}/nominations",
        headers=maker,
        json={"category": "best_brand", "brand_id": w.brand_a.id},
    )
    assert nom.status_code == 201, nom.text
    nid = nom.json()["id"]
    bad = client.post(
        f"{base}/nominations/{nid}/images",
        headers=maker,
        files={"file": ("x.png", b"GIF89a", "image/png")},
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert "图片" in bad.json()["detail"] or "image" in bad.json()["detail"]
    ok = client.post(
        f"{base}/nominations/{nid}/images",
        headers=maker,
        files={"file": ("x.png", PNG_1PX, "image/png")},
    )
    assert ok.status_code == 201
    assert client.post(f"{base}/stage", headers=admin, json={"stage": "review"}).status_code == 200
    assert (
        client.post(
            f"{base}/nominations/{nid}/decision", headers=admin, json={"accept": True}
        ).status_code
        == 200
    )
    assert client.post(f"{base}/stage", headers=admin, json={"stage": "scoring"}).status_code == 200
    edition = client.get(base).json()
    crits = [c["id"] for c in edition["categories"][0]["criteria"]]
    too_high = client.put(
        f"{base}/nominations/{nid}/scores",
        headers=jurors[1],
        json={"scores": {str(c): 12 for c in crits}},
    )
    assert too_high.status_code == 422 and "10" in too_high.json()["detail"]
    assert client.get(f"{base}/my-scores", headers=jurors[1]).json() == []
    for j in jurors[1:]:
        r = client.put(
            f"{base}/nominations/{nid}/scores",
            headers=j,
            json={"scores": {str(c): 8 for c in crits}},
        )
        assert r.status_code == 200
    assert client.post(f"{base}/stage", headers=admin, json={"stage": "voting"}).status_code == 200
    with caplog.at_level(logging.INFO, logger="plateau.recognition.sms"):
        assert (
            client.post("/api/recognition/vote/code", json={"phone": "13912345678"}).status_code
            == 202
        )
    sent = re.search(r"13912345678: (\d{6})", caplog.text)
    assert sent is not None
    cast = client.post(
        f"{base}/votes", json={"phone": "13912345678", "code": sent.group(1), "nomination_id": nid}
    )
    assert cast.status_code == 201, cast.text
    assert (
        client.post(f"{base}/stage", headers=admin, json={"stage": "publicity"}).status_code == 200
    )
    results = client.get(f"{base}/results").json()
    assert [(r["title"], r["votes"], r["total"]) for r in results] == [("雪域", 1, 86.0)]
    assert client.post(f"{base}/stage", headers=admin, json={"stage": "final"}).status_code == 200
    pdf = client.get(f"{base}/nominations/{nid}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_setting_up_an_edition_over_http(client: TestClient, session: Session) -> None:
    w = make_world(session)
    open_nominations(session, w)
    nominate_brands(session, w)
    service.detect_conflicts(session, edition=w.edition)  # as when scoring starts
    from plateau.auth import service as auth_service

    organiser = auth_service.get_user(session, user_id=w.organiser.user_id or 0)
    assert organiser is not None
    headers = bearer(make_token(session, organiser))
    session.commit()
    base = f"/api/recognition/editions/{w.edition.code}"
    added = client.post(f"{base}/categories", json=_category(), headers=headers)
    assert added.status_code == 201
    assert [c["name_zh"] for c in added.json()["categories"]][-1] == "新类别"
    bad = _category() | {"criteria": [{"name_zh": "创意", "weight": 90}]}
    assert client.post(f"{base}/categories", json=bad, headers=headers).status_code == 422
    changed = client.put(base, json=_edition_update(), headers=headers)
    assert changed.status_code == 200 and changed.json()["name_zh"] == "改名"
    seat = next(
        m
        for m in service.list_members(session, code=w.edition.code, actor=w.organiser)
        if m.employer_uscc == w.ent_a.uscc
    )
    before = service.list_conflicts(session, code=w.edition.code, actor=w.organiser)
    assert any(m.id == seat.id for _c, m, _n in before)
    moved = client.patch(
        f"{base}/members/{seat.id}", json={"employer_name": "西藏大学"}, headers=headers
    )
    assert moved.status_code == 200
    session.expire_all()
    conflicts = service.list_conflicts(session, code=w.edition.code, actor=w.organiser)
    assert all(m.id != seat.id for _c, m, _n in conflicts)
