"""What the indicator engine reads from the database, in as few passes as possible.

This is the repository of indicator aggregation (STYLE.md allows one where queries are
complex): it reads the monitoring tables and, read-only, the registry's ``enterprise`` and
``enterprise_status`` tables in SQL rather than through ``registry.service``. Computing every
indicator for 10,000 enterprises through per-row service calls would take minutes; the
registry's own access rule (``registry.access.visible_enterprises``) still decides which
enterprises a caller may see, in ``service``.

Two passes over ``monthly_return`` do all the work:

1. ``GROUP BY enterprise, year``: each enterprise's yearly sums of the data elements the
   indicators use (the basis of above-size status, counts and annual values);
2. per year, ``GROUP BY cell, month`` where a cell is (industry, prefecture, park, program)
   and above-size enterprises are told apart by ``enterprise_id IN (...)``: monthly and
   year-to-date values of money indicators for every aggregate scope.

Only returns whose status is counted (submitted, approved, locked) are read.

When the as-of month is the latest with counted returns (every dashboard), both passes are
replaced by reads of the pre-aggregates that ``aggregates`` keeps in step with the returns:
``indicator_fact`` (the first pass, one row per enterprise-year, with the above-size flag)
and ``indicator_cell_month`` (the second). See docs/decisions/0004.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from plateau.monitoring.analytics.indicators import ELEMENTS, Catalog, Program
from plateau.monitoring.analytics.models import IndicatorCellMonth, IndicatorFact
from plateau.monitoring.models import MonthlyReturn, RegionInput
from plateau.registry.models import Enterprise, EnterpriseStatus

# (industry, prefecture, park, program): the finest grain every aggregate scope is a union of.
Cell = tuple[str, str, str | None, str | None]


def cell_key(cell: Cell) -> str:
    """A cell as the pre-aggregates store it: ``industry|prefecture|park|program``."""
    return "|".join(part or "" for part in cell)


def parse_cell(key: str) -> Cell:
    industry, prefecture, park, program = key.split("|")
    return (industry, prefecture, park or None, program or None)


@dataclass(frozen=True)
class EnterpriseRef:
    id: int
    uscc: str
    name: str
    industry: str
    prefecture: str
    park: str | None
    program: str | None

    @property
    def cell(self) -> Cell:
        return (self.industry, self.prefecture, self.park, self.program)


@dataclass(frozen=True)
class StatusRow:
    enterprise_id: int
    kind: str
    level: str
    valid_from: date
    valid_to: date | None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def overlaps(self, start: date, end: date) -> bool:
        return self.valid_from <= end and (self.valid_to is None or self.valid_to >= start)


@dataclass
class MonthlyCell:
    """Sums of one cell in one month, for above-size enterprises (True) or the others."""

    cell: Cell
    year: int
    month: int
    above_size: bool
    sums: list[float | None]


@dataclass
class Facts:
    """Everything the engine needs, read once."""

    elements: tuple[str, ...]
    as_of: date | None  # first day of the last month with counted returns
    enterprises: dict[int, EnterpriseRef]
    # (enterprise, year) -> [months filed, sum of each element (None if never reported)]
    annual: dict[tuple[int, int], tuple[int, list[float | None]]]
    # For a year in progress: each enterprise's sums over the months of the previous year
    # after the as-of month (so that "the last 12 months" can stand for the year).
    trailing: dict[int, list[float | None]]
    statuses: list[StatusRow]
    region_inputs: dict[tuple[str, str, int], float]
    monthly: list[MonthlyCell] = field(default_factory=list)
    latest: date | None = None  # set when as_of is the last month with counted returns
    # Read from the pre-aggregates: the stored above-size flag of each enterprise-year.
    flags: dict[tuple[int, int], bool] | None = None

    def element_index(self, element: str) -> int:
        return self.elements.index(element)


def _sums(elements: Iterable[str]) -> list[ColumnElement[float]]:
    return [cast(func.sum(getattr(MonthlyReturn, ELEMENTS[e])), Float) for e in elements]


def in_program(program: Program) -> ColumnElement[bool]:
    """The enterprises of a program in SQL (as ``Program.includes`` decides it)."""
    return Enterprise.prefecture_code.in_(program.prefectures) & or_(
        *(Enterprise.gbt4754.startswith(p) for p in program.gbt4754_prefixes)
    )


def _program_case(catalog: Catalog) -> ColumnElement[Any]:
    whens = []
    for program_id, program in catalog.programs.items():
        whens.append((in_program(program), literal(program_id)))
    return case(*whens, else_=literal(None)) if whens else literal(None)


def cell_sql(catalog: Catalog) -> ColumnElement[str]:
    """An enterprise's cell key (as ``cell_key`` writes it) in SQL."""
    program = _program_case(catalog)
    return (
        Enterprise.industry_id
        + literal("|")
        + Enterprise.prefecture_code
        + literal("|")
        + func.coalesce(Enterprise.park_id, literal(""))
        + literal("|")
        + func.coalesce(program, literal(""))
    )


def latest_month(session: Session, *, catalog: Catalog) -> date | None:
    """Return the last month with a counted return."""
    return session.scalar(
        select(func.max(MonthlyReturn.period)).where(
            MonthlyReturn.status.in_(catalog.settings.counted_statuses)
        )
    )


def in_ids(column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    # Integer ids rendered inline: no bound-parameter limit for large registries.
    return column.in_(bindparam(None, sorted(ids), expanding=True, literal_execute=True))  # type: ignore[no-any-return]


def load_facts(
    session: Session,
    *,
    catalog: Catalog,
    as_of: date | None = None,
    stored: bool = False,
    only: Collection[int] | None = None,
) -> Facts:
    """Read enterprises, yearly sums, statuses and region inputs (not yet the months).

    ``stored``: read the yearly sums from ``indicator_fact`` if the as-of month is the latest
    with counted returns (the caller has brought the pre-aggregates in step);
    ``only``: these enterprises only (their registry rows, statuses, yearly sums and
    trailing months), for deciding their above-size flags.
    """
    elements = catalog.elements()
    counted = catalog.settings.counted_statuses
    latest = latest_month(session, catalog=catalog)
    if as_of is None:
        as_of = latest
    else:
        as_of = date(as_of.year, as_of.month, 1)
        latest = latest if latest == as_of else None
    enterprises: dict[int, EnterpriseRef] = {}
    enterprise_stmt = select(
        Enterprise.id,
        Enterprise.uscc,
        Enterprise.name,
        Enterprise.industry_id,
        Enterprise.prefecture_code,
        Enterprise.park_id,
        Enterprise.gbt4754,
    )
    status_stmt = select(
        EnterpriseStatus.enterprise_id,
        EnterpriseStatus.kind,
        EnterpriseStatus.level,
        EnterpriseStatus.valid_from,
        EnterpriseStatus.valid_to,
    )
    if only is not None:
        # Deciding a few enterprises' flags needs nothing of the others (a write's cost).
        enterprise_stmt = enterprise_stmt.where(in_ids(Enterprise.id, only))
        status_stmt = status_stmt.where(in_ids(EnterpriseStatus.enterprise_id, only))
    for row in session.execute(enterprise_stmt):
        program = next(
            (
                pid
                for pid, p in catalog.programs.items()
                if p.includes(prefecture=row.prefecture_code, gbt4754=row.gbt4754)
            ),
            None,
        )
        enterprises[row.id] = EnterpriseRef(
            row.id, row.uscc, row.name, row.industry_id, row.prefecture_code, row.park_id, program
        )
    statuses = [StatusRow(*row) for row in session.execute(status_stmt)]
    region_inputs = {
        (indicator, scope, int(year)): float(value)
        for indicator, scope, year, value in session.execute(
            select(RegionInput.indicator, RegionInput.scope, RegionInput.year, RegionInput.value)
        )
    }
    facts = Facts(
        elements=elements,
        as_of=as_of,
        enterprises=enterprises,
        annual={},
        trailing={},
        statuses=statuses,
        region_inputs=region_inputs,
        latest=latest,
    )
    if as_of is None:
        return facts
    annual = facts.annual
    if stored and latest is not None:
        flags = facts.flags = {}
        stored_stmt = select(
            IndicatorFact.enterprise_id,
            IndicatorFact.year,
            IndicatorFact.months,
            IndicatorFact.above_size,
            *(cast(getattr(IndicatorFact, e), Float) for e in elements),
        )
        if only is not None:
            stored_stmt = stored_stmt.where(in_ids(IndicatorFact.enterprise_id, only))
        for found in session.execute(stored_stmt):
            key = (found[0], found[1])
            annual[key] = (found[2], list(found[4:]))
            flags[key] = bool(found[3])
    else:
        year = extract("year", MonthlyReturn.period)
        stmt = (
            select(MonthlyReturn.enterprise_id, year, func.count(), *_sums(elements))
            .where(MonthlyReturn.status.in_(counted), MonthlyReturn.period <= as_of)
            .group_by(MonthlyReturn.enterprise_id, year)
        )
        if only is not None:
            stmt = stmt.where(in_ids(MonthlyReturn.enterprise_id, only))
        for found in session.execute(stmt):
            annual[(found[0], int(found[1]))] = (int(found[2]), list(found[3:]))
    if as_of.month < 12:
        trailing = (
            select(MonthlyReturn.enterprise_id, *_sums(elements))
            .where(
                MonthlyReturn.status.in_(counted),
                MonthlyReturn.period > date(as_of.year - 1, as_of.month, 1),
                MonthlyReturn.period <= date(as_of.year - 1, 12, 1),
            )
            .group_by(MonthlyReturn.enterprise_id)
        )
        if only is not None:
            trailing = trailing.where(in_ids(MonthlyReturn.enterprise_id, only))
        facts.trailing = {r[0]: list(r[1:]) for r in session.execute(trailing)}
    return facts


def load_monthly_stored(session: Session, facts: Facts, *, years: Iterable[int]) -> None:
    """Add the monthly sums per cell of ``years`` to ``facts``, from ``indicator_cell_month``."""
    wanted = sorted(set(years))
    if facts.as_of is None or not wanted:
        return
    stmt = select(
        IndicatorCellMonth.cell,
        IndicatorCellMonth.period,
        IndicatorCellMonth.above_size,
        *(cast(getattr(IndicatorCellMonth, e), Float) for e in facts.elements),
    ).where(IndicatorCellMonth.period >= date(wanted[0], 1, 1))
    keep = set(wanted)
    cells: dict[str, Cell] = {}
    for row in session.execute(stmt):
        period: date = row[1]
        if period.year not in keep:
            continue
        cell = cells.get(row[0])
        if cell is None:
            cell = cells[row[0]] = parse_cell(row[0])
        facts.monthly.append(
            MonthlyCell(
                cell=cell,
                year=period.year,
                month=period.month,
                above_size=bool(row[2]),
                sums=list(row[3:]),
            )
        )


def load_monthly(
    session: Session,
    facts: Facts,
    *,
    catalog: Catalog,
    members: dict[int, set[int]],
    years: Iterable[int],
) -> None:
    """Add the monthly sums per cell of ``years`` to ``facts`` (one query).

    When the as-of month is the last with counted returns no upper bound is needed, and
    when every year is wanted no lower bound either: the database then scans the table once
    instead of walking the period index.
    """
    wanted = sorted(set(years))
    if facts.as_of is None or not wanted:
        return
    counted = catalog.settings.counted_statuses
    program = _program_case(catalog)
    year = extract("year", MonthlyReturn.period)
    whens = []
    for y in wanted:
        ids = sorted(members.get(y, set()))
        if ids:
            # Integer ids rendered inline: no bound-parameter limit for large registries.
            whens.append(
                (
                    (year == y)
                    & MonthlyReturn.enterprise_id.in_(
                        bindparam(f"m{y}", ids, expanding=True, literal_execute=True)
                    ),
                    1,
                )
            )
    flag = case(*whens, else_=0) if whens else literal(0)
    stmt = (
        select(
            Enterprise.industry_id,
            Enterprise.prefecture_code,
            Enterprise.park_id,
            program,
            MonthlyReturn.period,
            flag,
            *_sums(facts.elements),
        )
        .join(Enterprise, Enterprise.id == MonthlyReturn.enterprise_id)
        .where(MonthlyReturn.status.in_(counted))
        .group_by(
            Enterprise.industry_id,
            Enterprise.prefecture_code,
            Enterprise.park_id,
            program,
            MonthlyReturn.period,
            flag,
        )
    )
    first_year = min(y for _e, y in facts.annual) if facts.annual else wanted[0]
    if wanted != list(range(first_year, facts.as_of.year + 1)):
        stmt = stmt.where(MonthlyReturn.period >= date(wanted[0], 1, 1))
    if facts.latest != facts.as_of:
        stmt = stmt.where(MonthlyReturn.period <= facts.as_of)
    keep = set(wanted)
    for row in session.execute(stmt):
        period: date = row[4]
        if period.year not in keep:
            continue
        facts.monthly.append(
            MonthlyCell(
                cell=(row[0], row[1], row[2], row[3]),
                year=period.year,
                month=period.month,
                above_size=bool(row[5]),
                sums=list(row[6:]),
            )
        )
