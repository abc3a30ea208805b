"""A product's photo and licence/approval number: kept by its enterprise and the officers,
checked on every way in (page, API, import), and shown to shoppers on the consumer page."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.errors import ValidationFailed
from plateau.registry import service
from plateau.registry.schemas import ProductUpdate
from tests.builders import Users, csrf_from, login
from tests.registry.builders import csv_bytes
from tests.registry.conftest import World


def _png(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def _edit_form(client: TestClient, gtin: str) -> str:
    page = client.get(f"/registry/products/{gtin}/edit")
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def test_the_licence_kind_and_number_go_together_and_sc_numbers_are_checked(
    session: Session, world: World
) -> None:
    def update(**values: str) -> None:
        service.update_product(
            session, gtin=world.gtin_a, data=ProductUpdate(**values), actor=SYSTEM
        )

    for bad in (
        {"licence_kind": "sc", "licence_no": "SC123"},
        {"licence_kind": "", "licence_no": "SC10654010000011"},
        {"licence_kind": "drug_approval", "licence_no": ""},
    ):
        with pytest.raises(ValidationFailed):
            update(**bad)
    update(licence_kind="sc", licence_no="SC10654010000011")
    public = service.public_product(session, gtin=world.gtin_a, today=date(2026, 1, 1))
    assert (public.licence_kind, public.licence_no) == ("sc", "SC10654010000011")
    update(licence_kind="drug_approval", licence_no="国药准字Z54020001")
    assert service.get_product(session, gtin=world.gtin_a, actor=SYSTEM).licence_no == (
        "国药准字Z54020001"
    )


def test_the_enterprise_edits_its_product_and_shoppers_see_the_licence_and_photo(
    client: TestClient, world: World, users: Users
) -> None:
    login(client, users.usernames["enterprise_a"])
    ent_page = client.get(f"/registry/enterprises/{world.a}").text
    assert f'href="/registry/products/{world.gtin_a}/edit"' in ent_page
    token = _edit_form(client, world.gtin_a)
    refused = client.post(
        f"/registry/products/{world.gtin_a}/edit",
        data={"csrf_token": token, "name_zh": "高原冰川水 550ml", "licence_kind": "sc",
              "licence_no": "SC12"},
    )  # fmt: skip
    assert refused.status_code == 422 and "SC 加 14 位数字" in refused.text
    saved = client.post(
        f"/registry/products/{world.gtin_a}/edit",
        data={"csrf_token": token, "name_zh": "高原冰川水 550ml", "brand": "净土冰川",
              "licence_kind": "sc", "licence_no": "SC10654010000011"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    # Not an image, whatever its name and declared type: refused, nothing stored.
    fake = client.post(
        f"/registry/products/{world.gtin_a}/photo",
        data={"csrf_token": token},
        files={"photo": ("photo.png", b"<html>not a picture</html>", "image/png")},
    )
    assert fake.status_code == 422 and "不是图片" in fake.text
    assert client.get(f"/registry/products/{world.gtin_a}/photo").status_code == 404
    too_big = client.post(
        f"/registry/products/{world.gtin_a}/photo",
        data={"csrf_token": token},
        files={"photo": ("big.png", _png() + b"\0" * (2 * 1024 * 1024), "image/png")},
    )
    assert too_big.status_code == 422
    picture = _png()
    uploaded = client.post(
        f"/registry/products/{world.gtin_a}/photo",
        data={"csrf_token": token},
        files={"photo": ("相片.bin", picture, "application/octet-stream")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303

    client.cookies.clear()  # a shopper, not signed in
    page = client.get(f"/01/{world.gtin_a}")
    assert page.status_code == 200
    assert "食品生产许可证编号（SC）" in page.text and "SC10654010000011" in page.text
    src = page.text.split("data-product-photo")[0].rsplit('src="', 1)[1].split('"')[0]
    photo = client.get(src)
    assert photo.status_code == 200 and photo.content == picture
    assert photo.headers["content-type"] == "image/png"
    # An app reading the same scan as JSON gets the photo's whole URL, not a path.
    data = client.get(f"/01/{world.gtin_a}", headers={"Accept": "application/json"}).json()
    base = client.app.state.settings.base_url()  # type: ignore[attr-defined]
    assert data["photo_url"] == f"{base}{src}" and base.startswith("http")


def test_only_the_owner_and_its_officers_change_a_product(
    client: TestClient, world: World, users: Users
) -> None:
    login(client, users.usernames["enterprise_b"])
    assert client.get(f"/registry/products/{world.gtin_a}/edit").status_code == 404
    client.cookies.clear()
    login(client, users.usernames["prefecture_lhasa"])
    token = _edit_form(client, world.gtin_a)
    assert (
        client.post(
            f"/registry/products/{world.gtin_a}/photo",
            data={"csrf_token": token},
            files={"photo": ("p.png", _png(), "image/png")},
            follow_redirects=False,
        ).status_code
        == 303
    )
    client.cookies.clear()
    login(client, users.usernames["prefecture_nagqu"])
    page = client.get("/registry/products")  # a page for the CSRF token
    answer = client.post(
        f"/registry/products/{world.gtin_a}/photo/remove",
        data={"csrf_token": csrf_from(page.text)},
    )
    assert answer.status_code == 404
    assert client.get(f"/registry/products/{world.gtin_a}/photo").status_code == 200


def test_the_api_sets_a_photo_and_the_licence(
    client: TestClient, world: World, users: Users
) -> None:
    auth = users.headers["enterprise_a"]
    patched = client.patch(
        f"/api/registry/products/{world.gtin_a}",
        json={"licence_kind": "hygiene_permit", "licence_no": "藏卫水字(2024)第0012号"},
        headers=auth,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["licence_kind"] == "hygiene_permit"
    bad = client.put(
        f"/api/registry/products/{world.gtin_a}/photo",
        files={"file": ("x.png", b"GIF89a-not-really", "image/png")},
        headers=auth,
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    good = client.put(
        f"/api/registry/products/{world.gtin_a}/photo",
        files={"file": ("x.png", _png((1, 2, 3)), "image/png")},
        headers=auth,
    )
    assert good.status_code == 204
    assert client.get(f"/registry/products/{world.gtin_a}/photo").content == _png((1, 2, 3))
    assert (
        client.delete(f"/api/registry/products/{world.gtin_a}/photo", headers=auth).status_code
        == 204
    )
    assert client.get(f"/registry/products/{world.gtin_a}/photo").status_code == 404


def test_a_product_file_carries_licences_by_name_and_refuses_bad_ones(
    session: Session, world: World
) -> None:
    from plateau.tabular import read_table

    def run(rows: list[list[str]]) -> None:
        table = read_table(csv_bytes(rows), "products.csv")
        service.import_products(session, table=table, actor=SYSTEM, dry_run=False)

    header = ["gtin", "product_name", "uscc", "licence_kind", "licence_no"]
    with pytest.raises(ValidationFailed) as refused:
        run(
            [header, [world.gtin_a, "高原冰川水 550ml", world.a, "食品生产许可证编号（SC）", "SC1"]]
        )
    assert [e.row for e in refused.value.errors] == [2]
    assert "SC" in refused.value.errors[0].message
    run([header, [world.gtin_a, "高原冰川水 550ml", world.a, "药品批准文号", "国药准字Z54020002"]])
    product = service.get_product(session, gtin=world.gtin_a, actor=SYSTEM)
    assert (product.licence_kind, product.licence_no) == ("drug_approval", "国药准字Z54020002")
