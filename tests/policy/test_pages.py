"""The pages of the workflow, as the officer, the enterprise and the public see them."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import Role
from plateau.jobs import service as jobs_service
from plateau.policy.service import beijing_today
from tests.builders import csrf_from, login, make_user
from tests.policy.builders import garment_maker, investment, leading, revenue

POLICY = "lhasa_garment_support"


def _world(session: Session) -> str:
    a = garment_maker(session, 11)
    leading(session, a)
    revenue(session, a, 2025, 8_000_000)
    investment(session, a, 2025, 6_000_000)
    make_user(session, Role.REGION_ADMIN, username="pol-admin")
    make_user(session, Role.ENTERPRISE_USER, f"enterprise:{a.uscc}", username="pol-ent")
    session.commit()
    return a.uscc


def _post(client: TestClient, page: str, url: str, data: dict[str, str]) -> object:
    token = csrf_from(client.get(page).text)
    return client.post(url, data=data | {"csrf_token": token}, follow_redirects=False)


def test_officer_runs_publishes_enterprise_confirms_officer_pays(
    client: TestClient, session: Session, app, session_factory: sessionmaker[Session]
) -> None:  # type: ignore[no-untyped-def]
    uscc = _world(session)
    login(client, "pol-admin")
    page = client.get("/policy")
    assert page.status_code == 200 and "拉萨市服装产业龙头企业培育与升规奖补" in page.text
    assert "假设" in page.text  # the bracket scale is labelled as an assumption
    resp = _post(client, "/policy", "/policy/runs", {"policy": POLICY, "period": "2025"})
    assert resp.status_code == 303  # type: ignore[attr-defined]
    job_page = resp.headers["location"]  # type: ignore[attr-defined]
    assert job_page.startswith("/policy?job=")
    assert jobs_service.run_pending(session_factory, kind="policy.run") == 1  # the worker
    progress = client.get(job_page).text
    assert 'data-job-state="succeeded"' in progress
    run_url = re.search(r'href="(/policy/runs/\d+)"', progress)[1]  # type: ignore[index]
    run_page = client.get(run_url).text
    assert "5 % × 8,000,000 = 400,000 ≤ 500,000" in run_page
    resp = _post(client, run_url, run_url + "/publish", {})
    assert resp.status_code == 303  # type: ignore[attr-defined]
    run_id = run_url.rsplit("/", 1)[1]
    public = TestClient(app)
    notice = public.get(f"/policy/notices/{run_id}")
    assert notice.status_code == 200 and "测试企业11" in notice.text
    assert "40.00" not in notice.text  # the amount is not disclosed without consent

    client.cookies.clear()
    login(client, "pol-ent")
    mine = client.get("/policy/mine?year=2025")
    assert mine.status_code == 200 and "400,000" in mine.text
    ids = re.findall(r'data-entitlement="(\d+)" data-rule="leading_revenue_support"', mine.text)
    assert ids
    bad = _post(
        client,
        "/policy/mine",
        f"/policy/entitlements/{ids[0]}/confirm",
        {"account_name": "测试企业11", "account_bank": "农行", "account_no": "12ab"},
    )
    assert bad.status_code == 422  # type: ignore[attr-defined]
    ok = _post(
        client,
        "/policy/mine",
        f"/policy/entitlements/{ids[0]}/confirm",
        {
            "account_name": "测试企业11",
            "account_bank": "农行拉萨分行",
            "account_no": "6228480012345678",
            "disclose_amount": "1",
        },
    )
    assert ok.status_code == 303  # type: ignore[attr-defined]
    pdf = client.get(f"/policy/entitlements/{ids[0]}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = reader.pages[0].extract_text()
    assert "测试企业11" in text and "告知书" in text and "400,000" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any(re.search(r"Noto.?S(ans|erif).?CJK.?SC", f) for f in fonts), fonts
    calc = client.get("/policy/calculator?year=2025&revenue_wan=400")
    assert calc.status_code == 200 and "5 % × 4,000,000 = 200,000 ≤ 500,000" in calc.text
    assert client.get(run_url).status_code == 404  # an enterprise never sees the bureau's list

    client.cookies.clear()
    login(client, "pol-admin")
    paid = _post(
        client,
        run_url,
        f"{run_url}/entitlements/{ids[0]}/pay",
        {"paid_date": beijing_today().isoformat(), "voucher_no": "财拨-001"},
    )
    assert paid.status_code == 303  # type: ignore[attr-defined]
    page = client.get(run_url).text
    assert 'data-status="paid"' in page and "财拨-001" in page
    assert public.get(f"/policy/notices/{run_id}").text.count("40.00") == 1
    xlsx = client.get(f"{run_url}/payout.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert uscc
