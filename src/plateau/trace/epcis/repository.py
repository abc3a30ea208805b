"""SQL of the event queries: an :class:`EventQuery` and a reader's scope become one SELECT.

Every condition is an indexed lookup: equality on ``epcis_event`` columns, or EXISTS on an
index table (identifiers, business transactions, sources and destinations, sensor
reports, other values). Identifier prefixes (EPC patterns, SGLN extensions, classes) are
range scans on byte-ordered columns. Pages are keyset pages on (sort column, id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from plateau.trace.epcis.access import Scope
from plateau.trace.epcis.events import format_time, identifier_key, parse_time
from plateau.trace.epcis.models import (
    EpcisEvent,
    EpcisEventBizTransaction,
    EpcisEventEpc,
    EpcisEventSensor,
    EpcisEventSourceDest,
    EpcisEventValue,
    EpcisVocabularyElement,
)
from plateau.trace.epcis.query import MATCH_ROLES_ALL, EventQuery, Matcher, PageToken

_SENSOR_MEASURES = {
    "value": EpcisEventSensor.value,
    "minValue": EpcisEventSensor.min_value,
    "maxValue": EpcisEventSensor.max_value,
    "meanValue": EpcisEventSensor.mean_value,
}
_QUANTITY_ROLES = MATCH_ROLES_ALL["MATCH_anyEPCClass"]
# A GLN's Digital Link with this segment appended names one of its SGLN extensions.
_SGLN_EXTENSION = "/254/"
_GLN_LINK = "https://id.gs1.org/414/"


def _compare(column: Any, op: str, value: Any) -> ColumnElement[bool]:
    condition: ColumnElement[bool]
    if op == "EQ":
        condition = column.in_(value) if isinstance(value, list) else column == value
    elif op == "GT":
        condition = column > value
    elif op == "GE":
        condition = column >= value
    elif op == "LT":
        condition = column < value
    else:
        condition = column <= value
    return condition


def _after(prefix: str) -> str:
    """Return the smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def match(column: InstrumentedAttribute[str] | Any, matcher: Matcher) -> ColumnElement[bool]:
    """Return the condition that ``column`` matches one of the matcher's values."""
    conditions: list[ColumnElement[bool]] = []
    if matcher.exact:
        conditions.append(column.in_(sorted(matcher.exact)))
    for prefix in matcher.prefixes:
        conditions.append(and_(column >= prefix, column < _after(prefix)))
    for pattern in matcher.likes:
        conditions.append(column.like(pattern))
    return or_(*conditions) if conditions else false()


def descendants(session: Session, keys: Iterable[str]) -> set[str]:
    """Return ``keys`` and every location below them in the captured master data."""
    found = set(keys)
    frontier = set(found)
    while frontier:
        rows = session.scalars(
            select(EpcisVocabularyElement.children).where(
                EpcisVocabularyElement.element_id.in_(sorted(frontier))
            )
        )
        children = {c for row in rows for c in (row or []) if isinstance(c, str)}
        frontier = {identifier_key(c) for c in children} - found
        found |= frontier
    return found


def _with_descendants(session: Session, keys: list[str]) -> Matcher:
    found = descendants(session, keys)
    prefixes = tuple(
        k + _SGLN_EXTENSION for k in sorted(found) if k.startswith(_GLN_LINK) and "/254/" not in k
    )
    return Matcher(frozenset(found), prefixes)


def _epc_exists(roles: Sequence[str], matcher: Matcher) -> ColumnElement[bool]:
    # IN (subquery), not a correlated EXISTS: SQLite would otherwise walk every event in id
    # order and probe the identifier table per row instead of starting from its epc index.
    return EpcisEvent.id.in_(
        select(EpcisEventEpc.event_id).where(
            EpcisEventEpc.role.in_(roles),
            match(EpcisEventEpc.epc, matcher),
        )
    )


def _value_exists(field_name: str, values: list[str]) -> ColumnElement[bool]:
    return exists().where(
        EpcisEventValue.event_id == EpcisEvent.id,
        EpcisEventValue.field == field_name,
        EpcisEventValue.value.in_(values),
    )


def conditions(session: Session, query: EventQuery, scope: Scope) -> list[ColumnElement[bool]]:
    """Return every WHERE condition of ``query`` for a reader with ``scope``."""
    where: list[ColumnElement[bool]] = [scope.events()]
    quantity: list[ColumnElement[bool]] = []
    sensor: list[ColumnElement[bool]] = []
    filters: list[tuple[Any, Any]] = [*query.filters.items(), *query.path_filters]
    for name, value in filters:
        if isinstance(name, tuple):
            kind = name[0]
            if kind == "quantity":
                _op, uom = name[1], name[2]
                quantity.append(_compare(EpcisEventEpc.quantity, name[1], value))
                if uom is not None:
                    quantity.append(EpcisEventEpc.uom == uom)
            elif kind in _SENSOR_MEASURES:
                sensor.append(_compare(_SENSOR_MEASURES[kind], name[1], value))
                sensor.append(EpcisEventSensor.uom == name[2])
            elif kind == "bizTransaction":
                where.append(
                    exists().where(
                        EpcisEventBizTransaction.event_id == EpcisEvent.id,
                        EpcisEventBizTransaction.type == name[1],
                        EpcisEventBizTransaction.value.in_(value),
                    )
                )
            else:  # source | destination
                where.append(
                    exists().where(
                        EpcisEventSourceDest.event_id == EpcisEvent.id,
                        EpcisEventSourceDest.kind == kind,
                        EpcisEventSourceDest.type == name[1],
                        EpcisEventSourceDest.value.in_(value),
                    )
                )
            continue
        if name in MATCH_ROLES_ALL:
            where.append(_epc_exists(MATCH_ROLES_ALL[name], value))
        elif name == "eventType":
            where.append(EpcisEvent.event_type.in_(value))
        elif name == "EQ_action":
            where.append(EpcisEvent.action.in_(value))
        elif name == "EQ_bizStep":
            where.append(EpcisEvent.biz_step.in_(value))
        elif name == "EQ_disposition":
            where.append(EpcisEvent.disposition.in_(value))
        elif name == "EQ_readPoint":
            where.append(EpcisEvent.read_point.in_(value))
        elif name == "WD_readPoint":
            where.append(match(EpcisEvent.read_point, _with_descendants(session, value)))
        elif name == "EQ_bizLocation":
            where.append(EpcisEvent.biz_location.in_(value))
        elif name == "WD_bizLocation":
            where.append(match(EpcisEvent.biz_location, _with_descendants(session, value)))
        elif name == "EQ_transformationID":
            where.append(EpcisEvent.transformation_id.in_(value))
        elif name == "EQ_eventID":
            where.append(EpcisEvent.event_id.in_(value))
        elif name == "EQ_errorReason":
            where.append(EpcisEvent.error_reason.in_(value))
        elif name == "EQ_correctiveEventID":
            where.append(_value_exists("corrective_event_id", value))
        elif name == "EQ_persistentDisposition_set":
            where.append(_value_exists("persistent_set", value))
        elif name == "EQ_persistentDisposition_unset":
            where.append(_value_exists("persistent_unset", value))
        elif name == "EXISTS_errorDeclaration":
            where.append(EpcisEvent.declared.is_(True))
        elif name == "GE_eventTime":
            where.append(EpcisEvent.event_time >= value)
        elif name == "LT_eventTime":
            where.append(EpcisEvent.event_time < value)
        elif name == "GE_recordTime":
            where.append(EpcisEvent.record_time >= value)
        elif name == "LT_recordTime":
            where.append(EpcisEvent.record_time < value)
        elif name == "GE_errorDeclarationTime":
            where.append(EpcisEvent.error_declaration_time >= value)
        elif name == "LT_errorDeclarationTime":
            where.append(EpcisEvent.error_declaration_time < value)
        elif name == "EXISTS_sensorElementList":
            sensor.append(EpcisEventSensor.id.is_not(None))
        elif name == "EQ_type":
            sensor.append(EpcisEventSensor.type.in_(value))
        elif name == "EQ_deviceID":
            sensor.append(EpcisEventSensor.device_id.in_(value))
        elif name in ("GE_time", "LT_time", "GE_startTime", "LT_startTime"):
            column = (
                EpcisEventSensor.time if name.endswith("_time") else EpcisEventSensor.start_time
            )
            sensor.append(column >= value if name.startswith("GE") else column < value)
        elif name in ("GE_endTime", "LT_endTime"):
            column = EpcisEventSensor.end_time
            sensor.append(column >= value if name.startswith("GE") else column < value)
        else:  # pragma: no cover - query.py admits no other name
            raise AssertionError(name)
    if quantity:
        where.append(
            exists().where(
                EpcisEventEpc.event_id == EpcisEvent.id,
                EpcisEventEpc.role.in_(_QUANTITY_ROLES),
                *quantity,
            )
        )
    if sensor:
        where.append(exists().where(EpcisEventSensor.event_id == EpcisEvent.id, *sensor))
    return where


def _order_column(query: EventQuery) -> Any:
    if query.order_by == "eventTime":
        return EpcisEvent.event_time
    if query.order_by == "recordTime":
        return EpcisEvent.record_time
    return None


@dataclass
class EventPage:
    """One page of events (canonical JSON-LD), and the token of the next page if any."""

    events: list[dict[str, Any]]
    ids: list[int]
    next_token: PageToken | None


def count_at_most(session: Session, where: list[ColumnElement[bool]], limit: int) -> int:
    """Count matching events, stopping at ``limit`` (enough to tell "more than")."""
    inner = select(EpcisEvent.id).where(*where).limit(limit).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def events_page(
    session: Session,
    where: list[ColumnElement[bool]],
    query: EventQuery,
    *,
    per_page: int,
    token: PageToken | None,
) -> EventPage:
    """Return one page of matching events in the query's order."""
    column = _order_column(query)
    served = token.served if token else 0
    size = per_page
    if query.event_count_limit is not None:
        size = min(size, query.event_count_limit - served)
        if size <= 0:
            return EventPage([], [], None)
    # The page is chosen on ids (and the sort column) alone, and only its own rows' JSON is
    # read: sorting every match with its JSON is what makes a common filter slow.
    stmt: Select[Any] = select(EpcisEvent.id)
    if column is not None:
        stmt = stmt.add_columns(column)
    stmt = stmt.where(*where)
    descending = query.descending if column is not None else False
    if token is not None:
        stmt = stmt.where(_after_token(column, token, descending))
    if column is None:
        stmt = stmt.order_by(EpcisEvent.id.asc())
    elif descending:
        stmt = stmt.order_by(column.desc(), EpcisEvent.id.desc())
    else:
        stmt = stmt.order_by(column.asc(), EpcisEvent.id.asc())
    rows: Sequence[Any] = session.execute(stmt.limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    documents: dict[int, dict[str, Any]] = {
        event_id: document
        for event_id, document in session.execute(
            select(EpcisEvent.id, EpcisEvent.event_json).where(
                EpcisEvent.id.in_([r[0] for r in rows])
            )
        )
    }
    next_token = None
    if more and rows:
        last = rows[-1]
        last_value = format_time(last[1]) if column is not None else None
        next_token = PageToken(last[0], last_value, served + len(rows))
        if query.event_count_limit is not None and next_token.served >= query.event_count_limit:
            next_token = None
    return EventPage([documents[r[0]] for r in rows], [r[0] for r in rows], next_token)


def _after_token(column: Any, token: PageToken, descending: bool) -> ColumnElement[bool]:
    if column is None or token.last_value is None:
        return EpcisEvent.id > token.last_id
    value: datetime = parse_time(token.last_value)
    if descending:
        return or_(column < value, and_(column == value, EpcisEvent.id < token.last_id))
    return or_(column > value, and_(column == value, EpcisEvent.id > token.last_id))


# --- resource lists -----------------------------------------------------------------------


def distinct_values(
    session: Session,
    column: Any,
    scope: Scope,
    *,
    after: str | None,
    limit: int,
    via_epc: bool = False,
) -> list[str]:
    """Return distinct non-null values of an event column (or of identifiers) the reader
    may see, in byte order, starting after ``after``."""
    if via_epc:
        stmt = (
            select(EpcisEventEpc.epc)
            .distinct()
            .where(EpcisEventEpc.event_id.in_(select(EpcisEvent.id).where(scope.events())))
        )
        col: Any = EpcisEventEpc.epc
    else:
        stmt = select(column).distinct().where(column.is_not(None), scope.events())
        col = column
    if after is not None:
        stmt = stmt.where(col > after)
    return [v for v in session.scalars(stmt.order_by(col).limit(limit)) if v is not None]


def ids_after(session: Session, where: list[ColumnElement[bool]], after_id: int) -> list[int]:
    """Return the ids of matching events stored after row ``after_id`` (subscriptions)."""
    stmt = select(EpcisEvent.id).where(*where, EpcisEvent.id > after_id).order_by(EpcisEvent.id)
    return list(session.scalars(stmt))


def max_event_id(session: Session) -> int:
    """Return the highest event row id (0 when empty)."""
    return session.scalar(select(func.max(EpcisEvent.id))) or 0
