"""The public change log (plateau.changes): an entry for every flush or statement that changes
what a public page shows, whatever writes it; none for anything else."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from plateau.changes import PublicChange
from plateau.registry.models import Certification, Product
from plateau.trace.lineage.models import TraceLookup
from tests.registry.builders import make_enterprise, make_product


def _entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PublicChange)) or 0)


def test_one_entry_per_transaction_that_changes_a_watched_table(session: Session) -> None:
    enterprise = make_enterprise(session, n=1)
    make_product(session, enterprise, n=1)
    make_product(session, enterprise, n=2)
    session.commit()
    before = _entries(session)

    first, second = session.scalars(select(Product).order_by(Product.id)).all()
    first.name_en = "Renamed"
    second.name_en = "Renamed too"
    session.commit()
    assert _entries(session) == before + 1  # one flush

    session.execute(update(Product).where(Product.id == first.id).values(name_en="Again"))
    session.commit()
    assert _entries(session) == before + 2

    session.delete(second)
    session.commit()
    assert _entries(session) == before + 3


def test_new_rows_count_only_where_they_change_an_existing_page(session: Session) -> None:
    before = _entries(session)
    enterprise = make_enterprise(session, n=1)  # on no page yet
    product = make_product(session, enterprise, n=1)
    session.commit()
    assert _entries(session) == before

    session.add(
        Certification(
            enterprise_id=enterprise.id,
            product_id=product.id,
            kind="organic",
            certificate_no="ORG-1",
            issuer="CQC",
            valid_from=date(2026, 1, 1),
        )
    )
    session.commit()
    assert _entries(session) == before + 1


def test_nothing_logged_for_other_tables_or_unchanged_rows(session: Session) -> None:
    enterprise = make_enterprise(session, n=1)
    make_product(session, enterprise, n=1)
    session.commit()
    before = _entries(session)

    session.add(TraceLookup(key="https://id.gs1.org/01/x", count=1))
    session.commit()
    product = session.scalars(select(Product).limit(1)).one()
    product.name_en = product.name_en  # no net change
    session.commit()
    assert _entries(session) == before


def test_a_rolled_back_change_leaves_no_entry(session: Session) -> None:
    enterprise = make_enterprise(session, n=1)
    product = make_product(session, enterprise, n=1)
    session.commit()
    before = _entries(session)
    product.name_en = "Never"
    session.flush()
    session.rollback()
    assert _entries(session) == before
