"""Tables of the standards programme: the register, participants, self-declarations, products."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow


class Standard(Base):
    __tablename__ = "standard"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), default="")  # e.g. DB54/T 0123—2025
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    level: Mapped[str] = mapped_column(
        String(16)
    )  # national | industry | local | group | enterprise
    status: Mapped[str] = mapped_column(String(16), default="planned")
    industry_id: Mapped[str] = mapped_column(ForeignKey("industry.id"), index=True)
    programme_item: Mapped[str | None] = mapped_column(String(48), index=True)
    lead_organisation: Mapped[str] = mapped_column(String(200), default="")
    lead_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL")
    )
    published_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StandardParticipant(Base):
    __tablename__ = "standard_participant"
    __table_args__ = (UniqueConstraint("standard_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standard.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )


class SelfDeclaration(Base):
    """企业标准自我声明公开: an enterprise declares publicly the standard its products follow."""

    __tablename__ = "standard_declaration"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standard.id", ondelete="CASCADE"), index=True
    )
    scope_zh: Mapped[str] = mapped_column(Text, default="")  # which products, in its words
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProductStandard(Base):
    __tablename__ = "product_standard"
    __table_args__ = (UniqueConstraint("product_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standard.id", ondelete="CASCADE"), index=True
    )


class StandardChange(Base):
    """One recorded change of a standard's register entry: who changed which field, when."""

    __tablename__ = "standard_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standard.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(32))  # title_zh, level, status, document …
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StandardDocument(Base):
    """The text of a standard as a PDF; one per standard, replaced by a new upload."""

    __tablename__ = "standard_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standard.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
