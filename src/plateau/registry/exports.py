"""Rows and translated columns of every registry list, for CSV and Excel export.

Column headers of enterprises, products and projects match the import headers, so an
exported file can be edited and imported again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from plateau.i18n import _, get_locale, lazy
from plateau.registry.models import (
    Brand,
    Certification,
    County,
    Enterprise,
    Industry,
    InvestmentProject,
    MarketRegion,
    Park,
    Prefecture,
    Product,
    RawMaterialBase,
)
from plateau.registry.reference import Refs
from plateau.registry.schemas import (
    CERTIFICATION_LABELS,
    LICENCE_LABELS,
    MARKET_KIND_LABELS,
    PARK_LEVEL_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
)
from plateau.tabular import Column

ExportKind = Literal[
    "enterprises",
    "products",
    "brands",
    "certifications",
    "projects",
    "prefectures",
    "counties",
    "industries",
    "parks",
    "bases",
    "market-regions",
]

# Column labels: English message ids. Import headers use the same ones (see imports.py).
LABELS: dict[str, str] = {
    "uscc": lazy("USCC"),
    "enterprise_name": lazy("Enterprise name"),
    "name_en": lazy("English name"),
    "prefecture": lazy("Prefecture"),
    "prefecture_name": lazy("Prefecture name"),
    "county": lazy("County"),
    "county_name": lazy("County name"),
    "park": lazy("Park"),
    "park_name": lazy("Park name"),
    "gbt4754": lazy("GB/T 4754 code"),
    "gbt4754_name": lazy("GB/T 4754 class"),
    "industry": lazy("Industry"),
    "industry_name": lazy("Industry name"),
    "founded_date": lazy("Date founded"),
    "address": lazy("Address"),
    "statuses": lazy("Current statuses"),
    "source": lazy("Source"),
    "gtin": lazy("GTIN"),
    "product_name": lazy("Product name"),
    "brand": lazy("Brand"),
    "category": lazy("Category"),
    "net_content": lazy("Net content"),
    "origin_base": lazy("Raw-material base"),
    "licence_kind": lazy("Licence kind"),
    "licence_no": lazy("Licence or approval number"),
    "trademark_no": lazy("Trademark number"),
    "well_known": lazy("Well-known trademark"),
    "kind": lazy("Kind"),
    "certificate_no": lazy("Certificate number"),
    "issuer": lazy("Issuer"),
    "valid_from": lazy("Valid from"),
    "valid_to": lazy("Valid to"),
    "project_id": lazy("Project id"),
    "project_name": lazy("Project name"),
    "investor": lazy("Investor"),
    "amount_cny": lazy("Investment (CNY)"),
    "amount_wan": lazy("Investment (10,000 CNY)"),
    "stage": lazy("Stage"),
    "signed_date": lazy("Date signed"),
    "start_date": lazy("Construction start"),
    "production_date": lazy("Production start"),
    "description": lazy("Description"),
    "code": lazy("Code"),
    "id": lazy("Id"),
    "name_zh": lazy("Chinese name"),
    "tier": lazy("Tier"),
    "level": lazy("Level"),
    "industries": lazy("Industries"),
    "counties": lazy("Counties"),
    "focus": lazy("Focus"),
    "product": lazy("Product"),
    "parent": lazy("Parent"),
}


# Where an enterprise's record came from, in words (the database keeps the code).
SOURCE_LABELS: dict[str, str] = {
    "demo": lazy("Demo data"),
    "import": lazy("Imported file"),
    "manual": lazy("Entered by hand"),
}


@dataclass
class TableExport:
    """What ``tabular.export_response`` needs: columns, rows and a file name."""

    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    filename: str = "export"


def columns(*keys: str) -> list[Column]:
    """Return columns for ``keys`` with headers in the current language."""
    return [Column(k, _(LABELS[k])) for k in keys]


def _name(refs_map: dict[str, Any], key: str | None) -> str:
    if key is None or key not in refs_map:
        return ""
    return str(refs_map[key].name_zh)


def _current_statuses(ent: Enterprise, today: date) -> str:
    kinds = sorted(
        {
            s.kind
            for s in ent.statuses
            if s.valid_from <= today and (s.valid_to is None or s.valid_to >= today)
        }
    )
    return "; ".join(_(STATUS_LABELS.get(k, k)) for k in kinds)


def enterprises(items: Iterable[Enterprise], refs: Refs) -> TableExport:
    today = date.today()
    rows = [
        {
            "uscc": e.uscc,
            "enterprise_name": e.name,
            "name_en": e.name_en,
            "prefecture": e.prefecture_code,
            "prefecture_name": _name(refs.prefectures, e.prefecture_code),
            "county": e.county_code,
            "county_name": _name(refs.counties, e.county_code),
            "park": e.park_id,
            "park_name": _name(refs.parks, e.park_id),
            "gbt4754": e.gbt4754,
            "gbt4754_name": _name(refs.classes, e.gbt4754),
            "industry": e.industry_id,
            "industry_name": _name(refs.industries, e.industry_id),
            "founded_date": e.founded_date,
            "address": e.address,
            "statuses": _current_statuses(e, today),
            "source": _(SOURCE_LABELS[e.source]) if e.source in SOURCE_LABELS else e.source,
        }
        for e in items
    ]
    cols = columns(
        "uscc",
        "enterprise_name",
        "name_en",
        "prefecture",
        "prefecture_name",
        "county",
        "county_name",
        "park",
        "park_name",
        "gbt4754",
        "gbt4754_name",
        "industry",
        "industry_name",
        "founded_date",
        "address",
        "statuses",
        "source",
    )
    return TableExport(cols, rows, "enterprises")


def products(items: Iterable[Product], refs: Refs) -> TableExport:
    rows = [
        {
            "gtin": p.gtin,
            "product_name": p.name_zh,
            "name_en": p.name_en,
            "uscc": p.enterprise.uscc,
            "enterprise_name": p.enterprise.name,
            "brand": p.brand.name_zh if p.brand else "",
            "industry": p.industry_id,
            "industry_name": _name(refs.industries, p.industry_id),
            "category": p.category,
            "net_content": p.net_content,
            "origin_base": p.origin_base_id,
            "licence_kind": _(LICENCE_LABELS[p.licence_kind]) if p.licence_kind else "",
            "licence_no": p.licence_no,
        }
        for p in items
    ]
    cols = columns(
        "gtin",
        "product_name",
        "name_en",
        "uscc",
        "enterprise_name",
        "brand",
        "industry",
        "industry_name",
        "category",
        "net_content",
        "origin_base",
        "licence_kind",
        "licence_no",
    )
    return TableExport(cols, rows, "products")


def brands(items: Iterable[Brand]) -> TableExport:
    rows = [
        {
            "uscc": b.enterprise.uscc,
            "enterprise_name": b.enterprise.name,
            "brand": b.name_zh,
            "name_en": b.name_en,
            "trademark_no": b.trademark_no,
            "well_known": _("yes") if b.well_known else "",
        }
        for b in items
    ]
    cols = columns("uscc", "enterprise_name", "brand", "name_en", "trademark_no", "well_known")
    return TableExport(cols, rows, "brands")


def certifications(items: Iterable[Certification]) -> TableExport:
    rows = [
        {
            "uscc": c.enterprise.uscc,
            "enterprise_name": c.enterprise.name,
            "gtin": c.product.gtin if c.product else "",
            "product_name": c.product.name_zh if c.product else "",
            "kind": _(CERTIFICATION_LABELS.get(c.kind, c.kind)),
            "certificate_no": c.certificate_no,
            "issuer": c.issuer,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
        }
        for c in items
    ]
    cols = columns(
        "uscc",
        "enterprise_name",
        "gtin",
        "product_name",
        "kind",
        "certificate_no",
        "issuer",
        "valid_from",
        "valid_to",
    )
    return TableExport(cols, rows, "certifications")


def projects(items: Iterable[InvestmentProject], refs: Refs) -> TableExport:
    rows = [
        {
            "project_id": p.id,
            "project_name": p.name,
            "industry": p.industry_id,
            "industry_name": _name(refs.industries, p.industry_id),
            "prefecture": p.prefecture_code,
            "prefecture_name": _name(refs.prefectures, p.prefecture_code),
            "park": p.park_id,
            "park_name": _name(refs.parks, p.park_id),
            "uscc": p.enterprise.uscc if p.enterprise else "",
            "enterprise_name": p.enterprise.name if p.enterprise else "",
            "investor": p.investor,
            "amount_cny": p.amount_cny,
            "stage": _(STAGE_LABELS.get(p.stage, p.stage)),
            "signed_date": p.signed_date,
            "start_date": p.start_date,
            "production_date": p.production_date,
            "description": p.description,
        }
        for p in items
    ]
    cols = columns(
        "project_id",
        "project_name",
        "industry",
        "industry_name",
        "prefecture",
        "prefecture_name",
        "park",
        "park_name",
        "uscc",
        "enterprise_name",
        "investor",
        "amount_cny",
        "stage",
        "signed_date",
        "start_date",
        "production_date",
        "description",
    )
    return TableExport(cols, rows, "projects")


def prefectures(items: Iterable[Prefecture]) -> TableExport:
    rows = [{"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en} for p in items]
    return TableExport(columns("code", "name_zh", "name_en"), rows, "prefectures")


def counties(items: Iterable[County], refs: Refs) -> TableExport:
    rows = [
        {
            "code": c.code,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "prefecture": c.prefecture_code,
            "prefecture_name": _name(refs.prefectures, c.prefecture_code),
        }
        for c in items
    ]
    cols = columns("code", "name_zh", "name_en", "prefecture", "prefecture_name")
    return TableExport(cols, rows, "counties")


def industries(items: Iterable[Industry]) -> TableExport:
    rows = [
        {
            "id": i.id,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "tier": i.tier,
            "gbt4754": [c.code for c in i.classes],
        }
        for i in items
    ]
    return TableExport(columns("id", "name_zh", "name_en", "tier", "gbt4754"), rows, "industries")


def parks(items: Iterable[Park], refs: Refs) -> TableExport:
    rows = [
        {
            "id": p.id,
            "name_zh": p.name_zh,
            "name_en": p.name_en,
            "level": _(PARK_LEVEL_LABELS.get(p.level, p.level)),
            "prefecture": p.prefecture_code,
            "prefecture_name": _name(refs.prefectures, p.prefecture_code),
            "county": p.county_code,
            "industries": [i.name_zh for i in p.industries],
            "focus": p.focus_zh,
        }
        for p in items
    ]
    cols = columns(
        "id",
        "name_zh",
        "name_en",
        "level",
        "prefecture",
        "prefecture_name",
        "county",
        "industries",
        "focus",
    )
    return TableExport(cols, rows, "parks")


def bases(items: Iterable[RawMaterialBase]) -> TableExport:
    rows = [
        {
            "id": b.id,
            "name_zh": b.name_zh,
            "name_en": b.name_en,
            "product": b.product_zh,
            "counties": [c.name_zh for c in b.counties],
            "industries": [i.name_zh for i in b.industries],
            "description": b.description_zh,
        }
        for b in items
    ]
    cols = columns("id", "name_zh", "name_en", "product", "counties", "industries", "description")
    return TableExport(cols, rows, "raw_material_bases")


def market_regions(items: Iterable[MarketRegion]) -> TableExport:
    items = list(items)
    english = get_locale() == "en"
    names = {m.id: (m.name_en if english and m.name_en else m.name_zh) for m in items}
    rows = [
        {
            "id": m.id,
            "name_zh": m.name_zh,
            "name_en": m.name_en,
            "kind": _(MARKET_KIND_LABELS[m.kind]) if m.kind in MARKET_KIND_LABELS else m.kind,
            "parent": names.get(m.parent_id or "", ""),
        }
        for m in items
    ]
    return TableExport(
        columns("id", "name_zh", "name_en", "kind", "parent"), rows, "market_regions"
    )
