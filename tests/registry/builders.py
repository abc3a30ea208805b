"""Builders of registry records for tests: small functions over the service layer."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.registry import service
from plateau.registry.identifiers import make_gtin, make_uscc
from plateau.registry.models import Enterprise, InvestmentProject, Product
from plateau.registry.schemas import (
    CertificationCreate,
    CompanyPrefixCreate,
    EnterpriseCreate,
    ProductCreate,
    ProjectCreate,
    StatusCreate,
)


def uscc(n: int, division: str = "540100") -> str:
    """Return a valid 统一社会信用代码 numbered ``n`` registered in ``division``."""
    return make_uscc(f"91{division}MA{n:07d}")


def gtin(n: int) -> str:
    """Return a valid GTIN-13 (as written on a pack) numbered ``n``."""
    return make_gtin(f"690123{n:06d}")[1:]


def add_prefix(
    session: Session, enterprise: Enterprise, prefix: str, *, kind: str = "licensed"
) -> None:
    """Record a GS1 company prefix (or, with kind "assigned", one GTIN) of ``enterprise``."""
    service.add_prefix(
        session,
        uscc=enterprise.uscc,
        data=CompanyPrefixCreate(prefix=prefix, kind=kind),  # type: ignore[arg-type]
        actor=SYSTEM,
    )


def make_enterprise(
    session: Session,
    *,
    n: int,
    name: str | None = None,
    prefecture: str = "540100",
    county: str | None = None,
    park: str | None = None,
    industry: str | None = "agri_food",
    gbt4754: str | None = None,
    founded: date | None = None,
) -> Enterprise:
    data = EnterpriseCreate(
        uscc=uscc(n, prefecture),
        name=name or f"测试企业{n}",
        prefecture_code=prefecture,
        county_code=county,
        park_id=park,
        industry_id=industry,
        gbt4754=gbt4754,
        founded_date=founded,
    )
    return service.create_enterprise(session, data=data, actor=SYSTEM)


def add_status(
    session: Session,
    ent: Enterprise,
    kind: str,
    start: str,
    end: str | None = None,
) -> None:
    data = StatusCreate.model_validate({"kind": kind, "valid_from": start, "valid_to": end})
    service.add_status(session, uscc=ent.uscc, data=data, actor=SYSTEM)


def make_product(
    session: Session, ent: Enterprise, *, n: int, name: str = "产品", brand: str | None = None
) -> Product:
    data = ProductCreate(enterprise_uscc=ent.uscc, gtin=gtin(n), name_zh=name, brand=brand)
    return service.create_product(session, data=data, actor=SYSTEM)


def make_certification(
    session: Session, ent: Enterprise, *, kind: str, number: str, product: Product | None = None
) -> None:
    data = CertificationCreate.model_validate(
        {
            "enterprise_uscc": ent.uscc,
            "kind": kind,
            "certificate_no": number,
            "valid_from": "2022-01-01",
            "product_gtin": product.gtin if product else None,
        }
    )
    service.create_certification(session, data=data, actor=SYSTEM)


def make_project(
    session: Session,
    *,
    name: str,
    prefecture: str = "540100",
    park: str | None = None,
    enterprise: Enterprise | None = None,
    stage: str = "signed",
    amount: int = 10_000_000,
    industry: str = "agri_food",
) -> InvestmentProject:
    data = ProjectCreate.model_validate(
        {
            "name": name,
            "industry_id": industry,
            "prefecture_code": prefecture,
            "park_id": park,
            "enterprise_uscc": enterprise.uscc if enterprise else None,
            "amount_cny": Decimal(amount),
            "stage": stage,
        }
    )
    return service.create_project(session, data=data, actor=SYSTEM)


def csv_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    """Write rows (the first is the header) as UTF-8 CSV, as Excel would save it."""
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """Write rows (the first is the header) as an Excel workbook with openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
