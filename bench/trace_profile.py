"""Trace cost per item, quickly rerun: best-of-N milliseconds and Python function calls.

``python -m bench trace-profile [--backend sqlite|postgresql] [--events 30000] [--keep PATH]``:
a database of the ``trace`` benchmark's shape (its ``World``, captured through the real path);
with ``--keep PATH`` (SQLite only) the database and its sample identifiers are kept at PATH and
PATH.json and reused by the next run, so a rerun costs only the traces. For a few items of each
kind (bottle, case, pallet, water lot, food lot), back and forward: the best of ``--repeat``
runs of ``lineage.service.trace`` and of one indexed lookup (``trace._time_lookup``), and the
Python function calls of one trace counted by cProfile, a measure the machine's load does not
blur.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import random
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from rich.table import Table as RichTable
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bench import trace
from bench.monitoring import database, planner_statistics
from plateau.auth.schemas import SYSTEM
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.runtime import migrate
from plateau.trace.epcis.events import identifier_key
from plateau.trace.lineage import service as lineage_service

KINDS = ("bottle", "case", "pallet", "lot", "food lot")


def _build(url: str, events: int) -> dict[str, list[str]]:
    migrate(url)
    engine = make_engine(url)
    try:
        world = trace.World()
        trace.load(engine, world, events, 1)
        with Session(engine) as session:
            lineage_service.refresh(session)
            session.commit()
        planner_statistics(engine)  # as the ``trace`` benchmark does after its load
        return world.samples.picked
    finally:
        engine.dispose()


def _trace(factory: sessionmaker[Session], identifier: str, direction: str) -> None:
    # The request boundary: committed, as a GET's is (trace._time_trace).
    with session_scope(factory, write=False) as session:
        lineage_service.trace(
            session,
            identifier=identifier,
            direction=direction,
            actor=SYSTEM,  # type: ignore[arg-type]
        )


def _calls(factory: sessionmaker[Session], identifier: str, direction: str) -> int:
    profile = cProfile.Profile()
    profile.enable()
    _trace(factory, identifier, direction)
    profile.disable()
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def _statements(
    engine: Engine, factory: sessionmaker[Session], identifier: str, direction: str
) -> list[tuple[str, Any]]:
    """The statements one trace sends, as the driver receives them (SQL and parameters)."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        _trace(factory, identifier, direction)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [(sql, params) for sql, params in sent if sql.strip() != "BEGIN"]


def _database_ms(engine: Engine, statements: list[tuple[str, Any]], repeat: int) -> float:
    """Best of ``repeat`` runs of ``statements`` straight on the driver's cursor, every row
    fetched, in one committed transaction: what the trace costs the database and the driver,
    without SQLAlchemy or the building of the answer."""
    # The engine's SQLite connections leave transactions to their caller (plateau.db);
    # psycopg opens one by itself.
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    try:
        best = float("inf")
        for _ in range(repeat):
            cursor = raw.cursor()
            start = time.perf_counter()
            if sqlite:
                cursor.execute("BEGIN")
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()
            if sqlite:
                cursor.execute("COMMIT")
            else:
                raw.commit()
            best = min(best, time.perf_counter() - start)
            cursor.close()
        return best * 1000
    finally:
        raw.close()


def measure(engine: Engine, picked: dict[str, list[str]], items: int, repeat: int) -> None:
    rng = random.Random(trace.SEED + 3)
    factory = make_sessionmaker(engine)
    table = RichTable(
        title=f"trace per item: best of {repeat}, ms; × one lookup; Python calls of one trace"
    )
    # "db": the trace's statements alone, straight on the driver (_database_ms).
    for col in ("trace", "n", "trace ms", "db ms", "lookup ms", "×", "db ×", "calls"):
        table.add_column(col, justify="right" if col != "trace" else "left")
    totals = 0
    for direction in ("back", "forward"):
        for kind in KINDS:
            chosen = rng.sample(picked[kind], min(items, len(picked[kind])))
            walks, databases, lookups, calls = [], [], [], []
            for identifier in chosen:
                _trace(factory, identifier, direction)  # warm the caches once
                best = float("inf")
                for _ in range(repeat):
                    start = time.perf_counter()
                    _trace(factory, identifier, direction)
                    best = min(best, time.perf_counter() - start)
                walks.append(best * 1000)
                sent = _statements(engine, factory, identifier, direction)
                databases.append(_database_ms(engine, sent, repeat))
                lookups.append(
                    min(
                        trace._time_lookup(factory, identifier_key(identifier))
                        for _ in range(repeat)
                    )
                )
                calls.append(_calls(factory, identifier, direction))
            totals += sum(calls)
            walk = sorted(walks)[len(walks) // 2]
            database = sorted(databases)[len(databases) // 2]
            look = sorted(lookups)[len(lookups) // 2]
            table.add_row(
                f"{direction}: {'water lot' if kind == 'lot' else kind}",
                str(len(chosen)),
                f"{walk:.2f}",
                f"{database:.2f}",
                f"{look:.2f}",
                f"{walk / look:.0f}",
                f"{database / look:.0f}",
                f"{sorted(calls)[len(calls) // 2]:,}",
            )
    trace.console.print(table)
    trace.console.print(f"Python calls, all traces: {totals:,}")


def main(backend: str, *, events: int, items: int, repeat: int, keep: Path | None) -> None:
    if keep is not None and backend == "sqlite":
        samples = keep.with_suffix(keep.suffix + ".json")
        url = f"sqlite:///{keep.resolve()}"
        if not (keep.exists() and samples.exists()):
            samples.write_text(json.dumps(_build(url, events)))
        picked = json.loads(samples.read_text())
        context = nullcontext(url)
    else:
        context = database(backend, keep=False)
        picked = {}
    with context as url:
        if not picked:
            picked = _build(url, events)
        engine = make_engine(url)
        try:
            measure(engine, picked, items, repeat)
        finally:
            engine.dispose()
