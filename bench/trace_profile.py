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

from rich.table import Table as RichTable
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench import trace
from bench.monitoring import database, planner_statistics
from plateau.auth.schemas import SYSTEM
from plateau.db import make_engine
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


def _trace(engine: Engine, identifier: str, direction: str) -> None:
    with Session(engine) as session:
        lineage_service.trace(
            session,
            identifier=identifier,
            direction=direction,
            actor=SYSTEM,  # type: ignore[arg-type]
        )


def _calls(engine: Engine, identifier: str, direction: str) -> int:
    profile = cProfile.Profile()
    profile.enable()
    _trace(engine, identifier, direction)
    profile.disable()
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def measure(engine: Engine, picked: dict[str, list[str]], items: int, repeat: int) -> None:
    rng = random.Random(trace.SEED + 3)
    table = RichTable(title=f"trace per item: best of {repeat} (ms), Python calls of one trace")
    for col in ("trace", "items", "trace ms", "lookup ms", "ratio", "calls"):
        table.add_column(col, justify="right" if col != "trace" else "left")
    totals = 0
    for direction in ("back", "forward"):
        for kind in KINDS:
            chosen = rng.sample(picked[kind], min(items, len(picked[kind])))
            walks, lookups, calls = [], [], []
            for identifier in chosen:
                _trace(engine, identifier, direction)  # warm the caches once
                best = float("inf")
                for _ in range(repeat):
                    start = time.perf_counter()
                    _trace(engine, identifier, direction)
                    best = min(best, time.perf_counter() - start)
                walks.append(best * 1000)
                lookups.append(
                    min(
                        trace._time_lookup(engine, identifier_key(identifier))
                        for _ in range(repeat)
                    )
                )
                calls.append(_calls(engine, identifier, direction))
            totals += sum(calls)
            walk = sorted(walks)[len(walks) // 2]
            look = sorted(lookups)[len(lookups) // 2]
            table.add_row(
                f"{direction}: {'water lot' if kind == 'lot' else kind}",
                str(len(chosen)),
                f"{walk:.2f}",
                f"{look:.2f}",
                f"{walk / look:.0f}",
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
