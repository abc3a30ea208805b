"""Dated statuses of the demo enterprises: 规上, 高新技术, 专精特新, 小巨人, 绿色工厂.

On 2022-12-31 exactly 15 hold high-tech status, 21 are specialized SMEs and 17 are green
factories (plan 一(一)); certificates before and after that date follow the real rhythm
(high-tech and SME recognitions last three years, green-factory lists come out yearly).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from plateau.demo.firms import ABOVE, Firm

HIGH_TECH_QUOTA = {
    "tibetan_medicine": 6,
    "agri_food": 3,
    "oxygen_health": 2,
    "cookware": 1,
    "drinking_water": 1,
    "packaging": 1,
    "brewing": 1,
}
SME_QUOTA = {
    "tibetan_medicine": 5,
    "agri_food": 6,
    "drinking_water": 2,
    "cookware": 2,
    "oxygen_health": 1,
    "packaging": 2,
    "ethnic_handicraft": 2,
    "leather_wool": 1,
}
GREEN_QUOTA = {
    "tibetan_medicine": 4,
    "agri_food": 5,
    "drinking_water": 3,
    "brewing": 2,
    "packaging": 1,
    "beverage_tea": 1,
    "cookware": 1,
}
CALIBRATION_DAY = date(2022, 12, 31)
# New recognitions per year after 2022 (2025 targets: 20 high-tech, 50 SMEs, 32 green factories).
NEW_PER_YEAR = {"high_tech": 2, "specialized_sme": 7, "green_factory": 4}
GREEN_BATCHES = {
    2019: date(2019, 12, 10),
    2020: date(2020, 12, 15),
    2021: date(2021, 11, 30),
    2022: date(2022, 12, 8),
    2023: date(2023, 12, 12),
    2024: date(2024, 12, 10),
    2025: date(2025, 12, 9),
    2026: date(2026, 12, 8),
    2027: date(2027, 12, 7),
}


def _three_years(start: date) -> date:
    return date(start.year + 3, start.month, start.day) - timedelta(days=1)


def _pick(
    rng: random.Random, firms: list[Firm], quota: dict[str, int], *, by_size: bool
) -> list[Firm]:
    chosen: list[Firm] = []
    for industry, n in quota.items():
        pool = [f for f in firms if f.industry == industry]
        weights = [f.output_2022 if by_size else max(f.output_2022, 1.0) ** 0.3 for f in pool]
        picked: list[Firm] = []
        while len(picked) < n and pool:
            i = rng.choices(range(len(pool)), weights=weights)[0]
            picked.append(pool.pop(i))
            weights.pop(i)
        chosen.extend(picked)
    return chosen


def choose_holders(rng: random.Random, firms: list[Firm]) -> None:
    """Tag the firms holding each status on 2022-12-31 (before their history is generated)."""
    above = [f for f in firms if f.size == ABOVE]
    for f in _pick(rng, above, HIGH_TECH_QUOTA, by_size=True):
        f.tags.add("high_tech")
    for f in _pick(rng, above, SME_QUOTA, by_size=False):
        f.tags.add("specialized_sme")
    for f in _pick(rng, above, GREEN_QUOTA, by_size=True):
        f.tags.add("green_factory")


def above_size_spans(years: list[int], today: date) -> list[tuple[date, date | None]]:
    """The 规上 directory entries of a firm above size in ``years`` (consecutive years merged)."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and runs[-1][-1] == y - 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    out: list[tuple[date, date | None]] = []
    for run in runs:
        end: date | None = date(run[-1], 12, 31)
        if run[-1] == today.year - 1:
            end = None  # still in the directory this year
        out.append((date(run[0], 1, 1), end))
    return out


class _Serial:
    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, key: str) -> int:
        self.n[key] = self.n.get(key, 0) + 1
        return self.n[key]


def _chain(
    rng: random.Random, first: date, today: date, *, renew: float, stop_before: date | None = None
) -> list[tuple[date, date]]:
    """Consecutive three-year certificates from ``first``, renewed with probability ``renew``."""
    out = [(first, _three_years(first))]
    while out[-1][1] < today:
        nxt = out[-1][1] + timedelta(days=1)
        if stop_before is not None and nxt < stop_before:
            pass
        elif rng.random() > renew:
            break
        out.append((nxt, _three_years(nxt)))
    return out


def status_rows(
    rng: random.Random,
    firms: list[Firm],
    *,
    above_years: dict[int, list[int]],
    active: dict[int, tuple[date, date]],
    today: date,
) -> list[dict[str, Any]]:
    """Every status row; ``above_years`` maps firm key -> complete years above size."""
    rows: list[dict[str, Any]] = []
    serial = _Serial()

    def add(firm: Firm, kind: str, level: str, start: date, end: date | None, cert: str) -> None:
        rows.append(
            {
                "enterprise_key": firm.key,
                "kind": kind,
                "level": level,
                "valid_from": start,
                "valid_to": end,
                "certificate_no": cert,
            }
        )

    for firm in firms:
        for start, end in above_size_spans(above_years.get(firm.key, []), today):
            add(firm, "above_designated_size", "", start, end, "")

    def ht_cert(start: date) -> str:
        return f"GR{start.year}54{serial.next(f'gr{start.year}'):06d}"

    def sme_cert(start: date) -> str:
        return f"XZZJTX-{start.year}-{serial.next(f'sme{start.year}'):03d}"

    def green_cert(start: date, level: str) -> str:
        prefix = "GXB-LSGC" if level == "national" else "XZLSGC"
        return f"{prefix}-{start.year}-{serial.next(f'g{level}{start.year}'):03d}"

    active_on = {k: v for k, v in active.items()}

    def is_active(firm: Firm, day: date) -> bool:
        span = active_on.get(firm.key)
        return span is not None and span[0] <= day <= span[1]

    # Holders on 2022-12-31: certificates issued 2020-2022, some with an earlier one before.
    for firm in firms:
        if "high_tech" in firm.tags:
            year = rng.choice((2020, 2021, 2022))
            first = date(year, rng.randint(10, 12), rng.randint(1, 20))
            if year == 2020 and rng.random() < 0.5:
                add(
                    firm,
                    "high_tech",
                    "national",
                    date(2017, first.month, first.day),
                    first - timedelta(days=1),
                    ht_cert(date(2017, 1, 1)),
                )
            for s, e in _chain(rng, first, today, renew=0.85, stop_before=CALIBRATION_DAY):
                if s <= today:
                    add(firm, "high_tech", "national", s, e, ht_cert(s))
        if "specialized_sme" in firm.tags:
            year = rng.choice((2020, 2021, 2022))
            first = date(year, rng.randint(6, 11), rng.randint(1, 28))
            for s, e in _chain(rng, first, today, renew=0.9, stop_before=CALIBRATION_DAY):
                if s <= today:
                    add(firm, "specialized_sme", "regional", s, e, sme_cert(s))
        if "green_factory" in firm.tags:
            level = "national" if firm.output_2022 > 2.5e8 and rng.random() < 0.5 else "regional"
            year = rng.choice((2019, 2020, 2021, 2022))
            start = GREEN_BATCHES[year]
            add(firm, "green_factory", level, start, None, green_cert(start, level))

    # History that had ended by 2022: lapsed high-tech status, a revoked green factory.
    others = [f for f in firms if f.size == ABOVE and "high_tech" not in f.tags]
    for firm in rng.sample(others, 3):
        s = date(rng.choice((2016, 2017, 2018)), rng.randint(10, 12), rng.randint(1, 20))
        add(firm, "high_tech", "national", s, _three_years(s), ht_cert(s))
    revoked = next(f for f in others if "green_factory" not in f.tags)
    add(
        revoked,
        "green_factory",
        "regional",
        GREEN_BATCHES[2019],
        date(2021, 8, 31),
        green_cert(GREEN_BATCHES[2019], "regional"),
    )
    revoked.tags.add("green_revoked")

    # New recognitions after 2022, mostly for above-size firms still in business.
    for year in range(2023, today.year + 1):
        for kind, n in NEW_PER_YEAR.items():
            pool = [
                f
                for f in firms
                if kind not in f.tags
                and "green_revoked" not in f.tags
                and is_active(f, date(year, 12, 1) if year < today.year else today)
                and (
                    year in above_years.get(f.key, [])
                    or (year - 1) in above_years.get(f.key, [])
                    or rng.random() < 0.15
                )
            ]
            rng.shuffle(pool)
            for firm in pool[:n]:
                firm.tags.add(kind)
                if kind == "green_factory":
                    start = GREEN_BATCHES[year]
                    if start <= today:
                        add(firm, kind, "regional", start, None, green_cert(start, "regional"))
                    continue
                start = date(year, rng.randint(6, 12), rng.randint(1, 20))
                if start > today:
                    continue
                for s, e in _chain(rng, start, today, renew=0.85):
                    if s <= today:
                        if kind == "high_tech":
                            add(firm, kind, "national", s, e, ht_cert(s))
                        else:
                            add(firm, kind, "regional", s, e, sme_cert(s))
    # One little giant (小巨人) by 2024: a specialized SME with revenue over 100 million.
    candidates = [f for f in firms if "specialized_sme" in f.tags and f.output_2022 > 1.0e8]
    if candidates and date(2024, 7, 18) <= today:
        giant = max(candidates, key=lambda f: f.output_2022)
        s = date(2024, 7, 18)
        add(
            giant,
            "little_giant",
            "national",
            s,
            _three_years(s),
            f"XJR-2024-{serial.next('xjr'):03d}",
        )
    return rows
