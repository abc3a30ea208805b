"""The consumer page keeps what it read of a code for a short while
(``lineage.service.consumer_page``): a repeated scan reads one statement, and an event
captured or a product edited meanwhile shows on the next scan at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.registry import service as registry_service
from plateau.registry.schemas import ProductUpdate
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
    reads = [q for q in again if not q.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert len(reads) == 1 and len(first) > 10, (reads, len(first))

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


def test_an_edited_product_shows_on_the_next_scan(session: Session, client: TestClient) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    session.commit()
    path = f"/01/{yak.jerky}/10/J1"
    assert "改名的牦牛肉干" not in client.get(path).text
    client.get(path)  # cached now

    registry_service.update_product(
        session, gtin=yak.jerky, data=ProductUpdate(name_zh="改名的牦牛肉干"), actor=SYSTEM
    )
    session.commit()
    assert "改名的牦牛肉干" in client.get(path).text


def test_an_event_about_another_lot_keeps_the_page(session: Session, client: TestClient) -> None:
    yak = YakChain(session)
    other = YakChain(session, n=920)  # registered now: a registry change is a new page
    capture(session, yak.events(), actor=yak.actor)
    session.commit()
    path = f"/01/{yak.jerky}/10/J1"
    client.get(path)

    # Another enterprise makes and sells its own jerky: nothing of this page changes.
    capture(session, other.events(), actor=other.actor)
    session.commit()
    with counted() as again:
        assert client.get(path).status_code == 200
    reads = [q for q in again if not q.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert len(reads) == 2, reads  # the counters, then "is any new event about this page?"


def test_an_event_about_what_the_page_reached_rebuilds_it(
    session: Session, client: TestClient
) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    session.commit()
    path = f"/01/{yak.jerky}/10/J1"
    assert client.get(path).status_code == 200  # built and cached

    # A second jerky lot drawn from the same carcass lot: the carcass lot is upstream of J1,
    # so J1's page is rebuilt (its mass balance now counts both draws).
    capture(session, yak.events(jerky_code="J2")[1:2], actor=yak.actor)
    session.commit()
    with counted() as again:
        assert client.get(path).status_code == 200
    assert len(again) > 10, len(again)
