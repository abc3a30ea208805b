"""The home page of each role: what it is for is declared here, the figures come from services.

A home page is a list of panels. Each ``HomePanel`` names the roles it is for, its template
and the function that loads its context (a dotted path, imported when the page is drawn, so
a domain that lands adds one line here, as the policy domain does for entitlements). A
panel whose loader returns ``None`` is left out.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.web.navigation import LOGGED_IN, OFFICIALS


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    loader: str  # "module:function", called as function(session, actor=actor) -> dict | None
    roles: frozenset[Role] | None = None  # None: everybody, the public included


ENTERPRISE = frozenset({Role.ENTERPRISE_USER})
PUBLIC_ONLY = frozenset({Role.PUBLIC})

HOME_PANELS: tuple[HomePanel, ...] = (
    HomePanel("todo", "web/_home_todo.html", "plateau.web.home:officer_todo", OFFICIALS),
    HomePanel("area", "web/_home_area.html", "plateau.web.home:own_area", OFFICIALS),
    HomePanel("messages", "messaging/_home_messages.html", "plateau.messaging.service:home_panel", ENTERPRISE),
    HomePanel("returns_due", "web/_home_returns_due.html", "plateau.web.home:returns_due", ENTERPRISE),
    HomePanel("entitlements", "web/_home_entitlements.html", "plateau.web.home:entitlements_slot", ENTERPRISE),
    HomePanel("products", "web/_home_products.html", "plateau.web.home:product_trace", ENTERPRISE),
    HomePanel("progress", "web/_home_progress.html", "plateau.web.home:public_progress", PUBLIC_ONLY),
    HomePanel("pages", "web/_home_pages.html", "plateau.web.home:shortcuts", LOGGED_IN),
)  # fmt: skip


def _call(dotted: str) -> Callable[..., dict[str, Any] | None]:
    module, _sep, name = dotted.partition(":")
    func: Callable[..., dict[str, Any] | None] = getattr(importlib.import_module(module), name)
    return func


def panels(session: Session, *, actor: Actor) -> list[tuple[HomePanel, dict[str, Any]]]:
    """The panels of ``actor``'s home page with their context, in declaration order."""
    shown: list[tuple[HomePanel, dict[str, Any]]] = []
    for panel in HOME_PANELS:
        if panel.roles is not None and actor.role not in panel.roles:
            continue
        ctx = _call(panel.loader)(session, actor=actor)
        if ctx is not None:
            shown.append((panel, ctx))
    return shown


def own_scope(actor: Actor) -> str:
    """The dashboard scope an official opens on: their prefecture or park, else the region."""
    if actor.role in (Role.PREFECTURE_OFFICER, Role.PARK_OFFICER) and actor.scope:
        return actor.scope
    return "region"


# --- loaders ---


def officer_todo(session: Session, *, actor: Actor) -> dict[str, Any]:
    """Returns waiting for review, late filers, warnings in scope, periods to lock."""
    from plateau.monitoring import access as monitoring_access
    from plateau.monitoring import service as monitoring_service
    from plateau.monitoring.analytics import service as analytics_service
    from plateau.monitoring.schemas import ReturnFilter

    period = monitoring_service.report_period()
    pending = None
    if monitoring_access.may_review_any(actor):
        pending = monitoring_service.list_returns(
            session, filters=ReturnFilter(status="submitted"), per_page=1, actor=actor
        ).total
    late = monitoring_service.late_filers(session, period=str(period), actor=actor)
    warnings = analytics_service.warnings_report(session, actor=actor)
    to_lock: list[Any] = []
    if actor.is_admin:
        now = datetime.now().astimezone()
        to_lock = [
            line
            for line in monitoring_service.periods_overview(session, actor=actor, years=0)
            if not line.locked and line.deadline < now and sum(line.counts.values()) > 0
        ]
    return {
        "period": period,
        "pending": pending,
        "late": len([f for f in late if f.overdue]),
        "off_track": len(warnings.off_track),
        "declining": len(warnings.declining),
        "outliers": len(warnings.outliers or []),
        "to_lock": to_lock,
        "show_lock": actor.is_admin,
    }


def own_area(session: Session, *, actor: Actor) -> dict[str, Any]:
    """Where the official's own area stands against its targets (the nearest target year)."""
    from plateau.monitoring.analytics import service as analytics_service

    scope = own_scope(actor)
    board = analytics_service.dashboard(session, actor=actor, scope=scope)
    rows = [p for p in board.progress if p.computable]
    years = sorted({p.target_year for p in rows if p.target_year >= board.year})
    nearest = years[0] if years else None
    from plateau.formatting import loc
    from plateau.monitoring.analytics.indicators import catalog as indicator_catalog

    figures = []
    for indicator, value in board.headline.items():
        ind = indicator_catalog().get(indicator)
        if ind is not None and value is not None:
            figures.append({"name": loc(ind), "value": value, "unit": ind.unit})
    return {
        "figures": figures,
        "year": board.year,
        "scope": board.scope,
        "href": "/monitoring/dashboard" + ("" if scope == "region" else f"/{scope}"),
        "rows": [p for p in rows if p.target_year == nearest],
        "target_year": nearest,
        "latest": board.latest,
    }


def returns_due(session: Session, *, actor: Actor) -> dict[str, Any] | None:
    """The enterprise's recent periods: filed, due or late."""
    from plateau.errors import NotFound
    from plateau.monitoring import service as monitoring_service
    from plateau.monitoring.schemas import ReturnFilter
    from plateau.registry import service as registry_service

    if not actor.scope_value:
        return None
    try:
        enterprise = registry_service.get_enterprise(session, uscc=actor.scope_value, actor=actor)
    except NotFound:
        return None
    filed = {
        r["period"]: r
        for r in monitoring_service.list_returns(
            session, filters=ReturnFilter(), per_page=24, actor=actor
        ).items
    }
    lines = monitoring_service.periods_overview(session, actor=actor, months=3, years=1)
    now = datetime.now().astimezone()
    due = []
    for line in lines:
        found = filed.get(str(line.period))
        status = found["status"] if found else None
        open_ = status in (None, "draft", "returned") and not line.locked
        due.append(
            {
                "period": line.period,
                "deadline": line.deadline,
                "status": status,
                "open": open_,
                "late": open_ and line.deadline < now,
                "href": f"/monitoring/returns/{enterprise.uscc}/{line.period}",
            }
        )
    return {"enterprise": enterprise, "due": due}


def entitlements_slot(session: Session, *, actor: Actor) -> dict[str, Any] | None:
    """Placeholder until the policy domain lands: it replaces this loader with its own."""
    return {}


def product_trace(session: Session, *, actor: Actor) -> dict[str, Any] | None:
    """The enterprise's products, each with the lots the trace repository holds."""
    from plateau.registry import service as registry_service
    from plateau.trace.lineage import service as trace_service

    products = registry_service.list_products(session, per_page=50, actor=actor).items
    if not products:
        return {"products": []}
    gtins = {p.gtin for p in products}
    lots: dict[str, list[Any]] = {}
    for ex in trace_service.examples(session, per_product=3):
        gtin = ex.path.split("/")[2]
        if gtin in gtins and ex.kind == "lot":
            lots.setdefault(gtin, []).append(ex)
    return {"products": [(p, lots.get(p.gtin, [])) for p in products]}


def public_progress(session: Session, *, actor: Actor) -> dict[str, Any] | None:
    """The region's latest measured figures against the plan's targets."""
    from plateau.monitoring.analytics import service as analytics_service

    overview = analytics_service.public_overview(session)
    if overview is None:
        return None
    return {"overview": overview}


def shortcuts(session: Session, *, actor: Actor) -> dict[str, Any]:
    """The pages this role may open, each with what it is for."""
    from plateau.web.navigation import page_list

    return {"links": [i for i in page_list(actor) if i.href != "/"]}
