"""Concurrent clients against a real server: no 500, nothing acknowledged lost (issue #8, 1-2)."""

from __future__ import annotations

import itertools
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from plateau.auth.models import ApiToken
from plateau.trace.epcis.models import EpcisEvent
from plateau.trace.lineage.models import TraceLotItem
from tests.builders import bearer
from tests.robust.conftest import World, served
from tests.trace.epcis.test_capture_builders import document, object_event, sgtin

_serials = itertools.count(1)


def _statuses(url: str, calls: list[tuple[str, dict[str, str]]], repeat: int) -> list[int]:
    with httpx.Client(base_url=url, timeout=120) as client:
        return [
            client.get(path, headers=headers).status_code
            for _ in range(repeat)
            for path, headers in calls
        ]


def test_sixteen_concurrent_visitors_share_a_pool_of_one_connection(world: World) -> None:
    # One connection in the pool and no overflow: a request that asked for a second one
    # while holding the first waited for itself until the pool timed out (500).
    calls = [
        ("/", {}),
        ("/trace", {}),
        ("/01/09506000134352/21/1", {}),  # the public consumer page (unknown product)
        ("/plan", {}),
        ("/api/registry/enterprises", bearer(world.tokens[0])),
        ("/api/plan/targets", {}),
    ]
    with served(world, pool_size=1, max_overflow=0, pool_timeout=5) as (url, _factory):
        expected = _statuses(url, calls, 1)
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda _i: _statuses(url, calls, 2), range(16)))
    assert all(status < 500 for status in expected), expected
    for got in results:
        assert got == expected * 2


def _capture_client(url: str, token: str, documents: int, events: int) -> list[int]:
    statuses = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for d in range(documents):
            lot = f"LOT{next(_serials)}"
            batch = [
                object_event(
                    [sgtin(serial=f"{lot}-{d}-{e}")],
                    action="ADD",
                    biz_step="commissioning",
                    disposition="active",
                    ilmd={"cbvmda:lotNumber": lot},
                )
                for e in range(events)
            ]
            resp = client.post("/epcis/capture", json=document(*batch), headers=bearer(token))
            statuses.append(resp.status_code)
            if resp.status_code == 202:
                job = client.get(resp.headers["Location"], headers=bearer(token)).json()
                assert job["success"] is True and job["storedCount"] == events, job
    return statuses


def _reader(url: str, token: str, repeat: int) -> list[int]:
    return _statuses(
        url,
        [
            ("/api/registry/enterprises", bearer(token)),
            ("/epcis/events", bearer(token)),
            ("/api/me", bearer(token)),
        ],
        repeat,
    )


def test_token_readers_and_capture_clients_at_once_never_fail(world: World) -> None:
    """8 token readers and 4 capture clients on one database: zero 500s, nothing lost."""
    documents, events = 6, 5
    with served(world) as (url, factory):
        with factory() as session:
            before = session.scalar(select(func.count()).select_from(EpcisEvent)) or 0
            links_before = session.scalar(select(func.count()).select_from(TraceLotItem)) or 0
        tokens = [*world.tokens, world.admin_token]
        with ThreadPoolExecutor(12) as pool:
            writers = [
                pool.submit(_capture_client, url, tokens[i % 4], documents, events)
                for i in range(4)
            ]
            readers = [pool.submit(_reader, url, tokens[i % len(tokens)], 8) for i in range(8)]
            written = [s for f in writers for s in f.result()]
            read = [s for f in readers for s in f.result()]
        with factory() as session:
            stored = session.scalar(select(func.count()).select_from(EpcisEvent)) or 0
            links = session.scalar(select(func.count()).select_from(TraceLotItem)) or 0
            stamped = list(session.scalars(select(ApiToken.last_used_at)))
    assert Counter(written) == {202: 4 * documents}, Counter(written)
    assert Counter(read) == {200: 8 * 8 * 3}, Counter(read)
    assert stored - before == 4 * documents * events
    # The lot index is written by capture itself: no read had to bring it up to date.
    assert links - links_before == 4 * documents * events
    # Token use is still recorded, coarsely (once per token per period), after the reads.
    assert sum(1 for s in stamped if s is not None) == len(tokens)
