"""A change log of what public pages show, so that a cached page knows it is out of date.

The consumer page behind a QR code is read far more often than anything it shows changes:
a product's name and certificates, its brand and enterprise, a recognition it won, the
standards it follows. A page kept in memory (``plateau.caching``) is keyed by the newest
entry of this log, read in the same statement as the page's other counters, so a change
shows on the next scan in every web process, without each scan reading those tables.

Any transaction that changes or deletes a row of a watched table, or adds a row where a new
row changes an existing page, through the ORM (a flush, or an ORM-enabled
``insert``/``update``/``delete``) appends a row here, whatever wrote it: a
page, the API, the CLI, an import, a job or the demo loader. Appending (not updating one
counter row) keeps writers from queueing on a single row. A write through Core alone is
not seen; it shows when the page's cache times out (``public_page_cache_s``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from plateau.db import Base, UTCDateTime, utcnow

#: Tables whose rows a public page shows (the consumer page and what it links to).
WATCHED = frozenset(
    {
        "enterprise",
        "brand",
        "product",
        "product_photo",
        "certification",
        "company_prefix",
        "prefecture",
        "county",
        "raw_material_base",
        "recognition_edition",
        "recognition_category",
        "recognition_nomination",
        "recognition_result",
        "standard",
        "product_standard",
        # 众包设计: an award carried into a product credits its designer on the product's page.
        "design_brief",
        "design_proposal",
    }
)

#: Of those, the tables where a new row changes a page that already exists (a certificate, a
#: result, a standard linked to a product). A new enterprise, product or place is on no
#: existing page (a code not yet registered has no page to keep), so an import of new
#: enterprises leaves every kept page alone.
WATCHED_INSERTS = frozenset(
    {
        "certification",
        "company_prefix",
        "product_photo",
        "recognition_edition",
        "recognition_category",
        "recognition_nomination",
        "recognition_result",
        "standard",
        "product_standard",
        "design_brief",  # a recognised design adopted with its product in one step
    }
)


class PublicChange(Base):
    """A write that changed something a public page shows."""

    __tablename__ = "public_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _table(obj: Any) -> str | None:
    return getattr(type(obj), "__tablename__", None)


def _log(session: Session) -> None:
    """Append one entry (at most one per flush: each is a point a reader may see)."""
    if not any(isinstance(obj, PublicChange) for obj in session.new):
        session.add(PublicChange())


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = (
        *session.deleted,
        *(obj for obj in session.dirty if session.is_modified(obj)),
    )
    if any(_table(obj) in WATCHED for obj in changed) or any(
        _table(obj) in WATCHED_INSERTS for obj in session.new
    ):
        _log(session)


def _orm_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in (WATCHED_INSERTS if state.is_insert else WATCHED):
        _log(state.session)


def install() -> None:
    """Listen to every session of the process (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "do_orm_execute", _orm_execute)


install()
