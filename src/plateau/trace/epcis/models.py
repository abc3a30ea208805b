"""Tables of the EPCIS repository: events, the indexes queries and genealogy read, capture
jobs, named queries and their subscriptions, and location master data.

An event is stored once per CBV 2.0 event hash: ``epcis_event.event_json`` is its canonical
JSON-LD (what a query returns), the other columns and the ``epcis_event_*`` tables are
indexes derived from it at capture. An error declaration of an event is an event of its
own (same hash and eventID, ``declared`` true), as EPCIS 2.0 §7.4.1.5 keeps both.

Identifiers in index columns are normalised so that every spelling of one object matches:
EPC URIs and GS1 Digital Links become the canonical Digital Link on ``https://id.gs1.org``
(the only form that does not depend on a guessed company-prefix length); other URIs stay
as written. CBV values are kept as bare words (``shipping``) and others as their URI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow

# Longest identifier the index tables accept (a PostgreSQL b-tree entry must stay small).
MAX_URI_LENGTH = 1024
# Identifiers compare byte-wise (collation "C" on PostgreSQL) so that a range scan on an
# index answers prefix matches (EPC patterns, SGLN extensions) on both backends.
Uri = String(MAX_URI_LENGTH).with_variant(String(MAX_URI_LENGTH, collation="C"), "postgresql")
# Row ids of the event tables may pass 2**31 at national scale; SQLite needs INTEGER for
# its rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class CaptureJob(Base):
    """One call of the capture interface: what was received, stored and refused."""

    __tablename__ = "capture_job"
    __table_args__ = (
        Index("ix_capture_job_created_at", "created_at"),
        Index("ix_capture_job_enterprise_uscc", "enterprise_uscc"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # running | success | failure
    status: Mapped[str] = mapped_column(String(16), default="running")
    # rollback | proceed (GS1-Capture-Error-Behaviour)
    error_behaviour: Mapped[str] = mapped_column(String(16), default="rollback")
    # RFC 7807 problems, one per refused event (or one for the document).
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # What was accepted only after normalising it (bare CBV words in XML, EPCIS 1.2
    # QuantityEvents), one {"instance", "rule", "detail"} each; strict capture refuses these.
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    received_count: Mapped[int] = mapped_column(default=0)
    stored_count: Mapped[int] = mapped_column(default=0)
    duplicate_count: Mapped[int] = mapped_column(default=0)
    refused_count: Mapped[int] = mapped_column(default=0)
    # json | xml, and the payload size in bytes
    source_format: Mapped[str] = mapped_column(String(8), default="json")
    payload_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    captured_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    captured_by: Mapped[str] = mapped_column(String(64), default="")
    # The enterprise (USCC) on whose behalf the events were captured, if any.
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EpcisEvent(Base):
    """One captured EPCIS event, stored once per event hash."""

    __tablename__ = "epcis_event"
    __table_args__ = (
        UniqueConstraint("event_hash", "declared"),
        Index("ix_epcis_event_event_time", "event_time"),
        Index("ix_epcis_event_record_time", "record_time"),
        Index("ix_epcis_event_event_id", "event_id"),
        Index("ix_epcis_event_biz_step", "biz_step"),
        Index("ix_epcis_event_disposition", "disposition"),
        Index("ix_epcis_event_read_point", "read_point"),
        Index("ix_epcis_event_biz_location", "biz_location"),
        Index("ix_epcis_event_enterprise_time", "captured_by_enterprise", "event_time"),
        Index("ix_epcis_event_capture_job_id", "capture_job_id"),
        # Genealogy joins the events of one transformation by their transformationID.
        Index("ix_epcis_event_transformation_id", "transformation_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # ni:///sha-256;…?ver=CBV2.0 (CBV 2.0 §8.9)
    event_hash: Mapped[str] = mapped_column(String(96))
    # True for an error declaration of the event with the same hash.
    declared: Mapped[bool] = mapped_column(Boolean, default=False)
    # As sent, or the event hash when the sender gave none.
    event_id: Mapped[str] = mapped_column(Uri)
    event_type: Mapped[str] = mapped_column(String(256))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime())
    event_time_offset: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str | None] = mapped_column(String(8))
    biz_step: Mapped[str | None] = mapped_column(Uri)
    disposition: Mapped[str | None] = mapped_column(Uri)
    read_point: Mapped[str | None] = mapped_column(Uri)
    biz_location: Mapped[str | None] = mapped_column(Uri)
    transformation_id: Mapped[str | None] = mapped_column(Uri)
    error_declaration_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error_reason: Mapped[str | None] = mapped_column(Uri)
    # The canonical JSON-LD of the event: its own @context (the prefixes of its extensions),
    # eventID, recordTime, and every field as captured.
    event_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    captured_by_enterprise: Mapped[str | None] = mapped_column(String(18))
    captured_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    capture_job_id: Mapped[str | None] = mapped_column(
        ForeignKey("capture_job.id", ondelete="SET NULL")
    )


class EpcisEventEpc(Base):
    """An identifier an event is about, and in which role.

    Roles: ``epc`` (epcList), ``parent`` (parentID), ``child`` (childEPCs), ``input`` and
    ``output`` (TransformationEvent EPC lists), and for quantities ``quantity_class``
    (quantityList), ``child_quantity_class``, ``input_quantity_class``,
    ``output_quantity_class``. ``gtin`` is the GTIN-14 inside the identifier, if any.
    """

    __tablename__ = "epcis_event_epc"
    __table_args__ = (
        Index("ix_epcis_event_epc_epc", "epc"),
        Index("ix_epcis_event_epc_gtin", "gtin"),
        Index("ix_epcis_event_epc_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"))
    epc: Mapped[str] = mapped_column(Uri)
    role: Mapped[str] = mapped_column(String(24))
    quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(8))
    gtin: Mapped[str | None] = mapped_column(String(14))


class EpcisEventBizTransaction(Base):
    """A business transaction an event refers to (purchase order, despatch advice …)."""

    __tablename__ = "epcis_event_biz_transaction"
    __table_args__ = (
        Index("ix_epcis_event_biz_transaction_value", "value"),
        Index("ix_epcis_event_biz_transaction_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"))
    # Bare CBV word (po, desadv …), another URI, or None when untyped.
    type: Mapped[str | None] = mapped_column(Uri)
    value: Mapped[str] = mapped_column(Uri)


class EpcisEventSourceDest(Base):
    """A source or destination party or location of an event."""

    __tablename__ = "epcis_event_source_dest"
    __table_args__ = (
        Index("ix_epcis_event_source_dest_value", "value"),
        Index("ix_epcis_event_source_dest_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"))
    # source | destination
    kind: Mapped[str] = mapped_column(String(12))
    # Bare CBV word (owning_party, possessing_party, location) or another URI.
    type: Mapped[str] = mapped_column(Uri)
    value: Mapped[str] = mapped_column(Uri)


class EpcisEventSensor(Base):
    """One sensor report of an event (cold chain: time, type, value and unit)."""

    __tablename__ = "epcis_event_sensor"
    __table_args__ = (
        Index("ix_epcis_event_sensor_event_id", "event_id"),
        Index("ix_epcis_event_sensor_type", "type"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"))
    # Position of the sensor element in sensorElementList, from 0.
    element: Mapped[int] = mapped_column(default=0)
    time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    start_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bare GS1 measurement type (Temperature …) or another URI.
    type: Mapped[str | None] = mapped_column(Uri)
    device_id: Mapped[str | None] = mapped_column(Uri)
    value: Mapped[float | None] = mapped_column(Float)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    mean_value: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(8))
    exception: Mapped[str | None] = mapped_column(Uri)


class EpcisEventValue(Base):
    """Other repeated values queries select on.

    ``field`` is ``persistent_set`` / ``persistent_unset`` (persistentDisposition),
    ``corrective_event_id`` (errorDeclaration.correctiveEventIDs) or ``certification``
    (certificationInfo).
    """

    __tablename__ = "epcis_event_value"
    __table_args__ = (
        Index("ix_epcis_event_value_field_value", "field", "value"),
        Index("ix_epcis_event_value_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("epcis_event.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Uri)


class EpcisVocabularyElement(Base):
    """Master data captured with events (the EPCIS header's vocabulary list).

    ``children`` gives the location hierarchy that ``WD_bizLocation`` and ``WD_readPoint``
    follow.
    """

    __tablename__ = "epcis_vocabulary_element"
    __table_args__ = (UniqueConstraint("vocabulary_type", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary_type: Mapped[str] = mapped_column(Uri)
    element_id: Mapped[str] = mapped_column(Uri)
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    children: Mapped[list[str]] = mapped_column(JSON, default=list)
    captured_by_enterprise: Mapped[str | None] = mapped_column(String(18))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class EpcisQuery(Base):
    """A named query (``POST /epcis/queries``): a view its owner can read and subscribe to."""

    __tablename__ = "epcis_query"
    # Names are per owner: a taken name must not tell one user another's query names.
    __table_args__ = (UniqueConstraint("owner_user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    # The query as given (EPCIS query language, query-schema.json).
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EpcisSubscription(Base):
    """A webhook subscription to a named query: streamed on capture, or on a schedule."""

    __tablename__ = "epcis_subscription"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    query_id: Mapped[int] = mapped_column(
        ForeignKey("epcis_query.id", ondelete="CASCADE"), index=True
    )
    dest: Mapped[str] = mapped_column(String(2048))
    # The client's secret for the GS1-Signature header (HMAC-SHA256 of the body).
    signing_key: Mapped[str] = mapped_column(String(256), default="")
    stream: Mapped[bool] = mapped_column(Boolean, default=False)
    # second, minute, hour, dayOfMonth, month, dayOfWeek (cron-like), or None when streaming
    schedule: Mapped[dict[str, str] | None] = mapped_column(JSON)
    report_if_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    # Events with a record time before this are never reported.
    initial_record_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Events up to this row id have been reported (the subscription's watermark).
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # Where a schedule was last evaluated, so no fire time is missed between runs.
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    epc_format: Mapped[str] = mapped_column(String(32), default="Always_GS1_Digital_Link")
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(1024), default="")


class EpcisContext(Base):
    """One version of a remote JSON-LD context an administrator registered.

    Documents may import their prefixes from a context URL that this closed network cannot
    fetch. Capture reads the newest version of a registered URL in its place (the stored
    events keep the prefixes they were captured with, so a later version changes nothing
    already stored).
    """

    __tablename__ = "epcis_context"
    __table_args__ = (UniqueConstraint("url", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Uri)
    version: Mapped[int] = mapped_column(Integer)
    # The uploaded JSON-LD document ({"@context": …}) and the prefixes read from it.
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    prefixes: Mapped[dict[str, str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
