"""Setting an edition up on pages: the edition, its categories, the jury's seats; the vote's
wrong-code counter kept in the database."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from plateau.recognition import service
from plateau.recognition.models import Category, Conflict, Edition, Member, OneTimeCode
from tests.builders import actor_of, csrf_from, login, make_user
from tests.recognition.builders import (
    World,
    make_world,
    nominate_brands,
    open_nominations,
    to_scoring,
)


def _new_form(token: str, **over: str) -> dict[str, str]:
    today = service.beijing_today()
    form = {
        "csrf_token": token,
        "kind": "third_pole",
        "name_zh": "2026年地球第三极产品评定",
        "year": str(today.year),
        "jury_weight": "100",
        "score_max": "10",
        "drop_extremes": "1",
        "tie_break": "earliest",
        "nominations_close_date": str(today + timedelta(days=5)),
        "scoring_start_date": str(today + timedelta(days=10)),
        "publicity_end_date": str(today + timedelta(days=20)),
        "cat_name_zh": "牦牛肉制品",
        "entry_kind": "product",
        "eligibility": "valid_certificate",
        "awards": "3",
        "crit_name_1": "品质",
        "crit_weight_1": "60",
        "crit_name_2": "市场前景",
        "crit_weight_2": "40",
    }
    return form | over


def test_an_organiser_declares_an_edition_on_the_page(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.ORGANISER)
    session.commit()
    login(client, user.username)
    page = client.get("/recognition/new")
    assert page.status_code == 200
    token = csrf_from(page.text)
    bad = client.post("/recognition/new", data=_new_form(token, crit_weight_2="30"))
    assert bad.status_code == 422 and "100" in bad.text
    assert session.scalar(select(func.count(Edition.id))) == 0
    made = client.post("/recognition/new", data=_new_form(token), follow_redirects=True)
    assert made.status_code == 200 and "牦牛肉制品" in made.text
    edition = session.scalars(select(Edition)).one()
    assert (edition.kind, edition.jury_weight, edition.tie_break) == ("third_pole", 100, "earliest")
    assert edition.stage == "draft"
    # A second category, then a change to the first one's criteria.
    setup = client.get(f"/recognition/{edition.code}/setup")
    token = csrf_from(setup.text)
    added = client.post(
        f"/recognition/{edition.code}/categories",
        data={
            "csrf_token": token,
            "cat_name_zh": "青稞制品",
            "entry_kind": "product",
            "eligibility": "none",
            "awards": "2",
            "crit_name_1": "风味",
            "crit_weight_1": "100",
        },
    )
    assert added.status_code == 200 and "青稞制品" in added.text
    first = session.scalars(select(Category).where(Category.edition_id == edition.id)).first()
    assert first is not None
    changed = client.post(
        f"/recognition/{edition.code}/categories/{first.id}",
        data={
            "csrf_token": token,
            "cat_name_zh": "牦牛肉制品",
            "entry_kind": "product",
            "eligibility": "valid_certificate",
            "awards": "3",
            "crit_name_1": "品质",
            "crit_weight_1": "50",
            "crit_name_2": "文化内涵",
            "crit_weight_2": "50",
        },
        follow_redirects=True,
    )
    assert changed.status_code == 200
    session.expire_all()
    edition = service.get_edition(session, code=edition.code, actor=actor_of(user))
    assert [c.name_zh for c in edition.categories] == ["牦牛肉制品", "青稞制品"]
    assert [(c.name_zh, c.weight) for c in edition.categories[0].criteria] == [
        ("品质", 50),
        ("文化内涵", 50),
    ]


def test_someone_else_cannot_set_up_an_edition(client: TestClient, session: Session) -> None:
    w = make_world(session)
    other = make_user(session, Role.ORGANISER)
    session.commit()
    login(client, other.username)
    # A draft exists only for its organisers.
    assert client.get(f"/recognition/{w.edition.code}/setup").status_code == 404
    open_nominations(session, w)
    session.commit()
    assert client.get(f"/recognition/{w.edition.code}/setup").status_code == 403


def test_a_seats_employer_from_the_register_hides_its_entries_from_the_juror(
    client: TestClient, session: Session
) -> None:
    w = make_world(session, jury_weight=100)
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    newcomer = make_user(session, Role.JUROR)
    session.commit()
    login(client, service_username(session, w))
    setup = client.get(f"/recognition/{w.edition.code}/setup")
    assert setup.status_code == 200
    # The employer is picked from the register, by name.
    assert f'<option value="{w.ent_b.uscc}"' in setup.text and "圣城藏装" in setup.text
    token = csrf_from(setup.text)
    seated = client.post(
        f"/recognition/{w.edition.code}/members",
        data={
            "csrf_token": token,
            "username": newcomer.username,
            "display_name": "新评委",
            "employer": w.ent_b.uscc,
        },
    )
    assert seated.status_code == 200 and "新评委" in seated.text
    seat = session.scalars(select(Member).where(Member.user_id == newcomer.id)).one()
    assert seat.employer_name == "圣城藏装"
    conflicts = session.scalars(select(Conflict).where(Conflict.member_id == seat.id)).all()
    assert [(c.nomination_id, c.reason) for c in conflicts] == [(b.id, "employer")]
    # The employer turns out not to be in the register: named only, the conflict goes.
    moved = client.post(
        f"/recognition/{w.edition.code}/members/{seat.id}",
        data={"csrf_token": token, "display_name": "新评委", "employer": "_other"},
    )
    assert moved.status_code == 422  # the name is missing: nothing changes
    session.expire_all()
    assert session.scalar(select(func.count(Conflict.id)).where(Conflict.member_id == seat.id))
    moved = client.post(
        f"/recognition/{w.edition.code}/members/{seat.id}",
        data={
            "csrf_token": token,
            "display_name": "新评委",
            "employer": "_other",
            "employer_name": "西藏大学艺术学院",
        },
    )
    assert moved.status_code == 200
    session.expire_all()
    seat = session.get_one(Member, seat.id)
    assert (seat.employer_uscc, seat.employer_name) == ("", "西藏大学艺术学院")
    assert not session.scalar(select(func.count(Conflict.id)).where(Conflict.member_id == seat.id))
    # Unseated: the seat and its conflicts go.
    seat_id = seat.id
    unseated = client.post(
        f"/recognition/{w.edition.code}/members/{seat.id}/remove", data={"csrf_token": token}
    )
    assert unseated.status_code == 200 and "新评委" not in unseated.text.split('id="new-seat"')[0]
    session.expire_all()
    assert session.get(Member, seat_id) is None
    # Once scoring starts the rules are frozen, also on the page.
    to_scoring(session, w, [a, b, d])
    session.commit()
    frozen = client.post(
        f"/recognition/{w.edition.code}/setup",
        data={
            "csrf_token": token,
            "name_zh": "改名",
            "year": "2025",
            "jury_weight": "50",
            "score_max": "10",
            "nominations_close_date": "2025-01-01",
            "scoring_start_date": "2025-01-02",
            "vote_close_date": "2025-01-03",
            "publicity_end_date": "2025-01-04",
        },
    )
    assert frozen.status_code == 409
    session.expire_all()
    assert session.get_one(Edition, w.edition.id).jury_weight == 100


def service_username(session: Session, w: World) -> str:
    from plateau.auth import service as auth_service

    user = auth_service.get_user(session, user_id=w.organiser.user_id or 0)
    assert user is not None
    return user.username


def test_wrong_codes_are_counted_in_the_database(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    w = make_world(session)
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    service.advance(session, code=w.edition.code, to="voting", actor=w.organiser)
    session.commit()
    url = f"/recognition/{w.edition.code}/vote"
    token = csrf_from(client.get(url).text)
    with caplog.at_level(logging.INFO, logger="plateau.recognition.sms"):
        client.post(url, data={"csrf_token": token, "phone": "13812345678", "step": "code"})
    found = re.search(r"13812345678: (\d{6})", caplog.text)
    assert found is not None
    right = found.group(1)
    wrong = "000000" if right != "000000" else "111111"
    vote = {"csrf_token": token, "phone": "13812345678", "step": "vote", "nomination_id": b.id}
    for n in range(1, 6):
        resp = client.post(url, data=vote | {"code": wrong})
        assert resp.status_code == 422
        # Committed: another worker (here: the test's own connection) reads the count.
        session.expire_all()
        assert session.scalars(select(OneTimeCode)).one().attempts == n
    # The API shares the counter: five wrong tries used the code up, even the right one fails.
    api = client.post(
        f"/api/recognition/editions/{w.edition.code}/votes",
        json={"phone": "13812345678", "code": right, "nomination_id": b.id},
    )
    assert api.status_code == 422
    assert service.tally(session, edition=w.edition) == {}


def test_an_employer_found_during_scoring_drops_the_jurors_scores_for_that_entry(
    session: Session,
) -> None:
    from decimal import Decimal

    from plateau.recognition.models import Score
    from plateau.recognition.schemas import MemberUpdate

    w = make_world(session, jury_weight=100)
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    edition = service.get_edition(session, code=w.edition.code, actor=w.organiser)
    crits = next(c for c in edition.categories if c.code == "best_brand").criteria
    juror = w.jurors[1]  # no employer yet: sees and scores brand B
    service.submit_scores(
        session,
        code=w.edition.code,
        nomination_id=b.id,
        scores={c.id: Decimal(8) for c in crits},
        actor=juror,
    )
    seat = next(
        m
        for m in service.list_members(session, code=w.edition.code, actor=w.organiser)
        if m.user_id == juror.user_id
    )
    service.update_member(
        session,
        code=w.edition.code,
        member_id=seat.id,
        data=MemberUpdate(employer_uscc=w.ent_b.uscc),
        actor=w.organiser,
    )
    assert not session.scalar(
        select(func.count(Score.id)).where(Score.member_id == seat.id, Score.nomination_id == b.id)
    )
    seen = [n.id for n in service.list_nominations(session, code=w.edition.code, actor=juror)]
    assert b.id not in seen and a.id in seen
