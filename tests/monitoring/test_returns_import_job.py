"""A large returns file is checked and saved by a background job: all rows or none."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from plateau.jobs import service as jobs_service
from tests.builders import Users
from tests.monitoring.conftest import World
from tests.registry.builders import csv_bytes

R = "/api/monitoring"
HEADER = ["uscc", "period", "output_value", "revenue", "value_added", "employees"]


def _rows(uscc: str) -> list[list[str]]:
    return [[uscc, f"2025-{m:02d}", "1000000", "950000", "300000", "20"] for m in range(1, 11)]


@pytest.fixture(autouse=True)
def small_threshold(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.settings, "import_job_bytes", 200)


def test_a_large_returns_file_is_saved_by_a_job(
    client: TestClient, session_factory: sessionmaker[Session], world: World, users: Users
) -> None:
    h = users.headers["enterprise_a"]
    queued = client.post(
        f"{R}/returns/import",
        headers=h,
        files={"file": ("big.csv", csv_bytes([HEADER, *_rows(world.a)]), "text/csv")},
        data={"submit": "true"},
    )
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["id"]
    # The site answers while the import waits, and nothing is saved yet.
    listing = client.get(f"{R}/returns", headers=h)
    assert listing.status_code == 200 and listing.json()["total"] == 0

    jobs_service.run_pending(session_factory)
    done = client.get(f"/api/jobs/{job_id}", headers=h).json()
    assert done["state"] == "succeeded", done
    assert (done["result"]["report"]["created"], done["result"]["report"]["submitted"]) == (10, 10)
    assert client.get(f"{R}/returns", headers=h).json()["total"] == 10
    # Another enterprise does not see the job.
    assert (
        client.get(f"/api/jobs/{job_id}", headers=users.headers["enterprise_b"]).status_code == 404
    )


def test_one_bad_row_in_a_large_file_saves_nothing(
    client: TestClient, session_factory: sessionmaker[Session], world: World, users: Users
) -> None:
    h = users.headers["enterprise_a"]
    rows = _rows(world.a)
    rows[4][3] = "abc"  # spreadsheet row 6, revenue
    queued = client.post(
        f"{R}/returns/import",
        headers=h,
        files={"file": ("big.csv", csv_bytes([HEADER, *rows]), "text/csv")},
    )
    assert queued.status_code == 202
    jobs_service.run_pending(session_factory)
    failed = client.get(f"/api/jobs/{queued.json()['id']}", headers=h).json()
    assert failed["state"] == "failed"
    assert (6, "revenue") in [(e["row"], e["field"]) for e in failed["error_details"]]
    assert client.get(f"{R}/returns", headers=h).json()["total"] == 0
