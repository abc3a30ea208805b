"""GS1 company prefixes: recorded by officers, never overlapping, and the gate of GTINs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.errors import Conflict, Forbidden, NotFound, ValidationFailed
from plateau.registry import service
from plateau.registry.schemas import CompanyPrefixCreate, ProductFilter
from plateau.tabular import read_table
from tests.builders import Users, csrf_from, login
from tests.registry.builders import csv_bytes, gtin
from tests.registry.conftest import World


def _add(session: Session, uscc: str, prefix: str, actor=SYSTEM, kind="licensed"):  # type: ignore[no-untyped-def]
    data = CompanyPrefixCreate(prefix=prefix, kind=kind)
    return service.add_prefix(session, uscc=uscc, data=data, actor=actor)


def test_prefixes_are_checked_and_never_overlap(session: Session, world: World) -> None:
    # The world gives A 6901234 and B the single GTIN gtin(84).
    for overlapping in ("690123", "69012345", "6901230000"):
        with pytest.raises(Conflict):
            _add(session, world.c, overlapping)
    with pytest.raises(Conflict):
        _add(session, world.c, gtin(84), kind="assigned")
    with pytest.raises(ValidationFailed) as caught:
        _add(session, world.c, "0201234")  # restricted circulation: no company prefixes
    assert "号段" in caught.value.errors[0].message
    with pytest.raises(ValidationFailed):
        _add(session, world.c, "6901234567890", kind="assigned")  # wrong check digit
    made = _add(session, world.c, "6908888")
    assert (made.prefix, made.kind, made.enterprise.uscc) == ("6908888", "licensed", world.c)
    assert [p.prefix for p in service.list_prefixes(session, uscc=world.c, actor=SYSTEM)] == [
        "6908888"
    ]


def test_only_officers_of_the_area_record_prefixes(
    session: Session, world: World, users: Users
) -> None:
    with pytest.raises(Forbidden):
        _add(session, world.a, "6907777", actor=users.actors["enterprise_a"])
    with pytest.raises(NotFound):  # out of scope: as if A did not exist
        _add(session, world.a, "6907777", actor=users.actors["prefecture_nagqu"])
    assert _add(session, world.a, "6907777", actor=users.actors["prefecture_lhasa"]).id


def test_an_import_refuses_gtins_of_anothers_prefix(
    session: Session, world: World, users: Users
) -> None:
    rows = [["gtin", "name", "uscc"], ["6901234000016", "冒用", world.b]]
    table = read_table(csv_bytes(rows), "p.csv")
    with pytest.raises(ValidationFailed) as caught:
        service.import_products(
            session, table=table, actor=users.actors["enterprise_b"], dry_run=False
        )
    [error] = caught.value.errors
    assert (error.row, error.field) == (2, "gtin") and "6901234" in error.message
    found = service.list_products(session, filters=ProductFilter(enterprise=world.b), actor=SYSTEM)
    assert "06901234000016" not in {p.gtin for p in found.items}


def test_the_product_form_explains_a_refusal_and_takes_an_officers_reason(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    login(client, users.usernames["enterprise_b"])
    page = client.get(f"/registry/enterprises/{world.b}")
    assert 'name="reason"' not in page.text  # enterprises cannot override
    refused = client.post(
        f"/registry/enterprises/{world.b}/products",
        data={"csrf_token": csrf_from(page.text), "gtin": "6901234000016", "name_zh": "冒用"},
    )
    assert refused.status_code == 422
    assert "属于其他企业持有的厂商识别代码 6901234" in refused.text
    client.cookies.clear()
    login(client, users.usernames["prefecture_nagqu"])
    page = client.get(f"/registry/enterprises/{world.b}")
    assert 'name="reason"' in page.text
    form = {"csrf_token": csrf_from(page.text), "gtin": gtin(9001), "name_zh": "代工产品"}
    assert client.post(f"/registry/enterprises/{world.b}/products", data=form).status_code == 422
    made = client.post(
        f"/registry/enterprises/{world.b}/products", data={**form, "reason": "品牌方书面分配"}
    )
    assert made.status_code == 200 and gtin(9001).zfill(14) in made.text
