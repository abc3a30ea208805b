"""Searchable pickers: matching by name or pinyin initials, paging, and each caller's scope."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from plateau.collation import pinyin_initials
from plateau.picking import PLAIN_MAX, matches
from plateau.recognition import service as recognition_service
from plateau.standards import service as standards_service
from tests.builders import actor_of, bearer, login, make_token, make_user
from tests.registry.builders import make_enterprise, make_product


def test_initials_and_matching() -> None:
    assert pinyin_initials("拉萨净土农牧") == "lsjtnm"
    # 牦 is outside GB 2312 level 1 but has its reading: 牦牛 is found by "mn".
    assert pinyin_initials("Yak 牦牛-2") == "yakmn2"
    assert pinyin_initials("重庆") == "cq"  # read by phrase, not 重 as zhong
    assert matches("拉萨净土农牧", "lsjt") and matches("拉萨净土农牧", "LSJT")
    assert matches("拉萨净土农牧", "净土") and matches("Tibet Yak Co.", "yak")
    assert not matches("拉萨净土农牧", "xz") and not matches("拉萨净土农牧", "日喀则")


def _many(session: Session, n: int) -> None:
    # More than a plain select holds: names of two families, so that a search has to choose.
    for i in range(n):
        name = f"拉萨净土{i:03d}号" if i % 2 else f"日喀则青稞{i:03d}号"
        make_enterprise(session, n=9600 + i, name=name)


def test_search_by_name_and_initials_pages_and_scope(session: Session) -> None:
    _many(session, PLAIN_MAX + 12)
    admin = actor_of(make_user(session, Role.REGION_ADMIN))
    by_han = standards_service.enterprise_choices(session, actor=admin, query="净土")
    by_initials = standards_service.enterprise_choices(session, actor=admin, query="lsjt")
    wanted = (PLAIN_MAX + 12) // 2
    assert by_han.total == by_initials.total == wanted
    assert {c.value for c in by_han.items} == {c.value for c in by_initials.items}
    assert all("净土" in c.label for c in by_initials.items)
    second = standards_service.enterprise_choices(
        session, actor=admin, query="rkz", page=2, per_page=10
    )
    assert second.page == 2 and len(second.items) == 10 and second.total >= wanted
    assert all("日喀则" in c.label for c in second.items)
    # An enterprise user finds only itself; an officer of a prefecture nothing here.
    own = make_enterprise(session, n=9590, name="拉萨净土自家")
    user = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{own.uscc}"))
    mine = standards_service.enterprise_choices(session, actor=user, query="lsjt")
    assert [c.value for c in mine.items] == [own.uscc]
    officer = actor_of(make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100"))
    assert standards_service.enterprise_choices(session, actor=officer).total == 0
    # Recognition's pickers keep the same scope.
    assert recognition_service.enterprise_choices(session, actor=user).total == 1
    assert recognition_service.enterprise_choices(session, actor=admin, query="lsjt").total == (
        wanted + 1
    )


def test_products_and_brands_keep_their_enterprise_scope(session: Session) -> None:
    a = make_enterprise(session, n=9591, name="甲企业")
    b = make_enterprise(session, n=9592, name="乙企业")
    pa = make_product(session, a, n=1, name="拉萨啤酒")
    make_product(session, b, n=2, name="拉萨啤酒")
    user = actor_of(make_user(session, Role.ENTERPRISE_USER, f"enterprise:{a.uscc}"))
    mine = standards_service.own_products(session, actor=user, query="lspj")
    assert [c.value for c in mine.items] == [pa.gtin]
    found = recognition_service.product_choices(session, actor=user, query="啤酒")
    assert [c.value for c in found.items] == [pa.gtin]
    assert "甲企业" in found.items[0].label


def test_the_endpoints_answer_by_scope(client: TestClient, session: Session) -> None:
    _many(session, 6)
    own = make_enterprise(session, n=9593, name="拉萨净土之家")
    admin_h = bearer(make_token(session, make_user(session, Role.REGION_ADMIN)))
    ent_h = bearer(
        make_token(session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{own.uscc}"))
    )
    session.commit()
    url = "/api/standards/choices/enterprises"
    assert client.get(url, params={"q": "lsjt"}).status_code == 401
    got = client.get(url, params={"q": "lsjt"}, headers=admin_h).json()
    assert got["total"] == 4 and {"value", "label"} == set(got["items"][0])
    mine = client.get(url, params={"q": "lsjt"}, headers=ent_h).json()
    assert [i["value"] for i in mine["items"]] == [own.uscc]
    rec = client.get(
        "/api/recognition/choices/enterprises", params={"q": "净土"}, headers=ent_h
    ).json()
    assert rec["total"] == 1
    assert client.get("/api/recognition/choices/nonsense", headers=admin_h).status_code == 422
    too_long = client.get(url, params={"q": "x" * 61}, headers=admin_h)
    assert too_long.status_code == 422


def test_a_page_shows_a_search_box_only_when_the_choices_are_many(
    client: TestClient, session: Session
) -> None:
    from plateau.standards.schemas import StandardCreate

    s = standards_service.create_standard(
        session,
        data=StandardCreate(title_zh="青稞米", level="group", industry_id="agri_food"),
        actor=actor_of(make_user(session, Role.REGION_ADMIN)),
    )
    admin = make_user(session, Role.REGION_ADMIN)
    session.commit()
    login(client, admin.username)
    few = client.get(f"/standards/{s.id}").text
    total = standards_service.enterprise_choices(
        session, actor=actor_of(admin), not_in_standard=s.id
    ).total
    searchable = 'data-picker="/api/standards/choices/enterprises?not_in=' in few
    assert searchable == (total > PLAIN_MAX)
    _many(session, PLAIN_MAX + 1)
    session.commit()
    many = client.get(f"/standards/{s.id}").text
    assert 'data-picker="/api/standards/choices/enterprises?not_in=' in many
    assert 'id="add-uscc-q"' in many and 'aria-controls="add-uscc"' in many
    # The select still works without JavaScript: it holds the first page.
    box = many[many.index('id="add-uscc"') :]
    box = box[: box.index("</select>")]
    assert len(re.findall(r'<option value="\d', box)) == 50
