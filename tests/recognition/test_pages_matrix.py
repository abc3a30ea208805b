"""Every recognition page route against every role, in an edition open for the public vote.

Entries are public while the vote is open; the jury's page is the secret one: the juror
employed by A's maker never sees entry A there, nor does anybody who is not a juror. The API
has its own matrix (test_api.py), with the scores' secrecy.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from plateau.recognition.models import NominationImage
from tests.matrix import Case, declared_routes, run_matrix
from tests.recognition.builders import PNG_1PX
from tests.recognition.test_api import ROLES, Ctx, _headers, _voting_world

EVERYONE = set(ROLES)
USERS = EVERYONE - {"public"}
ORGANISERS = {"region_admin", "organiser"}
ANY_ORGANISER = ORGANISERS | {"other_organiser"}
JURORS = {"juror_conflicted", "juror"}

R = "/recognition/{code}"
PAGES = [
    Case("GET", "/recognition", EVERYONE),
    Case("GET", "/recognition/new", ANY_ORGANISER),
    # An empty form: organisers are answered with what is missing, the others refused.
    Case("POST", "/recognition/new", set(), form=lambda w: {}, unprocessable=ANY_ORGANISER),
    Case("GET", R, EVERYONE),
    # Nominations have closed: those who could nominate are told so (409/422).
    # (An organiser not seated in this edition is told the same: the stage is checked first.)
    Case("POST", R + "/nominate", set(), form=lambda w: {"category": "best_design", "title": "迟到"},
         unprocessable=ANY_ORGANISER | {"enterprise_a"}),
    Case("POST", R + "/nominations/{b}/decision", set(), form=lambda w: {"accept": "1"},
         unprocessable=ORGANISERS),
    # The jury is unfinished: organisers are told so, the others refused.
    Case("POST", R + "/stage", set(), form=lambda w: {"stage": "publicity"},
         unprocessable=ORGANISERS),
    Case("POST", R + "/void", ORGANISERS,
         form=lambda w: {"ballot": str(w["ballot"]), "reason": "矩阵测试作废"}),
    Case("POST", R + "/objections", set(), form=lambda w: {"nomination_id": str(w["b"]), "text": "异议"},
         unprocessable=USERS),
    Case("POST", R + "/objections/987654/answer", set(), form=lambda w: {"answer": "好"},
         unprocessable=ORGANISERS),
    Case("GET", R + "/images/{image}", EVERYONE),
    Case("GET", R + "/certificates/{b}.pdf", set()),
    # The conflicted juror's jury page never shows the entry of its employer (A).
    Case("GET", R + "/jury", JURORS, sees_secret={"juror"}, secret="a_title"),
    Case("POST", R + "/jury/{b}", JURORS, form=lambda w: w["score_form"]),
    Case("POST", R + "/jury/{d}/conflict", JURORS, form=lambda w: {"reason": "family"}),
    Case("GET", R + "/vote", EVERYONE),
    # The public asks for its code with the CSRF token of its page session (test_pages.py and
    # the browser tests); a bare request without one is refused.
    Case("POST", R + "/vote", USERS, form=lambda w: {"phone": "13800001111"}),
    Case("GET", R + "/setup", ORGANISERS),
    Case("POST", R + "/setup", set(), form=lambda w: {}, unprocessable=ORGANISERS),
    Case("POST", R + "/categories", set(), form=lambda w: {}, unprocessable=ORGANISERS),
    Case("POST", R + "/categories/987654", set(), form=lambda w: {}, unprocessable=ORGANISERS),
    Case("POST", R + "/members", set(), form=lambda w: {"username": "", "display_name": ""},
         unprocessable=ORGANISERS),
    Case("POST", R + "/members/987654", set(), form=lambda w: {}, unprocessable=ORGANISERS),
    Case("POST", R + "/members/987654/remove", set(), unprocessable=ORGANISERS),
]  # fmt: skip


def _template(path: str) -> str:
    return (
        path.replace("{b}", "{nomination_id}")
        .replace("{d}", "{nomination_id}")
        .replace("{image}", "{image_id}")
        .replace("987654/answer", "{objection_id}/answer")
        .replace("categories/987654", "categories/{category_id}")
        .replace("members/987654", "members/{member_id}")
    )


def test_every_recognition_page_is_in_the_matrix() -> None:
    assert declared_routes("plateau.recognition.pages") == {
        (c.method, _template(c.route)) for c in PAGES
    }


def _world(session: Session) -> dict[str, Any]:
    ctx: Ctx = _voting_world(session)
    w = ctx.world
    image = NominationImage(nomination_id=ctx.ids["b"], content_type="image/png", data=PNG_1PX)
    session.add(image)
    ballot = _ballot(session, w.edition.code, ctx.ids["b"])
    headers = {role: _headers(session, ctx, role) for role in ROLES}
    session.commit()
    return {
        "headers": headers,
        "code": w.edition.code,
        "b": ctx.ids["b"],
        "d": ctx.ids["d"],
        "image": image.id,
        "a_title": w.brand_a.name_zh,
        "ballot": ballot,
        "score_form": {f"c{c}": "7" for c in ctx.ids["brand_criteria"]},  # type: ignore[attr-defined]
    }


def _ballot(session: Session, code: str, nomination_id: int) -> int:
    """Cast one public vote and return its ballot's id (to be voided)."""
    from tests.recognition.test_service import vote

    return int(vote(session, code, "13800007777", nomination_id).ballot_id)


def test_pages_answer_each_role(
    client: TestClient, session: Session, connection: Connection
) -> None:
    w = _world(session)
    # Elsewhere the entries are public (the vote is open); the jury's page is the secret one.
    assert run_matrix(client, connection, PAGES, w, ROLES, secret="") == []
