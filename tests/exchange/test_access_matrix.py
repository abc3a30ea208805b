"""Every route of the exchange, API and pages, against every role.

Enterprise A needs PET bottles, B offers them; A wrote to B in their thread. Only the two
enterprises and the moderators (the association's organiser, the region administrator) read
the thread; only A (or the administrator) changes A's need; only the moderators hide it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from plateau.exchange import service
from plateau.exchange.schemas import PostCreate
from tests.builders import ROLES as BASE_ROLES
from tests.builders import actor_of, bearer, make_role_users, make_token, make_user
from tests.matrix import Case, declared_routes, run_matrix
from tests.registry.builders import make_enterprise

ROLES = (*BASE_ROLES, "organiser")
EVERYONE = set(ROLES)
USERS = EVERYONE - {"public"}
OWNER = {"region_admin", "enterprise_a"}
MODERATORS = {"region_admin", "organiser"}
PARTIES = {"enterprise_a", "enterprise_b"}
SECRET = "矩阵对话内容"


def _fields(w: dict[str, Any]) -> dict[str, str]:
    today = service.today()
    return {
        "category": "packaging",
        "title": "矩阵改过的需求",
        "prefecture_code": "540100",
        "from_date": str(today),
        "until_date": str(today + timedelta(days=30)),
    }


API = [
    Case("GET", "/api/exchange/posts", EVERYONE),
    Case(
        "POST",
        "/api/exchange/posts",
        OWNER,
        json=lambda w: _fields(w) | {"kind": "need", "enterprise_uscc": w["a"]},
    ),
    Case("PUT", "/api/exchange/posts/{need}", OWNER, json=_fields),
    Case("POST", "/api/exchange/posts/{need}/withdraw", OWNER),
    Case("GET", "/api/exchange/posts/{need}/matches", EVERYONE),
    Case("POST", "/api/exchange/posts/{need}/hide", MODERATORS, json=lambda w: {"reason": "矩阵测试隐藏"}),
    Case("GET", "/api/exchange/notices", USERS),
    Case("GET", "/api/exchange/threads/{need}/{offer}", MODERATORS | PARTIES),
    Case("POST", "/api/exchange/threads/{need}/{offer}", PARTIES, json=lambda w: {"text": "你好"},
         sees_secret=set()),
]  # fmt: skip

PAGES = [
    Case("GET", "/exchange", EVERYONE, sees_secret=set()),
    # The page posts for the caller's own enterprise; the administrator posts through the API.
    Case(
        "POST",
        "/exchange",
        PARTIES,
        form=lambda w: _fields(w) | {"kind": "offer"},
        unprocessable={"region_admin"},
    ),
    Case("GET", "/exchange/{need}/edit", OWNER, sees_secret=set()),
    Case("POST", "/exchange/{need}/edit", OWNER, form=_fields),
    Case("POST", "/exchange/{need}/withdraw", OWNER),
    # Everybody reads the post; its thread only the parties and the moderators.
    Case("GET", "/exchange/{need}", EVERYONE, sees_secret=MODERATORS | PARTIES),
    Case("POST", "/exchange/threads/{need}/{offer}", PARTIES, form=lambda w: {"text": "你好"}),
    Case("POST", "/exchange/{need}/hide", MODERATORS, form=lambda w: {"reason": "矩阵测试隐藏"}),
]


def _template(path: str) -> str:
    return path.replace("/threads/{need}/{offer}", "/threads/{need_id}/{offer_id}").replace(
        "{need}", "{post_id}"
    )


@pytest.mark.parametrize(
    ("module", "cases", "prefix"),
    [("plateau.exchange.api", API, "/api"), ("plateau.exchange.pages", PAGES, "")],
)
def test_every_exchange_route_is_in_the_matrix(module: str, cases: list[Case], prefix: str) -> None:
    assert declared_routes(module, prefix) == {(c.method, _template(c.route)) for c in cases}


def _world(session: Session) -> dict[str, Any]:
    a = make_enterprise(session, n=9511, park="lhasa_etdz", industry="drinking_water")
    b = make_enterprise(session, n=9512, prefecture="540600", industry="packaging")
    users = make_role_users(session, a=a.uscc, b=b.uscc, prefix="xch")
    organiser = make_user(session, Role.ORGANISER, username="xch-organiser")
    users.headers["organiser"] = bearer(make_token(session, organiser))
    today = service.today()
    common = {
        "category": "packaging",
        "prefecture_code": "540100",
        "from_date": today,
        "until_date": today + timedelta(days=60),
    }
    owner_a = users.actors["enterprise_a"]
    need = service.create_post(
        session, data=PostCreate(kind="need", title="PET瓶坯", **common), actor=owner_a
    )
    offer = service.create_post(
        session,
        data=PostCreate(kind="offer", title="PET瓶坯现货", **common),
        actor=users.actors["enterprise_b"],
    )
    service.send(session, need_id=need.id, offer_id=offer.id, text=SECRET, actor=owner_a)
    session.commit()
    assert actor_of(organiser).role is Role.ORGANISER
    return {"headers": users.headers, "need": need.id, "offer": offer.id, "a": a.uscc}


@pytest.mark.parametrize("kind", ["api", "pages"])
def test_routes_answer_each_role(
    client: TestClient, session: Session, connection: Connection, kind: str
) -> None:
    w = _world(session)
    cases = API if kind == "api" else PAGES
    assert run_matrix(client, connection, cases, w, ROLES, secret=SECRET) == []
