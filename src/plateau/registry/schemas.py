"""Input and output models of the registry: enterprises, statuses, products, projects, places."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from plateau.i18n import _, lazy
from plateau.registry.identifiers import IdentifierError, validate_gtin, validate_uscc

StatusKind = Literal[
    "above_designated_size",
    "high_tech",
    "specialized_sme",
    "little_giant",
    "single_champion",
    "green_factory",
    "leading_enterprise",
    "credit_restricted",
]
CertificationKind = Literal[
    "organic", "green_food", "geographical_indication", "earth_third_pole", "gmp"
]
# What a product's licence or approval number is (printed on the pack, shown to shoppers).
LicenceKind = Literal["", "sc", "drug_approval", "hygiene_permit"]
ProjectStage = Literal["planning", "signed", "under_construction", "in_production"]
StatusLevel = Literal["", "national", "regional", "prefecture"]
ImportKind = Literal["enterprises", "products", "projects", "statuses"]

STATUS_KINDS: tuple[str, ...] = get_args(StatusKind)
CERTIFICATION_KINDS: tuple[str, ...] = get_args(CertificationKind)
LICENCE_KINDS: tuple[str, ...] = get_args(LicenceKind)[1:]
PROJECT_STAGES: tuple[str, ...] = get_args(ProjectStage)
IMPORT_KINDS: tuple[ImportKind, ...] = ("enterprises", "products", "projects", "statuses")

# English message ids, translated where shown.
STATUS_LABELS: dict[str, str] = {
    "above_designated_size": lazy("Above designated size"),
    "high_tech": lazy("High-tech enterprise"),
    "specialized_sme": lazy("Specialized and sophisticated SME"),
    "little_giant": lazy("Little giant"),
    "single_champion": lazy("Manufacturing single champion"),
    "green_factory": lazy("Green factory"),
    "leading_enterprise": lazy("Leading enterprise or cultivation target"),
    "credit_restricted": lazy("Credit-restricted (dishonest or abnormal operation list)"),
}
STATUS_LEVEL_LABELS: dict[str, str] = {
    "": lazy("unspecified"),
    "national": lazy("national"),
    "regional": lazy("regional"),
    "prefecture": lazy("prefecture"),
}
CERTIFICATION_LABELS: dict[str, str] = {
    "organic": lazy("Organic product"),
    "green_food": lazy("Green food"),
    "geographical_indication": lazy("Geographical indication"),
    "earth_third_pole": lazy("Earth's Third Pole regional brand"),
    "gmp": lazy("GMP certificate"),
}
LICENCE_LABELS: dict[str, str] = {
    "sc": lazy("Food production licence No. (SC)"),
    "drug_approval": lazy("Drug approval number"),
    "hygiene_permit": lazy("Hygiene licence No."),
}
STAGE_LABELS: dict[str, str] = {
    "planning": lazy("Planning"),
    "signed": lazy("Signed"),
    "under_construction": lazy("Under construction"),
    "in_production": lazy("In production"),
}
PARK_LEVEL_LABELS: dict[str, str] = {
    "national": lazy("national"),
    "regional": lazy("regional"),
    "county": lazy("county"),
    "other": lazy("other"),
}
IMPORT_KIND_LABELS: dict[str, str] = {
    "enterprises": lazy("Enterprises"),
    "products": lazy("Products"),
    "projects": lazy("Investment projects"),
    "statuses": lazy("Enterprise statuses"),
}
MARKET_KIND_LABELS: dict[str, str] = {
    "all": lazy("All markets"),
    "in_region": lazy("Within Tibet"),
    "domestic": lazy("Rest of China"),
    "export": lazy("Export"),
}


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except IdentifierError as exc:
        raise PydanticCustomError("uscc", exc.message) from None


def _gtin(value: str) -> str:
    try:
        return validate_gtin(value)
    except IdentifierError as exc:
        raise PydanticCustomError("gtin", exc.message) from None


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


Uscc = Annotated[str, AfterValidator(_uscc)]
Gtin = Annotated[str, AfterValidator(_gtin)]
OptUscc = Annotated[Uscc | None, BeforeValidator(_blank_to_none)]
OptGtin = Annotated[Gtin | None, BeforeValidator(_blank_to_none)]
PrefectureCode = Annotated[str, Field(pattern=r"^\d{6}$")]
OptCode = Annotated[str | None, BeforeValidator(_blank_to_none)]
ClassCode = Annotated[str, Field(pattern=r"^\d{4}$")]
OptClass = Annotated[ClassCode | None, BeforeValidator(_blank_to_none)]
OptDate = Annotated[date | None, BeforeValidator(_blank_to_none)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


def _dates_in_order(first: date | None, then: date | None) -> None:
    if first and then and then < first:
        raise PydanticCustomError(
            "date_order",
            _("The end date %(end)s is before the start date %(start)s.", end=then, start=first),
        )


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- places and industries (public reference data) ---


class PrefectureRead(_Read):
    code: str
    name_zh: str
    name_en: str


class CountyRead(_Read):
    code: str
    prefecture_code: str
    name_zh: str
    name_en: str


class IndustryClassRead(_Read):
    code: str
    name_zh: str
    industry_id: str | None


class IndustryRead(_Read):
    id: str
    name_zh: str
    name_en: str
    tier: int
    sort_order: int
    gbt4754: list[str] = Field(default_factory=list, validation_alias="classes")

    @field_validator("gbt4754", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        return [getattr(v, "code", v) for v in value]


def _ids(value: Any) -> Any:
    return [getattr(v, "id", None) or getattr(v, "code", v) for v in value]


class ParkRead(_Read):
    id: str
    name_zh: str
    name_en: str
    level: str
    prefecture_code: str
    county_code: str | None
    focus_zh: str
    source: str
    industries: Annotated[list[str], BeforeValidator(_ids)]


class BaseRead(_Read):
    id: str
    name_zh: str
    name_en: str
    product_zh: str
    description_zh: str
    source: str
    counties: Annotated[list[str], BeforeValidator(_ids)]
    industries: Annotated[list[str], BeforeValidator(_ids)]


class MarketRegionRead(_Read):
    id: str
    name_zh: str
    name_en: str
    kind: str
    parent_id: str | None


# --- enterprises and statuses ---


class StatusCreate(_Input):
    kind: StatusKind
    level: StatusLevel = ""
    valid_from: date
    valid_to: OptDate = None
    certificate_no: str = Field(default="", max_length=64)

    @model_validator(mode="after")
    def _order(self) -> StatusCreate:
        _dates_in_order(self.valid_from, self.valid_to)
        return self


class StatusUpdate(_Input):
    level: StatusLevel | None = None
    valid_to: OptDate = None
    certificate_no: str | None = Field(default=None, max_length=64)


class StatusRead(_Read):
    id: int
    kind: str
    level: str
    valid_from: date
    valid_to: date | None
    certificate_no: str


class EnterpriseCreate(_Input):
    uscc: Uscc
    name: Name
    name_en: str = Field(default="", max_length=256)
    prefecture_code: PrefectureCode
    county_code: OptCode = None
    park_id: OptCode = None
    gbt4754: OptClass = None
    industry_id: OptCode = Field(
        default=None, description="533 industry id; derived from gbt4754 when omitted."
    )
    founded_date: OptDate = None
    address: str = Field(default="", max_length=256)


class EnterpriseUpdate(_Input):
    """Fields to change; fields left out stay as they are (null clears an optional field)."""

    name: Name | None = None
    name_en: str | None = Field(default=None, max_length=256)
    prefecture_code: PrefectureCode | None = None
    county_code: OptCode = None
    park_id: OptCode = None
    gbt4754: OptClass = None
    industry_id: OptCode = None
    founded_date: OptDate = None
    closed_date: OptDate = None
    address: str | None = Field(default=None, max_length=256)


# What an enterprise user may change on their own record.
ENTERPRISE_OWNER_FIELDS = frozenset({"name_en", "address"})


class EnterpriseRead(_Read):
    id: int
    uscc: str
    name: str
    name_en: str
    prefecture_code: str
    county_code: str | None
    park_id: str | None
    gbt4754: str | None
    industry_id: str
    founded_date: date | None
    closed_date: date | None
    address: str
    source: str
    created_at: datetime
    updated_at: datetime
    statuses: list[StatusRead]


# --- brands, products, certifications ---


class BrandCreate(_Input):
    enterprise_uscc: Uscc
    name_zh: str = Field(min_length=1, max_length=128)
    name_en: str = Field(default="", max_length=128)
    trademark_no: str = Field(default="", max_length=32)
    well_known: bool = False


class BrandRead(_Read):
    id: int
    enterprise_uscc: str = Field(validation_alias=AliasPath("enterprise", "uscc"))
    name_zh: str
    name_en: str
    trademark_no: str
    well_known: bool


class ProductCreate(_Input):
    enterprise_uscc: Uscc
    gtin: Gtin
    name_zh: Name
    name_en: str = Field(default="", max_length=200)
    brand: str | None = Field(
        default=None,
        max_length=128,
        description="Brand name of the same enterprise; registered if it does not exist yet.",
    )
    industry_id: OptCode = Field(default=None, description="Defaults to the enterprise's industry.")
    category: str = Field(default="", max_length=64)
    net_content: str = Field(default="", max_length=32)
    origin_base_id: OptCode = None
    licence_kind: LicenceKind = Field(
        default="",
        description="sc (食品生产许可证), drug_approval (药品批准文号), hygiene_permit (卫生许可证).",
    )
    licence_no: str = Field(default="", max_length=64, description="As printed on the pack.")
    reason: str | None = Field(
        default=None,
        max_length=500,
        description=(
            "Why an officer registers a GTIN outside the enterprise's own GS1 company prefixes "
            "(recorded in the security audit trail). Enterprise users cannot."
        ),
    )


class ProductUpdate(_Input):
    name_zh: Name | None = None
    name_en: str | None = Field(default=None, max_length=200)
    brand: str | None = Field(default=None, max_length=128)
    industry_id: OptCode = None
    category: str | None = Field(default=None, max_length=64)
    net_content: str | None = Field(default=None, max_length=32)
    origin_base_id: OptCode = None
    licence_kind: LicenceKind | None = None
    licence_no: str | None = Field(default=None, max_length=64)


class ProductRead(_Read):
    id: int
    gtin: str
    enterprise_uscc: str = Field(validation_alias=AliasPath("enterprise", "uscc"))
    name_zh: str
    name_en: str
    brand_id: int | None
    brand: str | None = Field(default=None, validation_alias=AliasPath("brand", "name_zh"))
    industry_id: str
    category: str
    net_content: str
    origin_base_id: str | None
    licence_kind: str
    licence_no: str


PrefixKind = Literal["licensed", "assigned"]


class CompanyPrefixCreate(_Input):
    prefix: str = Field(
        pattern=r"^\d{6,14}$",
        description=(
            "A licensed GS1 company prefix (6 to 12 digits, as in the GTIN-13) or, for kind "
            "'assigned', one GTIN (8, 12, 13 or 14 digits)."
        ),
    )
    kind: PrefixKind = "licensed"


class CompanyPrefixRead(_Read):
    id: int
    prefix: str
    kind: str
    enterprise_uscc: str = Field(validation_alias=AliasPath("enterprise", "uscc"))
    created_at: datetime


class CertificationCreate(_Input):
    enterprise_uscc: Uscc
    product_gtin: OptGtin = None
    kind: CertificationKind
    certificate_no: str = Field(min_length=1, max_length=64)
    issuer: str = Field(default="", max_length=128)
    valid_from: date
    valid_to: OptDate = None

    @model_validator(mode="after")
    def _order(self) -> CertificationCreate:
        _dates_in_order(self.valid_from, self.valid_to)
        return self


class CertificationRead(_Read):
    id: int
    enterprise_uscc: str = Field(validation_alias=AliasPath("enterprise", "uscc"))
    product_gtin: str | None = Field(default=None, validation_alias=AliasPath("product", "gtin"))
    kind: str
    certificate_no: str
    issuer: str
    valid_from: date
    valid_to: date | None


# --- investment projects ---


class ProjectCreate(_Input):
    name: Name
    industry_id: str
    prefecture_code: PrefectureCode
    park_id: OptCode = None
    enterprise_uscc: OptUscc = None
    investor: str = Field(default="", max_length=200)
    amount_cny: Money
    stage: ProjectStage
    signed_date: OptDate = None
    start_date: OptDate = None
    production_date: OptDate = None
    description: str = ""

    @model_validator(mode="after")
    def _order(self) -> ProjectCreate:
        _dates_in_order(self.signed_date, self.start_date)
        _dates_in_order(self.start_date, self.production_date)
        return self


class ProjectUpdate(_Input):
    name: Name | None = None
    industry_id: str | None = None
    prefecture_code: PrefectureCode | None = None
    park_id: OptCode = None
    enterprise_uscc: OptUscc = None
    investor: str | None = Field(default=None, max_length=200)
    amount_cny: Money | None = None
    stage: ProjectStage | None = None
    signed_date: OptDate = None
    start_date: OptDate = None
    production_date: OptDate = None
    description: str | None = None


class ProjectRead(_Read):
    id: int
    name: str
    industry_id: str
    prefecture_code: str
    park_id: str | None
    enterprise_uscc: str | None = Field(
        default=None, validation_alias=AliasPath("enterprise", "uscc")
    )
    investor: str
    amount_cny: Decimal
    stage: str
    signed_date: date | None
    start_date: date | None
    production_date: date | None
    description: str
    created_at: datetime


# --- list filters (query parameters of the API and the pages) ---


class _Filter(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        # HTML filter forms send every field, empty ones as "".
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


class EnterpriseFilter(_Filter):
    q: str | None = Field(default=None, description="Part of the name, or the start of the USCC.")
    prefecture: str | None = None
    county: str | None = None
    park: str | None = None
    industry: str | None = None
    gbt4754: str | None = Field(
        default=None, description="A GB/T 4754 code or its start (2-digit division, 3-digit group)."
    )
    status: StatusKind | None = Field(default=None, description="Holds this status on as_of.")
    as_of: date | None = Field(default=None, description="Date for the status filter (today).")
    sort: str = Field(
        default="name",
        description="name, uscc, founded_date, prefecture, industry; prefix - for descending.",
    )


class ProductFilter(_Filter):
    q: str | None = Field(default=None, description="Part of the name, or the start of the GTIN.")
    enterprise: str | None = Field(default=None, description="USCC of the enterprise.")
    prefecture: str | None = None
    park: str | None = None
    industry: str | None = None
    brand: str | None = None
    category: str | None = None
    sort: str = Field(
        default="name", description="name, gtin, enterprise; prefix - for descending."
    )


class BrandFilter(_Filter):
    q: str | None = None
    enterprise: str | None = Field(default=None, description="USCC of the enterprise.")


class CertificationFilter(_Filter):
    enterprise: str | None = Field(default=None, description="USCC of the enterprise.")
    kind: CertificationKind | None = None
    valid_on: date | None = Field(default=None, description="Only certificates valid on this date.")


class ProjectFilter(_Filter):
    q: str | None = None
    prefecture: str | None = None
    park: str | None = None
    industry: str | None = None
    stage: ProjectStage | None = None
    enterprise: str | None = Field(default=None, description="USCC of the linked enterprise.")
    sort: str = Field(
        default="-amount", description="name, amount, stage, signed_date; prefix - for descending."
    )


class ImportReport(BaseModel):
    """What an import did (or, on a dry run, would do)."""

    kind: ImportKind
    rows: int
    created: int
    updated: int
    dry_run: bool


class StageSummary(BaseModel):
    stage: str
    count: int
    amount_cny: Decimal
