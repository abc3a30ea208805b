"""Recall: everything downstream of a lot, and its critical tracking events as the FSMA 204
sortable spreadsheet (key data elements), in JSON, CSV and Excel."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM, Role
from plateau.demo import epcis_builders as tw
from plateau.errors import DomainError
from plateau.trace.lineage import recall, service
from tests.builders import bearer, make_token, make_user
from tests.trace.lineage.test_genealogy_builders import Water, YakChain, capture


def test_a_recall_reaches_every_item_case_pallet_location_and_holder(session: Session) -> None:
    water = Water(session)
    found = service.recall_of(session, identifier=water.lot, actor=SYSTEM)
    assert found.items == 4
    assert {c.key for c in found.containers} == {water.case1, water.case2, water.pallet}
    names = {p.name for p in found.locations}
    assert {"测试灌装厂", "测试配送中心", "测试店甲", "测试店乙"} <= names
    assert "测试店丙" not in names  # the pallet's later trip carried another lot
    assert {"测试店甲", "测试店乙"} <= {h.name for h in found.holders}


def test_rows_count_the_lots_items_inside_cases_and_pallets(session: Session) -> None:
    water = Water(session)
    rows = service.recall_of(session, identifier=water.lot, actor=SYSTEM).rows
    by_cte = [(r.cte, r.quantity, r.location.split(" ")[0]) for r in rows]
    assert by_cte[0] == ("initial_packing", 4.0, "测试灌装厂")
    assert ("shipping", 4.0, "测试灌装厂") in by_cte  # the pallet, with all four bottles
    assert ("receiving", 2.0, "测试店甲") in by_cte and ("receiving", 2.0, "测试店乙") in by_cte
    assert all(
        r.traceability_lot_code == "L1" and r.tlc_source.startswith("测试灌装厂") for r in rows
    )


def test_rows_carry_the_key_data_elements(session: Session) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    found = service.recall_of(session, identifier=yak.jerky_lot("J1"), actor=SYSTEM)
    made = next(r for r in found.rows if r.cte == "transformation")
    assert (made.traceability_lot_code, made.quantity, made.input_lots) == ("J1", 2000.0, "C1")
    assert made.product == "测试牦牛肉干" and made.cte_label == "加工转化"
    assert made.reference_type == "生产订单" and made.reference_number == "MO-J1"
    shipped = next(r for r in found.rows if r.cte == "shipping")
    assert shipped.ship_from.startswith("测试加工厂") and shipped.ship_to.startswith("测试特产店")
    assert (shipped.reference_type, shipped.reference_number) == ("采购订单", "PO-7788")
    assert shipped.tlc_source.startswith("测试加工厂")
    received = next(r for r in found.rows if r.cte == "receiving")
    assert received.location.startswith("测试特产店") and received.quantity == 2000.0
    # Retail sales are not critical tracking events of FSMA 204.
    assert {r.cte for r in found.rows} == {"transformation", "shipping", "receiving"}


def test_the_spreadsheet_downloads_as_sortable_excel_and_csv(
    session: Session, client: TestClient
) -> None:
    yak = YakChain(session)
    capture(session, yak.events(), actor=yak.actor)
    token = make_token(session, make_user(session, Role.REGION_ADMIN))
    session.commit()
    path = "/api/trace/recall/" + quote(yak.jerky_lot("J1"), safe="")
    xlsx = client.get(path, params={"format": "xlsx"}, headers=bearer(token))
    assert xlsx.status_code == 200, xlsx.text
    assert "attachment" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["可追溯批次代码", "产品描述"] and header[3:6] == [
        "数量",
        "计量单位",
        "关键追踪事件",
    ]
    assert header == [c.header for c in recall.columns()]
    assert sheet.auto_filter.ref  # sortable and filterable in Excel
    assert sheet.max_row == 1 + 3
    text = client.get(path, params={"format": "csv"}, headers=bearer(token)).content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "可追溯批次代码" and {r[5] for r in rows[1:]} == {
        "加工转化",
        "发运",
        "收货",
    }
    as_json = client.get(path, headers=bearer(token)).json()
    assert as_json["lot"] == "J1" and len(as_json["rows"]) == 3


def test_a_recall_needs_a_lot(session: Session) -> None:
    water = Water(session)
    with pytest.raises(DomainError) as caught:
        service.recall_of(session, identifier=water.bottles[0], actor=SYSTEM)
    assert caught.value.status_code == 422


def test_the_recall_page_lists_holders_and_rows(session: Session, client: TestClient) -> None:
    from tests.builders import PASSWORD, login

    water = Water(session)
    make_user(session, Role.REGION_ADMIN, username="recall-admin")
    session.commit()
    login(client, "recall-admin", PASSWORD)
    page = client.get("/trace/recall/" + quote(water.lot, safe=""))
    assert page.status_code == 200
    assert 'data-count="items">4<' in page.text
    assert "测试店甲" in page.text and 'data-cte="shipping"' in page.text
    assert 'data-export="xlsx"' in page.text
    form = client.get("/trace/recall", params={"lot": water.lot}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"].startswith("/trace/recall/")
    missing = client.get(
        "/trace/recall/" + quote(tw.lot_dl(water.bottles[0][28:42], "NOPE"), safe="")
    )
    assert missing.status_code in (404, 422) and "data-recall-error" in missing.text
