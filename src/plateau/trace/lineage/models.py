"""Tables of what Plateau builds on top of the EPCIS repository: where events happen, which
items belong to which lot, product kinds with their yields and storage ranges, and the
industrial-internet identifiers (工业互联网标识) enterprises register and mint.

Locations and parties are keyed by the same normalised identifier the event index uses
(``events.identifier_key``: a canonical Digital Link such as
``https://id.gs1.org/414/6901234000017``), so an event's ``read_point``, ``biz_location``
or a source/destination value matches a row here by equality.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow
from plateau.trace.epcis.models import BigId, Uri


class TraceLocation(Base):
    """A location (GLN/SGLN) or party (PGLN) known to Plateau, and what it is.

    ``kind`` is ``base`` (a raw-material base of 专栏4, with ``raw_material_base_id``),
    ``site`` (farm, water source, plant), ``warehouse``, ``distributor``, ``shop`` or
    ``party``.
    """

    __tablename__ = "trace_location"
    __table_args__ = (
        Index("ix_trace_location_enterprise_uscc", "enterprise_uscc"),
        Index("ix_trace_location_gln", "gln"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The identifier as the event index spells it (canonical Digital Link).
    key: Mapped[str] = mapped_column(Uri, unique=True)
    # The 13-digit GLN inside the key (an SGLN's extension is in the key only).
    gln: Mapped[str | None] = mapped_column(String(13))
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256), default="")
    # Where it is, as people say it ("四川省成都市"), for places outside the county table.
    region_zh: Mapped[str] = mapped_column(String(64), default="")
    region_en: Mapped[str] = mapped_column(String(128), default="")
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"))
    raw_material_base_id: Mapped[str | None] = mapped_column(ForeignKey("raw_material_base.id"))
    # The enterprise that operates it (USCC), if it is registered.
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18))
    # demo | manual | api
    source: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TraceLotItem(Base):
    """An item (SGTIN) that belongs to a lot (LGTIN), as an event said so.

    Derived from captured events (ILMD ``lotNumber`` of a commissioning or transformation,
    or a Digital Link that carries both lot and serial) by ``genealogy.index_captured`` in
    the capture transaction, so
    that genealogy never parses event JSON while it walks.
    """

    __tablename__ = "trace_lot_item"
    __table_args__ = (
        UniqueConstraint("item_key", "lot_key"),
        Index("ix_trace_lot_item_lot_key", "lot_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_key: Mapped[str] = mapped_column(Uri)
    lot_key: Mapped[str] = mapped_column(Uri)
    # Indexed: deleting events cascades here, and an unindexed foreign key makes each
    # deleted event scan the whole table (found deleting 10,000 events from 1,000,000).
    event_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_event.id", ondelete="CASCADE"), index=True
    )


class TraceIndexState(Base):
    """How far a derived index has read the event table (its watermark)."""

    __tablename__ = "trace_index_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigId, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TraceKind(Base):
    """A kind of product for mass balance and cold chain (yak carcass, yak jerky …)."""

    __tablename__ = "trace_kind"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    # Storage range in °C; a reading outside it is an excursion.
    temp_min_c: Mapped[float | None] = mapped_column(Float)
    temp_max_c: Mapped[float | None] = mapped_column(Float)


class TraceProductKind(Base):
    """The kind of a trade item (GTIN) and the mass of one unit, for mass balance."""

    __tablename__ = "trace_product_kind"

    gtin: Mapped[str] = mapped_column(String(14), primary_key=True)
    kind_id: Mapped[str] = mapped_column(
        ForeignKey("trace_kind.id", ondelete="CASCADE"), index=True
    )
    # Kilograms of one unit (a bottle, a pack); None when only weighed quantities are used.
    unit_kg: Mapped[float | None] = mapped_column(Float)


class TraceYield(Base):
    """How much output mass one unit of input mass can give (e.g. carcass → jerky 0.35–0.45)."""

    __tablename__ = "trace_yield"
    __table_args__ = (UniqueConstraint("input_kind_id", "output_kind_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    input_kind_id: Mapped[str] = mapped_column(ForeignKey("trace_kind.id", ondelete="CASCADE"))
    output_kind_id: Mapped[str] = mapped_column(
        ForeignKey("trace_kind.id", ondelete="CASCADE"), index=True
    )
    min_ratio: Mapped[float] = mapped_column(Float)
    max_ratio: Mapped[float] = mapped_column(Float)


class TraceHandlePrefix(Base):
    """An industrial-internet identifier prefix (e.g. ``88.118.8``) of an enterprise."""

    __tablename__ = "trace_handle_prefix"
    __table_args__ = (Index("ix_trace_handle_prefix_enterprise_uscc", "enterprise_uscc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18))
    # The secondary node (二级节点) that allocated it, as the enterprise reports it.
    allocated_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TraceHandle(Base):
    """An identifier minted under a prefix, for a product (GTIN), a lot or an item."""

    __tablename__ = "trace_handle"
    __table_args__ = (
        UniqueConstraint("handle"),
        Index("ix_trace_handle_gtin", "gtin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(256))
    prefix_id: Mapped[int] = mapped_column(
        ForeignKey("trace_handle_prefix.id", ondelete="CASCADE"), index=True
    )
    # product | lot | item
    kind: Mapped[str] = mapped_column(String(8))
    gtin: Mapped[str] = mapped_column(String(14))
    lot: Mapped[str | None] = mapped_column(String(20))
    serial: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TraceLookup(Base):
    """Look-ups of one code (its GS1 Digital Link path), added up from the processes."""

    __tablename__ = "trace_lookup"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
