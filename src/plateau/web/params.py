"""Query parameters and upload handling shared by the JSON lists and imports of every domain."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from starlette.datastructures import FormData, UploadFile

from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _
from plateau.paging import MAX_PER_PAGE

Format = Annotated[
    Literal["json", "csv", "xlsx"],
    Query(description="json (one page), or csv / xlsx to download every matching row."),
]
PageNo = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Items per page (at most 200).")]


def _require_file(upload: object) -> UploadFile:
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(
            _("Choose a CSV or Excel file."), [FieldError(_("No file."), field="file")]
        )
    return upload


def _check_size(request: Request, data: bytes) -> None:
    limit = request.app.state.settings.max_upload_bytes
    if len(data) > limit:
        raise ValidationFailed(
            _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)),
            [FieldError(_("File too large."), field="file")],
        )


async def read_upload(request: Request, upload: object) -> tuple[bytes, str]:
    """Read an uploaded file up to the configured limit; refuse a missing or oversized one."""
    file = _require_file(upload)
    data = await file.read(request.app.state.settings.max_upload_bytes + 1)
    _check_size(request, data)
    return data, str(file.filename)


def read_upload_sync(request: Request, upload: object) -> tuple[bytes, str]:
    """``read_upload`` for plain ``def`` routes (imports), which run in a worker thread."""
    file = _require_file(upload)
    # FastAPI has already spooled the upload to a temporary file: reading it blocks only
    # this thread, never the event loop.
    data = file.file.read(request.app.state.settings.max_upload_bytes + 1)
    _check_size(request, data)
    return data, str(file.filename)


async def _posted_form(request: Request) -> FormData:
    # Parsing the multipart body spools uploads to temporary files (Starlette does this for
    # every File parameter too); the route itself, a plain def, does the blocking work.
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted_form)]
