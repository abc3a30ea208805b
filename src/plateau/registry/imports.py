"""File imports of enterprises, products and projects: check every row, then write all or nothing.

Called only from ``service``. Each row is parsed into typed values with messages in the
user's language, checked with the same ``rules`` as single writes and against the caller's
scope; errors carry the spreadsheet row number and the column header as written in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor, Role
from plateau.db import chunked
from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _, translations
from plateau.registry import access, prefixes, rules
from plateau.registry.exports import LABELS
from plateau.registry.identifiers import IdentifierError, validate_gtin, validate_uscc
from plateau.registry.models import Brand, Enterprise, EnterpriseStatus, InvestmentProject, Product
from plateau.registry.reference import Refs
from plateau.registry.schemas import (
    LICENCE_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    STATUS_LEVEL_LABELS,
    ImportKind,
    ImportReport,
)
from plateau.tabular import Column, Table


@dataclass(frozen=True)
class Spec:
    """One column of an import file: its key, its label (an export label key), and need."""

    key: str
    label: str
    required: bool = False


ENTERPRISE_SPECS = (
    Spec("uscc", "uscc", True),
    Spec("name", "enterprise_name", True),
    Spec("prefecture", "prefecture", True),
    Spec("industry", "industry", True),
    Spec("county", "county"),
    Spec("park", "park"),
    Spec("gbt4754", "gbt4754"),
    Spec("founded_date", "founded_date"),
    Spec("name_en", "name_en"),
    Spec("address", "address"),
)
PRODUCT_SPECS = (
    Spec("gtin", "gtin", True),
    Spec("name", "product_name", True),
    Spec("uscc", "uscc", True),
    Spec("brand", "brand"),
    Spec("industry", "industry"),
    Spec("category", "category"),
    Spec("net_content", "net_content"),
    Spec("origin_base", "origin_base"),
    Spec("name_en", "name_en"),
    Spec("licence_kind", "licence_kind"),
    Spec("licence_no", "licence_no"),
)
PROJECT_SPECS = (
    Spec("name", "project_name", True),
    Spec("industry", "industry", True),
    Spec("prefecture", "prefecture", True),
    Spec("stage", "stage", True),
    Spec("amount_cny", "amount_cny"),
    Spec("amount_wan", "amount_wan"),
    Spec("park", "park"),
    Spec("uscc", "uscc"),
    Spec("investor", "investor"),
    Spec("signed_date", "signed_date"),
    Spec("start_date", "start_date"),
    Spec("production_date", "production_date"),
    Spec("description", "description"),
    Spec("project_id", "project_id"),
)
STATUS_SPECS = (
    Spec("uscc", "uscc", True),
    Spec("kind", "kind", True),
    Spec("valid_from", "valid_from", True),
    Spec("level", "level"),
    Spec("valid_to", "valid_to"),
    Spec("certificate_no", "certificate_no"),
)
SPECS: dict[str, tuple[Spec, ...]] = {
    "enterprises": ENTERPRISE_SPECS,
    "products": PRODUCT_SPECS,
    "projects": PROJECT_SPECS,
    "statuses": STATUS_SPECS,
}

# Schema field names used by ``rules`` -> import column keys.
FIELD_TO_KEY = {
    "prefecture_code": "prefecture",
    "county_code": "county",
    "park_id": "park",
    "gbt4754": "gbt4754",
    "industry_id": "industry",
    "origin_base_id": "origin_base",
    "signed_date": "signed_date",
    "start_date": "start_date",
    "production_date": "production_date",
}


def _fold(header: str) -> str:
    text = "".join(header.split()).lower()
    return text.replace("（", "(").replace("）", ")").replace("_", "")


def _label(key: str) -> str:
    return _(LABELS[key])


def _aliases(spec: Spec) -> set[str]:
    label = LABELS[spec.label]
    names = {spec.key, label, translations("zh_Hans_CN").gettext(label)}
    return {_fold(n) for n in names}


def template_columns(kind: ImportKind) -> list[Column]:
    """Return the columns of an import file of ``kind``, headers in the current language."""
    return [Column(s.key, _(LABELS[s.label])) for s in SPECS[kind]]


def required_keys(kind: ImportKind) -> set[str]:
    """Return the keys of the required columns of ``kind``."""
    keys = {s.key for s in SPECS[kind] if s.required}
    return keys | {"amount_cny"} if kind == "projects" else keys


class Sheet:
    """An uploaded table matched to the columns of one import kind, collecting errors."""

    def __init__(self, table: Table, specs: Iterable[Spec]) -> None:
        self.table = table
        self.specs = {s.key: s for s in specs}
        self.headers: dict[str, str] = {}
        self.errors: list[FieldError] = []
        for header in table.headers:
            folded = _fold(header)
            for spec in self.specs.values():
                if spec.key not in self.headers and folded in _aliases(spec):
                    self.headers[spec.key] = header
                    break
        for spec in self.specs.values():
            if spec.required and spec.key not in self.headers:
                self.errors.append(
                    FieldError(
                        _(
                            "The required column “%(column)s” is missing.",
                            column=_(LABELS[spec.label]),
                        ),
                        field=_(LABELS[spec.label]),
                        row=1,
                    )
                )

    def column(self, key: str) -> str:
        """Return the header of ``key`` as the file writes it (or its translated label)."""
        return self.headers.get(key) or _(LABELS[self.specs[key].label])

    def cells(self, raw: dict[str, str]) -> dict[str, str]:
        return {key: raw.get(header, "").strip() for key, header in self.headers.items()} | {
            key: "" for key in self.specs if key not in self.headers
        }

    def error(self, row: int, key: str, message: str, value: Any = None) -> None:
        self.errors.append(
            FieldError(message, field=self.column(key), row=row, value=value or None)
        )

    def rule_errors(self, row: int, errors: list[FieldError]) -> None:
        for e in errors:
            self.error(row, FIELD_TO_KEY.get(e.field or "", e.field or ""), e.message, e.value)

    def fail_if_errors(self) -> None:
        if not self.table.rows and not self.errors:
            self.errors.append(FieldError(_("The file has no data rows."), row=2))
        if self.errors:
            n = len(self.errors)
            raise ValidationFailed(
                _("Nothing was imported: %(num)s problem(s) found in the file.", num=n),
                sorted(self.errors, key=lambda e: e.row or 0),
            )


_DATE_FORMATS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date(text: str) -> date | None:
    """Read a date written as 2020-05-01, 2020/5/1, 2020.5.1, 20200501 or 2020年5月1日."""
    for pattern in _DATE_FORMATS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def _date(sheet: Sheet, row: int, key: str, text: str) -> date | None:
    if not text:
        return None
    value = parse_date(text)
    if value is None:
        sheet.error(
            row,
            key,
            _("“%(value)s” is not a date: write it as 2020-05-01.", value=text),
            text,
        )
    return value


def _required(sheet: Sheet, row: int, key: str, text: str) -> bool:
    if text:
        return True
    sheet.error(row, key, _("This column must not be empty."))
    return False


def _too_long(sheet: Sheet, row: int, key: str, text: str, limit: int) -> bool:
    if len(text) <= limit:
        return False
    sheet.error(
        row, key, _("At most %(limit)s characters, not %(n)s.", limit=limit, n=len(text)), text
    )
    return True


def _lookup(
    sheet: Sheet, row: int, key: str, text: str, find: Callable[[str], str | None], message: str
) -> str | None:
    if not text:
        return None
    found = find(text)
    if found is None:
        sheet.error(row, key, message, text)
    return found


def _uscc(sheet: Sheet, row: int, key: str, text: str) -> str | None:
    try:
        return validate_uscc(text)
    except IdentifierError as exc:
        sheet.error(row, key, exc.message, text)
        return None


def _scope_error(sheet: Sheet, row: int, actor: Actor) -> None:
    key = "park" if actor.role is Role.PARK_OFFICER else "prefecture"
    sheet.error(row, key, access.forbid_outside_scope(actor).message)


def _duplicate(
    sheet: Sheet, row: int, key: str, seen: dict[Any, int], value: Any, text: str
) -> bool:
    if value in seen:
        sheet.error(
            row,
            key,
            _("Duplicate of row %(row)s: each record may appear only once.", row=seen[value]),
            text,
        )
        return True
    seen[value] = row
    return False


# --- enterprises ---


def _county(refs: Refs, prefecture: str | None, text: str) -> str | None:
    # A county of another prefecture is found too, so the error can say where it lies.
    return refs.find_county(text, prefecture) or refs.find_county(text, None)


def import_enterprises(
    session: Session, *, table: Table, actor: Actor, dry_run: bool
) -> ImportReport:
    """Check every row of an enterprise file; write them all, or raise with every problem."""
    sheet = Sheet(table, ENTERPRISE_SPECS)
    if sheet.errors:
        sheet.fail_if_errors()
    refs = Refs.load(session)
    texts = [sheet.cells(raw) for _n, raw in table.rows]
    wanted = {t["uscc"].strip().upper() for t in texts}
    existing = {
        e.uscc: e
        for chunk in chunked(sorted(wanted))
        for e in session.scalars(select(Enterprise).where(Enterprise.uscc.in_(chunk)))
    }
    visible = {
        found
        for chunk in chunked(sorted(wanted))
        for found in session.scalars(
            select(Enterprise.id).where(
                Enterprise.uscc.in_(chunk), access.visible_enterprises(actor)
            )
        )
    }
    seen: dict[Any, int] = {}
    planned: list[tuple[Enterprise | None, dict[str, Any]]] = []
    for (n, _raw), c in zip(table.rows, texts, strict=True):
        before = len(sheet.errors)
        uscc = (
            _uscc(sheet, n, "uscc", c["uscc"]) if _required(sheet, n, "uscc", c["uscc"]) else None
        )
        if uscc is not None:
            _duplicate(sheet, n, "uscc", seen, uscc, c["uscc"])
        if _required(sheet, n, "name", c["name"]):
            _too_long(sheet, n, "name", c["name"], 200)
        _too_long(sheet, n, "name_en", c["name_en"], 256)
        _too_long(sheet, n, "address", c["address"], 256)
        prefecture = None
        if _required(sheet, n, "prefecture", c["prefecture"]):
            prefecture = _lookup(
                sheet,
                n,
                "prefecture",
                c["prefecture"],
                refs.find_prefecture,
                _(
                    "Unknown prefecture “%(value)s”: give a GB/T 2260 code such as 540100 or a name such as 拉萨市.",
                    value=c["prefecture"],
                ),
            )
        county = _lookup(
            sheet,
            n,
            "county",
            c["county"],
            partial(_county, refs, prefecture),
            _("Unknown county “%(value)s”.", value=c["county"]),
        )
        park = _lookup(
            sheet,
            n,
            "park",
            c["park"],
            refs.find_park,
            _("Unknown park “%(value)s”.", value=c["park"]),
        )
        gbt4754 = c["gbt4754"] or None
        if gbt4754 is not None and not re.fullmatch(r"\d{4}", gbt4754):
            sheet.error(
                n,
                "gbt4754",
                _(
                    "“%(value)s” is not a GB/T 4754 class: give its four digits, e.g. 1512.",
                    value=gbt4754,
                ),
                gbt4754,
            )
            gbt4754 = None
        industry = _lookup(
            sheet,
            n,
            "industry",
            c["industry"],
            refs.find_industry,
            _(
                "Unknown industry “%(value)s”: use one of the eleven 533 industries.",
                value=c["industry"],
            ),
        )
        if not c["industry"] and not c["gbt4754"]:
            _required(sheet, n, "industry", "")
        founded = _date(sheet, n, "founded_date", c["founded_date"])
        if len(sheet.errors) > before:
            continue
        assert uscc is not None and prefecture is not None
        sheet.rule_errors(
            n,
            rules.check_location(
                refs, prefecture_code=prefecture, county_code=county, park_id=park
            ),
        )
        derived, errs = rules.resolve_industry(refs, gbt4754=gbt4754, industry_id=industry)
        sheet.rule_errors(n, errs)
        ex = existing.get(uscc)
        if ex is not None and ex.id not in visible:
            # The same answer as any row outside the caller's area: whether a USCC is
            # registered elsewhere is not the caller's to learn.
            _scope_error(sheet, n, actor)
        elif not access.may_manage(actor, prefecture_code=prefecture, park_id=park):
            _scope_error(sheet, n, actor)
        if len(sheet.errors) > before:
            continue
        values = {
            "uscc": uscc,
            "name": c["name"],
            "prefecture_code": prefecture,
            "county_code": county,
            "park_id": park,
            "gbt4754": gbt4754,
            "industry_id": derived,
            "founded_date": founded,
        }
        # Optional descriptive columns only overwrite when the file has them.
        for key in ("name_en", "address"):
            if key in sheet.headers:
                values[key] = c[key]
        planned.append((ex, values))
    sheet.fail_if_errors()
    created = sum(1 for ex, _v in planned if ex is None)
    if not dry_run:
        for ex, values in planned:
            if ex is None:
                ent = Enterprise(**values, source="import")
                session.add(ent)
            else:
                for name, value in values.items():
                    setattr(ex, name, value)
        session.flush()
    return ImportReport(
        kind="enterprises",
        rows=len(planned),
        created=created,
        updated=len(planned) - created,
        dry_run=dry_run,
    )


# --- products ---


def import_products(session: Session, *, table: Table, actor: Actor, dry_run: bool) -> ImportReport:
    """Check every row of a product file; write them all, or raise with every problem."""
    sheet = Sheet(table, PRODUCT_SPECS)
    if sheet.errors:
        sheet.fail_if_errors()
    refs = Refs.load(session)
    licence_index = _licence_index()
    texts = [sheet.cells(raw) for _n, raw in table.rows]
    usccs = {t["uscc"].strip().upper() for t in texts}
    enterprises = {
        e.uscc: e
        for chunk in chunked(sorted(usccs))
        for e in session.scalars(
            select(Enterprise).where(Enterprise.uscc.in_(chunk), access.visible_enterprises(actor))
        )
    }
    gtins = set()
    for t in texts:
        with suppress(IdentifierError):
            gtins.add(validate_gtin(t["gtin"]))
    existing = {
        p.gtin: p
        for chunk in chunked(sorted(gtins))
        for p in session.scalars(select(Product).where(Product.gtin.in_(chunk)))
    }
    holders = prefixes.holders_of(session, gtins - existing.keys())
    seen: dict[Any, int] = {}
    # (existing product, enterprise, values, whether the file sets brands, brand name)
    planned: list[tuple[Product | None, Enterprise, dict[str, Any], bool, str | None]] = []
    for (n, _raw), c in zip(table.rows, texts, strict=True):
        before = len(sheet.errors)
        gtin = None
        if _required(sheet, n, "gtin", c["gtin"]):
            try:
                gtin = validate_gtin(c["gtin"])
            except IdentifierError as exc:
                sheet.error(n, "gtin", exc.message, c["gtin"])
        if gtin is not None:
            _duplicate(sheet, n, "gtin", seen, gtin, c["gtin"])
        if _required(sheet, n, "name", c["name"]):
            _too_long(sheet, n, "name", c["name"], 200)
        _too_long(sheet, n, "name_en", c["name_en"], 200)
        _too_long(sheet, n, "brand", c["brand"], 128)
        _too_long(sheet, n, "category", c["category"], 64)
        _too_long(sheet, n, "net_content", c["net_content"], 32)
        ent = None
        if _required(sheet, n, "uscc", c["uscc"]):
            uscc = _uscc(sheet, n, "uscc", c["uscc"])
            if uscc is not None:
                ent = enterprises.get(uscc)
                if ent is None:
                    sheet.error(
                        n,
                        "uscc",
                        _(
                            "No enterprise with 统一社会信用代码 %(uscc)s in your area; import the enterprise first.",
                            uscc=uscc,
                        ),
                        uscc,
                    )
                elif not access.may_edit_holdings(actor, ent):
                    sheet.error(n, "uscc", access.forbid_outside_scope(actor).message, uscc)
        industry = _lookup(
            sheet,
            n,
            "industry",
            c["industry"],
            refs.find_industry,
            _(
                "Unknown industry “%(value)s”: use one of the eleven 533 industries.",
                value=c["industry"],
            ),
        )
        base = _lookup(
            sheet,
            n,
            "origin_base",
            c["origin_base"],
            refs.find_base,
            _("Unknown raw-material base “%(value)s”.", value=c["origin_base"]),
        )
        licence_kind = None
        if "licence_kind" in sheet.headers or "licence_no" in sheet.headers:
            licence_kind = _lookup(
                sheet,
                n,
                "licence_kind",
                c["licence_kind"],
                lambda text: licence_index.get(_fold(text)),
                _(
                    "Unknown licence kind “%(value)s”: use one of %(kinds)s.",
                    value=c["licence_kind"],
                    kinds="、".join(_(label) for label in LICENCE_LABELS.values()),
                ),
            )
            if not _too_long(sheet, n, "licence_no", c["licence_no"], 64):
                for problem in rules.check_licence(licence_kind or "", c["licence_no"]):
                    key = "licence_no" if problem.field == "licence_no" else "licence_kind"
                    sheet.error(n, key, problem.message, problem.value)
        if len(sheet.errors) > before or ent is None or gtin is None:
            continue
        ex = existing.get(gtin)
        if ex is not None and ex.enterprise_id != ent.id:
            sheet.error(
                n,
                "gtin",
                _("GTIN %(gtin)s is already registered to another enterprise.", gtin=gtin),
                c["gtin"],
            )
            continue
        if ex is None:
            # No override reason in a file: such a GTIN is registered one by one.
            refusal = prefixes.gtin_refusal(
                session, ent=ent, gtin=gtin, actor=actor, reason=None, holder=holders.get(gtin)
            )
            if refusal is not None:
                sheet.error(n, "gtin", refusal, c["gtin"])
                continue
        values: dict[str, Any] = {
            "gtin": gtin,
            "name_zh": c["name"],
            "industry_id": industry or (ex.industry_id if ex else ent.industry_id),
        }
        for key, attr in (
            ("name_en", "name_en"),
            ("category", "category"),
            ("net_content", "net_content"),
        ):
            if key in sheet.headers:
                values[attr] = c[key]
        if "origin_base" in sheet.headers:
            values["origin_base_id"] = base
        if "licence_kind" in sheet.headers or "licence_no" in sheet.headers:
            values["licence_kind"] = licence_kind or ""
            values["licence_no"] = c["licence_no"]
        planned.append((ex, ent, values, "brand" in sheet.headers, c["brand"] or None))
    sheet.fail_if_errors()
    created = sum(1 for ex, *_rest in planned if ex is None)
    if not dry_run:
        brands: dict[tuple[int, str], Brand] = {}
        for ex, ent, values, sets_brand, brand_name in planned:
            product = ex
            if product is None:
                product = Product(enterprise_id=ent.id, **values)
                session.add(product)
            else:
                for name, value in values.items():
                    setattr(product, name, value)
            if sets_brand:
                brand = _brand(session, brands, ent, brand_name) if brand_name else None
                product.brand_id = brand.id if brand else None
        session.flush()
    return ImportReport(
        kind="products",
        rows=len(planned),
        created=created,
        updated=len(planned) - created,
        dry_run=dry_run,
    )


def _brand(
    session: Session, cache: dict[tuple[int, str], Brand], ent: Enterprise, name: str
) -> Brand:
    key = (ent.id, name)
    if key not in cache:
        brand = session.scalar(
            select(Brand).where(Brand.enterprise_id == ent.id, Brand.name_zh == name)
        )
        if brand is None:
            brand = Brand(enterprise_id=ent.id, name_zh=name)
            session.add(brand)
            session.flush()
        cache[key] = brand
    return cache[key]


# --- investment projects ---


def _licence_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for kind, label in LICENCE_LABELS.items():
        for text in (kind, label, translations("zh_Hans_CN").gettext(label)):
            index[_fold(text)] = kind
    return index


def _stage_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for stage, label in STAGE_LABELS.items():
        for text in (stage, label, translations("zh_Hans_CN").gettext(label)):
            index[_fold(text)] = stage
    return index


def _amount(sheet: Sheet, row: int, key: str, text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        sheet.error(
            row,
            key,
            _("“%(value)s” is not an amount: write digits only, e.g. 15000000.", value=text),
            text,
        )
        return None
    return value


def import_projects(session: Session, *, table: Table, actor: Actor, dry_run: bool) -> ImportReport:
    """Check every row of a project file; write them all, or raise with every problem."""
    sheet = Sheet(table, PROJECT_SPECS)
    if "amount_cny" not in sheet.headers and "amount_wan" not in sheet.headers:
        sheet.errors.append(
            FieldError(
                _(
                    "The required column “%(column)s” is missing.",
                    column=_label("amount_cny") + " / " + _label("amount_wan"),
                ),
                field=_label("amount_cny"),
                row=1,
            )
        )
    if sheet.errors:
        sheet.fail_if_errors()
    refs = Refs.load(session)
    stages = _stage_index()
    texts = [sheet.cells(raw) for _n, raw in table.rows]
    usccs = {t["uscc"].strip().upper() for t in texts if t["uscc"]}
    enterprises = {
        e.uscc: e
        for chunk in chunked(sorted(usccs))
        for e in session.scalars(
            select(Enterprise).where(Enterprise.uscc.in_(chunk), access.visible_enterprises(actor))
        )
    }
    projects = list(
        session.scalars(select(InvestmentProject).where(access.visible_projects(actor)))
    )
    by_id = {p.id: p for p in projects}
    by_name = {(p.name, p.prefecture_code): p for p in projects}
    seen: dict[Any, int] = {}
    planned: list[tuple[InvestmentProject | None, dict[str, Any]]] = []
    for (n, _raw), c in zip(table.rows, texts, strict=True):
        before = len(sheet.errors)
        ex: InvestmentProject | None = None
        if c["project_id"]:
            pid = int(c["project_id"]) if c["project_id"].isdigit() else None
            ex = by_id.get(pid) if pid is not None else None
            if ex is None:
                sheet.error(
                    n,
                    "project_id",
                    _("No investment project with id %(id)s.", id=c["project_id"]),
                    c["project_id"],
                )
        if _required(sheet, n, "name", c["name"]):
            _too_long(sheet, n, "name", c["name"], 200)
        _too_long(sheet, n, "investor", c["investor"], 200)
        prefecture = None
        if _required(sheet, n, "prefecture", c["prefecture"]):
            prefecture = _lookup(
                sheet,
                n,
                "prefecture",
                c["prefecture"],
                refs.find_prefecture,
                _(
                    "Unknown prefecture “%(value)s”: give a GB/T 2260 code such as 540100 or a name such as 拉萨市.",
                    value=c["prefecture"],
                ),
            )
        park = _lookup(
            sheet,
            n,
            "park",
            c["park"],
            refs.find_park,
            _("Unknown park “%(value)s”.", value=c["park"]),
        )
        industry = None
        if _required(sheet, n, "industry", c["industry"]):
            industry = _lookup(
                sheet,
                n,
                "industry",
                c["industry"],
                refs.find_industry,
                _(
                    "Unknown industry “%(value)s”: use one of the eleven 533 industries.",
                    value=c["industry"],
                ),
            )
        stage = None
        if _required(sheet, n, "stage", c["stage"]):
            stage = stages.get(_fold(c["stage"]))
            if stage is None:
                labels = "、".join(_(label) for label in STAGE_LABELS.values())
                sheet.error(
                    n,
                    "stage",
                    _(
                        "Unknown stage “%(value)s”: use one of %(stages)s.",
                        value=c["stage"],
                        stages=labels,
                    ),
                    c["stage"],
                )
        amount = None
        if c["amount_cny"]:
            amount = _amount(sheet, n, "amount_cny", c["amount_cny"])
        elif c["amount_wan"]:
            wan = _amount(sheet, n, "amount_wan", c["amount_wan"])
            amount = wan * 10000 if wan is not None else None
        else:
            key = "amount_cny" if "amount_cny" in sheet.headers else "amount_wan"
            _required(sheet, n, key, "")
        ent = None
        if c["uscc"]:
            uscc = _uscc(sheet, n, "uscc", c["uscc"])
            if uscc is not None:
                ent = enterprises.get(uscc)
                if ent is None:
                    sheet.error(
                        n,
                        "uscc",
                        _("No enterprise with 统一社会信用代码 %(uscc)s in your area.", uscc=uscc),
                        uscc,
                    )
        dates = {
            k: _date(sheet, n, k, c[k]) for k in ("signed_date", "start_date", "production_date")
        }
        if len(sheet.errors) > before:
            continue
        assert prefecture is not None and industry is not None and amount is not None
        sheet.rule_errors(n, rules.check_location(refs, prefecture_code=prefecture, park_id=park))
        sheet.rule_errors(
            n,
            rules.check_date_order(
                [
                    ("signed_date", dates["signed_date"], "start_date", dates["start_date"]),
                    (
                        "start_date",
                        dates["start_date"],
                        "production_date",
                        dates["production_date"],
                    ),
                ]
            ),
        )
        if not access.may_manage(actor, prefecture_code=prefecture, park_id=park) or (
            ex is not None
            and not access.may_manage(actor, prefecture_code=ex.prefecture_code, park_id=ex.park_id)
        ):
            _scope_error(sheet, n, actor)
        record: tuple[Any, ...] = (ex.id,) if ex is not None else (c["name"], prefecture)
        if _duplicate(sheet, n, "name", seen, record, c["name"]) or len(sheet.errors) > before:
            continue
        if ex is None:
            ex = by_name.get((c["name"], prefecture))
        values: dict[str, Any] = {
            "name": c["name"],
            "industry_id": industry,
            "prefecture_code": prefecture,
            "park_id": park,
            "amount_cny": amount.quantize(Decimal("0.01")),
            "stage": stage,
            "enterprise_id": ent.id if ent else None,
            **dates,
        }
        for key in ("investor", "description"):
            if key in sheet.headers:
                values[key] = c[key]
        planned.append((ex, values))
    sheet.fail_if_errors()
    created = sum(1 for ex, _v in planned if ex is None)
    if not dry_run:
        for ex, values in planned:
            if ex is None:
                session.add(InvestmentProject(**values))
            else:
                for name, value in values.items():
                    setattr(ex, name, value)
        session.flush()
    return ImportReport(
        kind="projects",
        rows=len(planned),
        created=created,
        updated=len(planned) - created,
        dry_run=dry_run,
    )


# --- statuses ---

_CHUNK = 500  # keeps every IN (...) list far below the drivers' parameter limits


def _label_index(labels: dict[str, str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, label in labels.items():
        for text in (code, label, translations("zh_Hans_CN").gettext(label)):
            index[_fold(text)] = code
    return index


def import_statuses(session: Session, *, table: Table, actor: Actor, dry_run: bool) -> ImportReport:
    """Check every row of a status file; write them all, or raise with every problem.

    A row with the enterprise, kind and start date of a recorded status updates it; any
    other row adds a status, which may not overlap another period of the same kind.
    """
    sheet = Sheet(table, STATUS_SPECS)
    if sheet.errors:
        sheet.fail_if_errors()
    kinds = _label_index(STATUS_LABELS)
    levels = _label_index({k: v for k, v in STATUS_LEVEL_LABELS.items() if k})
    texts = [sheet.cells(raw) for _n, raw in table.rows]
    usccs = sorted({t["uscc"].strip().upper() for t in texts if t["uscc"]})
    enterprises: dict[str, Enterprise] = {}
    for i in range(0, len(usccs), _CHUNK):
        chunk = usccs[i : i + _CHUNK]
        enterprises.update(
            (e.uscc, e)
            for e in session.scalars(
                select(Enterprise).where(
                    Enterprise.uscc.in_(chunk), access.visible_enterprises(actor)
                )
            )
        )
    ids = sorted(e.id for e in enterprises.values())
    existing: dict[int, list[EnterpriseStatus]] = {}
    for i in range(0, len(ids), _CHUNK):
        for st in session.scalars(
            select(EnterpriseStatus).where(EnterpriseStatus.enterprise_id.in_(ids[i : i + _CHUNK]))
        ):
            existing.setdefault(st.enterprise_id, []).append(st)
    seen: dict[Any, int] = {}
    planned: list[tuple[EnterpriseStatus | None, dict[str, Any]]] = []
    periods: dict[tuple[int, str], list[tuple[date, date | None, int]]] = {}
    for (n, _raw), c in zip(table.rows, texts, strict=True):
        before = len(sheet.errors)
        ent = None
        if _required(sheet, n, "uscc", c["uscc"]):
            uscc = _uscc(sheet, n, "uscc", c["uscc"])
            if uscc is not None:
                ent = enterprises.get(uscc)
                if ent is None:
                    sheet.error(
                        n,
                        "uscc",
                        _("No enterprise with 统一社会信用代码 %(uscc)s in your area.", uscc=uscc),
                        uscc,
                    )
        kind = None
        if _required(sheet, n, "kind", c["kind"]):
            kind = kinds.get(_fold(c["kind"]))
            if kind is None:
                names = "、".join(_(label) for label in STATUS_LABELS.values())
                sheet.error(
                    n,
                    "kind",
                    _(
                        "Unknown status “%(value)s”: use one of %(kinds)s.",
                        value=c["kind"],
                        kinds=names,
                    ),
                    c["kind"],
                )
        level = ""
        if c["level"]:
            level = levels.get(_fold(c["level"]), "")
            if not level:
                sheet.error(
                    n,
                    "level",
                    _(
                        "Unknown level “%(value)s”: use national, regional or prefecture.",
                        value=c["level"],
                    ),
                    c["level"],
                )
        start = (
            _date(sheet, n, "valid_from", c["valid_from"])
            if _required(sheet, n, "valid_from", c["valid_from"])
            else None
        )
        end = _date(sheet, n, "valid_to", c["valid_to"])
        _too_long(sheet, n, "certificate_no", c["certificate_no"], 64)
        if start is not None and end is not None and end < start:
            sheet.error(n, "valid_to", _("The end date is before the start date."), c["valid_to"])
        if len(sheet.errors) > before:
            continue
        assert ent is not None and kind is not None and start is not None
        if not access.may_manage(actor, prefecture_code=ent.prefecture_code, park_id=ent.park_id):
            _scope_error(sheet, n, actor)
            continue
        if _duplicate(sheet, n, "valid_from", seen, (ent.id, kind, start), c["valid_from"]):
            continue
        match = next(
            (s for s in existing.get(ent.id, []) if s.kind == kind and s.valid_from == start), None
        )
        others = [
            (s.valid_from, s.valid_to, 0)
            for s in existing.get(ent.id, [])
            if s.kind == kind and s is not match
        ] + periods.get((ent.id, kind), [])
        clash = next((o for o in others if rules.periods_overlap(o[0], o[1], start, end)), None)
        if clash is not None:
            message = (
                _("Overlaps row %(row)s of the same status.", row=clash[2])
                if clash[2]
                else _(
                    "The enterprise already holds this status from %(start)s; end that period first.",
                    start=clash[0],
                )
            )
            sheet.error(n, "valid_from", message, c["valid_from"])
            continue
        periods.setdefault((ent.id, kind), []).append((start, end, n))
        planned.append(
            (
                match,
                {
                    "enterprise_id": ent.id,
                    "kind": kind,
                    "level": level,
                    "valid_from": start,
                    "valid_to": end,
                    "certificate_no": c["certificate_no"],
                },
            )
        )
    sheet.fail_if_errors()
    created = sum(1 for ex, _v in planned if ex is None)
    if not dry_run:
        for ex, values in planned:
            if ex is None:
                session.add(EnterpriseStatus(**values))
            else:
                for name, value in values.items():
                    setattr(ex, name, value)
        session.flush()
    return ImportReport(
        kind="statuses",
        rows=len(planned),
        created=created,
        updated=len(planned) - created,
        dry_run=dry_run,
    )
