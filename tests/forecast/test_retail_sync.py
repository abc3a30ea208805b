"""Till scans become sales: retail_selling events captured through the real EPCIS capture
path are read into sales records (source trace), never added to an imported figure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plateau.auth.schemas import PUBLIC, SYSTEM
from plateau.demo import epcis_builders as tw
from plateau.forecast import service
from plateau.forecast.models import SalesRecord
from tests.registry.builders import make_enterprise, make_product
from tests.trace.lineage.test_genealogy_builders import capture, place

SHOP = tw.Company("690123488")


def _scan(when: datetime, shop: str, *, items: list[str] = (), lot: str = "", n: float = 0) -> dict:  # type: ignore[assignment, type-arg]
    return tw.object_event(
        when, step="retail_selling", epcs=items, quantities=[tw.qty(lot, n)] if lot else [],
        read=shop, where=shop, disposition="retail_sold",
    )  # fmt: skip


def _records(session: Session, product_id: int) -> dict[tuple[str, date], SalesRecord]:
    rows = session.scalars(select(SalesRecord).where(SalesRecord.product_id == product_id))
    return {(r.market_region_id, r.period): r for r in rows}


def test_till_scans_become_sales_once_and_imports_win(session: Session, session_factory) -> None:  # type: ignore[no-untyped-def]
    firm = make_enterprise(session, n=970)
    product = make_product(session, firm, n=970, name="测试青稞饼干")
    gtin = product.gtin.zfill(14)
    lhasa = place(session, SHOP.gln(1), "shop", "拉萨测试店", region="西藏自治区拉萨市")
    chengdu = place(session, SHOP.gln(2), "shop", "成都测试店", region="四川省成都市")
    mianyang = place(session, SHOP.gln(3), "shop", "绵阳测试店", region="四川省绵阳市")
    nowhere = place(session, SHOP.gln(4), "shop", "无地址测试店")
    # An imported figure for Chengdu in March (30 CNY a unit): it stands, scans not added.
    session.add(
        SalesRecord(
            product_id=product.id, market_region_id="chengdu", period=date(2026, 3, 1),
            channel="retail", quantity=Decimal(100), revenue_cny=Decimal(3000),
        )
    )  # fmt: skip
    session.flush()
    march, april = datetime(2026, 3, 10, 4, tzinfo=UTC), datetime(2026, 4, 2, 4, tzinfo=UTC)
    lot = tw.lot_dl(gtin, "B1")
    capture(
        session,
        [
            _scan(march, lhasa, items=[tw.item_dl(gtin, f"S{i}") for i in range(3)]),
            _scan(march, lhasa, lot=lot, n=5),
            _scan(april, lhasa, lot=lot, n=2),
            _scan(march, chengdu, lot=lot, n=4),
            _scan(march, mianyang, lot=lot, n=6),
            _scan(march, nowhere, lot=lot, n=9),
            # 31 March 17:00 UTC is 1 April in Beijing.
            _scan(datetime(2026, 3, 31, 17, tzinfo=UTC), mianyang, lot=lot, n=1),
        ],
    )
    session.commit()

    report = service.sync_retail(session, actor=SYSTEM)
    assert report.events == 6 and report.kept_imported == 1
    assert report.created == 4 and report.unplaced and report.unknown_products == []
    rows = _records(session, product.id)
    assert {k: (float(r.quantity), r.source) for k, r in rows.items()} == {
        ("in_540100", date(2026, 3, 1)): (8.0, "trace"),  # 3 items + a lot quantity of 5
        ("in_540100", date(2026, 4, 1)): (2.0, "trace"),
        ("chengdu", date(2026, 3, 1)): (100.0, "import"),  # never 104
        ("sichuan_other", date(2026, 3, 1)): (6.0, "trace"),  # 四川省绵阳市
        ("sichuan_other", date(2026, 4, 1)): (1.0, "trace"),  # Beijing time
    }
    assert rows[("in_540100", date(2026, 3, 1))].revenue_cny == Decimal("240.00")
    session.commit()

    # Twice changes nothing; an import over a traced figure replaces it (source import).
    again = service.sync_retail(session, actor=SYSTEM)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    csv = f"gtin,market_region,period,channel,quantity,revenue_cny\n{gtin},in_540100,2026-04,retail,7,210\n"
    service.import_sales(session, data=csv.encode(), filename="s.csv", actor=SYSTEM)
    session.commit()
    after = service.sync_retail(session, actor=SYSTEM)
    assert after.kept_imported == 2
    april_lhasa = _records(session, product.id)[("in_540100", date(2026, 4, 1))]
    assert (float(april_lhasa.quantity), april_lhasa.source) == (7.0, "import")


def test_the_sync_runs_as_a_job_and_only_for_region_wide_roles(
    session: Session,
    session_factory: Any,
) -> None:
    import pytest

    from plateau.errors import Forbidden
    from plateau.jobs import service as jobs_service

    firm = make_enterprise(session, n=971)
    product = make_product(session, firm, n=971, name="测试藏香")
    gtin = product.gtin.zfill(14)
    shop = place(session, SHOP.gln(5), "shop", "日喀则测试店", county="540202")
    capture(
        session, [_scan(datetime(2026, 2, 5, 4, tzinfo=UTC), shop, lot=tw.lot_dl(gtin, "X"), n=3)]
    )
    with pytest.raises(Forbidden):
        service.sync_retail(session, actor=PUBLIC)
    jobs_service.submit(session, kind="forecast.sync_retail", params={}, actor=SYSTEM)
    session.commit()
    assert jobs_service.run_pending(session_factory, kind="forecast.sync_retail") == 1
    session.expire_all()
    rows = _records(session, product.id)
    assert {k: float(r.quantity) for k, r in rows.items()} == {("in_540200", date(2026, 2, 1)): 3.0}


def test_the_explorer_queues_the_sync_for_analysts_only(session: Session, client: Any) -> None:
    from plateau.auth.schemas import Role
    from plateau.jobs.models import Job
    from tests.builders import csrf_from, login, make_user

    officer = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100")
    analyst = make_user(session, Role.ANALYST)
    session.commit()
    login(client, officer.username)
    page = client.get("/forecast")
    assert "data-sync-retail" not in page.text
    refused = client.post(
        "/forecast/sync-retail", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert refused.status_code == 403
    login(client, analyst.username)
    page = client.get("/forecast")
    assert "data-sync-retail" in page.text
    queued = client.post(
        "/forecast/sync-retail", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert queued.status_code == 303
    jobs = list(session.scalars(select(Job).where(Job.kind == "forecast.sync_retail")))
    assert len(jobs) == 1
