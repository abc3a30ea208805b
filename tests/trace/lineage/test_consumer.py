"""The consumer page behind a QR code: public, in Chinese with an English switch, showing the
product, its origin base and county, the journey, certificates, the cold chain and a clear
verdict; never prices, business documents or other enterprises' private data."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.trace.lineage import service
from tests.registry.builders import make_certification
from tests.trace.lineage.test_genealogy_builders import BottleChain, YakChain, capture


def _yak(session: Session, **kwargs: object) -> YakChain:
    yak = YakChain(session)
    capture(session, yak.events(**kwargs), actor=yak.actor)  # type: ignore[arg-type]
    session.commit()
    return yak


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_lot_page_is_public_chinese_and_says_genuine(
    session: Session, client: TestClient
) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    make_certification(session, yak.enterprise, kind="organic", number="226OP2600042",
                       product=None)  # fmt: skip
    session.commit()
    page = client.get(f"/01/{yak.jerky}/10/J1")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert 'data-verdict="genuine"' in page.text and "正品：追溯记录核验一致" in page.text
    text = _text(page.text)
    assert "测试牦牛肉干" in text and yak.enterprise.name in text
    assert "牦牛" in text and "那曲市 色尼区" in text  # origin base and its county
    assert "测试牦牛基地" in text  # bases are public
    assert "有机产品" in text and "226OP2600042" in text
    steps = re.findall(r'data-step="([a-z_]+)"', page.text)
    assert steps[:2] == ["commissioning", "killing"] or steps[0] == "commissioning"
    assert "retail_selling" in steps


def test_the_page_shows_nothing_private(session: Session, client: TestClient) -> None:
    yak = _yak(session)
    html = client.get(f"/01/{yak.jerky}/10/J1").text
    for secret in ("PO-7788", "MO-J1", "测试特产店", "2000", "1500", "prodorder", "414/"):
        assert secret not in html, secret
    # The shop is only a kind of place and a region.
    assert "门店" in html and "西藏自治区拉萨市" in html
    data = client.get(f"/01/{yak.jerky}/10/J1", headers={"Accept": "application/json"}).json()
    flat = str(data)
    assert "PO-7788" not in flat and "测试特产店" not in flat and "biz_transactions" not in flat
    assert data["verdict"] == "genuine" and data["origin_county"] == "色尼区"


def test_english_through_the_site_switch(session: Session, client: TestClient) -> None:
    yak = _yak(session)
    client.cookies.set("plateau_lang", "en")
    page = client.get(f"/01/{yak.jerky}/10/J1")
    assert '<html lang="en">' in page.text
    assert "Genuine: the records check out" in page.text and "Its journey" in page.text


def test_a_lot_that_does_not_add_up_warns(session: Session, client: TestClient) -> None:
    yak = _yak(session, jerky_code="JX", carcass_kg=300.0, packs=2600, sold=2490)
    page = client.get(f"/01/{yak.jerky}/10/JX")
    assert 'data-verdict="warning"' in page.text
    assert "警告：追溯记录对不上" in page.text and "记录的投入最多只能产出" in page.text


def test_a_code_without_records_cannot_be_verified(session: Session, client: TestClient) -> None:
    yak = _yak(session)
    page = client.get(f"/01/{yak.jerky}/10/NEVER-MADE")
    assert page.status_code == 200 and 'data-verdict="unverified"' in page.text
    assert "此码没有追溯记录。" in page.text
    assert client.get("/01/06901234567892/10/X").status_code == 404
    assert client.get("/01/12345/10/X").status_code == 404


def test_a_serialised_item_with_the_wrong_lot_on_its_label_warns(
    session: Session, client: TestClient
) -> None:
    chain = BottleChain(session)
    capture(session, chain.events(), actor=chain.actor)
    session.commit()
    good = client.get(f"/01/{chain.gtin}/10/L1/21/2")
    assert 'data-verdict="genuine"' in good.text and "data-serial" in good.text
    swapped = client.get(f"/01/{chain.gtin}/10/L7/21/2")
    assert 'data-verdict="warning"' in swapped.text and "L7" in swapped.text
    counterfeit = client.get(f"/01/{chain.gtin}/10/L1/21/999")
    assert 'data-verdict="unverified"' in counterfeit.text
    serial_only = client.get(f"/01/{chain.gtin}/21/2")
    assert 'data-verdict="genuine"' in serial_only.text


def test_the_cold_chain_marks_excursions(session: Session, client: TestClient) -> None:
    chain = BottleChain(session)
    capture(session, chain.events(temperatures=[12.0, 38.5, 20.0, -2.0]), actor=chain.actor)
    session.commit()
    view = service.consumer_view(session, gtin=chain.gtin, lot="L1", serial="1")
    chain_read = view.cold_chain
    assert (chain_read.temp_min_c, chain_read.temp_max_c) == (0.0, 35.0)
    assert [r.excursion for r in chain_read.readings] == [False, True, False, True]
    assert chain_read.excursions == 2
    page = client.get(f"/01/{chain.gtin}/10/L1/21/1")
    assert page.text.count("data-excursion ") + page.text.count("data-excursion>") >= 2
    assert 'data-option-id="consumer-cold-chain"' in page.text
    assert "2 个读数超出储存温度范围。" in page.text
    # The place of a reading is public-only too: a kind of place and a region.
    assert "测试便利店" not in page.text


def test_the_product_page_asks_for_the_lot(session: Session, client: TestClient) -> None:
    yak = _yak(session)
    page = client.get(f"/01/{yak.jerky}")
    assert page.status_code == 200 and "data-verdict" not in page.text
    assert 'action="/trace/scan"' in page.text
    go = client.get("/trace/scan", params={"gtin": yak.jerky, "lot": "J1"}, follow_redirects=False)
    assert go.status_code == 303 and go.headers["location"] == f"/01/{yak.jerky}/10/J1"
