"""/api/forecast and /forecast: every role, and cells of fewer than 3 enterprises suppressed
in pages, API and exports alike."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import bearer, make_token, make_user
from tests.forecast.builders import make_run
from tests.registry.builders import make_enterprise

ROLES: dict[str, tuple[Role, str | None] | None] = {
    "public": None,
    "region_admin": (Role.REGION_ADMIN, None),
    "analyst": (Role.ANALYST, None),
    "prefecture_officer": (Role.PREFECTURE_OFFICER, "prefecture:540100"),
    "park_officer": (Role.PARK_OFFICER, "park:lhasa_etdz"),
}
EVERYONE = set(ROLES)
RUNNERS = {"region_admin", "analyst"}


def _headers(session: Session, role: str) -> dict[str, str]:
    if ROLES[role] is None:
        return {}
    r, scope = ROLES[role]  # type: ignore[misc]
    return bearer(make_token(session, make_user(session, r, scope)))


CASES = [
    ("GET", "/api/forecast/runs", EVERYONE),
    ("POST", "/api/forecast/runs", RUNNERS),
    ("GET", "/api/forecast/runs/{run_id}", EVERYONE),
    ("GET", "/api/forecast/runs/{run_id}/leaderboard", EVERYONE),
    ("GET", "/api/forecast/runs/{run_id}/series", EVERYONE),
]


def test_every_forecast_route_is_in_the_matrix(app) -> None:  # type: ignore[no-untyped-def]
    routes = {
        (m.upper(), p)
        for p, ops in app.openapi()["paths"].items()
        if p.startswith("/api/forecast")
        for m in ops
    }
    assert routes == {(m, p) for m, p, _ in CASES}


@pytest.mark.parametrize("role", list(ROLES))
def test_routes_answer_each_role(client: TestClient, session: Session, role: str) -> None:
    run = make_run(session)
    headers = _headers(session, role)
    session.commit()
    for method, path, allowed in CASES:
        body = {"measure": "quantity", "horizon": 12} if method == "POST" else None
        resp = client.request(
            method, path.replace("{run_id}", str(run.id)), headers=headers, json=body
        )
        if role in allowed:
            assert 200 <= resp.status_code < 300, (path, role, resp.text)
        else:
            assert resp.status_code in (401, 403), (path, role, resp.status_code)


def _market_series(client: TestClient, run_id: int, headers: dict[str, str]) -> dict[str, dict]:  # type: ignore[type-arg]
    resp = client.get(f"/api/forecast/runs/{run_id}/series?level=market", headers=headers)
    assert resp.status_code == 200
    return {s["market"]: s for s in resp.json()["items"]}


def test_api_suppresses_cells_of_fewer_than_three_enterprises(
    client: TestClient, session: Session
) -> None:
    firm = make_enterprise(session, n=950)
    run = make_run(session, lone_enterprise=firm.id)
    analyst = _headers(session, "analyst")
    own = bearer(
        make_token(session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{firm.uscc}"))
    )
    session.commit()
    public = _market_series(client, run.id, {})
    assert public["in_540100"]["suppressed"] is False and public["in_540100"]["forecast"]
    assert public["chengdu"]["suppressed"] is True
    assert public["chengdu"]["forecast"] is None and public["chengdu"]["history"] is None
    assert _market_series(client, run.id, analyst)["chengdu"]["forecast"]
    assert _market_series(client, run.id, own)["chengdu"]["suppressed"] is False


def test_explorer_shows_stored_forecasts_and_hides_small_cells(
    client: TestClient, session: Session
) -> None:
    run = make_run(session)
    analyst = _headers(session, "analyst")
    session.commit()
    page = client.get("/forecast?market=in_540100")
    assert page.status_code == 200
    assert "data-fan" in page.text and "data-leaderboard" in page.text and "130" in page.text
    assert f"{run.id}" in page.text
    hidden = client.get("/forecast?market=chengdu")
    assert "data-suppressed" in hidden.text and "data-fan-table" not in hidden.text
    shown = client.get("/forecast?market=chengdu", headers=analyst)
    assert "data-fan-table" in shown.text
    # A market's drill-down says its preferences and heat map are that market's only.
    assert "data-one-market" in shown.text and "data-one-market" not in client.get("/forecast").text


def test_export_suppresses_small_cells(client: TestClient, session: Session) -> None:
    from openpyxl import load_workbook

    make_run(session)
    analyst = _headers(session, "analyst")
    session.commit()

    def rows(headers: dict[str, str]) -> int:
        resp = client.get("/forecast/export?market=chengdu&format=xlsx", headers=headers)
        assert resp.status_code == 200
        return load_workbook(io.BytesIO(resp.content)).active.max_row - 1

    assert rows({}) == 0
    assert rows(analyst) == 24 + 12


def test_explorer_without_a_run_says_so(client: TestClient) -> None:
    page = client.get("/forecast")
    assert page.status_code == 200 and "data-no-run" in page.text
