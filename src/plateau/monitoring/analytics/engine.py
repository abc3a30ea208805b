"""The indicator engine: every indicator of the catalog for every scope and period.

Rules (stated on the pages too):

- Periods are calendar years; a year still in progress (the as-of month is not December)
  is the period ``YYYY-01/YYYY-MM`` (1–N月累计). Money indicators are also given per month
  and year to date.
- Above-designated-size status (规上) of an enterprise for year Y: if the registry records
  the status for any part of Y (an ``above_designated_size`` status overlapping Y up to the
  period's end), the registry decides — above size if the status is valid on the period's
  last day. Otherwise it is derived from the revenue of Y (≥ 20 million CNY); for a year in
  progress, from the revenue of the last 12 months. Thresholds on amounts (output over
  100 million, …) use the same "year, or last 12 months" amounts.
- Counts of statuses (high-tech, specialized SMEs, green factories, …) count the registered
  enterprises holding the status on the period's last day.
- Growth at comparable prices deflates each enterprise's value by the cumulative price index
  of its industry from the base year (``price_index``, previous year = 1).

Everything is added up per *cell* (industry, prefecture, park, program) and each aggregate
scope is a union of cells, so one pass over the enterprise-years does every scope.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy.orm import Session

from plateau.i18n import get_locale
from plateau.monitoring.analytics import facts as facts_repo
from plateau.monitoring.analytics.facts import Cell, Facts
from plateau.monitoring.analytics.indicators import Catalog, Indicator

ABOVE_SIZE_STATUS = "above_designated_size"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Period:
    """A year, complete (month 12) or up to its last month with data."""

    year: int
    month: int = 12

    @property
    def complete(self) -> bool:
        return self.month == 12

    @cached_property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        return str(self.year) if self.complete else ytd_label(self.year, self.month)


def month_label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def ytd_label(year: int, month: int) -> str:
    """ISO 8601 interval for year to date (1–N月累计)."""
    return f"{year}-01/{year}-{month:02d}"


@dataclass(frozen=True)
class Scope:
    """Something an indicator is computed for: the region, an industry, a park, …"""

    id: str
    kind: str
    value: str | None
    name_zh: str
    name_en: str
    prefecture: str | None = None  # parks and enterprises: where they are

    @property
    def name(self) -> str:
        return self.name_en if get_locale() == "en" and self.name_en else self.name_zh


@dataclass(frozen=True)
class Reference:
    """The aggregate scopes that exist (from the registry's reference data)."""

    scopes: tuple[Scope, ...]

    def get(self, scope_id: str) -> Scope | None:
        return next((s for s in self.scopes if s.id == scope_id), None)


@dataclass
class IndicatorTable:
    """Computed values: annual per (indicator, scope), monthly for money indicators."""

    catalog: Catalog
    as_of: date | None
    periods: dict[int, Period]
    scopes: dict[str, Scope]
    annual: dict[tuple[str, str], dict[int, float | None]] = field(default_factory=dict)
    # Growth indicators: the level behind the rate (base-year prices for deflated ones).
    levels: dict[tuple[str, str], dict[int, float]] = field(default_factory=dict)
    ytd_levels: dict[tuple[str, str], dict[tuple[int, int], float]] = field(default_factory=dict)
    months: dict[tuple[str, str], dict[tuple[int, int], float]] = field(default_factory=dict)
    ytd: dict[tuple[str, str], dict[tuple[int, int], float]] = field(default_factory=dict)
    members: dict[int, set[int]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(self.periods)

    @property
    def complete_years(self) -> list[int]:
        return [y for y, p in sorted(self.periods.items()) if p.complete]

    def value(self, indicator: str, scope: str, year: int) -> float | None:
        return self.annual.get((indicator, scope), {}).get(year)

    def series(self, indicator: str, scope: str) -> dict[int, float | None]:
        return self.annual.get((indicator, scope), {})

    def growth(self, indicator: Indicator, scope: str, year: int, base: int) -> float | None:
        """Average annual growth (%) from ``base`` to ``year`` of a growth indicator's level."""
        if year <= base or year not in self.periods:
            return None
        period = self.periods[year]
        key = (indicator.id, scope)
        if period.complete:
            lv = self.levels.get(key, {})
            now, then = lv.get(year), lv.get(base)
        else:
            ytd = self.ytd_levels.get(key, {})
            now, then = ytd.get((year, period.month)), ytd.get((base, period.month))
        if now is None or then is None or now <= 0 or then <= 0:
            return None
        return float(((now / then) ** (1.0 / (year - base)) - 1.0) * 100.0)


class _Deflators:
    """Cumulative price indices per industry from a base year (previous year = 1 each year)."""

    def __init__(self, region_inputs: dict[tuple[str, str, int], float]) -> None:
        self.inputs = region_inputs
        self.cache: dict[tuple[str, int, int], float | None] = {}

    def factor(self, industry: str, base: int, year: int) -> float | None:
        key = (industry, base, year)
        if key in self.cache:
            return self.cache[key]
        scope = f"industry:{industry}"
        result: float | None = 1.0
        lo, hi = (base, year) if year >= base else (year, base)
        for t in range(lo + 1, hi + 1):
            idx = self.inputs.get(("price_index", scope, t))
            if idx is None or idx <= 0 or result is None:
                result = None
                break
            result *= idx
        if result is not None and year < base:
            result = 1.0 / result
        self.cache[key] = result
        return result


def periods_for(facts: Facts) -> dict[int, Period]:
    """Every year from the first with data to the as-of month's."""
    if facts.as_of is None or not facts.annual:
        return {}
    first = min(y for _e, y in facts.annual)
    last = facts.as_of.year
    return {y: Period(y, 12 if y < last else facts.as_of.month) for y in range(first, last + 1)}


def _year_amount(facts: Facts, periods: dict[int, Period], e: int, y: int, idx: int) -> float:
    """The year's amount of an element; for a year in progress, the last 12 months."""
    row = facts.annual.get((e, y))
    total = (row[1][idx] or 0.0) if row else 0.0
    if not periods[y].complete:
        prev = facts.trailing.get(e)
        if prev is not None:
            total += prev[idx] or 0.0
    return total


def membership(facts: Facts, periods: dict[int, Period], threshold: float) -> dict[int, set[int]]:
    """Above-size enterprises per year: the registry where it records the year, else revenue."""
    runs: dict[int, list[facts_repo.StatusRow]] = defaultdict(list)
    for s in facts.statuses:
        if s.kind == ABOVE_SIZE_STATUS:
            runs[s.enterprise_id].append(s)
    rev = facts.element_index("revenue")
    members: dict[int, set[int]] = {y: set() for y in periods}
    candidates = {(e, y) for e, y in facts.annual if y in periods}
    for e, rs in runs.items():
        for y in periods:
            if any(r.overlaps(date(y, 1, 1), periods[y].end) for r in rs):
                candidates.add((e, y))
    for e, y in candidates:
        if e not in facts.enterprises:
            continue
        end = periods[y].end
        recorded = [r for r in runs.get(e, ()) if r.overlaps(date(y, 1, 1), end)]
        if recorded:
            above = any(r.valid_on(end) for r in recorded)
        else:
            above = _year_amount(facts, periods, e, y, rev) >= threshold
        if above:
            members[y].add(e)
    return members


def _scopes_of_cell(cell: Cell) -> list[str]:
    industry, prefecture, park, program = cell
    out = ["region", f"industry:{industry}", f"prefecture:{prefecture}"]
    if park:
        out.append(f"park:{park}")
    if program:
        out.append(f"program:{program}")
    return out


@dataclass
class _Acc:
    """Additive quantities of one indicator per (key, year): cells and emitted enterprises."""

    cells: dict[tuple[Cell, int], float] = field(default_factory=lambda: defaultdict(float))
    cell_n: dict[tuple[Cell, int], int] = field(default_factory=lambda: defaultdict(int))
    ents: dict[tuple[int, int], float] = field(default_factory=lambda: defaultdict(float))
    ent_n: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))


def compute(
    session: Session,
    *,
    catalog: Catalog,
    reference: Reference,
    as_of: date | None = None,
    enterprise_ids: Iterable[int] = (),
    monthly_years: Iterable[int] | None = None,
    recent_months: bool = False,
    stored: bool = False,
    growth_bases: Iterable[int] = (),
) -> IndicatorTable:
    """Compute every indicator for every aggregate scope (and the given enterprises).

    ``monthly_years``: the years whose months are computed (None: every year);
    ``recent_months`` adds the latest year and the one before; ``stored``: the caller has
    brought the pre-aggregates in step (``aggregates.sync``), read them where they apply;
    ``growth_bases``: further base years growth is measured from (targets' since years),
    whose year to date a year in progress is compared with.
    """
    facts = facts_repo.load_facts(session, catalog=catalog, as_of=as_of, stored=stored)
    periods = periods_for(facts)
    scopes = {s.id: s for s in reference.scopes}
    emit = {e for e in enterprise_ids if e in facts.enterprises}
    for e in sorted(emit):
        ref = facts.enterprises[e]
        sid = f"enterprise:{ref.uscc}"
        scopes[sid] = Scope(sid, "enterprise", ref.uscc, ref.name, ref.name, ref.prefecture)
    table = IndicatorTable(catalog=catalog, as_of=facts.as_of, periods=periods, scopes=scopes)
    if not periods:
        return table
    members = membership(facts, periods, catalog.settings.above_size_revenue_cny)
    table.members = members
    deflators = _Deflators(facts.region_inputs)

    wanted_months = set(periods) if monthly_years is None else set(monthly_years) & set(periods)
    last = max(periods)
    if recent_months:
        wanted_months.update((last, last - 1))
    if not periods[last].complete:
        # Growth in a year in progress compares year to date with the same months before.
        wanted_months.add(last)
        wanted_months.update(
            i.base_year for i in catalog.indicators if i.kind == "growth" and i.base_year
        )
        wanted_months.update(growth_bases)
        wanted_months.add(last - 1)
    wanted_months &= set(periods)
    if facts.flags is not None and _flags_agree(facts.flags, members):
        facts_repo.load_monthly_stored(session, facts, years=wanted_months)
    else:
        if facts.flags is not None:
            log.warning("stored above-size flags disagree with the engine; reading the returns")
        facts_repo.load_monthly(
            session, facts, catalog=catalog, members=members, years=wanted_months
        )

    accs = _accumulate(facts, periods, members, catalog, deflators, emit)
    _finalize(table, facts, accs, reference, emit)
    _monthly(table, facts, catalog, deflators)
    if not periods[last].complete:
        for ind in catalog.indicators:
            if ind.kind != "growth" or ind.base_year is None:
                continue
            for (iid, sid), values in table.annual.items():
                if iid == ind.id and not sid.startswith("enterprise:"):
                    values[last] = table.growth(ind, sid, last, ind.base_year)
    return table


def _flags_agree(flags: dict[tuple[int, int], bool], members: dict[int, set[int]]) -> bool:
    """Whether the cell-months were built with the membership the engine just decided."""
    return all((e in members.get(y, ())) == flag for (e, y), flag in flags.items())


def _accumulate_enterprises(
    facts: Facts,
    periods: dict[int, Period],
    members: dict[int, set[int]],
    catalog: Catalog,
    deflators: _Deflators,
    emit: set[int],
    accs: dict[str, _Acc],
) -> None:
    """The same quantities for each emitted enterprise on its own (its own figures, any size)."""
    if not emit:
        return
    ents = facts.enterprises
    index = {el: facts.element_index(el) for el in facts.elements}
    row_kinds = ("sum", "growth", "count", "new_members")
    keys = sorted(
        {(e, y) for (e, y) in facts.annual if e in emit}
        | {(e, y) for y, ms in members.items() for e in ms if e in emit}
    )
    empty: list[float | None] = [None] * len(facts.elements)
    for e, y in keys:
        if y not in periods:
            continue
        ref = ents[e]
        row = facts.annual.get((e, y))
        sums = row[1] if row else empty
        member = e in members[y]
        for ind in catalog.indicators:
            kind = ind.kind
            if kind not in row_kinds:
                continue
            if ind.industries and ref.industry not in ind.industries:
                continue
            value: float | None
            if kind == "new_members":
                if not member or (y - 1) not in periods or e in members[y - 1]:
                    continue
                value = 1.0
            elif kind == "count":
                if ind.population == "above_size" and not member:
                    continue
                if ind.min is not None:
                    assert ind.element is not None
                    if _year_amount(facts, periods, e, y, index[ind.element]) < ind.min:
                        continue
                value = 1.0
            else:
                assert ind.element is not None
                value = sums[index[ind.element]]
                if value is None:
                    continue
                if kind == "growth" and ind.deflate:
                    assert ind.base_year is not None
                    factor = deflators.factor(ref.industry, ind.base_year, y)
                    if factor is None:
                        continue
                    value /= factor
            accs[ind.id].ents[(e, y)] += value
            accs[ind.id].ent_n[(e, y)] += 1


def _accumulate(
    facts: Facts,
    periods: dict[int, Period],
    members: dict[int, set[int]],
    catalog: Catalog,
    deflators: _Deflators,
    emit: set[int],
) -> dict[str, _Acc]:
    """Add every indicator's quantities up per cell (and per emitted enterprise).

    One pass over the enterprise-years adds each one's sums into the vector of its cell,
    split by above-size status; only thresholds and entries are judged per enterprise.
    Every sum-like indicator is then read off the cell vectors (its filters are properties
    of cells: industry, park).
    """
    accs: dict[str, _Acc] = {i.id: _Acc() for i in catalog.indicators}
    ents = facts.enterprises
    index = {el: facts.element_index(el) for el in facts.elements}
    width = len(facts.elements)
    last = max(periods)
    partial = None if periods[last].complete else last

    # Enterprise-years with returns, then above-size ones (by the registry) without any.
    empty: list[float | None] = [None] * width
    rows: list[tuple[tuple[int, int], list[float | None]]] = [
        (key, sums) for key, (_n, sums) in facts.annual.items()
    ]
    rows.extend(
        ((e, y), empty)
        for y in sorted(members)
        for e in sorted(members[y])
        if (e, y) not in facts.annual
    )
    vectors: dict[tuple[Cell, int, bool], list[float]] = {}
    present: dict[tuple[Cell, int, bool], list[int]] = {}
    heads: dict[tuple[Cell, int, bool], int] = defaultdict(int)
    trailing: dict[tuple[Cell, bool], list[float]] = {}
    thresholds = [i for i in catalog.indicators if i.kind == "count" and i.min is not None]
    threshold_elements = sorted({i.element for i in thresholds if i.element})
    entries = [i for i in catalog.indicators if i.kind == "new_members"]
    for (e, y), sums in rows:
        ref = ents.get(e)
        if ref is None or y not in periods:
            continue
        cell = ref.cell
        member = e in members[y]
        key = (cell, y, member)
        vec = vectors.get(key)
        if vec is None:
            vec = vectors[key] = [0.0] * width
            present[key] = [0] * width
        seen = present[key]
        for i, v in enumerate(sums):
            if v is not None:
                vec[i] += v
                seen[i] += 1
        heads[key] += 1
        if y == partial:
            before = facts.trailing.get(e)
            tkey = (cell, member)
            tvec = trailing.get(tkey)
            if tvec is None:
                tvec = trailing[tkey] = [0.0] * width
            for i in range(width):
                tvec[i] += (sums[i] or 0.0) + ((before[i] or 0.0) if before else 0.0)
        amounts = {el: _year_amount(facts, periods, e, y, index[el]) for el in threshold_elements}
        for ind in thresholds:
            if ind.population == "above_size" and not member:
                continue
            if ind.industries and ref.industry not in ind.industries:
                continue
            assert ind.element is not None and ind.min is not None
            if amounts[ind.element] >= ind.min:
                accs[ind.id].cells[(cell, y)] += 1.0
                accs[ind.id].cell_n[(cell, y)] += 1
        if member and (y - 1) in periods and e not in members[y - 1]:
            for ind in entries:
                if not ind.industries or ref.industry in ind.industries:
                    accs[ind.id].cells[(cell, y)] += 1.0
                    accs[ind.id].cell_n[(cell, y)] += 1

    # Sums, growth levels, park sums and plain counts, read off the cell vectors.
    for ind in catalog.indicators:
        kind = ind.kind
        if kind not in ("sum", "ratio", "growth", "park_count") and not (
            kind == "count" and ind.min is None
        ):
            continue
        acc = accs[ind.id]
        idx = index[ind.element] if ind.element else -1
        for (cell, y, member), vec in vectors.items():
            if ind.population == "above_size" and not member:
                continue
            industry, _pref, park, _prog = cell
            if ind.industries and industry not in ind.industries:
                continue
            if ind.in_park and not park:
                continue
            if kind == "count":
                n = heads[(cell, y, member)]
                acc.cells[(cell, y)] += float(n)
                acc.cell_n[(cell, y)] += n
                continue
            n = present[(cell, y, member)][idx]
            if not n:
                continue
            value = vec[idx]
            if kind == "park_count" and y == partial:
                value = trailing[(cell, member)][idx]
            if kind == "growth" and ind.deflate:
                assert ind.base_year is not None
                factor = deflators.factor(industry, ind.base_year, y)
                if factor is None:
                    continue
                value /= factor
            acc.cells[(cell, y)] += value
            acc.cell_n[(cell, y)] += n

    _accumulate_enterprises(facts, periods, members, catalog, deflators, emit, accs)

    by_kind: dict[str, list[facts_repo.StatusRow]] = defaultdict(list)
    for s in facts.statuses:
        by_kind[s.kind].append(s)
    for ind in catalog.indicators:
        if ind.kind != "status_count":
            continue
        # The catalog's levels for every scope, then each program's own level set (counted
        # over that program's cells only; read by its scope alone, see _finalize).
        runs: list[tuple[_Acc, tuple[str, ...], str | None]] = [(accs[ind.id], ind.levels, None)]
        for pid, setting in ind.programs.items():
            if setting.levels is not None:
                acc = accs[program_key(ind.id, pid)] = _Acc()
                runs.append((acc, setting.levels, pid))
        for acc, levels, program in runs:
            held = [
                s
                for kind in ind.statuses
                for s in by_kind.get(kind, ())
                if not levels or s.level in levels
            ]
            for y, period in periods.items():
                end = period.end
                holders = {s.enterprise_id for s in held if s.valid_on(end)}
                for e in sorted(holders):
                    holder = ents.get(e)
                    if holder is None or (program is not None and holder.program != program):
                        continue
                    if ind.min is not None:
                        assert ind.element is not None
                        if _year_amount(facts, periods, e, y, index[ind.element]) < ind.min:
                            continue
                    acc.cells[(holder.cell, y)] += 1.0
                    acc.cell_n[(holder.cell, y)] += 1
                    if e in emit and program is None:
                        acc.ents[(e, y)] += 1.0
                        acc.ent_n[(e, y)] += 1
    return accs


def program_key(indicator: str, program: str) -> str:
    """Where a program's own level set of a status count is accumulated."""
    return f"{indicator}@program:{program}"


def _finalize(
    table: IndicatorTable,
    facts: Facts,
    accs: dict[str, _Acc],
    reference: Reference,
    emit: set[int],
) -> None:
    periods = table.periods
    years = sorted(periods)
    # Which scopes have any registered enterprise (a count of zero means something there).
    populated: set[str] = set()
    for ref in facts.enterprises.values():
        populated.update(_scopes_of_cell(ref.cell))
    parks_by_scope: dict[str, list[str]] = defaultdict(list)
    for s in reference.scopes:
        if s.kind == "park" and s.value:
            parks_by_scope["region"].append(s.value)
            parks_by_scope[f"park:{s.value}"].append(s.value)
            if s.prefecture:
                parks_by_scope[f"prefecture:{s.prefecture}"].append(s.value)
    aggregate = [s for s in table.scopes.values() if s.kind != "enterprise"]

    for ind in table.catalog.indicators:
        acc = accs[ind.id]
        sums: dict[tuple[str, int], float] = defaultdict(float)
        ns: dict[tuple[str, int], int] = defaultdict(int)
        park_sums: dict[tuple[str, int], float] = defaultdict(float)
        for (cell, y), v in acc.cells.items():
            n = acc.cell_n[(cell, y)]
            for sid in _scopes_of_cell(cell):
                sums[(sid, y)] += v
                ns[(sid, y)] += n
            if cell[2]:
                park_sums[(cell[2], y)] += v
        for pid in ind.programs:
            own = accs.get(program_key(ind.id, pid))
            if own is None:
                continue
            sid = f"program:{pid}"
            for y in years:
                sums.pop((sid, y), None)
                ns.pop((sid, y), None)
            for (cell, y), v in own.cells.items():
                sums[(sid, y)] += v
                ns[(sid, y)] += own.cell_n[(cell, y)]
        for scope in aggregate:
            if not ind.applies_to(scope.kind, scope.value):
                continue
            out: dict[int, float | None] = {}
            for y in years:
                out[y] = _scope_value(
                    ind,
                    scope,
                    y,
                    periods[y],
                    sums,
                    ns,
                    park_sums,
                    parks_by_scope,
                    populated,
                    facts,
                    years,
                )
            table.annual[(ind.id, scope.id)] = out
            if ind.kind == "growth":
                table.levels[(ind.id, scope.id)] = {
                    y: sums[(scope.id, y)] for y in years if ns.get((scope.id, y))
                }
        for e in emit:
            ref = facts.enterprises[e]
            sid = f"enterprise:{ref.uscc}"
            if not ind.applies_to("enterprise"):
                continue
            if ind.industries and ref.industry not in ind.industries:
                continue
            out = {}
            for y in years:
                n = acc.ent_n.get((e, y), 0)
                v = acc.ents.get((e, y), 0.0)
                if ind.kind in ("count", "status_count", "new_members"):
                    out[y] = v if (y - 1 in periods or ind.kind != "new_members") else None
                elif ind.kind == "sum":
                    out[y] = v if n else None
                else:
                    out[y] = None
            table.annual[(ind.id, sid)] = out
            if ind.kind == "growth":
                lv = {y: acc.ents[(e, y)] for y in years if acc.ent_n.get((e, y))}
                table.levels[(ind.id, sid)] = lv
                table.annual[(ind.id, sid)] = {
                    y: _growth(lv, y, ind.base_year) if periods[y].complete else None for y in years
                }


def _growth(levels: dict[int, float], year: int, base: int | None) -> float | None:
    if base is None or year <= base:
        return None
    now, then = levels.get(year), levels.get(base)
    if now is None or then is None or now <= 0 or then <= 0:
        return None
    return float(((now / then) ** (1.0 / (year - base)) - 1.0) * 100.0)


def _scope_value(
    ind: Indicator,
    scope: Scope,
    y: int,
    period: Period,
    sums: dict[tuple[str, int], float],
    ns: dict[tuple[str, int], int],
    park_sums: dict[tuple[str, int], float],
    parks_by_scope: dict[str, list[str]],
    populated: set[str],
    facts: Facts,
    years: list[int],
) -> float | None:
    key = (scope.id, y)
    kind = ind.kind
    if kind == "sum":
        return sums[key] if ns.get(key) else None
    if kind in ("count", "status_count"):
        return sums.get(key, 0.0) if scope.id in populated else None
    if kind == "new_members":
        if scope.id not in populated or y == years[0]:
            return None
        return sums.get(key, 0.0)
    if kind == "ratio":
        assert ind.denominator is not None
        denominator = facts.region_inputs.get((ind.denominator, scope.id, y))
        if not period.complete or not denominator or not ns.get(key):
            return None
        return 100.0 * sums[key] / denominator
    if kind == "growth":
        levels = {yy: sums[(scope.id, yy)] for yy in years if ns.get((scope.id, yy))}
        return _growth(levels, y, ind.base_year) if period.complete else None
    if kind == "park_count":
        assert ind.min is not None
        parks = parks_by_scope.get(scope.id, [])
        if not parks:
            return None
        return float(sum(1 for p in parks if park_sums.get((p, y), 0.0) >= ind.min))
    if kind == "region_input":
        assert ind.input is not None
        return facts.region_inputs.get((ind.input, scope.id, y))
    return None


def _monthly(table: IndicatorTable, facts: Facts, catalog: Catalog, deflators: _Deflators) -> None:
    """Month and year-to-date values of money indicators; YTD levels of growth indicators."""
    wanted = [i for i in catalog.indicators if i.monthly or i.kind == "growth"]
    if not wanted or not facts.monthly:
        return
    index = {el: facts.element_index(el) for el in facts.elements}
    plan = [(ind, index[ind.element]) for ind in wanted if ind.element]
    month_sums: dict[str, dict[tuple[str, int, int], float]] = {
        ind.id: defaultdict(float) for ind, _i in plan
    }
    scopes_of: dict[Cell, list[str]] = {}
    for row in facts.monthly:
        sids = scopes_of.get(row.cell)
        if sids is None:
            sids = scopes_of[row.cell] = _scopes_of_cell(row.cell)
        industry, _pref, park, _prog = row.cell
        for ind, idx in plan:
            if ind.population == "above_size" and not row.above_size:
                continue
            if ind.industries and industry not in ind.industries:
                continue
            if ind.in_park and not park:
                continue
            v = row.sums[idx]
            if v is None:
                continue
            if ind.kind == "growth" and ind.deflate:
                assert ind.base_year is not None
                factor = deflators.factor(industry, ind.base_year, row.year)
                if factor is None:
                    continue
                v /= factor
            sums = month_sums[ind.id]
            for sid in sids:
                sums[(sid, row.year, row.month)] += v
    for ind, _idx in plan:
        by_scope: dict[str, dict[tuple[int, int], float]] = defaultdict(dict)
        for (sid, y, m), v in month_sums[ind.id].items():
            by_scope[sid][(y, m)] = v
        for sid, values in by_scope.items():
            scope = table.scopes.get(sid)
            if scope is None or not ind.applies_to(scope.kind, scope.value):
                continue
            ytd: dict[tuple[int, int], float] = {}
            for y in sorted({y for y, _m in values}):
                running = 0.0
                for m in range(1, table.periods[y].month + 1):
                    running += values.get((y, m), 0.0)
                    ytd[(y, m)] = running
            if ind.kind == "growth":
                table.ytd_levels[(ind.id, sid)] = ytd
            else:
                table.months[(ind.id, sid)] = dict(sorted(values.items()))
                table.ytd[(ind.id, sid)] = ytd
