"""Genealogy reachability in one recursive query (decision 0045).

``reach`` is a ``WITH RECURSIVE`` common table expression of (identifier, mode) pairs: the
start identifiers, then everything one step from a pair already in it, over the same links
the walk follows (``genealogy``'s module docstring):

- aggregation: a child reaches its parent as a carrier; a parent not reached as a carrier
  reaches its children in its own mode;
- transformation: back, an output reaches the inputs of its event and of every event
  sharing its ``transformationID``; forward, an input reaches the outputs;
- lot membership (``trace_lot_item``): back, an item reaches its lots and a lot the inputs
  of the transformations that made its items; forward, a lot reaches its items.

Time windows are left out here: the set is a superset of what the walk reaches, which the
walk then follows in memory with its intervals, windows, depth and size limits. So a trace
costs a fixed number of statements whatever its depth: the statements below each carry the
recursion, and the database, not the application, walks from level to level.

UNION (not UNION ALL) keeps each pair once, so cycles end. SQLite (3.34 and later) takes one
recursive SELECT per kind of link; PostgreSQL allows a single reference to the CTE in its
recursive term, so there the kinds of link are a LATERAL union joined once to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from plateau.trace.epcis.models import MAX_URI_LENGTH, EpcisEvent, EpcisEventEpc
from plateau.trace.lineage.models import TraceLotItem

AGGREGATION = "AggregationEvent"
TRANSFORMATION = "TransformationEvent"
CHILD_ROLES = ("child", "child_quantity_class")
INPUT_ROLES = ("input", "input_quantity_class")
OUTPUT_ROLES = ("output", "output_quantity_class")

# Start pairs per statement: SQLite allows 500 terms in a compound SELECT.
MAX_SEEDS = 200

MODE = String(16)

Visible = Callable[[type[EpcisEvent]], ColumnElement[bool]]


def visible_of(condition: ColumnElement[bool]) -> Visible:
    """Return a test of whether an alias of ``epcis_event`` is visible, given ``condition``
    on ``EpcisEvent`` (the reader's scope and live events), as a correlated EXISTS on the
    primary key (an index lookup per row, never the set of every visible event)."""

    def visible(event: type[EpcisEvent]) -> ColumnElement[bool]:
        return exists(select(literal(1)).where(EpcisEvent.id == event.id, condition))

    return visible


def everything(event: type[EpcisEvent]) -> ColumnElement[bool]:
    """The test of a reader who may see every event: no condition at all."""
    return true()


def _flow(mode: Any, have: Any, other: Any) -> Any:
    """Back from an output to the inputs, forward from an input to the outputs."""
    return or_(
        and_(mode == "back", among(have, OUTPUT_ROLES), among(other, INPUT_ROLES)),
        and_(mode == "forward", among(have, INPUT_ROLES), among(other, OUTPUT_ROLES)),
    )


def _branches(key: ColumnElement[str], mode: ColumnElement[str], visible: Visible) -> list[Any]:
    """One SELECT per kind of link from the pair (``key``, ``mode``), without its FROM."""
    m1 = aliased(EpcisEventEpc, name="m1")
    m2 = aliased(EpcisEventEpc, name="m2")
    e1 = aliased(EpcisEvent, name="e1")
    e2 = aliased(EpcisEvent, name="e2")
    lot = aliased(TraceLotItem, name="lot")
    aggregation = (
        select(
            m2.epc.label("key"),
            cast(case((among(m1.role, CHILD_ROLES), "carrier"), else_=mode), MODE).label("mode"),
        )
        .join(e1, e1.id == m1.event_id)
        .join(m2, m2.event_id == e1.id)
        .where(
            m1.epc == key,
            e1.event_type == AGGREGATION,
            m2.epc != key,
            or_(
                and_(among(m1.role, CHILD_ROLES), m2.role == "parent"),
                and_(m1.role == "parent", mode != "carrier", among(m2.role, CHILD_ROLES)),
            ),
            visible(e1),
        )
    )
    same_event = (
        select(m2.epc.label("key"), cast(mode, MODE).label("mode"))
        .join(e1, e1.id == m1.event_id)
        .join(m2, m2.event_id == e1.id)
        .where(m1.epc == key, m2.epc != key, _flow(mode, m1.role, m2.role), visible(e1))
    )
    same_transformation = (
        select(m2.epc.label("key"), cast(mode, MODE).label("mode"))
        .join(e1, e1.id == m1.event_id)
        .join(e2, and_(e2.transformation_id == e1.transformation_id, e2.id != e1.id))
        .join(m2, m2.event_id == e2.id)
        .where(
            m1.epc == key,
            e1.transformation_id.is_not(None),
            m2.epc != key,
            _flow(mode, m1.role, m2.role),
            visible(e1),
            visible(e2),
        )
    )
    # A lot is an output of the transformations that made its items (the lot index says which).
    lot_made_by = (
        select(m2.epc.label("key"), cast(literal("back"), MODE).label("mode"))
        .join(e1, e1.id == lot.event_id)
        .join(m2, m2.event_id == e1.id)
        .where(
            lot.lot_key == key,
            mode == "back",
            e1.event_type == TRANSFORMATION,
            among(m2.role, INPUT_ROLES),
            m2.epc != key,
            visible(e1),
        )
    )
    lot_made_with = (
        select(m2.epc.label("key"), cast(literal("back"), MODE).label("mode"))
        .join(e1, e1.id == lot.event_id)
        .join(e2, and_(e2.transformation_id == e1.transformation_id, e2.id != e1.id))
        .join(m2, m2.event_id == e2.id)
        .where(
            lot.lot_key == key,
            mode == "back",
            e1.event_type == TRANSFORMATION,
            e1.transformation_id.is_not(None),
            among(m2.role, INPUT_ROLES),
            m2.epc != key,
            visible(e1),
            visible(e2),
        )
    )
    # Lot membership is not an event of the reader's: the walk follows it whoever captured.
    lots_of_item = select(
        lot.lot_key.label("key"), cast(literal("back"), MODE).label("mode")
    ).where(lot.item_key == key, mode == "back")
    items_of_lot = select(
        lot.item_key.label("key"), cast(literal("forward"), MODE).label("mode")
    ).where(lot.lot_key == key, mode == "forward")
    return [
        aggregation.select_from(m1),
        same_event.select_from(m1),
        same_transformation.select_from(m1),
        lot_made_by.select_from(lot),
        lot_made_with.select_from(lot),
        lots_of_item,
        items_of_lot,
    ]


def _seed_key(dialect: str, n: int) -> ColumnElement[str]:
    """Start identifier ``n`` (parameter ``seed_key_<n>``) typed as the index column (length,
    and collation "C" on PostgreSQL)."""
    typed = cast(bindparam(f"seed_key_{n}", type_=String), String(MAX_URI_LENGTH))
    return typed.collate("C") if dialect == "postgresql" else typed


def seed_params(seeds: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Return the parameters of :func:`reach_cte`'s start pairs."""
    params: dict[str, str] = {}
    for n, (key, mode) in enumerate(seeds):
        params[f"seed_key_{n}"] = key
        params[f"seed_mode_{n}"] = mode
    return params


def reach_cte(dialect: str, seeds: int, visible: Visible, *, name: str = "reach") -> CTE:
    """Return the recursive CTE ``reach(key, mode)`` from ``seeds`` start pairs, given as
    parameters (:func:`seed_params`), so that one statement serves every walk."""
    starts = [
        select(
            _seed_key(dialect, n).label("key"),
            cast(bindparam(f"seed_mode_{n}", type_=String), MODE).label("mode"),
        )
        for n in range(seeds)
    ]
    if len(starts) == 1:
        start = starts[0]
    else:
        seed = union_all(*starts).subquery("seed")
        start = select(seed.c.key, seed.c.mode)
    reach = start.cte(name, recursive=True)
    r = reach.alias("r")
    if dialect == "postgresql":
        step = union_all(*_branches(r.c.key, r.c.mode, visible)).lateral("step")
        return reach.union(select(step.c.key, step.c.mode).select_from(r).join(step, true()))
    branches = _branches(r.c.key, r.c.mode, visible)
    return reach.union(*[b.select_from(r) for b in branches])


def keys_of_pairs(reach: CTE) -> Any:
    """Return the statement reading at most ``pair_limit`` (a parameter) identifiers of
    ``reach``'s pairs (an identifier reached in two modes comes twice): both backends stop
    the recursion once that many are read."""
    return select(reach.c.key).limit(bindparam("pair_limit", type_=Integer))


def param_set(dialect: str, name: str, type_: Any = None) -> Any:
    """Return a one-column (``value``) FROM of values sent as a single parameter
    (:func:`param_list`), however many: PostgreSQL unnests an array, SQLite reads a JSON
    array with ``json_each``. Either planner knows the list's length when it plans (unlike
    a CTE's), and no statement grows with the list."""
    type_ = type_ if type_ is not None else String()
    if dialect == "postgresql":
        values = (
            func.unnest(bindparam(name, type_=postgresql.ARRAY(type_)))
            .table_valued("value")
            .render_derived(name=f"{name}_set")
        )
        return select(values.c.value).subquery(f"{name}_list")
    values = func.json_each(bindparam(name, type_=String)).table_valued("value", name=f"{name}_set")
    return select(values.c.value).subquery(f"{name}_list")


_WORD = re.compile(r"[A-Za-z_]+")


def among(column: Any, values: Collection[str]) -> Any:
    """``column IN ('a', 'b')`` with the (constant, code-given) words written into the
    statement: an ``in_`` of a Python list is an *expanding* parameter, which makes every run
    of a cached statement render its SQL text again (SQLAlchemy's post-compile step)."""
    words = sorted(values)
    if not all(_WORD.fullmatch(w) for w in words):
        raise ValueError(f"not plain words: {words}")
    return column.in_([literal_column(f"'{w}'") for w in words])


def param_list(dialect: str, values: Collection[Any]) -> Any:
    """Return the parameter value of :func:`param_set` for ``values``."""
    ordered = sorted(values)
    return ordered if dialect == "postgresql" else json.dumps(ordered, ensure_ascii=False)
