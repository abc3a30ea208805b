"""Ecode (GB/T 31866): an enterprise registers its Ecode prefix, Plateau mints full-length
codes for its products, lots and items, and /resolve/{ecode} leads to the public page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.i18n import set_locale
from plateau.registry.identifiers import IdentifierError
from plateau.trace.lineage import ecode, service
from plateau.trace.lineage.schemas import HandleCreate, PrefixCreate
from tests.builders import bearer
from tests.trace.lineage.test_handles import _setup

# Version 1 (34 digits), NSI 0086, enterprise code 5400001.
PREFIX = "100865400001"
# Version 2 (36 digits and capitals), NSI 0086, enterprise code XZ54.
ALNUM_PREFIX = "20086XZ54"


@pytest.mark.parametrize(
    ("prefix", "version", "nsi", "code"),
    [
        (PREFIX, "1", "0086", "5400001"),
        (ALNUM_PREFIX, "2", "0086", "XZ54"),
        ("0123412", "0", "1234", "12"),
    ],
)
def test_a_prefix_is_version_nsi_and_enterprise_code(
    prefix: str, version: str, nsi: str, code: str
) -> None:
    parsed = ecode.parse_prefix(prefix)
    assert (parsed.version, parsed.nsi, parsed.enterprise_code) == (version, nsi, code)
    assert parsed.text == prefix


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("300861234", "must be 0, 1 or 2"),  # version 3 is variable-length: not minted here
        ("10086AB12", "digits only"),  # version 1 is numeric
        ("10086", "too short"),  # no enterprise code after the NSI
        ("1" + "0" * 25, "needs at least 10"),  # leaves too little room for the items
    ],
)
def test_bad_prefixes_name_the_fault(prefix: str, message: str) -> None:
    set_locale("en")
    with pytest.raises(IdentifierError, match=message):
        ecode.parse_prefix(prefix)


def test_minted_codes_have_the_full_length_of_their_version() -> None:
    numeric = ecode.parse_prefix(PREFIX)
    lot = ecode.mint(numeric, kind="lot", gtin="06901234000126", lot="L1", serial=None)
    assert len(lot) == 34 and lot.isdigit() and lot.startswith(PREFIX + "2")
    assert lot == ecode.mint(numeric, kind="lot", gtin="06901234000126", lot="L1", serial=None)
    item = ecode.mint(numeric, kind="item", gtin="06901234000126", lot="L1", serial="7")
    assert item.startswith(PREFIX + "3") and item != lot
    alnum = ecode.mint(
        ecode.parse_prefix(ALNUM_PREFIX),
        kind="product",
        gtin="06901234000126",
        lot=None,
        serial=None,
    )
    assert len(alnum) == 36 and alnum.startswith(ALNUM_PREFIX + "P") and alnum.isalnum()
    assert alnum == alnum.upper()


def test_an_enterprise_registers_an_ecode_prefix_and_mints_under_it(
    session: Session, client: TestClient
) -> None:
    chain, other, mine, theirs = _setup(session)
    body = {"prefix": PREFIX, "enterprise_uscc": chain.enterprise.uscc, "allocated_by": "NIoT"}
    assert (
        client.post(
            "/api/trace/identifiers/prefixes", json=body, headers=bearer(theirs)
        ).status_code
        == 403
    )
    made = client.post("/api/trace/identifiers/prefixes", json=body, headers=bearer(mine))
    assert made.status_code == 201, made.text
    bad = client.post(
        "/api/trace/identifiers/prefixes",
        json={**body, "prefix": "300861234"},
        headers=bearer(mine),
    )
    assert bad.status_code == 422 and "0、1 或 2" in bad.text  # in the user's language

    lot = {"prefix": PREFIX, "gtin": chain.gtin, "lot": "L1"}
    first = client.post("/api/trace/identifiers", json=lot, headers=bearer(mine))
    assert first.status_code == 201, first.text
    code = first.json()["handle"]
    assert len(code) == 34 and code.startswith(PREFIX + "2") and chain.gtin not in code
    assert first.json()["kind"] == "lot"
    assert (
        client.post("/api/trace/identifiers", json=lot, headers=bearer(mine)).json()["handle"]
        == code
    )
    # Not under someone else's prefix, not for someone else's product.
    assert (
        client.post("/api/trace/identifiers", json=lot, headers=bearer(theirs)).status_code == 404
    )
    foreign = client.post(
        "/api/trace/identifiers", json={**lot, "gtin": other.gtin}, headers=bearer(mine)
    )
    assert foreign.status_code == 403


def test_an_ecode_resolves_publicly_to_the_page(session: Session, client: TestClient) -> None:
    chain, _other, mine, _theirs = _setup(session)
    client.post(
        "/api/trace/identifiers/prefixes",
        json={"prefix": PREFIX, "enterprise_uscc": chain.enterprise.uscc},
        headers=bearer(mine),
    )
    code = client.post(
        "/api/trace/identifiers",
        json={"prefix": PREFIX, "gtin": chain.gtin, "lot": "L1", "serial": "2"},
        headers=bearer(mine),
    ).json()["handle"]
    anonymous = TestClient(client.app, base_url="http://testserver")
    go = anonymous.get(f"/resolve/{code}", follow_redirects=False)
    assert go.status_code == 303 and go.headers["location"] == f"/01/{chain.gtin}/10/L1/21/2"
    record = anonymous.get(f"/resolve/{code}", headers={"Accept": "application/json"}).json()
    values = {v["type"]: v["data"]["value"] for v in record["values"]}
    assert record["handle"] == code and record["kind"] == "item"
    assert values["GS1_DIGITAL_LINK"] == f"https://id.gs1.org/01/{chain.gtin}/10/L1/21/2"
    assert values["OWNER_USCC"] == chain.enterprise.uscc
    # A well-formed code nobody minted is unknown.
    unknown = PREFIX + "3" + "0" * (34 - len(PREFIX) - 1)
    assert anonymous.get(f"/resolve/{unknown}").status_code == 404


def test_an_ecode_can_be_traced_like_any_other(session: Session) -> None:
    chain, _other, _mine, _theirs = _setup(session)
    service.register_prefix(
        session,
        data=PrefixCreate(prefix=ALNUM_PREFIX, enterprise_uscc=chain.enterprise.uscc),
        actor=SYSTEM,
    )
    minted = service.mint_handle(
        session, data=HandleCreate(prefix=ALNUM_PREFIX, gtin=chain.gtin, lot="L1"), actor=SYSTEM
    )
    found = service.trace(session, identifier=minted.handle, direction="forward", actor=SYSTEM)
    assert found.key == f"https://id.gs1.org/01/{chain.gtin}/10/L1"
    assert {chain.item("1"), chain.item("2"), chain.item("3")} <= {n.key for n in found.nodes}
