"""Validation rules declared in ``rules.yaml``, evaluated over one return at a time.

The YAML chooses rules, severities, elements and thresholds; this module holds one checker
per rule *kind* (``CHECKERS``), so a new kind is registered here explicitly, never
discovered. A checker sees a ``Subject``: the return's values and, for the rules that need
them, the enterprise's own earlier months and its industry peers in the same month.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from plateau.formatting import fmt_number
from plateau.i18n import _, get_locale, lazy
from plateau.monitoring import outliers
from plateau.monitoring.elements import Catalog, DataElement, catalog, format_value
from plateau.monitoring.periods import Period

Severity = Literal["error", "warning"]
Stage = Literal["save", "submit"]
Values = Mapping[str, Decimal | None]


@dataclass(frozen=True)
class Rule:
    """One declared rule: its kind, severity, when it applies and its parameters."""

    id: str
    kind: str
    severity: Severity
    at: Stage
    name_zh: str
    name_en: str
    elements: tuple[str, ...] | None  # None: every element of the return
    params: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.name_en if get_locale() == "en" else self.name_zh

    def targets(self, present: Sequence[DataElement]) -> list[DataElement]:
        if self.elements is None:
            return list(present)
        wanted = set(self.elements)
        return [e for e in present if e.id in wanted]


@dataclass(frozen=True)
class Schedule:
    first_period: Period
    monthly_due_day: int
    annual_due: tuple[int, int]


@dataclass(frozen=True)
class RuleSet:
    schedule: Schedule
    rules: tuple[Rule, ...]

    def by_kind(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    @property
    def history_months(self) -> int:
        """How many earlier months of its own the rules need to see for an enterprise."""
        months = [12 for _r in self.by_kind("yoy_change")]
        months += [int(r.params["window"]) for r in self.by_kind("outlier_history")]
        return max(months, default=0)

    @property
    def needs_peers(self) -> bool:
        return bool(self.by_kind("outlier_peers"))

    @property
    def unique_period(self) -> bool:
        return bool(self.by_kind("unique_period"))


@dataclass(frozen=True)
class Finding:
    """What a rule says about one return: an error or a warning, on one element."""

    rule: str
    severity: Severity
    element: str | None
    message: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identifies the warning a comment explains."""
        return f"{self.rule}:{self.element or ''}"


@dataclass
class Subject:
    """A return under validation and what the rules may compare it with."""

    industry_id: str | None
    period: Period
    elements: list[DataElement]  # the elements of this return
    values: dict[str, Decimal | None]
    # The enterprise's own monthly values of earlier months.
    history: dict[Period, dict[str, Decimal | None]] = field(default_factory=dict)
    # Other enterprises of the same industry in the same month.
    peers: list[dict[str, Decimal | None]] = field(default_factory=list)


Checker = Callable[[Rule, Subject, Catalog], list[Finding]]


def _name(cat: Catalog, element_id: str) -> str:
    found = cat.elements.get(element_id)
    return found.name if found else element_id


def _fmt(cat: Catalog, element_id: str, value: Decimal | float) -> str:
    found = cat.elements.get(element_id)
    return format_value(found, value) if found else fmt_number(value, 2)


def check_required(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    return [
        Finding(rule.id, rule.severity, e.id, _("%(element)s is required.", element=e.name))
        for e in rule.targets(subject.elements)
        if subject.values.get(e.id) is None
    ]


def check_non_negative(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    out = []
    for e in rule.targets(subject.elements):
        v = subject.values.get(e.id)
        if v is not None and v < 0:
            out.append(
                Finding(
                    rule.id,
                    rule.severity,
                    e.id,
                    _("%(element)s must not be negative (%(value)s).", element=e.name, value=v),
                )
            )
    return out


def check_integer(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    out = []
    for e in rule.targets(subject.elements):
        v = subject.values.get(e.id)
        if v is not None and v != v.to_integral_value():
            out.append(
                Finding(
                    rule.id,
                    rule.severity,
                    e.id,
                    _(
                        "%(element)s must be a whole number, not %(value)s.",
                        element=e.name,
                        value=v,
                    ),
                )
            )
    return out


_COMPARE: dict[str, tuple[Callable[[Decimal, Decimal], bool], str]] = {
    "<=": (lambda a, b: a <= b, lazy("%(left)s (%(lv)s) must not exceed %(right)s (%(rv)s).")),
    "<": (lambda a, b: a < b, lazy("%(left)s (%(lv)s) must be less than %(right)s (%(rv)s).")),
    ">=": (lambda a, b: a >= b, lazy("%(left)s (%(lv)s) must be at least %(right)s (%(rv)s).")),
    ">": (lambda a, b: a > b, lazy("%(left)s (%(lv)s) must be greater than %(right)s (%(rv)s).")),
}


def check_compare(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    left, right, op = str(rule.params["left"]), str(rule.params["right"]), str(rule.params["op"])
    present = {e.id for e in subject.elements}
    if left not in present or right not in present:
        return []
    lv, rv = subject.values.get(left), subject.values.get(right)
    if lv is None or rv is None:
        return []
    test, message = _COMPARE[op]
    if test(lv, rv):
        return []
    text = _(
        message,
        left=_name(cat, left),
        lv=_fmt(cat, left, lv),
        right=_name(cat, right),
        rv=_fmt(cat, right, rv),
    )
    return [Finding(rule.id, rule.severity, left, text)]


def check_unique_period(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    # Enforced where returns are written (a file's rows, the existing return), not per value.
    return []


def check_yoy_change(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    if subject.period.is_annual:
        return []
    last_year = subject.history.get(subject.period.add_months(-12), {})
    threshold = Decimal(str(rule.params["threshold"]))
    min_base = Decimal(str(rule.params.get("min_base", 0)))
    out = []
    for e in rule.targets(subject.elements):
        now, before = subject.values.get(e.id), last_year.get(e.id)
        if now is None or before is None or before <= 0 or before < min_base:
            continue
        change = (now - before) / before
        if abs(change) > threshold:
            out.append(
                Finding(
                    rule.id,
                    rule.severity,
                    e.id,
                    _(
                        "%(element)s changed by %(change)s on the same month last year (%(before)s → %(now)s), more than ±%(limit)s.",
                        element=e.name,
                        change=f"{float(change) * 100:+.1f}%",
                        before=_fmt(cat, e.id, before),
                        now=_fmt(cat, e.id, now),
                        limit=f"{float(threshold) * 100:.0f}%",
                    ),
                    {"change": float(change), "before": float(before)},
                )
            )
    return out


def check_outlier_history(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    if subject.period.is_annual:
        return []
    window = int(rule.params["window"])
    min_points = int(rule.params.get("min_points", 12))
    threshold = float(rule.params.get("threshold", 3.5))
    months = [subject.period.add_months(-k) for k in range(1, window + 1)]
    out = []
    for e in rule.targets(subject.elements):
        now = subject.values.get(e.id)
        if now is None:
            continue
        sample = [
            float(v) for m in months if (v := subject.history.get(m, {}).get(e.id)) is not None
        ]
        if len(sample) < min_points:
            continue
        score = outliers.modified_z(float(now), sample)
        if score is None or not score.exceeds(threshold):
            continue
        out.append(
            Finding(
                rule.id,
                rule.severity,
                e.id,
                _(
                    "%(element)s of %(value)s is unusual for this enterprise: its last %(n)s months have a median of %(median)s (modified z-score %(z)s, limit %(limit)s).",
                    element=e.name,
                    value=_fmt(cat, e.id, now),
                    n=score.n,
                    median=_fmt(cat, e.id, score.median),
                    z=f"{score.z:+.1f}",
                    limit=fmt_number(threshold, 1),
                ),
                {"z": score.z, "median": score.median, "mad": score.mad, "n": score.n},
            )
        )
    return out


def _ratio(values: Mapping[str, Decimal | None], num: str, den: str) -> float | None:
    n, d = values.get(num), values.get(den)
    if n is None or d is None or d <= 0:
        return None
    return float(n) / float(d)


def check_outlier_peers(rule: Rule, subject: Subject, cat: Catalog) -> list[Finding]:
    num, den = str(rule.params["numerator"]), str(rule.params["denominator"])
    present = {e.id for e in subject.elements}
    if num not in present or den not in present:
        return []
    mine = _ratio(subject.values, num, den)
    if mine is None:
        return []
    sample = [r for p in subject.peers if (r := _ratio(p, num, den)) is not None]
    if len(sample) < int(rule.params.get("min_peers", 5)):
        return []
    threshold = float(rule.params.get("threshold", 3.5))
    score = outliers.modified_z(mine, sample)
    if score is None or not score.exceeds(threshold):
        return []
    return [
        Finding(
            rule.id,
            rule.severity,
            num,
            _(
                "%(ratio)s: %(value)s per person is unusual among %(n)s enterprises of the same industry this month (median %(median)s, modified z-score %(z)s, limit %(limit)s).",
                ratio=rule.name,
                value=_fmt(cat, num, mine),
                n=score.n,
                median=_fmt(cat, num, score.median),
                z=f"{score.z:+.1f}",
                limit=fmt_number(threshold, 1),
            ),
            {"z": score.z, "median": score.median, "mad": score.mad, "n": score.n},
        )
    ]


CHECKERS: dict[str, Checker] = {
    "required": check_required,
    "non_negative": check_non_negative,
    "integer": check_integer,
    "compare": check_compare,
    "unique_period": check_unique_period,
    "yoy_change": check_yoy_change,
    "outlier_history": check_outlier_history,
    "outlier_peers": check_outlier_peers,
}
_PARAMS: dict[str, tuple[str, ...]] = {
    "compare": ("left", "op", "right"),
    "yoy_change": ("threshold",),
    "outlier_history": ("window",),
    "outlier_peers": ("numerator", "denominator"),
}


def _rule(raw: Mapping[str, Any], cat: Catalog) -> Rule:
    rid = str(raw["id"])
    kind = str(raw["kind"])
    if kind not in CHECKERS:
        raise ValueError(f"rule {rid}: unknown kind {kind}")
    severity = raw.get("severity", "error")
    if severity not in ("error", "warning"):
        raise ValueError(f"rule {rid}: severity must be error or warning")
    at = raw.get("at", "save")
    if at not in ("save", "submit"):
        raise ValueError(f"rule {rid}: at must be save or submit")
    elements = raw.get("elements", "*")
    listed = None if elements == "*" else tuple(str(e) for e in elements)
    params = {
        k: v
        for k, v in raw.items()
        if k not in ("id", "kind", "severity", "at", "elements", "name_zh", "name_en")
    }
    for key in _PARAMS.get(kind, ()):
        if key not in params:
            raise ValueError(f"rule {rid}: parameter {key} is missing")
    named = list(listed or ()) + [
        str(params[k]) for k in ("left", "right", "numerator", "denominator") if k in params
    ]
    for element in named:
        if element not in cat.elements:
            raise ValueError(f"rule {rid}: unknown data element {element}")
    if kind == "compare" and params["op"] not in _COMPARE:
        raise ValueError(f"rule {rid}: unknown comparison {params['op']}")
    return Rule(
        id=rid,
        kind=kind,
        severity=severity,
        at=at,
        name_zh=str(raw.get("name_zh", rid)),
        name_en=str(raw.get("name_en", rid)),
        elements=listed,
        params=params,
    )


def parse_rules(data: Mapping[str, Any], cat: Catalog) -> RuleSet:
    """Build the rule set from the YAML structure, refusing unknown kinds and elements."""
    sched = data.get("schedule", {})
    first_text = str(sched.get("first_period", "2019-01"))
    year, month = first_text.split("-")
    due_month, due_day = str(sched.get("annual_due", "03-31")).split("-")
    rules = tuple(_rule(r, cat) for r in data.get("rules", []))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("rule ids must be unique")
    return RuleSet(
        schedule=Schedule(
            first_period=Period(int(year), int(month)),
            monthly_due_day=int(sched.get("monthly_due_day", 15)),
            annual_due=(int(due_month), int(due_day)),
        ),
        rules=rules,
    )


@lru_cache
def ruleset() -> RuleSet:
    """Return the rules shipped with the package."""
    text = (resources.files("plateau.monitoring") / "rules.yaml").read_text("utf-8")
    return parse_rules(yaml.safe_load(text), catalog())


def evaluate(
    subject: Subject, *, stage: Stage, rules: RuleSet | None = None, cat: Catalog | None = None
) -> list[Finding]:
    """Run every rule that applies at ``stage`` (``submit`` includes the ``save`` rules)."""
    rs = rules or ruleset()
    cat = cat or catalog()
    found: list[Finding] = []
    for rule in rs.rules:
        if rule.at == "submit" and stage != "submit":
            continue
        found.extend(CHECKERS[rule.kind](rule, subject, cat))
    return found
