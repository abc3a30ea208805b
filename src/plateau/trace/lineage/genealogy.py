"""Genealogy: trace back and forward from any item, lot, case or pallet.

The walk is a level-by-level breadth-first search over the repository's index tables
(``epcis_event_epc`` joined to ``epcis_event``): each level costs a handful of indexed
``IN (…)`` lookups for all the identifiers of the frontier at once, never a query per
event and never a parse of event JSON. Depth and size are bounded and every identifier is
visited at most once per mode and time window, so cycles end.

What links one identifier to another:

- aggregation (``AggregationEvent``): a child is inside its parent from an ADD (or an
  OBSERVE) until a DELETE that names it, or a DELETE of the parent that names no child.
  Containment is a time interval, so a pallet that is unpacked and reused carries only
  what was on it at the time;
- transformation (``TransformationEvent``, or events sharing a ``transformationID``):
  inputs (EPCs and quantity classes) become outputs;
- lot membership: an item (SGTIN) belongs to a lot (LGTIN) when its commissioning said so
  (ILMD ``lotNumber``); :func:`refresh_index` keeps that link in ``trace_lot_item``.

Each identifier is reached in one of three modes:

- ``back``: where it came from — its lot, the inputs of the transformation that made it,
  what was packed into it (before it was unpacked), and so on up to the raw material;
- ``forward``: where it went — the outputs it was transformed into, the items of a lot,
  and what was packed into it afterwards;
- ``carrier``: a case or pallet reached because something travelled inside it. A carrier
  contributes its events while the traced object was inside, and its own carriers, but
  never its other contents (a bottle's trace must not fan out to every bottle on the same
  pallet).

Whatever the mode, an object's own carriers are followed: the journey of a bottle is the
journey of its case and pallet. Events declared erroneous (an error declaration with the
same event hash) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from plateau.db import plan_once, utcnow
from plateau.registry.identifiers import IdentifierError
from plateau.trace import identifiers
from plateau.trace.epcis.access import Scope
from plateau.trace.epcis.models import (
    MAX_URI_LENGTH,
    EpcisEvent,
    EpcisEventEpc,
)
from plateau.trace.lineage import reach
from plateau.trace.lineage.models import TraceIndexState, TraceLotItem

Direction = Literal["back", "forward", "both"]
Mode = Literal["back", "forward", "carrier"]
Window = tuple[datetime, datetime]

MIN_TIME = datetime.min.replace(tzinfo=UTC)
MAX_TIME = datetime.max.replace(tzinfo=UTC)
FULL: Window = (MIN_TIME, MAX_TIME)
DEFAULT_DEPTH = 40
DEFAULT_MAX_NODES = 20_000
# Pairs (identifier, mode) the recursive query may reach before the walk reads level by level.
PREFETCH_FACTOR = 4
# Identifiers per IN (…) list: well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500

CHILD_ROLES = frozenset({"child", "child_quantity_class"})
INPUT_ROLES = frozenset({"input", "input_quantity_class"})
OUTPUT_ROLES = frozenset({"output", "output_quantity_class"})
CLASS_ROLES = frozenset(
    {"quantity_class", "child_quantity_class", "input_quantity_class", "output_quantity_class"}
)
AGGREGATION = "AggregationEvent"
TRANSFORMATION = "TransformationEvent"
LOT_INDEX = "lot_item"


class Ev(NamedTuple):
    """The indexed columns of one event (no JSON). A tuple: a trace makes hundreds."""

    id: int
    event_id: str
    event_type: str
    action: str | None
    time: datetime
    offset: str
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    transformation_id: str | None
    enterprise: str | None


class Member(NamedTuple):
    """One identifier of an event, in a role, with its quantity for classes."""

    event: int
    epc: str
    role: str
    quantity: float | None
    uom: str | None


@dataclass(frozen=True)
class Interval:
    """A child inside a parent from ``start`` to ``end`` (MAX_TIME while still inside)."""

    child: str
    parent: str
    start: datetime
    end: datetime
    event: int
    quantity: float | None
    uom: str | None


@dataclass(frozen=True)
class Link:
    """An edge of the genealogy, in the direction goods flow (upstream → downstream).

    ``aggregation``: source (child) was packed into target (parent) from start to end;
    ``transformation``: source (input) became target (output) at start;
    ``lot``: source (lot) includes target (item).
    """

    source: str
    target: str
    relation: str
    event: int
    start: datetime | None
    end: datetime | None
    quantity: float | None = None
    uom: str | None = None


@dataclass
class Visit:
    """An identifier the walk reached: how deep, in which modes, over which time windows."""

    key: str
    depth: int
    modes: set[str] = field(default_factory=set)
    windows: list[Window] = field(default_factory=list)

    def covers(self, moment: datetime) -> bool:
        return any(start <= moment <= end for start, end in self.windows)


@dataclass
class Genealogy:
    """The answer of a walk: identifiers, links and the events that concern them."""

    start: list[str]
    direction: Direction
    nodes: dict[str, Visit] = field(default_factory=dict)
    links: dict[tuple[str, str, str, int], Link] = field(default_factory=dict)
    events: dict[int, Ev] = field(default_factory=dict)
    # event row id -> (identifier, role) pairs of the reached identifiers it is about
    subjects: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    # event row id -> quantity-class rows of it (for quantities in recall rows)
    quantities: dict[int, list[Member]] = field(default_factory=dict)
    # eventID of every event a link refers to (some fall outside the reached windows)
    event_ids: dict[int, str] = field(default_factory=dict)
    truncated: bool = False

    def sorted_events(self) -> list[Ev]:
        return sorted(self.events.values(), key=lambda e: (e.time, e.id))

    def add_link(self, link: Link) -> None:
        self.links.setdefault((link.source, link.target, link.relation, link.event), link)


@dataclass(frozen=True)
class _State:
    key: str
    mode: Mode
    window: Window
    depth: int


@lru_cache(maxsize=1)
def live_events() -> ColumnElement[bool]:
    """Return the condition selecting events that stand: neither an error declaration
    nor an event whose hash has one (one expression, built once)."""
    declared = aliased(EpcisEvent)
    return and_(
        EpcisEvent.declared.is_(False),
        ~exists().where(declared.event_hash == EpcisEvent.event_hash, declared.declared.is_(True)),
    )


def chunks(values: Iterable[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    """Yield sorted slices of ``values`` small enough for one IN (…) list."""
    items = sorted(set(values))
    for i in range(0, len(items), size):
        yield items[i : i + size]


# The identifier rows joined to their events under another name: a reader's scope
# (``access.Scope.events``) filters with EXISTS on ``epcis_event_epc``, which must correlate
# with ``epcis_event`` only.
Epc = aliased(EpcisEventEpc, name="epc_row")

_EVENT_COLUMNS = (
    EpcisEvent.id,
    EpcisEvent.event_id,
    EpcisEvent.event_type,
    EpcisEvent.action,
    EpcisEvent.event_time,
    EpcisEvent.event_time_offset,
    EpcisEvent.biz_step,
    EpcisEvent.disposition,
    EpcisEvent.read_point,
    EpcisEvent.biz_location,
    EpcisEvent.transformation_id,
    EpcisEvent.captured_by_enterprise,
)


def _ev(row: Sequence[Any]) -> Ev:
    return Ev(*row[:12])


# What the second statement of :meth:`_Store.prefetch` returns, one tag per kind of row.
_EVENT, _MEMBER, _ITEM_LOT, _LOT_ITEM = "emil"


@lru_cache(maxsize=256)
def _reach_statement(dialect: str, seeds: int, scope: Scope) -> Any:
    """Return the recursive statement of :meth:`_Store.prefetch` for ``seeds`` start pairs
    and a reader's scope, built once (building it costs more than running it)."""
    # The reader's scope bounds where the recursion may go. Error declarations are rare and
    # only ever remove links: leaving them to the second statement keeps this one a superset
    # (all the walk needs) and, for readers who see everything, free of per-row EXISTS.
    visible = reach.everything if scope.everything else reach.visible_of(scope.events())
    return reach.keys_of_pairs(reach.reach_cte(dialect, seeds, visible))


@lru_cache(maxsize=64)
def _about_statement(dialect: str, scope: Scope) -> Any:
    """Return the statement reading everything a walk needs about a set of identifiers
    (parameter ``keys``, :func:`reach.key_set`), built once per backend and scope.

    One UNION ALL of tagged rows: tag, event row id, the columns of a child row (``a``,
    ``b``, ``q``, ``u``), then the other indexed columns of an event row:

    - ``e``: the visible events about the identifiers, those that made their lots' items,
      and every event sharing a transformationID with one of them;
    - ``m``: their identifiers (every member of aggregations and transformations; the
      given identifiers' rows of other events) — epc, role, quantity, uom;
    - ``i`` / ``l``: lot index rows of the identifiers as items / as lots — item, lot (and
      for ``l`` the event that made the item).
    """
    visible = and_(scope.events(), live_events())
    # Three lists, so that each planner knows how many rows each lookup starts from: every
    # identifier, those that are lots, those that are items (only they are in the lot index).
    given = select(reach.param_set(dialect, "keys").c.value)
    lots = select(reach.param_set(dialect, "lots").c.value)
    items = select(reach.param_set(dialect, "items").c.value)
    lot_a, lot_b = aliased(TraceLotItem, name="lot_a"), aliased(TraceLotItem, name="lot_b")
    about = union(
        select(Epc.event_id.label("id")).where(Epc.epc.in_(given)),
        select(lot_b.event_id).where(lot_b.lot_key.in_(lots)),
    ).cte("about")
    first, sibling = aliased(EpcisEvent, name="first"), aliased(EpcisEvent, name="sibling")
    related = union(
        select(about.c.id),
        select(sibling.id)
        .select_from(about)
        .join(first, first.id == about.c.id)
        .join(sibling, sibling.transformation_id == first.transformation_id)
        .where(first.transformation_id.is_not(None)),
    ).cte("related")
    seen = (
        select(*_EVENT_COLUMNS)
        .select_from(related)
        .join(EpcisEvent, EpcisEvent.id == related.c.id)
        .where(visible)
        .cte("seen")
    )
    text, number = String(MAX_URI_LENGTH), Float()
    event_nulls = [cast(null(), column.type) for column in _EVENT_COLUMNS[1:]]

    def child(tag: str, event_id: Any, a: Any, b: Any, q: Any = None, u: Any = None) -> Any:
        return select(
            literal(tag, String(1)),
            event_id,
            cast(a, text),
            cast(b, text),
            cast(q if q is not None else null(), number),
            cast(u if u is not None else null(), text),
            *event_nulls,
        )

    member = aliased(EpcisEventEpc, name="member")
    events = select(
        literal(_EVENT, String(1)),
        seen.c.id,
        cast(null(), text),
        cast(null(), text),
        cast(null(), number),
        cast(null(), text),
        *list(seen.c)[1:],
    )
    return union_all(
        events,
        child(_MEMBER, seen.c.id, member.epc, member.role, member.quantity, member.uom)
        .select_from(seen)
        .join(member, member.event_id == seen.c.id)
        .where(
            or_(
                reach.among(seen.c.event_type, (AGGREGATION, TRANSFORMATION)), member.epc.in_(given)
            )
        ),
        child(_ITEM_LOT, cast(null(), Integer), lot_a.item_key, lot_a.lot_key).where(
            lot_a.item_key.in_(items)
        ),
        child(_LOT_ITEM, lot_b.event_id, lot_b.item_key, lot_b.lot_key).where(
            lot_b.lot_key.in_(lots)
        ),
    )


class _Store:
    """What the walk has read so far, and the batched lookups that read more."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self.session = session
        self.scope = scope
        self.visible = and_(scope.events(), live_events())
        self.touched: dict[str, list[Member]] = {}
        self.events: dict[int, Ev] = {}
        self.members: dict[int, list[Member]] = {}
        self.tids: dict[str, list[int]] = {}
        self.lots_of_item: dict[str, set[str]] = {}
        self.items_of_lot: dict[str, set[str]] = {}
        self._item_done: set[str] = set()
        self._lot_done: set[str] = set()
        self._containment: dict[str, list[Interval]] = {}

    def prefetch(self, keys: Sequence[str], modes: Sequence[Mode], *, limit: int) -> bool:
        """Read everything a walk from ``keys`` can need in two statements, whatever its
        depth: the identifiers the recursive query reaches, then (given as parameters) the
        events about them with every member of their aggregations and transformations, and
        their lot index rows.

        Return False, having read nothing into the store, when there are too many start
        pairs or the reachable set passes ``limit`` pairs; the walk then reads level by
        level as before. What is read is complete for each reached identifier, so the walk
        gives the same answer either way."""
        seeds = [(k, m) for k in dict.fromkeys(keys) for m in modes]
        if not seeds or len(seeds) > reach.MAX_SEEDS:
            return False
        dialect = self.session.get_bind().dialect.name
        params: dict[str, Any] = {**reach.seed_params(seeds), "pair_limit": limit + 1}
        # Core statements on the session's connection: no ORM entities to load.
        connection = self.session.connection()
        found = connection.execute(
            _reach_statement(dialect, len(seeds), self.scope), params
        ).scalars()
        pairs = found.all()
        if len(pairs) > limit:
            return False
        reached = set(pairs)
        # Lot keys carry AI 10 and item keys AI 21 (a key with both is in both lists, which
        # costs an index probe, never an answer).
        rows = connection.execute(
            _about_statement(dialect, self.scope),
            {
                "keys": reach.param_list(dialect, reached),
                "lots": reach.param_list(dialect, [k for k in reached if "/10/" in k]),
                "items": reach.param_list(dialect, [k for k in reached if "/21/" in k]),
            },
        ).all()
        events = self.events
        children: list[Any] = []
        for row in rows:
            if row[0] == _EVENT:
                events[row[1]] = Ev(row[1], *row[6:])
            else:
                children.append(row)
        tids = self.tids
        for ev in sorted(events.values(), key=lambda e: e.id):
            if ev.event_type in (AGGREGATION, TRANSFORMATION):
                self.members[ev.id] = []
            if ev.transformation_id is not None:
                tids.setdefault(ev.transformation_id, []).append(ev.id)
        touched = self.touched
        for key in reached:
            touched[key] = []
        members = self.members
        made: set[tuple[str, int]] = set()
        for row in children:
            tag, event_id, a, b, q, u = row[:6]
            if tag == _MEMBER:
                m = Member(event_id, a, b, q, u)
                group = members.get(event_id)
                if group is not None:
                    group.append(m)
                if a in reached:
                    touched[a].append(m)
            elif tag == _ITEM_LOT:
                self.lots_of_item.setdefault(a, set()).add(b)
            elif tag == _LOT_ITEM:
                self.items_of_lot.setdefault(b, set()).add(a)
                made.add((b, event_id))
        for lot, event_id in sorted(made):
            maker = events.get(event_id)
            if maker is not None and lot in reached:
                role = "output" if maker.event_type == TRANSFORMATION else "epc"
                touched[lot].append(Member(maker.id, lot, role, None, None))
        self._item_done.update(reached)
        self._lot_done.update(reached)
        return True

    def touch(self, keys: Iterable[str]) -> None:
        """Read every visible event about ``keys`` (in any role)."""
        todo = [k for k in set(keys) if k not in self.touched]
        if not todo:
            return
        for key in todo:
            self.touched[key] = []
        for chunk in chunks(todo):
            stmt = (
                select(
                    *_EVENT_COLUMNS,
                    Epc.epc,
                    Epc.role,
                    Epc.quantity,
                    Epc.uom,
                )
                .join(EpcisEvent, EpcisEvent.id == Epc.event_id)
                .where(Epc.epc.in_(chunk), self.visible)
            )
            for row in self.session.execute(stmt):
                ev = self.events.get(row[0]) or _ev(row)
                self.events[ev.id] = ev
                self.touched[row[12]].append(Member(ev.id, row[12], row[13], row[14], row[15]))
        # A lot of serialised items is made by the events that made its items (the lot index
        # remembers them): to the walk, the lot is an output of those events.
        lots = [k for k in todo if key_parts(k).kind == "lot"]
        for chunk in chunks(lots):
            stmt = (
                select(*_EVENT_COLUMNS, TraceLotItem.lot_key)
                .join(EpcisEvent, EpcisEvent.id == TraceLotItem.event_id)
                .where(TraceLotItem.lot_key.in_(chunk), self.visible)
                .distinct()
            )
            for row in self.session.execute(stmt):
                ev = self.events.get(row[0]) or _ev(row)
                self.events[ev.id] = ev
                role = "output" if ev.event_type == TRANSFORMATION else "epc"
                self.touched[row[12]].append(Member(ev.id, row[12], role, None, None))

    def load_members(self, event_ids: Iterable[int]) -> None:
        """Read every identifier of the given events."""
        todo = [i for i in set(event_ids) if i not in self.members]
        if not todo:
            return
        for event_id in todo:
            self.members[event_id] = []
        for chunk in chunks(todo):
            stmt = select(
                EpcisEventEpc.event_id,
                EpcisEventEpc.epc,
                EpcisEventEpc.role,
                EpcisEventEpc.quantity,
                EpcisEventEpc.uom,
            ).where(EpcisEventEpc.event_id.in_(chunk))
            for event_id, epc, role, quantity, uom in self.session.execute(stmt):
                self.members[event_id].append(Member(event_id, epc, role, quantity, uom))

    def load_transformations(self, tids: Iterable[str]) -> None:
        """Read the visible events of the given transformation IDs, and their members."""
        todo = [t for t in set(tids) if t not in self.tids]
        if not todo:
            return
        for tid in todo:
            self.tids[tid] = []
        for chunk in chunks(todo):
            stmt = select(*_EVENT_COLUMNS).where(
                EpcisEvent.transformation_id.in_(chunk), self.visible
            )
            for row in self.session.execute(stmt):
                ev = self.events.get(row[0]) or _ev(row)
                self.events[ev.id] = ev
                if ev.transformation_id is not None:
                    self.tids[ev.transformation_id].append(ev.id)
        self.load_members(i for tid in todo for i in self.tids[tid])

    def load_lots(self, items: Iterable[str], lots: Iterable[str]) -> None:
        """Read the lots of ``items`` and the items of ``lots``."""
        items_todo = [k for k in set(items) if k not in self._item_done]
        lots_todo = [k for k in set(lots) if k not in self._lot_done]
        if not (items_todo or lots_todo):
            return
        self._item_done.update(items_todo)
        self._lot_done.update(lots_todo)
        for chunk in chunks(items_todo):
            for item, lot in self.session.execute(
                select(TraceLotItem.item_key, TraceLotItem.lot_key).where(
                    TraceLotItem.item_key.in_(chunk)
                )
            ):
                self.lots_of_item.setdefault(item, set()).add(lot)
        for chunk in chunks(lots_todo):
            for item, lot in self.session.execute(
                select(TraceLotItem.item_key, TraceLotItem.lot_key).where(
                    TraceLotItem.lot_key.in_(chunk)
                )
            ):
                self.items_of_lot.setdefault(lot, set()).add(item)

    def parent_of(self, event_id: int) -> str | None:
        return next((m.epc for m in self.members.get(event_id, ()) if m.role == "parent"), None)

    def aggregations_as(self, key: str, roles: frozenset[str] | set[str]) -> list[Ev]:
        found = {
            m.event
            for m in self.touched.get(key, ())
            if m.role in roles and self.events[m.event].event_type == AGGREGATION
        }
        return [self.events[i] for i in found]

    def containment(self, parent: str) -> list[Interval]:
        """Return who was inside ``parent`` and when (``touch`` and members read first)."""
        if parent in self._containment:
            return self._containment[parent]
        events = sorted(self.aggregations_as(parent, {"parent"}), key=lambda e: (e.time, e.id))
        inside: dict[str, tuple[datetime, int, float | None, str | None]] = {}
        intervals: list[Interval] = []
        for ev in events:
            kids = [
                m for m in self.members.get(ev.id, ()) if m.role in CHILD_ROLES and m.epc != parent
            ]
            if ev.action in ("ADD", "OBSERVE"):
                for kid in kids:
                    inside.setdefault(kid.epc, (ev.time, ev.id, kid.quantity, kid.uom))
            elif ev.action == "DELETE":
                names = [k.epc for k in kids] or list(inside)
                for name in names:
                    opened = inside.pop(name, None)
                    if opened is None:
                        # Unpacked without a visible packing: inside since before our records.
                        opened = (MIN_TIME, ev.id, None, None)
                    intervals.append(
                        Interval(name, parent, opened[0], ev.time, opened[1], opened[2], opened[3])
                    )
        for name, (start, event_id, quantity, uom) in inside.items():
            intervals.append(Interval(name, parent, start, MAX_TIME, event_id, quantity, uom))
        self._containment[parent] = intervals
        return intervals

    def group_members(self, event_id: int) -> list[Member]:
        """Return the members of a transformation: its event, or every event of its ID."""
        ev = self.events[event_id]
        if ev.transformation_id and self.tids.get(ev.transformation_id):
            return [m for i in self.tids[ev.transformation_id] for m in self.members.get(i, ())]
        return list(self.members.get(event_id, ()))

    def group_time(self, event_id: int, *, latest: bool) -> datetime:
        ev = self.events[event_id]
        ids = self.tids.get(ev.transformation_id or "", []) or [event_id]
        times = [self.events[i].time for i in ids if i in self.events]
        return max(times) if latest else min(times)


def _overlaps(a: Window, start: datetime, end: datetime) -> bool:
    return start <= a[1] and end >= a[0]


def _covers(outer: Window, inner: Window) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def walk(
    session: Session,
    keys: Sequence[str],
    *,
    direction: Direction,
    scope: Scope,
    max_depth: int = DEFAULT_DEPTH,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Genealogy:
    """Walk the genealogy from ``keys`` (index keys) over the events ``scope`` may see."""
    plan_once(session)
    store = _Store(session, scope)
    result = Genealogy(start=list(keys), direction=direction)
    modes: list[Mode] = ["back", "forward"] if direction == "both" else [direction]
    store.prefetch(keys, modes, limit=int(PREFETCH_FACTOR * max_nodes))
    for mode in modes:
        _walk_mode(store, keys, mode, result, max_depth=max_depth, max_nodes=max_nodes)
    _collect_events(store, result)
    return result


def _walk_mode(
    store: _Store,
    keys: Sequence[str],
    mode: Mode,
    result: Genealogy,
    *,
    max_depth: int,
    max_nodes: int,
) -> None:
    seen: dict[tuple[str, str], Window] = {}
    frontier = [_State(k, mode, FULL, 0) for k in keys]
    while frontier:
        level: list[_State] = []
        for state in frontier:
            previous = seen.get((state.key, state.mode))
            if previous is not None and _covers(previous, state.window):
                continue
            window = state.window
            if previous is not None:
                window = (min(previous[0], window[0]), max(previous[1], window[1]))
            seen[(state.key, state.mode)] = window
            level.append(_State(state.key, state.mode, window, state.depth))
            visit = result.nodes.get(state.key)
            if visit is None:
                visit = result.nodes[state.key] = Visit(state.key, state.depth)
            visit.depth = min(visit.depth, state.depth)
            visit.modes.add(state.mode)
            visit.windows.append(window)
        if not level:
            break
        _read_level(store, level)
        if len(result.nodes) > max_nodes:
            result.truncated = True
            break
        frontier = []
        for state in level:
            if state.depth >= max_depth:
                result.truncated = True
                continue
            frontier.extend(_expand(store, state, result))


def _read_level(store: _Store, level: Sequence[_State]) -> None:
    """Read everything the expansion of one level needs, a few batched queries in all."""
    keys = {s.key for s in level}
    store.touch(keys)
    subjects = {s.key for s in level if s.mode != "carrier"}
    wanted: set[int] = set()
    tids: set[str] = set()
    for key in keys:
        for m in store.touched[key]:
            ev = store.events[m.event]
            if ev.event_type == AGGREGATION and m.role in CHILD_ROLES:
                wanted.add(ev.id)
            elif key in subjects and (m.role in INPUT_ROLES or m.role in OUTPUT_ROLES):
                wanted.add(ev.id)
                if ev.transformation_id:
                    tids.add(ev.transformation_id)
            elif key in subjects and m.role == "parent" and ev.event_type == AGGREGATION:
                wanted.add(ev.id)
    store.load_members(wanted)
    store.load_transformations(tids)
    # The containment history of every parent one step up needs that parent's own events.
    parents = {p for i in wanted if (p := store.parent_of(i)) is not None}
    store.touch(parents)
    store.load_members(ev.id for p in parents for ev in store.aggregations_as(p, {"parent"}))
    items = {s.key for s in level if s.mode == "back"}
    lots = {s.key for s in level if s.mode == "forward"}
    store.load_lots(items, lots)


def _expand(store: _Store, state: _State, result: Genealogy) -> list[_State]:
    out: list[_State] = []
    key, (start, end) = state.key, state.window
    depth = state.depth + 1
    # Carriers: where the object travelled inside something else.
    for ev in store.aggregations_as(key, CHILD_ROLES):
        parent = store.parent_of(ev.id)
        if parent is None or parent == key:
            continue
        for iv in store.containment(parent):
            if iv.child != key or not _overlaps(state.window, iv.start, iv.end):
                continue
            out.append(_State(parent, "carrier", (max(start, iv.start), min(end, iv.end)), depth))
            result.add_link(_containment_link(iv))
    if state.mode == "carrier":
        return out
    # Contents: what was packed into it.
    for iv in store.containment(key):
        if not _overlaps(state.window, iv.start, iv.end):
            continue
        window = (
            (MIN_TIME, min(iv.end, end))
            if state.mode == "back"
            else (max(iv.start, start), MAX_TIME)
        )
        out.append(_State(iv.child, state.mode, window, depth))
        result.add_link(_containment_link(iv))
    # Transformations.
    done: set[str] = set()
    for m in store.touched.get(key, ()):
        ev = store.events[m.event]
        group = ev.transformation_id or str(ev.id)
        if state.mode == "back" and m.role in OUTPUT_ROLES:
            moment = store.group_time(ev.id, latest=True)
            if moment > end or group in done:
                continue
            done.add(group)
            for other in store.group_members(ev.id):
                if other.role in INPUT_ROLES and other.epc != key:
                    out.append(_State(other.epc, "back", (MIN_TIME, moment), depth))
                    result.add_link(
                        Link(
                            other.epc,
                            key,
                            "transformation",
                            other.event,
                            moment,
                            None,
                            other.quantity,
                            other.uom,
                        )
                    )
        elif state.mode == "forward" and m.role in INPUT_ROLES:
            moment = store.group_time(ev.id, latest=False)
            if moment < start or group in done:
                continue
            done.add(group)
            for other in store.group_members(ev.id):
                if other.role in OUTPUT_ROLES and other.epc != key:
                    out.append(_State(other.epc, "forward", (moment, MAX_TIME), depth))
                    # The quantity of a transformation link is what went in.
                    result.add_link(
                        Link(
                            key,
                            other.epc,
                            "transformation",
                            other.event,
                            moment,
                            None,
                            m.quantity,
                            m.uom,
                        )
                    )
    # Lots.
    if state.mode == "back":
        for lot in sorted(store.lots_of_item.get(key, ())):
            out.append(_State(lot, "back", (MIN_TIME, end), depth))
            result.add_link(Link(lot, key, "lot", 0, None, None))
    else:
        for item in sorted(store.items_of_lot.get(key, ())):
            out.append(_State(item, "forward", (start, MAX_TIME), depth))
            result.add_link(Link(key, item, "lot", 0, None, None))
    return out


def _containment_link(iv: Interval) -> Link:
    return Link(
        iv.child,
        iv.parent,
        "aggregation",
        iv.event,
        None if iv.start == MIN_TIME else iv.start,
        None if iv.end == MAX_TIME else iv.end,
        iv.quantity,
        iv.uom,
    )


def _collect_events(store: _Store, result: Genealogy) -> None:
    """Keep the events of each reached identifier that fall in one of its windows."""
    for key, visit in result.nodes.items():
        for m in store.touched.get(key, ()):
            ev = store.events[m.event]
            if visit.covers(ev.time):
                result.events[ev.id] = ev
                result.subjects.setdefault(ev.id, set()).add((key, m.role))
    # The identifier rows of events whose members were not all read, by event, gathered in
    # one pass (not one pass over every row read per event).
    touched_by_event: dict[int, list[Member]] | None = None
    for event_id in result.events:
        rows = store.members.get(event_id)
        if rows is None:
            if touched_by_event is None:
                touched_by_event = {}
                for ms in store.touched.values():
                    for m in ms:
                        touched_by_event.setdefault(m.event, []).append(m)
            rows = touched_by_event.get(event_id, [])
        result.quantities[event_id] = [m for m in rows if m.role in CLASS_ROLES]
    for link in result.links.values():
        linked = store.events.get(link.event)
        if linked is not None:
            result.event_ids[linked.id] = linked.event_id


# --- identifiers ----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyParts:
    """What a GS1 index key names: kind and the GS1 values inside it."""

    kind: str  # item | lot | product | container | location | party | asset | other
    gtin: str | None = None
    lot: str | None = None
    serial: str | None = None
    sscc: str | None = None
    gln: str | None = None


# The canonical forms of the keys a trace meets most (a GTIN with a lot and/or serial, an
# SSCC), in characters that need no escaping: read without the full Digital Link parser,
# which would give the same answer at ten times the cost.
_PLAIN = r"[A-Za-z0-9._-]{1,20}"
_SIMPLE_KEY = re.compile(
    re.escape(identifiers.CANONICAL_HOST)
    + rf"/(?:01/(?P<gtin>\d{{14}})(?:/10/(?P<lot>{_PLAIN}))?(?:/21/(?P<serial>{_PLAIN}))?"
    + r"|00/(?P<sscc>\d{18}))"
)


# A trace asks for every node, and recall and mass balance again: keep the answers.
@lru_cache(maxsize=16_384)
def key_parts(key: str) -> KeyParts:
    """Tell what an index key names (a canonical Digital Link, or another URI)."""
    simple = _SIMPLE_KEY.fullmatch(key)
    if simple is not None:
        gtin, lot, serial, sscc = simple.group("gtin", "lot", "serial", "sscc")
        if sscc is not None:
            return KeyParts("container", sscc=sscc)
        if serial is not None:
            return KeyParts("item", gtin=gtin, serial=serial, lot=lot)
        if lot is not None:
            return KeyParts("lot", gtin=gtin, lot=lot)
        return KeyParts("product", gtin=gtin)
    try:
        link = identifiers.parse_digital_link(key, verify=False)
    except IdentifierError:
        return KeyParts("other")
    ai, value = link.elements[0]
    if ai == "01":
        serial, lot = link.get("21"), link.get("10")
        if serial is not None:
            return KeyParts("item", gtin=value, serial=serial, lot=lot)
        if lot is not None:
            return KeyParts("lot", gtin=value, lot=lot)
        return KeyParts("product", gtin=value)
    if ai == "00":
        return KeyParts("container", sscc=value)
    if ai == "414":
        return KeyParts("location", gln=value)
    if ai == "417":
        return KeyParts("party", gln=value)
    if ai in ("8003", "8004"):
        return KeyParts("asset")
    return KeyParts("other")


def lot_key(gtin: str, lot: str) -> str:
    """Return the index key of a lot (LGTIN)."""
    return identifiers.DigitalLink((("01", gtin), ("10", lot))).uri()


def item_key(gtin: str, serial: str) -> str:
    """Return the index key of an item (SGTIN)."""
    return identifiers.DigitalLink((("01", gtin), ("21", serial))).uri()


# --- the lot index ----------------------------------------------------------------------


def _lot_number(ilmd: Any) -> str | None:
    if not isinstance(ilmd, dict):
        return None
    for name, value in ilmd.items():
        if (name == "lotNumber" or name.endswith(":lotNumber")) and isinstance(value, str | int):
            text = str(value).strip()
            return text or None
    return None


def _index_key(value: str) -> str:
    try:
        return identifiers.normalize_epc(value, "dl", strict=False)
    except IdentifierError:
        return value


def lot_links(event: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the (item, lot) pairs an event states: ILMD ``lotNumber`` for the items it
    commissions or outputs, or Digital Links that carry both lot and serial."""
    found: list[tuple[str, str]] = []
    lot = _lot_number(event.get("ilmd"))
    lists = ("outputEPCList",) if event.get("type") == TRANSFORMATION else ("epcList",)
    for name in lists:
        values = event.get(name)
        for raw in values if isinstance(values, list) else []:
            if not isinstance(raw, str):
                continue
            key = _index_key(raw)
            parts = key_parts(key)
            if parts.kind != "item" or parts.gtin is None:
                continue
            written_lot = None
            if raw.startswith(("http://", "https://")):
                try:
                    written_lot = identifiers.parse_digital_link(raw, verify=False).get("10")
                except IdentifierError:
                    written_lot = None
            for number in {n for n in (lot, written_lot) if n}:
                found.append((key, lot_key(parts.gtin, number)))
    return found


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), 2_000):
        stmt = insert_fn(TraceLotItem).on_conflict_do_nothing(
            index_elements=["item_key", "lot_key"]
        )
        session.execute(stmt, rows[start : start + 2_000])


def _links_event(event_type: str | None, action: str | None, declared: bool) -> bool:
    return not declared and (
        event_type == TRANSFORMATION or (event_type == "ObjectEvent" and action == "ADD")
    )


def index_captured(
    session: Session, events: Iterable[tuple[int, str | None, str | None, bool, dict[str, Any]]]
) -> int:
    """Add the lot links of newly captured events (id, type, action, declared, JSON) to
    ``trace_lot_item``, in the capture's transaction; return the number of links.

    The index is kept current where events are written, so that no read has to bring it up
    to date (a GET never writes)."""
    links = [
        {"item_key": item, "lot_key": lot, "event_id": event_id}
        for event_id, event_type, action, declared, document in events
        if _links_event(event_type, action, declared)
        for item, lot in lot_links(document or {})
    ]
    _insert_ignoring_duplicates(session, links)
    return len(links)


def refresh_index(session: Session) -> int:
    """Rebuild ``trace_lot_item`` links for events stored past the recorded watermark (a
    maintenance step for events written before capture kept the index, or by bulk loads);
    return the number of links read. Captures index their own events (:func:`index_captured`)."""
    latest = session.scalar(select(func.max(EpcisEvent.id))) or 0
    state = session.get(TraceIndexState, LOT_INDEX)
    done = state.last_event_id if state is not None else 0
    if latest <= done:
        return 0
    found = 0
    cursor = done
    while cursor < latest:
        rows = session.execute(
            select(EpcisEvent.id, EpcisEvent.event_json)
            .where(
                EpcisEvent.id > cursor,
                EpcisEvent.id <= latest,
                EpcisEvent.declared.is_(False),
                (EpcisEvent.event_type == TRANSFORMATION)
                | ((EpcisEvent.event_type == "ObjectEvent") & (EpcisEvent.action == "ADD")),
            )
            .order_by(EpcisEvent.id)
            .limit(1_000)
        ).all()
        if not rows:
            break
        links = [
            {"item_key": item, "lot_key": lot, "event_id": event_id}
            for event_id, document in rows
            for item, lot in lot_links(document or {})
        ]
        _insert_ignoring_duplicates(session, links)
        found += len(links)
        cursor = rows[-1][0]
    if state is None:
        dialect = session.get_bind().dialect.name
        insert_fn = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert_fn(TraceIndexState)
            .values(name=LOT_INDEX, last_event_id=0, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["name"])
        )
    session.execute(
        update(TraceIndexState)
        .where(TraceIndexState.name == LOT_INDEX, TraceIndexState.last_event_id < latest)
        .values(last_event_id=latest, updated_at=utcnow())
    )
    if state is not None:
        session.expire(state)
    return found
