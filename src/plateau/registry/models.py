"""Tables of the registry: places, parks, bases, industries, enterprises and what they hold."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from plateau.collation import SORT_KEY_LENGTH, sort_key
from plateau.db import Base, UTCDateTime, utcnow

# Money: CNY with fen precision, never a float.
Money = Numeric(18, 2)

# A name's pinyin sort key (plateau.collation.sort_key), kept beside the name so that lists
# sort and page by pinyin in SQL on both backends. Byte order ("C") on PostgreSQL, whose
# database collation may be a locale's; SQLite compares bytes already.
SortKey = String(SORT_KEY_LENGTH).with_variant(String(SORT_KEY_LENGTH, collation="C"), "postgresql")


def _sort_key_of(column: str):  # type: ignore[no-untyped-def]
    """A column default that keys the row's ``column`` (covers Core bulk inserts too)."""

    def default(context: DefaultExecutionContext) -> str:
        return sort_key(str(context.get_current_parameters().get(column) or ""))  # type: ignore[no-untyped-call]

    return default


class Prefecture(Base):
    """A prefecture-level division (地市), GB/T 2260 code."""

    __tablename__ = "prefecture"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))


class County(Base):
    """A county-level division (县/区), GB/T 2260 code."""

    __tablename__ = "county"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))

    prefecture: Mapped[Prefecture] = relationship(lazy="raise")


class Industry(Base):
    """One of the eleven industries of the 533 system."""

    __tablename__ = "industry"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    tier: Mapped[int]
    sort_order: Mapped[int] = mapped_column(default=0)

    classes: Mapped[list[IndustryClass]] = relationship(
        viewonly=True, lazy="raise", order_by="IndustryClass.code"
    )


class IndustryClass(Base):
    """A GB/T 4754-2017 industry class (四位码) and the 533 industry it belongs to."""

    __tablename__ = "industry_class"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    industry_id: Mapped[str | None] = mapped_column(ForeignKey("industry.id"), index=True)


park_industry = Table(
    "park_industry",
    Base.metadata,
    Column("park_id", ForeignKey("park.id", ondelete="CASCADE"), primary_key=True),
    Column("industry_id", ForeignKey("industry.id"), primary_key=True),
)

base_county = Table(
    "raw_material_base_county",
    Base.metadata,
    Column("base_id", ForeignKey("raw_material_base.id", ondelete="CASCADE"), primary_key=True),
    Column("county_code", ForeignKey("county.code"), primary_key=True),
)

base_industry = Table(
    "raw_material_base_industry",
    Base.metadata,
    Column("base_id", ForeignKey("raw_material_base.id", ondelete="CASCADE"), primary_key=True),
    Column("industry_id", ForeignKey("industry.id"), primary_key=True),
)


class Park(Base):
    """An industrial park of 专栏3 (or one registered later)."""

    __tablename__ = "park"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(256))
    level: Mapped[str] = mapped_column(String(16))  # national | regional | county | other
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"))
    focus_zh: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(64), default="")

    industries: Mapped[list[Industry]] = relationship(secondary=park_industry, lazy="raise")
    prefecture: Mapped[Prefecture] = relationship(lazy="raise")


class RawMaterialBase(Base):
    """A raw-material base of 专栏4: a product grown or raised in named counties."""

    __tablename__ = "raw_material_base"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    product_zh: Mapped[str] = mapped_column(String(64))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(64), default="")

    counties: Mapped[list[County]] = relationship(secondary=base_county, lazy="raise")
    industries: Mapped[list[Industry]] = relationship(secondary=base_industry, lazy="raise")


class MarketRegion(Base):
    """A market where products are sold, in a hierarchy (for demand forecasting)."""

    __tablename__ = "market_region"

    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # all | in_region | domestic | export
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("market_region.id"))


class Enterprise(Base):
    """An enterprise, keyed by its 统一社会信用代码 (GB 32100-2015)."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_sort: Mapped[str] = mapped_column(SortKey, default=_sort_key_of("name"), index=True)
    name_en: Mapped[str] = mapped_column(String(256), default="")
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"))
    park_id: Mapped[str | None] = mapped_column(ForeignKey("park.id"), index=True)
    gbt4754: Mapped[str | None] = mapped_column(ForeignKey("industry_class.code"))
    industry_id: Mapped[str] = mapped_column(ForeignKey("industry.id"), index=True)
    founded_date: Mapped[date | None] = mapped_column(Date)
    # Deregistered or stopped operating: no returns are expected after this date.
    closed_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(256), default="")
    # demo | import | manual | api: where the record came from.
    source: Mapped[str] = mapped_column(String(16), default="manual")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    prefecture: Mapped[Prefecture] = relationship(lazy="raise")
    county: Mapped[County | None] = relationship(lazy="raise")
    park: Mapped[Park | None] = relationship(lazy="raise")
    industry: Mapped[Industry] = relationship(lazy="raise")
    # The database deletes statuses with their enterprise (ON DELETE CASCADE).
    statuses: Mapped[list[EnterpriseStatus]] = relationship(
        back_populates="enterprise",
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @validates("name")
    def _key_name(self, _key: str, value: str) -> str:
        self.name_sort = sort_key(value or "")
        return value


class EnterpriseStatus(Base):
    """A dated status: 规上, 高新技术, 专精特新, 小巨人, 单项冠军, 绿色工厂, 龙头企业, 失信/经营异常."""

    __tablename__ = "enterprise_status"
    __table_args__ = (Index("ix_enterprise_status_kind_dates", "kind", "valid_from", "valid_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    # above_designated_size | high_tech | specialized_sme | little_giant | single_champion
    # | green_factory | leading_enterprise (龙头企业/培育对象) | credit_restricted (失信/经营异常名录)
    kind: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16), default="")  # national | regional | prefecture
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # None: open-ended
    certificate_no: Mapped[str] = mapped_column(String(64), default="")

    enterprise: Mapped[Enterprise] = relationship(back_populates="statuses", lazy="raise")


class Brand(Base):
    """A brand (trademark) owned by an enterprise."""

    __tablename__ = "brand"
    __table_args__ = (UniqueConstraint("enterprise_id", "name_zh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    trademark_no: Mapped[str] = mapped_column(String(32), default="")
    well_known: Mapped[bool] = mapped_column(default=False)  # 中国驰名商标

    enterprise: Mapped[Enterprise] = relationship(lazy="raise")


class Product(Base):
    """A trade item with its GTIN (stored as GTIN-14, check digit verified)."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    gtin: Mapped[str] = mapped_column(String(14), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_sort: Mapped[str] = mapped_column(SortKey, default=_sort_key_of("name_zh"), index=True)
    name_en: Mapped[str] = mapped_column(String(200), default="")
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id", ondelete="SET NULL"))
    industry_id: Mapped[str] = mapped_column(ForeignKey("industry.id"), index=True)
    category: Mapped[str] = mapped_column(String(64), default="")  # forecasting category
    net_content: Mapped[str] = mapped_column(String(32), default="")  # e.g. 550ml, 250g
    origin_base_id: Mapped[str | None] = mapped_column(ForeignKey("raw_material_base.id"))
    # The licence or approval number printed on the pack, and which kind it is
    # (schemas.LICENCE_KINDS): SC food production licence, drug approval number, …
    licence_kind: Mapped[str] = mapped_column(String(24), default="")
    licence_no: Mapped[str] = mapped_column(String(64), default="")

    enterprise: Mapped[Enterprise] = relationship(lazy="raise")
    brand: Mapped[Brand | None] = relationship(lazy="raise")

    @validates("name_zh")
    def _key_name(self, _key: str, value: str) -> str:
        self.name_sort = sort_key(value or "")
        return value


class ProductPhoto(Base):
    """A product's photo as the enterprise gave it (checked to be a small PNG/JPEG/WebP).

    A table of its own so that product lists never load the picture; a new photo replaces
    the row (a new id), which makes the public address change with it.
    """

    __tablename__ = "product_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), unique=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Certification(Base):
    """A certificate: organic, green food, geographical indication, 地球第三极 brand use, …"""

    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    # organic | green_food | geographical_indication | earth_third_pole | gmp
    kind: Mapped[str] = mapped_column(String(32))
    certificate_no: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(128), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship(lazy="raise")
    product: Mapped[Product | None] = relationship(lazy="raise")


class InvestmentProject(Base):
    """A project of the investment project library (招商引资项目库)."""

    __tablename__ = "investment_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_sort: Mapped[str] = mapped_column(SortKey, default=_sort_key_of("name"), index=True)
    industry_id: Mapped[str] = mapped_column(ForeignKey("industry.id"), index=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    park_id: Mapped[str | None] = mapped_column(ForeignKey("park.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="SET NULL")
    )
    investor: Mapped[str] = mapped_column(String(200), default="")
    amount_cny: Mapped[Decimal] = mapped_column(Money)
    # planning (谋划) | signed (签约) | under_construction (在建) | in_production (投产)
    stage: Mapped[str] = mapped_column(String(24))
    signed_date: Mapped[date | None] = mapped_column(Date)
    start_date: Mapped[date | None] = mapped_column(Date)
    production_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    industry: Mapped[Industry] = relationship(lazy="raise")
    park: Mapped[Park | None] = relationship(lazy="raise")
    enterprise: Mapped[Enterprise | None] = relationship(lazy="raise")

    @validates("name")
    def _key_name(self, _key: str, value: str) -> str:
        self.name_sort = sort_key(value or "")
        return value


class CompanyPrefix(Base):
    """A range of GS1 keys an enterprise holds: its licensed GS1 company prefix, or one GTIN
    assigned to it (by the brand owner or by GS1 China's single-GTIN service).

    ``prefix`` is 6 to 12 digits of the GTIN-13 form (a licensed prefix; its length is the
    prefix's length) or the 14-digit GTIN itself (an assigned GTIN). Only the holder may
    register products inside it; no two enterprises' ranges overlap.
    """

    __tablename__ = "company_prefix"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    prefix: Mapped[str] = mapped_column(String(14), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "licensed" or "assigned"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(lazy="raise")
