"""Tables of the recognition domain: editions, nominations, jury, scores, public vote, results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plateau.db import Base, UTCDateTime, utcnow


class Edition(Base):
    """One yearly round of a recognition (拉萨服饰周 2025, 地球第三极 2025, 名优产品目录 2026)."""

    __tablename__ = "recognition_edition"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(24))  # fashion_week | third_pole | catalogue | design
    year: Mapped[int]
    # draft → nominations → review → scoring → voting → publicity → final
    stage: Mapped[str] = mapped_column(String(16), default="draft")
    jury_weight: Mapped[int] = mapped_column(default=100)  # percent; public gets the rest
    score_max: Mapped[int] = mapped_column(default=10)
    drop_extremes: Mapped[bool] = mapped_column(default=True)
    normalise: Mapped[bool] = mapped_column(default=False)
    tie_break: Mapped[str] = mapped_column(String(16), default="jury")  # jury | public | earliest
    nominations_close_date: Mapped[date] = mapped_column(Date)
    scoring_start_date: Mapped[date] = mapped_column(Date)
    vote_close_date: Mapped[date | None] = mapped_column(Date)
    publicity_end_date: Mapped[date] = mapped_column(Date)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    categories: Mapped[list[Category]] = relationship(
        back_populates="edition", lazy="raise", order_by="Category.id"
    )

    @property
    def public_weight(self) -> int:
        return 100 - self.jury_weight

    @property
    def has_public_vote(self) -> bool:
        return self.jury_weight < 100


class Category(Base):
    __tablename__ = "recognition_category"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_edition.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    entry_kind: Mapped[str] = mapped_column(String(16))  # brand | product | design | model
    eligibility: Mapped[str] = mapped_column(String(32), default="none")
    awards: Mapped[int] = mapped_column(default=1)  # how many of the ranked entries are recognised

    edition: Mapped[Edition] = relationship(back_populates="categories", lazy="raise")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="category", lazy="raise", order_by="Criterion.id"
    )


class Criterion(Base):
    __tablename__ = "recognition_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_category.id", ondelete="CASCADE"), index=True
    )
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    weight: Mapped[int]  # percent of the category's jury score

    category: Mapped[Category] = relationship(back_populates="criteria", lazy="raise")


class Member(Base):
    """A user's part in one edition: organiser or juror (a juror's employer feeds conflicts)."""

    __tablename__ = "recognition_member"
    __table_args__ = (UniqueConstraint("edition_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_edition.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # organiser | juror
    display_name: Mapped[str] = mapped_column(String(128), default="")
    employer_uscc: Mapped[str] = mapped_column(String(18), default="")
    # The employer's name: the registered enterprise's, or one not in the register.
    employer_name: Mapped[str] = mapped_column(String(200), default="")


class Nomination(Base):
    __tablename__ = "recognition_nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_edition.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_category.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL"), index=True
    )
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    nominated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default="submitted")  # accepted | refused
    reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    category: Mapped[Category] = relationship(lazy="raise")


class NominationImage(Base):
    __tablename__ = "recognition_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_nomination.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Conflict(Base):
    """A juror who may neither see nor score a nomination, and why."""

    __tablename__ = "recognition_conflict"
    __table_args__ = (UniqueConstraint("nomination_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_nomination.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_member.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))  # declared | detected
    reason: Mapped[str] = mapped_column(String(32))  # employer | family | business
    note: Mapped[str] = mapped_column(Text, default="")


class Score(Base):
    __tablename__ = "recognition_score"
    __table_args__ = (UniqueConstraint("nomination_id", "criterion_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_nomination.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_criterion.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_member.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Voter(Base):
    """A person verified by a one-time code; only a keyed hash of the phone number is kept."""

    __tablename__ = "recognition_voter"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OneTimeCode(Base):
    __tablename__ = "recognition_otp"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)


class Ballot(Base):
    """One vote as cast; a later ballot of the same voter in the category replaces it."""

    __tablename__ = "recognition_ballot"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_edition.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("recognition_category.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("recognition_nomination.id"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("recognition_voter.id"), index=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    flag: Mapped[str] = mapped_column(String(32), default="")  # burst | fresh_alike
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class Result(Base):
    """The ranked list as published for 公示 (and then made final)."""

    __tablename__ = "recognition_result"
    __table_args__ = (UniqueConstraint("nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_edition.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(ForeignKey("recognition_category.id"))
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_nomination.id", ondelete="CASCADE")
    )
    rank: Mapped[int]
    jury_score: Mapped[Decimal] = mapped_column(Numeric(7, 3))
    public_score: Mapped[Decimal] = mapped_column(Numeric(7, 3))
    votes: Mapped[int] = mapped_column(default=0)
    total: Mapped[Decimal] = mapped_column(Numeric(7, 3))
    recognised: Mapped[bool] = mapped_column(default=False)


class Objection(Base):
    """An objection filed during 公示, and the organisers' answer."""

    __tablename__ = "recognition_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_edition.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_nomination.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    filed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
