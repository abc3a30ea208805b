"""Indicators, targets, warnings and dashboards on the demo history (once per backend)."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.demo import service as demo_service
from plateau.demo.firms import plan_firms
from plateau.demo.generator import generate_world
from plateau.demo.reference import reference_from_package
from plateau.monitoring.analytics import cli as analytics_cli
from plateau.monitoring.analytics import service
from plateau.monitoring.analytics.indicators import catalog
from plateau.monitoring.models import MonthlyReturn
from plateau.plan import service as plan_service
from plateau.registry.models import Enterprise
from tests.monitoring.demo_world import loaded_demo

TODAY = date(2026, 3, 10)  # returns up to 2026-02: 2019-2025 complete, 2026 in progress
SEED = demo_service.DEFAULT_SEED
RECORD_KEYS = {
    "indicator",
    "scope",
    "period",
    "value",
    "unit",
    "target",
    "target_year",
    "status",
    "projection",
    "probability",
}


@dataclass
class Demo:
    session: Session
    client: TestClient
    tokens: dict[str, str]
    usccs: dict[int, str]  # generator key -> USCC

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


USERS = {
    "admin": "admin",
    "analyst": "analyst",
    "lhasa": "officer-540100",
    "nagqu": "officer-540600",
    "park": "park-lhasa_etdz",
    "water": "ent-water",
}


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo loaded once for the module inside a transaction rolled back at the end."""
    world = generate_world(reference_from_package(), seed=SEED, today=TODAY, with_sales=False)
    usccs = {e["key"]: e["uscc"] for e in world.enterprises}
    with loaded_demo(
        engine, tmp_path_factory.mktemp("analytics-demo"), today=TODAY, users=USERS
    ) as d:
        yield Demo(d.session, d.client, d.tokens, usccs)


def _records(demo: Demo, year: int, scope: str | None = None) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    found = service.records(demo.session, actor=SYSTEM, year=year, scope=scope)
    return {(r.indicator, r.scope): r.model_dump() for r in found}


# --- the numbers ---


def test_2022_matches_the_plan_baselines(demo: Demo) -> None:
    r = _records(demo, 2022, "region")
    assert r[("enterprises_above_size", "region")]["value"] == 63
    assert 5.0e9 <= r[("output_value", "region")]["value"] <= 5.15e9
    assert r[("high_tech_enterprises", "region")]["value"] == 15
    assert r[("specialized_smes", "region")]["value"] == 21
    assert r[("green_factories", "region")]["value"] == 17
    assert r[("parks_over_100m", "region")]["value"] == 3
    assert r[("enterprises_over_100m", "region")]["value"] == 14
    assert 3.0e9 <= r[("park_output_value", "region")]["value"] <= 3.2e9
    water = _records(demo, 2022, "industry:drinking_water")
    assert water[("drinking_water_volume", "industry:drinking_water")]["value"] == pytest.approx(
        500_000, rel=1e-3
    )
    assert _records(demo, 2020, "region")[("barley_conversion_rate", "region")][
        "value"
    ] == pytest.approx(17.8, abs=0.01)


def test_records_for_a_year_in_progress(demo: Demo) -> None:
    r = _records(demo, 2026, "region")
    out = r[("output_value", "region")]
    assert out["period"] == "2026-01/2026-02"
    assert (out["target"], out["target_year"]) == (14_000_000_000, 2030)
    assert out["status"] in ("on_track", "at_risk", "off_track")
    assert out["projection"] > 0 and 0 <= out["probability"] <= 1
    # Counts at the end of February; rates that need a full year wait for it.
    assert r[("enterprises_above_size", "region")]["value"] > 63
    assert r[("barley_conversion_rate", "region")]["value"] is None


def test_ids_and_units_are_those_of_the_plan(demo: Demo) -> None:
    plan_units = {
        f.indicator: f.unit for f in plan_service.list_figures(demo.session, actor=SYSTEM)
    }
    for ind in catalog().indicators:
        if ind.id in plan_units:
            assert ind.unit == plan_units[ind.id], ind.id
    found = service.records(demo.session, actor=SYSTEM, year=2025)
    assert all(set(r.model_dump()) == RECORD_KEYS for r in found)
    for r in found:
        if r.indicator in plan_units:
            assert r.unit == plan_units[r.indicator]
    # Every aggregate scope kind is there; the garment program too (tests/monitoring/analytics/
    # test_garment_demo.py checks its values).
    kinds = {r.scope.split(":")[0] for r in found}
    assert kinds == {"region", "industry", "prefecture", "park", "program"}
    garment = [r for r in found if r.scope == "program:lhasa_garment"]
    assert garment and any(r.target is not None for r in garment)


def test_value_added_growth_is_at_comparable_prices(demo: Demo) -> None:
    ctx = service.context(demo.session, actor=SYSTEM, monthly_years=())
    table = ctx.table
    growth = table.value("value_added_growth", "region", 2025)
    levels = table.levels[("value_added_growth", "region")]
    nominal = table.value("value_added", "region", 2025)
    assert nominal is not None
    assert levels[2022] == pytest.approx(table.value("value_added", "region", 2022))
    assert levels[2025] < nominal  # deflated: prices rose
    assert growth == pytest.approx(((levels[2025] / levels[2022]) ** (1 / 3) - 1) * 100)


def test_progress_statuses_and_projections(demo: Demo) -> None:
    rows = service.target_progress(demo.session, actor=SYSTEM, scope="region")
    by = {(p.indicator, p.target_year): p for p in rows}
    out = by[("output_value", 2025)]
    assert (out.baseline_year, out.baseline, out.baseline_source) == (2022, 5e9, "plan_baseline")
    assert out.period == "2025" and out.projection == out.actual
    assert out.probability in (0.0, 1.0)  # the target year is observed
    later = by[("output_value", 2030)]
    assert later.baseline_source == "previous_target"
    assert later.fan and later.fan[-1].year == 2030
    low, point, high = later.projection_low, later.projection, later.projection_high
    assert low is not None and point is not None and high is not None
    assert low < point < high
    assert all(y.status is not None for y in by[("enterprises_above_size", 2025)].yearly)
    new = by[("new_enterprises_above_size", 2025)]
    assert new.measure == "cumulative" and new.since_year == 2022
    not_measured = by[("standard_testing_platforms", 2025)]
    assert not not_measured.computable and not_measured.status is None


def test_backtest_calibration(demo: Demo) -> None:
    report = service.backtest(demo.session, actor=SYSTEM)
    assert report.origins == [2021, 2022, 2023, 2024]
    overall = {c.level: c for c in report.coverage if c.horizon is None}
    assert report.cases > 500
    # The intervals hold about as often as they claim.
    rates = {level: c.rate or 0.0 for level, c in overall.items()}
    assert 0.35 <= rates[0.5] <= 0.65
    assert 0.70 <= rates[0.8] <= 0.90
    assert 0.88 <= rates[0.95] <= 0.99


# --- warnings ---


def _slumping(demo: Demo) -> set[str]:
    firms = plan_firms(random.Random(f"{SEED}:firms"), last_month=date(2026, 2, 1))
    return {demo.usccs[f.key] for f in firms if f.decline_depth}


def test_warnings_list_the_demo_enterprises_in_decline(demo: Demo) -> None:
    w = service.warnings_report(demo.session, actor=SYSTEM, today=TODAY)
    assert w.as_of == "2026-02" and w.last_month == "2026-02"
    flagged = {d.uscc for d in w.declining}
    slumping = _slumping(demo)
    late = {f.uscc for f in w.late_filers}
    assert len(slumping) == 6
    # Every slumping enterprise that filed February is flagged; one that did not is late.
    assert slumping - late <= flagged
    assert all(d.months >= 3 and d.change_pct < -10 for d in w.declining)
    assert w.off_track and all(p.status in ("off_track", "at_risk") for p in w.off_track)


def test_late_filers_have_no_counted_return_for_the_month(demo: Demo) -> None:
    w = service.warnings_report(demo.session, actor=SYSTEM, today=TODAY)
    assert len(w.late_filers) >= 3
    for f in w.late_filers:
        status = demo.session.scalar(
            select(MonthlyReturn.status)
            .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
            .where(Enterprise.uscc == f.uscc, MonthlyReturn.period == date(2026, 2, 1))
        )
        assert status in (None, "draft")
        assert f.state == ("draft" if status == "draft" else "missing")


def test_officers_see_only_their_enterprises_in_warnings(demo: Demo) -> None:
    resp = demo.client.get(
        "/api/monitoring/analytics/warnings",
        params={"today": TODAY.isoformat()},
        headers=demo.headers("lhasa"),
    )
    assert resp.status_code == 200
    body = resp.json()
    assert {d["prefecture"] for d in body["declining"]} <= {"540100"}
    assert {f["prefecture"] for f in body["late_filers"]} <= {"540100"}
    everyone = demo.client.get(
        "/api/monitoring/analytics/warnings",
        params={"today": TODAY.isoformat()},
        headers=demo.headers("admin"),
    ).json()
    assert len(everyone["late_filers"]) > len(body["late_filers"])


# --- access ---


@pytest.mark.parametrize(
    ("who", "scope", "expected"),
    [
        ("admin", "prefecture:540600", 200),
        ("analyst", "park:lhasa_etdz", 200),
        ("lhasa", "region", 200),
        ("lhasa", "industry:tibetan_medicine", 200),
        ("lhasa", "prefecture:540100", 200),
        ("lhasa", "park:lhasa_etdz", 200),
        ("lhasa", "prefecture:540600", 403),
        ("nagqu", "park:lhasa_etdz", 403),
        ("park", "park:lhasa_etdz", 200),
        ("park", "prefecture:540100", 403),
        ("water", "region", 200),
        ("water", "prefecture:540100", 403),
        # Prefectures and parks are public reference data: another area is "无权查看" (403),
        # a scope that does not exist is 404.
        ("lhasa", "prefecture:999999", 404),
    ],
)
def test_dashboard_access_by_role(demo: Demo, who: str, scope: str, expected: int) -> None:
    resp = demo.client.get(f"/monitoring/dashboard/{scope}", headers=demo.headers(who))
    assert resp.status_code == expected
    api = demo.client.get(
        "/api/monitoring/analytics/targets", params={"scope": scope}, headers=demo.headers(who)
    )
    assert api.status_code == expected


def test_the_public_sees_nothing(demo: Demo) -> None:
    assert demo.client.get("/api/monitoring/analytics/indicators").status_code == 401
    for page in ("/monitoring/dashboard", "/monitoring/warnings", "/monitoring/decomposition"):
        resp = demo.client.get(page, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    # The definitions describe formulas, not data.
    assert demo.client.get("/api/monitoring/analytics/definitions").status_code == 200


def test_enterprise_values_only_for_those_who_may_see_them(demo: Demo) -> None:
    def scopes(who: str) -> set[str]:
        resp = demo.client.get(
            "/api/monitoring/analytics/indicators",
            params={"year": 2025, "scope": "enterprise"},
            headers=demo.headers(who),
        )
        assert resp.status_code == 200
        return {r["scope"] for r in resp.json()}

    lhasa = demo.session.scalars(
        select(Enterprise.uscc).where(Enterprise.prefecture_code == "540100")
    ).all()
    assert len(scopes("admin")) == demo.session.query(Enterprise).count()
    assert scopes("lhasa") == {f"enterprise:{u}" for u in lhasa}
    water = scopes("water")
    assert len(water) == 1
    showcase = demo_service.showcase(demo.session)["water"]
    assert water == {f"enterprise:{showcase}"}
    other = next(u for u in lhasa if u != showcase)
    resp = demo.client.get(
        "/api/monitoring/analytics/indicators",
        params={"scope": f"enterprise:{other}"},
        headers=demo.headers("water"),
    )
    assert resp.status_code == 404


# --- pages ---


def test_region_dashboard_has_every_target_with_charts_tables_and_exports(demo: Demo) -> None:
    resp = demo.client.get("/monitoring/dashboard", headers=demo.headers("admin"))
    assert resp.status_code == 200
    html = resp.text
    assert 'data-table="progress"' in html
    assert html.count('data-indicator="output_value"') == 2  # 2025 and 2030
    assert 'data-note="above-size"' in html and 'data-note="thresholds"' in html
    assert "规上" in html and "95%" in html
    # Every chart has its table and its export beside it.
    charts = html.count('class="chart"')
    assert charts >= 10
    assert html.count('type="application/json"') == charts
    assert (
        html.count('data-table="series-')
        + html.count('data-table="monthly-')
        + html.count('data-table="breakdown-')
        >= charts
    )
    assert 'data-breakdown="industry"' in html and 'data-breakdown="prefecture"' in html
    assert "table=series&amp;indicator=output_value&amp;format=csv" in html


def test_dashboard_exports(demo: Demo) -> None:
    h = demo.headers("admin")
    progress = demo.client.get(
        "/monitoring/dashboard/region", params={"format": "csv", "table": "progress"}, headers=h
    )
    assert progress.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(progress.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["规划", "指标代码", "指标"]
    year = rows[0].index("目标年份")
    assert any(r[1] == "output_value" and r[year] == "2030" for r in rows[1:])
    # Names, not codes: the plan's title, the scope's name, the unit and status in words.
    row = next(r for r in rows[1:] if r[1] == "output_value")
    assert row[0].startswith("西藏自治区") and "plan_533" not in row
    assert "region" not in row and "CNY" not in row and "元" in row
    series = demo.client.get(
        "/monitoring/dashboard/region",
        params={"format": "xlsx", "table": "series", "indicator": "output_value"},
        headers=h,
    )
    ws = load_workbook(io.BytesIO(series.content)).active
    years = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert years[0] == 2019 and years[-1] == 2030
    monthly = demo.client.get(
        "/monitoring/dashboard/industry:tibetan_medicine",
        params={"format": "csv", "table": "monthly", "indicator": "output_value"},
        headers=h,
    )
    assert monthly.status_code == 200 and "2026-01/2026-02" in monthly.content.decode("utf-8-sig")


def test_prefecture_and_park_dashboards_list_their_parts(demo: Demo) -> None:
    resp = demo.client.get("/monitoring/dashboard/prefecture:540100", headers=demo.headers("lhasa"))
    assert resp.status_code == 200
    assert 'data-breakdown="park"' in resp.text and 'data-breakdown="enterprise"' in resp.text
    park = demo.client.get("/monitoring/dashboard/park:lhasa_etdz", headers=demo.headers("park"))
    assert park.status_code == 200 and 'data-breakdown="enterprise"' in park.text
    industry = demo.client.get(
        "/monitoring/dashboard/industry:drinking_water", headers=demo.headers("admin")
    )
    assert industry.status_code == 200
    assert 'data-chart-indicator="drinking_water_volume"' in industry.text


def test_warnings_page(demo: Demo) -> None:
    resp = demo.client.get(
        "/monitoring/warnings",
        params={"today": TODAY.isoformat(), "decline_pct": 10},
        headers=demo.headers("admin"),
    )
    assert resp.status_code == 200
    html = resp.text
    for table in ("off-track", "declining", "late"):
        assert f'data-table="{table}"' in html
    for uscc in _slumping(demo):
        assert uscc in html
    export = demo.client.get(
        "/monitoring/warnings",
        params={"today": TODAY.isoformat(), "format": "csv", "table": "declining"},
        headers=demo.headers("admin"),
    )
    assert export.status_code == 200 and "统一社会信用代码" in export.content.decode("utf-8-sig")


# --- decomposition ---


def test_decomposition_suggest_accept_and_sum_check(demo: Demo) -> None:
    url = "/api/monitoring/analytics/decomposition/plan_533/output_value/2025"
    before = demo.client.get(url, headers=demo.headers("analyst")).json()
    assert before["shares_set"] is False and before["consistent"] is None
    assert sum(r["suggested_pct"] for r in before["rows"]) == pytest.approx(100)
    lhasa = next(r for r in before["rows"] if r["prefecture"] == "540100")
    assert lhasa["suggested_pct"] > 50  # most of the 2022 output is in Lhasa
    # Only the region administrator sets shares.
    assert demo.client.post(url + "/suggested", headers=demo.headers("lhasa")).status_code == 403
    after = demo.client.post(url + "/suggested", headers=demo.headers("admin")).json()
    assert after["consistent"] is True
    assert after["target_sum"] == pytest.approx(7.5e9, abs=1.0)
    # A bad sum is refused and changes nothing.
    shares = {r["prefecture"]: 10.0 for r in after["rows"]}
    bad = demo.client.put(url, json={"shares": shares}, headers=demo.headers("admin"))
    assert bad.status_code == 422 and "70.00%" in bad.json()["detail"] + json.dumps(bad.json())
    again = demo.client.get(url, headers=demo.headers("admin")).json()
    assert again["share_sum_pct"] == pytest.approx(100)
    # The prefecture targets now appear in the records and on the prefecture dashboard.
    r = _records(demo, 2024, "prefecture:540100")[("output_value", "prefecture:540100")]
    assert r["target"] == pytest.approx(7.5e9 * lhasa["suggested_pct"] / 100, rel=1e-4)
    assert r["status"] in ("on_track", "at_risk", "off_track")
    page = demo.client.get(
        "/monitoring/decomposition",
        params={"indicator": "output_value", "year": 2025},
        headers=demo.headers("admin"),
    )
    assert page.status_code == 200 and 'data-sum-check="ok"' in page.text
    counts = demo.client.post(
        "/api/monitoring/analytics/decomposition/plan_533/enterprises_above_size/2025/suggested",
        headers=demo.headers("admin"),
    ).json()
    assert sum(r["target"] for r in counts["rows"]) == 80
    assert all(r["target"] == int(r["target"]) for r in counts["rows"])


def test_decomposition_form_reports_a_bad_sum(demo: Demo) -> None:
    page = demo.client.get(
        "/monitoring/decomposition",
        params={"indicator": "green_factories", "year": 2030},
        headers=demo.headers("admin"),
    )
    assert page.status_code == 200
    form = {"plan": "plan_533", "indicator": "green_factories", "year": "2030", "action": "save"}
    form |= {
        f"share_{c}": "20"
        for c in ("540100", "540200", "540300", "540400", "540500", "540600", "542500")
    }
    resp = demo.client.post("/monitoring/decomposition", data=form, headers=demo.headers("admin"))
    assert resp.status_code == 422 and "data-error" in resp.text and "140.00%" in resp.text
    rates = demo.client.post(
        "/api/monitoring/analytics/decomposition/plan_533/barley_conversion_rate/2025/suggested",
        headers=demo.headers("admin"),
    )
    assert rates.status_code == 422  # a rate is not split


# --- CLI ---


@contextmanager
def _open_demo_session(demo: Demo) -> Iterator[Session]:
    yield demo.session


def test_cli_json_and_csv(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "open_session", lambda: _open_demo_session(demo))
    runner = CliRunner()
    result = runner.invoke(
        analytics_cli.indicators_app, ["--year", "2025", "--scope", "region", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found and all(set(r) == RECORD_KEYS for r in found)
    out = next(r for r in found if r["indicator"] == "output_value")
    assert (out["scope"], out["period"], out["unit"], out["target_year"]) == (
        "region",
        "2025",
        "CNY",
        2025,
    )
    result = runner.invoke(analytics_cli.indicators_app, ["--year", "2025", "--format", "csv"])
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0]
    assert (
        header
        == "indicator,scope,period,value,unit,target,target_year,status,projection,probability"
    )
    table = runner.invoke(
        analytics_cli.indicators_app, ["--scope", "industry", "--format", "table"]
    )
    assert table.exit_code == 0
    bad = runner.invoke(analytics_cli.indicators_app, ["--scope", "prefecture:999999"])
    assert bad.exit_code == 1
    backtest = runner.invoke(analytics_cli.indicators_app, ["backtest", "--format", "json"])
    assert backtest.exit_code == 0 and json.loads(backtest.stdout)["cases"] > 500


def test_cli_decomposition(demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(runtime, "open_session", lambda: _open_demo_session(demo))
    runner = CliRunner()
    shares = [
        "--share=540100=50",
        "--share=540200=20",
        "--share=540300=10",
        "--share=540400=5",
        "--share=540500=10",
        "--share=540600=5",
        "--share=542500=0",
    ]
    ok = runner.invoke(
        analytics_cli.targets_app,
        [
            "decompose",
            "--indicator",
            "high_tech_enterprises",
            "--year",
            "2030",
            "--format",
            "json",
            *shares,
        ],
    )
    assert ok.exit_code == 0, ok.output
    body = json.loads(ok.stdout)
    assert body["consistent"] is True
    assert {r["prefecture"]: r["target"] for r in body["rows"]}["540100"] == 15
    bad = runner.invoke(
        analytics_cli.targets_app,
        ["decompose", "--indicator", "high_tech_enterprises", "--year", "2030", *shares[:-2]],
    )
    assert bad.exit_code == 1
    listed = runner.invoke(analytics_cli.targets_app, ["list"])
    assert listed.exit_code == 0 and "high_tech_enterprises" in listed.stdout


def test_pages_in_english(demo: Demo) -> None:
    demo.client.cookies.set("plateau_lang", "en")
    try:
        for url in (
            "/monitoring/dashboard",
            "/monitoring/dashboard/industry:agri_food",
            f"/monitoring/warnings?today={TODAY.isoformat()}",
            "/monitoring/decomposition",
        ):
            resp = demo.client.get(url, headers=demo.headers("admin"))
            assert resp.status_code == 200, url
            assert "Above-designated-size" in resp.text or "above-designated-size" in resp.text
    finally:
        demo.client.cookies.delete("plateau_lang")
