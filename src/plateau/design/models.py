"""Tables of 众包设计: design briefs, the proposals designers send, their images and threads."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow


class Brief(Base):
    """A design task put out by an enterprise (or by the association, enterprise_id NULL)."""

    __tablename__ = "design_brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(24), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    deliverables: Mapped[str] = mapped_column(Text, default="")
    reward_cny: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # Proposals are accepted through this day (Beijing); after it the brief is in review.
    deadline_date: Mapped[date] = mapped_column(Date)
    proposals_public: Mapped[bool] = mapped_column(default=False)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # open → awarded | closed (without award); "in review" is open past the deadline.
    status: Mapped[str] = mapped_column(String(16), default="open")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Carried into production: the registry product made from the awarded design.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    # Made from a design recognised in a recognition edition (no call for proposals then).
    recognition_code: Mapped[str] = mapped_column(String(48), default="")
    recognition_nomination_id: Mapped[int | None] = mapped_column(
        ForeignKey("recognition_nomination.id", ondelete="SET NULL"), unique=True
    )
    # Hidden by the association's moderators, with the reason its owner is told.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Proposal(Base):
    """One designer's (a design enterprise's) answer to a brief: one per designer."""

    __tablename__ = "design_proposal"
    __table_args__ = (UniqueConstraint("brief_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(
        ForeignKey("design_brief.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    designer_name: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    shortlisted: Mapped[bool] = mapped_column(default=False)
    awarded: Mapped[bool] = mapped_column(default=False)  # at most one per brief (service)
    author_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProposalImage(Base):
    __tablename__ = "design_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("design_proposal.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ThreadMessage(Base):
    """One message between a brief's owner and a proposal's designer, kept by the platform."""

    __tablename__ = "design_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("design_proposal.id", ondelete="CASCADE"), index=True
    )
    from_owner: Mapped[bool]
    sender_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
