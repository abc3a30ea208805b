"""The entitlement engine: a policy's rules over an enterprise's facts, then the budget.

Pure like the rules: ``service`` gathers the facts through the registry and monitoring
services and stores what this module decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from plateau.i18n import lazy
from plateau.policy.definitions import Policy, RuleUse
from plateau.policy.rules import RULES, ZERO, Facts, Note, Outcome, money, round_cny


@dataclass(frozen=True)
class Result:
    """One rule of one policy for one enterprise and year."""

    policy: Policy
    rule: RuleUse
    facts: Facts
    year: int
    outcome: Outcome

    @property
    def amount_cny(self) -> Decimal:
        return self.outcome.amount_cny

    @property
    def once_key(self) -> str:
        """Once ever for a one-time award, once a year otherwise (the payment's unique key)."""
        return "once" if self.rule.once else str(self.year)


def in_scope(policy: Policy, facts: Facts) -> bool:
    """Tell whether the policy covers the enterprise by place and industry class."""
    if policy.prefectures and facts.prefecture_code not in policy.prefectures:
        return False
    if policy.gbt4754_prefixes:
        return bool(facts.gbt4754) and any(
            (facts.gbt4754 or "").startswith(p) for p in policy.gbt4754_prefixes
        )
    return True


def evaluate_rule(policy: Policy, rule: RuleUse, facts: Facts, year: int) -> Outcome:
    """Decide one rule: the common refusals first, then the rule's own function."""
    if not policy.in_force(year):
        return Outcome(ZERO, "not_in_force")
    if not in_scope(policy, facts):
        return Outcome(ZERO, "outside_scope")
    start, end = date(year, 1, 1), date(year, 12, 31)
    for kind in policy.excluded_statuses:
        for s in facts.statuses:
            if s.kind == kind and s.overlaps(start, end):
                return Outcome(
                    ZERO,
                    "credit_restricted" if kind == "credit_restricted" else "excluded",
                    (
                        Note(
                            lazy("Listed as %(status)s from %(start)s to %(end)s: not entitled."),
                            {
                                "status_msg": _status_label(kind),
                                "start": s.valid_from.isoformat(),
                                "end": s.valid_to.isoformat() if s.valid_to else "—",
                            },
                        ),
                    ),
                )
    for rule_id, paid_year in facts.paid:
        if rule_id == rule.id and (rule.once or paid_year == year):
            return Outcome(
                ZERO,
                "already_paid",
                (Note(lazy("Already paid for %(year)s."), {"year": str(paid_year)}),),
            )
    spec = RULES[rule.rule]
    params = {role: policy.parameters[pid] for role, pid in rule.parameters.items()}
    return spec.function(facts, year, params)


def _status_label(kind: str) -> str:
    from plateau.registry.schemas import STATUS_LABELS

    return STATUS_LABELS.get(kind, kind)


def evaluate(policy: Policy, facts: Facts, year: int) -> list[Result]:
    """Decide every rule of ``policy`` for one enterprise and year."""
    return [
        Result(policy, rule, facts, year, evaluate_rule(policy, rule, facts, year))
        for rule in policy.rules
    ]


def apply_budget(policy: Policy, results: Sequence[Result]) -> list[Result]:
    """Fit the entitled amounts into the budget: pro rata, or by rank (largest first) until spent."""
    total = sum((r.amount_cny for r in results), ZERO)
    budget = policy.budget_cny
    if budget is None or total <= budget:
        return list(results)
    out: list[Result] = []
    if policy.over_budget == "pro_rata":
        factor = budget / total
        for r in results:
            if not r.outcome.entitled:
                out.append(r)
                continue
            amount = round_cny(r.amount_cny * factor)
            note = Note(
                lazy(
                    "Budget %(budget)s CNY < entitlements %(total)s CNY: every amount × %(factor)s, %(before)s → %(amount)s CNY."
                ),
                {
                    "budget": money(budget),
                    "total": money(total),
                    "factor": f"{factor:.4f}",
                    "before": money(r.amount_cny),
                    "amount": money(amount),
                },
            )
            out.append(
                replace(
                    r,
                    outcome=replace(r.outcome, amount_cny=amount, notes=(*r.outcome.notes, note)),
                )
            )
        return out
    left = budget
    ranked = sorted(
        (r for r in results if r.outcome.entitled), key=lambda r: (-r.amount_cny, r.facts.uscc)
    )
    granted: dict[int, Decimal] = {}
    for r in ranked:
        granted[id(r)] = r.amount_cny if r.amount_cny <= left else ZERO
        left -= granted[id(r)]
    for r in results:
        if not r.outcome.entitled or granted[id(r)] == r.amount_cny:
            out.append(r)
            continue
        note = Note(
            lazy("Budget %(budget)s CNY spent by larger awards ranked first: nothing left."),
            {"budget": money(budget)},
        )
        out.append(
            replace(r, outcome=replace(r.outcome, amount_cny=ZERO, notes=(*r.outcome.notes, note)))
        )
    return out


def totals(results: Iterable[Result]) -> Decimal:
    return sum((r.amount_cny for r in results), ZERO)
