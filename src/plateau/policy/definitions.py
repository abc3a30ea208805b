"""Policies as versioned YAML: parameters keyed by the date they take effect, each with its reference.

The shape follows OpenFisca's parameters (a value per start date, each citing the text that
sets it) without the dependency: a policy is one small document, and what the loader must
refuse (unordered or repeated dates, a value without its legal reference, a parameter no
rule knows or a rule without its parameter) is easier to say, with file and line, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

OVER_BUDGET_MODES = ("pro_rata", "ranked")
PARAMETER_KINDS = ("rate", "amount", "brackets")


class PolicyLoadError(ValueError):
    """A policy document that may not be used, with the file and line at fault."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[Any, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if key in result:
            # YAML would keep the last of two equal keys: a repeated date must not pass.
            raise yaml.MarkedYAMLError(
                problem=f"'{key}' appears twice (first on line {result.lines[key]})",
                problem_mark=key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


@dataclass(frozen=True)
class Bracket:
    """From ``min_cny`` of completed investment on, the award is ``amount_cny``."""

    min_cny: Decimal
    amount_cny: Decimal


@dataclass(frozen=True)
class ParameterValue:
    """One value of a parameter, in force from ``start`` until the next value's start."""

    start: date
    reference: str
    value: Decimal | None = None
    brackets: tuple[Bracket, ...] = ()


@dataclass(frozen=True)
class Parameter:
    """A named figure a rule uses, with its values by effective date."""

    id: str
    kind: str
    name_zh: str
    name_en: str
    values: tuple[ParameterValue, ...]
    # A figure the bureau has not set yet: shipped as a default to be confirmed.
    assumption: bool = False

    def at(self, on: date) -> ParameterValue | None:
        """Return the value in force on ``on`` (None before the first one)."""
        found = None
        for v in self.values:
            if v.start <= on:
                found = v
        return found


@dataclass(frozen=True)
class RuleUse:
    """A rule of a policy: which registered rule, its parameters, once ever or once a year."""

    id: str
    rule: str
    name_zh: str
    name_en: str
    once: bool
    parameters: dict[str, str]


@dataclass(frozen=True)
class Policy:
    """A policy document: who issued it, when it applies, its budget, rules and parameters."""

    id: str
    version: int
    title_zh: str
    title_en: str
    document_zh: str
    document_en: str
    section: str
    effective_from: date
    effective_to: date | None
    budget_cny: Decimal | None
    over_budget: str
    notice_days: int
    prefectures: tuple[str, ...]
    gbt4754_prefixes: tuple[str, ...]
    excluded_statuses: tuple[str, ...]
    rules: tuple[RuleUse, ...]
    parameters: dict[str, Parameter] = field(default_factory=dict)
    source: str = ""

    @property
    def name_zh(self) -> str:
        return self.title_zh

    @property
    def name_en(self) -> str:
        return self.title_en

    def in_force(self, year: int) -> bool:
        """Tell whether the policy applies to any day of ``year``."""
        return self.effective_from <= date(year, 12, 31) and (
            self.effective_to is None or self.effective_to >= date(year, 1, 1)
        )

    def rule(self, rule_id: str) -> RuleUse:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _need(source: str, m: _Map, key: str, where: int | None = None) -> Any:
    if key not in m or m[key] is None or m[key] == "":
        raise PolicyLoadError(source, where or m.line, f"missing '{key}'")
    return m[key]


def _map(source: str, value: Any, line: int, what: str) -> _Map:
    if not isinstance(value, _Map):
        raise PolicyLoadError(source, line, f"{what} must be a mapping")
    return value


def _decimal(source: str, value: Any, line: int, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if isinstance(value, bool) or not number.is_finite() or number < 0:
        raise PolicyLoadError(source, line, f"{what} must be a number ≥ 0, not {value!r}")
    return number


def _date(source: str, value: Any, line: int, what: str) -> date:
    if not isinstance(value, date):
        raise PolicyLoadError(source, line, f"{what} must be a date such as 2024-01-01")
    return value


def _parameter(source: str, pid: str, m: _Map) -> Parameter:
    kind = _need(source, m, "kind")
    if kind not in PARAMETER_KINDS:
        raise PolicyLoadError(source, m.lines["kind"], f"kind must be one of {PARAMETER_KINDS}")
    values_map = _map(source, _need(source, m, "values"), m.lines["values"], "values")
    values: list[ParameterValue] = []
    previous: date | None = None
    for start, raw in values_map.items():
        line = values_map.lines[start]
        start = _date(source, start, line, "each key of 'values'")
        if previous is not None and start <= previous:
            raise PolicyLoadError(
                source,
                line,
                f"dates of parameter '{pid}' must be in increasing order without repeats: "
                f"{start} comes after {previous}",
            )
        previous = start
        entry = _map(source, raw, line, f"the value of '{pid}' from {start}")
        reference = entry.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            raise PolicyLoadError(
                source, entry.line, f"the value of '{pid}' from {start} has no legal reference"
            )
        if kind == "brackets":
            raw_brackets = entry.get("brackets")
            if not isinstance(raw_brackets, list) or not raw_brackets:
                raise PolicyLoadError(source, entry.line, f"'{pid}' from {start}: no brackets")
            brackets: list[Bracket] = []
            for b in raw_brackets:
                bm = _map(source, b, entry.line, "a bracket")
                bracket = Bracket(
                    _decimal(source, _need(source, bm, "min_cny"), bm.line, "min_cny"),
                    _decimal(source, _need(source, bm, "amount_cny"), bm.line, "amount_cny"),
                )
                if brackets and bracket.min_cny <= brackets[-1].min_cny:
                    raise PolicyLoadError(
                        source, bm.line, f"brackets of '{pid}' must have increasing min_cny"
                    )
                brackets.append(bracket)
            values.append(ParameterValue(start, reference.strip(), brackets=tuple(brackets)))
        else:
            value = _decimal(
                source, _need(source, entry, "value"), entry.lines.get("value", entry.line), pid
            )
            if kind == "rate" and value > 1:
                raise PolicyLoadError(
                    source, entry.lines["value"], f"'{pid}' is a rate: write 5 % as 0.05"
                )
            values.append(ParameterValue(start, reference.strip(), value=value))
    return Parameter(
        id=pid,
        kind=kind,
        name_zh=str(_need(source, m, "name_zh")),
        name_en=str(_need(source, m, "name_en")),
        values=tuple(values),
        assumption=bool(m.get("assumption", False)),
    )


def parse_policy(text: str, source: str) -> Policy:
    """Read one policy document; raise ``PolicyLoadError`` naming the file and line."""
    from plateau.policy.rules import RULES

    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyLoadError(source, mark.line + 1 if mark else 1, str(exc)) from None
    m = _map(source, doc, 1, "a policy")
    known = {
        "id", "version", "title_zh", "title_en", "document_zh", "document_en", "section",
        "effective_from", "effective_to", "budget_cny", "over_budget", "notice_days",
        "applies_to", "excluded_statuses", "rules", "parameters",
    }  # fmt: skip
    for key in m:
        if key not in known:
            raise PolicyLoadError(source, m.lines[key], f"unknown field '{key}'")
    params_map = _map(source, _need(source, m, "parameters"), m.lines["parameters"], "parameters")
    parameters = {
        pid: _parameter(source, pid, _map(source, raw, params_map.lines[pid], pid))
        for pid, raw in params_map.items()
    }
    raw_rules = _need(source, m, "rules")
    if not isinstance(raw_rules, list):
        raise PolicyLoadError(source, m.lines["rules"], "rules must be a list")
    used: set[str] = set()
    rules: list[RuleUse] = []
    for raw in raw_rules:
        rm = _map(source, raw, m.lines["rules"], "a rule")
        name = _need(source, rm, "rule")
        if name not in RULES:
            raise PolicyLoadError(
                source, rm.lines["rule"], f"unknown rule '{name}': known are {sorted(RULES)}"
            )
        wanted = RULES[name].parameters
        given = _map(source, rm.get("parameters") or _Map(), rm.line, "parameters of a rule")
        for role, pid in given.items():
            if role not in wanted:
                raise PolicyLoadError(
                    source, given.lines[role], f"rule '{name}' takes no parameter '{role}'"
                )
            if pid not in parameters:
                raise PolicyLoadError(source, given.lines[role], f"unknown parameter '{pid}'")
            if parameters[pid].kind != wanted[role]:
                raise PolicyLoadError(
                    source, given.lines[role], f"'{pid}' is not of kind {wanted[role]}"
                )
            used.add(pid)
        for role in wanted:
            if role not in given:
                raise PolicyLoadError(source, rm.line, f"rule '{name}' needs parameter '{role}'")
        rules.append(
            RuleUse(
                id=str(_need(source, rm, "id")),
                rule=name,
                name_zh=str(_need(source, rm, "name_zh")),
                name_en=str(_need(source, rm, "name_en")),
                once=bool(rm.get("once", False)),
                parameters=dict(given),
            )
        )
    for pid in parameters:
        if pid not in used:
            raise PolicyLoadError(
                source, params_map.lines[pid], f"unknown parameter '{pid}': no rule uses it"
            )
    applies = _map(source, m.get("applies_to") or _Map(), m.line, "applies_to")
    over_budget = m.get("over_budget", "pro_rata")
    if over_budget not in OVER_BUDGET_MODES:
        raise PolicyLoadError(
            source, m.lines["over_budget"], f"over_budget must be one of {OVER_BUDGET_MODES}"
        )
    effective_from = _date(
        source,
        _need(source, m, "effective_from"),
        m.lines.get("effective_from", 1),
        "effective_from",
    )
    effective_to = None
    if m.get("effective_to") is not None:
        effective_to = _date(source, m["effective_to"], m.lines["effective_to"], "effective_to")
        if effective_to < effective_from:
            raise PolicyLoadError(
                source, m.lines["effective_to"], "effective_to is before effective_from"
            )
    budget = m.get("budget_cny")
    return Policy(
        id=str(_need(source, m, "id")),
        version=int(_need(source, m, "version")),
        title_zh=str(_need(source, m, "title_zh")),
        title_en=str(_need(source, m, "title_en")),
        document_zh=str(_need(source, m, "document_zh")),
        document_en=str(m.get("document_en", "")),
        section=str(m.get("section", "")),
        effective_from=effective_from,
        effective_to=effective_to,
        budget_cny=_decimal(source, budget, m.lines["budget_cny"], "budget_cny")
        if budget is not None
        else None,
        over_budget=over_budget,
        notice_days=int(m.get("notice_days", 7)),
        prefectures=tuple(str(p) for p in applies.get("prefectures", ())),
        gbt4754_prefixes=tuple(str(p) for p in applies.get("gbt4754_prefixes", ())),
        excluded_statuses=tuple(m.get("excluded_statuses", ())),
        rules=tuple(rules),
        parameters=parameters,
        source=source,
    )


def load_file(path: Path) -> Policy:
    """Load the policy document at ``path``."""
    return parse_policy(path.read_text(encoding="utf-8"), path.name)


@lru_cache
def shipped_policies() -> dict[str, Policy]:
    """Return the policies shipped with Plateau (``policy/policies/*.yaml``), by id."""
    root = resources.files("plateau.policy") / "policies"
    found: dict[str, Policy] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            policy = parse_policy(entry.read_text(encoding="utf-8"), entry.name)
            found[policy.id] = policy
    return found
