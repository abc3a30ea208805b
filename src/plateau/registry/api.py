"""JSON API of the registry: enterprises, statuses, products, brands, certificates, projects,
and the public reference data (prefectures, counties, industries, parks, bases, markets).

Every list takes ``format=csv|xlsx`` to download all matching rows instead of one page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.jobs import api as jobs_api
from plateau.jobs.api import JOB_ACCEPTED
from plateau.paging import Page, page_of
from plateau.registry import service
from plateau.registry.schemas import (
    BaseRead,
    BrandCreate,
    BrandFilter,
    BrandRead,
    CertificationCreate,
    CertificationFilter,
    CertificationRead,
    CompanyPrefixCreate,
    CompanyPrefixRead,
    CountyRead,
    EnterpriseCreate,
    EnterpriseFilter,
    EnterpriseRead,
    EnterpriseUpdate,
    ImportKind,
    ImportReport,
    IndustryRead,
    MarketRegionRead,
    ParkRead,
    PrefectureRead,
    ProductCreate,
    ProductFilter,
    ProductRead,
    ProductUpdate,
    ProjectCreate,
    ProjectFilter,
    ProjectRead,
    ProjectUpdate,
    StageSummary,
    StatusCreate,
    StatusKind,
    StatusRead,
    StatusUpdate,
)
from plateau.tabular import XLSX_MEDIA, export_response, to_csv, to_xlsx
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import Format, PageNo, PerPage, read_upload_sync

router = APIRouter(prefix="/registry", tags=["registry"], dependencies=[Csrf])


def _export(
    session: DbSession,
    kind: service.ExportKind,
    fmt: str,
    actor: CurrentActor,
    filters: EnterpriseFilter
    | ProductFilter
    | BrandFilter
    | CertificationFilter
    | ProjectFilter
    | None = None,
) -> Response:
    table = service.export_rows(session, kind=kind, actor=actor, filters=filters)
    return export_response(fmt, table.columns, table.rows, filename=table.filename)


def _import(
    request: Request,
    session: Session,
    actor: Actor,
    kind: ImportKind,
    file: UploadFile,
    dry_run: bool,
) -> ImportReport | Response:
    data, filename = read_upload_sync(request, file)
    outcome = service.import_upload(
        session,
        kind=kind,
        data=data,
        filename=filename,
        actor=actor,
        dry_run=dry_run,
        job_above=request.app.state.settings.import_job_bytes,
    )
    if isinstance(outcome, ImportReport):
        return outcome
    return jobs_api.accepted(outcome)


# --- reference data (public) ---


@router.get("/prefectures", response_model=list[PrefectureRead])
def prefectures(
    session: DbSession, actor: CurrentActor, format: Format = "json"
) -> list[PrefectureRead] | Response:
    """List the seven prefectures of Tibet (GB/T 2260 codes)."""
    if format != "json":
        return _export(session, "prefectures", format, actor)
    return [
        PrefectureRead.model_validate(p) for p in service.list_prefectures(session, actor=actor)
    ]


@router.get("/counties", response_model=list[CountyRead])
def counties(
    session: DbSession,
    actor: CurrentActor,
    prefecture: Annotated[str | None, Query(description="Only this prefecture's.")] = None,
    format: Format = "json",
) -> list[CountyRead] | Response:
    """List the counties and districts (GB/T 2260), optionally of one prefecture."""
    if format != "json":
        return _export(session, "counties", format, actor)
    rows = service.list_counties(session, prefecture=prefecture, actor=actor)
    return [CountyRead.model_validate(c) for c in rows]


@router.get("/industries", response_model=list[IndustryRead])
def industries(
    session: DbSession, actor: CurrentActor, format: Format = "json"
) -> list[IndustryRead] | Response:
    """List the eleven industries of the 533 system with their GB/T 4754-2017 classes."""
    if format != "json":
        return _export(session, "industries", format, actor)
    return [IndustryRead.model_validate(i) for i in service.list_industries(session, actor=actor)]


@router.get("/parks", response_model=list[ParkRead])
def parks(
    session: DbSession,
    actor: CurrentActor,
    prefecture: str | None = None,
    industry: str | None = None,
    format: Format = "json",
) -> list[ParkRead] | Response:
    """List the industrial parks (专栏3) with their industries."""
    if format != "json":
        return _export(session, "parks", format, actor)
    rows = service.list_parks(session, prefecture=prefecture, industry=industry, actor=actor)
    return [ParkRead.model_validate(p) for p in rows]


@router.get("/parks/{park_id}", response_model=ParkRead)
def park(session: DbSession, actor: CurrentActor, park_id: str) -> ParkRead:
    """Return one industrial park."""
    return ParkRead.model_validate(service.get_park(session, park_id=park_id, actor=actor))


@router.get("/bases", response_model=list[BaseRead])
def bases(
    session: DbSession,
    actor: CurrentActor,
    prefecture: str | None = None,
    industry: str | None = None,
    format: Format = "json",
) -> list[BaseRead] | Response:
    """List the raw-material bases (专栏4) with their counties and industries."""
    if format != "json":
        return _export(session, "bases", format, actor)
    rows = service.list_bases(session, prefecture=prefecture, industry=industry, actor=actor)
    return [BaseRead.model_validate(b) for b in rows]


@router.get("/market-regions", response_model=list[MarketRegionRead])
def market_regions(
    session: DbSession, actor: CurrentActor, format: Format = "json"
) -> list[MarketRegionRead] | Response:
    """List the market regions (within Tibet, rest of China, export), parents first."""
    if format != "json":
        return _export(session, "market-regions", format, actor)
    rows = service.list_market_regions(session, actor=actor)
    return [MarketRegionRead.model_validate(m) for m in rows]


# --- enterprises and statuses ---


@router.get("/enterprises", response_model=Page[EnterpriseRead])
def enterprises(
    session: DbSession,
    actor: UserActor,
    filters: Annotated[EnterpriseFilter, Query()],
    page: PageNo = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Page[EnterpriseRead] | Response:
    """List the enterprises in scope; filter by place, industry, and status held on a date."""
    if format != "json":
        return _export(session, "enterprises", format, actor, filters)
    found = service.list_enterprises(
        session, filters=filters, page=page, per_page=per_page, actor=actor
    )
    return page_of(EnterpriseRead, found)


@router.post("/enterprises", response_model=EnterpriseRead, status_code=201)
def create_enterprise(
    session: DbSession, actor: UserActor, data: EnterpriseCreate
) -> EnterpriseRead:
    """Register an enterprise (USCC checked per GB 32100-2015); officers within their area."""
    ent = service.create_enterprise(session, data=data, actor=actor, source="api")
    return EnterpriseRead.model_validate(ent)


@router.post("/enterprises/import", response_model=ImportReport, responses=JOB_ACCEPTED)
def import_enterprises(
    request: Request,
    session: DbSession,
    actor: UserActor,
    file: Annotated[UploadFile, File(description="CSV or XLSX with a header row.")],
    dry_run: Annotated[bool, Form(description="Check only, write nothing.")] = False,
) -> ImportReport | Response:
    """Import enterprises from CSV/XLSX: all rows or none; 422 lists every bad row and column.

    A file above 256 KB (``PLATEAU_IMPORT_JOB_BYTES``) is checked and written by a background
    job: the answer is then 202 with the job, followed at ``/api/jobs/{id}``."""
    return _import(request, session, actor, "enterprises", file, dry_run)


@router.get("/enterprises/{uscc}", response_model=EnterpriseRead)
def enterprise(session: DbSession, actor: UserActor, uscc: str) -> EnterpriseRead:
    """Return one enterprise with its statuses (404 when outside the caller's scope)."""
    return EnterpriseRead.model_validate(service.get_enterprise(session, uscc=uscc, actor=actor))


@router.patch("/enterprises/{uscc}", response_model=EnterpriseRead)
def update_enterprise(
    session: DbSession, actor: UserActor, uscc: str, data: EnterpriseUpdate
) -> EnterpriseRead:
    """Change an enterprise; fields left out stay as they are."""
    ent = service.update_enterprise(session, uscc=uscc, data=data, actor=actor)
    return EnterpriseRead.model_validate(ent)


@router.delete("/enterprises/{uscc}", status_code=204)
def delete_enterprise(session: DbSession, actor: UserActor, uscc: str) -> Response:
    """Delete an enterprise and all it holds (region administrator only)."""
    service.delete_enterprise(session, uscc=uscc, actor=actor)
    return Response(status_code=204)


@router.get("/enterprises/{uscc}/statuses", response_model=list[StatusRead])
def statuses(session: DbSession, actor: UserActor, uscc: str) -> list[StatusRead]:
    """List an enterprise's dated statuses (规上, 高新技术, 专精特新, 小巨人, …)."""
    return [
        StatusRead.model_validate(s) for s in service.list_statuses(session, uscc=uscc, actor=actor)
    ]


@router.post("/enterprises/{uscc}/statuses", response_model=StatusRead, status_code=201)
def add_status(session: DbSession, actor: UserActor, uscc: str, data: StatusCreate) -> StatusRead:
    """Record a status with its validity dates (officers and the administrator)."""
    return StatusRead.model_validate(service.add_status(session, uscc=uscc, data=data, actor=actor))


@router.patch("/enterprises/{uscc}/statuses/{status_id}", response_model=StatusRead)
def update_status(
    session: DbSession, actor: UserActor, uscc: str, status_id: int, data: StatusUpdate
) -> StatusRead:
    """Change a status's level, end date or certificate number."""
    status = service.update_status(session, uscc=uscc, status_id=status_id, data=data, actor=actor)
    return StatusRead.model_validate(status)


@router.delete("/enterprises/{uscc}/statuses/{status_id}", status_code=204)
def delete_status(session: DbSession, actor: UserActor, uscc: str, status_id: int) -> Response:
    """Delete a status recorded in error."""
    service.delete_status(session, uscc=uscc, status_id=status_id, actor=actor)
    return Response(status_code=204)


@router.get("/status-counts", response_model=dict[str, int])
def status_counts(
    session: DbSession,
    actor: UserActor,
    on: Annotated[
        date | None, Query(description="Date the statuses must be valid on (today).")
    ] = None,
    kind: StatusKind | None = None,
    group_by: Literal["kind", "prefecture", "industry", "park"] = "kind",
) -> dict[str, int]:
    """Count the enterprises in scope holding each status on a date (or one status by place)."""
    return service.count_by_status(
        session, on=on or date.today(), kind=kind, group_by=group_by, actor=actor
    )


# --- brands, products, certifications ---


@router.get("/brands", response_model=Page[BrandRead])
def brands(
    session: DbSession,
    actor: UserActor,
    filters: Annotated[BrandFilter, Query()],
    page: PageNo = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Page[BrandRead] | Response:
    """List the brands of the enterprises in the caller's scope."""
    if format != "json":
        return _export(session, "brands", format, actor, filters)
    found = service.list_brands(session, filters=filters, page=page, per_page=per_page, actor=actor)
    return page_of(BrandRead, found)


@router.post("/brands", response_model=BrandRead, status_code=201)
def create_brand(session: DbSession, actor: UserActor, data: BrandCreate) -> BrandRead:
    """Register a brand of an enterprise (its officers, or the enterprise itself)."""
    return BrandRead.model_validate(service.create_brand(session, data=data, actor=actor))


@router.delete("/brands/{brand_id}", status_code=204)
def delete_brand(session: DbSession, actor: UserActor, brand_id: int) -> Response:
    """Delete a brand; its products remain, without a brand."""
    service.delete_brand(session, brand_id=brand_id, actor=actor)
    return Response(status_code=204)


@router.get("/products", response_model=Page[ProductRead])
def products(
    session: DbSession,
    actor: UserActor,
    filters: Annotated[ProductFilter, Query()],
    page: PageNo = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Page[ProductRead] | Response:
    """List the products (GTIN) of the enterprises in the caller's scope."""
    if format != "json":
        return _export(session, "products", format, actor, filters)
    found = service.list_products(
        session, filters=filters, page=page, per_page=per_page, actor=actor
    )
    return page_of(ProductRead, found)


@router.post("/products", response_model=ProductRead, status_code=201)
def create_product(session: DbSession, actor: UserActor, data: ProductCreate) -> ProductRead:
    """Register a product; its GTIN check digit is verified and stored as GTIN-14."""
    return ProductRead.model_validate(service.create_product(session, data=data, actor=actor))


@router.post("/products/import", response_model=ImportReport, responses=JOB_ACCEPTED)
def import_products(
    request: Request,
    session: DbSession,
    actor: UserActor,
    file: Annotated[UploadFile, File(description="CSV or XLSX with a header row.")],
    dry_run: Annotated[bool, Form(description="Check only, write nothing.")] = False,
) -> ImportReport | Response:
    """Import products from CSV/XLSX: all rows or none; 422 lists every bad row and column.

    A file above 256 KB is imported by a background job (202 with the job)."""
    return _import(request, session, actor, "products", file, dry_run)


@router.get("/products/{gtin}", response_model=ProductRead)
def product(session: DbSession, actor: UserActor, gtin: str) -> ProductRead:
    """Return one product by GTIN (8 to 14 digits)."""
    return ProductRead.model_validate(service.get_product(session, gtin=gtin, actor=actor))


@router.patch("/products/{gtin}", response_model=ProductRead)
def update_product(
    session: DbSession, actor: UserActor, gtin: str, data: ProductUpdate
) -> ProductRead:
    """Change a product's names, brand, industry, category, origin or licence number."""
    return ProductRead.model_validate(
        service.update_product(session, gtin=gtin, data=data, actor=actor)
    )


@router.put("/products/{gtin}/photo", status_code=204)
def put_product_photo(
    session: DbSession,
    actor: UserActor,
    gtin: str,
    file: Annotated[UploadFile, File(description="A PNG, JPEG or WebP picture up to 2 MB.")],
) -> Response:
    """Give a product its photo (shown on the page behind its QR code), replacing any earlier one.

    The picture is checked by its own bytes, not its name or declared type."""
    # FastAPI has spooled the upload to a temporary file; this plain def reads it off the loop.
    blob = file.file.read(service.MAX_PHOTO_BYTES + 1)
    service.set_product_photo(session, gtin=gtin, blob=blob, actor=actor)
    return Response(status_code=204)


@router.delete("/products/{gtin}/photo", status_code=204)
def delete_product_photo(session: DbSession, actor: UserActor, gtin: str) -> Response:
    """Remove a product's photo."""
    service.remove_product_photo(session, gtin=gtin, actor=actor)
    return Response(status_code=204)


@router.delete("/products/{gtin}", status_code=204)
def delete_product(session: DbSession, actor: UserActor, gtin: str) -> Response:
    """Delete a product."""
    service.delete_product(session, gtin=gtin, actor=actor)
    return Response(status_code=204)


@router.get("/enterprises/{uscc}/prefixes", response_model=list[CompanyPrefixRead])
def prefixes(session: DbSession, actor: UserActor, uscc: str) -> list[CompanyPrefixRead]:
    """List the GS1 company prefixes (and assigned GTINs) an enterprise holds."""
    return [
        CompanyPrefixRead.model_validate(p)
        for p in service.list_prefixes(session, uscc=uscc, actor=actor)
    ]


@router.post("/enterprises/{uscc}/prefixes", response_model=CompanyPrefixRead, status_code=201)
def add_prefix(
    session: DbSession, actor: UserActor, uscc: str, data: CompanyPrefixCreate
) -> CompanyPrefixRead:
    """Record a GS1 company prefix or an assigned GTIN of an enterprise (its area's officers)."""
    return CompanyPrefixRead.model_validate(
        service.add_prefix(session, uscc=uscc, data=data, actor=actor)
    )


@router.delete("/enterprises/{uscc}/prefixes/{prefix}", status_code=204)
def delete_prefix(session: DbSession, actor: UserActor, uscc: str, prefix: str) -> Response:
    """Remove a GS1 company prefix of an enterprise (its area's officers)."""
    service.delete_prefix(session, uscc=uscc, prefix=prefix, actor=actor)
    return Response(status_code=204)


@router.get("/certifications", response_model=Page[CertificationRead])
def certifications(
    session: DbSession,
    actor: UserActor,
    filters: Annotated[CertificationFilter, Query()],
    page: PageNo = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Page[CertificationRead] | Response:
    """List certificates (organic, green food, geographical indication, 地球第三极, GMP)."""
    if format != "json":
        return _export(session, "certifications", format, actor, filters)
    found = service.list_certifications(
        session, filters=filters, page=page, per_page=per_page, actor=actor
    )
    return page_of(CertificationRead, found)


@router.post("/certifications", response_model=CertificationRead, status_code=201)
def create_certification(
    session: DbSession, actor: UserActor, data: CertificationCreate
) -> CertificationRead:
    """Record a certificate of an enterprise or of one of its products."""
    cert = service.create_certification(session, data=data, actor=actor)
    return CertificationRead.model_validate(cert)


@router.delete("/certifications/{certification_id}", status_code=204)
def delete_certification(session: DbSession, actor: UserActor, certification_id: int) -> Response:
    """Delete a certificate."""
    service.delete_certification(session, certification_id=certification_id, actor=actor)
    return Response(status_code=204)


# --- investment projects ---


@router.get("/projects", response_model=Page[ProjectRead])
def projects(
    session: DbSession,
    actor: UserActor,
    filters: Annotated[ProjectFilter, Query()],
    page: PageNo = 1,
    per_page: PerPage = 50,
    format: Format = "json",
) -> Page[ProjectRead] | Response:
    """List the investment projects (招商引资项目库) in the caller's scope."""
    if format != "json":
        return _export(session, "projects", format, actor, filters)
    found = service.list_projects(
        session, filters=filters, page=page, per_page=per_page, actor=actor
    )
    return page_of(ProjectRead, found)


@router.post("/projects", response_model=ProjectRead, status_code=201)
def create_project(session: DbSession, actor: UserActor, data: ProjectCreate) -> ProjectRead:
    """Add a project to the library (amount in CNY; stage planning/signed/under_construction/in_production)."""
    return ProjectRead.model_validate(service.create_project(session, data=data, actor=actor))


@router.post("/projects/import", response_model=ImportReport, responses=JOB_ACCEPTED)
def import_projects(
    request: Request,
    session: DbSession,
    actor: UserActor,
    file: Annotated[UploadFile, File(description="CSV or XLSX with a header row.")],
    dry_run: Annotated[bool, Form(description="Check only, write nothing.")] = False,
) -> ImportReport | Response:
    """Import projects from CSV/XLSX: all rows or none; 422 lists every bad row and column.

    A file above 256 KB is imported by a background job (202 with the job)."""
    return _import(request, session, actor, "projects", file, dry_run)


@router.get("/projects/summary", response_model=list[StageSummary])
def project_summary(
    session: DbSession, actor: UserActor, filters: Annotated[ProjectFilter, Query()]
) -> list[StageSummary]:
    """Count the projects in scope and sum their investment, by stage."""
    return service.project_summary(session, filters=filters, actor=actor)


@router.get("/projects/{project_id}", response_model=ProjectRead)
def project(session: DbSession, actor: UserActor, project_id: int) -> ProjectRead:
    """Return one investment project."""
    return ProjectRead.model_validate(
        service.get_project(session, project_id=project_id, actor=actor)
    )


@router.patch("/projects/{project_id}", response_model=ProjectRead)
def update_project(
    session: DbSession, actor: UserActor, project_id: int, data: ProjectUpdate
) -> ProjectRead:
    """Change a project, e.g. move it to the next stage."""
    return ProjectRead.model_validate(
        service.update_project(session, project_id=project_id, data=data, actor=actor)
    )


@router.delete("/projects/{project_id}", status_code=204)
def delete_project(session: DbSession, actor: UserActor, project_id: int) -> Response:
    """Delete a project from the library."""
    service.delete_project(session, project_id=project_id, actor=actor)
    return Response(status_code=204)


@router.get("/import-templates/{kind}")
def import_template(
    kind: ImportKind,
    format: Annotated[Literal["xlsx", "csv"], Query(description="xlsx or csv.")] = "xlsx",
) -> Response:
    """Download an empty import file (the header row) for enterprises, products or projects."""
    columns = service.import_columns(kind)
    if format == "csv":
        body, media = to_csv(columns, []), "text/csv; charset=utf-8"
    else:
        body, media = to_xlsx(columns, [], sheet=kind), XLSX_MEDIA
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{kind}-template.{format}"'},
    )
