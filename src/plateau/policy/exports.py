"""The finance bureau's files: entitlement records and the payout list (Excel, text cells kept text)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from plateau.i18n import _, lazy
from plateau.tabular import Column, _cell

RECORD_KEYS = ("policy", "rule", "uscc", "period", "amount_cny", "status", "reason")
RECORD_LABELS = {
    "policy": lazy("Policy"),
    "rule": lazy("Rule"),
    "uscc": lazy("USCC"),
    "period": lazy("Period"),
    "amount_cny": lazy("Amount (CNY)"),
    "status": lazy("Status"),
    "reason": lazy("Reason"),
}
PAYOUT_LABELS = {
    "uscc": lazy("USCC"),
    "enterprise": lazy("Enterprise"),
    "rule": lazy("Award"),
    "amount_cny": lazy("Amount (CNY)"),
    "status": lazy("Status"),
    "account_name": lazy("Account name"),
    "account_bank": lazy("Bank"),
    "account_no": lazy("Account number"),
    "paid_date": lazy("Paid on"),
    "voucher_no": lazy("Voucher number"),
    "difference_cny": lazy("Difference after correction (CNY)"),
}


def columns(labels: dict[str, str]) -> list[Column]:
    return [Column(key, _(label)) for key, label in labels.items()]


def xlsx(cols: Sequence[Column], rows: Iterable[dict[str, Any]], *, sheet: str) -> bytes:
    """Return a workbook whose text cells are stored as text: a name like "=1+1" is never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([c.header for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for i, c in enumerate(cols, start=1):
            value = _cell(row.get(c.key))
            cell = ws.cell(row=r, column=i)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"
            else:
                cell.value = value
                if c.key.endswith("_cny"):
                    cell.number_format = "#,##0.00"
    for i, c in enumerate(cols, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(
            12, len(c.header) * 2 + 2
        )
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
