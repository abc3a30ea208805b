"""The public facts of a product: what the page behind a QR code may show, to anyone."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.errors import NotFound
from plateau.registry import service
from plateau.registry.schemas import CertificationCreate
from tests.registry.builders import make_enterprise, make_product

TODAY = date(2026, 6, 1)


def _certify(session: Session, uscc: str, number: str, *, gtin: str | None, to: str | None) -> None:
    data = CertificationCreate.model_validate(
        {
            "enterprise_uscc": uscc,
            "kind": "organic",
            "certificate_no": number,
            "valid_from": "2022-01-01",
            "valid_to": to,
            "product_gtin": gtin,
        }
    )
    service.create_certification(session, data=data, actor=SYSTEM)


def test_public_product_gives_the_label_facts_and_current_certificates(session: Session) -> None:
    ent = make_enterprise(session, n=901, name="圣水源饮品有限公司")
    product = make_product(session, ent, n=901, name="冰川矿泉水", brand="圣水源")
    other = make_product(session, ent, n=902, name="另一款水")
    _certify(session, ent.uscc, "ENT-1", gtin=None, to=None)
    _certify(session, ent.uscc, "PROD-1", gtin=product.gtin, to="2027-12-31")
    _certify(session, ent.uscc, "EXPIRED", gtin=product.gtin, to="2025-12-31")
    _certify(session, ent.uscc, "OTHER", gtin=other.gtin, to=None)

    found = service.public_product(session, gtin=product.gtin, today=TODAY)

    assert (found.name_zh, found.brand_zh, found.enterprise_name) == (
        "冰川矿泉水",
        "圣水源",
        "圣水源饮品有限公司",
    )
    assert found.enterprise_uscc == ent.uscc
    assert [c.certificate_no for c in found.certificates] == ["ENT-1", "PROD-1"]
    # Nothing beyond the label: no internal ids, addresses, statuses or figures.
    fields = {f.name for f in dataclasses.fields(found)}
    assert not fields & {"id", "enterprise_id", "address", "statuses", "industry_id"}


def test_public_product_accepts_short_gtins_and_refuses_unknown_ones(session: Session) -> None:
    ent = make_enterprise(session, n=903)
    product = make_product(session, ent, n=903)
    assert service.public_product(session, gtin=product.gtin.lstrip("0"), today=TODAY).gtin == (
        product.gtin
    )
    with pytest.raises(NotFound):
        service.public_product(session, gtin="09999999999999", today=TODAY)
