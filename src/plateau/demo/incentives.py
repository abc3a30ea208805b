"""The facts incentive policies read in the demo world: leading enterprises, their investment,
a credit-restricted firm (assumptions, made to look plausible, not published lists).

- Lhasa's garment program: the bigger local maker ("leader") and the aid-built plant are
  cultivation targets (培育对象) of the leading-enterprise project from 15 March 2024; one
  workshop joins on 1 July 2025 (a designation that starts mid-year); another workshop is on
  the abnormal-operation list (经营异常名录) from April to October 2025.
- Elsewhere: the three largest firms of agri_food and of tibetan_medicine are regional
  leading enterprises (农牧业产业化龙头企业) from 2023.
- Every leading enterprise files an approved annual return (年报) with its completed
  fixed-asset investment for each complete year since its designation (1–25 million CNY:
  technical upgrading and equipment renewal).

The first-time above-size enterprises come from the histories (``garment`` and ``firms``).
Drawn from their own random stream, so no other row of the world changes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from plateau.demo.firms import Firm


def _status(
    firm: Firm, kind: str, level: str, start: date, end: date | None, cert: str, today: date
) -> list[dict[str, Any]]:
    if start > today:
        return []
    return [
        {
            "enterprise_key": firm.key,
            "kind": kind,
            "level": level,
            "valid_from": start,
            "valid_to": end,
            "certificate_no": cert,
        }
    ]


def _annual(
    rng: random.Random, firm: Firm, since: int, last_year: int, today: date
) -> list[dict[str, Any]]:
    rows = []
    for year in range(since, last_year + 1):
        amount = math.exp(rng.uniform(math.log(1_000_000), math.log(25_000_000)))
        submitted = datetime(year + 1, 3, rng.randint(5, 25), 3, tzinfo=UTC)
        if submitted.date() > today:
            continue
        rows.append(
            {
                "enterprise_key": firm.key,
                "year": year,
                "status": "approved",
                "submitted_at": submitted,
                "first_submitted_at": submitted,
                "approved_at": submitted.replace(day=min(submitted.day + 3, 28)),
                "fixed_asset_investment": Decimal(str(round(amount, -3))),
            }
        )
    return rows


def garment_rows(
    rng: random.Random, pairs: Iterable[tuple[Any, Firm]], *, last_year: int, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Statuses and annual returns of the garment makers (see the module's story)."""
    statuses: list[dict[str, Any]] = []
    annual: list[dict[str, Any]] = []
    starters = []
    n = 0
    for spec, firm in pairs:
        if spec.role in ("leader", "plant"):
            n += 1
            start = date(2024, 3, 15)
            statuses += _status(
                firm, "leading_enterprise", "prefecture", start, None, f"LSFZPY-2024-{n:03d}", today
            )
            annual += _annual(rng, firm, 2024, last_year, today)
        else:
            starters.append(firm)
    if starters:
        mid = starters[0]
        statuses += _status(
            mid,
            "leading_enterprise",
            "prefecture",
            date(2025, 7, 1),
            None,
            "LSFZPY-2025-001",
            today,
        )
        annual += _annual(rng, mid, 2025, last_year, today)
    if len(starters) > 1:
        statuses += _status(
            starters[1],
            "credit_restricted",
            "prefecture",
            date(2025, 4, 1),
            date(2025, 10, 31),
            "LSSJ-JYYC-2025-017",
            today,
        )
    return statuses, annual


def regional_rows(
    rng: random.Random, firms: Iterable[Firm], *, last_year: int, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The regional leading enterprises of agri_food and tibetan_medicine, with investment."""
    statuses: list[dict[str, Any]] = []
    annual: list[dict[str, Any]] = []
    for industry in ("agri_food", "tibetan_medicine"):
        biggest = sorted(
            (f for f in firms if f.industry == industry and f.exit_month is None),
            key=lambda f: (-f.output_2022, f.key),
        )[:3]
        for i, firm in enumerate(biggest, 1):
            statuses += _status(
                firm,
                "leading_enterprise",
                "regional",
                date(2023, 6, 1),
                None,
                f"XZLTQY-2023-{industry[:2].upper()}{i:02d}",
                today,
            )
            annual += _annual(rng, firm, 2023, last_year, today)
    return statuses, annual
