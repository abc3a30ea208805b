"""JSON API of genealogy, recall, mass balance, cold chain, locations, product kinds, QR labels
and industrial-internet identifiers; mounted under ``/api`` (paths ``/api/trace/…``).

Everything here needs a logged-in user or an API token and shows only what the caller's
scope allows (401 for the public). The public side — the consumer page and the resolver —
is in ``pages``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import Response

from plateau.tabular import export_response
from plateau.trace.lineage import service
from plateau.trace.lineage.genealogy import Direction
from plateau.trace.lineage.schemas import (
    ColdChainRead,
    HandleCreate,
    HandleRead,
    KindRead,
    KindUpdate,
    LocationCreate,
    LocationKind,
    LocationRead,
    MassBalanceRead,
    PrefixCreate,
    PrefixRead,
    ProductKindRead,
    ProductKindUpdate,
    RecallRead,
    TraceRead,
    YieldRead,
    YieldUpdate,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession

router = APIRouter(prefix="/trace", tags=["traceability"], dependencies=[Csrf])


@router.get("/mass-balance", response_model=MassBalanceRead)
def mass_balance(session: DbSession, actor: CurrentActor) -> MassBalanceRead:
    """Outputs against inputs of every transformation and lot you may see, flags first."""
    return service.mass_balance_of(session, actor=actor)


@router.get("/recall/{identifier:path}", response_model=RecallRead)
def recall(
    identifier: str,
    session: DbSession,
    actor: CurrentActor,
    format: Annotated[
        Literal["json", "csv", "xlsx"],
        Query(description="json, or csv / xlsx for the FSMA 204 sortable spreadsheet."),
    ] = "json",
) -> RecallRead | Response:
    """Everything downstream of a lot: lots, items, containers, locations, holders, and one
    row per critical tracking event with its key data elements."""
    if format == "json":
        return service.recall_of(session, identifier=identifier, actor=actor)
    columns, rows, name = service.recall_table(session, identifier=identifier, actor=actor)
    return export_response(format, columns, rows, filename=name)


@router.get("/cold-chain/{identifier:path}", response_model=ColdChainRead)
def cold_chain(identifier: str, session: DbSession, actor: CurrentActor) -> ColdChainRead:
    """Temperature readings on an identifier's journey, excursions marked."""
    return service.cold_chain_of(session, identifier=identifier, actor=actor)


@router.get("/locations", response_model=list[LocationRead])
def list_locations(
    session: DbSession, actor: CurrentActor, kind: LocationKind | None = None
) -> list[LocationRead]:
    """Registered locations and parties of the enterprises you may see (bases: all)."""
    rows = service.list_locations(session, actor=actor, kind=kind)
    return [LocationRead.model_validate(r) for r in rows]


@router.post("/locations", response_model=LocationRead, status_code=status.HTTP_201_CREATED)
def register_location(
    data: LocationCreate, session: DbSession, actor: CurrentActor
) -> LocationRead:
    """Register or update a location (GLN/SGLN) or party (PGLN): kind, names, county, base."""
    return LocationRead.model_validate(service.register_location(session, data=data, actor=actor))


@router.get("/kinds", response_model=list[KindRead])
def list_kinds(session: DbSession, actor: CurrentActor) -> list[KindRead]:
    """Product kinds with their storage temperatures."""
    return service.list_kinds(session, actor=actor)


@router.put("/kinds/{kind_id}", response_model=KindRead)
def update_kind(
    kind_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,47}$")],
    data: KindUpdate,
    session: DbSession,
    actor: CurrentActor,
) -> KindRead:
    """Create or change a product kind (region administrator)."""
    return service.update_kind(session, kind_id=kind_id, data=data, actor=actor)


@router.get("/yields", response_model=list[YieldRead])
def list_yields(session: DbSession, actor: CurrentActor) -> list[YieldRead]:
    """The yields mass balance checks transformations against."""
    return service.list_yields(session, actor=actor)


@router.put("/yields", response_model=YieldRead)
def update_yield(data: YieldUpdate, session: DbSession, actor: CurrentActor) -> YieldRead:
    """Create or change a yield (region administrator)."""
    return service.update_yield(session, data=data, actor=actor)


@router.get("/product-kinds", response_model=list[ProductKindRead])
def list_product_kinds(session: DbSession, actor: CurrentActor) -> list[ProductKindRead]:
    """Products with a kind and a unit mass."""
    return service.list_product_kinds(session, actor=actor)


@router.put("/product-kinds/{gtin}", response_model=ProductKindRead)
def set_product_kind(
    gtin: str, data: ProductKindUpdate, session: DbSession, actor: CurrentActor
) -> ProductKindRead:
    """Say which kind a product is and what one unit weighs (its enterprise, or the admin)."""
    return service.set_product_kind(session, gtin=gtin, data=data, actor=actor)


@router.get(
    "/labels",
    responses={200: {"content": {"application/zip": {}, "application/pdf": {}}}},
    response_class=Response,
)
def labels(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    gtin: Annotated[str, Query(pattern=r"^\d{8,14}$")],
    lot: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
    serials: Annotated[int, Query(ge=0, le=2000, description="New serialised items.")] = 0,
    format: Literal["zip", "pdf"] = "pdf",
) -> Response:
    """QR labels (GS1 Digital Link to this site) as a printable PDF sheet or a .zip of SVG/PNG."""
    body, media, name = service.make_labels(
        session,
        gtin=gtin,
        lot=lot,
        serials=serials,
        fmt=format,
        base_url=request.app.state.settings.base_url(),
        actor=actor,
    )
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/identifiers/prefixes", response_model=list[PrefixRead])
def list_prefixes(session: DbSession, actor: CurrentActor) -> list[PrefixRead]:
    """Industrial-internet identifier prefixes you may see."""
    return [PrefixRead.model_validate(p) for p in service.list_prefixes(session, actor=actor)]


@router.post(
    "/identifiers/prefixes", response_model=PrefixRead, status_code=status.HTTP_201_CREATED
)
def register_prefix(data: PrefixCreate, session: DbSession, actor: CurrentActor) -> PrefixRead:
    """Record the prefix a secondary node (二级节点) allocated to your enterprise."""
    return PrefixRead.model_validate(service.register_prefix(session, data=data, actor=actor))


@router.get("/identifiers", response_model=list[HandleRead])
def list_handles(
    session: DbSession,
    actor: CurrentActor,
    gtin: Annotated[str | None, Query(pattern=r"^\d{8,14}$")] = None,
) -> list[HandleRead]:
    """Identifiers minted under your prefixes."""
    return service.list_handles(session, actor=actor, gtin=gtin)


@router.post("/identifiers", response_model=HandleRead, status_code=status.HTTP_201_CREATED)
def mint_handle(data: HandleCreate, session: DbSession, actor: CurrentActor) -> HandleRead:
    """Mint (or return) the identifier of a product, lot or item; resolve it at /resolve/…"""
    return service.mint_handle(session, data=data, actor=actor)


@router.get("/{identifier:path}", response_model=TraceRead)
def trace(
    identifier: str,
    session: DbSession,
    actor: CurrentActor,
    direction: Direction = "both",
    depth: Annotated[int, Query(ge=1, le=100, description="Most links to follow.")] = 40,
) -> TraceRead:
    """Trace an item, lot, case or pallet back to its raw-material base and forward to every
    location and party: nodes, edges, events, locations, parties, base and county."""
    return service.trace(
        session, identifier=identifier, direction=direction, actor=actor, max_depth=depth
    )
