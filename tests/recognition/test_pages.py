"""Recognition pages: the edition, the jury's desk and the phone vote, in both languages."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.recognition import service
from plateau.recognition.models import Ballot, Nomination
from tests.builders import csrf_from, login
from tests.recognition.builders import (
    PNG_1PX,
    make_world,
    nominate_brands,
    open_nominations,
    to_scoring,
)


def _username(session: Session, user_id: int | None) -> str:
    from plateau.auth import service as auth_service

    user = auth_service.get_user(session, user_id=user_id or 0)
    assert user is not None
    return user.username


def test_nominating_on_the_page_refuses_a_file_that_is_not_an_image(
    client: TestClient, session: Session
) -> None:
    w = make_world(session)
    open_nominations(session, w)
    session.commit()
    login(client, _username(session, w.maker_a.user_id))
    page = client.get(f"/recognition/{w.edition.code}")
    assert page.status_code == 200 and "data-nomination" not in page.text
    # The brand picker offers the enterprise's own brands only.
    assert '<select id="nm-brand"' in page.text and "雪域" in page.text and "圣城" not in page.text
    token = csrf_from(page.text)
    bad = client.post(
        f"/recognition/{w.edition.code}/nominate",
        data={"csrf_token": token, "category": "best_design", "title": "假图片"},
        files={"images": ("x.png", b"not a picture at all", "image/png")},
    )
    assert bad.status_code == 422
    assert "不是图片" in bad.text
    assert not session.scalar(select(func.count(Nomination.id)))
    good = client.post(
        f"/recognition/{w.edition.code}/nominate",
        data={"csrf_token": token, "category": "best_design", "title": "雪山之光"},
        files={"images": ("x.png", PNG_1PX, "image/png")},
        follow_redirects=True,
    )
    assert good.status_code == 200 and "雪山之光" in good.text


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_the_jury_desk_hides_conflicted_entries_and_refuses_out_of_scale_scores(
    client: TestClient, session: Session, lang: str
) -> None:
    w = make_world(session, jury_weight=100)
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    session.commit()
    client.cookies.set("plateau_lang", lang)
    login(client, w.juror_users[0].username)
    desk = client.get(f"/recognition/{w.edition.code}/jury")
    assert desk.status_code == 200
    assert f'id="entry-{b.id}"' in desk.text and f'id="entry-{a.id}"' not in desk.text
    edition = service.get_edition(session, code=w.edition.code, actor=w.organiser)
    crits = next(c for c in edition.categories if c.code == "best_brand").criteria
    form = {"csrf_token": csrf_from(desk.text)} | {f"c{c.id}": "11" for c in crits}
    resp = client.post(f"/recognition/{w.edition.code}/jury/{b.id}", data=form)
    assert resp.status_code == 422
    assert ("between 0 and 10" if lang == "en" else "0 到 10") in resp.text
    assert service.own_scores(session, code=w.edition.code, actor=w.jurors[0]) == {}


def test_a_vote_on_the_phone_page(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    w = make_world(session)
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    service.advance(session, code=w.edition.code, to="voting", actor=w.organiser)
    session.commit()
    url = f"/recognition/{w.edition.code}/vote"
    page = client.get(url)
    assert page.status_code == 200 and "圣城" in page.text
    token = csrf_from(page.text)
    with caplog.at_level(logging.INFO, logger="plateau.recognition.sms"):
        sent = client.post(
            url,
            data={
                "csrf_token": token,
                "phone": "13712345678",
                "step": "code",
                "nomination_id": b.id,
            },
        )
    assert sent.status_code == 200 and 'id="otp"' in sent.text
    code = re.search(r"13712345678: (\d{6})", caplog.text)
    assert code is not None
    voted = client.post(
        url,
        data={
            "csrf_token": token,
            "phone": "13712345678",
            "step": "vote",
            "code": code.group(1),
            "nomination_id": b.id,
        },
    )
    assert voted.status_code == 200 and "圣城" in voted.text
    assert service.tally(session, edition=w.edition) == {b.id: 1}
    again = client.post(
        url,
        data={
            "csrf_token": token,
            "phone": "13712345678",
            "step": "vote",
            "code": code.group(1),
            "nomination_id": b.id,
        },
    )
    assert again.status_code == 422
    assert session.scalar(select(func.count(Ballot.id))) == 1


def test_the_index_counts_recognised_garment_brands_against_the_plan(
    client: TestClient, session: Session
) -> None:
    resp = client.get("/recognition")
    assert resp.status_code == 200
    assert 'id="brand-target"' in resp.text


def test_a_recognition_shows_on_the_registry_and_consumer_pages(
    client: TestClient, session: Session
) -> None:
    from decimal import Decimal

    from tests.registry.builders import make_product

    w = make_world(session, jury_weight=100)
    code = w.edition.code
    product = make_product(session, w.ent_b, n=9202, name="圣城氆氇藏袍", brand="圣城")
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    edition = service.get_edition(session, code=code, actor=w.organiser)
    for j, juror in enumerate(w.jurors):
        for n, base in ((a, 6), (b, 9), (d, 7)):
            if j == 0 and n is a:
                continue  # conflicted
            cat = next(c for c in edition.categories if c.id == n.category_id)
            service.submit_scores(
                session,
                code=code,
                nomination_id=n.id,
                scores={c.id: Decimal(base) for c in cat.criteria},
                actor=juror,
            )
    service.advance(session, code=code, to="publicity", actor=w.organiser)
    consumer = client.get(f"/01/{product.gtin}")
    assert 'data-recognition="' not in consumer.text  # not final yet: nothing shown
    service.advance(session, code=code, to="final", actor=w.organiser)
    session.commit()
    consumer = client.get(f"/01/{product.gtin}")
    assert consumer.status_code == 200
    assert f'data-recognition="{code}"' in consumer.text and "最佳服装品牌" in consumer.text
    from plateau.auth.schemas import Role
    from tests.builders import make_user

    admin = make_user(session, Role.REGION_ADMIN)
    session.commit()
    login(client, admin.username)
    page = client.get(f"/registry/enterprises/{w.ent_b.uscc}")
    assert f'data-recognition="{code}"' in page.text
    other = client.get(f"/registry/enterprises/{w.ent_a.uscc}")
    assert f'data-recognition="{code}"' not in other.text
