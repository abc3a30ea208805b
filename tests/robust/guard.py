"""A test guard that fails when a GET request writes to the database.

Wrap the application with :meth:`WriteGuard.app` and arm it on the engine: every
INSERT/UPDATE/DELETE (or DDL) issued while a GET request is being served is recorded with
the request's path. The request's method travels in a context variable, which Starlette
copies into the worker thread that runs a plain ``def`` route and its dependencies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event
from starlette.types import ASGIApp, Receive, Scope, Send

_REQUEST: ContextVar[tuple[str, str] | None] = ContextVar("guarded_request", default=None)
WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "CREATE", "DROP", "ALTER"})


@dataclass
class WriteGuard:
    writes: list[tuple[str, str]] = field(default_factory=list)  # (request path, statement)

    def app(self, inner: ASGIApp) -> ASGIApp:
        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            token = None
            if scope["type"] == "http":
                token = _REQUEST.set((scope["method"], scope["path"]))
            try:
                await inner(scope, receive, send)
            finally:
                if token is not None:
                    _REQUEST.reset(token)

        return guarded

    @contextmanager
    def armed(self, engine: Engine) -> Iterator[WriteGuard]:
        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any) -> None:
            request = _REQUEST.get()
            if request is None or request[0] not in ("GET", "HEAD"):
                return
            verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
            if verb in WRITES:
                self.writes.append((request[1], statement.strip().splitlines()[0][:120]))

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield self
        finally:
            event.remove(engine, "before_cursor_execute", before)
