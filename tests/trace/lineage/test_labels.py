"""QR labels: GS1 Digital Link URIs as QR codes, SVG and PNG per code in a .zip, and a
printable PDF sheet whose codes are exactly segno's."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import pytest
import segno
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from plateau.registry.identifiers import IdentifierError, make_gtin
from plateau.trace.lineage.labels import codes as labels
from tests.builders import bearer, make_token, make_user
from tests.trace.lineage.test_genealogy_builders import BottleChain

GTIN = make_gtin("690123499001")
HOST = "https://plateau.example.cn"


def test_labels_carry_digital_links_of_items_of_a_lot() -> None:
    made = labels.make_labels(gtin=GTIN, lot="W2405A", serials=["1", "2"], base_url=HOST)
    assert [m.uri for m in made] == [
        f"{HOST}/01/{GTIN}/10/W2405A/21/1",
        f"{HOST}/01/{GTIN}/10/W2405A/21/2",
    ]
    assert made[0].human_readable() == [f"(01) {GTIN}", "(10) W2405A", "(21) 1"]
    (lot,) = labels.make_labels(gtin=GTIN[1:], lot="A/B", serials=None, base_url=HOST)
    assert lot.uri == f"{HOST}/01/{GTIN}/10/A%2FB"  # GTIN-13 padded, "/" escaped


def test_bad_gs1_data_is_refused() -> None:
    with pytest.raises(IdentifierError):
        labels.make_labels(gtin=GTIN[:-1] + "0" if GTIN[-1] != "0" else GTIN[:-1] + "1", lot=None, serials=None, base_url=HOST)  # fmt: skip
    with pytest.raises(IdentifierError):
        labels.make_labels(gtin=GTIN, lot="X" * 21, serials=None, base_url=HOST)
    with pytest.raises(IdentifierError):
        labels.make_labels(gtin=GTIN, lot="A B", serials=None, base_url=HOST)


def test_random_serials_are_distinct_and_unambiguous() -> None:
    serials = labels.random_serials(500)
    assert len(set(serials)) == 500
    assert all(len(s) == labels.SERIAL_LENGTH and not set(s) & set("01IO") for s in serials)
    assert labels.sequential_serials(3, 7) == ["7", "8", "9"]


def _objects(pdf: bytes) -> dict[int, int]:
    """Check the cross-reference table: every offset points at its object."""
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF", pdf).group(1))  # type: ignore[union-attr]
    table = pdf[start:].split(b"trailer")[0].split(b"\n")
    count = int(table[1].split()[1])
    offsets = {n: int(line.split()[0]) for n, line in enumerate(table[3 : 2 + count], start=1)}
    for number, offset in offsets.items():
        assert pdf[offset:].startswith(f"{number} 0 obj".encode()), number
    return offsets


def test_the_pdf_sheet_is_valid_and_its_codes_are_segnos() -> None:
    made = labels.make_labels(
        gtin=GTIN, lot="L1", serials=labels.sequential_serials(30), base_url=HOST
    )
    pdf = labels.pdf_sheet(made)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    _objects(pdf)
    assert b"/Count 2" in pdf  # 30 labels, 24 a page
    streams = re.findall(rb"stream\n(.*?)\nendstream", pdf, re.S)
    first_page = zlib.decompress(streams[0]).decode("ascii")
    assert "(\\(21\\) 1) Tj" in first_page and f"(\\(01\\) {GTIN}) Tj" in first_page
    # Rebuild the first code from its rectangles and compare it with segno's matrix.
    segment = first_page.split(" re S\n", 1)[1].split("\nf\n", 1)[0]
    code = [
        tuple(map(float, m.groups()))
        for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", segment)
    ]
    expected = [
        list(map(bool, row)) for row in segno.make(made[0].uri, error="m").matrix_iter(border=0)
    ]
    size = len(expected)
    module = labels.QR_SIZE / size
    left = min(r[0] for r in code)
    top = max(r[1] + r[3] for r in code)
    grid = [[False] * size for _ in range(size)]
    for x, y, w, _h in code:
        row = round((top - y) / module) - 1
        if not 0 <= row < size:
            continue
        start = round((x - left) / module)
        for c in range(start, start + round(w / module)):
            if c < size:
                grid[row][c] = True
    assert grid == expected


def test_the_zip_has_an_svg_and_a_png_per_code_an_index_and_the_sheet() -> None:
    made = labels.make_labels(gtin=GTIN, lot="L1", serials=["A1", "A2", "A3"], base_url=HOST)
    archive = zipfile.ZipFile(io.BytesIO(labels.zip_archive(made)))
    names = set(archive.namelist())
    assert {"labels.csv", "labels.pdf"} <= names
    assert len([n for n in names if n.endswith(".svg")]) == 3
    pngs = [n for n in names if n.endswith(".png")]
    assert len(pngs) == 3 and archive.read(pngs[0]).startswith(b"\x89PNG")
    assert b"<svg" in archive.read(sorted(n for n in names if n.endswith(".svg"))[0])
    index = archive.read("labels.csv").decode()
    assert f"{HOST}/01/{GTIN}/10/L1/21/A2" in index


def test_the_api_makes_labels_for_the_products_own_enterprise_only(
    session: Session, client: TestClient
) -> None:
    chain = BottleChain(session)
    other = BottleChain(session, n=911)
    mine = make_token(
        session, make_user(session, Role.ENTERPRISE_USER, f"enterprise:{chain.enterprise.uscc}")
    )
    session.commit()
    params = {"gtin": chain.gtin, "lot": "L1", "serials": 5, "format": "zip"}
    # A forged Host header must not end up printed on the labels: the public URL is.
    ok = client.get(
        "/api/trace/labels", params=params, headers={**bearer(mine), "Host": "evil.example"}
    )
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(ok.content))
    assert len([n for n in archive.namelist() if n.endswith(".svg")]) == 5
    index = archive.read("labels.csv").decode()
    assert "http://127.0.0.1:8000/01/" in index and "evil.example" not in index
    sheet = client.get(
        "/api/trace/labels", params={**params, "format": "pdf"}, headers=bearer(mine)
    )
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    theirs = client.get(
        "/api/trace/labels", params={**params, "gtin": other.gtin}, headers=bearer(mine)
    )
    assert theirs.status_code == 403
    assert client.get("/api/trace/labels", params=params).status_code == 401
