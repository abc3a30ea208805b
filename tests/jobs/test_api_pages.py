from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import Role
from plateau.jobs import service as jobs_service
from tests.builders import actor_of, bearer, login, make_token, make_user

pytestmark = pytest.mark.usefixtures("no_other_jobs")


def test_api_lists_and_shows_the_callers_jobs_only(
    client: TestClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    owner = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100")
    other = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540200")
    admin = make_user(session, Role.REGION_ADMIN)
    tokens = {u.username: make_token(session, u) for u in (owner, other, admin)}
    job = jobs_service.submit(session, kind="test.count_users", params={}, actor=actor_of(owner))
    session.commit()
    jobs_service.run_pending(session_factory)

    shown = client.get(f"/api/jobs/{job.id}", headers=bearer(tokens[owner.username]))
    assert shown.status_code == 200
    body = shown.json()
    assert body["state"] == "succeeded" and body["state_label"] == "已完成"
    assert body["kind"] == "test.count_users" and body["result"]["who"] == owner.username
    assert "params" not in body

    hidden = client.get(f"/api/jobs/{job.id}", headers=bearer(tokens[other.username]))
    assert hidden.status_code == 404
    assert hidden.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/jobs/{job.id}").status_code == 401

    mine = client.get("/api/jobs", headers=bearer(tokens[owner.username])).json()
    assert [j["id"] for j in mine["items"]] == [job.id] and mine["total"] == 1
    assert client.get("/api/jobs", headers=bearer(tokens[other.username])).json()["total"] == 0
    everything = client.get("/api/jobs?state=succeeded", headers=bearer(tokens[admin.username]))
    assert job.id in [j["id"] for j in everything.json()["items"]]
    bad_state = client.get("/api/jobs?state=done", headers=bearer(tokens[admin.username]))
    assert bad_state.status_code == 422


def test_api_cancel(client: TestClient, session: Session) -> None:
    owner = make_user(session, Role.ANALYST)
    token = make_token(session, owner)
    job = jobs_service.submit(session, kind="test.count_users", params={}, actor=actor_of(owner))
    session.commit()
    cancelled = client.post(f"/api/jobs/{job.id}/cancel", headers=bearer(token))
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    again = client.post(f"/api/jobs/{job.id}/cancel", headers=bearer(token))
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


def test_pages_show_names_and_poll_until_finished(
    client: TestClient, session: Session, session_factory: sessionmaker[Session]
) -> None:
    owner = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100")
    other = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540200")
    job = jobs_service.submit(
        session, kind="registry.import", params={}, actor=actor_of(owner), payload=b"x"
    )
    session.commit()
    login(client, owner.username)

    listing = client.get("/jobs")
    assert listing.status_code == 200
    assert "登记信息文件导入" in listing.text and "registry.import" not in listing.text

    waiting = client.get(f"/jobs/{job.id}/progress")
    assert waiting.status_code == 200
    assert 'hx-trigger="every 1s"' in waiting.text and "等待中" in waiting.text

    # The page of a finished job stops polling and shows its outcome.
    jobs_service.cancel(session, job.id, actor=actor_of(owner))
    session.commit()
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200
    assert "hx-trigger" not in page.text and "已取消" in page.text

    client.cookies.clear()
    login(client, other.username)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/progress").status_code == 404
