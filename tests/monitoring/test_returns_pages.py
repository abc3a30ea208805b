"""The returns pages in a browser-like client: landing page, form with live validation,
review, audit trail, import, periods, completeness, late filers, elements, region inputs."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.monitoring import service
from tests.builders import Users, csrf_from, login
from tests.monitoring.builders import core, file, month_row
from tests.monitoring.conftest import World
from tests.registry.builders import csv_bytes


def _as(client: TestClient, users: Users, role: str) -> str:
    login(client, users.usernames[role])
    return csrf_from(client.get("/monitoring/periods").text)


def _form(values: dict[str, str], **extra: str) -> dict[str, str]:
    return {f"v_{k}": v for k, v in values.items()} | extra


def test_the_landing_page_depends_on_who_looks(
    client: TestClient, world: World, users: Users
) -> None:
    assert client.get("/monitoring", follow_redirects=False).status_code == 303  # to the login page
    _as(client, users, "enterprise_a")
    page = client.get("/monitoring")
    assert page.status_code == 200
    assert "data-own-returns" in page.text and "拉萨青稞食品有限公司" in page.text
    assert "data-monitor-summary" not in page.text
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    _as(client, users, "prefecture_lhasa")
    page = client.get("/monitoring")
    assert "data-monitor-summary" in page.text and "待审核" in page.text


def test_filing_through_the_form(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    token = _as(client, users, "enterprise_a")
    url = f"/monitoring/returns/{world.a}/2025-10"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="v_highland_barley_processed"' in page.text  # agri-food files barley
    assert 'name="v_drinking_water_volume"' not in page.text
    assert "1–10月累计" in page.text
    bad = client.post(url, data=_form(core(value_added="2000000"), csrf_token=token, action="save"))
    assert bad.status_code == 422
    assert "工业增加值（200万元）不得超过工业总产值（100万元）。" in bad.text
    assert 'value="2000000"' in bad.text  # what was typed stays in the form
    ok = client.post(
        url, data=_form(core(), csrf_token=token, action="save"), follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"].endswith("?saved=save")
    assert (
        service.get_return(session, uscc=world.a, period="2025-10", actor=SYSTEM).status == "draft"
    )
    # A warning must be explained before the return can be submitted.
    month_row(session, world.ents["a"], "2024-10", output=300_000, revenue_cny=900_000)
    session.commit()
    refused = client.post(url, data=_form(core(), csrf_token=token, action="submit"))
    assert refused.status_code == 422 and "提交前请对此警告作出说明" in refused.text
    assert 'name="x_yoy_change:output_value"' in refused.text
    sent = client.post(
        url,
        data=_form(
            core(), csrf_token=token, action="submit", **{"x_yoy_change:output_value": "扩产"}
        ),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["location"])
    assert "已提交审核。" in page.text and 'data-return-status="submitted"' in page.text
    assert "扩产" in page.text


def test_live_validation_returns_a_fragment(client: TestClient, world: World, users: Users) -> None:
    token = _as(client, users, "enterprise_a")
    resp = client.post(
        f"/monitoring/returns/{world.a}/2025-10/check",
        data=_form({"output_value": "100", "value_added": "abc"}, csrf_token=token),
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 200
    assert "<html" not in resp.text and "data-findings" in resp.text
    assert "“abc”不是数字。" in resp.text


def test_an_officer_reviews_through_the_page(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10", submit=True, comment="ok")
    session.commit()
    token = _as(client, users, "park_etdz")
    url = f"/monitoring/returns/{world.a}/2025-10"
    page = client.get(url)
    assert "data-review-form" in page.text and 'name="v_output_value"' not in page.text
    empty = client.post(url, data={"csrf_token": token, "action": "return", "review_comment": ""})
    assert empty.status_code == 422 and "请说明需要修改的内容" in empty.text
    back = client.post(
        url,
        data={"csrf_token": token, "action": "return", "review_comment": "请核对"},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert (
        service.get_return(session, uscc=world.a, period="2025-10", actor=SYSTEM).status
        == "returned"
    )
    audit = client.get(f"{url}/audit")
    assert audit.status_code == 200
    assert re.search(r'data-action="return".*?请核对', audit.text, re.S)
    # Out of the officer's park: not found.
    assert client.get(f"/monitoring/returns/{world.b}/2025-10").status_code == 404


def test_the_review_queue_filters_with_htmx(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    for letter in "abc":
        file(session, world.uscc(letter), "2025-10", submit=letter != "c")
    session.commit()
    _as(client, users, "prefecture_lhasa")
    page = client.get("/monitoring/returns", params={"status": "submitted"})
    assert page.status_code == 200 and 'data-total="1"' in page.text
    fragment = client.get(
        "/monitoring/returns", params={"period": "2025-10"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and 'data-total="2"' in fragment.text
    assert world.b not in fragment.text


def test_importing_a_file_through_the_page(client: TestClient, world: World, users: Users) -> None:
    token = _as(client, users, "enterprise_a")
    page = client.get("/monitoring/import")
    assert "/api/monitoring/returns/template?format=xlsx" in page.text
    header = ["uscc", "period", "output_value", "revenue", "value_added", "employees"]
    bad = csv_bytes(
        [
            header,
            [world.a, "2025-10", "1000000", "950000", "300000", "20"],
            [world.a, "2025-10", "1", "1", "1", "1"],
        ]
    )
    resp = client.post(
        "/monitoring/import",
        data={"csrf_token": token},
        files={"file": ("r.csv", bad, "text/csv")},
    )
    assert resp.status_code == 422
    assert 'data-row="3" data-field="period"' in resp.text and "与第 2 行重复" in resp.text
    good = csv_bytes([header, [world.a, "2025-10", "1000000", "950000", "300000", "20"]])
    resp = client.post(
        "/monitoring/import",
        data={"csrf_token": token},
        files={"file": ("r.csv", good, "text/csv")},
    )
    assert resp.status_code == 200 and 'data-created="1"' in resp.text


def test_the_administrator_locks_and_reopens_on_the_periods_page(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10", submit=True)
    service.approve_return(session, uscc=world.a, period="2025-10", actor=SYSTEM)
    session.commit()
    token = _as(client, users, "region_admin")
    done = client.post("/monitoring/periods/2025-10/lock", data={"csrf_token": token})
    assert done.status_code == 200 and "报告期 2025-10 已锁定：1 份已审核报表被锁定。" in done.text
    assert 'data-period="2025-10" data-locked="true"' in done.text
    refused = client.post(
        "/monitoring/periods/2025-10/reopen", data={"csrf_token": token, "reason": ""}
    )
    assert refused.status_code == 422
    reopened = client.post(
        "/monitoring/periods/2025-10/reopen", data={"csrf_token": token, "reason": "更正"}
    )
    assert "已重新开放" in reopened.text
    client.post("/logout", data={"csrf_token": token})
    other = _as(client, users, "analyst")
    assert (
        client.post("/monitoring/periods/2025-10/lock", data={"csrf_token": other}).status_code
        == 403
    )


def test_completeness_and_late_filers_pages(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10", submit=True)
    session.commit()
    _as(client, users, "region_admin")
    page = client.get("/monitoring/completeness", params={"period": "2025-10"})
    assert page.status_code == 200
    assert 'data-completeness="prefecture"' in page.text and 'data-completeness="park"' in page.text
    assert 'data-option-id="trend-chart"' in page.text
    late = client.get("/monitoring/late", params={"period": "2025-10"})
    # A submitted just now, long after the deadline; B and C never filed.
    assert 'data-total="3"' in late.text and world.c in late.text
    client.post("/logout", data={"csrf_token": csrf_from(late.text)})
    _as(client, users, "enterprise_a")
    assert client.get("/monitoring/completeness").status_code == 403


def test_elements_rules_and_region_inputs(client: TestClient, users: Users, world: World) -> None:
    token = _as(client, users, "region_admin")
    page = client.get("/monitoring/elements")
    assert (
        'data-element="highland_barley_processed"' in page.text
        and 'data-rule="outlier_industry_peers"' in page.text
    )
    saved = client.post(
        "/monitoring/region-inputs",
        data={
            "csrf_token": token,
            "indicator": "highland_barley_production",
            "scope": "region",
            "year": "2024",
            "value": "812000",
            "note": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    listed = client.get(saved.headers["location"])
    assert 'data-input="highland_barley_production"' in listed.text and "812,000" in listed.text
    bad = client.post(
        "/monitoring/region-inputs",
        data={
            "csrf_token": token,
            "indicator": "price_index",
            "scope": "region",
            "year": "2024",
            "value": "x",
        },
    )
    assert bad.status_code == 422


def test_pages_speak_english_too(client: TestClient, world: World, users: Users) -> None:
    _as(client, users, "enterprise_a")
    client.cookies.set("plateau_lang", "en")
    page = client.get(f"/monitoring/returns/{world.a}/2025-10")
    assert "Jan–10 year to date" in page.text and "Save and submit for review" in page.text
