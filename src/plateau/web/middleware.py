"""Pure-ASGI middleware of the application: request ids and the last-resort error answer.

Starlette's own last resort answers ``500 text/plain`` and re-raises, and uvicorn then closes
the connection, so a client's next request on that keep-alive connection failed too. This
middleware sits outside every other one (inside Starlette's), logs the traceback beside a
request id, answers in the project's problem format and swallows the exception, so the
server keeps the connection.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("plateau.web.errors")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's own id (a proxy's) is kept if it is short and plain; anything else is replaced.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_of(scope: Scope) -> str:
    """Return the request's id (set by :class:`RequestErrorMiddleware`), or ''."""
    return str(scope.get("state", {}).get("request_id", ""))


class RequestErrorMiddleware:
    """Give each request an id and answer any unhandled error in the problem format."""

    def __init__(self, app: ASGIApp, *, render_error: Callable[[Request, str], Response]) -> None:
        self.app = app
        self.render_error = render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for key, value in scope.get("headers", []):
            if key == b"x-request-id":
                given = value.decode("latin-1")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unhandled error, request %s: %s %s",
                request_id,
                scope.get("method"),
                scope.get("path"),
            )
            if started:
                # Part of the answer is out: nothing sensible can follow it; the server
                # closes the connection, as it must.
                raise
            response = self.render_error(Request(scope, receive), request_id)
            await response(scope, receive, send_with_id)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a request body passes the limit (answered as 413)."""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)


class BodyLimitMiddleware:
    """Stop reading a request body at ``max_bytes``, declared or not (chunked uploads).

    A declared Content-Length past the limit is refused before the body is read; otherwise
    the bytes are counted as the application pulls them, and the pull that passes the limit
    raises :class:`BodyTooLarge`, an HTTP exception that FastAPI lets through body parsing,
    so the usual handlers answer it in the problem format.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: Callable[[], int], message: Callable[[], str]
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.message = message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes()
        declared: int | None = None
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(self.message())
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(self.message())
            return message

        await self.app(scope, limited, send)
