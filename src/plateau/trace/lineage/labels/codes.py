"""QR labels: GS1 Digital Link URIs as QR codes (segno), one SVG and one PNG per code in a
.zip, and a printable A4 sheet as PDF.

The PDF is written here, without a PDF library: each QR module is a filled rectangle
(vector, sharp at any printer resolution) and the text beside it is the GS1 human-readable
interpretation in the standard Helvetica font (digits and Latin letters only, which is all a
GTIN, lot or serial may contain). The result is a valid PDF 1.4 file any viewer prints.
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import segno

from plateau.registry.identifiers import IdentifierError
from plateau.tabular import csv_row
from plateau.trace import identifiers

# Serial characters: digits and capitals without the ones people misread (0/O, 1/I).
_SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SERIAL_LENGTH = 10
MAX_LABELS = 10_000
# A4 in points, and the grid of labels on it.
PAGE_W, PAGE_H = 595.28, 841.89
MARGIN = 28.0
COLUMNS, ROWS = 3, 8
QR_SIZE = 72.0


@dataclass(frozen=True)
class Label:
    """One code: its Digital Link and the GS1 values it carries."""

    uri: str
    gtin: str
    lot: str | None
    serial: str | None

    @property
    def name(self) -> str:
        return self.serial or self.lot or self.gtin

    def human_readable(self) -> list[str]:
        lines = [f"(01) {self.gtin}"]
        if self.lot:
            lines.append(f"(10) {self.lot}")
        if self.serial:
            lines.append(f"(21) {self.serial}")
        return lines


def random_serials(count: int) -> list[str]:
    """Return ``count`` distinct unpredictable serials (guessable serials help counterfeiters)."""
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH)))
    return sorted(found)


def sequential_serials(count: int, first: int = 1) -> list[str]:
    """Return ``count`` serials counting from ``first``."""
    return [str(first + i) for i in range(count)]


def make_labels(
    *, gtin: str, lot: str | None, serials: Sequence[str] | None, base_url: str
) -> list[Label]:
    """Return the labels of a product (one), a lot (one) or its items (one per serial).

    Raises IdentifierError when the GTIN, lot or a serial is not valid GS1 data.
    """
    code = identifiers.validate_gtin(gtin.strip())
    if len(serials or ()) > MAX_LABELS:
        raise IdentifierError(f"at most {MAX_LABELS} labels")
    labels: list[Label] = []
    wanted: list[str | None] = list(serials) if serials else [None]
    for serial in wanted:
        elements: list[tuple[str, str]] = [("01", code)]
        if lot:
            elements.append(("10", lot))
        if serial:
            elements.append(("21", serial))
        uri = identifiers.DigitalLink(tuple(elements)).uri(base_url)
        identifiers.parse_digital_link(uri)  # checks lot and serial characters and lengths
        labels.append(Label(uri, code, lot, serial))
    return labels


def qr(label: Label) -> segno.QRCode:
    return segno.make(label.uri, error="m", micro=False)


def svg(label: Label) -> bytes:
    buf = io.BytesIO()
    qr(label).save(buf, kind="svg", scale=4, border=4, xmldecl=True, title=label.uri)
    return buf.getvalue()


def png(label: Label) -> bytes:
    buf = io.BytesIO()
    qr(label).save(buf, kind="png", scale=8, border=4)
    return buf.getvalue()


def zip_archive(labels: Sequence[Label]) -> bytes:
    """Return a .zip with an SVG and a PNG per code, a CSV index and the printable sheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        index = io.StringIO()
        writer = csv.writer(index)
        writer.writerow(["digital_link", "gtin", "lot", "serial", "svg", "png"])
        for i, label in enumerate(labels, start=1):
            stem = f"{i:05d}-{_safe(label.name)}"
            archive.writestr(f"svg/{stem}.svg", svg(label))
            archive.writestr(f"png/{stem}.png", png(label))
            writer.writerow(
                csv_row(
                    [
                        label.uri,
                        label.gtin,
                        label.lot or "",
                        label.serial or "",
                        f"svg/{stem}.svg",
                        f"png/{stem}.png",
                    ]
                )
            )
        archive.writestr("labels.csv", index.getvalue())
        archive.writestr("labels.pdf", pdf_sheet(labels))
    return out.getvalue()


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


# --- PDF --------------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    ascii_only = text.encode("ascii", "replace").decode("ascii")
    return ascii_only.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _qr_ops(label: Label, x: float, y: float, size: float) -> list[str]:
    """Return drawing operators for a QR code with its top-left corner at (x, y + size)."""
    rows = [list(row) for row in qr(label).matrix_iter(scale=1, border=0)]
    module = size / len(rows)
    ops: list[str] = []
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                ops.append(
                    f"{x + start * module:.3f} {top:.3f} {(c - start) * module:.3f} {module:.3f} re"
                )
            else:
                c += 1
    ops.append("f")
    return ops


def _page_stream(labels: Sequence[Label], title: str) -> bytes:
    cell_w = (PAGE_W - 2 * MARGIN) / COLUMNS
    cell_h = (PAGE_H - 2 * MARGIN - 24) / ROWS
    ops = [
        "0 g",
        f"BT /F1 10 Tf {MARGIN:.2f} {PAGE_H - MARGIN - 10:.2f} Td ({_pdf_text(title)}) Tj ET",
    ]
    for i, label in enumerate(labels):
        col, row = i % COLUMNS, i // COLUMNS
        left = MARGIN + col * cell_w
        bottom = PAGE_H - MARGIN - 24 - (row + 1) * cell_h
        quiet = 6.0
        ops.append("0.8 G 0.5 w")
        ops.append(f"{left + 2:.2f} {bottom + 2:.2f} {cell_w - 4:.2f} {cell_h - 4:.2f} re S")
        qr_y = bottom + (cell_h - QR_SIZE) / 2
        ops.extend(_qr_ops(label, left + quiet + 2, qr_y, QR_SIZE))
        text_x = left + quiet + QR_SIZE + 10
        line_y = bottom + cell_h / 2 + 14
        for line in label.human_readable():
            ops.append(f"BT /F1 7.5 Tf {text_x:.2f} {line_y:.2f} Td ({_pdf_text(line)}) Tj ET")
            line_y -= 11
    return "\n".join(ops).encode("ascii")


def pdf_sheet(labels: Sequence[Label], *, title: str | None = None) -> bytes:
    """Return a printable A4 PDF with the labels in a grid (24 per page)."""
    per_page = COLUMNS * ROWS
    pages = [labels[i : i + per_page] for i in range(0, len(labels), per_page)] or [[]]
    heading = title or (
        f"GS1 Digital Link - GTIN {labels[0].gtin}"
        + (f" - LOT {labels[0].lot}" if labels and labels[0].lot else "")
        if labels
        else "GS1 Digital Link"
    )
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog_id = add(b"")  # filled in below, once the pages object exists
    pages_id = add(b"")
    font_id = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    page_ids: list[int] = []
    for n, chunk in enumerate(pages, start=1):
        stream = zlib.compress(_page_stream(chunk, f"{heading} - {n}/{len(pages)}"))
        content_id = add(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        page_ids.append(
            add(
                (
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                    f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>"
                ).encode("ascii")
            )
        )
    objects[catalog_id - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode("ascii")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode(
        "ascii"
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii"))
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode("ascii"))
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root {catalog_id} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode(
            "ascii"
        )
    )
    return out.getvalue()
