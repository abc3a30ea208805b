"""The exchange: a need meets an offer, both are told, they write through the platform."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, Role
from plateau.errors import Forbidden, NotFound, ValidationFailed
from plateau.exchange import service
from plateau.exchange.models import Post
from plateau.exchange.schemas import PostCreate
from tests.builders import actor_of, bearer, make_token, make_user
from tests.registry.builders import make_enterprise


def _post(kind: str, title: str, **over: object) -> PostCreate:
    today = service.today()
    data = {
        "kind": kind,
        "category": "packaging",
        "title": title,
        "quantity": 200000,
        "unit": "个",
        "prefecture_code": "540100",
        "from_date": today,
        "until_date": today + timedelta(days=60),
    } | over
    return PostCreate.model_validate(data)


def _world(session: Session):  # type: ignore[no-untyped-def]
    water = make_enterprise(session, n=9401, industry="drinking_water")
    pack = make_enterprise(session, n=9402, industry="packaging")
    third = make_enterprise(session, n=9403, industry="packaging")
    users = [
        actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{e.uscc}"))
        for e in (water, pack, third)
    ]
    return water, pack, third, users


def test_a_need_meets_an_offer_and_they_talk(session: Session) -> None:
    water, pack, _third, (u_water, u_pack, u_third) = _world(session)
    need = service.create_post(session, data=_post("need", "550ml PET瓶坯"), actor=u_water)
    service.create_post(
        session, data=_post("offer", "纸箱", category="materials"), actor=u_third
    )  # another category: no match
    offer = service.create_post(session, data=_post("offer", "PET瓶坯现货"), actor=u_pack)
    assert [p.id for p, _n in service.matches(session, post_id=need.id, actor=PUBLIC)] == [offer.id]
    for actor in (u_water, u_pack):
        assert [(n.need_id, n.offer_id) for n in service.notices(session, actor=actor)] == [
            (need.id, offer.id)
        ]
    assert service.notices(session, actor=u_third) == []
    service.send(
        session, need_id=need.id, offer_id=offer.id, text="请报价，联系电话见私信", actor=u_water
    )
    service.send(session, need_id=need.id, offer_id=offer.id, text="每个0.35元", actor=u_pack)
    thread = service.thread(session, need_id=need.id, offer_id=offer.id, actor=u_pack)
    assert [m.sender for m in thread] == [water.name, pack.name]
    with pytest.raises(NotFound):
        service.thread(session, need_id=need.id, offer_id=offer.id, actor=u_third)
    with pytest.raises(NotFound):
        service.send(session, need_id=need.id, offer_id=offer.id, text="我也要", actor=u_third)


@pytest.mark.parametrize(
    "description",
    ["电话 13912345678", "联系 sales@example.com", "加微信 xz2025", "座机 0891-6831234"],
)
def test_no_personal_contact_details_in_public(session: Session, description: str) -> None:
    _w, _p, _t, (u_water, _u, _v) = _world(session)
    with pytest.raises(ValidationFailed):
        service.create_post(
            session, data=_post("need", "瓶盖", description=description), actor=u_water
        )
    assert not session.scalar(select(func.count(Post.id)))


def test_moderation_and_expiry(session: Session) -> None:
    _w, _p, _t, (u_water, u_pack, _v) = _world(session)
    organiser = actor_of(make_user(session, Role.ORGANISER))
    post = service.create_post(session, data=_post("offer", "易拉罐"), actor=u_pack)
    old = service.create_post(session, data=_post("offer", "旧纸箱"), actor=u_pack)
    old.until_date = service.today() - timedelta(days=1)  # it was posted long ago
    session.flush()
    with pytest.raises(Forbidden):
        service.hide(session, post_id=post.id, reason="广告内容", actor=u_water)
    with pytest.raises(ValidationFailed):
        service.hide(session, post_id=post.id, reason="", actor=organiser)
    service.hide(session, post_id=post.id, reason="重复发布", actor=organiser)
    public = [p.id for p, _n in service.list_posts(session, actor=PUBLIC)]
    assert post.id not in public and old.id not in public
    assert {p.id for p, _n in service.list_posts(session, actor=organiser)} >= {post.id, old.id}
    with pytest.raises(NotFound):
        service.get_post(session, post_id=post.id, actor=PUBLIC)
    with pytest.raises(ValidationFailed):
        service.create_post(
            session,
            data=_post(
                "need",
                "过期",
                from_date=service.today() - timedelta(days=9),
                until_date=service.today() - timedelta(days=2),
            ),
            actor=u_water,
        )


def test_the_api_exports_the_board_and_guards_writes(client: TestClient, session: Session) -> None:
    _water, pack, _t, _users = _world(session)
    token = make_token(session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{pack.uscc}"))
    analyst = make_token(session, make_user(session, Role.ANALYST))
    session.commit()
    body = _post("offer", "PET瓶").model_dump(mode="json")
    assert client.post("/api/exchange/posts", json=body).status_code in (401, 403)
    assert client.post("/api/exchange/posts", json=body, headers=bearer(analyst)).status_code == 403
    made = client.post("/api/exchange/posts", json=body, headers=bearer(token))
    assert made.status_code == 201, made.text
    assert made.json()["enterprise"] == pack.name
    xlsx = client.get("/api/exchange/posts?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any(row[3] == "PET瓶" for row in sheet.iter_rows(values_only=True))
    assert client.get("/exchange").status_code == 200
    assert client.get(f"/exchange/{made.json()['id']}").status_code == 200


def test_the_board_is_paged_in_sql_and_exports_every_post(
    client: TestClient, session: Session
) -> None:
    _water, _pack, _t, users = _world(session)
    for i in range(35):
        service.create_post(session, data=_post("offer", f"纸箱{i:02d}"), actor=users[1])
    session.commit()

    first = service.page_posts(session, actor=PUBLIC, page=1, per_page=30)
    second = service.page_posts(session, actor=PUBLIC, page=2, per_page=30)
    assert first.total == second.total == 35 and first.pages == 2
    assert len(first.items) == 30 and len(second.items) == 5
    assert {p.id for p, _n in first.items}.isdisjoint(p.id for p, _n in second.items)
    assert first.items[0][0].title == "纸箱34"  # newest first

    api = client.get("/api/exchange/posts?per_page=10&page=4").json()
    assert api["total"] == 35 and [p["title"] for p in api["items"]] == [
        "纸箱04",
        "纸箱03",
        "纸箱02",
        "纸箱01",
        "纸箱00",
    ]
    page = client.get("/exchange?page=2")
    assert page.status_code == 200 and 'id="board-pages"' in page.text
    assert "纸箱00" in page.text and "纸箱34" not in page.text
    filtered = client.get("/exchange?kind=offer")  # the pager keeps the filters
    assert 'href="/exchange?kind=offer&amp;page=2#posts"' in filtered.text
    assert len(service.export_rows(session, actor=PUBLIC)) == 35  # the export is never cut


def test_quantities_read_with_thousands_separators(client: TestClient, session: Session) -> None:
    _water, _pack, _t, users = _world(session)
    whole = service.create_post(
        session, data=_post("offer", "整数瓶坯", quantity=1000000), actor=users[1]
    )
    part = service.create_post(
        session, data=_post("offer", "小数纸箱", quantity="12500.5"), actor=users[1]
    )
    session.commit()
    board = client.get("/exchange").text
    assert "1,000,000 个" in board and "12,500.50 个" in board
    assert "1000000" not in board
    assert "1,000,000 个" in client.get(f"/exchange/{whole.id}").text
    assert "12,500.50 个" in client.get(f"/exchange/{part.id}").text
