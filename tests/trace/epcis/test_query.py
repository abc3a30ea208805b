"""The EPCIS query language over GET /epcis/events and the resource endpoints.

One small supply chain (commission → pack → ship → transform → sell, plus a cold-chain
reading) is captured per test; each test asks the questions a user would and checks which
events come back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from plateau.trace.epcis import query
from plateau.trace.epcis.validation import validate_xml
from plateau.trace.epcis.xml import parse_document
from tests.builders import bearer
from tests.trace.epcis import test_capture_builders as shared
from tests.trace.epcis.test_capture_builders import (
    CONTEXT,
    document,
    events,
)

# Fixtures shared by the EPCIS tests (pytest finds them as module attributes).
admin_token, client, epcis_app = shared.admin_token, shared.client, shared.epcis_app

GCP = "0614141"
ITEM_1 = f"urn:epc:id:sgtin:{GCP}.107346.1"
ITEM_2 = f"urn:epc:id:sgtin:{GCP}.107346.2"
ITEM_3_DL = "https://id.gs1.org/01/10614141073464/21/3"  # same GTIN, written as Digital Link
BISCUIT = f"urn:epc:id:sgtin:{GCP}.207346.900"
OTHER_COMPANY = "urn:epc:id:sgtin:4012345.011111.987"
PALLET = f"urn:epc:id:sscc:{GCP}.1234567890"
LOT = f"urn:epc:class:lgtin:{GCP}.107346.LOT1"
FLOUR_LOT = "urn:epc:class:lgtin:4012345.022222.B2024"
BISCUIT_CLASS = f"urn:epc:idpat:sgtin:{GCP}.207346.*"
PLANT = f"urn:epc:id:sgln:{GCP}.00777.0"
PLANT_DOCK = f"urn:epc:id:sgln:{GCP}.00777.dock1"
WAREHOUSE = f"urn:epc:id:sgln:{GCP}.00888.0"
SHOP = "urn:epc:id:sgln:4012345.00001.0"
OWNER = f"urn:epc:id:pgln:{GCP}.00001"
BUYER = "urn:epc:id:pgln:4012345.00002"
PO = "urn:epcglobal:cbv:bt:0614141000002:PO-88"


def _id(n: int) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{n:012d}"


COMMISSION, PACK, SHIP, TRANSFORM, SELL, SENSE = (_id(n) for n in range(1, 7))


def _world() -> dict[str, Any]:
    commission = {
        "type": "ObjectEvent",
        "eventID": COMMISSION,
        "eventTime": "2024-05-01T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [ITEM_1, ITEM_2, ITEM_3_DL],
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": {"id": PLANT_DOCK},
        "bizLocation": {"id": PLANT},
        "ilmd": {"cbvmda:lotNumber": "LOT1"},
    }
    pack = {
        "type": "AggregationEvent",
        "eventID": PACK,
        "eventTime": "2024-05-01T09:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "parentID": PALLET,
        "childEPCs": [ITEM_1, ITEM_2],
        "childQuantityList": [{"epcClass": LOT, "quantity": 10, "uom": "KGM"}],
        "action": "ADD",
        "bizStep": "packing",
        "disposition": "in_progress",
        "bizLocation": {"id": PLANT},
    }
    ship = {
        "type": "ObjectEvent",
        "eventID": SHIP,
        "eventTime": "2024-05-02T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [PALLET],
        "quantityList": [{"epcClass": LOT, "quantity": 200, "uom": "KGM"}],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": WAREHOUSE},
        "bizTransactionList": [{"type": "po", "bizTransaction": PO}],
        "sourceList": [{"type": "owning_party", "source": OWNER}],
        "destinationList": [{"type": "owning_party", "destination": BUYER}],
    }
    transform = {
        "type": "TransformationEvent",
        "eventID": TRANSFORM,
        "eventTime": "2024-05-03T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputEPCList": [OTHER_COMPANY],
        "inputQuantityList": [{"epcClass": FLOUR_LOT, "quantity": 500, "uom": "KGM"}],
        "outputEPCList": [BISCUIT],
        "outputQuantityList": [{"epcClass": BISCUIT_CLASS, "quantity": 452, "uom": "KGM"}],
        "transformationID": "urn:uuid:11111111-2222-4333-8444-555555555555",
        "bizStep": "https://example.com/steps/baking",
        "readPoint": {"id": PLANT},
    }
    sell = {
        "type": "TransactionEvent",
        "eventID": SELL,
        "eventTime": "2024-05-04T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "bizTransactionList": [{"type": "po", "bizTransaction": PO}],
        "parentID": PALLET,
        "epcList": [ITEM_1],
        "action": "ADD",
        "bizStep": "retail_selling",
        "disposition": "retail_sold",
        "bizLocation": {"id": SHOP},
    }
    sense = {
        "type": "ObjectEvent",
        "eventID": SENSE,
        "eventTime": "2024-05-02T12:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [PALLET],
        "action": "OBSERVE",
        "bizStep": "sensor_reporting",
        "readPoint": {"id": WAREHOUSE},
        "sensorElementList": [
            {
                "sensorMetadata": {"time": "2024-05-02T12:00:00.000+08:00"},
                "sensorReport": [{"type": "Temperature", "value": 6.5, "uom": "CEL"}],
            }
        ],
    }
    return document(commission, pack, ship, transform, sell, sense)


@pytest.fixture
def token(client: TestClient, admin_token: str) -> str:
    resp = client.post("/epcis/capture", json=_world(), headers=bearer(admin_token))
    assert resp.status_code == 202, resp.text
    return admin_token


def found(client: TestClient, token: str, **params: Any) -> set[str]:
    return {e["eventID"] for e in events(client, token, **params)}


def order(client: TestClient, token: str, **params: Any) -> list[str]:
    return [e["eventID"] for e in events(client, token, **params)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {COMMISSION, PACK, SHIP, TRANSFORM, SELL, SENSE}),
        ({"eventType": "AggregationEvent|TransactionEvent"}, {PACK, SELL}),
        # 2024-05-02T02:00Z is 10:00 in Lhasa: GE is inclusive, LT exclusive.
        ({"GE_eventTime": "2024-05-02T02:00:00Z"}, {SHIP, TRANSFORM, SELL, SENSE}),
        ({"LT_eventTime": "2024-05-02T10:00:00+08:00"}, {COMMISSION, PACK}),
        ({"GE_recordTime": "2020-01-01T00:00:00Z", "LT_recordTime": "2020-01-02T00:00:00Z"}, set()),
        ({"EQ_action": "ADD"}, {COMMISSION, PACK, SELL}),
        ({"EQ_bizStep": "shipping|packing"}, {SHIP, PACK}),
        ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:shipping"}, {SHIP}),
        ({"EQ_bizStep": "https://example.com/steps/baking"}, {TRANSFORM}),
        ({"EQ_disposition": "in_transit"}, {SHIP}),
        ({"EQ_readPoint": WAREHOUSE}, {SHIP, SENSE}),
        ({"EQ_readPoint": "https://id.gs1.org/414/0614141008889"}, {SHIP, SENSE}),
        ({"EQ_bizLocation": PLANT}, {COMMISSION, PACK}),
        ({"WD_readPoint": PLANT}, {COMMISSION, TRANSFORM}),  # the dock is an SGLN extension
        ({"WD_bizLocation": SHOP}, {SELL}),
        ({"EQ_transformationID": "urn:uuid:11111111-2222-4333-8444-555555555555"}, {TRANSFORM}),
        ({"EQ_eventID": f"{SHIP}|{SELL}"}, {SHIP, SELL}),
        ({"MATCH_epc": ITEM_1}, {COMMISSION, PACK, SELL}),
        ({"MATCH_epc": "https://example.org/01/10614141073464/21/2"}, {COMMISSION, PACK}),
        ({"MATCH_epc": "urn:epc:id:sgtin:0614141.107346.3"}, {COMMISSION}),
        ({"MATCH_epc": f"urn:epc:idpat:sgtin:{GCP}.107346.*"}, {COMMISSION, PACK, SELL}),
        ({"MATCH_epc": "https://id.gs1.org/01/10614141073464"}, {COMMISSION, PACK, SELL}),
        ({"MATCH_epc": f"urn:epc:idpat:sgtin:{GCP}.*.*"}, {COMMISSION, PACK, SELL}),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:*.*.*"}, {COMMISSION, PACK, SELL}),
        ({"MATCH_epc": f"urn:epc:idpat:sscc:{GCP}.*"}, {SHIP, SENSE}),
        ({"MATCH_parentID": PALLET}, {PACK, SELL}),
        ({"WD_readPoint": f"urn:epc:id:sgln:{GCP}.00888.0"}, {SHIP, SENSE}),
        ({"EQ_readPoint": PLANT}, {TRANSFORM}),
        ({"MATCH_inputEPC": OTHER_COMPANY}, {TRANSFORM}),
        ({"MATCH_outputEPC": BISCUIT}, {TRANSFORM}),
        ({"MATCH_anyEPC": PALLET}, {PACK, SHIP, SELL, SENSE}),
        ({"MATCH_anyEPC": BISCUIT + "|" + OTHER_COMPANY}, {TRANSFORM}),
        ({"MATCH_epcClass": LOT}, {PACK, SHIP}),
        ({"MATCH_epcClass": f"urn:epc:idpat:sgtin:{GCP}.107346.*"}, {PACK, SHIP}),
        ({"MATCH_epcClass": "https://id.gs1.org/01/10614141073464/10/LOT1"}, {PACK, SHIP}),
        ({"MATCH_inputEPCClass": FLOUR_LOT}, {TRANSFORM}),
        ({"MATCH_outputEPCClass": BISCUIT_CLASS}, {TRANSFORM}),
        ({"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:4012345.*.*"}, {TRANSFORM}),
        ({"EQ_quantity": "200"}, {SHIP}),
        ({"GT_quantity": "100", "LT_quantity": "300"}, {SHIP}),
        ({"LE_quantity": "10"}, {PACK}),
        ({"GE_quantity_KGM": "452"}, {TRANSFORM}),
        ({"GE_quantity_KGM": "200", "LT_quantity_KGM": "201"}, {SHIP}),
        ({"EQ_bizTransaction_po": PO}, {SHIP, SELL}),
        ({"EQ_bizTransaction_desadv": PO}, set()),
        ({"EQ_source_owning_party": OWNER}, {SHIP}),
        ({"EQ_destination_owning_party": "https://id.gs1.org/417/4012345000023"}, {SHIP}),
        ({"EXISTS_sensorElementList": ""}, {SENSE}),
        ({"EQ_type": "Temperature"}, {SENSE}),
        ({"GE_value_CEL": "6", "LT_value_CEL": "8"}, {SENSE}),
        ({"GE_value_CEL": "8"}, set()),
        ({"GE_time": "2024-05-02T00:00:00Z"}, {SENSE}),
        ({"EXISTS_errorDeclaration": "true"}, set()),
        ({"MATCH_epc": ITEM_1, "EQ_bizStep": "retail_selling"}, {SELL}),
    ],
)
def test_query_parameters_select_the_right_events(
    client: TestClient, token: str, params: dict[str, str], expected: set[str]
) -> None:
    assert found(client, token, **params) == expected


def test_order_limits_and_counts(client: TestClient, token: str) -> None:
    assert order(client, token, orderBy="eventTime", orderDirection="ASC") == [
        COMMISSION,
        PACK,
        SHIP,
        SENSE,
        TRANSFORM,
        SELL,
    ]
    latest = order(client, token, orderBy="eventTime", eventCountLimit="2")
    assert latest == [SELL, TRANSFORM]  # DESC is the default direction
    assert order(client, token, orderBy="recordTime", orderDirection="ASC", eventCountLimit="1")
    assert found(client, token, maxEventCount="6") == {
        COMMISSION,
        PACK,
        SHIP,
        TRANSFORM,
        SELL,
        SENSE,
    }
    too_many = client.get("/epcis/events", params={"maxEventCount": "5"}, headers=bearer(token))
    assert too_many.status_code == 413
    assert too_many.json()["type"] == "epcisException:QueryTooLargeException"


def test_pages_follow_the_link_header(client: TestClient, token: str) -> None:
    seen: list[str] = []
    url: str | None = "/epcis/events?perPage=2&orderBy=eventTime&orderDirection=ASC"
    pages = 0
    while url:
        resp = client.get(url, headers=bearer(token))
        assert resp.status_code == 200
        seen += [
            e["eventID"]
            for e in resp.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        ]
        link = resp.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
        pages += 1
        if url:
            assert link is not None and link.endswith('rel="next"')
            assert "perPage=2" in url and "orderBy=eventTime" in url
    assert pages == 3
    assert seen == [COMMISSION, PACK, SHIP, SENSE, TRANSFORM, SELL]
    # eventCountLimit counts across pages
    first = client.get(
        "/epcis/events",
        params={"perPage": 2, "orderBy": "eventTime", "eventCountLimit": 3},
        headers=bearer(token),
    )
    link = first.headers["Link"]
    second = client.get(link[1 : link.index(">")], headers=bearer(token))
    assert len(second.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1
    assert "Link" not in second.headers


@pytest.mark.parametrize(
    ("params", "kind", "status"),
    [
        ({"EQ_colour": "red"}, "epcisException:QueryParameterException", 400),
        ({"EQ_action": "MOVE"}, "epcisException:QueryParameterException", 400),
        ({"GE_eventTime": "yesterday"}, "epcisException:QueryParameterException", 400),
        ({"GE_eventTime": "2024-05-01T00:00:00"}, "epcisException:QueryParameterException", 400),
        ({"eventCountLimit": "2"}, "epcisException:QueryParameterException", 400),
        (
            {"orderBy": "eventTime", "eventCountLimit": "2", "maxEventCount": "3"},
            "epcisException:QueryParameterException",
            400,
        ),
        ({"orderBy": "bizStep"}, "epcisException:QueryParameterException", 400),
        ({"orderDirection": "UP"}, "epcisException:QueryParameterException", 400),
        ({"perPage": "0"}, "epcisException:QueryParameterException", 400),
        ({"nextPageToken": "not-a-token"}, "epcisException:QueryParameterException", 400),
        ({"GT_quantity": "many"}, "epcisException:QueryParameterException", 400),
        (
            {"MATCH_epc": "urn:epc:idpat:sgtin:0614141"},
            "epcisException:QueryParameterException",
            400,
        ),
        ({"EQ_example:colour": "red"}, "epcisException:ImplementationException", 501),
        # ILMD and extension filters are defined by the language, not implemented here.
        ({"EQ_ILMD_example:batch": "XYZ"}, "epcisException:ImplementationException", 501),
        ({"GT_ILMD_example:grade": "2"}, "epcisException:ImplementationException", 501),
        ({"EXISTS_ILMD_example:batch": ""}, "epcisException:ImplementationException", 501),
        ({"EQ_INNER_ILMD_example:a": "b"}, "epcisException:ImplementationException", 501),
        ({"EQ_INNER_example:a": "b"}, "epcisException:ImplementationException", 501),
        ({"EXISTS_example:myField": ""}, "epcisException:ImplementationException", 501),
        ({"HASATTR_example:myField": "x"}, "epcisException:ImplementationException", 501),
        ({"EQ_stringValue": "x"}, "epcisException:ImplementationException", 501),
    ],
)
def test_wrong_parameters_are_query_parameter_exceptions(
    client: TestClient, token: str, params: dict[str, str], kind: str, status: int
) -> None:
    resp = client.get("/epcis/events", params=params, headers=bearer(token))
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["type"] == kind and body["status"] == status and body["detail"]


def test_the_same_parameter_twice_is_refused(client: TestClient, token: str) -> None:
    resp = client.get("/epcis/events?EQ_action=ADD&EQ_action=OBSERVE", headers=bearer(token))
    assert resp.status_code == 400


def test_xml_by_content_negotiation(client: TestClient, token: str) -> None:
    resp = client.get(
        "/epcis/events",
        params={"EQ_bizStep": "shipping"},
        headers={**bearer(token), "Accept": "application/xml"},
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/xml")
    assert validate_xml(resp.content) == []
    root = etree.fromstring(resp.content)
    assert root.tag == "{urn:epcglobal:epcis-query:xsd:2}EPCISQueryDocument"
    assert root.findtext(".//bizStep") == "urn:epcglobal:cbv:bizstep:shipping"
    web = client.get(
        "/epcis/events",
        params={"EQ_bizStep": "shipping"},
        headers={
            **bearer(token),
            "Accept": "application/xml",
            "GS1-CBV-XML-Format": "Always_Web_URI",
        },
    )
    web_root = etree.fromstring(web.content)
    assert web_root.findtext(".//bizStep") == "https://ref.gs1.org/cbv/BizStep-shipping"
    assert web_root.find(".//bizTransaction").get("type") == "https://ref.gs1.org/cbv/BTT-po"
    assert parse_document(web.content, "application/xml")["type"] == "EPCISQueryDocument"


def test_json_ld_and_unacceptable_types(client: TestClient, token: str) -> None:
    resp = client.get("/epcis/events", headers={**bearer(token), "Accept": "application/ld+json"})
    assert resp.headers["content-type"].startswith("application/ld+json")
    body = resp.json()
    assert body["type"] == "EPCISQueryDocument"
    # GS1's context first; ours follows when the answer names identifiers it re-spelt.
    assert body["@context"][0] == CONTEXT
    assert body["@context"][1:] in ([], [{"plateau": "https://ns.plateau.gov.cn/epcis/"}])
    assert body["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery"
    resp = client.get("/epcis/events", headers={**bearer(token), "Accept": "text/html"})
    assert resp.status_code == 406
    assert resp.json()["type"] == "epcisException:NotAcceptableException"
    resp = client.get(
        "/epcis/events",
        headers={**bearer(token), "Accept": "text/html, application/json;q=0.5"},
    )
    assert resp.status_code == 200


def test_epc_format_header(client: TestClient, token: str) -> None:
    def commission(fmt: str | None) -> dict[str, Any]:
        headers = {"GS1-EPC-Format": fmt} if fmt else {}
        [event] = events(client, token, headers=headers, EQ_eventID=COMMISSION)
        return event

    default = commission(None)  # the binding's default: Always_GS1_Digital_Link
    assert default["epcList"] == [
        "https://id.gs1.org/01/10614141073464/21/1",
        "https://id.gs1.org/01/10614141073464/21/2",
        "https://id.gs1.org/01/10614141073464/21/3",
    ]
    assert default["bizLocation"]["id"] == "https://id.gs1.org/414/0614141007776"
    urn = commission("Always_EPC_URN")
    assert urn["epcList"] == [ITEM_1, ITEM_2, "urn:epc:id:sgtin:0614141.107346.3"]
    assert urn["readPoint"]["id"] == PLANT_DOCK
    kept = commission("No_Preference")
    assert kept["epcList"] == [ITEM_1, ITEM_2, ITEM_3_DL]
    resp = client.get("/epcis/events", headers={**bearer(token), "GS1-EPC-Format": "Hex"})
    assert resp.status_code == 406


def test_top_level_and_event_types(client: TestClient, token: str) -> None:
    top = client.get("/epcis", headers=bearer(token)).json()
    assert top["type"] == "Collection"
    assert set(top["member"]) >= {"events", "capture", "queries", "epcs", "bizSteps"}
    types = client.get("/epcis/eventTypes", headers=bearer(token)).json()["member"]
    assert types[:5] == [
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    ]
    assert found(client, token, path="/epcis/eventTypes/AggregationEvent/events") == {PACK}
    sub = client.get("/epcis/eventTypes/ObjectEvent", headers=bearer(token)).json()
    assert sub["member"] == ["events"]
    assert client.get("/epcis/eventTypes/QuantityEvent", headers=bearer(token)).status_code == 404


def test_vocabulary_resources(client: TestClient, token: str) -> None:
    steps = client.get("/epcis/bizSteps", params={"perPage": 100}, headers=bearer(token)).json()
    assert "shipping" in steps["member"] and "https://example.com/steps/baking" in steps["member"]
    assert found(client, token, path="/epcis/bizSteps/shipping/events") == {SHIP}
    assert found(
        client, token, path="/epcis/bizSteps/urn:epcglobal:cbv:bizstep:packing/events"
    ) == {PACK}
    assert (
        found(client, token, path="/epcis/bizSteps/shipping/events", EQ_disposition="active")
        == set()
    )
    dispositions = client.get("/epcis/dispositions", headers=bearer(token))
    assert "Link" in dispositions.headers  # more than 30 CBV dispositions: a second page
    assert found(client, token, path="/epcis/dispositions/retail_sold/events") == {SELL}
    assert client.get("/epcis/bizSteps/shipping", headers=bearer(token)).status_code == 200


def test_identifier_and_location_resources(client: TestClient, token: str) -> None:
    epcs = client.get("/epcis/epcs", params={"perPage": 100}, headers=bearer(token)).json()
    assert "https://id.gs1.org/00/106141412345678908" in epcs["member"]
    urns = client.get(
        "/epcis/epcs",
        params={"perPage": 100},
        headers={**bearer(token), "GS1-EPC-Format": "Always_EPC_URN"},
    ).json()["member"]
    assert PALLET in urns and ITEM_1 in urns
    assert found(client, token, path=f"/epcis/epcs/{PALLET}/events") == {PACK, SHIP, SELL, SENSE}
    encoded = quote("https://id.gs1.org/01/10614141073464/21/1", safe="")
    assert found(client, token, path=f"/epcis/epcs/{encoded}/events") == {COMMISSION, PACK, SELL}
    assert found(client, token, path=f"/epcis/epcs/{LOT}/events") == {PACK, SHIP}
    assert client.get(f"/epcis/epcs/{ITEM_1}", headers=bearer(token)).json()["member"] == ["events"]
    unknown = client.get("/epcis/epcs/urn:epc:id:sgtin:0614141.107346.404", headers=bearer(token))
    assert unknown.status_code == 404
    locations = client.get("/epcis/bizLocations", headers=bearer(token)).json()["member"]
    assert "https://id.gs1.org/414/0614141007776" in locations
    assert found(client, token, path=f"/epcis/bizLocations/{PLANT}/events") == {COMMISSION, PACK}
    points = client.get("/epcis/readPoints", headers=bearer(token)).json()["member"]
    assert "https://id.gs1.org/414/0614141008889" in points
    assert found(client, token, path=f"/epcis/readPoints/{WAREHOUSE}/events") == {SHIP, SENSE}
    paged = client.get("/epcis/epcs", params={"perPage": 2}, headers=bearer(token))
    assert len(paged.json()["member"]) == 2
    link = paged.headers["Link"]
    rest = client.get(link[1 : link.index(">")], headers=bearer(token)).json()["member"]
    assert not set(rest) & set(paged.json()["member"])


def test_options_discovery(client: TestClient, token: str) -> None:
    resp = client.options("/epcis/events", headers=bearer(token))
    assert resp.status_code == 204
    assert resp.headers["Allow"] == "OPTIONS, GET, POST"
    assert resp.headers["GS1-EPCIS-Min"] == "2.0.0"
    assert "Always_GS1_Digital_Link" in resp.headers["GS1-EPC-Format"]


@pytest.mark.parametrize(
    ("value", "exact", "prefixes", "likes"),
    [
        (ITEM_1, {"https://id.gs1.org/01/10614141073464/21/1"}, (), ()),
        (
            f"urn:epc:idpat:sgtin:{GCP}.107346.*",
            {"https://id.gs1.org/01/10614141073464"},
            ("https://id.gs1.org/01/10614141073464/",),
            (),
        ),
        (
            f"urn:epc:idpat:sgln:{GCP}.00777.*",
            {"https://id.gs1.org/414/0614141007776"},
            ("https://id.gs1.org/414/0614141007776/254/",),
            (),
        ),
        (f"urn:epc:idpat:sscc:{GCP}.*", set(), (), ("https://id.gs1.org/00/_0614141__________",)),
        (
            f"urn:epc:idpat:grai:{GCP}.12345.*",
            {"https://id.gs1.org/8003/00614141123452"},
            ("https://id.gs1.org/8003/00614141123452",),
            (),
        ),
        ("urn:epc:idpat:giai:*.*", set(), (), ("https://id.gs1.org/8004/%",)),
    ],
)
def test_patterns_become_index_lookups(
    value: str, exact: set[str], prefixes: tuple[str, ...], likes: tuple[str, ...]
) -> None:
    matcher = query.match_values("MATCH_anyEPC", [value])
    assert (set(matcher.exact), matcher.prefixes, matcher.likes) == (exact, prefixes, likes)
