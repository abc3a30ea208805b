"""HTML pages of traceability, and the public GS1 Digital Link resolver.

- ``/trace``: the landing page (search, recall, mass balance; examples of the demo world);
- ``/trace/genealogy?id=…``, ``/trace/recall/{lot}``, ``/trace/mass-balance``: for logged-in
  users, limited to their scope;
- ``/01/{gtin}[/10/{lot}][/21/{serial}]``: the consumer page behind every QR code, public,
  mobile-first; ``Accept: application/json`` gives the same as JSON;
- ``/resolve/{identifier}``: industrial-internet identifiers (and any GS1 spelling) redirect
  to that page, or answer a Handle-style JSON record.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from plateau.auth.schemas import Actor
from plateau.errors import DomainError
from plateau.i18n import _, lazy
from plateau.trace.lineage import cold_chain, service
from plateau.trace.lineage.genealogy import Direction
from plateau.trace.lineage.resolver import BIZ_STEP_LABELS, TRANSFORMED, local_time, short_key
from plateau.trace.lineage.schemas import (
    LOCATION_KIND_LABELS,
    TraceEventRead,
    TraceRead,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])

DIRECTIONS: dict[str, str] = {
    "back": lazy("Back to the origin"),
    "forward": lazy("Forward to every destination"),
    "both": lazy("Both ways"),
}
KIND_LABELS: dict[str, str] = {
    "item": lazy("Item"),
    "lot": lazy("Lot"),
    "product": lazy("Product"),
    "container": lazy("Case or pallet"),
    "location": lazy("Location"),
    "party": lazy("Party"),
    "asset": lazy("Returnable asset"),
    "other": lazy("Other"),
}
RELATION_LABELS: dict[str, str] = {
    "aggregation": lazy("packed into"),
    "transformation": lazy("processed into"),
    "lot": lazy("includes"),
}
# Colours of the genealogy graph, one per kind of identifier.
_COLOURS = {
    "item": "#5b8ff9",
    "lot": "#1f6f8b",
    "container": "#f6bd16",
    "product": "#5ad8a6",
    "other": "#9aa5b1",
}
MAX_GRAPH_NODES = 150


def _helpers() -> dict[str, Any]:
    return {
        "step_of": step_of,
        "local": local_time,
        "short": short_key,
        "KIND_LABELS": KIND_LABELS,
        "PLACE_LABELS": LOCATION_KIND_LABELS,
        "RELATION_LABELS": RELATION_LABELS,
        "DIRECTIONS": DIRECTIONS,
    }


def _page(
    request: Request, template: str, ctx: dict[str, Any], actor: Actor, status: int = 200
) -> HTMLResponse:
    return render(
        request, template, _helpers() | ctx, actor=actor, active="trace", status_code=status
    )


def step_of(event: TraceEventRead) -> str:
    """Return what an event did, in the user's language."""
    if event.event_type == "TransformationEvent":
        return _(TRANSFORMED)
    if event.biz_step in BIZ_STEP_LABELS:
        return _(BIZ_STEP_LABELS[event.biz_step])
    return event.biz_step or event.event_type


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _chart(option: dict[str, Any]) -> str:
    # Inside <script type="application/json">: never let data close the element.
    return json.dumps(option, ensure_ascii=False).replace("</", "<\\/")


def graph_option(found: TraceRead) -> dict[str, Any]:
    """Return the ECharts option of a genealogy graph; many items of one lot become one node."""
    items = [n for n in found.nodes if n.kind == "item" and not n.start]
    folded: dict[str, str] = {}
    if len(found.nodes) > MAX_GRAPH_NODES:
        lot_of = {e.target: e.source for e in found.edges if e.relation == "lot"}
        for n in items:
            folded[n.key] = "items:" + lot_of.get(n.key, "?")
    nodes: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for n in found.nodes:
        key = folded.get(n.key, n.key)
        counts[key] = counts.get(key, 0) + 1
        if key in nodes:
            continue
        nodes[key] = {
            "id": key,
            "name": n.label,
            "value": n.kind,
            "symbolSize": 34 if n.start else 22 if n.kind in ("lot", "container") else 14,
            "itemStyle": {"color": "#c0392b" if n.start else _COLOURS.get(n.kind, "#9aa5b1")},
            "label": {"show": n.kind != "item" or n.start or len(found.nodes) <= 30},
        }
    for key, count in counts.items():
        if key.startswith("items:"):
            nodes[key]["name"] = _("%(count)s items", count=count)
            nodes[key]["symbolSize"] = 20
            nodes[key]["label"] = {"show": True}
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for e in found.edges:
        source, target = folded.get(e.source, e.source), folded.get(e.target, e.target)
        if source == target or source not in nodes or target not in nodes:
            continue
        links.setdefault(
            (source, target),
            {"source": source, "target": target, "value": _(RELATION_LABELS[e.relation])},
        )
    return {
        "tooltip": {"formatter": "{b}"},
        "series": [
            {
                "type": "graph",
                "layout": "force",
                "roam": True,
                "draggable": True,
                "force": {"repulsion": 160, "edgeLength": [40, 110]},
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 7,
                "label": {"position": "right", "fontSize": 11},
                "lineStyle": {"color": "#8a99a8", "curveness": 0.1},
                "data": list(nodes.values()),
                "links": list(links.values()),
            }
        ],
    }


# --- logged-in pages ----------------------------------------------------------------------


@router.get("/trace", response_class=HTMLResponse)
def index(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Traceability: search, recall, mass balance, and how the QR codes work."""
    return _page(
        request,
        "trace/index.html",
        {"examples": service.examples(session), "events": service.event_count(session)},
        actor,
    )


@router.get("/trace/genealogy", response_class=HTMLResponse)
def genealogy(
    request: Request,
    session: DbSession,
    actor: UserActor,
    id: str = "",
    direction: Direction = "both",
) -> Response:
    """The genealogy of an identifier: graph, events, places, base, cold chain."""
    if not id.strip():
        return RedirectResponse("/trace", status_code=303)
    try:
        found = service.trace(session, identifier=id, direction=direction, actor=actor)
        chain = service.cold_chain_of(session, identifier=id, actor=actor)
    except DomainError as exc:
        if exc.status_code not in (404, 422):
            raise
        return _page(
            request,
            "trace/genealogy.html",
            {"found": None, "error": exc.message, "query": id, "direction": direction},
            actor,
            status=exc.status_code,
        )
    return _page(
        request,
        "trace/genealogy.html",
        {
            "found": found,
            "query": id,
            "direction": direction,
            "places": {p.key: p for p in found.locations},
            "graph": _chart(graph_option(found)),
            "chain": chain,
            "chain_chart": _chart(cold_chain.chart_option(chain)),
            "recall_link": "/trace/recall/" + quote(found.key, safe="")
            if found.kind == "lot"
            else None,
        },
        actor,
    )


@router.get("/trace/mass-balance", response_class=HTMLResponse)
def mass_balance(request: Request, session: DbSession, actor: UserActor) -> Response:
    """Mass balance: could the outputs have come from the inputs? Flags first."""
    found = service.mass_balance_of(session, actor=actor)
    return _page(request, "trace/mass_balance.html", {"found": found}, actor)


@router.get("/trace/recall", response_class=HTMLResponse)
def recall_form(lot: str = "") -> Response:
    """Go to the recall page of the lot typed in the landing page's form."""
    if not lot.strip():
        return RedirectResponse("/trace", status_code=303)
    return RedirectResponse("/trace/recall/" + quote(lot.strip(), safe=""), status_code=303)


@router.get("/trace/recall/{identifier:path}", response_class=HTMLResponse)
def recall(request: Request, identifier: str, session: DbSession, actor: UserActor) -> Response:
    """Recall of a lot: what it reached, who holds it, and the FSMA 204 spreadsheet."""
    try:
        found = service.recall_of(session, identifier=identifier, actor=actor)
    except DomainError as exc:
        if exc.status_code not in (404, 422):
            raise
        return _page(
            request,
            "trace/recall.html",
            {"found": None, "error": exc.message, "query": identifier},
            actor,
            status=exc.status_code,
        )
    export = "/api/trace/recall/" + quote(found.lot_key, safe="")
    return _page(
        request,
        "trace/recall.html",
        {"found": found, "query": identifier, "export": export},
        actor,
    )


# --- the public resolver --------------------------------------------------------------------


def _consumer(
    request: Request,
    session: DbSession,
    actor: Actor,
    *,
    gtin: str,
    lot: str | None,
    serial: str | None,
) -> Response:
    from plateau.trace.lineage import lookups

    state = request.app.state
    found = service.consumer_page(
        session, cache=state.consumer_cache, gtin=gtin, lot=lot, serial=serial
    )
    if _wants_json(request):
        view = found.view
        if view.photo_url:
            # An API client has no page to resolve a path against: the photo's whole URL.
            base = state.settings.base_url()
            view = view.model_copy(update={"photo_url": f"{base}{view.photo_url}"})
        return JSONResponse(view.model_dump(mode="json"))
    # Counted in this process's memory, handed to the job queue later: the GET writes nothing.
    settings = state.settings
    lookups.record(
        found.view.digital_link, factory=state.sessionmaker, every_s=settings.lookup_flush_s
    )
    context = {
        "view": found.view,
        "facts": found.facts,
        "chain_chart": _chart(cold_chain.chart_option(found.view.cold_chain)),
        "recognitions": found.recognitions,
        "standards": found.standards,
        "designs": found.designs,
        "lookups": found.lookups + 1,
        "lookup_warning_at": lookups.ITEM_WARNING_AT,
    }
    return _page(request, "trace/consumer.html", context, actor)


@router.get("/trace/scan")
def scan(gtin: str = "", lot: str = "", serial: str = "") -> Response:
    """Go to the consumer page of what was typed beside a QR code."""
    path = "/01/" + quote(gtin.strip(), safe="")
    if lot.strip():
        path += "/10/" + quote(lot.strip(), safe="")
    if serial.strip():
        path += "/21/" + quote(serial.strip(), safe="")
    return RedirectResponse(path if gtin.strip() else "/trace", status_code=303)


@router.get("/01/{gtin}", response_class=HTMLResponse)
def product_page(request: Request, gtin: str, session: DbSession, actor: CurrentActor) -> Response:
    return _consumer(request, session, actor, gtin=gtin, lot=None, serial=None)


@router.get("/01/{gtin}/10/{lot}", response_class=HTMLResponse)
def lot_page(
    request: Request, gtin: str, lot: str, session: DbSession, actor: CurrentActor
) -> Response:
    return _consumer(request, session, actor, gtin=gtin, lot=lot, serial=None)


@router.get("/01/{gtin}/10/{lot}/21/{serial}", response_class=HTMLResponse)
def item_page(
    request: Request, gtin: str, lot: str, serial: str, session: DbSession, actor: CurrentActor
) -> Response:
    return _consumer(request, session, actor, gtin=gtin, lot=lot, serial=serial)


@router.get("/01/{gtin}/21/{serial}", response_class=HTMLResponse)
def serial_page(
    request: Request, gtin: str, serial: str, session: DbSession, actor: CurrentActor
) -> Response:
    return _consumer(request, session, actor, gtin=gtin, lot=None, serial=serial)


@router.get("/resolve/{identifier:path}")
def resolve(request: Request, identifier: str, session: DbSession) -> Response:
    """Resolve an industrial-internet identifier (or a GS1 one) to its public page."""
    target = service.resolve_handle(session, identifier=identifier)
    if _wants_json(request):
        base = request.app.state.settings.base_url()
        return JSONResponse(service.handle_record(target, base_url=base))
    return RedirectResponse(target.path(), status_code=303)
