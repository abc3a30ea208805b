"""The summing matrix is built sparse; reconciliation gives the dense path's numbers."""

from __future__ import annotations

import dataclasses

import pytest

from plateau.forecast import engine


def _grouped():  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    rows = []
    for shop in ("a", "b", "c"):
        for product in ("tea", "jerky"):
            level = rng.uniform(20, 80)
            for m in range(36):
                y = level + 10 * np.sin(m * np.pi / 6) + rng.normal(0, 3) + m * 0.3
                rows.append({"shop": shop, "product": product, "ds": pd.Timestamp(2020 + m // 12, m % 12 + 1, 1), "y": y})  # fmt: skip
    return pd.DataFrame(rows)


def _dense(structure: engine.Structure) -> engine.Structure:
    S = structure.S.set_index("unique_id").sparse.to_dense().astype(float).reset_index()
    return dataclasses.replace(structure, S=S, notes=list(structure.notes))


def test_the_summing_matrix_is_sparse_and_sums_the_bottom() -> None:
    structure = engine.build_structure(_grouped(), by=["shop", "product"])
    assert engine.is_sparse(structure.S)
    S = structure.S.set_index("unique_id")
    # total, 3 shops, 2 products, 6 bottom series; the bottom block is the identity.
    assert S.shape == (12, 6)
    dense = S.sparse.to_dense().to_numpy()
    assert (dense[-6:] == __import__("numpy").eye(6)).all()
    assert dense[0].sum() == 6 and int(dense.sum()) == 6 + 3 * 2 + 2 * 3 + 6
    assert not engine.is_sparse(_dense(structure).S)


def test_sparse_and_dense_paths_give_the_same_forecasts() -> None:
    structure = engine.build_structure(_grouped(), by=["shop", "product"])
    dense = _dense(structure)
    for method in engine.RECONCILERS:
        if method == "TopDown":
            continue  # needs a strict hierarchy: a grouped structure falls back
        runs = [
            engine.forecast(
                s, h=6, models=["SeasonalNaive", "Naive"], n_windows=1, reconcile_with=method
            )
            for s in (structure, dense)
        ]
        assert runs[0].reconciliation == runs[1].reconciliation == method
        a, b = (r.forecasts.set_index(["unique_id", "ds"]) for r in runs)
        cols = ["forecast", "lo_80", "hi_80", "lo_95", "hi_95"]
        assert (a[cols] - b.loc[a.index, cols]).abs().max().max() < 1e-6, method
        ma, mb = (r.all_methods.set_index(["unique_id", "ds"]) for r in runs)  # type: ignore[union-attr]
        assert set(ma.columns) == set(mb.columns)
        assert (ma - mb.loc[ma.index, ma.columns]).abs().max().max() < 1e-6, method
        assert "BottomUp" in ma.columns


def test_bottom_up_uses_the_sparse_reconciler_only_on_a_sparse_matrix() -> None:
    from hierarchicalforecast.methods import BottomUp, BottomUpSparse

    assert isinstance(engine._reconciler("BottomUp", sparse=True), BottomUpSparse)
    assert type(engine._reconciler("BottomUp", sparse=False)) is BottomUp
    with pytest.raises(KeyError):
        engine._reconciler("Nope")
