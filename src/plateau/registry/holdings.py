"""Brands, products (GTIN) and certificates: they follow their enterprise's visibility."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from plateau.auth.schemas import Actor
from plateau.errors import Conflict, FieldError, NotFound, ValidationFailed
from plateau.i18n import _
from plateau.registry import access, prefixes, rules
from plateau.registry.enterprises import get_enterprise
from plateau.registry.listing import Listing, normal, order_by, paginate
from plateau.registry.models import (
    Brand,
    Certification,
    Enterprise,
    Product,
    ProductPhoto,
)
from plateau.registry.reference import Refs
from plateau.registry.schemas import (
    BrandCreate,
    BrandFilter,
    CertificationCreate,
    CertificationFilter,
    ProductCreate,
    ProductFilter,
    ProductUpdate,
)

# --- brands, products, certifications ---


def _holder(session: Session, uscc: str, actor: Actor) -> Enterprise:
    ent = get_enterprise(session, uscc=uscc, actor=actor)
    if not access.may_edit_holdings(actor, ent):
        raise access.forbid_outside_scope(actor)
    return ent


def brand_query(filters: BrandFilter, actor: Actor) -> Select[Brand]:
    access.require_reader(actor)
    stmt = (
        select(Brand)
        .join(Brand.enterprise)
        .options(contains_eager(Brand.enterprise))
        .where(access.visible_enterprises(actor))
    )
    if filters.q:
        stmt = stmt.where(
            or_(
                Brand.name_zh.icontains(filters.q, autoescape=True),
                Brand.name_en.icontains(filters.q, autoescape=True),
            )
        )
    if filters.enterprise:
        stmt = stmt.where(Enterprise.uscc == normal(filters.enterprise))
    return stmt.order_by(Brand.name_zh, Brand.id)


def list_brands(
    session: Session,
    *,
    filters: BrandFilter | None = None,
    page: int = 1,
    per_page: int = 50,
    actor: Actor,
) -> Listing[Brand]:
    """List the brands of the enterprises the caller may see."""
    return paginate(session, brand_query(filters or BrandFilter(), actor), page, per_page)


def get_brand(session: Session, *, brand_id: int, actor: Actor) -> Brand:
    """Return a brand (with its enterprise loaded) if the caller may see it, else NotFound."""
    brand = session.scalar(brand_query(BrandFilter(), actor).where(Brand.id == brand_id))
    if brand is None:
        raise NotFound(_("No such brand."))
    return brand


def _find_or_add_brand(session: Session, ent: Enterprise, name: str) -> Brand:
    brand = session.scalar(
        select(Brand).where(Brand.enterprise_id == ent.id, Brand.name_zh == name)
    )
    if brand is None:
        brand = Brand(enterprise_id=ent.id, name_zh=name)
        session.add(brand)
        session.flush()
    brand.enterprise = ent
    return brand


def create_brand(session: Session, *, data: BrandCreate, actor: Actor) -> Brand:
    """Register a brand of an enterprise."""
    ent = _holder(session, data.enterprise_uscc, actor)
    exists = session.scalar(
        select(Brand.id).where(Brand.enterprise_id == ent.id, Brand.name_zh == data.name_zh)
    )
    if exists is not None:
        raise Conflict(_("The enterprise already has a brand named %(name)s.", name=data.name_zh))
    brand = Brand(enterprise_id=ent.id, **data.model_dump(exclude={"enterprise_uscc"}))
    brand.enterprise = ent
    session.add(brand)
    session.flush()
    return brand


def delete_brand(session: Session, *, brand_id: int, actor: Actor) -> None:
    """Remove a brand (its products keep existing without a brand)."""
    brand = session.scalar(brand_query(BrandFilter(), actor).where(Brand.id == brand_id))
    if brand is None:
        raise NotFound(_("No such brand."))
    if not access.may_edit_holdings(actor, brand.enterprise):
        raise access.forbid_outside_scope(actor)
    session.delete(brand)
    session.flush()


def product_query(filters: ProductFilter, actor: Actor) -> Select[Product]:
    access.require_reader(actor)
    stmt = (
        select(Product)
        .join(Product.enterprise)
        .options(contains_eager(Product.enterprise), selectinload(Product.brand))
        .where(access.visible_enterprises(actor))
    )
    f = filters
    if f.q:
        stmt = stmt.where(
            or_(
                Product.name_zh.icontains(f.q, autoescape=True),
                Product.name_en.icontains(f.q, autoescape=True),
                Product.gtin.startswith(f.q.zfill(14) if len(f.q) == 13 else f.q, autoescape=True),
            )
        )
    if f.enterprise:
        stmt = stmt.where(Enterprise.uscc == normal(f.enterprise))
    if f.prefecture:
        stmt = stmt.where(Enterprise.prefecture_code == f.prefecture)
    if f.park:
        stmt = stmt.where(Enterprise.park_id == f.park)
    if f.industry:
        stmt = stmt.where(Product.industry_id == f.industry)
    if f.category:
        stmt = stmt.where(Product.category == f.category)
    if f.brand:
        stmt = stmt.where(Product.brand.has(Brand.name_zh == f.brand))
    columns = {"name": Product.name_sort, "gtin": Product.gtin, "enterprise": Enterprise.name_sort}
    return stmt.order_by(*order_by(f.sort, columns, Product.id))


def list_products(
    session: Session,
    *,
    filters: ProductFilter | None = None,
    page: int = 1,
    per_page: int = 50,
    actor: Actor,
) -> Listing[Product]:
    """List the products of the enterprises the caller may see."""
    return paginate(session, product_query(filters or ProductFilter(), actor), page, per_page)


def get_product(session: Session, *, gtin: str, actor: Actor) -> Product:
    """Return a product by GTIN (8 to 14 digits) if the caller may see it, else NotFound."""
    code = gtin.strip().zfill(14)
    product = session.scalar(product_query(ProductFilter(), actor).where(Product.gtin == code))
    if product is None:
        raise NotFound(_("No product with GTIN %(gtin)s.", gtin=gtin))
    return product


@dataclass(frozen=True)
class PublicCertificate:
    """A certificate as printed on a label: kind, number, issuer, expiry."""

    kind: str
    certificate_no: str
    issuer: str
    valid_to: date | None


@dataclass(frozen=True)
class PublicProduct:
    """What anyone holding the product may know of it: the facts of its label."""

    gtin: str
    name_zh: str
    name_en: str
    brand_zh: str | None
    brand_en: str | None
    enterprise_uscc: str
    enterprise_name: str
    enterprise_name_en: str
    net_content: str
    category: str
    origin_base_id: str | None
    licence_kind: str
    licence_no: str
    photo_id: int | None
    certificates: tuple[PublicCertificate, ...]


def public_product(session: Session, *, gtin: str, today: date) -> PublicProduct:
    """Return the public facts of a product (for the page behind its QR code), else NotFound.

    No caller scope: the name, brand, maker (USCC and name, as on the label), net content,
    origin base, licence or approval number, photo and the certificates valid ``today`` are
    what the package itself shows to anyone. Nothing else of the enterprise leaves the registry here.
    """
    code = gtin.strip().zfill(14)
    product = session.scalar(
        select(Product)
        .where(Product.gtin == code)
        .options(selectinload(Product.enterprise), selectinload(Product.brand))
    )
    if product is None:
        raise NotFound(_("No product with GTIN %(gtin)s.", gtin=gtin))
    certs = session.scalars(
        select(Certification)
        .where(
            Certification.enterprise_id == product.enterprise_id,
            or_(Certification.product_id.is_(None), Certification.product_id == product.id),
            Certification.valid_from <= today,
            or_(Certification.valid_to.is_(None), Certification.valid_to >= today),
        )
        .order_by(Certification.kind, Certification.certificate_no)
    )
    ent = product.enterprise
    photo_id = session.scalar(select(ProductPhoto.id).where(ProductPhoto.product_id == product.id))
    return PublicProduct(
        gtin=product.gtin,
        name_zh=product.name_zh,
        name_en=product.name_en,
        brand_zh=product.brand.name_zh if product.brand else None,
        brand_en=product.brand.name_en if product.brand else None,
        enterprise_uscc=ent.uscc,
        enterprise_name=ent.name,
        enterprise_name_en=ent.name_en,
        net_content=product.net_content,
        category=product.category,
        origin_base_id=product.origin_base_id,
        licence_kind=product.licence_kind,
        licence_no=product.licence_no,
        photo_id=photo_id,
        certificates=tuple(
            PublicCertificate(c.kind, c.certificate_no, c.issuer, c.valid_to) for c in certs
        ),
    )


def _check_product_refs(
    refs: Refs, industry_id: str, base_id: str | None, licence: tuple[str, str] = ("", "")
) -> None:
    errors = (
        rules.check_industry(refs, industry_id)
        + rules.check_base(refs, base_id)
        + rules.check_licence(*licence)
    )
    if errors:
        raise ValidationFailed(_("The product cannot be saved as given."), errors)


def create_product(session: Session, *, data: ProductCreate, actor: Actor) -> Product:
    """Register a trade item (GTIN) of an enterprise; a new brand name is registered with it."""
    ent = _holder(session, data.enterprise_uscc, actor)
    industry = data.industry_id or ent.industry_id
    _check_product_refs(
        Refs.load(session), industry, data.origin_base_id, (data.licence_kind, data.licence_no)
    )
    if session.scalar(select(Product.id).where(Product.gtin == data.gtin)) is not None:
        raise Conflict(_("GTIN %(gtin)s is already registered.", gtin=data.gtin))
    prefixes.check_gtin_right(session, ent=ent, gtin=data.gtin, actor=actor, reason=data.reason)
    product = Product(
        enterprise_id=ent.id,
        **data.model_dump(exclude={"enterprise_uscc", "brand", "industry_id", "reason"}),
        industry_id=industry,
    )
    product.enterprise = ent
    product.brand = _find_or_add_brand(session, ent, data.brand) if data.brand else None
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, *, gtin: str, data: ProductUpdate, actor: Actor) -> Product:
    """Change a product's names, brand, industry, category, origin or licence."""
    product = get_product(session, gtin=gtin, actor=actor)
    ent = product.enterprise
    if not access.may_edit_holdings(actor, ent):
        raise access.forbid_outside_scope(actor)
    changes = data.model_dump(exclude_unset=True)
    for name in (
        "name_zh",
        "name_en",
        "industry_id",
        "category",
        "net_content",
        "licence_kind",
        "licence_no",
    ):
        if name in changes and changes[name] is None:
            del changes[name]
    if "licence_no" in changes:
        changes["licence_no"] = changes["licence_no"].strip()
    _check_product_refs(
        Refs.load(session),
        changes.get("industry_id", product.industry_id),
        changes.get("origin_base_id", product.origin_base_id),
        (
            changes.get("licence_kind", product.licence_kind),
            changes.get("licence_no", product.licence_no),
        ),
    )
    if "brand" in changes:
        name = changes.pop("brand")
        product.brand = _find_or_add_brand(session, ent, name) if name else None
    for name, value in changes.items():
        setattr(product, name, value)
    session.flush()
    return product


MAX_PHOTO_BYTES = 2 * 1024 * 1024
PHOTO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def _check_photo(blob: bytes) -> str:
    """Return the content type of an uploaded photo, refusing what is not a small image."""
    if len(blob) > MAX_PHOTO_BYTES:
        raise ValidationFailed(
            _("Each image may be at most %(mb)s MB.", mb=MAX_PHOTO_BYTES // (1024 * 1024))
        )
    from PIL import Image, UnidentifiedImageError

    # Pillow decides by the file's own bytes (magic numbers), never by its name or the
    # content type the browser claimed.
    try:
        with Image.open(io.BytesIO(blob)) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(_("The file is not an image (PNG, JPEG or WebP).")) from None
    if fmt not in PHOTO_FORMATS:
        raise ValidationFailed(_("The file is not an image (PNG, JPEG or WebP)."))
    return PHOTO_FORMATS[fmt]


def set_product_photo(session: Session, *, gtin: str, blob: bytes, actor: Actor) -> ProductPhoto:
    """Give a product its photo (PNG, JPEG or WebP up to 2 MB), replacing any earlier one."""
    product = get_product(session, gtin=gtin, actor=actor)
    if not access.may_edit_holdings(actor, product.enterprise):
        raise access.forbid_outside_scope(actor)
    content_type = _check_photo(blob)
    old = session.scalar(select(ProductPhoto).where(ProductPhoto.product_id == product.id))
    if old is not None:
        session.delete(old)
        session.flush()
    photo = ProductPhoto(product_id=product.id, content_type=content_type, data=blob)
    session.add(photo)
    session.flush()
    return photo


def remove_product_photo(session: Session, *, gtin: str, actor: Actor) -> None:
    """Take a product's photo away."""
    product = get_product(session, gtin=gtin, actor=actor)
    if not access.may_edit_holdings(actor, product.enterprise):
        raise access.forbid_outside_scope(actor)
    old = session.scalar(select(ProductPhoto).where(ProductPhoto.product_id == product.id))
    if old is not None:
        session.delete(old)
        session.flush()


def public_product_photo(session: Session, *, gtin: str) -> ProductPhoto:
    """Return a product's photo, public like the pack it shows, else NotFound."""
    code = gtin.strip().zfill(14)
    photo = session.scalar(
        select(ProductPhoto)
        .join(Product, Product.id == ProductPhoto.product_id)
        .where(Product.gtin == code)
    )
    if photo is None:
        raise NotFound(_("This product has no photo."))
    return photo


def delete_product(session: Session, *, gtin: str, actor: Actor) -> None:
    """Remove a product and its product certificates."""
    product = get_product(session, gtin=gtin, actor=actor)
    if not access.may_edit_holdings(actor, product.enterprise):
        raise access.forbid_outside_scope(actor)
    session.delete(product)
    session.flush()


def certification_query(filters: CertificationFilter, actor: Actor) -> Select[Certification]:
    access.require_reader(actor)
    stmt = (
        select(Certification)
        .join(Certification.enterprise)
        .options(contains_eager(Certification.enterprise), selectinload(Certification.product))
        .where(access.visible_enterprises(actor))
    )
    if filters.enterprise:
        stmt = stmt.where(Enterprise.uscc == normal(filters.enterprise))
    if filters.kind:
        stmt = stmt.where(Certification.kind == filters.kind)
    if filters.valid_on:
        on = filters.valid_on
        stmt = stmt.where(
            Certification.valid_from <= on,
            or_(Certification.valid_to.is_(None), Certification.valid_to >= on),
        )
    return stmt.order_by(Certification.valid_from.desc(), Certification.id)


def list_certifications(
    session: Session,
    *,
    filters: CertificationFilter | None = None,
    page: int = 1,
    per_page: int = 50,
    actor: Actor,
) -> Listing[Certification]:
    """List certificates of the enterprises the caller may see."""
    stmt = certification_query(filters or CertificationFilter(), actor)
    return paginate(session, stmt, page, per_page)


def create_certification(
    session: Session, *, data: CertificationCreate, actor: Actor
) -> Certification:
    """Record a certificate of an enterprise, or of one of its products."""
    ent = _holder(session, data.enterprise_uscc, actor)
    product = None
    if data.product_gtin:
        product = session.scalar(
            select(Product).where(
                Product.gtin == data.product_gtin, Product.enterprise_id == ent.id
            )
        )
        if product is None:
            raise ValidationFailed(
                _("The certificate cannot be saved as given."),
                [
                    FieldError(
                        _(
                            "GTIN %(gtin)s is not a product of this enterprise.",
                            gtin=data.product_gtin,
                        ),
                        field="product_gtin",
                        value=data.product_gtin,
                    )
                ],
            )
    cert = Certification(
        enterprise_id=ent.id,
        product_id=product.id if product else None,
        **data.model_dump(exclude={"enterprise_uscc", "product_gtin"}),
    )
    cert.enterprise, cert.product = ent, product
    session.add(cert)
    session.flush()
    return cert


def delete_certification(session: Session, *, certification_id: int, actor: Actor) -> None:
    """Remove a certificate."""
    cert = session.scalar(
        certification_query(CertificationFilter(), actor).where(
            Certification.id == certification_id
        )
    )
    if cert is None:
        raise NotFound(_("No such certificate."))
    if not access.may_edit_holdings(actor, cert.enterprise):
        raise access.forbid_outside_scope(actor)
    session.delete(cert)
    session.flush()
