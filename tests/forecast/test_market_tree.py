"""The market tree has a provinces level: 区外国内 → 四川省 → 成都市, reconciled across it."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.forecast import service
from plateau.forecast.models import ForecastSeries, SalesRecord
from tests.registry.builders import make_enterprise, make_product

MONTHS = [date(2022 + m // 12, m % 12 + 1, 1) for m in range(30)]
# Chengdu and the rest of Sichuan make 四川省; Chongqing sits directly under 区外国内.
PLACES = ("chengdu", "sichuan_other", "chongqing")


def _world(session: Session) -> None:
    firms = [make_enterprise(session, n=950 + i) for i in range(3)]
    for i, firm in enumerate(firms):
        product = make_product(session, firm, n=950 + i, name=f"青稞饼{i}")
        for market in PLACES:
            for m, period in enumerate(MONTHS):
                qty = 50 + 7 * i + 2 * m + 9 * math.sin(m * math.pi / 6) + len(market)
                session.add(
                    SalesRecord(
                        product_id=product.id, market_region_id=market, period=period,
                        channel="retail", quantity=Decimal(f"{qty:.3f}"),
                        revenue_cny=Decimal(f"{qty * 20:.2f}"),
                    )
                )  # fmt: skip
    session.flush()


def _points(series: ForecastSeries | None) -> list[float]:
    assert series is not None
    return [p[1] for p in series.points]


def test_provinces_are_a_level_and_forecasts_add_up_across_it(
    session: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A "large" run (more bottom series than the threshold) reconciles per market kind.
    from plateau.forecast import engine

    monkeypatch.setattr(engine, "SUBTREE_THRESHOLD", 2)
    _world(session)
    queued = service.start_run(session, actor=SYSTEM, horizon=4)
    run = service.execute_run(
        session, run_id=queued.id, actor=SYSTEM, models=["SeasonalNaive", "Naive"], n_windows=1
    )
    assert run.status == "done", run.error
    assert run.subtree == "market_kind"
    assert any(code == "subtrees" for code, _s, _d in run.notes)
    provinces = service.list_series(session, run=run, actor=SYSTEM, level="province")
    assert {s.province for s, _ in provinces} == {"sichuan", "chongqing"}
    sichuan, _h = service.find_series(session, run=run, actor=SYSTEM, market="sichuan")
    assert sichuan is not None and sichuan.level == "province"
    assert sichuan.market_region_id is None and sichuan.n_enterprises == 3
    chengdu, _h = service.find_series(session, run=run, actor=SYSTEM, market="chengdu")
    rest, _h = service.find_series(session, run=run, actor=SYSTEM, market="sichuan_other")
    chongqing, _h = service.find_series(session, run=run, actor=SYSTEM, market="chongqing")
    domestic, _h = service.find_series(session, run=run, actor=SYSTEM, market="domestic")
    assert chengdu is not None and chengdu.province == "sichuan"
    for k in range(4):
        assert math.isclose(
            _points(sichuan)[k], _points(chengdu)[k] + _points(rest)[k], rel_tol=1e-6
        )
        assert math.isclose(
            _points(domestic)[k], _points(sichuan)[k] + _points(chongqing)[k], rel_tol=1e-6
        )
    # Every stored series carries the keys of its own level (hierarchicalforecast's
    # ``aggregate`` orders levels by their number of columns: labels follow keys, not order).
    columns = {
        "market_kind": "market_kind", "province": "province", "market": "market_region_id",
        "industry": "industry_id", "category": "category", "product": "product_id",
        "channel": "channel",
    }  # fmt: skip
    for name, cols in (("total", ()), *service.LEVELS):
        rows = service.list_series(session, run=run, actor=SYSTEM, level=name)
        assert rows, name
        for s, _h in rows:
            wanted = set(cols) if name != "province" else {"market_kind", "province"}
            have = {c for c, attr in columns.items() if getattr(s, attr) is not None}
            if name == "province":
                assert s.market_region_id is None
            assert have == wanted, (name, have)

    # The explorer drills down 区外国内 → 四川省 → 成都市 (a city is not listed under its kind).
    session.commit()
    domestic_page = client.get("/forecast?market=domestic").text.replace("&amp;", "&")
    assert "/forecast?market=sichuan&" in domestic_page
    assert "/forecast?market=chongqing&" in domestic_page
    assert "/forecast?market=chengdu&" not in domestic_page
    sichuan_page = client.get("/forecast?market=sichuan").text.replace("&amp;", "&")
    assert "/forecast?market=chengdu&" in sichuan_page
