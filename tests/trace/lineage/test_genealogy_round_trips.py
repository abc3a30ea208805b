"""A trace in a fixed number of statements (issue #12): the genealogy's reachability is one
recursive query, so walking twelve levels costs the database as many round trips as two.

Statements are counted with a SQLAlchemy ``before_cursor_execute`` listener, never timed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from plateau.demo import epcis_builders as tw
from plateau.registry.identifiers import make_gtin
from plateau.trace.epcis import access
from plateau.trace.lineage import genealogy
from tests.trace.lineage.test_genealogy_builders import ACME, at, capture

EVERYTHING = access.Scope(everything=True)


@contextmanager
def counting(session: Session) -> Iterator[list[str]]:
    """Record every statement the session's connection sends while the block runs."""
    statements: list[str] = []
    engine = session.connection().engine

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def chain(session: Session, depth: int, tag: str) -> tuple[str, list[str]]:
    """Capture lot 0 → lot 1 → … → lot ``depth`` (transformations), two items of the last
    lot (commissioned with its lot number), packed into a case, the case onto a pallet;
    return the pallet and the lots, oldest first."""
    gtin = make_gtin(f"6901234{tag}0")
    lots = [tw.lot_dl(gtin, f"{tag}-{i}") for i in range(depth + 1)]
    events = [
        tw.transformation_event(
            at(100 - i), inputs=[tw.qty(lots[i - 1], 10.0, "KGM")], outputs=[tw.qty(lots[i], 9.0)]
        )
        for i in range(1, depth + 1)
    ]
    items = [tw.item_dl(gtin, f"{tag}{n}") for n in range(2)]
    events.append(
        tw.object_event(
            at(50),
            step="commissioning",
            epcs=items,
            action="ADD",
            ilmd={"cbvmda:lotNumber": f"{tag}-{depth}"},
        )
    )
    case, pallet = tw.sscc_dl(ACME.sscc()), tw.sscc_dl(ACME.sscc())
    events.append(tw.aggregation_event(at(40), parent=case, children=items))
    events.append(tw.aggregation_event(at(39), parent=pallet, children=[case]))
    capture(session, events)
    return pallet, lots


def _shape(walk: genealogy.Genealogy) -> tuple[Any, ...]:
    return (
        {k: (v.depth, sorted(v.modes)) for k, v in walk.nodes.items()},
        sorted(walk.links),
        sorted(walk.events),
        walk.truncated,
    )


@pytest.mark.parametrize("direction", ["back", "both"])
def test_a_deeper_genealogy_costs_no_more_statements(
    session: Session, direction: genealogy.Direction
) -> None:
    counts = {}
    for depth, tag in ((2, "71"), (12, "72")):
        pallet, lots = chain(session, depth, tag)
        with counting(session) as statements:
            walk = genealogy.walk(session, [pallet], direction=direction, scope=EVERYTHING)
        # The walk went all the way: pallet → case → items → their lot → … → the first lot.
        assert set(lots) <= set(walk.nodes)
        assert walk.nodes[lots[0]].depth == depth + 3
        assert {link.relation for link in walk.links.values()} == {
            "aggregation",
            "lot",
            "transformation",
        }
        counts[depth] = len(statements)
    assert counts[2] == counts[12]
    assert counts[12] <= 3


def test_the_recursive_query_gives_the_walk_level_by_level(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same answer as the level-by-level reads (which need more statements per level)."""
    pallet, lots = chain(session, 6, "73")
    with counting(session) as once:
        recursive = genealogy.walk(session, [pallet], direction="both", scope=EVERYTHING)
        forward = genealogy.walk(session, [lots[0]], direction="forward", scope=EVERYTHING)
    monkeypatch.setattr(genealogy, "PREFETCH_FACTOR", 0)
    with counting(session) as levels:
        stepwise = genealogy.walk(session, [pallet], direction="both", scope=EVERYTHING)
        stepwise_forward = genealogy.walk(session, [lots[0]], direction="forward", scope=EVERYTHING)
    assert _shape(recursive) == _shape(stepwise)
    assert _shape(forward) == _shape(stepwise_forward)
    assert pallet in forward.nodes
    assert len(once) < len(levels)


def test_the_recursive_query_follows_the_readers_scope(session: Session) -> None:
    """Events the reader may not see link nothing, in the recursive query as in the walk."""
    pallet, _ = chain(session, 3, "74")
    nobody = access.Scope(enterprises=frozenset({"91540000MA6T000000"}))
    walk = genealogy.walk(session, [pallet], direction="back", scope=nobody)
    assert set(walk.nodes) == {pallet}
    assert not walk.events
