"""Whatever a scanner, a browser or a client sends, the resolver, the consumer page and the
trace API answer with a 4xx, never a server error (both backends)."""

from __future__ import annotations

import weakref
from urllib.parse import quote

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import bearer, make_token, make_user

SOME_TEXT = st.text(min_size=1, max_size=60) | st.sampled_from(
    [
        "\x00",
        "urn:epc:id:sgtin:0614141.107346.2017",
        "https://id.gs1.org/01/09520123456788/10/ABC/21/12345",
        "88.118.8/01/09520123456788",
        "(01)09520123456788(10)LOT",
        "x" * 2000,
        "..",
        "%",
    ]
)
# Hypothesis runs many examples on one test's fixtures: one administrator per session.
_ADMINS: weakref.WeakKeyDictionary[Session, str] = weakref.WeakKeyDictionary()


def _admin(session: Session) -> str:
    if session not in _ADMINS:
        _ADMINS[session] = make_token(session, make_user(session, Role.REGION_ADMIN))
        session.commit()
    return _ADMINS[session]


FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(identifier=SOME_TEXT)
def test_the_trace_api_never_fails(session: Session, client: TestClient, identifier: str) -> None:
    token = _admin(session)
    quoted = quote(identifier, safe="")
    for path in (
        f"/api/trace/{quoted}",
        f"/api/trace/recall/{quoted}",
        f"/api/trace/cold-chain/{quoted}",
    ):
        resp = client.get(path, headers=bearer(token))
        assert resp.status_code < 500, (path, resp.status_code, resp.text[:200])


@FUZZ
@given(gtin=st.text(max_size=16) | st.from_regex(r"\A\d{14}\Z"), lot=SOME_TEXT, serial=SOME_TEXT)
def test_the_public_pages_never_fail(client: TestClient, gtin: str, lot: str, serial: str) -> None:
    g, lo, se = (quote(x, safe="") or "0" for x in (gtin, lot, serial))
    for path in (
        f"/01/{g}",
        f"/01/{g}/10/{lo}",
        f"/01/{g}/10/{lo}/21/{se}",
        f"/01/{g}/21/{se}",
        f"/resolve/{lo}",
    ):
        resp = client.get(path, follow_redirects=False)
        assert resp.status_code < 500, (path, resp.status_code, resp.text[:200])
