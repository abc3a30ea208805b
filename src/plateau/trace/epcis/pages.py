"""HTML pages of the EPCIS repository: the JSON-LD contexts capture reads from registered
copies (``/trace/contexts``). The pages that read the genealogy are lineage's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.errors import DomainError, FieldError, ValidationFailed
from plateau.formatting import BEIJING
from plateau.i18n import _
from plateau.trace.epcis import service as epcis_service
from plateau.web.deps import AdminActor, Csrf, DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Csrf])


def _beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _contexts_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    failure: DomainError | None = None,
    saved: Any = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    rows = epcis_service.list_contexts(session, actor=actor)
    ctx = {
        "rows": rows,
        "failure": failure,
        "saved": saved,
        "form": form or {"url": "", "note": ""},
        "beijing": _beijing,
    }
    return render(
        request,
        "epcis/contexts.html",
        ctx,
        actor=actor,
        active="trace",
        status_code=422 if failure else 200,
    )


@router.get("/trace/contexts", response_class=HTMLResponse)
def contexts(request: Request, session: DbSession, actor: UserActor) -> Response:
    """The remote JSON-LD contexts capture reads from a registered copy, every version."""
    return _contexts_page(request, session, actor)


@router.post("/trace/contexts", response_class=HTMLResponse)
def register_context(
    request: Request,
    session: DbSession,
    actor: AdminActor,
    url: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Register a new version of a remote JSON-LD context from an uploaded file."""
    form = {"url": url, "note": note}
    try:
        if file is None or not file.filename:
            raise ValidationFailed(
                _("Choose the context file (.jsonld or .json)."),
                [FieldError(_("No file."), field="file")],
            )
        limit = request.app.state.settings.max_upload_bytes
        data = file.file.read(limit + 1)
        if len(data) > limit:
            raise ValidationFailed(
                _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)),
                [FieldError(_("File too large."), field="file")],
            )
        document = epcis_service.read_context_file(data)
        saved = epcis_service.register_context(
            session, url=url, document=document, note=note, actor=actor
        )
    except ValidationFailed as exc:  # refused before anything was written
        return _contexts_page(request, session, actor, failure=exc, form=form)
    return _contexts_page(request, session, actor, saved=saved)
