"""The demo seen in October 2026: a year in progress, with the garment program (issue #3 fixes).

Loaded once per backend at 2026-11-10, so that 2026 runs to October.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.i18n import _, set_locale
from plateau.monitoring.analytics import cli as analytics_cli
from plateau.monitoring.analytics import service
from plateau.monitoring.analytics.indicators import catalog
from plateau.monitoring.models import MonthlyReturn, RegionInput
from plateau.registry.models import Enterprise
from tests.monitoring.demo_world import loaded_demo

TODAY = date(2026, 11, 10)  # returns up to 2026-10
SCOPE = "program:lhasa_garment"


@dataclass
class Demo:
    session: Session
    client: TestClient
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo loaded once for the module inside a transaction rolled back at the end."""
    with loaded_demo(engine, tmp_path_factory.mktemp("october-demo"), today=TODAY, users=None) as d:
        yield Demo(d.session, d.client, d.tokens["admin"])


def _members(session: Session) -> list[Enterprise]:
    """The program's enterprises, selected here from the catalog's own definition."""
    program = catalog().programs["lhasa_garment"]
    return list(
        session.scalars(
            select(Enterprise).where(
                Enterprise.prefecture_code.in_(program.prefectures),
                or_(*(Enterprise.gbt4754.startswith(p) for p in program.gbt4754_prefixes)),
            )
        )
    )


def _records(demo: Demo, year: int, scope: str = SCOPE) -> dict[str, dict]:  # type: ignore[type-arg]
    found = service.records(demo.session, actor=SYSTEM, year=year, scope=scope)
    return {r.indicator: r.model_dump() for r in found}


def test_the_demo_runs_to_october(demo: Demo) -> None:
    ctx = service.context(demo.session, actor=SYSTEM)
    assert ctx.table.periods[2026].month == 10


# --- 1. the program dashboard names its enterprises ---


def test_program_dashboard_breaks_down_by_enterprise(demo: Demo) -> None:
    members = _members(demo.session)
    assert len(members) >= 10
    resp = demo.client.get(f"/monitoring/dashboard/{SCOPE}", headers=demo.headers)
    assert resp.status_code == 200
    html = resp.text
    assert 'data-breakdown="enterprise"' in html
    shown = set(re.findall(r'<tr data-scope="enterprise:([0-9A-Z]+)">', html))
    assert shown == {e.uscc for e in members}
    board = service.dashboard(demo.session, actor=SYSTEM, scope=SCOPE)
    rows = next(b for b in board.breakdowns if b.title_key == "enterprise").rows
    # Each enterprise's figures are its own: the above-size ones add up to the program's.
    output = sum(
        r.values["output_value"] or 0.0 for r in rows if r.values["enterprises_above_size"]
    )
    assert output == pytest.approx(board.headline["output_value"] or 0.0, abs=0.01)


# --- 2. year-on-year growth in a year in progress ---


def test_sales_value_growth_of_the_year_in_progress(demo: Demo) -> None:
    ids = [e.id for e in _members(demo.session)]
    counted = catalog().settings.counted_statuses
    ytd: dict[int, Decimal] = defaultdict(Decimal)
    for r in demo.session.scalars(
        select(MonthlyReturn).where(
            MonthlyReturn.enterprise_id.in_(ids), MonthlyReturn.status.in_(counted)
        )
    ):
        if r.period.month <= 10:
            ytd[r.period.year] += r.revenue_cny or 0
    record = _records(demo, 2026)["sales_value_growth"]
    # The target it is judged on (2025's, the last) measures growth since 2024: 1–10月 2026
    # against 1–10月 2024, as an average annual rate.
    assert (record["target_year"], record["unit"]) == (2025, "%")
    expected = (float(ytd[2026] / ytd[2024]) ** 0.5 - 1) * 100
    assert record["value"] == pytest.approx(expected, abs=1e-3)
    assert record["status"] in ("on_track", "at_risk", "off_track")
    # The dashboard's trend shows the year in progress too.
    board = service.dashboard(demo.session, actor=SYSTEM, scope=SCOPE)
    chart = next(c for c in board.charts if c.indicator == "sales_value_growth")
    point = next(p for p in chart.points if p.year == 2026)
    assert point.period == "2026-01/2026-10"
    assert point.value == pytest.approx(expected, abs=1e-3)


# --- 3. no negative intervals for counts and amounts ---


def test_projections_of_counts_and_amounts_are_not_negative(demo: Demo) -> None:
    rows = service.target_progress(demo.session, actor=SYSTEM)
    cat = catalog()
    checked = 0
    for p in rows:
        ind = cat.get(p.indicator)
        if ind is None or ind.kind == "growth" or p.projection is None:
            continue
        if p.measure == "difference":
            # An increase of a stock since a year may be negative (a status withdrawn); the
            # stock itself is clipped at zero, so the increase never goes below -baseline.
            continue
        checked += 1
        for v in (p.projection, p.projection_low, p.projection_high):
            assert v is None or (v >= 0 and math.copysign(1.0, v) > 0), p.indicator
        for f in p.fan:
            assert min(f.low95, f.low80, f.low50, f.point) >= 0, (p.indicator, p.scope)
    assert checked > 10
    # A count whose trend runs below zero is clipped there: some interval starts at 0.
    assert any(
        p.projection_low == 0.0 for p in rows if p.unit == "count" and p.projection is not None
    )
    for scope in ("region", SCOPE):
        html = demo.client.get(f"/monitoring/dashboard/{scope}", headers=demo.headers).text
        assert not re.search(r"(?<![\w.])-0(?![\d.,])", html), scope


def test_cli_json_carries_clipped_numbers(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    @contextmanager
    def _open() -> Iterator[Session]:
        yield demo.session

    monkeypatch.setattr(runtime, "open_session", _open)
    result = CliRunner().invoke(
        analytics_cli.indicators_app, ["--year", "2026", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    cat = catalog()
    for r in found:
        ind = cat.get(r["indicator"])
        if r["projection"] is not None and ind is not None and ind.kind != "growth":
            assert r["projection"] >= 0 and math.copysign(1.0, r["projection"]) > 0, r
    assert '"projection": -0.0' not in result.stdout


# --- 4. a yearly entered count while its year is in progress ---


def test_a_yearly_entered_count_is_judged_on_the_years_entered(demo: Demo) -> None:
    inputs = {
        i.year: float(i.value)
        for i in demo.session.scalars(
            select(RegionInput).where(
                RegionInput.indicator == "new_green_manufacturing", RegionInput.scope == SCOPE
            )
        )
    }
    assert 2026 not in inputs and 2025 in inputs  # entered at the year's end
    record = _records(demo, 2026)["new_green_manufacturing"]
    assert record["target_year"] == 2026 and record["target"] == 3
    assert record["value"] == inputs[2024] + inputs[2025]
    # The trajectory from 0 in 2023 to 3 in 2026 is at 2 at the end of 2025, the last year
    # entered: that is what the total so far is compared with, not October 2026's 2.83.
    expected = 3 * (2025 - 2023) / (2026 - 2023)
    status = "on_track" if record["value"] >= expected else "off_track"
    assert record["status"] == status
    assert record["status"] != "off_track"  # the demo's two so far are on the way to three
    progress = next(
        p
        for p in service.target_progress(demo.session, actor=SYSTEM, scope=SCOPE)
        if p.indicator == "new_green_manufacturing"
    )
    assert progress.status == record["status"] and progress.expected == pytest.approx(expected)
    set_locale("zh_Hans_CN")
    html = demo.client.get(f"/monitoring/dashboard/{SCOPE}", headers=demo.headers).text
    note = _(
        "Figures entered once a year and added up since a year (new green factories, supply chains and design products) are judged, while the current year's figure is not yet entered, on the years entered so far against the trajectory at the end of the last of them; a year not yet entered is not counted as falling behind."
    )
    assert note != "" and note in html.replace("&#39;", "'")


def test_once_entered_the_year_itself_is_judged(demo: Demo) -> None:
    from plateau.monitoring import service as monitoring_service
    from plateau.monitoring.schemas import RegionInputWrite

    nested = demo.session.begin_nested()
    try:
        monitoring_service.set_region_input(
            demo.session,
            data=RegionInputWrite(
                indicator="new_green_manufacturing", scope=SCOPE, year=2026, value=Decimal(0)
            ),
            actor=SYSTEM,
        )
        record = _records(demo, 2026)["new_green_manufacturing"]
        # Zero entered for 2026: the year is over for this figure, the total of 2 is compared
        # with the trajectory at the end of 2026, the target of 3.
        assert record["status"] == "off_track"
    finally:
        nested.rollback()
