"""The design pages: post a brief, propose with an image, award; bad input; who reaches what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.design import service
from plateau.design.models import Brief, Proposal, ProposalImage
from plateau.registry import service as registry_service
from plateau.registry.schemas import ProductCreate
from tests.builders import ROLES, csrf_from, login, make_role_users
from tests.design.builders import PNG_1PX, brief_data, make_world, proposal_data
from tests.registry.builders import gtin, make_enterprise


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_post_propose_award_on_the_pages(client: TestClient, session: Session) -> None:
    w = make_world(session, base=9801)
    registry_service.create_product(
        session,
        data=ProductCreate(
            gtin=gtin(9801),
            name_zh="雪山纹藏装",
            enterprise_uscc=w.maker.uscc,
            industry_id="ethnic_handicraft",
        ),
        actor=SYSTEM,
    )
    session.commit()
    login(client, w.u_maker.username)
    page = client.get("/design")
    token = csrf_from(page.text)
    fields = {
        "csrf_token": token,
        "title": "藏式礼服系列设计",
        "category": "garment",
        "description": "婚礼礼服",
        "deliverables": "效果图",
        "reward_cny": "30000",
        "deadline_date": (service.today() + timedelta(days=20)).isoformat(),
    }
    for bad, words in (
        ({"reward_cny": "三万"}, "奖金"),
        ({"reward_cny": "-1"}, "奖金"),
        ({"deadline_date": (service.today() - timedelta(days=1)).isoformat()}, "截止"),
        ({"deadline_date": "明天"}, "年-月-日"),
        ({"description": "联系 wechat abc"}, "电话"),
    ):
        resp = client.post("/design", data=fields | bad)
        assert resp.status_code == 422 and words in resp.text, (bad, resp.status_code)
        assert 'value="藏式礼服系列设计"' in resp.text  # the form keeps what was typed
    assert _count(session, Brief) == 0
    made = client.post("/design", data=fields, follow_redirects=False)
    assert made.status_code == 303
    brief_url = made.headers["location"]
    client.cookies.clear()
    # A designer proposes: a file that is not an image is refused, then a real one is taken.
    login(client, w.u_studio.username)
    page = client.get(brief_url)
    assert 'id="proposal-form"' in page.text and 'id="award-form"' not in page.text
    token = csrf_from(page.text)
    data = {
        "csrf_token": token,
        "title": "雪山礼服",
        "designer_name": "卓玛",
        "description": "三套",
    }
    bad = client.post(
        f"{brief_url}/proposals", data=data, files={"images": ("x.png", b"%PDF-1.4", "image/png")}
    )
    assert bad.status_code == 422 and "不是图片" in bad.text
    assert _count(session, Proposal) == 0
    good = client.post(
        f"{brief_url}/proposals", data=data, files={"images": ("x.png", PNG_1PX, "image/png")}
    )
    assert good.status_code == 200 and "雪山礼服" in good.text and 'id="edit-form"' in good.text
    again = client.post(f"{brief_url}/proposals", data=data)
    assert again.status_code == 409 and "已为该需求提交过方案" in again.text
    assert _count(session, Proposal) == 1 and _count(session, ProposalImage) == 1
    client.cookies.clear()
    # Another enterprise does not see the proposal; the public neither.
    login(client, w.u_other.username)
    assert "雪山礼服" not in client.get(brief_url).text
    client.cookies.clear()
    assert "雪山礼服" not in client.get(brief_url).text
    # The product's consumer page, read (and kept in the page cache) before the award.
    before = client.get(f"/01/{gtin(9801).zfill(14)}")
    assert before.status_code == 200 and "设计：" not in before.text
    # The owner awards it with the product made from it.
    login(client, w.u_maker.username)
    page = client.get(brief_url)
    assert "雪山礼服" in page.text and 'id="award-form"' in page.text and "雪山纹藏装" in page.text
    pid = session.scalar(select(Proposal.id))
    token = csrf_from(page.text)
    done = client.post(
        f"{brief_url}/award",
        data={
            "csrf_token": token,
            "proposal_id": str(pid),
            "note": "礼服最具特色",
            "product_gtin": gtin(9801).zfill(14),
        },
    )
    assert done.status_code == 200 and 'id="awarded"' in done.text and "卓玛" in done.text
    assert "雪山纹藏装" in done.text
    client.cookies.clear()
    # The consumer page behind the product's QR code credits the designer at once.
    consumer = client.get(f"/01/{gtin(9801).zfill(14)}")
    assert consumer.status_code == 200 and "设计：卓玛" in consumer.text
    login(client, w.u_studio.username)
    home = client.get("/")
    assert "您的设计方案中选" in home.text


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_pages_speak_both_languages(client: TestClient, session: Session, lang: str) -> None:
    w = make_world(session, base=9811)
    brief = service.create_brief(session, data=brief_data(category="packaging"), actor=w.u_maker)
    session.commit()
    client.cookies.set("plateau_lang", lang)
    index = client.get("/design")
    detail = client.get(f"/design/{brief.id}")
    words = (
        ("包装设计", "征集中")
        if lang == "zh_Hans_CN"
        else ("Packaging design", "Open for proposals")
    )
    for w_ in words:
        assert w_ in index.text and w_ in detail.text
    for page in (index.text, detail.text):  # codes never reach a reader
        assert ">packaging<" not in page and ">open<" not in page


# Page routes × roles: enterprise A owns the brief, B sent its proposal; C is any other.
PAGE_CASES = [
    ("GET", "/design", set(ROLES)),
    ("GET", "/design/{brief}", set(ROLES)),
    ("GET", "/design/proposals/{proposal}", {"region_admin", "enterprise_a", "enterprise_b"}),
    ("GET", "/design/images/{image}", {"region_admin", "enterprise_a", "enterprise_b"}),
    ("POST", "/design/{brief}/award", {"region_admin", "enterprise_a"}),
    ("POST", "/design/{brief}/close", {"region_admin", "enterprise_a"}),
    ("POST", "/design/{brief}/hide", {"region_admin"}),
    ("POST", "/design/{brief}/restore", {"region_admin"}),
    ("POST", "/design/proposals/{proposal}/shortlist", {"region_admin", "enterprise_a"}),
    # The administrator reads threads; only the two sides write.
    ("POST", "/design/proposals/{proposal}/messages", {"enterprise_a", "enterprise_b"}),
    ("POST", "/design/proposals/{proposal}/edit", {"enterprise_b"}),
]


def test_page_routes_answer_each_role(
    client: TestClient, session: Session, connection: Connection
) -> None:
    a = make_enterprise(session, n=9821, industry="ethnic_handicraft")
    b = make_enterprise(session, n=9822, prefecture="540600")
    users = make_role_users(session, a=a.uscc, b=b.uscc, prefix="dsp")
    brief = service.create_brief(session, data=brief_data(), actor=users.actors["enterprise_a"])
    p = service.submit_proposal(
        session,
        brief_id=brief.id,
        data=proposal_data(),
        actor=users.actors["enterprise_b"],
        images=[PNG_1PX],
    )
    image = session.scalar(select(ProposalImage.id))
    session.commit()
    form = {
        "proposal_id": str(p.id),
        "note": "好",
        "reason": "预算调整",
        "on": "1",
        "text": "你好",
        "title": "修订",
        "description": "",
    }
    failures = []
    for role in ROLES:
        client.cookies.clear()
        if role != "public":
            login(client, users.usernames[role])
        token = csrf_from(client.get("/design").text) if role != "public" else ""
        for method, route, allowed in PAGE_CASES:
            path = route.format(brief=brief.id, proposal=p.id, image=image)
            savepoint = connection.begin_nested()
            try:
                if method == "GET":
                    resp = client.get(path, follow_redirects=False)
                else:
                    resp = client.post(
                        path, data=form | {"csrf_token": token}, follow_redirects=False
                    )
            finally:
                savepoint.rollback()
            ok = resp.status_code in (200, 303)
            if ok != (role in allowed) or (not ok and resp.status_code not in (401, 403, 404)):
                failures.append((role, method, route, resp.status_code))
            if role not in allowed and method == "GET":
                assert "雪山纹样系列" not in resp.text
    assert not failures
