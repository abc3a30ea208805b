"""Tables in and out: CSV/Excel export of any list, and reading uploaded CSV/Excel files.

Every list page and API offers its rows through ``export_response``; every import reads
through ``read_table`` so that row numbers in error reports mean the same thing everywhere
(the spreadsheet row a user sees, header = row 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.responses import Response

from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Data rows an uploaded table may have (CSV or Excel); larger files are refused unread.
MAX_ROWS = 100_000
#: What an .xlsx may unpack to, all parts together, checked from the zip directory before
#: any XML is parsed: a zip bomb of 89 KB unpacked to 60 MB and held the server for a minute.
MAX_XLSX_UNPACKED_BYTES = 48 * 1024 * 1024
#: How much one part of an .xlsx may be compressed: spreadsheets compress about 5-20 times;
#: a part squeezed further is a bomb, whatever its size.
MAX_XLSX_RATIO = 200


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # already translated


def _beijing(value: datetime) -> datetime:
    """A moment as Beijing wall-clock time (naive: a spreadsheet has no time zones)."""
    from plateau.formatting import BEIJING

    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # the database keeps UTC
    return value.astimezone(BEIJING).replace(tzinfo=None)


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return _beijing(value).strftime("%Y-%m-%d %H:%M:%S")  # Beijing time, as read
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return value


def _xlsx_cell(value: Any) -> Any:
    """An Excel cell: dates stay dates and moments are Beijing time (real date cells)."""
    if isinstance(value, datetime):
        return _beijing(value)
    if isinstance(value, date):
        return value
    return _cell(value)


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """Neutralise a CSV text cell a spreadsheet would run as a formula; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer`` with every text cell neutralised."""
    return [csv_text(v) for v in values]


def append_text_row(ws: Any, values: Sequence[Any]) -> None:
    """Append a row to an openpyxl sheet, every string stored as text, never as a formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def no_formulas(wb: Any) -> None:
    """Store every string of a workbook as text: openpyxl turns any ``=...`` string into a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def to_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    """Return UTF-8 CSV with a BOM so that Excel on Chinese Windows opens it correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(csv_row(c.header for c in columns))
    for row in rows:
        writer.writerow(
            csv_row("" if row.get(c.key) is None else _cell(row.get(c.key)) for c in columns)
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(
    columns: Sequence[Column], rows: Iterable[dict[str, Any]], *, sheet: str = "data"
) -> bytes:
    """Return an Excel workbook with one sheet, a bold frozen header and fitted widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    append_text_row(ws, [c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(c.header) * 2 + 2 for c in columns]
    for row in rows:
        raw = [row.get(c.key) for c in columns]
        values = [_xlsx_cell(v) for v in raw]
        append_text_row(ws, values)
        for i, v in enumerate(values):
            if isinstance(v, datetime):
                ws.cell(row=ws.max_row, column=i + 1).number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(v, date):
                ws.cell(row=ws.max_row, column=i + 1).number_format = "yyyy-mm-dd"
            widths[i] = max(widths[i], min(60, len(str(v or "")) + 2))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = w
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_response(
    fmt: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]], *, filename: str
) -> Response:
    """Return the rows as a downloadable CSV or XLSX file."""
    if fmt == "xlsx":
        body, media, ext = to_xlsx(columns, rows, sheet=filename), XLSX_MEDIA, "xlsx"
    elif fmt == "csv":
        body, media, ext = to_csv(columns, rows), "text/csv; charset=utf-8", "csv"
    else:
        raise ValidationFailed(_("Unknown export format %(fmt)s: use csv or xlsx.", fmt=fmt))
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{ext}"'},
    )


@dataclass
class Table:
    """An uploaded table: lower-cased header names and rows keyed by them."""

    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, values as text)


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV or XLSX upload into text cells; raise ValidationFailed on an unreadable file."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(data)
    raise ValidationFailed(
        _("File %(name)s is neither CSV nor Excel (.xlsx).", name=filename),
        [FieldError(_("Unsupported file type."), field="file")],
    )


def _norm_header(h: Any) -> str:
    return str(h or "").strip().lstrip("\ufeff").lower()


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _read_csv(data: bytes) -> Table:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(_("The file is not UTF-8 or GB18030 text."))
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed(_("The file is empty.")) from None
    headers = [_norm_header(h) for h in header]
    rows = []
    for n, raw in enumerate(reader, start=2):
        if n > MAX_ROWS + 1:
            raise _too_many_rows()
        if not any(cell.strip() for cell in raw):
            continue
        rows.append(
            (n, {h: (raw[i].strip() if i < len(raw) else "") for i, h in enumerate(headers) if h})
        )
    return Table(headers=[h for h in headers if h], rows=rows)


def _too_many_rows() -> ValidationFailed:
    return ValidationFailed(
        _(
            "The file has more than %(max)s rows; split it into several files.",
            max=f"{MAX_ROWS:,}",
        )
    )


def _check_xlsx_size(data: bytes) -> None:
    """Refuse an .xlsx that would unpack past the limits, from its zip directory alone."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ValidationFailed(
            _("The Excel file cannot be read; is it a valid .xlsx file?")
        ) from None
    unpacked = sum(p.file_size for p in parts)
    squeezed = any(p.file_size > MAX_XLSX_RATIO * max(p.compress_size, 1) for p in parts)
    if unpacked > MAX_XLSX_UNPACKED_BYTES or squeezed:
        raise ValidationFailed(
            _(
                "The Excel file unpacks to %(size)s MB, or is compressed abnormally; this "
                "server reads Excel files up to %(max)s MB unpacked. Save it as CSV, or "
                "split it into several files.",
                size=f"{unpacked / (1024 * 1024):,.0f}",
                max=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024),
            )
        )


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_size(data)
    try:
        # Not data_only: a formula cell must be seen (and refused), not read as empty.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        raise ValidationFailed(
            _("The Excel file cannot be read; is it a valid .xlsx file?")
        ) from None
    ws = wb.worksheets[0]
    it = ws.iter_rows()
    try:
        header = [c.value for c in next(it)]
    except StopIteration:
        raise ValidationFailed(_("The file is empty.")) from None
    headers = [_norm_header(h) for h in header]
    rows = []
    formulas: list[FieldError] = []
    for n, cells in enumerate(it, start=2):
        if n > MAX_ROWS + 1:
            wb.close()
            raise _too_many_rows()
        raw = [c.value for c in cells]
        if not any(v not in (None, "") for v in raw):
            continue
        for i, c in enumerate(cells):
            if c.data_type == "f" and i < len(headers):
                formulas.append(
                    FieldError(
                        _("This cell holds a formula; enter the value itself, not a formula."),
                        field=headers[i] or None,
                        row=n,
                        value=str(c.value),
                    )
                )
        rows.append(
            (n, {h: _text(raw[i] if i < len(raw) else None) for i, h in enumerate(headers) if h})
        )
    wb.close()
    if formulas:
        raise ValidationFailed(
            _(
                "Nothing was imported: %(num)s cell(s) hold formulas; "
                "save the values instead (paste as values).",
                num=len(formulas),
            ),
            formulas[:100],
        )
    return Table(headers=[h for h in headers if h], rows=rows)
