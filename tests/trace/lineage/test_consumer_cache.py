"""The consumer page keeps what it read of a lot for a short while (trace.page_cache): a
repeated scan reads less, and an event captured meanwhile shows on the next scan at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.trace.lineage.test_genealogy_builders import YakChain, capture


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def _steps(html: str) -> list[str]:
    return re.findall(r'data-step="([a-z_]+)"', html)


def test_a_repeated_scan_reads_less_and_a_new_event_shows_at_once(
    session: Session, client: TestClient
) -> None:
    yak = YakChain(session)
    *before, sold = yak.events()
    capture(session, before, actor=yak.actor)
    session.commit()
    path = f"/01/{yak.jerky}/10/J1"

    with counted() as first:
        page = client.get(path)
    assert page.status_code == 200 and "retail_selling" not in _steps(page.text)
    with counted() as again:
        repeat = client.get(path)
    assert repeat.status_code == 200 and _steps(repeat.text) == _steps(page.text)
    assert len(again) < len(first) / 2, (len(again), len(first))

    capture(session, [sold], actor=yak.actor)
    session.commit()
    after = client.get(path)
    assert "retail_selling" in _steps(after.text)


def test_the_cache_keeps_each_language_apart(session: Session, client: TestClient) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    session.commit()
    path = f"/01/{yak.jerky}/10/J1"
    assert "正品：追溯记录核验一致" in client.get(path).text
    client.cookies.set("plateau_lang", "en")
    assert "Genuine: the records check out" in client.get(path).text
