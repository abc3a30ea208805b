"""Large import files go to a background job: all rows or none still, every bad row named."""

from __future__ import annotations

import inspect

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import SYSTEM
from plateau.jobs import service as jobs_service
from plateau.registry import service
from plateau.registry.schemas import EnterpriseFilter
from tests.builders import Users, csrf_from, login
from tests.registry.builders import csv_bytes, uscc

HEADER = ["uscc", "name", "prefecture", "industry"]


def _rows(first: int, count: int) -> list[list[str]]:
    return [[uscc(first + n), f"大文件企业{n}", "540100", "agri_food"] for n in range(count)]


def _count(session: Session) -> int:
    found = service.list_enterprises(
        session, filters=EnterpriseFilter(q="大文件企业"), actor=SYSTEM
    )
    return found.total


@pytest.fixture
def small_threshold(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    # A few rows are "large" here, so that the test stays fast.
    monkeypatch.setattr(app.state.settings, "import_job_bytes", 200)


def test_every_import_route_is_a_plain_def() -> None:
    # Parsing runs in the thread pool, never on the event loop.
    from plateau.monitoring import api as monitoring_api
    from plateau.monitoring import pages as monitoring_pages
    from plateau.registry import api as registry_api
    from plateau.registry import pages as registry_pages

    routes = [
        registry_api.import_enterprises,
        registry_api.import_products,
        registry_api.import_projects,
        registry_pages.import_upload,
        monitoring_api.import_returns,
        monitoring_pages.import_upload,
    ]
    assert [r.__name__ for r in routes if inspect.iscoroutinefunction(r)] == []


def test_a_large_file_is_imported_by_a_job(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    users: Users,
    small_threshold: None,
) -> None:
    h = users.headers["region_admin"]
    data = csv_bytes([HEADER, *_rows(700, 12)])
    assert len(data) > 200
    queued = client.post(
        "/api/registry/enterprises/import",
        headers=h,
        files={"file": ("big.csv", data, "text/csv")},
    )
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert queued.headers["location"] == f"/api/jobs/{job['id']}"
    assert job["state"] == "queued" and job["kind_label"] == "登记信息文件导入"

    # While the import waits, the rest of the site answers; nothing is written yet.
    assert client.get("/api/registry/enterprises", headers=h).status_code == 200
    assert _count(session) == 0

    assert jobs_service.run_pending(session_factory, kind="registry.import") == 1
    done = client.get(f"/api/jobs/{job['id']}", headers=h).json()
    assert done["state"] == "succeeded", done
    assert done["result"]["report"]["created"] == 12
    assert done["result"]["summary"] == "已导入 12 行：新增 12 条，更新 0 条。"
    assert _count(session) == 12


def test_a_large_file_with_one_bad_row_imports_nothing_and_names_it(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    users: Users,
    small_threshold: None,
) -> None:
    h = users.headers["region_admin"]
    rows = _rows(720, 12)
    rows[7][2] = "999999"  # no such prefecture, on spreadsheet row 9
    queued = client.post(
        "/api/registry/enterprises/import",
        headers=h,
        files={"file": ("big.csv", csv_bytes([HEADER, *rows]), "text/csv")},
    )
    assert queued.status_code == 202
    jobs_service.run_pending(session_factory)
    failed = client.get(f"/api/jobs/{queued.json()['id']}", headers=h).json()
    assert failed["state"] == "failed"
    assert [(e["row"], e["field"]) for e in failed["error_details"]] == [(9, "prefecture")]
    assert _count(session) == 0


def test_a_caller_who_may_not_import_is_refused_before_any_job(
    client: TestClient, session: Session, users: Users, small_threshold: None
) -> None:
    data = csv_bytes([HEADER, *_rows(740, 12)])
    refused = client.post(
        "/api/registry/enterprises/import",
        headers=users.headers["analyst"],
        files={"file": ("big.csv", data, "text/csv")},
    )
    assert refused.status_code == 403
    assert jobs_service.list_jobs(session, actor=SYSTEM, kind="registry.import").total == 0


def test_the_page_sends_a_large_file_to_its_progress_page(
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    users: Users,
    small_threshold: None,
) -> None:
    login(client, users.usernames["region_admin"])
    token = csrf_from(client.get("/registry/import").text)
    sent = client.post(
        "/registry/import",
        data={"csrf_token": token, "kind": "enterprises"},
        files={"file": ("big.csv", csv_bytes([HEADER, *_rows(760, 12)]), "text/csv")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    job_page = sent.headers["location"]
    waiting = client.get(job_page)
    assert waiting.status_code == 200 and 'hx-trigger="every 1s"' in waiting.text
    jobs_service.run_pending(session_factory)
    finished = client.get(job_page + "/progress")
    assert "已导入 12 行" in finished.text and 'href="/registry/enterprises"' in finished.text
    assert "hx-trigger" not in finished.text
