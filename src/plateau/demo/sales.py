"""Monthly sales of every demo product by market region and channel (for forecasting).

Each firm's product sales add up (roughly) to its monthly revenue: a share of revenue is
spread over its products, and each product's sales over a few series (market × channel)
with their own trend and season: Rest-of-China markets and e-commerce grow year by year,
e-commerce peaks at 618 (June) and Double Eleven (November), the tourism channel follows
the visitor season and stopped when tourists did (2020, autumn 2022).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from plateau.demo.catalog import ProductPlan
from plateau.demo.firms import ABOVE
from plateau.demo.history import Series
from plateau.demo.profiles import BASE_YEAR, CHANNEL_PRICE, LOSAR, PROFILE_BY_ID, SEASON_TOURISM
from plateau.demo.reference import RefMarket

KIND_FALLBACK = {"in_region": 1.0, "domestic": 0.3, "export": 0.05}
TOURISM_SHOCK = {(2020, m): 0.35 for m in range(2, 7)} | {(2022, m): 0.25 for m in range(8, 13)}


@dataclass
class _SeriesPlan:
    market: RefMarket
    channel: str
    weight: float


def _market_weights(industry: str, markets: list[RefMarket]) -> dict[str, float]:
    prefs = PROFILE_BY_ID[industry].markets
    known = {m.id: prefs[m.id] for m in markets if m.id in prefs}
    if known:
        return known
    return {m.id: KIND_FALLBACK.get(m.kind, 0.1) for m in markets}


def _plan_series(
    rng: random.Random, product: ProductPlan, markets: list[RefMarket]
) -> list[_SeriesPlan]:
    profile = product.firm.profile
    weights = _market_weights(profile.id, markets)
    by_id = {m.id: m for m in markets}
    ids = sorted(weights, key=lambda i: -weights[i])
    if not ids:
        return []
    big = product.firm.size == ABOVE
    n = min(len(ids), rng.randint(2, 4) if big else rng.randint(1, 2))
    chosen = [ids[0]]
    rest = ids[1:]
    while len(chosen) < n and rest:
        pick = rng.choices(rest, weights=[weights[i] for i in rest])[0]
        rest.remove(pick)
        chosen.append(pick)
    channels = profile.channels or {"retail": 1.0}
    plans: list[_SeriesPlan] = []
    for idx, mid in enumerate(chosen):
        market = by_id[mid]
        if market.kind == "export":
            options = {"wholesale": 1.0}
        elif market.kind == "in_region":
            options = dict(channels)
        else:
            options = {c: w for c, w in channels.items() if c != "tourism"} or {"retail": 1.0}
        k = 2 if idx == 0 and big and len(options) > 1 else 1
        names = sorted(options)
        picked: list[str] = []
        while len(picked) < k:
            c = rng.choices(names, weights=[options[x] for x in names])[0]
            if c not in picked:
                picked.append(c)
        for c in picked:
            plans.append(
                _SeriesPlan(market, c, weights[mid] * options[c] * rng.lognormvariate(0.0, 0.35))
            )
    return plans


def _modulation(plan: _SeriesPlan, d: date) -> float:
    t = d.year - 2019 + (d.month - 1) / 12
    f = 1.0
    if plan.market.kind == "domestic":
        f *= 1.10**t  # reaching markets outside Tibet (区外市场拓展)
    if plan.channel == "ecommerce":
        f *= 1.14**t * {6: 1.3, 11: 1.6, 12: 1.1}.get(d.month, 1.0)
    elif plan.channel == "tourism":
        f *= SEASON_TOURISM[d.month - 1] ** 1.3 * TOURISM_SHOCK.get((d.year, d.month), 1.0)
    if plan.market.kind == "in_region":
        losar = LOSAR.get(d.year)
        if losar is not None and d.month == losar.month - 1:
            f *= 1.12
    return f


def sales_rows(
    rng: random.Random,
    products: list[ProductPlan],
    series_by_firm: dict[int, Series],
    markets: list[RefMarket],
) -> list[dict[str, Any]]:
    """Rows of ``sales_record`` (product_key instead of product_id)."""
    rows: list[dict[str, Any]] = []
    by_firm: dict[int, list[ProductPlan]] = {}
    for p in products:
        by_firm.setdefault(p.firm.key, []).append(p)
    for firm_key in sorted(by_firm):
        series = series_by_firm.get(firm_key)
        if series is None or not series.months:
            continue
        plist = by_firm[firm_key]
        coverage = rng.uniform(0.82, 0.96)
        plans = {p.key: _plan_series(rng, p, markets) for p in plist}
        trend = {p.key: rng.uniform(-0.04, 0.08) for p in plist}
        for d, revenue in zip(series.months, series.revenue, strict=True):
            live = [p for p in plist if p.launch <= d and plans[p.key]]
            if not live:
                continue
            pw = []
            for p in live:
                age = (d.year - p.launch.year) * 12 + d.month - p.launch.month
                ramp = min(1.0, 0.3 + age / 10)
                pw.append(p.weight * ramp * math.exp(trend[p.key] * (d.year - 2019)))
            total_pw = sum(pw)
            for p, w in zip(live, pw, strict=True):
                product_rev = revenue * coverage * w / total_pw
                sp = plans[p.key]
                sw = [s.weight * _modulation(s, d) for s in sp]
                total_sw = sum(sw)
                profile = p.firm.profile
                base_price = p.template.unit_price * p.price_jitter
                base_price *= (1 + profile.price_trend) ** (d.year - BASE_YEAR)
                for s, w2 in zip(sp, sw, strict=True):
                    amount = product_rev * w2 / total_sw * rng.lognormvariate(0.0, 0.1)
                    price = round(base_price * CHANNEL_PRICE[s.channel], 2)
                    qty = round(amount / price)
                    if qty < 1:
                        continue
                    rows.append(
                        {
                            "product_key": p.key,
                            "market_region_id": s.market.id,
                            "period": d,
                            "quantity": Decimal(qty),
                            "revenue_cny": Decimal(f"{qty * price:.2f}"),
                            "channel": s.channel,
                        }
                    )
    return rows
