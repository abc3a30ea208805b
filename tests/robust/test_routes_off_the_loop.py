"""Blocking work never runs on the event loop (issue #8, point 4): every route of the app is
a plain ``def``, which FastAPI runs in its thread pool. An ``async def`` route runs on the
loop itself, so its database work and parsing would hold up every other request."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute


def _routes(routes: Iterable[object]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # Included routers (FastAPI wraps them) and mounted apps hold routes of their own.
        inner = getattr(route, "original_router", None) or getattr(route, "app", None)
        yield from _routes(getattr(inner, "routes", None) or getattr(route, "routes", []) or [])


def test_no_route_runs_on_the_event_loop(app: FastAPI) -> None:
    routes = list(_routes(app.routes))
    assert len(routes) > 100  # the walk reached the included routers
    on_the_loop = sorted(
        f"{sorted(route.methods)} {route.path} ({route.endpoint.__module__})"
        for route in routes
        if inspect.iscoroutinefunction(route.endpoint)
    )
    assert on_the_loop == []
