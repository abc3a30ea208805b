"""Every deliberately invalid document of the corpus, sent to capture, is refused whole.

The answer is a 400 ``epcisException:ValidationException`` problem whose detail names the
path and the rule (as ``path: message [rule]``), and nothing of the document is stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.trace.epcis.models import CaptureJob, EpcisEvent
from tests.builders import bearer
from tests.trace.conftest import is_query_definition, openepcis_files, requires_corpus
from tests.trace.epcis import test_capture_builders as shared
from tests.trace.epcis.test_validation import EXPECTED_INVALID, _short

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
admin_token, client, epcis_app = shared.admin_token, shared.client, shared.epcis_app

pytestmark = requires_corpus

INVALID = [
    p
    for p in openepcis_files("json", invalid=True) + openepcis_files("xml", invalid=True)
    if not is_query_definition(p)
]


@pytest.mark.parametrize("path", INVALID, ids=_short)
def test_invalid_documents_are_refused_whole(
    client: TestClient, admin_token: str, session: Session, path: Path
) -> None:
    rule, where = EXPECTED_INVALID[_short(path)]
    body = path.read_bytes()
    if b":Poll>" in body:  # a query sent to capture is told so before anything else
        rule, where = "capture:query-document", "/Poll"
    media = "application/xml" if path.suffix == ".xml" else "application/json"
    single = b"epcisBody" not in body and b"EPCISBody" not in body
    resp = client.post(
        "/epcis/events" if single else "/epcis/capture",
        content=body,
        headers={**bearer(admin_token), "Content-Type": media},
    )
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["type"] == "epcisException:ValidationException"
    assert problem["status"] == 400 and problem["title"]
    detail = problem["detail"]
    lines = detail.splitlines()
    if not any(f"[{rule}]" in line and where in line for line in lines):
        # The detail shows the first ten problems; the expected one may come later.
        assert "…" in lines[-1] and f"[{rule}]" not in detail, detail
    assert session.scalar(select(func.count()).select_from(EpcisEvent)) == 0
    assert session.scalar(select(func.count()).select_from(CaptureJob)) == 0
