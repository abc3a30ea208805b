"""The EPCIS 2.0 REST binding, mounted under ``/epcis`` (GS1's openapi.yaml: paths,
parameters, headers, status codes).

Thin: every route reads the request, calls ``service`` and writes the answer. What is
particular to the binding lives here and in :class:`EpcisRoute`: errors are RFC 7807
problems typed ``epcisException:…`` (whatever raised them), every answer carries the
``GS1-EPCIS-Version`` / ``GS1-CBV-Version`` headers, ``GS1-EPCIS-Min/Max`` and
``GS1-CBV-Min/Max`` that exclude 2.0.0 are refused with 406, and results are JSON-LD or XML
by content negotiation. Everything needs a logged-in user or an API token (401 otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from plateau.auth.schemas import Actor
from plateau.errors import DomainError
from plateau.i18n import _
from plateau.trace.epcis import output, problems, query, service
from plateau.trace.epcis.capture import ErrorBehaviour, Payload
from plateau.trace.epcis.capture import event_limit as capture_event_limit
from plateau.trace.epcis.models import EpcisContext
from plateau.trace.epcis.query import EventQuery, PageToken
from plateau.trace.epcis.schemas import (
    CaptureJobRead,
    ContextCreate,
    ContextRead,
    QueryCreate,
    QueryRead,
    SubscriptionCreate,
    SubscriptionRead,
)
from plateau.web import app as web_app
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor, csrf_protect

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
VENDOR_VERSION = "plateau-0.1.0"
VERSION_HEADERS = {"GS1-EPCIS-Version": EPCIS_VERSION, "GS1-CBV-Version": CBV_VERSION}
# Versions a capture payload may be written in (1.2 XML documents are read into 2.0).
_CAPTURE_VERSIONS = {(1, 2), (2, 0)}
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_JSON_MEDIA = ("application/json", "application/ld+json")
_XML_MEDIA = ("application/xml", "text/xml")
_PAGING = ("perPage", "nextPageToken")
_SESSION_KEY = "trace_session"


# --- errors and headers -------------------------------------------------------------------


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        body,
        status_code=int(body["status"]),
        media_type="application/problem+json",
        headers=headers or {},
    )


def _validation_problem(request: Request, exc: RequestValidationError) -> Response:
    details = []
    for error in exc.errors():
        where = "/".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        details.append(f"/{where}: {error.get('msg', '')}")
    path = request.url.path
    if "/subscriptions" in path:
        kind = problems.SUBSCRIPTION_CONTROLS
    elif path.rstrip("/").endswith("/queries"):
        kind = problems.QUERY_VALIDATION
    elif request.method == "GET":
        kind = problems.QUERY_PARAMETER
    else:
        kind = problems.VALIDATION
    return _problem_response(problems.problem(kind, 400, "\n".join(details)))


class EpcisRoute(APIRoute):
    """A route of the binding: problems typed as EPCIS exceptions, version headers always.

    An error turned into a response here never reaches the request's session, which would
    then commit; so the session is rolled back first.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except DomainError as exc:
                _rollback(request)
                extra = exc.headers if isinstance(exc, problems.EpcisError) else {}
                response = _problem_response(problems.problem_of(exc), extra)
            except RequestValidationError as exc:
                _rollback(request)
                response = _validation_problem(request, exc)
            except StarletteHTTPException as exc:
                _rollback(request)
                kind = problems.kind_of_status(exc.status_code)
                detail = str(exc.detail)
                if exc.status_code == 400 and detail == web_app.UNREADABLE_BODY:
                    detail = web_app.unreadable_body_message()
                response = _problem_response(problems.problem(kind, exc.status_code, detail))
            for key, value in VERSION_HEADERS.items():
                response.headers.setdefault(key, value)
            return response

        return route


def _rollback(request: Request) -> None:
    session = getattr(request.state, _SESSION_KEY, None)
    if session is not None:
        session.rollback()


def _version(text: str, header: str) -> tuple[int, int, int]:
    if not _VERSION.match(text.strip()):
        raise problems.EpcisError(
            problems.NOT_ACCEPTABLE,
            _(
                "%(header)s must be a version such as 2.0.0, not %(value)s.",
                header=header,
                value=text,
            ),
            406,
        )
    parts = [int(p) for p in text.strip().split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]


def _check_versions(request: Request) -> None:
    """Refuse (406) a request whose version headers exclude what this repository speaks."""
    for family, current in (("EPCIS", EPCIS_VERSION), ("CBV", CBV_VERSION)):
        ours = _version(current, family)
        low = request.headers.get(f"GS1-{family}-Min")
        high = request.headers.get(f"GS1-{family}-Max")
        if (low and _version(low, f"GS1-{family}-Min") > ours) or (
            high and _version(high, f"GS1-{family}-Max") < ours
        ):
            raise problems.EpcisError(
                problems.NOT_ACCEPTABLE,
                _(
                    "This repository answers in %(family)s %(version)s only.",
                    family=family,
                    version=current,
                ),
                406,
            )
        given = request.headers.get(f"GS1-{family}-Version")
        if given:
            major, minor, _patch = _version(given, f"GS1-{family}-Version")
            allowed = _CAPTURE_VERSIONS if request.method == "POST" else {(2, 0)}
            if (major, minor) not in allowed:
                raise problems.EpcisError(
                    problems.NOT_ACCEPTABLE,
                    _(
                        "%(family)s version %(version)s is not supported here.",
                        family=family,
                        version=given,
                    ),
                    406,
                )


async def _reader(request: Request, session: DbSession, actor: CurrentActor) -> None:
    """Every route: a known caller (401 for the public), CSRF for cookie sessions, versions."""
    setattr(request.state, _SESSION_KEY, session)
    if not actor.is_authenticated:
        raise problems.EpcisError(problems.SECURITY, _("Please log in or send an API token."), 401)
    await csrf_protect(request, actor)
    _check_versions(request)


epcis_router = APIRouter(
    prefix="/epcis",
    tags=["EPCIS 2.0"],
    route_class=EpcisRoute,
    dependencies=[Depends(_reader)],
)


# --- content negotiation and documents ------------------------------------------------------


def negotiate(request: Request, *, xml: bool = True) -> str:
    """Pick the response media type from ``Accept``: JSON(-LD) by default, XML if asked."""
    entries: list[tuple[float, int, str]] = []
    for position, part in enumerate((request.headers.get("accept") or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        weight = 1.0
        for extra in fields[1:]:
            if extra.startswith("q="):
                try:
                    weight = float(extra[2:])
                except ValueError:
                    weight = 0.0
        if media:
            entries.append((-weight, position, media))
    for weight, _position, media in sorted(entries):
        if weight >= 0:
            continue
        if media in _JSON_MEDIA:
            return media
        if xml and media in _XML_MEDIA:
            return "application/xml"
        if media in ("*/*", "application/*"):
            return "application/json"
    raise problems.EpcisError(
        problems.NOT_ACCEPTABLE,
        _(
            "This resource is available as %(types)s.",
            types=", ".join(_JSON_MEDIA + (_XML_MEDIA if xml else ())),
        ),
        406,
    )


def _document_response(
    request: Request,
    document: dict[str, Any],
    *,
    media: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    if media == "application/xml":
        fmt = output.cbv_xml_format(request.headers.get("GS1-CBV-XML-Format"))
        return Response(
            output.xml_document(document, fmt),
            status_code=status_code,
            media_type="application/xml",
            headers=headers or {},
        )
    return JSONResponse(document, status_code=status_code, media_type=media, headers=headers or {})


def _token(request: Request) -> PageToken | None:
    text = request.query_params.get("nextPageToken")
    return PageToken.decode(text) if text else None


def _link(request: Request, token: PageToken | None) -> dict[str, str]:
    if token is None:
        return {}
    # The public URL, not the request's Host header (which the client chooses).
    query = request.url.include_query_params(nextPageToken=token.encode()).query
    url = f"{request.app.state.settings.base_url()}{request.url.path}?{query}"
    return {"Link": f'<{url}>; rel="next"'}


def _events_response(
    request: Request,
    session: DbSession,
    actor: Actor,
    event_query: EventQuery,
    *,
    query_name: str = output.SIMPLE_EVENT_QUERY,
) -> Response:
    media = negotiate(request)
    fmt = output.epc_format(request.headers.get("GS1-EPC-Format"))
    page = service.query_events(
        session,
        event_query=event_query,
        actor=actor,
        per_page=query.per_page(request.query_params.get("perPage")),
        token=_token(request),
    )
    document = output.query_document(page.events, fmt=fmt, query_name=query_name)
    headers = {**_link(request, page.next_token), "GS1-EPC-Format": fmt}
    return _document_response(request, document, media=media, headers=headers)


def _url_query(request: Request) -> EventQuery:
    return query.from_url(request.query_params.multi_items(), ignore=_PAGING)


def _collection(request: Request, page: service.ResourcePage) -> Response:
    negotiate(request, xml=False)
    return JSONResponse(output.collection(page.members), headers=_link(request, page.next_token))


def _list(
    request: Request, session: DbSession, actor: Actor, resource: service.Resource
) -> Response:
    page = service.list_resources(
        session,
        resource=resource,
        actor=actor,
        per_page=query.per_page(request.query_params.get("perPage")),
        token=_token(request),
        fmt=output.epc_format(request.headers.get("GS1-EPC-Format")),
    )
    return _collection(request, page)


def _events_of(
    request: Request, session: DbSession, actor: Actor, name: str, value: Any
) -> Response:
    return _events_response(request, session, actor, _url_query(request).restricted(name, value))


def _sub_resources(
    request: Request, session: DbSession, actor: Actor, name: str, value: Any, *, known: bool
) -> Response:
    """Answer ``/{resource}/{value}``: its sub-resources, if anything is known about it."""
    if not known:
        page = service.query_events(
            session, event_query=EventQuery().restricted(name, value), actor=actor, per_page=1
        )
        if not page.events:
            raise problems.not_found(_("Nothing is known here about %(value)s.", value=str(value)))
    negotiate(request, xml=False)
    return JSONResponse(output.collection(["events"]))


# --- OpenAPI documentation of what the routes read themselves -------------------------------

QUERY_PARAMETERS: tuple[str, ...] = (
    "eventType",
    "GE_eventTime",
    "LT_eventTime",
    "GE_recordTime",
    "LT_recordTime",
    "EQ_action",
    "EQ_bizStep",
    "EQ_disposition",
    "EQ_persistentDisposition_set",
    "EQ_persistentDisposition_unset",
    "EQ_readPoint",
    "WD_readPoint",
    "EQ_bizLocation",
    "WD_bizLocation",
    "EQ_transformationID",
    "MATCH_epc",
    "MATCH_parentID",
    "MATCH_inputEPC",
    "MATCH_outputEPC",
    "MATCH_anyEPC",
    "MATCH_epcClass",
    "MATCH_inputEPCClass",
    "MATCH_outputEPCClass",
    "MATCH_anyEPCClass",
    "EQ_quantity",
    "GT_quantity",
    "GE_quantity",
    "LT_quantity",
    "LE_quantity",
    "EQ_eventID",
    "EXISTS_errorDeclaration",
    "GE_errorDeclarationTime",
    "LT_errorDeclarationTime",
    "EQ_errorReason",
    "EQ_correctiveEventID",
    "orderBy",
    "orderDirection",
    "eventCountLimit",
    "maxEventCount",
    "GE_startTime",
    "LT_startTime",
    "GE_endTime",
    "LT_endTime",
    "EQ_type",
    "EQ_deviceID",
    "GE_time",
    "LT_time",
    "EXISTS_sensorElementList",
)
_HEADERS = ("GS1-EPC-Format", "GS1-CBV-XML-Format", "GS1-EPCIS-Min", "GS1-EPCIS-Max")


def _parameters(names: tuple[str, ...] | list[str], *, paging: bool = True) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names
    ]
    if paging:
        params += [
            {"name": "perPage", "in": "query", "required": False, "schema": {"type": "integer"}},
            {
                "name": "nextPageToken",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
            },
        ]
    params += [
        {"name": h, "in": "header", "required": False, "schema": {"type": "string"}}
        for h in _HEADERS
    ]
    return {"parameters": params}


_EVENT_QUERY_DOC = _parameters(QUERY_PARAMETERS)
_PAGE_DOC = _parameters([])
_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/ld+json": {"schema": {"type": "object"}},
            "application/xml": {"schema": {"type": "string"}},
        },
    },
    "parameters": [
        {
            "name": "GS1-Capture-Error-Behaviour",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "enum": ["rollback", "proceed"]},
        },
        {
            "name": "GS1-EPCIS-Version",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
        },
    ],
}


# --- discovery ------------------------------------------------------------------------------


def _discovery(allow: str, *, capture: bool = False) -> Callable[[Request], Response]:
    def options(request: Request) -> Response:
        headers = {
            "Allow": allow,
            "GS1-EPCIS-Version": EPCIS_VERSION,
            "GS1-EPCIS-Min": EPCIS_VERSION,
            "GS1-EPCIS-Max": EPCIS_VERSION,
            "GS1-CBV-Version": CBV_VERSION,
            "GS1-CBV-Min": CBV_VERSION,
            "GS1-CBV-Max": CBV_VERSION,
            "GS1-EPC-Format": ", ".join(output.EPC_FORMATS),
            "GS1-CBV-XML-Format": ", ".join(output.CBV_XML_FORMATS),
            "GS1-Vendor-Version": VENDOR_VERSION,
        }
        if capture:
            headers["GS1-EPCIS-Capture-Limit"] = str(capture_event_limit())
            headers["GS1-EPCIS-Capture-File-Size-Limit"] = str(_max_bytes(request))
            headers["GS1-Capture-Error-Behaviour"] = "all"
        return Response(status_code=204, headers=headers)

    return options


for _path, _allow, _is_capture in (
    ("", "OPTIONS, GET", False),
    ("/capture", "OPTIONS, POST, GET", True),
    ("/capture/{captureID}", "OPTIONS, GET", False),
    ("/events", "OPTIONS, GET, POST", False),
    ("/eventTypes", "OPTIONS, GET", False),
    ("/epcs", "OPTIONS, GET", False),
    ("/bizSteps", "OPTIONS, GET", False),
    ("/bizLocations", "OPTIONS, GET", False),
    ("/readPoints", "OPTIONS, GET", False),
    ("/dispositions", "OPTIONS, GET", False),
    ("/queries", "OPTIONS, GET, POST", False),
    ("/queries/{queryName}", "OPTIONS, GET, DELETE", False),
    ("/queries/{queryName}/events", "OPTIONS, GET", False),
    ("/queries/{queryName}/subscriptions", "OPTIONS, GET, POST", False),
):
    epcis_router.add_api_route(
        _path,
        _discovery(_allow, capture=_is_capture),
        methods=["OPTIONS"],
        summary=f"Discover the settings of /epcis{_path}",
        status_code=204,
        openapi_extra={
            "parameters": [
                {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                for n in re.findall(r"{(\w+)}", _path)
            ]
        },
    )


@epcis_router.get("")
def top_level(request: Request) -> Response:
    """Return the top-level resources of this EPCIS repository."""
    negotiate(request, xml=False)
    return JSONResponse(output.collection(service.TOP_LEVEL))


# --- capture --------------------------------------------------------------------------------


def _max_bytes(request: Request) -> int:
    return int(request.app.state.settings.max_upload_bytes)


async def _body(request: Request) -> bytes:
    """Read the request body, refusing (413) one announced as too large before reading it."""
    limit = _max_bytes(request)
    announced = request.headers.get("content-length")
    if announced and announced.isdigit() and int(announced) > limit:
        raise problems.EpcisError(
            problems.CAPTURE_LIMIT,
            _(
                "The payload has %(size)s bytes; this repository takes at most %(max)s per capture.",
                size=announced,
                max=limit,
            ),
            413,
            headers={"GS1-EPCIS-Capture-File-Size-Limit": str(limit)},
        )
    return await request.body()


RawBody = Annotated[bytes, Depends(_body)]


def _content_type(request: Request) -> str | None:
    value = request.headers.get("content-type")
    if not value:
        return None
    kind = value.split(";")[0].strip().lower()
    if kind in _JSON_MEDIA or kind in _XML_MEDIA or kind.endswith(("+json", "+xml")):
        return value
    raise problems.EpcisError(
        problems.UNSUPPORTED_MEDIA_TYPE,
        _(
            "Send EPCIS as application/json, application/ld+json or application/xml, not %(type)s.",
            type=kind,
        ),
        415,
    )


def _behaviour(request: Request) -> ErrorBehaviour:
    value = (request.headers.get("GS1-Capture-Error-Behaviour") or "rollback").strip().lower()
    if value == "rollback":
        return "rollback"
    if value == "proceed":
        return "proceed"
    raise problems.validation_error(
        _("GS1-Capture-Error-Behaviour takes rollback or proceed, not %(value)s.", value=value)
    )


STRICT_HEADER = "Plateau-Capture-Strict"


def _strict(request: Request) -> bool:
    """Read ``Plateau-Capture-Strict``: ``true`` refuses what is otherwise normalised."""
    value = request.headers.get(STRICT_HEADER, "false").strip().lower()
    if value in ("true", "false"):
        return value == "true"
    raise problems.validation_error(
        _("%(header)s takes true or false, not %(value)s.", header=STRICT_HEADER, value=value)
    )


def _job_json(job: CaptureJobRead) -> dict[str, Any]:
    return job.model_dump(mode="json", exclude_none=True)


@epcis_router.post("/capture", status_code=202, openapi_extra=_DOCUMENT_BODY)
def capture(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    body: RawBody,
) -> Response:
    """Capture an EPCISDocument (JSON-LD or XML); 202 with the capture job's Location."""
    payload = Payload(body, _content_type(request), _behaviour(request), _strict(request))
    outcome = service.capture_document(
        session, payload=payload, actor=actor, max_bytes=_max_bytes(request)
    )
    if outcome.stored_ids:
        # Webhooks go out from background jobs, committed with the events they report.
        service.queue_stream_deliveries(session)
    job = service.capture_job_read(outcome.job)
    return JSONResponse(
        _job_json(job), status_code=202, headers={"Location": f"/epcis/capture/{job.captureID}"}
    )


@epcis_router.get("/capture", openapi_extra=_PAGE_DOC)
def capture_jobs(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """List the capture jobs the caller may see, newest first."""
    jobs, token = service.list_capture_jobs(
        session,
        actor=actor,
        per_page=query.per_page(request.query_params.get("perPage")),
        token=_token(request),
    )
    return JSONResponse(
        [_job_json(service.capture_job_read(j)) for j in jobs], headers=_link(request, token)
    )


@epcis_router.get("/capture/{captureID}", response_model=CaptureJobRead)
def capture_job(
    captureID: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Return a capture job: running, success, and the errors of refused events."""
    media = negotiate(request)
    job = service.capture_job_read(
        service.get_capture_job(session, capture_id=captureID, actor=actor)
    )
    if media == "application/xml":
        return Response(output.xml_document(_job_json(job), "No_Preference"), media_type=media)
    return JSONResponse(_job_json(job), media_type=media)


# --- events ---------------------------------------------------------------------------------


@epcis_router.get("/events", openapi_extra=_EVENT_QUERY_DOC)
def events(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Query events with the EPCIS query language in the URL (JSON-LD or XML)."""
    return _events_response(request, session, actor, _url_query(request))


@epcis_router.post("/events", status_code=201, openapi_extra=_DOCUMENT_BODY)
def capture_one(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    body: RawBody,
) -> Response:
    """Capture one event; 201 with its Location (200 if the same event is already stored),
    409 if its eventID already names a different event."""
    payload = Payload(body, _content_type(request), strict=_strict(request))
    outcome = service.capture_event(
        session, payload=payload, actor=actor, max_bytes=_max_bytes(request)
    )
    if outcome.stored_ids:
        service.queue_stream_deliveries(session)
    event_id = outcome.event_ids[0]
    stored = service.get_event(session, event_id=event_id, actor=actor)[-1]
    return JSONResponse(
        stored,
        status_code=201 if outcome.stored_ids else 200,
        headers={"Location": f"/epcis/events/{quote(event_id, safe='')}"},
    )


@epcis_router.get("/events/{eventID:path}")
def event(eventID: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Return one event (and its error declarations) as an EPCISQueryDocument."""
    media = negotiate(request)
    fmt = output.epc_format(request.headers.get("GS1-EPC-Format"))
    found = service.get_event(session, event_id=eventID, actor=actor)
    document = output.query_document(found, fmt=fmt)
    return _document_response(request, document, media=media, headers={"GS1-EPC-Format": fmt})


# --- top-level resources ----------------------------------------------------------------------


@epcis_router.get("/eventTypes", openapi_extra=_PAGE_DOC)
def event_types(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """List the event types: the five of EPCIS and any others captured."""
    return _list(request, session, actor, "eventTypes")


@epcis_router.get("/eventTypes/{eventType:path}/events", openapi_extra=_EVENT_QUERY_DOC)
def events_of_type(
    eventType: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Query the events of one event type."""
    return _events_of(request, session, actor, "eventType", [eventType])


@epcis_router.get("/eventTypes/{eventType:path}")
def event_type(
    eventType: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Return the sub-resources of an event type."""
    return _sub_resources(
        request, session, actor, "eventType", [eventType], known=eventType in service.EVENT_TYPES
    )


@epcis_router.get("/epcs", openapi_extra=_PAGE_DOC)
def epcs(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """List the identifiers (EPCs and classes) of the events the caller may see."""
    return _list(request, session, actor, "epcs")


@epcis_router.get("/epcs/{epc:path}/events", openapi_extra=_EVENT_QUERY_DOC)
def events_of_epc(epc: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Query the events about one EPC, class or pattern (EPC URI or Digital Link)."""
    return _events_of(
        request, session, actor, query.ANY_ROLE, query.match_values(query.ANY_ROLE, [epc])
    )


@epcis_router.get("/epcs/{epc:path}")
def epc_resource(epc: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Return the sub-resources of an EPC."""
    return _sub_resources(
        request,
        session,
        actor,
        query.ANY_ROLE,
        query.match_values(query.ANY_ROLE, [epc]),
        known=False,
    )


def _vocabulary_value(name: str, value: str) -> list[str]:
    parsed = query.from_url([(name, value)])
    found: list[str] = parsed.filters[name]
    return found


@epcis_router.get("/bizSteps", openapi_extra=_PAGE_DOC)
def biz_steps(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """List the business steps: CBV's and any others captured."""
    return _list(request, session, actor, "bizSteps")


@epcis_router.get("/bizSteps/{bizStep:path}/events", openapi_extra=_EVENT_QUERY_DOC)
def events_of_biz_step(
    bizStep: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Query the events of one business step."""
    return _events_of(
        request, session, actor, "EQ_bizStep", _vocabulary_value("EQ_bizStep", bizStep)
    )


@epcis_router.get("/bizSteps/{bizStep:path}")
def biz_step(bizStep: str, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Return the sub-resources of a business step."""
    values = _vocabulary_value("EQ_bizStep", bizStep)
    return _sub_resources(
        request,
        session,
        actor,
        "EQ_bizStep",
        values,
        known=values[0] in service.cbv_terms("bizStep"),
    )


@epcis_router.get("/dispositions", openapi_extra=_PAGE_DOC)
def dispositions(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """List the dispositions: CBV's and any others captured."""
    return _list(request, session, actor, "dispositions")


@epcis_router.get("/dispositions/{disposition:path}/events", openapi_extra=_EVENT_QUERY_DOC)
def events_of_disposition(
    disposition: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Query the events with one disposition."""
    return _events_of(
        request,
        session,
        actor,
        "EQ_disposition",
        _vocabulary_value("EQ_disposition", disposition),
    )


@epcis_router.get("/dispositions/{disposition:path}")
def disposition(
    disposition: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Return the sub-resources of a disposition."""
    values = _vocabulary_value("EQ_disposition", disposition)
    return _sub_resources(
        request,
        session,
        actor,
        "EQ_disposition",
        values,
        known=values[0] in service.cbv_terms("disposition"),
    )


@epcis_router.get("/bizLocations", openapi_extra=_PAGE_DOC)
def biz_locations(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """List the business locations of the events the caller may see."""
    return _list(request, session, actor, "bizLocations")


@epcis_router.get("/bizLocations/{bizLocation:path}/events", openapi_extra=_EVENT_QUERY_DOC)
def events_at_biz_location(
    bizLocation: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Query the events at one business location."""
    return _events_of(
        request,
        session,
        actor,
        "EQ_bizLocation",
        _vocabulary_value("EQ_bizLocation", bizLocation),
    )


@epcis_router.get("/bizLocations/{bizLocation:path}")
def biz_location(
    bizLocation: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Return the sub-resources of a business location."""
    return _sub_resources(
        request,
        session,
        actor,
        "EQ_bizLocation",
        _vocabulary_value("EQ_bizLocation", bizLocation),
        known=False,
    )


@epcis_router.get("/readPoints", openapi_extra=_PAGE_DOC)
def read_points(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """List the read points of the events the caller may see."""
    return _list(request, session, actor, "readPoints")


@epcis_router.get("/readPoints/{readPoint:path}/events", openapi_extra=_EVENT_QUERY_DOC)
def events_at_read_point(
    readPoint: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Query the events read at one read point."""
    return _events_of(
        request, session, actor, "EQ_readPoint", _vocabulary_value("EQ_readPoint", readPoint)
    )


@epcis_router.get("/readPoints/{readPoint:path}")
def read_point(
    readPoint: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Return the sub-resources of a read point."""
    return _sub_resources(
        request,
        session,
        actor,
        "EQ_readPoint",
        _vocabulary_value("EQ_readPoint", readPoint),
        known=False,
    )


@epcis_router.delete("/nextPageToken/{token}", status_code=204)
def release_page_token(token: str) -> Response:
    """Release a page token (nothing to release: tokens carry their position, no state)."""
    return Response(status_code=204)


# --- named queries and subscriptions -----------------------------------------------------------


@epcis_router.get("/queries", response_model=list[QueryRead])
def queries(session: DbSession, actor: CurrentActor) -> Response:
    """List the named queries the caller owns."""
    rows = service.list_queries(session, actor=actor)
    return JSONResponse([service.query_read(r).model_dump(mode="json") for r in rows])


@epcis_router.post("/queries", status_code=201, response_model=QueryRead)
def create_query(data: QueryCreate, session: DbSession, actor: CurrentActor) -> Response:
    """Create a named query (checked against query-schema.json)."""
    row = service.create_query(session, data=data, actor=actor)
    return JSONResponse(
        service.query_read(row).model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/epcis/queries/{quote(row.name, safe='')}"},
    )


@epcis_router.get("/queries/{queryName}", response_model=QueryRead)
def named_query(queryName: str, session: DbSession, actor: CurrentActor) -> Response:
    """Return the definition of a named query."""
    row = service.get_query(session, name=queryName, actor=actor)
    return JSONResponse(service.query_read(row).model_dump(mode="json"))


@epcis_router.delete("/queries/{queryName}", status_code=204)
def delete_named_query(queryName: str, session: DbSession, actor: CurrentActor) -> Response:
    """Delete a named query and cancel its subscriptions."""
    service.delete_query(session, name=queryName, actor=actor)
    return Response(status_code=204)


@epcis_router.get("/queries/{queryName}/events", openapi_extra=_PAGE_DOC)
def named_query_events(
    queryName: str, request: Request, session: DbSession, actor: CurrentActor
) -> Response:
    """Return the results of a named query (pages as for /events)."""
    if request.headers.get("upgrade", "").lower() == "websocket":
        raise problems.EpcisError(
            problems.IMPLEMENTATION,
            _("WebSocket subscriptions are not supported; subscribe a webhook instead."),
            501,
        )
    extra = [name for name in request.query_params if name not in _PAGING]
    if extra:
        raise problems.query_parameter_error(
            _(
                "A named query takes only perPage and nextPageToken, not %(names)s.",
                names=", ".join(extra),
            )
        )
    row = service.get_query(session, name=queryName, actor=actor)
    return _events_response(request, session, actor, service.named_query(row), query_name=row.name)


@epcis_router.get("/queries/{queryName}/subscriptions", response_model=list[SubscriptionRead])
def subscriptions(queryName: str, session: DbSession, actor: CurrentActor) -> Response:
    """List the caller's subscriptions to a named query."""
    rows = service.list_subscriptions(session, name=queryName, actor=actor)
    return JSONResponse(
        [
            service.subscription_read(r, query_name=queryName).model_dump(
                mode="json", exclude_none=True
            )
            for r in rows
        ]
    )


@epcis_router.post(
    "/queries/{queryName}/subscriptions", status_code=201, response_model=SubscriptionRead
)
def subscribe(
    queryName: str,
    data: SubscriptionCreate,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
) -> Response:
    """Subscribe a webhook: every new matching event (stream) or on a schedule."""
    fmt = output.epc_format(request.headers.get("GS1-EPC-Format"))
    row = service.create_subscription(
        session,
        name=queryName,
        data=data,
        epc_format=fmt,
        actor=actor,
        allowed_hosts=request.app.state.settings.webhook_allowed_hosts,
    )
    body = service.subscription_read(row, query_name=queryName)
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True),
        status_code=201,
        headers={"Location": f"/epcis/queries/{quote(queryName, safe='')}/subscriptions/{row.id}"},
    )


@epcis_router.get(
    "/queries/{queryName}/subscriptions/{subscriptionID}", response_model=SubscriptionRead
)
def subscription(
    queryName: str, subscriptionID: str, session: DbSession, actor: CurrentActor
) -> Response:
    """Return one subscription (to check that it is still active)."""
    row = service.get_subscription(
        session, name=queryName, subscription_id=subscriptionID, actor=actor
    )
    return JSONResponse(
        service.subscription_read(row, query_name=queryName).model_dump(
            mode="json", exclude_none=True
        )
    )


@epcis_router.delete("/queries/{queryName}/subscriptions/{subscriptionID}", status_code=204)
def unsubscribe(
    queryName: str, subscriptionID: str, session: DbSession, actor: CurrentActor
) -> Response:
    """Cancel a subscription."""
    service.delete_subscription(
        session, name=queryName, subscription_id=subscriptionID, actor=actor
    )
    return Response(status_code=204)


# --- registered remote JSON-LD contexts ------------------------------------------------------

contexts_router = APIRouter(
    prefix="/api/trace/contexts", tags=["traceability"], dependencies=[Csrf]
)


def _context_read(row: EpcisContext) -> ContextRead:
    return ContextRead(
        url=row.url,
        version=row.version,
        prefixes=dict(row.prefixes),
        note=row.note,
        uploadedBy=row.uploaded_by,
        createdAt=row.created_at,
    )


@contexts_router.get("", response_model=list[ContextRead])
def list_contexts(session: DbSession, actor: UserActor) -> list[ContextRead]:
    """List the registered remote JSON-LD contexts, every version, newest first per URL."""
    return [_context_read(row) for row in service.list_contexts(session, actor=actor)]


@contexts_router.post("", response_model=ContextRead, status_code=201)
def register_context(data: ContextCreate, session: DbSession, actor: UserActor) -> ContextRead:
    """Register a new version of a remote JSON-LD context (administrators)."""
    row = service.register_context(
        session, url=data.url, document=data.context, note=data.note, actor=actor
    )
    return _context_read(row)
