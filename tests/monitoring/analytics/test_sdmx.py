"""SDMX-CSV 2.0 export of indicator values, read back with a real SDMX library (sdmx1).

pysdmx's CSV reader needs pyarrow, which the project does not install; sdmx1 reads
SDMX-CSV 2.0 against a data structure, which checks our columns against the dataflow's
dimensions, measure and attributes too.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sdmx
from fastapi.testclient import TestClient
from sdmx.model import common, v30
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau import runtime
from plateau.auth.schemas import SYSTEM
from plateau.monitoring.analytics import cli as analytics_cli
from plateau.monitoring.analytics import exports, service
from plateau.monitoring.analytics.schemas import IndicatorRecord
from tests.builders import bearer, make_token, make_user
from tests.monitoring.analytics.builders import add_months
from tests.registry.builders import make_enterprise

M = 1_000_000


@pytest.fixture
def world(session: Session) -> None:
    """Three enterprises: 2022–2023 complete, 2024 up to March."""
    a = make_enterprise(session, n=201, park="lhasa_etdz", industry="agri_food")
    b = make_enterprise(session, n=202, prefecture="540200", industry="agri_food")
    c = make_enterprise(session, n=203, industry="brewing")
    for year, k in ((2022, 1.0), (2023, 1.25)):
        add_months(session, a, year, output=120 * M * k, revenue=120 * M * k, value_added=36 * M)
        add_months(session, b, year, output=36 * M * k, revenue=30 * M * k, value_added=9 * M)
        add_months(session, c, year, output=48 * M * k, revenue=40 * M * k, value_added=12 * M)
    for ent in (a, b, c):
        add_months(session, ent, 2024, months=range(1, 4), output=60 * M, revenue=60 * M)


def _dataflow() -> v30.Dataflow:
    """The structure of PLATEAU:DF_LIGHT_INDUSTRY(1.0), as a receiver would declare it."""
    agency = common.Agency(id="PLATEAU")
    dsd = v30.DataStructureDefinition(id="DSD_LIGHT_INDUSTRY", maintainer=agency, version="1.0")
    for dim in ("INDICATOR", "SCOPE", "TIME_PERIOD"):
        dsd.dimensions.getdefault(dim)
    dsd.measures.getdefault("OBS_VALUE")
    for attr in ("UNIT_MEASURE", "OBS_STATUS"):
        dsd.attributes.getdefault(attr)
    return v30.Dataflow(id="DF_LIGHT_INDUSTRY", maintainer=agency, version="1.0", structure=dsd)


def _observations(text: str) -> dict[tuple[str, str, str], dict[str, str]]:
    lines = text.splitlines()
    assert lines[0] == (
        "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,SCOPE,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS"
    )
    assert all(line.startswith("dataflow,PLATEAU:DF_LIGHT_INDUSTRY(1.0),I,") for line in lines[1:])
    msg = sdmx.read_sdmx(io.BytesIO(text.encode("utf-8")), format="csv", structure=_dataflow())
    assert len(msg.data) == 1
    ds = msg.data[0]
    assert ds.action == common.ActionType.information
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for obs in ds.obs:
        key = obs.key
        k = (key["INDICATOR"].value, key["SCOPE"].value, key["TIME_PERIOD"].value)
        assert k not in found  # one observation per key
        found[k] = {
            "OBS_VALUE": obs.value,
            **{a: v.value for a, v in obs.attached_attribute.items()},
        }
    assert len(found) == len(lines) - 1
    return found


def _check(
    found: dict[tuple[str, str, str], dict[str, str]], records: list[IndicatorRecord]
) -> None:
    with_value = [r for r in records if r.value is not None]
    assert with_value and len(found) == len(with_value)
    for r in with_value:
        obs = found[(r.indicator, exports.sdmx_scope(r.scope), exports.sdmx_period(r.period))]
        assert float(obs["OBS_VALUE"]) == pytest.approx(r.value, rel=1e-9, abs=1e-4)
        assert obs["UNIT_MEASURE"] == exports.SDMX_UNITS[r.unit]


def test_sdmx_csv_holds_the_engine_values(session: Session, world: None) -> None:
    records = service.records(session, actor=SYSTEM, year=2023)
    text = exports.sdmx_csv(records)
    assert text.splitlines()[0] == (
        "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,SCOPE,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,OBS_STATUS"
    )
    found = _observations(text)
    _check(found, records)
    output = found[("output_value", "region", "2023")]
    # The three enterprises are above size in 2023: 1.25 × (120 + 36 + 48) million.
    assert float(output["OBS_VALUE"]) == pytest.approx(255 * M)
    assert output["UNIT_MEASURE"] == "CNY" and output["OBS_STATUS"] == "A"
    assert ("output_value", "industry_agri_food", "2023") in found
    assert ("output_value", "prefecture_540200", "2023") in found
    # Codes are SDMX identifiers (no ":"), and they map back to our scope ids.
    assert all(":" not in scope for _i, scope, _p in found)


def test_a_year_in_progress_is_a_provisional_time_range(session: Session, world: None) -> None:
    records = service.records(session, actor=SYSTEM, year=2024, scope="region")
    found = _observations(exports.sdmx_csv(records))
    _check(found, records)
    output = found[("output_value", "region", "2024-01-01/P3M")]
    assert float(output["OBS_VALUE"]) == pytest.approx(45 * M)
    assert output["OBS_STATUS"] == "P"


def test_api_serves_sdmx_csv(session: Session, world: None, client: TestClient) -> None:
    token = make_token(session, make_user(session, "analyst"))
    resp = client.get(
        "/api/monitoring/analytics/indicators",
        params={"year": 2023, "format": "sdmx-csv"},
        headers=bearer(token),
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    assert "version=2.0.0" in resp.headers["content-type"]
    _check(_observations(resp.text), service.records(session, actor=SYSTEM, year=2023))
    # The public gets nothing, in SDMX or otherwise.
    anonymous = client.get("/api/monitoring/analytics/indicators", params={"format": "sdmx-csv"})
    assert anonymous.status_code == 401


def test_cli_prints_sdmx_csv(
    session: Session, world: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def open_session() -> Iterator[Session]:
        yield session

    monkeypatch.setattr(runtime, "open_session", open_session)
    result = CliRunner().invoke(
        analytics_cli.indicators_app, ["--year", "2023", "--format", "sdmx-csv"]
    )
    assert result.exit_code == 0, result.output
    _check(_observations(result.stdout), service.records(session, actor=SYSTEM, year=2023))
