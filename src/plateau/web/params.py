"""Query parameters and upload handling shared by the JSON lists and imports of every domain."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query, Request
from starlette.datastructures import UploadFile

from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _
from plateau.paging import MAX_PER_PAGE

Format = Annotated[
    Literal["json", "csv", "xlsx"],
    Query(description="json (one page), or csv / xlsx to download every matching row."),
]
PageNo = Annotated[int, Query(ge=1, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="Items per page (at most 200).")]


async def read_upload(request: Request, upload: object) -> tuple[bytes, str]:
    """Read an uploaded file up to the configured limit; refuse a missing or oversized one."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed(
            _("Choose a CSV or Excel file."), [FieldError(_("No file."), field="file")]
        )
    limit = request.app.state.settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(
            _("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)),
            [FieldError(_("File too large."), field="file")],
        )
    return data, upload.filename
