"""Every CSV export speaks in names: no internal code reaches a cell unless its name stands
beside it in the same row (a GTIN or USCC is a code people use; ``draft``, ``region``,
``beverage_tea``, ``CNY`` or ``plan_533`` alone are not)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from plateau.auth.schemas import SYSTEM
from plateau.i18n import gettext, set_locale
from plateau.monitoring.analytics import service as analytics_service
from plateau.monitoring.analytics.indicators import catalog
from plateau.monitoring.analytics.labels import STATUS_LABELS
from plateau.monitoring.models import RETURN_STATUSES
from plateau.monitoring.workflow import status_label as return_status_label
from plateau.plan.models import PlanDocument, PlanIndicator
from plateau.registry.models import MarketRegion, Prefecture
from tests.monitoring.demo_world import LoadedDemo, loaded_demo

# Pages whose tables download as files too (the API's exports are found in the OpenAPI).
PAGE_EXPORTS = (
    "/plan/targets?format=csv",
    "/monitoring/dashboard/region?format=csv&table=targets",
    "/monitoring/dashboard/region?format=csv&table=breakdown&key=industry",
    "/monitoring/dashboard/region?format=csv&table=breakdown&key=prefecture",
    "/monitoring/dashboard/region?format=csv&table=series&indicator=output_value",
    "/monitoring/dashboard/region?format=csv&table=monthly&indicator=output_value",
    "/monitoring/warnings?format=csv&table=off_track",
    "/monitoring/warnings?format=csv&table=declining&today=2026-03-10",
    "/monitoring/warnings?format=csv&table=late&today=2026-03-10",
    "/monitoring/warnings?format=csv&table=outliers&today=2026-03-10",
    "/monitoring/completeness?period=2026-01&by=prefecture&format=csv",
    "/monitoring/completeness?period=2026-01&by=park&format=csv",
    "/monitoring/completeness?period=2026-01&by=industry&format=csv",
)


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedDemo]:
    if engine.dialect.name != "sqlite":
        pytest.skip("export labels do not depend on the database; checked once, on SQLite")
    with loaded_demo(engine, tmp_path_factory.mktemp("exports"), today=date(2026, 3, 10)) as d:
        yield d


def _known_codes(demo: LoadedDemo) -> dict[str, set[str]]:
    """Every internal code a cell might show, with the names a reader may see instead."""
    set_locale("zh_Hans_CN")
    s = demo.session
    codes: dict[str, str] = {}
    alternatives: dict[str, set[str]] = {}
    for scope in analytics_service.reference(s, actor=SYSTEM).scopes:
        codes[scope.id] = scope.name_zh  # region, industry:…, prefecture:…, park:…
        if scope.value:
            codes[scope.value] = scope.name_zh  # beverage_tea, lhasa_etdz, 540100
    for p in s.scalars(select(Prefecture)):
        codes[p.code] = p.name_zh
    for m in s.scalars(select(MarketRegion)):
        codes[m.id] = m.name_zh
    for plan in s.scalars(select(PlanDocument)):
        codes[plan.id] = plan.title_zh
    for ind in catalog().indicators:
        codes[ind.id] = ind.name_zh
        # A program (and the plan's own table) may word an indicator its own way.
        alternatives[ind.id] = {p.name_zh for p in ind.programs.values() if p.name_zh}
    for pi in s.scalars(select(PlanIndicator)):
        alternatives.setdefault(pi.code, set()).add(pi.name_zh)
    for status in RETURN_STATUSES:
        codes[status] = return_status_label(status)
    for status, label in STATUS_LABELS.items():
        codes[status] = label  # English id; the Chinese label is checked below
    codes.update({"CNY": "元", "count": "个", "t": "吨", "demo": "演示数据"})
    return {code: {gettext(name), *alternatives.get(code, set())} for code, name in codes.items()}


def _exports(demo: LoadedDemo) -> list[str]:
    spec = demo.client.get("/api/openapi.json").json()
    found = []
    for path, ops in spec["paths"].items():
        op = ops.get("get")
        if not op or "{" in path or "template" in path:
            continue  # an import template's headers are the import's field names, on purpose
        for param in op.get("parameters", []):
            if param["name"] == "format" and "csv" in str(param.get("schema")):
                found.append(f"{path}?format=csv")
    return [*found, *PAGE_EXPORTS]


def test_every_export_names_what_it_codes(demo: LoadedDemo, tmp_path: Path) -> None:
    names = _known_codes(demo)
    headers = {"Authorization": f"Bearer {demo.tokens['admin']}"}
    checked, problems = [], []
    for url in _exports(demo):
        resp = demo.client.get(url, headers=headers)
        if resp.status_code != 200 or "csv" not in resp.headers.get("content-type", ""):
            continue  # an export that needs more parameters (a chart's series, one indicator)
        rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
        checked.append(url)
        header, body = rows[0], rows[1:]
        if len(set(header)) != len(header):
            problems.append(f"{url}: two columns share a header: {header}")
        for row in body[:200]:
            for col, cell in zip(header, row, strict=False):
                named = names.get(cell)
                if named is None or cell in named:
                    continue
                if not named & set(row):
                    problems.append(f"{url}: column {col!r} shows {cell!r}, not {named}")
                    break
    assert len(checked) >= 25, checked
    assert all(url in checked for url in PAGE_EXPORTS), set(PAGE_EXPORTS) - set(checked)
    assert not problems, "\n".join(sorted(set(problems))[:40])


def test_exported_times_are_beijing_time(demo: LoadedDemo) -> None:
    headers = {"Authorization": f"Bearer {demo.tokens['admin']}"}
    resp = demo.client.get("/api/monitoring/returns?format=csv&status=submitted", headers=headers)
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows
    submitted = [r["提交时间（北京时间）"] for r in rows if r["提交时间（北京时间）"]]
    assert submitted and all("T" not in t and "+00:00" not in t for t in submitted)


def test_excel_cells_hold_dates_as_dates_and_moments_in_beijing_time() -> None:
    from datetime import UTC, datetime

    from openpyxl import load_workbook

    from plateau.tabular import Column, to_csv, to_xlsx

    columns = [Column("day", "日期"), Column("at", "时间")]
    rows = [{"day": date(2026, 3, 1), "at": datetime(2026, 3, 1, 20, 30, tzinfo=UTC)}]
    ws = load_workbook(io.BytesIO(to_xlsx(columns, rows))).active
    assert ws is not None
    day, at = ws["A2"], ws["B2"]
    assert day.is_date and day.value.date() == date(2026, 3, 1)
    assert at.is_date and at.value == datetime(2026, 3, 2, 4, 30)  # 20:30 UTC is 04:30 next day
    text = to_csv(columns, rows).decode("utf-8-sig")
    assert "2026-03-02 04:30:00" in text and "+00:00" not in text
