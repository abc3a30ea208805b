"""Eligibility-and-amount rules: small pure functions of an enterprise's facts for a year.

A rule never touches the database: the engine hands it the facts (registry statuses and
their dates, place and industry, approved or locked returns, earlier payments) and the
parameters of the policy, and the rule picks the value in force on each date it needs.
Each outcome carries its reason as notes (English message ids with parameters), so the
explanation reads in either language. Rules are registered in ``RULES``, by name.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from plateau.i18n import get_locale, gettext, lazy
from plateau.registry.schemas import STATUS_LABELS

if TYPE_CHECKING:
    from plateau.policy.definitions import Parameter

CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass(frozen=True)
class StatusFact:
    """A dated registry status of the enterprise (valid_to None: open-ended)."""

    kind: str
    valid_from: date
    valid_to: date | None = None
    level: str = ""
    certificate_no: str = ""

    def overlaps(self, start: date, end: date) -> bool:
        return self.valid_from <= end and (self.valid_to is None or self.valid_to >= start)


@dataclass(frozen=True)
class Facts:
    """What the engine knows of one enterprise for one year."""

    uscc: str
    name: str = ""
    prefecture_code: str = ""
    county_code: str | None = None
    industry_id: str = ""
    gbt4754: str | None = None
    statuses: tuple[StatusFact, ...] = ()
    # Revenue of each month (1–12) whose return is approved or locked; others are absent.
    monthly_revenue: Mapping[int, Decimal] = field(default_factory=dict)
    # Months with a return that is not approved yet (draft, submitted, returned).
    months_pending: int = 0
    # Completed fixed-asset investment of the approved or locked annual return.
    fixed_asset_investment: Decimal | None = None
    # (rule id, year) of this policy's earlier payments to the enterprise.
    paid: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Note:
    """One sentence of an explanation: an English message id and its parameters."""

    msgid: str
    params: Mapping[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """Return the sentence in the current language.

        A parameter named ``*_msg`` is a message id, translated; a pair ``*_zh``/``*_en``
        is a name in both languages, of which the current one is used.
        """
        if not self.params:
            return gettext(self.msgid)
        english = get_locale() == "en"
        values: dict[str, str] = {}
        for key, value in self.params.items():
            if key.endswith("_msg"):
                values[key[:-4]] = gettext(value)
            elif key.endswith("_zh"):
                values[key[:-3]] = self.params.get(key[:-3] + "_en", value) if english else value
            elif not key.endswith("_en"):
                values[key] = value
        return gettext(self.msgid, **values)

    def as_dict(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": dict(self.params)}


@dataclass(frozen=True)
class Outcome:
    """What a rule decided: the amount (0 when not entitled), why, and on what it rests."""

    amount_cny: Decimal
    reason: str
    notes: tuple[Note, ...] = ()
    # The amount rests on a parameter the bureau has yet to confirm.
    assumption: bool = False

    @property
    def entitled(self) -> bool:
        return self.amount_cny > 0


# Reason codes and their names (what a person reads).
REASONS: dict[str, str] = {
    "entitled": lazy("Entitled"),
    "outside_scope": lazy("The policy does not cover this enterprise"),
    "not_in_force": lazy("The policy is not in force in this year"),
    "not_leading": lazy("Not a leading enterprise"),
    "no_revenue": lazy("Revenue not yet reported"),
    "no_investment": lazy("Fixed-asset investment not yet reported"),
    "below_threshold": lazy("Investment below the first bracket"),
    "not_above_size": lazy("Not above designated size"),
    "not_first_time": lazy("Not the first time above designated size"),
    "credit_restricted": lazy("Credit-restricted"),
    "already_paid": lazy("Already paid"),
    "excluded": lazy("Excluded by the bureau"),
}


def money(value: Decimal) -> str:
    """Write an amount in CNY with thousands separators (8,000,000 or 8,000,000.50)."""
    q = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{q:,.0f}" if q == q.to_integral_value() else f"{q:,.2f}"


def percent(rate: Decimal) -> str:
    text = f"{(rate * 100).normalize():f}"
    return f"{text} %"


def round_cny(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _held(facts: Facts, kind: str, start: date, end: date) -> list[StatusFact]:
    return [s for s in facts.statuses if s.kind == kind and s.overlaps(start, end)]


def _status_note(s: StatusFact) -> Note:
    return Note(
        lazy("%(status)s from %(start)s to %(end)s (certificate %(no)s)."),
        {
            "status_msg": STATUS_LABELS.get(s.kind, s.kind),
            "start": s.valid_from.isoformat(),
            "end": s.valid_to.isoformat() if s.valid_to else "—",
            "no": s.certificate_no or "—",
        },
    )


def _value_note(p: Parameter, start: date, reference: str) -> Note:
    return Note(
        lazy("%(parameter)s in force from %(start)s (%(reference)s)."),
        {
            "parameter_zh": p.name_zh,
            "parameter_en": p.name_en,
            "start": start.isoformat(),
            "reference": reference,
        },
    )


def revenue_share(facts: Facts, year: int, params: Mapping[str, Parameter]) -> Outcome:
    """A share of the revenue of the months the enterprise is a leading enterprise, capped."""
    rate_p, cap_p = params["rate"], params["cap"]
    start, end = date(year, 1, 1), date(year, 12, 31)
    leading = _held(facts, "leading_enterprise", start, end)
    if not leading:
        return Outcome(
            ZERO,
            "not_leading",
            (Note(lazy("No leading-enterprise designation in %(year)s."), {"year": str(year)}),),
        )
    notes = [_status_note(s) for s in leading]
    months = [
        m
        for m in range(1, 13)
        if _held(facts, "leading_enterprise", date(year, m, 1), _month_end(year, m))
    ]
    counted = [m for m in months if m in facts.monthly_revenue]
    if not counted:
        return Outcome(
            ZERO,
            "no_revenue",
            (
                *notes,
                Note(
                    lazy("No approved or locked revenue return for the months of the designation.")
                ),
            ),
        )
    if len(counted) < len(months):
        notes.append(
            Note(
                lazy("%(n)s of %(m)s designated months have an approved return; only those count."),
                {"n": str(len(counted)), "m": str(len(months))},
            )
        )
    # Consecutive months under the same rate form one term of the sum.
    terms: list[tuple[Decimal, date, str, list[int]]] = []
    for m in counted:
        value = rate_p.at(date(year, m, 1))
        if value is None or value.value is None:
            continue
        if terms and terms[-1][1] == value.start:
            terms[-1][3].append(m)
        else:
            terms.append((value.value, value.start, value.reference, [m]))
    total = ZERO
    parts = []
    for rate, since, reference, ms in terms:
        revenue = sum((facts.monthly_revenue[m] for m in ms), ZERO)
        share = round_cny(rate * revenue)
        total += share
        notes.append(_value_note(rate_p, since, reference))
        notes.append(
            Note(
                lazy("Months %(first)s–%(last)s: %(rate)s × %(revenue)s = %(share)s CNY."),
                {
                    "first": str(ms[0]),
                    "last": str(ms[-1]),
                    "rate": percent(rate),
                    "revenue": money(revenue),
                    "share": money(share),
                },
            )
        )
        parts.append(f"{percent(rate)} × {money(revenue)}")
    cap = cap_p.at(end)
    amount = total
    if cap is not None and cap.value is not None:
        notes.append(_value_note(cap_p, cap.start, cap.reference))
        amount = min(total, cap.value)
        sign = "≤" if total <= cap.value else ">"
        notes.append(
            Note(
                lazy("%(terms)s = %(total)s %(sign)s %(cap)s: %(amount)s CNY."),
                {
                    "terms": " + ".join(parts),
                    "total": money(total),
                    "sign": sign,
                    "cap": money(cap.value),
                    "amount": money(amount),
                },
            )
        )
    return Outcome(round_cny(amount), "entitled", tuple(notes))


def investment_award(facts: Facts, year: int, params: Mapping[str, Parameter]) -> Outcome:
    """An award by bracket of the completed fixed-asset investment of a leading enterprise."""
    scale_p = params["scale"]
    start, end = date(year, 1, 1), date(year, 12, 31)
    leading = _held(facts, "leading_enterprise", start, end)
    if not leading:
        return Outcome(
            ZERO,
            "not_leading",
            (Note(lazy("No leading-enterprise designation in %(year)s."), {"year": str(year)}),),
        )
    notes = [_status_note(s) for s in leading]
    if facts.fixed_asset_investment is None:
        notes.append(
            Note(
                lazy(
                    "No approved or locked annual return with fixed-asset investment for %(year)s."
                ),
                {"year": str(year)},
            )
        )
        return Outcome(ZERO, "no_investment", tuple(notes))
    scale = scale_p.at(end)
    if scale is None:
        return Outcome(ZERO, "not_in_force", tuple(notes))
    notes.append(_value_note(scale_p, scale.start, scale.reference))
    if scale_p.assumption:
        notes.append(
            Note(lazy("The bracket scale is an assumption to be confirmed by the bureau."))
        )
    invested = facts.fixed_asset_investment
    chosen = None
    for b in scale.brackets:
        if invested >= b.min_cny:
            chosen = b
    if chosen is None or chosen.amount_cny <= 0:
        first = scale.brackets[0] if chosen is None else chosen
        notes.append(
            Note(
                lazy(
                    "Completed investment %(invested)s CNY is below the first bracket of %(min)s CNY."
                ),
                {
                    "invested": money(invested),
                    "min": money(
                        next((b.min_cny for b in scale.brackets if b.amount_cny > 0), first.min_cny)
                    ),
                },
            )
        )
        return Outcome(ZERO, "below_threshold", tuple(notes), assumption=scale_p.assumption)
    notes.append(
        Note(
            lazy("Completed investment %(invested)s CNY ≥ %(min)s CNY: award %(amount)s CNY."),
            {
                "invested": money(invested),
                "min": money(chosen.min_cny),
                "amount": money(chosen.amount_cny),
            },
        )
    )
    return Outcome(
        round_cny(chosen.amount_cny), "entitled", tuple(notes), assumption=scale_p.assumption
    )


def first_above_size(facts: Facts, year: int, params: Mapping[str, Parameter]) -> Outcome:
    """A fixed award the year an enterprise first enters the above-designated-size statistics."""
    award_p = params["award"]
    above = sorted(
        (s for s in facts.statuses if s.kind == "above_designated_size"), key=lambda s: s.valid_from
    )
    if not above or above[0].valid_from.year > year:
        return Outcome(
            ZERO,
            "not_above_size",
            (
                Note(
                    lazy("Not in the above-designated-size directory in %(year)s."),
                    {"year": str(year)},
                ),
            ),
        )
    first = above[0]
    notes = [_status_note(first)]
    if first.valid_from.year < year:
        notes.append(
            Note(
                lazy(
                    "First entered the above-designated-size statistics in %(first)s, not %(year)s."
                ),
                {"first": str(first.valid_from.year), "year": str(year)},
            )
        )
        return Outcome(ZERO, "not_first_time", tuple(notes))
    award = award_p.at(first.valid_from)
    if award is None or award.value is None:
        return Outcome(ZERO, "not_in_force", tuple(notes))
    notes.append(_value_note(award_p, award.start, award.reference))
    notes.append(
        Note(
            lazy("First time above designated size on %(start)s: %(amount)s CNY, once."),
            {"start": first.valid_from.isoformat(), "amount": money(award.value)},
        )
    )
    return Outcome(round_cny(award.value), "entitled", tuple(notes))


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule: its function and the kinds of the parameters it takes, by role."""

    function: Callable[[Facts, int, Mapping[str, Parameter]], Outcome]
    parameters: Mapping[str, str]
    name: str


# The registry of rules a policy document may name. Add a rule here, explicitly.
RULES: dict[str, RuleSpec] = {
    "revenue_share": RuleSpec(
        revenue_share, {"rate": "rate", "cap": "amount"}, lazy("Share of annual revenue, capped")
    ),
    "investment_award": RuleSpec(
        investment_award, {"scale": "brackets"}, lazy("Award by completed fixed-asset investment")
    ),
    "first_above_size": RuleSpec(
        first_above_size, {"award": "amount"}, lazy("First time above designated size")
    ),
}
