"""Reconciliation per subtree: each market kind's tree on its own, the levels above summed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pytest

from plateau.forecast import engine

if TYPE_CHECKING:
    import pandas as pd


def _frame() -> pd.DataFrame:
    import pandas as pd

    rows = []
    markets = {"in": ("lhasa", "nagqu"), "dom": ("chengdu", "beijing")}
    for kind, places in markets.items():
        for place in places:
            for product in ("jerky", "barley"):
                for m in range(36):
                    y = 40 + len(place) * 3 + len(product) + m + 6 * math.sin(m * math.pi / 6)
                    rows.append(
                        {"kind": kind, "market": place, "product": product,
                         "ds": pd.Timestamp(2022 + m // 12, m % 12 + 1, 1), "y": y}
                    )  # fmt: skip
    return pd.DataFrame(rows)


LEVELS = [
    ("kind", ["kind"]),
    ("market", ["kind", "market"]),
    ("product", ["product"]),
    ("kind_product", ["kind", "product"]),
    ("bottom", ["kind", "market", "product"]),
]


def test_each_subtree_is_reconciled_and_the_whole_still_adds_up() -> None:
    structure = engine.build_structure(_frame(), by=["kind", "market", "product"], levels=LEVELS)
    groups = engine.subtrees(structure, ["kind"])
    assert len(groups) == 2
    result = engine.forecast(
        structure, h=6, models=["SeasonalNaive", "Naive"], n_windows=1, subtree=["kind"]
    )
    assert any(n.code == "subtrees" for n in result.notes)
    fc = result.forecasts.set_index(["unique_id", "ds"])["forecast"]
    S = structure.S.set_index("unique_id")
    bottom = fc.unstack("ds").loc[list(S.columns)]
    for uid in structure.tags_ids():
        summed = S.loc[uid].to_numpy(dtype=float) @ bottom.to_numpy()
        assert abs(fc.loc[uid].to_numpy() - summed).max() < 1e-6, uid
    out = result.forecasts
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["lo_80"] <= out["forecast"]).all()
    assert (out["forecast"] <= out["hi_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()
    assert len(out) == len(structure.tags_ids()) * 6


def test_a_subtree_must_be_a_column_every_bottom_series_has() -> None:
    structure = engine.build_structure(_frame(), by=["kind", "market", "product"], levels=LEVELS)
    with pytest.raises(engine.EngineError):
        engine.subtrees(structure, ["colour"])
    # Each market (under its kind) is a subtree too: four of them here.
    assert len(engine.subtrees(structure, ["market"])) == 4
