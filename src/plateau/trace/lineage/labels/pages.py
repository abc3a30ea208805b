"""The label printing page: choose a product, a lot, how many labels and their size; print
the sheet from the browser. A GET that draws labels writes nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from plateau.errors import ValidationFailed
from plateau.trace.lineage.labels import service
from plateau.web.deps import DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/trace/labels", response_class=HTMLResponse)
def labels_page(
    request: Request,
    session: DbSession,
    actor: UserActor,
    gtin: str = "",
    lot: str = "",
    kind: str = "lot",
    count: int = 24,
    size: str = "medium",
) -> Response:
    products = service.choices(session, actor=actor)
    chosen = gtin.strip().zfill(14) if gtin.strip() else (products[0].gtin if products else "")
    ctx: dict[str, Any] = {
        "products": products,
        "gtin": chosen,
        "lot": lot,
        "kind": kind,
        "count": count,
        "size": size if size in service.SIZES else "medium",
        "sizes": service.SIZES,
        "lots": service.known_lots(session, gtin=chosen) if chosen else [],
        "printed": [],
        "failure": None,
        "public_url": request.app.state.settings.base_url(),
    }
    status = 200
    if gtin.strip():
        try:
            ctx["printed"] = service.sheet(
                session,
                gtin=chosen,
                lot=lot,
                kind=kind,
                count=count,
                base_url=ctx["public_url"],
                actor=actor,
            )
        except ValidationFailed as exc:
            ctx["failure"] = exc
            status = 422
    return render(
        request, "trace/labels.html", ctx, actor=actor, active="trace", status_code=status
    )
