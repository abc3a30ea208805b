"""HTML pages of the registry: lists with filters (HTMX), details, forms, imports."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar, cast, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from plateau.auth.schemas import Actor
from plateau.errors import DomainError, FieldError, Forbidden, ValidationFailed
from plateau.formatting import loc
from plateau.i18n import _, lazy
from plateau.registry import service
from plateau.registry.schemas import (
    CERTIFICATION_LABELS,
    IMPORT_KIND_LABELS,
    IMPORT_KINDS,
    LICENCE_KINDS,
    LICENCE_LABELS,
    PARK_LEVEL_LABELS,
    PROJECT_STAGES,
    STAGE_LABELS,
    STATUS_KINDS,
    STATUS_LABELS,
    STATUS_LEVEL_LABELS,
    BrandCreate,
    BrandFilter,
    CertificationCreate,
    CertificationFilter,
    EnterpriseCreate,
    EnterpriseFilter,
    EnterpriseUpdate,
    ImportKind,
    ImportReport,
    ProductCreate,
    ProductFilter,
    ProductUpdate,
    ProjectCreate,
    ProjectFilter,
    ProjectUpdate,
    StatusCreate,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PostedForm, read_upload_sync
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])

PER_PAGE = 25
B = TypeVar("B", bound=BaseModel)


def _labels() -> dict[str, Any]:
    return {
        "loc": loc,
        "today": date.today(),
        "STATUS_LABELS": STATUS_LABELS,
        "STATUS_KINDS": STATUS_KINDS,
        "STATUS_LEVEL_LABELS": STATUS_LEVEL_LABELS,
        "CERTIFICATION_LABELS": CERTIFICATION_LABELS,
        "STAGE_LABELS": STAGE_LABELS,
        "PROJECT_STAGES": PROJECT_STAGES,
        "PARK_LEVEL_LABELS": PARK_LEVEL_LABELS,
        "LICENCE_KINDS": LICENCE_KINDS,
        "LICENCE_LABELS": LICENCE_LABELS,
    }


def _page(
    request: Request, template: str, ctx: dict[str, Any], actor: Actor, status: int = 200
) -> HTMLResponse:
    return render(
        request, template, _labels() | ctx, actor=actor, active="registry", status_code=status
    )


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _query(filters: BaseModel) -> str:
    """Return the filters as a query string (defaults left out) for pagination and export."""
    values = filters.model_dump(exclude_defaults=True, mode="json")
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


_PYDANTIC_MESSAGES = {
    "missing": lazy("Required."),
    "string_too_short": lazy("Required."),
    "string_too_long": lazy("Too long."),
    "string_pattern_mismatch": lazy("Not in the expected format."),
    "date_parsing": lazy("Not a valid date."),
    "date_from_datetime_parsing": lazy("Not a valid date."),
    "decimal_parsing": lazy("Not a number."),
    "decimal_max_digits": lazy("Too many digits."),
    "decimal_max_places": lazy("At most two decimal places."),
    "greater_than_equal": lazy("Must not be negative."),
    "literal_error": lazy("Not one of the allowed values."),
}


def _field_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        msgid = _PYDANTIC_MESSAGES.get(err["type"])
        message = _(msgid) if msgid else str(err["msg"]).removeprefix("Value error, ")
        loc_ = [str(p) for p in err.get("loc", ())]
        errors.append(FieldError(message, field=loc_[0] if loc_ else None))
    return errors


def _validate(model: type[B], form: dict[str, Any]) -> B:
    try:
        return model.model_validate(form)
    except ValidationError as exc:
        raise ValidationFailed(_("Some of the values are not valid."), _field_errors(exc)) from None


def _form(form: FormData, fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: str(form.get(k, "")).strip() for k in fields if k in form}


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e.field or "", e.message)
    return out


# --- overview and reference pages (public) ---


@router.get("/registry", response_class=HTMLResponse)
def index(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    counts = service.registry_counts(session, actor=actor)
    return _page(
        request,
        "registry/index.html",
        {"counts": counts, "may_register": service.may_register(actor)},
        actor,
    )


@router.get("/registry/prefectures", response_class=HTMLResponse)
def prefectures(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    counties = service.list_counties(session, actor=actor)
    parks = service.list_parks(session, actor=actor)
    enterprise_counts = (
        service.count_enterprises(session, actor=actor) if actor.is_authenticated else None
    )
    ctx = {
        "prefectures": service.list_prefectures(session, actor=actor),
        "counties": counties,
        "parks": parks,
        "enterprise_counts": enterprise_counts,
    }
    return _page(request, "registry/prefectures.html", ctx, actor)


@router.get("/registry/parks", response_class=HTMLResponse)
def parks(
    request: Request, session: DbSession, actor: CurrentActor, prefecture: str | None = None
) -> Response:
    ctx = {
        "parks": service.list_parks(session, prefecture=prefecture or None, actor=actor),
        "refs": service.reference(session, actor=actor),
        "prefecture": prefecture,
        "enterprise_counts": (
            service.count_enterprises(session, actor=actor, group_by="park")
            if actor.is_authenticated
            else None
        ),
    }
    return _page(request, "registry/parks.html", ctx, actor)


@router.get("/registry/parks/{park_id}", response_class=HTMLResponse)
def park(request: Request, session: DbSession, actor: CurrentActor, park_id: str) -> Response:
    found = service.get_park(session, park_id=park_id, actor=actor)
    enterprises = projects = None
    if actor.is_authenticated:
        enterprises = service.list_enterprises(
            session, filters=EnterpriseFilter(park=park_id), per_page=200, actor=actor
        )
        projects = service.list_projects(
            session, filters=ProjectFilter(park=park_id), per_page=200, actor=actor
        )
    ctx = {
        "park": found,
        "refs": service.reference(session, actor=actor),
        "enterprises": enterprises,
        "projects": projects,
    }
    return _page(request, "registry/park.html", ctx, actor)


@router.get("/registry/bases", response_class=HTMLResponse)
def bases(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    ctx = {
        "bases": service.list_bases(session, actor=actor),
        "refs": service.reference(session, actor=actor),
    }
    return _page(request, "registry/bases.html", ctx, actor)


# --- enterprises ---


@router.get("/registry/enterprises", response_class=HTMLResponse)
def enterprises(request: Request, session: DbSession, actor: UserActor, page: int = 1) -> Response:
    filters = _validate(EnterpriseFilter, dict(request.query_params))
    found = service.list_enterprises(
        session, filters=filters, page=max(page, 1), per_page=PER_PAGE, actor=actor
    )
    ctx = {
        "found": found,
        "filters": filters,
        "query": _query(filters),
        "refs": service.reference(session, actor=actor),
        "may_register": service.may_register(actor),
    }
    if _is_htmx(request):
        return _page(request, "registry/_enterprise_table.html", ctx, actor)
    return _page(request, "registry/enterprises.html", ctx, actor)


ENTERPRISE_FIELDS = (
    "uscc",
    "name",
    "name_en",
    "prefecture_code",
    "county_code",
    "park_id",
    "gbt4754",
    "industry_id",
    "founded_date",
    "address",
)


def _enterprise_form(
    request: Request,
    session: DbSession,
    actor: Actor,
    *,
    values: dict[str, Any],
    enterprise: Any = None,
    errors: list[FieldError] | None = None,
    message: str | None = None,
) -> Response:
    ctx = {
        "values": values,
        "enterprise": enterprise,
        "errors": _by_field(errors or []),
        "message": message,
        "refs": service.reference(session, actor=actor),
        "key_fields": enterprise is None
        or service.permissions(enterprise, actor=actor).edit_key_fields,
    }
    return _page(request, "registry/enterprise_form.html", ctx, actor, 422 if message else 200)


def _defaults(actor: Actor, session: DbSession) -> dict[str, Any]:
    if actor.scope_kind == "prefecture":
        return {"prefecture_code": actor.scope_value}
    if actor.scope_kind == "park" and actor.scope_value:
        park = service.get_park(session, park_id=actor.scope_value, actor=actor)
        return {"prefecture_code": park.prefecture_code, "park_id": park.id}
    return {}


@router.get("/registry/enterprises/new", response_class=HTMLResponse)
def new_enterprise(request: Request, session: DbSession, actor: UserActor) -> Response:
    if not service.may_register(actor):
        raise Forbidden(_("You may not register enterprises."))
    return _enterprise_form(request, session, actor, values=_defaults(actor, session))


@router.post("/registry/enterprises/new", response_class=HTMLResponse)
def create_enterprise(
    request: Request,
    session: DbSession,
    actor: UserActor,
    form: PostedForm,
) -> Response:
    values = _form(form, ENTERPRISE_FIELDS)
    try:
        data = _validate(EnterpriseCreate, values)
        ent = service.create_enterprise(session, data=data, actor=actor)
    except ValidationFailed as exc:
        return _enterprise_form(
            request, session, actor, values=values, errors=exc.errors, message=exc.message
        )
    except DomainError as exc:
        if exc.status_code != 409:
            raise
        errors = [FieldError(exc.message, field="uscc")]
        return _enterprise_form(
            request, session, actor, values=values, errors=errors, message=exc.message
        )
    return RedirectResponse(f"/registry/enterprises/{ent.uscc}", status_code=303)


@router.get("/registry/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise(request: Request, session: DbSession, actor: UserActor, uscc: str) -> Response:
    return _enterprise_page(request, session, actor, uscc)


def _brand_recognitions(session: DbSession, brands: Any) -> dict[int, Any]:
    from plateau.recognition import service as recognition_service

    return recognition_service.brand_recognitions(session, brand_ids=[b.id for b in brands.items])


def _enterprise_page(
    request: Request,
    session: DbSession,
    actor: Actor,
    uscc: str,
    *,
    message: str | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Response:
    ent = service.get_enterprise(session, uscc=uscc, actor=actor)
    holdings = ProductFilter(enterprise=ent.uscc)
    brands = service.list_brands(
        session, filters=BrandFilter(enterprise=ent.uscc), per_page=200, actor=actor
    )
    ctx = {
        "e": ent,
        "statuses": service.list_statuses(session, uscc=uscc, actor=actor),
        "products": service.list_products(session, filters=holdings, per_page=200, actor=actor),
        "brands": brands,
        "certifications": service.list_certifications(
            session,
            filters=CertificationFilter(enterprise=ent.uscc),
            per_page=200,
            actor=actor,
        ),
        "projects": service.list_projects(
            session, filters=ProjectFilter(enterprise=ent.uscc), per_page=200, actor=actor
        ),
        "may": service.permissions(ent, actor=actor),
        "refs": service.reference(session, actor=actor),
        "recognitions": _brand_recognitions(session, brands),
        "message": message,
        "errors": _by_field(errors or []),
        "today": date.today(),
    }
    return _page(request, "registry/enterprise.html", ctx, actor, status)


@router.get("/registry/enterprises/{uscc}/edit", response_class=HTMLResponse)
def edit_enterprise(request: Request, session: DbSession, actor: UserActor, uscc: str) -> Response:
    ent = service.get_enterprise(session, uscc=uscc, actor=actor)
    if not service.permissions(ent, actor=actor).edit:
        raise Forbidden(_("You may not change this enterprise."))
    values = {f: getattr(ent, f) for f in ENTERPRISE_FIELDS}
    return _enterprise_form(request, session, actor, values=values, enterprise=ent)


@router.post("/registry/enterprises/{uscc}/edit", response_class=HTMLResponse)
def update_enterprise(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    form: PostedForm,
) -> Response:
    ent = service.get_enterprise(session, uscc=uscc, actor=actor)
    may = service.permissions(ent, actor=actor)
    fields = ENTERPRISE_FIELDS[1:] if may.edit_key_fields else ("name_en", "address")
    values = _form(form, fields)
    try:
        data = _validate(EnterpriseUpdate, values)
        service.update_enterprise(session, uscc=uscc, data=data, actor=actor)
    except ValidationFailed as exc:
        shown = {f: getattr(ent, f) for f in ENTERPRISE_FIELDS} | values
        return _enterprise_form(
            request,
            session,
            actor,
            values=shown,
            enterprise=ent,
            errors=exc.errors,
            message=exc.message,
        )
    return RedirectResponse(f"/registry/enterprises/{ent.uscc}", status_code=303)


def _add_to_enterprise(
    request: Request,
    form: FormData,
    session: DbSession,
    actor: Actor,
    uscc: str,
    model: type[B],
    fields: tuple[str, ...],
    save: Any,
    extra: dict[str, Any],
    inline: tuple[int, ...] = (409, 422),
) -> Response:
    values = _form(form, fields) | extra
    try:
        save(_validate(model, values))
    except (ValidationFailed, DomainError) as exc:
        if exc.status_code not in inline:
            raise
        return _enterprise_page(
            request, session, actor, uscc, message=exc.message, errors=exc.errors, status=422
        )
    return RedirectResponse(f"/registry/enterprises/{uscc}", status_code=303)


@router.post("/registry/enterprises/{uscc}/statuses", response_class=HTMLResponse)
def add_status(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    form: PostedForm,
) -> Response:
    return _add_to_enterprise(
        request,
        form,
        session,
        actor,
        uscc,
        StatusCreate,
        ("kind", "level", "valid_from", "valid_to", "certificate_no"),
        lambda data: service.add_status(session, uscc=uscc, data=data, actor=actor),
        {},
    )


@router.post("/registry/enterprises/{uscc}/products", response_class=HTMLResponse)
def add_product(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    form: PostedForm,
) -> Response:
    return _add_to_enterprise(
        request,
        form,
        session,
        actor,
        uscc,
        ProductCreate,
        (
            "gtin",
            "name_zh",
            "name_en",
            "brand",
            "category",
            "net_content",
            "origin_base_id",
            "licence_kind",
            "licence_no",
            "reason",
        ),
        lambda data: service.create_product(session, data=data, actor=actor),
        {"enterprise_uscc": uscc},
        # A GTIN outside the enterprise's GS1 prefixes is refused (403) beside the form.
        inline=(403, 409, 422),
    )


@router.post("/registry/enterprises/{uscc}/brands", response_class=HTMLResponse)
def add_brand(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    form: PostedForm,
) -> Response:
    return _add_to_enterprise(
        request,
        form,
        session,
        actor,
        uscc,
        BrandCreate,
        ("name_zh", "name_en", "trademark_no"),
        lambda data: service.create_brand(session, data=data, actor=actor),
        {"enterprise_uscc": uscc},
    )


@router.post("/registry/enterprises/{uscc}/certifications", response_class=HTMLResponse)
def add_certification(
    request: Request,
    session: DbSession,
    actor: UserActor,
    uscc: str,
    form: PostedForm,
) -> Response:
    return _add_to_enterprise(
        request,
        form,
        session,
        actor,
        uscc,
        CertificationCreate,
        ("kind", "certificate_no", "issuer", "valid_from", "valid_to", "product_gtin"),
        lambda data: service.create_certification(session, data=data, actor=actor),
        {"enterprise_uscc": uscc},
    )


# --- products ---


@router.get("/registry/products", response_class=HTMLResponse)
def products(request: Request, session: DbSession, actor: UserActor, page: int = 1) -> Response:
    filters = _validate(ProductFilter, dict(request.query_params))
    found = service.list_products(
        session, filters=filters, page=max(page, 1), per_page=PER_PAGE, actor=actor
    )
    ctx = {
        "found": found,
        "filters": filters,
        "query": _query(filters),
        "refs": service.reference(session, actor=actor),
    }
    if _is_htmx(request):
        return _page(request, "registry/_product_table.html", ctx, actor)
    return _page(request, "registry/products.html", ctx, actor)


PRODUCT_FIELDS = (
    "name_zh",
    "name_en",
    "brand",
    "category",
    "net_content",
    "origin_base_id",
    "licence_kind",
    "licence_no",
)


def _product_form(
    request: Request,
    session: DbSession,
    actor: Actor,
    gtin: str,
    *,
    values: dict[str, Any] | None = None,
    message: str | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> Response:
    product = service.get_product(session, gtin=gtin, actor=actor)
    if not service.permissions(product.enterprise, actor=actor).holdings:
        raise Forbidden(_("You may not change this product."))
    current = {f: getattr(product, f) for f in PRODUCT_FIELDS if f != "brand"}
    current["brand"] = product.brand.name_zh if product.brand else ""
    ctx = {
        "p": product,
        "values": current | (values or {}),
        "photo_id": service.public_product(session, gtin=product.gtin, today=date.today()).photo_id,
        "refs": service.reference(session, actor=actor),
        "message": message,
        "errors": _by_field(errors or []),
    }
    return _page(request, "registry/product_form.html", ctx, actor, status)


@router.get("/registry/products/{gtin}/edit", response_class=HTMLResponse)
def edit_product(request: Request, session: DbSession, actor: UserActor, gtin: str) -> Response:
    return _product_form(request, session, actor, gtin)


@router.post("/registry/products/{gtin}/edit", response_class=HTMLResponse)
def update_product(
    request: Request, session: DbSession, actor: UserActor, gtin: str, form: PostedForm
) -> Response:
    values = _form(form, PRODUCT_FIELDS)
    try:
        data = _validate(ProductUpdate, values)
        product = service.update_product(session, gtin=gtin, data=data, actor=actor)
    except ValidationFailed as exc:
        return _product_form(
            request,
            session,
            actor,
            gtin,
            values=values,
            message=exc.message,
            errors=exc.errors,
            status=422,
        )
    return RedirectResponse(f"/registry/enterprises/{product.enterprise.uscc}", status_code=303)


@router.post("/registry/products/{gtin}/photo", response_class=HTMLResponse)
def upload_product_photo(
    request: Request, session: DbSession, actor: UserActor, gtin: str, form: PostedForm
) -> Response:
    upload = form.get("photo")
    # Already spooled to a temporary file by the form parser: this blocks only this thread.
    blob = (
        upload.file.read(service.MAX_PHOTO_BYTES + 1)
        if isinstance(upload, UploadFile) and upload.filename
        else b""
    )
    try:
        if not blob:
            raise ValidationFailed(_("Choose a photo to upload."))
        service.set_product_photo(session, gtin=gtin, blob=blob, actor=actor)
    except ValidationFailed as exc:
        return _product_form(request, session, actor, gtin, message=exc.message, status=422)
    return RedirectResponse(f"/registry/products/{gtin}/edit", status_code=303)


@router.post("/registry/products/{gtin}/photo/remove", response_class=HTMLResponse)
def remove_product_photo(session: DbSession, actor: UserActor, gtin: str) -> Response:
    service.remove_product_photo(session, gtin=gtin, actor=actor)
    return RedirectResponse(f"/registry/products/{gtin}/edit", status_code=303)


@router.get("/registry/products/{gtin}/photo")
def product_photo(session: DbSession, gtin: str) -> Response:
    """The product's photo: public, like the pack it shows (the consumer page links it)."""
    photo = service.public_product_photo(session, gtin=gtin)
    # The consumer page adds ?v=<photo id>; a new photo is a new id, so caching is safe.
    return Response(
        photo.data,
        media_type=photo.content_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )


# --- investment projects ---


@router.get("/registry/projects", response_class=HTMLResponse)
def projects(request: Request, session: DbSession, actor: UserActor, page: int = 1) -> Response:
    filters = _validate(ProjectFilter, dict(request.query_params))
    found = service.list_projects(
        session, filters=filters, page=max(page, 1), per_page=PER_PAGE, actor=actor
    )
    ctx = {
        "found": found,
        "filters": filters,
        "query": _query(filters),
        "stage_query": _query(filters.model_copy(update={"stage": None})),
        "summary": service.project_summary(session, filters=filters, actor=actor),
        "refs": service.reference(session, actor=actor),
        "may_register": service.may_register(actor),
        "may_change": lambda p: service.may_change_project(p, actor=actor),
    }
    if _is_htmx(request):
        return _page(request, "registry/_project_table.html", ctx, actor)
    return _page(request, "registry/projects.html", ctx, actor)


PROJECT_FIELDS = (
    "name",
    "industry_id",
    "prefecture_code",
    "park_id",
    "enterprise_uscc",
    "investor",
    "amount_cny",
    "stage",
    "signed_date",
    "start_date",
    "production_date",
    "description",
)


def _project_form(
    request: Request,
    session: DbSession,
    actor: Actor,
    *,
    values: dict[str, Any],
    project: Any = None,
    errors: list[FieldError] | None = None,
    message: str | None = None,
) -> Response:
    ctx = {
        "values": values,
        "project": project,
        "errors": _by_field(errors or []),
        "message": message,
        "refs": service.reference(session, actor=actor),
    }
    return _page(request, "registry/project_form.html", ctx, actor, 422 if message else 200)


@router.get("/registry/projects/new", response_class=HTMLResponse)
def new_project(request: Request, session: DbSession, actor: UserActor) -> Response:
    if not service.may_register(actor):
        raise Forbidden(_("You may not add investment projects."))
    values = _defaults(actor, session) | {"stage": "planning"}
    return _project_form(request, session, actor, values=values)


@router.post("/registry/projects/new", response_class=HTMLResponse)
def create_project(
    request: Request,
    session: DbSession,
    actor: UserActor,
    form: PostedForm,
) -> Response:
    values = _form(form, PROJECT_FIELDS)
    try:
        service.create_project(session, data=_validate(ProjectCreate, values), actor=actor)
    except ValidationFailed as exc:
        return _project_form(
            request, session, actor, values=values, errors=exc.errors, message=exc.message
        )
    return RedirectResponse("/registry/projects", status_code=303)


@router.get("/registry/projects/{project_id}/edit", response_class=HTMLResponse)
def edit_project(
    request: Request, session: DbSession, actor: UserActor, project_id: int
) -> Response:
    project = service.get_project(session, project_id=project_id, actor=actor)
    if not service.may_change_project(project, actor=actor):
        raise Forbidden(_("You may not change this project."))
    values = {f: getattr(project, f, None) for f in PROJECT_FIELDS}
    values["enterprise_uscc"] = project.enterprise.uscc if project.enterprise else ""
    return _project_form(request, session, actor, values=values, project=project)


@router.post("/registry/projects/{project_id}/edit", response_class=HTMLResponse)
def update_project(
    request: Request,
    session: DbSession,
    actor: UserActor,
    project_id: int,
    form: PostedForm,
) -> Response:
    project = service.get_project(session, project_id=project_id, actor=actor)
    values = _form(form, PROJECT_FIELDS)
    try:
        data = _validate(ProjectUpdate, values)
        service.update_project(session, project_id=project_id, data=data, actor=actor)
    except ValidationFailed as exc:
        return _project_form(
            request,
            session,
            actor,
            values=values,
            project=project,
            errors=exc.errors,
            message=exc.message,
        )
    return RedirectResponse("/registry/projects", status_code=303)


# --- imports ---


def _import_ctx(actor: Actor, kind: str) -> dict[str, Any]:
    kinds = [k for k in IMPORT_KINDS if service.may_import(k, actor=actor)]
    return {
        "kinds": kinds,
        "kind": kind if kind in kinds else (kinds[0] if kinds else None),
        "columns": {k: service.import_columns(k) for k in kinds},
        "required": {k: service.import_required(k) for k in kinds},
        "KIND_LABELS": IMPORT_KIND_LABELS,
    }


@router.get("/registry/import", response_class=HTMLResponse)
def import_form(request: Request, actor: UserActor, kind: str = "enterprises") -> Response:
    ctx = _import_ctx(actor, kind)
    if not ctx["kinds"]:
        raise Forbidden(_("Your role may not import records."))
    return _page(request, "registry/import.html", ctx | {"result": None, "failure": None}, actor)


@router.post("/registry/import", response_class=HTMLResponse)
def import_upload(
    request: Request, session: DbSession, actor: UserActor, form: PostedForm
) -> Response:
    kind = str(form.get("kind", ""))
    ctx = _import_ctx(actor, kind)
    if kind not in get_args(ImportKind):
        raise ValidationFailed(_("Choose what the file holds."))
    upload = form.get("file")
    dry_run = form.get("dry_run") in ("1", "on", "true")
    result = failure = None
    try:
        data, filename = read_upload_sync(request, upload)
        outcome = service.import_upload(
            session,
            kind=cast(ImportKind, kind),
            data=data,
            filename=filename,
            actor=actor,
            dry_run=dry_run,
            job_above=request.app.state.settings.import_job_bytes,
        )
        if not isinstance(outcome, ImportReport):
            # A large file: its job's page shows the progress and then the outcome.
            return RedirectResponse(f"/jobs/{outcome.id}", status_code=303)
        result = outcome
    except ValidationFailed as exc:
        failure = exc
    ctx |= {"result": result, "failure": failure, "kind": kind, "dry_run": dry_run}
    return _page(request, "registry/import.html", ctx, actor, 422 if failure else 200)
