"""Pages and API stay fast with ~11,000 series: what a request does must not grow with the
number of series in the run (counted in SQL statements and rows returned, never timed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import bearer, make_token, make_user
from tests.forecast.builders import make_large_run


@contextmanager
def _statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", count)


def _visit(
    client: TestClient, connection: Connection, headers: dict[str, str], run_id: int
) -> dict[str, int]:
    out = {}
    client.get("/api/forecast/runs", headers=headers)  # the token's first use writes its own rows
    for name, url in (
        ("explorer", "/forecast"),
        ("drill", "/forecast?market=sichuan"),
        ("api_bottom", f"/api/forecast/runs/{run_id}/series?level=bottom&per_page=50"),
    ):
        # Every page reads the demo flag once per DEMO_FLAG_S per process: read it each time.
        client.app.state.demo_loaded_at = None  # type: ignore[attr-defined]
        with _statements(connection) as seen:
            answer = client.get(url, headers=headers if name.startswith("api") else {})
        assert answer.status_code == 200, (url, answer.text[:300])
        out[name] = len(seen)
        if name == "api_bottom":
            # The page is cut in SQL: no statement reads every bottom series of the run.
            reads = [st for st in seen if "FROM forecast_series" in st and "count(" not in st]
            assert reads and all("LIMIT" in st.upper() for st in reads), reads
            body = answer.json()
            assert len(body["items"]) == 50
            out["total"] = body["total"]
    return out


def test_pages_do_the_same_work_with_2500_or_12000_series(
    session: Session, client: TestClient, connection: Connection
) -> None:
    headers = bearer(make_token(session, make_user(session, Role.ANALYST)))
    small = make_large_run(session, bottoms=1)  # one per cell: ~2,500 series
    session.commit()
    few = _visit(client, connection, headers, small.id)
    large = make_large_run(session, bottoms=11_000)
    session.commit()
    many = _visit(client, connection, headers, large.id)
    assert many["total"] > 10_000 > few["total"]
    # The same statements, whatever the size: paging, counting and the levels' rows in SQL.
    for name in ("explorer", "drill", "api_bottom"):
        assert many[name] == few[name], (name, few[name], many[name])
