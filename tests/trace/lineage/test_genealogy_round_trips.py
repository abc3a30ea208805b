"""A trace in a fixed number of statements (issue #12): the genealogy's reachability is one
recursive query, so walking twelve levels costs the database as many round trips as two;
and the whole trace (the walk, the events' parties, documents and sensors, the names of
products, enterprises, places, counties and bases) is a small constant number of them.

Statements are counted with a SQLAlchemy ``before_cursor_execute`` listener, never timed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from plateau.auth.schemas import SYSTEM
from plateau.demo import epcis_builders as tw
from plateau.registry.identifiers import make_gtin
from plateau.trace.epcis import access
from plateau.trace.lineage import genealogy
from plateau.trace.lineage import service as lineage_service
from tests.registry.builders import make_enterprise, make_product
from tests.trace.lineage.test_genealogy_builders import ACME, at, capture, place

EVERYTHING = access.Scope(everything=True)
UNKNOWN = "https://id.gs1.org/01/09506000134352/21/never-captured"


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
        {event: sorted(map(repr, rows)) for event, rows in walk.quantities.items()},
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
        settings = [s for s in statements if s.startswith("SET LOCAL")]
        if session.get_bind().dialect.name == "postgresql":
            # One statement of settings first: the walk's statements on their generic plans.
            assert settings == ["SET LOCAL plan_cache_mode = force_generic_plan"]
        else:
            assert settings == []
        counts[depth] -= len(settings)
    assert counts[2] == counts[12] == 2


def test_the_walk_plans_its_statements_once_on_postgresql(engine: Engine) -> None:
    """On PostgreSQL the walk's transaction keeps its prepared statements' generic plans
    (planning the recursive query cost more than running it); the setting ends with the
    transaction, so the connection goes back to the pool as it came."""
    if engine.dialect.name != "postgresql":
        pytest.skip("plan_cache_mode is PostgreSQL's; SQLite's statements have no plan cache")
    show = "SHOW plan_cache_mode"
    with Session(engine) as session:
        assert session.connection().exec_driver_sql(show).scalar() == "auto"
        walk = genealogy.walk(session, [UNKNOWN], direction="back", scope=EVERYTHING)
        assert not walk.events
        assert session.connection().exec_driver_sql(show).scalar() == "force_generic_plan"
        session.rollback()
        assert session.connection().exec_driver_sql(show).scalar() == "auto"


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


def test_a_reachable_set_past_the_limit_is_not_trusted(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut by its limit, the recursive set is dropped and the walk reads level by level:
    more statements, the same answer."""
    pallet, _ = chain(session, 6, "75")
    whole = genealogy.walk(session, [pallet], direction="both", scope=EVERYTHING)
    monkeypatch.setattr(genealogy, "PREFETCH_FACTOR", 10 / genealogy.DEFAULT_MAX_NODES)
    with counting(session) as statements:
        cut = genealogy.walk(session, [pallet], direction="both", scope=EVERYTHING)
    assert len(whole.nodes) > 10
    assert _shape(cut) == _shape(whole)
    assert len(statements) > 2


def named_chain(session: Session, depth: int, n: int) -> tuple[str, list[str], str]:
    """Like :func:`chain`, but everything has a name: a registered enterprise and product,
    the transformations and packing at its registered base (a county, a 专栏4 base), the
    pallet shipped between registered parties with a despatch advice and a temperature
    logger. Return the pallet, the lots (oldest first) and the product's name."""
    owner = make_enterprise(session, n=n, prefecture="540600", name=f"测试牦牛企业{n}")
    name = f"测试牦牛肉干{n}"
    gtin = make_product(session, owner, n=n, name=name).gtin.zfill(14)
    company = tw.Company(f"6903{n:05d}")
    base = place(
        session, company.gln(1), "base", "测试基地", uscc=owner.uscc, county="540602",
        base="yak",
    )  # fmt: skip
    shop = place(session, company.gln(2), "shop", "测试店", region="四川省成都市")
    me = place(session, company.gln(9), "party", "测试牦牛企业", uscc=owner.uscc, party=True)
    lots = [tw.lot_dl(gtin, f"N{n}-{i}") for i in range(depth + 1)]
    events = [
        tw.transformation_event(
            at(100 - i),
            inputs=[tw.qty(lots[i - 1], 10.0, "KGM")],
            outputs=[tw.qty(lots[i], 9.0)],
            read=base,
        )
        for i in range(1, depth + 1)
    ]
    items = [tw.item_dl(gtin, f"N{n}x{k}") for k in range(2)]
    events.append(
        tw.object_event(
            at(50),
            step="commissioning",
            epcs=items,
            action="ADD",
            read=base,
            where=base,
            ilmd={"cbvmda:lotNumber": f"N{n}-{depth}"},
        )
    )
    case, pallet = tw.sscc_dl(ACME.sscc()), tw.sscc_dl(ACME.sscc())
    events.append(tw.aggregation_event(at(40), parent=case, children=items, read=base))
    events.append(tw.aggregation_event(at(39), parent=pallet, children=[case], read=base))
    ship = tw.object_event(
        at(38), step="shipping", epcs=[pallet], read=base, disposition="in_transit",
        documents=[("desadv", tw.bt(company.gln(9), f"D{n}"))],
        sensors=tw.temperature(f"{company.gcp}T1", [(at(38, 10), 4.0), (at(38, 12), 5.0)]),
    )  # fmt: skip
    tw.parties(ship, source=(me, base), destination=(me, shop))
    events.append(ship)
    events.append(tw.object_event(at(37), step="receiving", epcs=[pallet], read=shop, where=shop))
    capture(session, events)
    return pallet, lots, name


@pytest.mark.parametrize("direction", ["back", "both"])
def test_a_whole_trace_is_a_few_statements_whatever_its_depth(
    session: Session, direction: genealogy.Direction
) -> None:
    """Everything the answer shows is read by kind of thing (walk, event details, places,
    counties, bases, prefectures, products, enterprises), never per node or per level."""
    counts = {}
    for depth, n in ((2, 95101), (12, 95102)):
        pallet, lots, name = named_chain(session, depth, n)
        with counting(session) as statements:
            found = lineage_service.trace(
                session, identifier=pallet, direction=direction, actor=SYSTEM
            )
        assert lots[0] in {node.key for node in found.nodes}
        # The names were read: the product in the nodes, the base with its county and
        # prefecture, the registered parties and the enterprise, the shipment's details.
        assert any(name in node.label for node in found.nodes if node.kind == "lot")
        assert found.base is not None and found.base.county and found.base.prefecture
        assert found.county is not None and found.county.prefecture
        assert [e.name for e in found.enterprises] == [f"测试牦牛企业{n}"]
        shipped = next(e for e in found.events if e.biz_step and "shipping" in e.biz_step)
        assert any((s.name or "").startswith("测试牦牛企业") for s in shipped.sources)
        assert any((d.name or "").startswith("测试店") for d in shipped.destinations)
        assert shipped.biz_transactions and shipped.sensor_reports == 2
        # Reads only: on PostgreSQL the walk first sets its plans (the test above).
        counts[depth] = len([s for s in statements if not s.startswith("SET LOCAL")])
    assert counts[2] == counts[12] <= 7, counts
