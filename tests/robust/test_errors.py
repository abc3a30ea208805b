"""Unhandled errors and oversized bodies answer in the problem format (issue #8, points 3, 6)."""

from __future__ import annotations

import http.client
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from plateau.db import make_engine, make_sessionmaker
from plateau.settings import Settings
from plateau.web.middleware import REQUEST_ID_HEADER
from tests.robust.conftest import serve


class Boom(Exception):
    """A bug: nothing handles it."""


def _app(tmp_path: Path, **settings: int) -> FastAPI:
    from plateau.web.app import create_app

    # An empty database: enough for /healthz and the error paths.
    factory = make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    app = create_app(
        Settings(var_dir=tmp_path, secret_key="t", database_url="sqlite://", **settings),  # type: ignore[arg-type]
        session_factory=factory,
    )

    def boom() -> None:
        raise Boom("a bug")

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom", boom, include_in_schema=False)
    return app


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return _app(tmp_path)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # raise_server_exceptions=False: what a real client would see, not the test's traceback.
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_an_unhandled_api_error_is_a_problem_with_a_logged_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="plateau.web.errors"):
        resp = client.get("/api/boom")
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    request_id = resp.headers[REQUEST_ID_HEADER]
    assert body["status"] == 500 and body["request_id"] == request_id
    assert request_id in body["detail"] and "意外错误" in body["detail"]
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info and logged[0].exc_info[0] is Boom


def test_an_unhandled_page_error_is_the_error_page_in_the_users_language(
    client: TestClient,
) -> None:
    resp = client.get("/boom")
    assert resp.status_code == 500
    assert resp.headers["content-type"].startswith("text/html")
    assert "意外错误" in resp.text and resp.headers[REQUEST_ID_HEADER] in resp.text
    client.cookies.set("plateau_lang", "en")
    english = client.get("/boom")
    assert english.status_code == 500 and "An unexpected error occurred" in english.text


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    first = client.get("/healthz").headers[REQUEST_ID_HEADER]
    second = client.get("/healthz").headers[REQUEST_ID_HEADER]
    assert first and second and first != second


def test_the_connection_stays_usable_after_an_unhandled_error(app: FastAPI) -> None:
    with serve(app) as url:
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", "/api/boom")
        failed = conn.getresponse()
        failed.read()
        sock = conn.sock
        conn.request("GET", "/healthz")  # on the same keep-alive connection
        ok = conn.getresponse()
        ok.read()
        assert conn.sock is sock
        conn.close()
    assert failed.status == 500 and failed.getheader("connection") != "close"
    assert ok.status == 200


class _Pulled:
    """Counts the body bytes the application pulls from the server."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counting() -> Message:
            message = await receive()
            self.bytes += len(message.get("body", b""))
            return message

        await self.app(scope, counting, send)


def test_a_chunked_upload_past_the_limit_is_not_read_to_its_end(tmp_path: Path) -> None:
    limit = 1024 * 1024
    app = _app(tmp_path, max_upload_bytes=limit)
    pulled = _Pulled(app)
    chunk = b"x" * 65536
    sent = 0
    with serve(pulled) as url:  # type: ignore[arg-type]
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            # A file upload (FastAPI reads the form before it asks who is calling).
            sock.sendall(
                b"POST /api/registry/enterprises/import HTTP/1.1\r\nHost: t\r\n"
                b"Content-Type: multipart/form-data; boundary=XyZ\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            part = (
                b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
                b"Content-Type: text/csv\r\n\r\n"
            )
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            try:
                for _ in range(20 * limit // len(chunk)):  # 20 MB offered, no Content-Length
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
            except OSError:
                pass  # the server answered and closed: what we want
            answer = b""
            try:
                while b"\r\n\r\n" not in answer:
                    data = sock.recv(65536)
                    if not data:
                        break
                    answer += data
            except OSError:
                pass
    assert pulled.bytes <= limit + 512 * 1024, (pulled.bytes, sent)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_declared_body_past_the_limit_is_413_in_the_problem_format(tmp_path: Path) -> None:
    app = _app(tmp_path, max_upload_bytes=1024)
    with TestClient(app) as client:
        resp = client.post(
            "/api/registry/enterprises/import",
            files={"file": ("big.csv", b"a" * 600_000, "text/csv")},
        )
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"
    assert "请求超过本服务器可接收的大小" in resp.json()["detail"]
