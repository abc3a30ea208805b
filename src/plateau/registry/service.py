"""Registry operations: the one entry point other packages and the routers call.

Reference data (places, industries, parks, bases, markets) lives here; enterprises and
statuses, holdings and projects are implemented in ``enterprises``, ``holdings`` and
``projects`` and re-exported below. Every function takes the session first and the caller
(``actor``) last; reads are filtered through ``access`` and writes checked there. Functions
flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from plateau.auth.schemas import Actor
from plateau.errors import Forbidden, NotFound
from plateau.i18n import _
from plateau.jobs.models import Job
from plateau.registry import access, exports, imports, names
from plateau.registry.choices import enterprise_choices, product_choices
from plateau.registry.enterprises import (
    Permissions,
    add_status,
    count_by_status,
    count_enterprises,
    create_enterprise,
    delete_enterprise,
    delete_status,
    enterprise_query,
    enterprises_with_status,
    enterprises_with_statuses,
    get_enterprise,
    list_enterprises,
    list_statuses,
    permissions,
    update_enterprise,
    update_status,
)
from plateau.registry.holdings import (
    MAX_PHOTO_BYTES,
    brand_query,
    certification_query,
    create_brand,
    create_certification,
    create_product,
    delete_brand,
    delete_certification,
    delete_product,
    get_brand,
    get_product,
    list_brands,
    list_certifications,
    list_products,
    product_query,
    public_product,
    public_product_photo,
    remove_product_photo,
    set_product_photo,
    update_product,
)
from plateau.registry.listing import (
    Listing,
    normal,
)
from plateau.registry.models import (
    County,
    Enterprise,
    Industry,
    MarketRegion,
    Park,
    Prefecture,
    RawMaterialBase,
)
from plateau.registry.names import EnterpriseName, ProductName
from plateau.registry.prefixes import (
    Holder,
    add_prefix,
    delete_prefix,
    list_prefixes,
)
from plateau.registry.prefixes import (
    holders_of as gtin_holders,
)
from plateau.registry.projects import (
    create_project,
    delete_project,
    get_project,
    list_projects,
    may_change_project,
    project_query,
    project_summary,
    update_project,
)
from plateau.registry.reference import MARKET_REGIONS, Refs, load_reference_data
from plateau.registry.schemas import (
    BrandFilter,
    CertificationFilter,
    EnterpriseFilter,
    ImportKind,
    ImportReport,
    ProductFilter,
    ProjectFilter,
)
from plateau.tabular import Column, Table, read_table

TableExport = exports.TableExport
ExportKind = exports.ExportKind


# --- reference data (public) ---


def load_reference(session: Session, *, actor: Actor) -> dict[str, int]:
    """Load places, industries, parks, bases and market regions from the plans (idempotent)."""
    if not actor.is_admin:
        raise Forbidden(_("Only the region administrator may load reference data."))
    return load_reference_data(session)


def scope_exists(session: Session, *, scope: str) -> bool:
    """Tell whether a scope (prefecture:<code>, park:<id>, enterprise:<uscc>) names a record."""
    kind, _sep, value = scope.partition(":")
    if not value:
        return False
    if kind == "prefecture":
        return session.get(Prefecture, value) is not None
    if kind == "park":
        return session.get(Park, value) is not None
    if kind == "enterprise":
        found = session.scalar(select(Enterprise.id).where(Enterprise.uscc == normal(value)))
        return found is not None
    return False


def product_names(
    session: Session, *, gtins: Iterable[str], actor: Actor
) -> dict[str, ProductName]:
    """Return the names (and enterprise) of the products with these GTINs that the caller
    may see, keyed by GTIN as given, in one statement per 500."""
    access.require_reader(actor)
    return names.product_names(session, gtins, access.visible_enterprises(actor))


def enterprise_names(
    session: Session, *, usccs: Iterable[str], actor: Actor
) -> dict[str, EnterpriseName]:
    """Return the names of the enterprises with these USCCs that the caller may see, keyed
    by USCC as given, in one statement per 500."""
    access.require_reader(actor)
    return names.enterprise_names(session, usccs, access.visible_enterprises(actor))


def reference(session: Session, *, actor: Actor) -> Refs:
    """Return every reference row in memory (for pages that show names beside codes)."""
    return Refs.load(session)


def list_prefectures(session: Session, *, actor: Actor) -> list[Prefecture]:
    """List the prefectures of the region (public)."""
    return list(session.scalars(select(Prefecture).order_by(Prefecture.code)))


def get_prefecture(session: Session, *, code: str, actor: Actor) -> Prefecture:
    """Return one prefecture or raise NotFound (public)."""
    found = session.get(Prefecture, code)
    if found is None:
        raise NotFound(_("No prefecture with code %(code)s.", code=code))
    return found


def list_counties(session: Session, *, prefecture: str | None = None, actor: Actor) -> list[County]:
    """List counties, optionally of one prefecture (public)."""
    stmt = select(County).order_by(County.code)
    if prefecture:
        stmt = stmt.where(County.prefecture_code == prefecture)
    return list(session.scalars(stmt))


def list_industries(session: Session, *, actor: Actor) -> list[Industry]:
    """List the eleven 533 industries with their GB/T 4754 classes (public)."""
    stmt = select(Industry).options(selectinload(Industry.classes)).order_by(Industry.sort_order)
    return list(session.scalars(stmt))


def list_parks(
    session: Session,
    *,
    prefecture: str | None = None,
    industry: str | None = None,
    actor: Actor,
) -> list[Park]:
    """List industrial parks, optionally by prefecture or industry (public)."""
    stmt = (
        select(Park).options(selectinload(Park.industries)).order_by(Park.prefecture_code, Park.id)
    )
    if prefecture:
        stmt = stmt.where(Park.prefecture_code == prefecture)
    if industry:
        stmt = stmt.where(Park.industries.any(Industry.id == industry))
    return list(session.scalars(stmt))


def get_park(session: Session, *, park_id: str, actor: Actor) -> Park:
    """Return one park with its industries or raise NotFound (public)."""
    park = session.scalar(
        select(Park).options(selectinload(Park.industries)).where(Park.id == park_id)
    )
    if park is None:
        raise NotFound(_("No park with id %(id)s.", id=park_id))
    return park


def list_bases(
    session: Session,
    *,
    prefecture: str | None = None,
    industry: str | None = None,
    actor: Actor,
) -> list[RawMaterialBase]:
    """List raw-material bases with their counties and industries (public)."""
    stmt = (
        select(RawMaterialBase)
        .options(selectinload(RawMaterialBase.counties), selectinload(RawMaterialBase.industries))
        .order_by(RawMaterialBase.id)
    )
    if prefecture:
        stmt = stmt.where(RawMaterialBase.counties.any(County.prefecture_code == prefecture))
    if industry:
        stmt = stmt.where(RawMaterialBase.industries.any(Industry.id == industry))
    return list(session.scalars(stmt))


def list_market_regions(session: Session, *, actor: Actor) -> list[MarketRegion]:
    """List the market regions, parents before children (public)."""
    declared = {m[0]: i for i, m in enumerate(MARKET_REGIONS)}
    rows = sorted(
        session.scalars(select(MarketRegion)),
        key=lambda r: (declared.get(r.id, len(declared)), r.id),
    )
    by_parent: dict[str | None, list[MarketRegion]] = {}
    for r in rows:
        by_parent.setdefault(r.parent_id, []).append(r)
    ordered: list[MarketRegion] = []

    def walk(parent: str | None) -> None:
        for child in by_parent.get(parent, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    return ordered


# --- overview, imports, exports ---


def may_register(actor: Actor) -> bool:
    """Tell whether the caller may register enterprises and projects (in their area)."""
    return access.may_register_enterprises(actor)


def may_import(kind: ImportKind, *, actor: Actor) -> bool:
    """Tell whether the caller may import files of ``kind``."""
    if kind == "products":
        return access.may_write_anything(actor)
    return access.may_register_enterprises(actor)


def registry_counts(session: Session, *, actor: Actor) -> dict[str, int]:
    """Count what the caller may see: enterprises and holdings (if logged in) and reference data."""

    def count(stmt: Select[Any]) -> int:
        return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0

    counts = {
        "prefectures": count(select(Prefecture.code)),
        "counties": count(select(County.code)),
        "industries": count(select(Industry.id)),
        "parks": count(select(Park.id)),
        "bases": count(select(RawMaterialBase.id)),
        "market_regions": count(select(MarketRegion.id)),
    }
    if actor.is_authenticated:
        counts["enterprises"] = count(enterprise_query(EnterpriseFilter(), actor))
        counts["products"] = count(product_query(ProductFilter(), actor))
        counts["brands"] = count(brand_query(BrandFilter(), actor))
        counts["certifications"] = count(certification_query(CertificationFilter(), actor))
        counts["projects"] = count(project_query(ProjectFilter(), actor))
    return counts


def import_table(
    session: Session, *, kind: ImportKind, table: Table, actor: Actor, dry_run: bool = False
) -> ImportReport:
    """Import a file of ``kind``: every row is checked first and nothing is written on any error."""
    if kind == "enterprises":
        return import_enterprises(session, table=table, actor=actor, dry_run=dry_run)
    if kind == "products":
        return import_products(session, table=table, actor=actor, dry_run=dry_run)
    if kind == "statuses":
        return import_statuses(session, table=table, actor=actor, dry_run=dry_run)
    return import_projects(session, table=table, actor=actor, dry_run=dry_run)


def import_upload(
    session: Session,
    *,
    kind: ImportKind,
    data: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
    job_above: int | None = None,
) -> ImportReport | Job:
    """Import an uploaded file now or, when larger than ``job_above`` bytes, by a background job."""
    if job_above is not None and len(data) > job_above:
        return queue_import(
            session, kind=kind, data=data, filename=filename, actor=actor, dry_run=dry_run
        )
    table = read_table(data, filename)
    return import_table(session, kind=kind, table=table, actor=actor, dry_run=dry_run)


def queue_import(
    session: Session,
    *,
    kind: ImportKind,
    data: bytes,
    filename: str,
    actor: Actor,
    dry_run: bool = False,
) -> Job:
    """Queue an import file as a background job, if the caller may import files of ``kind``."""
    from plateau.jobs import service as jobs_service

    access.require_reader(actor)
    if not may_import(kind, actor=actor):
        raise access.forbid_outside_scope(actor)
    return jobs_service.submit(
        session,
        kind="registry.import",
        params={"kind": kind, "filename": filename, "dry_run": dry_run},
        actor=actor,
        payload=data,
    )


def import_enterprises(
    session: Session, *, table: Table, actor: Actor, dry_run: bool = False
) -> ImportReport:
    """Import enterprises (existing USCC: update); all rows or none."""
    access.require_reader(actor)
    if not access.may_register_enterprises(actor):
        raise access.forbid_outside_scope(actor)
    return imports.import_enterprises(session, table=table, actor=actor, dry_run=dry_run)


def import_products(
    session: Session, *, table: Table, actor: Actor, dry_run: bool = False
) -> ImportReport:
    """Import products (existing GTIN: update); all rows or none."""
    access.require_reader(actor)
    if not access.may_write_anything(actor):
        raise access.forbid_outside_scope(actor)
    return imports.import_products(session, table=table, actor=actor, dry_run=dry_run)


def import_projects(
    session: Session, *, table: Table, actor: Actor, dry_run: bool = False
) -> ImportReport:
    """Import investment projects (same name in the same prefecture: update); all rows or none."""
    access.require_reader(actor)
    if not access.may_register_enterprises(actor):
        raise access.forbid_outside_scope(actor)
    return imports.import_projects(session, table=table, actor=actor, dry_run=dry_run)


def import_statuses(
    session: Session, *, table: Table, actor: Actor, dry_run: bool = False
) -> ImportReport:
    """Import dated statuses (same enterprise, kind and start: update); all rows or none."""
    access.require_reader(actor)
    if not access.may_register_enterprises(actor):
        raise access.forbid_outside_scope(actor)
    return imports.import_statuses(session, table=table, actor=actor, dry_run=dry_run)


def import_columns(kind: ImportKind) -> list[Column]:
    """Return the columns of an import file, headers in the user's language (for templates)."""
    return imports.template_columns(kind)


def import_required(kind: ImportKind) -> set[str]:
    """Return the keys of the columns an import file of ``kind`` must have."""
    return imports.required_keys(kind)


def export_rows(
    session: Session,
    *,
    kind: ExportKind,
    actor: Actor,
    filters: EnterpriseFilter
    | ProductFilter
    | BrandFilter
    | CertificationFilter
    | ProjectFilter
    | None = None,
) -> TableExport:
    """Return every row of a list (all pages, same filters) with translated column headers."""
    refs = Refs.load(session)
    if kind == "enterprises":
        ef = filters if isinstance(filters, EnterpriseFilter) else EnterpriseFilter()
        return exports.enterprises(session.scalars(enterprise_query(ef, actor)), refs)
    if kind == "products":
        pf = filters if isinstance(filters, ProductFilter) else ProductFilter()
        return exports.products(session.scalars(product_query(pf, actor)), refs)
    if kind == "brands":
        bf = filters if isinstance(filters, BrandFilter) else BrandFilter()
        return exports.brands(session.scalars(brand_query(bf, actor)))
    if kind == "certifications":
        cf = filters if isinstance(filters, CertificationFilter) else CertificationFilter()
        return exports.certifications(session.scalars(certification_query(cf, actor)))
    if kind == "projects":
        jf = filters if isinstance(filters, ProjectFilter) else ProjectFilter()
        return exports.projects(session.scalars(project_query(jf, actor)), refs)
    if kind == "prefectures":
        return exports.prefectures(list_prefectures(session, actor=actor))
    if kind == "counties":
        return exports.counties(list_counties(session, actor=actor), refs)
    if kind == "industries":
        return exports.industries(list_industries(session, actor=actor))
    if kind == "parks":
        return exports.parks(list_parks(session, actor=actor), refs)
    if kind == "bases":
        return exports.bases(list_bases(session, actor=actor))
    return exports.market_regions(list_market_regions(session, actor=actor))


__all__ = [
    "MAX_PHOTO_BYTES",
    "ExportKind",
    "Holder",
    "Listing",
    "Permissions",
    "TableExport",
    "add_prefix",
    "add_status",
    "count_by_status",
    "count_enterprises",
    "create_brand",
    "create_certification",
    "create_enterprise",
    "create_product",
    "create_project",
    "delete_brand",
    "delete_certification",
    "delete_enterprise",
    "delete_prefix",
    "delete_product",
    "delete_project",
    "delete_status",
    "enterprise_choices",
    "enterprises_with_status",
    "enterprises_with_statuses",
    "export_rows",
    "get_brand",
    "get_enterprise",
    "get_park",
    "get_prefecture",
    "get_product",
    "get_project",
    "gtin_holders",
    "import_columns",
    "import_enterprises",
    "import_products",
    "import_projects",
    "import_required",
    "import_statuses",
    "import_table",
    "list_bases",
    "list_brands",
    "list_certifications",
    "list_counties",
    "list_enterprises",
    "list_industries",
    "list_market_regions",
    "list_parks",
    "list_prefectures",
    "list_prefixes",
    "list_products",
    "list_projects",
    "list_statuses",
    "load_reference",
    "may_change_project",
    "may_import",
    "may_register",
    "permissions",
    "product_choices",
    "project_summary",
    "public_product",
    "public_product_photo",
    "reference",
    "registry_counts",
    "remove_product_photo",
    "scope_exists",
    "set_product_photo",
    "update_enterprise",
    "update_product",
    "update_project",
    "update_status",
]
