"""The FastAPI application factory."""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plateau.caching import LruCache
from plateau.db import make_engine, make_sessionmaker
from plateau.errors import DomainError
from plateau.i18n import _, normalize_locale, set_locale
from plateau.jobs import worker as jobs_worker
from plateau.settings import Settings, get_settings
from plateau.web.middleware import BodyLimitMiddleware, RequestErrorMiddleware, request_id_of

STATIC_DIR = Path(__file__).parent / "static"
LOCALE_COOKIE = "plateau_lang"
SESSION_COOKIE = "plateau_session"
BODY_OVERHEAD_BYTES = 256 * 1024


def _locale_of(scope: Scope) -> str:
    locale = None
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, _sep, val = part.strip().partition("=")
                if name == LOCALE_COOKIE:
                    locale = val
    return normalize_locale(locale)


class LocaleMiddleware:
    """Set the request's locale from the language cookie (Simplified Chinese by default)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            set_locale(_locale_of(scope))
        await self.app(scope, receive, send)


# No inline script anywhere (data reaches scripts in <script type="application/json">
# blocks, which are not executed); styles may be inline (a few style attributes, and ECharts
# and htmx set styles). Images may be data: URIs (QR codes, chart exports).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Consumer-page paths carry lots and serials: never send them to another site.
    (b"referrer-policy", b"same-origin"),
]
# FastAPI's Swagger UI page is built from an inline script; it gets every header but the CSP.
CSP_EXEMPT = ("/api/docs",)


class SecurityHeadersMiddleware:
    """Add the security headers to every response, and the CSP to every HTML page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = scope["path"].startswith(CSP_EXEMPT)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _v in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                html = any(
                    k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers
                )
                if html and not exempt and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/epcis")) or path == "/api":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    # Field errors echo the rejected value, which may be a Decimal or a date.
    return JSONResponse(
        jsonable_encoder(body), status_code=status, media_type="application/problem+json"
    )


def _too_large(settings: Settings) -> str:
    return _(
        "The request is larger than this server takes (%(mb)s MB).",
        mb=max(1, settings.max_upload_bytes // (1024 * 1024)),
    )


#: FastAPI's own (English) detail when a request body cannot be parsed at all.
UNREADABLE_BODY = "There was an error parsing the body"


def unreadable_body_message() -> str:
    """The user's-language message for a request body that cannot be parsed."""
    from plateau.trace.epcis.xml_read import MAX_JSON_DEPTH

    return _(
        "The request body cannot be read: it is not well-formed, or nested too deeply "
        "(at most %(depth)s levels).",
        depth=MAX_JSON_DEPTH,
    )


def _unhandled(request: Request, request_id: str) -> Response:
    """The answer to an error no handler knew: problem JSON or the error page, with its id."""
    set_locale(_locale_of(request.scope))
    message = _(
        "An unexpected error occurred on the server. Nothing was changed by this request; "
        "please try again, and quote reference %(id)s if it happens again.",
        id=request_id,
    )
    if _wants_json(request):
        return _problem(500, "internal_error", message, request_id=request_id)
    try:
        return _html_error(request, 500, message)
    except Exception:
        log.exception("the error page itself failed, request %s", request_id)
        return HTMLResponse(f"<!doctype html><title>500</title><p>{escape(message)}</p>", 500)


def _html_error(request: Request, status: int, message: str) -> Response:
    from plateau.auth.schemas import PUBLIC
    from plateau.web.templating import render

    if status == 401 and request.method == "GET":
        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return render(
        request,
        "web/error.html",
        {"status": status, "message": message, "request_id": request_id_of(request.scope)},
        actor=getattr(request.state, "actor", PUBLIC),
        status_code=status,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Render domain and HTTP errors as RFC 9457 problems (API) or error pages (HTML)."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _wants_json(request):
            return _problem(
                exc.status_code,
                exc.code,
                exc.message,
                errors=[e.as_dict() for e in exc.errors],
            )
        return _html_error(request, exc.status_code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query")),
                "message": err.get("msg", ""),
                "row": None,
                "value": None,
            }
            for err in exc.errors()
        ]
        message = _("Some of the values are not valid.")
        if _wants_json(request):
            return _problem(422, "validation_failed", message, errors=errors)
        return _html_error(request, 422, message)

    def unstorable(request: Request) -> Response:
        message = _(
            "A value in the request cannot be stored: a number too large, or a character "
            "that is not allowed."
        )
        if _wants_json(request):
            return _problem(422, "validation_failed", message)
        return _html_error(request, 422, message)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # The database refuses input it cannot represent: an id beyond PostgreSQL's integer
        # range, a NUL character in a text. Such input is the caller's to fix (the session
        # dependency has rolled the transaction back). Logged: a server bug could also end
        # here, and must not go unseen behind a 422.
        log.warning("data error on %s %s: %s", request.method, request.url.path, exc.orig)
        return unstorable(request)

    @app.exception_handler(OverflowError)
    async def overflow_error(request: Request, exc: OverflowError) -> Response:
        # SQLite's driver refuses integers beyond 64 bits before the database sees them;
        # any other overflow is a bug and stays a server error.
        if "SQLite INTEGER" not in str(exc):
            raise exc
        return unstorable(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: _("The page or record was not found."),
            405: _("This action is not allowed here."),
            401: _("Please log in."),
            403: _("You do not have access to this."),
            413: _too_large(request.app.state.settings),
        }
        message = messages.get(exc.status_code, str(exc.detail))
        if exc.status_code == 400 and exc.detail == UNREADABLE_BODY:
            message = unreadable_body_message()
        if _wants_json(request):
            return _problem(exc.status_code, "http_error", message)
        return _html_error(request, exc.status_code, message)


def create_app(
    settings: Settings | None = None, *, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """Build the application; tests may hand in their own session factory."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Plateau",
        description="西藏高原轻工业数字化公共服务平台 — Tibet plateau light-industry platform API",
        version="0.1.0",
        # /api/docs is served by web.pages from the app's own Swagger UI files (no CDN).
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=jobs_worker.lifespan,
    )
    if session_factory is None:
        engine = make_engine(settings.resolved_database_url())
        session_factory = make_sessionmaker(engine)
    app.state.sessionmaker = session_factory
    app.state.settings = settings
    # The consumer page's data per code, for a few seconds (decision 0013).
    app.state.consumer_cache = LruCache(2048, seconds=settings.public_page_cache_s)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # Counts the bytes as they arrive (a chunked upload has no Content-Length) and stops
    # reading at the limit: the upload limit plus room for multipart framing and fields.
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=lambda: app.state.settings.max_upload_bytes + BODY_OVERHEAD_BYTES,
        message=lambda: _too_large(app.state.settings),
    )
    app.add_middleware(LocaleMiddleware)
    # It sees every error the handlers did not turn into an answer.
    app.add_middleware(RequestErrorMiddleware, render_error=_unhandled)
    # Outermost: error pages written by the middleware above carry the headers too.
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)

    from plateau.web.routers import include_routers

    include_routers(app)
    return app
