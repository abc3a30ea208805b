"""EPCIS capture, genealogy and event queries at scale (issue #4, "Performance").

For each backend: a fresh database (the migrations), then N events of the demo's shape
generated reproducibly and captured as EPCIS 2.0 JSON-LD documents of 2,000 events through
the real capture path (``trace.epcis.service.capture_document``, what ``POST /epcis/capture``
calls: validation, event hashes, identifier indexing, storing), one commit per document.
Then, best of ``--repeat`` (``time.perf_counter``):

- ``capture`` vs ``bulk INSERT``: a sample of the documents is captured again into the full
  database and, alternately, its rows — the very rows capture computed (events and index
  rows), prepared outside the timing — are written by plain executemany INSERTs into the
  same tables. Each run deletes what the previous one wrote, so both see the same
  database. Ratio = capture events/s ÷ INSERT events/s (target ≥ 0.3);
- trace back/forward: ``trace.lineage.service.trace`` (what ``GET /api/trace/{id}`` answers) for
  random bottles, cases, pallets and food lots, p50/p95, against one indexed lookup of the
  same identifier (its events through ``epcis_event_epc``);
- ``GET /epcis/events`` with common filters through ``TestClient`` on the real app with a
  region administrator's token: queries/s per filter.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable
from sqlalchemy import Engine, Table, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bench.monitoring import database, planner_statistics
from plateau.auth import service as auth_service
from plateau.auth.schemas import SYSTEM, Actor, Role, TokenCreate, UserCreate
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.demo.epcis_builders import (
    CONTEXT,
    Company,
    aggregation_event,
    bt,
    item_dl,
    loc_dl,
    lot_dl,
    object_event,
    party_dl,
    sscc_dl,
    temperature,
    transformation_event,
)
from plateau.formatting import BEIJING
from plateau.runtime import migrate
from plateau.settings import Settings
from plateau.trace.epcis import hashing
from plateau.trace.epcis import service as trace_service
from plateau.trace.epcis.capture import Payload
from plateau.trace.epcis.events import Context, PreparedEvent, identifier_key, prepare
from plateau.trace.epcis.models import (
    CaptureJob,
    EpcisEvent,
    EpcisEventBizTransaction,
    EpcisEventEpc,
    EpcisEventSensor,
    EpcisEventSourceDest,
    EpcisEventValue,
)
from plateau.trace.lineage import service as lineage_service

console = Console()

RATIO_TARGET = 0.3
# 1,000,000 (the size) takes over an hour per backend on a 2-core machine: see the README.
DEFAULT_EVENTS = 100_000
SEED = 4004
DOCUMENT_EVENTS = 2_000
MAX_BYTES = 64 * 1024 * 1024
ADMIN = "bench-trace-admin"
PASSWORD = "bench-password-4004"
START = datetime(2024, 1, 1, 8, 0, tzinfo=BEIJING)

# The enterprises of the demo chains (their USCCs only label the captures).
WATER_USCC = "91540100MA6T00001W"
YAK_USCC = "91540600MA6T00002Y"
BARLEY_USCC = "91540100MA6T00003B"

BOTTLES_PER_CASE = 12
CASES_PER_PALLET = 4
PALLETS_PER_LOT = 2
SHOPS = 12


# --- generation -------------------------------------------------------------------------


@dataclass
class Samples:
    """Identifiers worth tracing, drawn while generating (reservoirs, reproducible)."""

    rng: random.Random
    size: int = 400
    seen: dict[str, int] = field(default_factory=dict)
    picked: dict[str, list[str]] = field(default_factory=dict)

    def offer(self, kind: str, value: str) -> None:
        count = self.seen.get(kind, 0) + 1
        self.seen[kind] = count
        bucket = self.picked.setdefault(kind, [])
        if len(bucket) < self.size:
            bucket.append(value)
        else:
            slot = self.rng.randrange(count)
            if slot < self.size:
                bucket[slot] = value


class World:
    """The demo's chains, lot after lot: bottled water, yak jerky, barley biscuits."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.samples = Samples(random.Random(seed + 1))
        self.water = Company("690000001")
        self.yak = Company("690000002")
        self.barley = Company("690000003")
        self.dist = Company("690000004")
        self.shops = [Company(f"6900001{i:02d}").gln(1) for i in range(SHOPS)]

    def rounds(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Yield (enterprise, events) of one lot of each chain, forever."""
        n = 0
        while True:
            moment = START + timedelta(minutes=37 * n)
            yield WATER_USCC, self._water(n, moment)
            yield YAK_USCC, self._yak(n, moment)
            yield BARLEY_USCC, self._barley(n, moment)
            n += 1

    def _ship(
        self,
        moment: datetime,
        epcs: list[str],
        *,
        origin: tuple[str, str],
        to: tuple[str, str],
        number: str,
        quantities: list[dict[str, Any]] | None = None,
        sensors: bool = False,
    ) -> list[dict[str, Any]]:
        """A shipping event and its receiving, with parties and the despatch advice."""
        readings = None
        if sensors:
            readings = temperature(
                f"{self.dist.gcp}0{self.rng.randrange(50):02d}",
                [
                    (moment + timedelta(hours=h), self.rng.uniform(2.0, 9.5))
                    for h in range(0, 12, 4)
                ],
            )
        ship = object_event(
            moment,
            step="shipping",
            epcs=epcs,
            quantities=quantities or (),
            disposition="in_transit",
            read=origin[1],
            documents=[("desadv", bt(origin[0], number))],
            sensors=readings,
        )
        ship["sourceList"] = [
            {"type": "owning_party", "source": party_dl(origin[0])},
            {"type": "location", "source": loc_dl(origin[1])},
        ]
        ship["destinationList"] = [
            {"type": "owning_party", "destination": party_dl(to[0])},
            {"type": "location", "destination": loc_dl(to[1])},
        ]
        receive = object_event(
            moment + timedelta(hours=14),
            step="receiving",
            epcs=epcs,
            quantities=quantities or (),
            disposition="in_progress",
            read=to[1],
            where=to[1],
            documents=[("desadv", bt(origin[0], number))],
        )
        return [ship, receive]

    def _water(self, n: int, made: datetime) -> list[dict[str, Any]]:
        own = self.water
        bottle, case_gtin = own.gtin(1), own.gtin(2)
        plant, store = own.gln(2), own.gln(3)
        me = own.gln(9)
        lot = f"W{n:07d}"
        lot_key = lot_dl(bottle, lot)
        self.samples.offer("lot", lot_key)
        events = [
            object_event(
                made - timedelta(hours=3),
                step="inspecting",
                quantities=[{"epcClass": lot_key, "quantity": 132.0, "uom": "LTR"}],
                disposition="conformant",
                read=own.gln(1),
                where=own.gln(1),
            )
        ]
        pallets: list[tuple[str, list[str]]] = []
        for p in range(PALLETS_PER_LOT):
            cases = []
            for c in range(CASES_PER_PALLET):
                k = p * CASES_PER_PALLET + c
                bottles = [
                    item_dl(bottle, f"{lot}{k * BOTTLES_PER_CASE + b:04d}")
                    for b in range(BOTTLES_PER_CASE)
                ]
                case = item_dl(case_gtin, f"{lot}C{k:02d}")
                self.samples.offer("bottle", bottles[self.rng.randrange(len(bottles))])
                self.samples.offer("case", case)
                cases.append(case)
                at = made + timedelta(minutes=k)
                events.append(
                    object_event(
                        at,
                        step="commissioning",
                        epcs=bottles,
                        action="ADD",
                        disposition="active",
                        read=plant,
                        where=plant,
                        ilmd={"cbvmda:lotNumber": lot},
                    )
                )
                events.append(
                    aggregation_event(
                        at + timedelta(seconds=30), parent=case, children=bottles, read=plant
                    )
                )
            pallet = sscc_dl(own.sscc())
            self.samples.offer("pallet", pallet)
            pallets.append((pallet, cases))
            at = made + timedelta(hours=1, minutes=p)
            events.append(aggregation_event(at, parent=pallet, children=cases, read=plant))
            events.append(
                object_event(
                    at + timedelta(hours=2),
                    step="storing",
                    epcs=[pallet],
                    disposition="sellable_not_accessible",
                    read=store,
                    where=store,
                )
            )
        dc, them = self.dist.gln(1), self.dist.gln(9)
        for p, (pallet, cases) in enumerate(pallets):
            at = made + timedelta(hours=6, minutes=p)
            events += self._ship(
                at,
                [pallet],
                origin=(me, store),
                to=(them, dc),
                number=f"{lot}P{p}",
                sensors=self.rng.random() < 0.3,
            )
            events.append(
                aggregation_event(
                    at + timedelta(hours=16),
                    parent=pallet,
                    action="DELETE",
                    step="unpacking",
                    disposition=None,
                    read=dc,
                )
            )
            for c, case in enumerate(cases):
                shop = self.shops[self.rng.randrange(SHOPS)]
                events += self._ship(
                    at + timedelta(hours=20, minutes=c),
                    [case],
                    origin=(them, dc),
                    to=(shop, shop),
                    number=f"{lot}P{p}C{c}",
                )
        return events

    def _yak(self, n: int, moment: datetime) -> list[dict[str, Any]]:
        own = self.yak
        base, abattoir, plant = own.gln(1), own.gln(2), own.gln(3)
        live, carcass, jerky = own.gtin(1), own.gtin(2), own.gtin(3)
        lot = f"Y{n:07d}"
        live_lot, carcass_lot, jerky_lot = (
            lot_dl(live, lot),
            lot_dl(carcass, lot),
            lot_dl(jerky, lot),
        )
        self.samples.offer("food lot", jerky_lot)
        head = 4 + self.rng.randrange(8)
        events = [
            object_event(
                moment,
                step="commissioning",
                quantities=[{"epcClass": live_lot, "quantity": float(head), "uom": "H87"}],
                action="ADD",
                disposition="active",
                read=base,
                where=base,
                ilmd={"cbvmda:lotNumber": lot},
            )
        ]
        events += self._ship(
            moment + timedelta(hours=1),
            [],
            origin=(own.gln(9), base),
            to=(own.gln(9), abattoir),
            number=f"{lot}L",
            quantities=[{"epcClass": live_lot, "quantity": float(head), "uom": "H87"}],
        )
        carcass_kg = round(head * self.rng.uniform(95, 120), 1)
        events.append(
            transformation_event(
                moment + timedelta(hours=20),
                inputs=[{"epcClass": live_lot, "quantity": float(head), "uom": "H87"}],
                outputs=[{"epcClass": carcass_lot, "quantity": carcass_kg, "uom": "KGM"}],
                read=abattoir,
                ilmd={"cbvmda:lotNumber": lot},
            )
        )
        jerky_kg = round(carcass_kg * 0.3, 1)
        events.append(
            transformation_event(
                moment + timedelta(days=2),
                inputs=[{"epcClass": carcass_lot, "quantity": carcass_kg, "uom": "KGM"}],
                outputs=[{"epcClass": jerky_lot, "quantity": jerky_kg, "uom": "KGM"}],
                read=plant,
                ilmd={"cbvmda:lotNumber": lot},
            )
        )
        shop = self.shops[self.rng.randrange(SHOPS)]
        events += self._ship(
            moment + timedelta(days=3),
            [],
            origin=(own.gln(9), plant),
            to=(shop, shop),
            number=f"{lot}J",
            quantities=[{"epcClass": jerky_lot, "quantity": jerky_kg, "uom": "KGM"}],
            sensors=True,
        )
        return events

    def _barley(self, n: int, moment: datetime) -> list[dict[str, Any]]:
        own = self.barley
        base, mill = own.gln(1), own.gln(2)
        grain, flour, biscuit = own.gtin(1), own.gtin(2), own.gtin(3)
        lot = f"B{n:07d}"
        grain_lot, flour_lot, biscuit_lot = (
            lot_dl(grain, lot),
            lot_dl(flour, lot),
            lot_dl(biscuit, lot),
        )
        self.samples.offer("food lot", biscuit_lot)
        tonnes = round(self.rng.uniform(800, 2000), 1)
        events = [
            object_event(
                moment,
                step="commissioning",
                quantities=[{"epcClass": grain_lot, "quantity": tonnes, "uom": "KGM"}],
                action="ADD",
                disposition="active",
                read=base,
                where=base,
                ilmd={"cbvmda:lotNumber": lot},
            ),
            transformation_event(
                moment + timedelta(days=1),
                inputs=[{"epcClass": grain_lot, "quantity": tonnes, "uom": "KGM"}],
                outputs=[{"epcClass": flour_lot, "quantity": round(tonnes * 0.7, 1), "uom": "KGM"}],
                read=mill,
                ilmd={"cbvmda:lotNumber": lot},
            ),
            transformation_event(
                moment + timedelta(days=2),
                inputs=[{"epcClass": flour_lot, "quantity": round(tonnes * 0.7, 1), "uom": "KGM"}],
                outputs=[{"epcClass": biscuit_lot, "quantity": round(tonnes, 1), "uom": "KGM"}],
                read=mill,
                ilmd={"cbvmda:lotNumber": lot},
            ),
        ]
        shop = self.shops[self.rng.randrange(SHOPS)]
        events += self._ship(
            moment + timedelta(days=3),
            [],
            origin=(own.gln(9), mill),
            to=(shop, shop),
            number=f"{lot}S",
            quantities=[{"epcClass": biscuit_lot, "quantity": round(tonnes, 1), "uom": "KGM"}],
        )
        return events


def document_bytes(events: list[dict[str, Any]], created: datetime) -> bytes:
    """An EPCISDocument as a capture client sends it (compact JSON, UTF-8)."""
    body = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created.isoformat(timespec="seconds"),
        "epcisBody": {"eventList": events},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def documents(world: World, total: int) -> Iterator[tuple[str, bytes, int]]:
    """Yield (enterprise, document, events) until ``total`` events, 2,000 per document."""
    buffers: dict[str, list[dict[str, Any]]] = {}
    produced = 0
    created = START
    for uscc, events in world.rounds():
        if produced >= total:
            break
        events = events[: total - produced]
        produced += len(events)
        buffer = buffers.setdefault(uscc, [])
        buffer += events
        while len(buffer) >= DOCUMENT_EVENTS:
            head, buffer[:] = buffer[:DOCUMENT_EVENTS], buffer[DOCUMENT_EVENTS:]
            created = max(created, _latest(head))
            yield uscc, document_bytes(head, created), len(head)
    for uscc, buffer in buffers.items():
        if buffer:
            yield uscc, document_bytes(buffer, _latest(buffer)), len(buffer)


def _latest(events: list[dict[str, Any]]) -> datetime:
    return max(datetime.fromisoformat(e["eventTime"]) for e in events)


def capturer(uscc: str) -> Actor:
    """The enterprise user a chain's own system captures as (no account needed)."""
    return Actor(role=Role.ENTERPRISE_USER, username="bench-trace", scope=f"enterprise:{uscc}")


# --- timing -------------------------------------------------------------------------------


@dataclass
class Latency:
    what: str
    p50_ms: float
    p95_ms: float
    lookup_p50_ms: float
    lookup_p95_ms: float
    count: int

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.lookup_p50_ms if self.lookup_p50_ms else float("inf")


@dataclass
class Result:
    backend: str
    events: int
    rows: int
    load_s: float
    refresh_s: float
    sample_events: int
    capture_s: float
    insert_s: float
    latencies: list[Latency] = field(default_factory=list)
    queries: list[tuple[str, float]] = field(default_factory=list)

    @property
    def load_rate(self) -> float:
        return self.events / self.load_s

    @property
    def capture_rate(self) -> float:
        return self.sample_events / self.capture_s

    @property
    def insert_rate(self) -> float:
        return self.sample_events / self.insert_s

    @property
    def ratio(self) -> float:
        return self.capture_rate / self.insert_rate


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load(
    engine: Engine, world: World, total: int, sample_docs: int
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Capture ``total`` events; return the sample (the last ``sample_docs`` documents of
    2,000 events) and the capture jobs that stored it."""
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    sample: list[tuple[str, bytes, str]] = []
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("capture", total=total)
        for uscc, data, count in documents(world, total):
            job = _capture(engine, uscc, data)
            if count == DOCUMENT_EVENTS:
                sample = [*sample, (uscc, data, job)][-sample_docs:]
            progress.advance(task, count)
    return [(u, d) for u, d, _j in sample], [j for _u, _d, j in sample]


def _capture(engine: Engine, uscc: str, data: bytes) -> str:
    """Capture one document through the service POST /epcis/capture calls, and commit;
    return the capture job's id."""
    with Session(engine) as session:
        outcome = trace_service.capture_document(
            session,
            payload=Payload(data, "application/ld+json"),
            actor=capturer(uscc),
            max_bytes=MAX_BYTES,
        )
        if outcome.job.errors or outcome.job.duplicate_count:
            raise RuntimeError(f"capture refused events: {outcome.job.errors[:2]}")
        session.commit()
        return outcome.job.id


def _prepared(uscc: str, data: bytes) -> list[PreparedEvent]:
    """The rows capture computes for a document (outside any timing)."""
    document = json.loads(data)
    events = hashing.document_events(document)
    context = Context.of(document.get("@context"))
    now = datetime.now(UTC)
    return [
        prepare(
            event,
            position=i,
            event_hash=hashing.event_hash(event, context=document.get("@context")),
            context=context,
            record_time=now,
        )
        for i, event in enumerate(events)
    ]


def bulk_insert(engine: Engine, batches: list[tuple[str, list[PreparedEvent]]]) -> int:
    """The baseline: the same rows by plain executemany INSERTs, ids numbered here."""
    written = 0
    with engine.begin() as conn:
        next_id = (conn.scalar(select(EpcisEvent.id).order_by(EpcisEvent.id.desc()).limit(1))) or 0
        for uscc, prepared in batches:
            rows = []
            children: dict[Any, list[dict[str, Any]]] = {}
            for p in prepared:
                next_id += 1
                rows.append(
                    {
                        **p.columns,
                        "id": next_id,
                        "captured_by_enterprise": uscc,
                        "captured_by_user_id": None,
                        "capture_job_id": None,
                    }
                )
                for model, attribute in INDEX_TABLES:
                    children.setdefault(model, []).extend(
                        {**row, "event_id": next_id} for row in getattr(p, attribute)
                    )
            conn.execute(insert(EVENT_TABLE), rows)
            for model, _attribute in INDEX_TABLES:
                if children.get(model):
                    conn.execute(insert(model.__table__), children[model])
            written += len(rows)
        if engine.dialect.name == "postgresql":
            # Keep the sequence ahead of the ids written by hand, as a restore would.
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('epcis_event', 'id'), "
                "(SELECT max(id) FROM epcis_event))"
            )
    return written


EVENT_TABLE: Table = EpcisEvent.__table__  # type: ignore[assignment]
INDEX_TABLES: tuple[tuple[Any, str], ...] = (
    (EpcisEventEpc, "epcs"),
    (EpcisEventBizTransaction, "biz_transactions"),
    (EpcisEventSourceDest, "source_dest"),
    (EpcisEventSensor, "sensors"),
    (EpcisEventValue, "values"),
)


def _remove(engine: Engine, events: Any) -> None:
    """Delete the events ``events`` (a condition on EpcisEvent) and their index rows."""
    with engine.begin() as conn:
        ids = select(EpcisEvent.id).where(events).scalar_subquery()
        for model, _attribute in INDEX_TABLES:
            conn.execute(delete(model).where(model.event_id.in_(ids)))
        conn.execute(delete(EpcisEvent).where(events))


def compare_capture(
    engine: Engine, sample: list[tuple[str, bytes]], jobs: list[str], repeat: int
) -> tuple[int, float, float]:
    """Best seconds of capturing the sample again vs. bulk-inserting its rows.

    Each run first deletes what the previous one wrote (the sample's capture jobs, or the
    rows inserted by hand), so both write into the same full database.
    """
    batches = [(uscc, _prepared(uscc, data)) for uscc, data in sample]
    count = sum(len(b) for _u, b in batches)
    best_capture = best_insert = float("inf")
    for _ in range(repeat):
        _remove(engine, EpcisEvent.capture_job_id.in_(jobs))
        with engine.begin() as conn:
            conn.execute(delete(CaptureJob).where(CaptureJob.id.in_(jobs)))
            first_id = (conn.scalar(select(func.max(EpcisEvent.id))) or 0) + 1
        start = time.perf_counter()
        bulk_insert(engine, batches)
        best_insert = min(best_insert, time.perf_counter() - start)
        _remove(engine, EpcisEvent.id >= first_id)
        start = time.perf_counter()
        jobs = [_capture(engine, uscc, data) for uscc, data in sample]
        best_capture = min(best_capture, time.perf_counter() - start)
    return count, best_capture, best_insert


def trace_latencies(engine: Engine, samples: Samples, per_kind: int) -> list[Latency]:
    """p50/p95 of lineage.service.trace back and forward, and of one indexed lookup, each
    inside the request boundary (``session_scope``, committed as a GET's is)."""
    rng = random.Random(SEED + 2)
    factory = make_sessionmaker(engine)
    results: list[Latency] = []
    for direction in ("back", "forward"):
        for kind in ("bottle", "case", "pallet", "lot", "food lot"):
            items = samples.picked.get(kind, [])
            chosen = rng.sample(items, min(per_kind, len(items)))
            walks: list[float] = []
            lookups: list[float] = []
            for identifier in chosen:
                walks.append(_time_trace(factory, identifier, direction))
                lookups.append(_time_lookup(factory, identifier_key(identifier)))
            if walks:
                results.append(
                    Latency(
                        f"{direction}: {kind}",
                        _percentile(walks, 0.5),
                        _percentile(walks, 0.95),
                        _percentile(lookups, 0.5),
                        _percentile(lookups, 0.95),
                        len(walks),
                    )
                )
    return results


def _time_trace(factory: sessionmaker[Session], identifier: str, direction: str) -> float:
    # As a request runs it: one session, committed at the end (a GET's boundary commits,
    # which keeps psycopg's prepared statements; a rollback would discard them).
    with session_scope(factory, write=False) as session:
        session.connection()  # BEGIN outside the timing, as for the lookup
        start = time.perf_counter()
        lineage_service.trace(
            session,
            identifier=identifier,
            direction=direction,  # type: ignore[arg-type]
            actor=SYSTEM,
        )
        return (time.perf_counter() - start) * 1000


def _time_lookup(factory: sessionmaker[Session], key: str) -> float:
    """One indexed lookup: the events of one identifier, inside the same boundary."""
    stmt = (
        select(EpcisEvent.id, EpcisEvent.event_type, EpcisEvent.event_time)
        .join(EpcisEventEpc, EpcisEventEpc.event_id == EpcisEvent.id)
        .where(EpcisEventEpc.epc == key)
    )
    with session_scope(factory, write=False) as session:
        conn = session.connection()
        start = time.perf_counter()
        rows = conn.execute(stmt).all()
        elapsed = (time.perf_counter() - start) * 1000
    if not rows:
        raise RuntimeError(f"no events of {key}")
    return elapsed


def admin_token(engine: Engine) -> str:
    with Session(engine) as session:
        auth_service.create_user(
            session,
            data=UserCreate(username=ADMIN, password=PASSWORD, role=Role.REGION_ADMIN),
            actor=SYSTEM,
        )
        _token, plain = auth_service.create_token(
            session, username=ADMIN, data=TokenCreate(name="bench"), actor=SYSTEM
        )
        session.commit()
    return plain


def query_throughput(
    engine: Engine, url: str, samples: Samples, world: World, count: int, repeat: int
) -> list[tuple[str, float]]:
    """Queries/s of GET /epcis/events with common filters (TestClient, admin token)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from plateau.web.app import create_app

    token = admin_token(engine)
    rng = random.Random(SEED + 3)
    bottles = samples.picked["bottle"]
    lots = samples.picked["lot"] + samples.picked["food lot"]
    days = max(1, int(samples.seen["lot"] * 37 / 1440))
    filters: dict[str, Callable[[], str]] = {
        "EQ_bizStep=shipping": lambda: "EQ_bizStep=shipping",
        "MATCH_epc (one bottle)": lambda: "MATCH_epc=" + quote(rng.choice(bottles), safe=""),
        "MATCH_anyEPCClass (one lot)": lambda: (
            "MATCH_anyEPCClass=" + quote(rng.choice(lots), safe="")
        ),
        "EQ_bizLocation (a shop) + EQ_bizStep": lambda: (
            "EQ_bizStep=receiving&EQ_bizLocation=" + quote(loc_dl(rng.choice(world.shops)), safe="")
        ),
        "GE/LT_eventTime (one day)": lambda: _day(rng, days),
        "eventType + EQ_readPoint": lambda: (
            "eventType=TransformationEvent&EQ_readPoint="
            + quote(loc_dl(world.barley.gln(2)), safe="")
        ),
    }
    results: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="plateau-bench-var-") as var:
        settings = Settings(var_dir=Path(var), secret_key="bench", database_url=url)
        app = create_app(settings, session_factory=make_sessionmaker(engine))
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/ld+json"}
        with TestClient(app, base_url="http://testserver") as client:
            for name, make in filters.items():
                best = float("inf")
                for _ in range(repeat):
                    urls = [f"/epcis/events?{make()}" for _ in range(count)]
                    start = time.perf_counter()
                    for target in urls:
                        response = client.get(target, headers=headers)
                        if (
                            response.status_code != 200
                            or not response.json()["epcisBody"]["queryResults"]["resultsBody"][
                                "eventList"
                            ]
                        ):
                            raise RuntimeError(f"{target}: {response.status_code}")
                    best = min(best, time.perf_counter() - start)
                results.append((name, count / best))
    return results


def _day(rng: random.Random, days: int) -> str:
    day = START.astimezone(UTC) + timedelta(days=rng.randrange(days))
    end = day + timedelta(days=1)
    return "GE_eventTime=" + quote(day.isoformat()) + "&LT_eventTime=" + quote(end.isoformat())


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(
            conn.scalar(select(func.count()).select_from(model)) or 0
            for model in (EpcisEvent, *(m for m, _a in INDEX_TABLES))
        )


def run(
    backend: str, *, events: int, sample_docs: int, items: int, queries: int, repeat: int
) -> Result:
    console.rule(f"[bold]{backend}[/]: {events:,} events")
    with database(backend, keep=False) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            world = World()
            start = time.perf_counter()
            sample, jobs = load(engine, world, events, sample_docs)
            load_s = time.perf_counter() - start
            console.print(f"captured {events:,} events in {load_s:.1f} s")
            planner_statistics(engine)
            with console.status(f"capture vs. bulk INSERT (best of {repeat})"):
                count, capture_s, insert_s = compare_capture(engine, sample, jobs, repeat)
            console.print(
                f"sample {count:,} events: capture {capture_s:.2f} s, INSERT {insert_s:.2f} s"
            )
            start = time.perf_counter()
            with Session(engine) as session:
                lineage_service.refresh(session)
                session.commit()
            refresh_s = time.perf_counter() - start
            with console.status("trace latencies"):
                latencies = trace_latencies(engine, world.samples, items)
            with console.status("GET /epcis/events"):
                rates = query_throughput(engine, url, world.samples, world, queries, repeat)
            return Result(
                backend=backend,
                events=events,
                rows=_rows(engine),
                load_s=load_s,
                refresh_s=refresh_s,
                sample_events=count,
                capture_s=capture_s,
                insert_s=insert_s,
                latencies=latencies,
                queries=rates,
            )
        finally:
            engine.dispose()


# --- report -------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "[green]yes[/]" if ok else "[red]no[/]"


def report(results: list[Result]) -> None:
    table = RichTable(title="Capture: the real path vs. a plain bulk INSERT of the same rows")
    for col in ("backend", "events (index rows)", "what", "events/s", "capture / INSERT", "≥ 0.3"):
        table.add_column(col)
    for r in results:
        table.add_row(
            r.backend,
            f"{r.events:,} ({r.rows:,})",
            f"load: {r.events:,} events captured",
            f"{r.load_rate:,.0f}",
            "",
            "",
        )
        table.add_row(
            "", "", f"bulk INSERT, {r.sample_events:,}", f"{r.insert_rate:,.0f}", "1.00", ""
        )
        table.add_row(
            "",
            "",
            f"capture, {r.sample_events:,}",
            f"{r.capture_rate:,.0f}",
            f"{r.ratio:.2f}",
            _met(r.ratio >= RATIO_TARGET),
            end_section=True,
        )
    console.print(table)
    walks = RichTable(title="Trace (lineage.service.trace) vs. one indexed lookup, milliseconds")
    for col in ("backend", "trace", "n", "p50", "p95", "lookup p50", "lookup p95", "p50 ratio"):
        walks.add_column(col)
    for r in results:
        for i, lat in enumerate(r.latencies):
            walks.add_row(
                r.backend if i == 0 else "",
                lat.what,
                str(lat.count),
                f"{lat.p50_ms:.1f}",
                f"{lat.p95_ms:.1f}",
                f"{lat.lookup_p50_ms:.2f}",
                f"{lat.lookup_p95_ms:.2f}",
                f"{lat.ratio:.0f}",
                end_section=i == len(r.latencies) - 1,
            )
        walks.add_row("", "lot index refresh (once, s)", "", f"{r.refresh_s:.1f}", end_section=True)
    console.print(walks)
    queries = RichTable(title="GET /epcis/events (TestClient, region administrator)")
    for col in ("backend", "filters", "queries/s"):
        queries.add_column(col)
    for r in results:
        for i, (name, rate) in enumerate(r.queries):
            queries.add_row(
                r.backend if i == 0 else "",
                name,
                f"{rate:,.0f}",
                end_section=i == len(r.queries) - 1,
            )
    console.print(queries)


def main(
    backends: list[str], *, events: int, sample_docs: int, items: int, queries: int, repeat: int
) -> bool:
    """Run the benchmark on each backend and print the tables; True if every target is met."""
    results = [
        run(
            b,
            events=events,
            sample_docs=sample_docs,
            items=items,
            queries=queries,
            repeat=repeat,
        )
        for b in backends
    ]
    report(results)
    return all(r.ratio >= RATIO_TARGET for r in results)
