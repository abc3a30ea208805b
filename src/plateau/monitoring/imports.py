"""Returns from CSV or Excel files: match the columns, check every row, write all or nothing.

Columns: ``uscc``, ``period`` (YYYY-MM or YYYY), one column per data element (its id, or
its Chinese or English name), an optional ``comment`` (it explains the row's warnings) and
an optional enterprise name for the reader (ignored). Errors name the spreadsheet row and
the column header as the file writes it.
"""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import utcnow
from plateau.errors import FieldError, ValidationFailed
from plateau.i18n import _, get_locale
from plateau.monitoring import access, filing
from plateau.monitoring.elements import catalog
from plateau.monitoring.filing import Filing, Outcome
from plateau.tabular import Table, no_formulas

CORE = ("output_value", "revenue", "value_added", "employees")
# Columns a person may add for their own reading; their content is ignored.
IGNORED = {"enterprisename", "name", "企业名称", "单位名称", "enterprise"}
_COMMENT = {"comment", "说明", "备注", "comments"}
_USCC = {"uscc", "统一社会信用代码", "creditcode"}
_PERIOD = {"period", "报告期", "期别", "month", "year"}
_ANNUAL = re.compile(r"\s*\d{4}\s*(?:年度?)?\s*")


def _fold(header: str) -> str:
    return re.sub(r"[\s（）()]", "", header).lower()


def _element_aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for e in catalog().elements.values():
        for name in (e.id, e.name_zh, e.name_en):
            out.setdefault(_fold(name), e.id)
    return out


class Sheet:
    """An uploaded table matched to returns' columns."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.headers: dict[str, str] = {}  # key (uscc, period, comment, element id) -> header
        self.errors: list[FieldError] = []
        aliases = _element_aliases()
        for header in table.headers:
            folded = _fold(header)
            key: str | None
            if folded in _USCC:
                key = "uscc"
            elif folded in _PERIOD:
                key = "period"
            elif folded in _COMMENT:
                key = "comment"
            elif folded in IGNORED:
                continue
            else:
                key = aliases.get(folded)
            if key is None:
                self.errors.append(
                    FieldError(
                        _(
                            "Unknown column “%(column)s”: use uscc, period, comment and data element ids such as output_value.",
                            column=header,
                        ),
                        header,
                        1,
                    )
                )
            elif key in self.headers:
                self.errors.append(
                    FieldError(_("Column “%(column)s” appears twice.", column=header), header, 1)
                )
            else:
                self.headers[key] = header
        required = ["uscc", "period"]
        if self._has_monthly_rows():
            required += list(CORE)
        for key in required:
            if key not in self.headers:
                self.errors.append(
                    FieldError(
                        _("The required column “%(column)s” is missing.", column=key), key, 1
                    )
                )

    def _has_monthly_rows(self) -> bool:
        """Whether any row is a monthly return (annual-only files need no monthly columns)."""
        header = self.headers.get("period")
        if header is None:
            return True
        return any(not _ANNUAL.fullmatch(raw.get(header, "")) for _n, raw in self.table.rows)

    def column(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.headers.get(key, key)

    def filings(self, *, submit: bool) -> list[Filing]:
        out = []
        elements = [k for k in self.headers if k not in ("uscc", "period", "comment")]
        for n, raw in self.table.rows:
            cell = {k: raw.get(h, "").strip() for k, h in self.headers.items()}
            out.append(
                Filing(
                    row=n,
                    uscc=cell.get("uscc", ""),
                    period=cell.get("period", ""),
                    values={k: cell.get(k, "") for k in elements},
                    comment=cell.get("comment") or None,
                    submit=submit,
                )
            )
        return out


def import_returns(
    session: Session,
    *,
    table: Table,
    actor: Actor,
    dry_run: bool = False,
    submit: bool = False,
    source: str = "",
    today: date,
) -> Outcome:
    """Check every row; write them all (or, on a dry run, nothing), or raise with every problem."""
    access.require_filer(actor)
    sheet = Sheet(table)
    if not table.rows and not sheet.errors:
        sheet.errors.append(FieldError(_("The file has no data rows."), None, 2))
    if sheet.errors:
        raise ValidationFailed(
            _("Nothing was imported: %(num)s problem(s) found in the file.", num=len(sheet.errors)),
            sheet.errors,
        )
    batch = filing.check(session, sheet.filings(submit=submit), actor=actor, today=today)
    if batch.errors:
        for e in batch.errors:
            e.field = sheet.column(e.field)
        raise ValidationFailed(
            _("Nothing was imported: %(num)s problem(s) found in the file.", num=len(batch.errors)),
            batch.errors,
        )
    if dry_run:
        outcome = filing.preview(batch)
        for w in outcome.warnings:
            w.field = sheet.column(w.field)
        return outcome
    reason = _("Imported from %(file)s", file=source) if source else _("Imported from a file")
    outcome = filing.apply(session, batch, actor=actor, now=utcnow(), reason=reason)
    for w in outcome.warnings:
        w.field = sheet.column(w.field)
    return outcome


def template_workbook() -> bytes:
    """An Excel template: the columns on the first sheet, what each means on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    cat = catalog()
    en = get_locale() == "en"
    wb = Workbook()
    ws = wb.active
    ws.title = "returns"
    ids = ["uscc", "period", *CORE]
    ids += [e.id for e in cat.elements.values() if e.id not in CORE]
    ids.append("comment")
    ws.append(ids)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    # Periods are text: stop Excel turning 2026-09 into a date.
    for col in ("B",):
        for row in range(2, 502):
            ws[f"{col}{row}"].number_format = "@"
    ws.freeze_panes = "A2"
    info = wb.create_sheet("columns" if en else "说明")
    info.append(
        ["column", "name", "unit", "return", "industries"]
        if en
        else ["列名", "名称", "单位", "报表", "适用产业"]
    )
    for cell in info[1]:
        cell.font = Font(bold=True)
    info.append(["uscc", _("统一社会信用代码 (18 characters)"), "", "", ""])
    info.append(
        ["period", _("YYYY-MM for a month's own figures, YYYY for the annual return"), "", "", ""]
    )
    for e in cat.elements.values():
        info.append(
            [
                e.id,
                e.name,
                e.unit_label,
                _("monthly") if e.frequency == "monthly" else _("annual"),
                _("all") if e.industries is None else ", ".join(sorted(e.industries)),
            ]
        )
    info.append(
        [
            "comment",
            _("Explains the row's warnings (needed to submit a return with warnings)"),
            "",
            "",
            "",
        ]
    )
    for letter, width in zip("ABCDE", (24, 48, 10, 10, 40), strict=True):
        info.column_dimensions[letter].width = width
    out = io.BytesIO()
    no_formulas(wb)
    wb.save(out)
    return out.getvalue()


def template_columns() -> list[str]:
    """The column ids of the import template, in order."""
    cat = catalog()
    return [
        "uscc",
        "period",
        *CORE,
        *(e.id for e in cat.elements.values() if e.id not in CORE),
        "comment",
    ]
