"""The forecasting engine: pure functions on data frames, no database.

From a long frame of one value per (series keys, date) it builds the hierarchy (grouped or
nested), forecasts every series of every level with statsforecast's candidate models, picks
the model per level by rolling-origin backtests, and reconciles with hierarchicalforecast
so that every level adds up. The heavy libraries are imported inside the functions: this
module is imported by the CLI and the web app, which must start without them.

Identifiers: a series id is ``"all"`` for the grand total, otherwise ``j:i`` tokens joined by
``/`` (column ``j`` of ``by`` has its ``i``-th distinct value), so that values may contain any
character; ``Structure.keys`` turns an id back into ``{column: value or None}``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int, int, str], None]

TOTAL = "all"
LEVELS = (80, 95)
DEFAULT_MODELS: tuple[str, ...] = (
    "AutoETS",
    "AutoTheta",
    "SeasonalNaive",
    "Naive",
    "HistoricAverage",
)
INTERMITTENT_MODELS: tuple[str, ...] = ("CrostonOptimized", "ADIDA", "IMAPA", "TSB")
# AutoARIMA with the calendar regressors as X, beside plain AutoARIMA so that the
# leaderboard says whether the calendar helps (``add_calendar``).
EXOG_MODEL = "ARIMA+X"
EXOG_MODELS: tuple[str, ...] = ("AutoARIMA", EXOG_MODEL)
COMBO = "Combination"
CHOSEN = "Chosen"
# The reconciliation whose numbers are published; the others are kept for the leaderboard.
RECONCILERS: tuple[str, ...] = ("BottomUp", "MinTrace(mint_shrink)", "MinTrace(ols)", "TopDown")
PUBLISHED = "MinTrace(ols)"
SEASON_BY_FREQ = {"D": 7, "W": 52, "M": 12, "Q": 4, "Y": 1}


def _noop(done: int, total: int, message: str) -> None:
    return None


@dataclass
class Note:
    """Something the user should know about a series: a fallback, a gap that was filled."""

    code: str  # short_series | all_zero | gaps | fallback | no_backtest
    series: str  # series id, or "" for the whole run
    detail: str = ""


@dataclass
class Structure:
    """Every series of every level, with the summing matrix and the level tags."""

    Y: pd.DataFrame  # unique_id, ds, y
    # unique_id + one column per bottom series, of pandas' sparse dtype (``summing_frame``)
    S: pd.DataFrame
    tags: dict[str, Any]  # level name -> array of ids
    by: list[str]
    values: list[list[Any]]  # distinct values of each by column, indexed by the id tokens
    freq: str
    season: int
    notes: list[Note] = field(default_factory=list)
    # Calendar regressors fed to ARIMA+X (``add_calendar``); empty: no exogenous model.
    exog: list[str] = field(default_factory=list)
    # Regressors read from the file (``regressors``): their values per series and date in
    # ``X`` (unique_id, ds, one column each), an aggregate taking the mean of its bottom
    # series. ``X`` may reach past ``Y``: those rows are the regressors' future values.
    regressors: list[str] = field(default_factory=list)
    X: pd.DataFrame | None = None

    @property
    def has_x(self) -> bool:
        """Whether ARIMA+X has any regressor (calendar or file) to take."""
        return bool(self.exog or self.regressors)

    def keys(self, uid: str) -> dict[str, Any]:
        """Return ``{column: value or None}`` of one series (None meaning all)."""
        out: dict[str, Any] = {c: None for c in self.by}
        if uid == TOTAL:
            return out
        for token in uid.split("/"):
            j, i = token.split(":")
            out[self.by[int(j)]] = self.values[int(j)][int(i)]
        return out

    def tags_ids(self) -> list[str]:
        """Every series id, level by level from the total down."""
        return [str(u) for ids in self.tags.values() for u in ids]

    def level_of(self) -> dict[str, str]:
        """Map each series id to its level name."""
        return {str(u): lvl for lvl, ids in self.tags.items() for u in ids}


@dataclass
class Result:
    """Reconciled forecasts, the leaderboard and the choices made."""

    forecasts: pd.DataFrame  # unique_id, ds, forecast, lo_80, hi_80, lo_95, hi_95, model
    leaderboard: pd.DataFrame  # level, model, mase, rmsse, smape, coverage_80, coverage_95
    chosen: dict[str, str]  # level -> model
    reasons: dict[str, str]  # level -> why (in English; pages translate the pieces)
    reconciliation: str
    notes: list[Note]
    all_methods: pd.DataFrame | None = None  # every reconciler's point forecast


class EngineError(ValueError):
    """The data cannot be forecast; ``code`` says why, ``detail`` names the culprit."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


# --- dates -------------------------------------------------------------------------------


def infer_freq(dates: Sequence[Any], freq: str | None = None) -> str:
    """Return a pandas offset that continues the dates' own spacing (anchor included)."""
    import pandas as pd

    ds = pd.DatetimeIndex(sorted(set(pd.to_datetime(list(dates)))))
    if len(ds) < 2:
        raise EngineError("too_few_dates")
    if freq is None:
        guess = pd.infer_freq(ds) if len(ds) >= 3 else None
        if guess:
            return str(guess)
        step = float(pd.Series(ds).diff().dt.days.median())
        freq = (
            "D"
            if step < 4
            else "W"
            if step < 15
            else "M"
            if step < 45
            else "Q"
            if step < 200
            else "Y"
        )
    first = ds[0]
    month_end = all(d.is_month_end for d in ds)
    abbr = str(first.strftime("%b")).upper()
    if freq == "D":
        return "D"
    if freq == "W":
        return "W-" + str(first.strftime("%a")).upper()
    if freq == "M":
        return "ME" if month_end and not all(d.day == 1 for d in ds) else "MS"
    if freq == "Q":
        return ("QE-" if month_end and first.day != 1 else "QS-") + abbr
    if freq == "Y":
        return ("YE-" if month_end and first.day != 1 else "YS-") + abbr
    raise EngineError("bad_freq", freq)


def freq_letter(freq: str) -> str:
    head = freq.split("-")[0].upper()
    return {"MS": "M", "ME": "M", "QS": "Q", "QE": "Q", "YS": "Y", "YE": "Y"}.get(head, head[:1])


# --- hierarchy ---------------------------------------------------------------------------


def build_structure(
    df: pd.DataFrame,
    *,
    by: Sequence[str],
    nested: bool = False,
    freq: str | None = None,
    season: int | None = None,
    levels: Sequence[tuple[str, Sequence[str]]] | None = None,
    regressors: Sequence[str] = (),
) -> Structure:
    """Aggregate a long frame (``by`` columns, ``ds``, ``y``) into every series of every level.

    Without ``nested`` the columns are crossed (total, each column alone, every
    combination); with it they form one tree in the order given. Internal gaps of a bottom
    series are filled by linear interpolation, and a series that stops before the others is
    continued with zeros, so that the levels still add up; both leave a note.

    ``regressors`` are numeric columns of ``df`` fed to ARIMA+X: a bottom series takes its
    own values, an aggregate the mean of its bottom series' values on that date.
    """
    import numpy as np
    import pandas as pd
    from hierarchicalforecast.utils import aggregate

    by = list(by)
    regs = list(regressors)
    data = df[[*by, "ds", "y", *regs]].copy()
    data["ds"] = pd.to_datetime(data["ds"])
    offset = infer_freq(data["ds"].unique(), freq)
    letter = freq_letter(offset)
    season = season or SEASON_BY_FREQ.get(letter, 1)
    values: list[list[Any]] = []
    for j, col in enumerate(by):
        uniq = sorted(data[col].unique().tolist(), key=str)
        values.append(uniq)
        codes = {v: f"{j}:{i}" for i, v in enumerate(uniq)}
        data[f"__k{j}"] = data[col].map(codes)
    data["__total"] = TOTAL
    notes: list[Note] = []

    key_cols = [f"__k{j}" for j in range(len(by))]
    bottom = data[[*key_cols, "ds", "y", *regs]]
    bottom = _fill_gaps(bottom, key_cols, offset, notes, regs)
    bottom["__total"] = TOTAL

    index = {c: j for j, c in enumerate(by)}
    if levels is not None:
        # Explicit levels (name, columns), the total first and the bottom (every column) last.
        spec: list[list[str]] = [["__total"]] + [
            [key_cols[index[c]] for c in cols] for _, cols in levels
        ]
        names = ["total"] + [name for name, _ in levels]
    elif not by:
        spec = [["__total"]]
        names = ["total"]
    elif nested:
        spec = [["__total"]] + [key_cols[: i + 1] for i in range(len(by))]
        names = ["total"] + [by[i] for i in range(len(by))]
    else:
        combos = [
            list(c)
            for r in range(1, len(by) + 1)
            for c in itertools.combinations(range(len(by)), r)
        ]
        spec = [["__total"]] + [[key_cols[j] for j in c] for c in combos]
        names = ["total"] + [" × ".join(by[j] for j in c) for c in combos]
    if by:
        # aggregate() needs the total's column in every level to make the tree: prefix it.
        spec = [spec[0]] + [["__total", *s] for s in spec[1:]]
    Y, S_sparse, tags = aggregate(
        bottom, spec, exog_vars={c: "mean" for c in regs} or None, sparse_s=True
    )
    S = summing_frame(
        S_sparse.to_csr(),
        [_strip_total(str(u)) for u in S_sparse.row_labels],
        [_strip_total(str(c)) for c in S_sparse.col_labels],
    )
    Y["unique_id"] = Y["unique_id"].astype(str).map(_strip_total)
    X = None
    if regs:
        Y = Y.rename(columns={f"{c}_mean": c for c in regs})
        X = Y[["unique_id", "ds", *regs]].sort_values(["unique_id", "ds"]).reset_index(drop=True)
        Y = Y[["unique_id", "ds", "y"]]
    # aggregate() orders its tags by the number of columns, not as given: match them by key.
    renamed = {}
    for name, cols in zip(names, spec, strict=True):
        ids = tags["/".join(cols)]
        renamed[name] = np.array([_strip_total(str(u)) for u in ids])
    Y = Y.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    for uid, grp in Y.groupby("unique_id", sort=False):
        y = grp["y"].to_numpy()
        if np.allclose(y, 0):
            notes.append(Note("all_zero", str(uid)))
        elif len(y) < 2 * season + 2:
            notes.append(Note("short_series", str(uid), str(len(y))))
    return Structure(Y, S, renamed, by, values, offset, season, notes, regressors=regs, X=X)


def summing_frame(matrix: Any, rows: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """The summing matrix as a frame (``unique_id`` + one column per bottom series) whose
    columns are sparse: 11,000 bottom series × 20,000 series hold ~100,000 ones, where a dense
    matrix takes 1.7 GB. hierarchicalforecast reads such a frame as a sparse matrix for its
    sparse reconcilers and densifies it only for the dense ones (``_reconciler``)."""
    import pandas as pd

    S = pd.DataFrame.sparse.from_spmatrix(matrix, columns=list(columns))
    S.insert(0, "unique_id", list(rows))
    return S


def summing_csr(S: pd.DataFrame) -> Any:
    """The summing matrix (indexed by unique_id, bottom series as columns) as scipy CSR."""
    import numpy as np
    from scipy import sparse  # type: ignore[import-untyped]

    try:
        return S.sparse.to_coo().tocsr().astype(np.float64)
    except AttributeError:  # some columns dense (a frame built elsewhere)
        return sparse.csr_matrix(S.to_numpy(dtype=np.float64))


def is_sparse(S: pd.DataFrame) -> bool:
    """Whether every bottom column of a summing frame is sparse."""
    return all(str(t).startswith("Sparse") for c, t in S.dtypes.items() if c != "unique_id")


def _strip_total(uid: str) -> str:
    if uid == TOTAL:
        return TOTAL
    return uid.removeprefix(TOTAL + "/")


def _fill_gaps(
    bottom: pd.DataFrame,
    key_cols: list[str],
    offset: str,
    notes: list[Note],
    regs: Sequence[str] = (),
) -> pd.DataFrame:
    import pandas as pd

    if bottom.duplicated([*key_cols, "ds"]).any():
        raise EngineError("duplicates")
    end = bottom["ds"].max()
    parts = []
    groups = bottom.groupby(key_cols, sort=False) if key_cols else [((), bottom)]
    for keys, grp in groups:
        grp = grp.sort_values("ds")
        full = pd.date_range(grp["ds"].iloc[0], end, freq=offset)
        if len(full) == 0 or not set(grp["ds"]).issubset(set(full)):
            raise EngineError("irregular_dates", str(keys))
        if len(full) != len(grp):
            g = grp.set_index("ds").reindex(full)
            last = grp["ds"].iloc[-1]
            inner = g.index <= last
            missing_inner = int(g.loc[inner, "y"].isna().sum())
            g.loc[inner, "y"] = g.loc[inner, "y"].interpolate()
            g.loc[~inner, "y"] = 0.0
            for c in regs:  # a regressor is interpolated inside, carried on after the end
                g[c] = g[c].interpolate().ffill()
            ident = "/".join(str(k) for k in (keys if isinstance(keys, tuple) else (keys,)))
            if missing_inner:
                notes.append(Note("gaps", ident, str(missing_inner)))
            if (~inner).any():
                notes.append(Note("stopped", ident, str(int((~inner).sum()))))
            for c, k in zip(key_cols, keys if isinstance(keys, tuple) else (keys,), strict=True):
                g[c] = k
            g = g.rename_axis("ds").reset_index()
            grp = g
        parts.append(grp)
    out = pd.concat(parts, ignore_index=True)
    out["y"] = out["y"].astype(float)
    return out


# --- models ------------------------------------------------------------------------------


def _model(name: str, season: int, h: int) -> Any:
    from statsforecast import models as sm
    from statsforecast.utils import ConformalIntervals

    conformal = ConformalIntervals(h=h, n_windows=2)
    seasonal = max(season, 1)
    # A bounded order search (p, q ≤ 2; P, Q ≤ 1): a third of the default search's time on
    # monthly sales, for thousands of series.
    orders = {"max_p": 2, "max_q": 2, "max_P": 1, "max_Q": 1}
    factories: dict[str, Callable[[], Any]] = {
        "AutoETS": lambda: sm.AutoETS(season_length=seasonal),
        "AutoTheta": lambda: sm.AutoTheta(season_length=seasonal),
        "AutoARIMA": lambda: sm.AutoARIMA(season_length=seasonal, **orders),
        EXOG_MODEL: lambda: sm.AutoARIMA(season_length=seasonal, alias=EXOG_MODEL, **orders),
        "SeasonalNaive": lambda: sm.SeasonalNaive(season_length=seasonal),
        "Naive": lambda: sm.Naive(),
        "HistoricAverage": lambda: sm.HistoricAverage(),
        "CrostonOptimized": lambda: sm.CrostonOptimized(prediction_intervals=conformal),
        "ADIDA": lambda: sm.ADIDA(prediction_intervals=conformal),
        "IMAPA": lambda: sm.IMAPA(prediction_intervals=conformal),
        "TSB": lambda: sm.TSB(alpha_d=0.2, alpha_p=0.2, prediction_intervals=conformal),
    }
    if name not in factories:
        raise EngineError("unknown_model", name)
    return factories[name]()


def candidate_models(structure: Structure, models: Sequence[str] | None = None) -> list[str]:
    """Return the candidates: the given ones, or the defaults plus intermittent-demand models
    when many bottom series are mostly zeros."""
    if models:
        names = list(models)
    else:
        names = list(DEFAULT_MODELS)
        Y = structure.Y
        zero_share = (Y["y"] == 0).groupby(Y["unique_id"]).mean()
        if (zero_share > 0.3).mean() > 0.2:
            names += list(INTERMITTENT_MODELS)
    if structure.has_x:
        names += [n for n in EXOG_MODELS if n not in names]
    else:
        names = [n for n in names if n != EXOG_MODEL]
    if structure.season <= 1:
        names = [n for n in names if n != "SeasonalNaive"] or ["Naive"]
    elif "SeasonalNaive" not in names:
        names.append("SeasonalNaive")  # always the benchmark
    return names


def _statsforecast(names: Sequence[str], structure: Structure, h: int) -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    return StatsForecast(
        models=[_model(n, structure.season, h) for n in names],
        freq=structure.freq,
        n_jobs=1,
        fallback_model=Naive(),
    )


# --- calendar regressors -----------------------------------------------------------------


def calendar_frame(dates: Sequence[Any], freq: str, columns: Sequence[str]) -> pd.DataFrame:
    """The calendar regressors of ``dates`` (``ds`` plus one column per effect).

    Monthly periods take the month's features; a quarter or a year takes the mean of its
    months. Other frequencies have no calendar regressors here.
    """
    import pandas as pd

    from plateau.forecast import calendar

    letter = freq_letter(freq)
    months = {"M": 1, "Q": 3, "Y": 12}.get(letter)
    if months is None:
        raise EngineError("exog_needs_months", freq)
    rows = []
    for d in pd.to_datetime(list(dates)):
        # A period stamped at its end (ME, QE-…) covers the months before its date.
        start = d if d.day == 1 else (d + pd.offsets.MonthBegin(0) - pd.DateOffset(months=months))
        feats = [
            calendar.monthly_features(p.year, p.month)
            for p in pd.date_range(start.normalize().replace(day=1), periods=months, freq="MS")
        ]
        rows.append({"ds": d, **{c: sum(f[c] for f in feats) / months for c in columns}})
    return pd.DataFrame(rows, columns=["ds", *columns])


def add_calendar(structure: Structure) -> Structure:
    """Attach the calendar regressors that can tell anything on this history to ``structure``.

    An effect is kept when it is not constant over the history and not a pure function of
    the season (a fixed-month dummy such as 618 at monthly frequency is what the seasonal
    terms already model: as a regressor it only makes the design rank-deficient). Losar and
    Shoton move between months from year to year and the tourism shocks are interventions,
    so those are what usually remain.
    """
    import numpy as np

    from plateau.forecast import calendar

    dates = sorted(structure.Y["ds"].unique())
    X = calendar_frame(dates, structure.freq, calendar.FEATURES)
    keep = []
    m = max(structure.season, 1)
    for col in calendar.FEATURES:
        x = X[col].to_numpy(dtype=float)
        if np.allclose(x, x[0]):
            continue
        if len(x) > m and np.allclose(x[m:], x[:-m]):
            continue
        keep.append(col)
    structure.exog = keep
    if not keep:
        structure.notes.append(Note("no_calendar", ""))
    return structure


def _with_exog(Y: pd.DataFrame, structure: Structure) -> pd.DataFrame:
    out = Y
    if structure.exog:
        X = calendar_frame(sorted(Y["ds"].unique()), structure.freq, structure.exog)
        out = out.merge(X, on="ds", how="left")
    if structure.regressors and structure.X is not None:
        out = out.merge(structure.X, on=["unique_id", "ds"], how="left")
    return out


def _future_exog(fc_ids: Sequence[str], last: Any, h: int, structure: Structure) -> pd.DataFrame:
    import pandas as pd

    future = pd.date_range(last, periods=h + 1, freq=structure.freq)[1:]
    ids = pd.DataFrame({"unique_id": list(fc_ids)})
    if structure.exog:
        out = ids.merge(calendar_frame(future, structure.freq, structure.exog), how="cross")
    else:
        out = ids.merge(pd.DataFrame({"ds": future}), how="cross")
    if structure.regressors:
        # The file's regressors must be known over the whole horizon: they are not forecast.
        X = structure.X if structure.X is not None else pd.DataFrame(columns=["unique_id", "ds"])
        out = out.merge(X, on=["unique_id", "ds"], how="left")
        if out[structure.regressors].isna().any().any():
            raise EngineError("regressor_future_missing", ", ".join(structure.regressors))
    return out


def base_forecast(structure: Structure, names: Sequence[str], h: int) -> pd.DataFrame:
    """Point forecasts of every candidate for every series (no intervals, no reconciliation)."""
    plain, with_x = _split(names)
    fc = _statsforecast(plain, structure, h).forecast(df=structure.Y, h=h)
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    if with_x and structure.has_x:
        ids = structure.Y["unique_id"].unique()
        fcx = _statsforecast(with_x, structure, h).forecast(
            df=_with_exog(structure.Y, structure),
            h=h,
            X_df=_future_exog(ids, structure.Y["ds"].max(), h, structure),
        )
        fcx = fcx.reset_index() if "unique_id" not in fcx.columns else fcx
        fc = fc.merge(fcx, on=["unique_id", "ds"], how="left")
    return fc


def _split(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The candidates without regressors, and those fitted with them."""
    return [n for n in names if n != EXOG_MODEL], [n for n in names if n == EXOG_MODEL]


# --- backtests ---------------------------------------------------------------------------


def backtest(
    structure: Structure,
    *,
    h: int,
    models: Sequence[str],
    n_windows: int = 2,
    progress: Progress = _noop,
    distributed: Callable[[pd.DataFrame], Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rolling-origin backtests: return (scores per series and model, leaderboard per level)."""
    import pandas as pd

    if n_windows < 1:
        return pd.DataFrame(), pd.DataFrame()
    Y = structure.Y
    # Each training window keeps at least two seasons (or 8 points) before its cutoff; series
    # too short for that (new products) sit the backtest out and take their level's choice.
    need = max(2 * structure.season, 8)
    sizes = Y.groupby("unique_id").size()
    eligible = sizes[sizes >= need + h * n_windows]
    while eligible.empty and n_windows > 1:
        n_windows -= 1
        eligible = sizes[sizes >= need + h * n_windows]
    if eligible.empty:
        return pd.DataFrame(), pd.DataFrame()
    Y = Y[Y["unique_id"].isin(eligible.index)]
    progress(0, 1, "backtest")
    plain, with_x = _split(models)
    sf = _statsforecast(plain, structure, h)
    frame = Y if distributed is None else distributed(Y)
    cv = _local(
        sf.cross_validation(df=frame, h=h, n_windows=n_windows, step_size=h, level=list(LEVELS))
    )
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    if with_x and structure.has_x:
        # The regressors are known for every period (computed), so each window sees them.
        sfx = _statsforecast(with_x, structure, h)
        cvx = sfx.cross_validation(
            df=_with_exog(Y, structure), h=h, n_windows=n_windows, step_size=h, level=list(LEVELS)
        )
        cvx = cvx.reset_index() if "unique_id" not in cvx.columns else cvx
        cv = cv.merge(cvx.drop(columns="y"), on=["unique_id", "ds", "cutoff"], how="left")
    names = list(models)
    if len(names) >= 3:
        best = _rank_overall(cv, names, structure)[:3]
        cv[COMBO] = cv[best].mean(axis=1)
        for lv in LEVELS:
            cv[f"{COMBO}-lo-{lv}"] = cv[[f"{b}-lo-{lv}" for b in best]].mean(axis=1)
            cv[f"{COMBO}-hi-{lv}"] = cv[[f"{b}-hi-{lv}" for b in best]].mean(axis=1)
        names.append(COMBO)
    scores = score(cv, names, structure)
    progress(1, 1, "backtest")
    return scores, leaderboard(scores, structure)


def _rank_overall(cv: pd.DataFrame, names: list[str], structure: Structure) -> list[str]:
    s = score(cv, names, structure)
    means = s.groupby("model")["mase"].mean().sort_values()
    return [str(m) for m in means.index if m != "SeasonalNaive" or len(means) <= 3]


def score(df: pd.DataFrame, names: Sequence[str], structure: Structure) -> pd.DataFrame:
    """Score forecasts against actuals: one row per series and model (MASE, RMSSE, sMAPE,
    coverage of the 80 and 95 % intervals when present)."""
    import numpy as np
    import pandas as pd

    Y = structure.Y
    first_cut = df["cutoff"].min() if "cutoff" in df.columns else df["ds"].min()
    train = Y[Y["ds"] <= first_cut] if "cutoff" in df.columns else Y[Y["ds"] < first_cut]
    m = structure.season
    scale: dict[str, tuple[float, float]] = {}
    for uid, grp in train.groupby("unique_id"):
        y = grp["y"].to_numpy(dtype=float)
        lag = m if len(y) > m else 1
        d = y[lag:] - y[:-lag] if len(y) > lag else np.array([])
        scale[str(uid)] = (
            float(np.mean(np.abs(d))) if len(d) else float("nan"),
            float(np.sqrt(np.mean(d**2))) if len(d) else float("nan"),
        )
    rows = []
    for (uid, model), actual, pred, lo, hi in _iter_pairs(df, names):
        err = actual - pred
        mae_s, rmse_s = scale.get(uid, (float("nan"), float("nan")))
        denom = np.abs(actual) + np.abs(pred)
        with np.errstate(divide="ignore", invalid="ignore"):
            smape = float(np.mean(np.where(denom == 0, 0.0, 2 * np.abs(err) / denom)))
        row = {
            "unique_id": uid,
            "model": model,
            "mase": float(np.mean(np.abs(err)) / mae_s) if mae_s and mae_s > 0 else float("nan"),
            "rmsse": float(np.sqrt(np.mean(err**2)) / rmse_s)
            if rmse_s and rmse_s > 0
            else float("nan"),
            "smape": smape,
        }
        for lv in LEVELS:
            if lo.get(lv) is not None:
                inside = (actual >= lo[lv]) & (actual <= hi[lv])
                row[f"coverage_{lv}"] = float(np.mean(inside))
            else:
                row[f"coverage_{lv}"] = float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def _iter_pairs(df: pd.DataFrame, names: Sequence[str]) -> Any:
    for uid, grp in df.groupby("unique_id", sort=False):
        actual = grp["y"].to_numpy(dtype=float)
        for n in names:
            if n not in grp.columns:
                continue
            lo = {
                lv: grp[f"{n}-lo-{lv}"].to_numpy(dtype=float)
                for lv in LEVELS
                if f"{n}-lo-{lv}" in grp
            }
            hi = {
                lv: grp[f"{n}-hi-{lv}"].to_numpy(dtype=float)
                for lv in LEVELS
                if f"{n}-hi-{lv}" in grp
            }
            yield (str(uid), n), actual, grp[n].to_numpy(dtype=float), lo, hi


def leaderboard(scores: pd.DataFrame, structure: Structure) -> pd.DataFrame:
    """Average the per-series scores by level and model (series without a scale left out)."""
    import pandas as pd

    if scores.empty:
        return pd.DataFrame(
            columns=[
                "level",
                "model",
                "mase",
                "rmsse",
                "smape",
                "coverage_80",
                "coverage_95",
                "n_series",
            ]
        )
    level_of = structure.level_of()
    s = scores.assign(level=scores["unique_id"].map(level_of))
    board = (
        s.groupby(["level", "model"], sort=False)
        .agg(
            mase=("mase", "mean"),
            rmsse=("rmsse", "mean"),
            smape=("smape", "mean"),
            coverage_80=("coverage_80", "mean"),
            coverage_95=("coverage_95", "mean"),
            n_series=("unique_id", "nunique"),
        )
        .reset_index()
    )
    order = {name: i for i, name in enumerate(structure.tags)}
    board["_o"] = board["level"].map(order)
    return board.sort_values(["_o", "mase"]).drop(columns="_o").reset_index(drop=True)


def choose(
    board: pd.DataFrame, structure: Structure, default: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Pick the model of lowest mean MASE per level; say why, against seasonal naive."""
    chosen: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for level in structure.tags:
        rows = board[board["level"] == level].dropna(subset=["mase"]) if not board.empty else board
        if rows.empty:
            chosen[level] = default
            reasons[level] = "no_backtest"
            continue
        best = rows.sort_values("mase").iloc[0]
        chosen[level] = str(best["model"])
        naive = rows[rows["model"] == "SeasonalNaive"]
        base = float(naive["mase"].iloc[0]) if not naive.empty else math.nan
        reasons[level] = f"lowest_mase:{float(best['mase']):.3f}:{base:.3f}"
    return chosen, reasons


# --- the whole path ----------------------------------------------------------------------


def forecast(
    structure: Structure,
    *,
    h: int,
    models: Sequence[str] | None = None,
    n_windows: int = 2,
    reconcile_with: str = PUBLISHED,
    progress: Progress = _noop,
    backtest_h: int | None = None,
    distributed: Callable[[pd.DataFrame], Any] | None = None,
    subtree: Sequence[str] | None = None,
) -> Result:
    """Forecast every series, pick the model per level by backtest, reconcile.

    ``subtree`` (columns of ``by``) reconciles each subtree on its own: see
    ``reconcile_subtrees``.

    ``backtest_h`` (default ``h``) is the horizon of each backtest window: a long forecast
    (to a plan year) is still chosen on how models do over the next year or so.
    ``distributed`` turns a pandas frame into a Dask, Spark or Ray frame: statsforecast then
    fits the series on that cluster through fugue (no in-sample fits there, so MinTrace(ols)
    and BottomUp, which do not need them, reconcile the result locally).
    """
    import numpy as np

    if h < 1:
        raise EngineError("bad_horizon", str(h))
    names = candidate_models(structure, models)
    notes = list(structure.notes)
    progress(0, 4, "backtest")
    _, board = backtest(
        structure, h=backtest_h or h, models=names, n_windows=n_windows, distributed=distributed
    )
    default = "SeasonalNaive" if "SeasonalNaive" in names else names[0]
    chosen, reasons = choose(board, structure, default)
    if board.empty:
        notes.append(Note("no_backtest", "", default))
    progress(1, 4, "forecast")
    plain, with_x = _split(names)
    sf = _statsforecast(plain, structure, h)
    if distributed is None:
        fc = sf.forecast(df=structure.Y, h=h, level=list(LEVELS), fitted=True)
        fitted = sf.forecast_fitted_values()
    else:
        fc = _local(sf.forecast(df=distributed(structure.Y), h=h, level=list(LEVELS)))
        fitted = structure.Y.copy()
        for name in plain:
            fitted[name] = float("nan")  # not computed on a cluster; see the docstring
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    fitted = fitted.reset_index() if "unique_id" not in fitted.columns else fitted
    if with_x and structure.has_x:
        # ARIMA+X is fitted locally, with the future calendar as X_df.
        sfx = _statsforecast(with_x, structure, h)
        ids = structure.Y["unique_id"].unique()
        fcx = sfx.forecast(
            df=_with_exog(structure.Y, structure),
            h=h,
            X_df=_future_exog(ids, structure.Y["ds"].max(), h, structure),
            level=list(LEVELS),
            fitted=True,
        )
        fitx = sfx.forecast_fitted_values()
        fcx = fcx.reset_index() if "unique_id" not in fcx.columns else fcx
        fitx = fitx.reset_index() if "unique_id" not in fitx.columns else fitx
        fc = fc.merge(fcx, on=["unique_id", "ds"], how="left")
        keep = ["unique_id", "ds", *[c for c in fitx.columns if c.startswith(EXOG_MODEL)]]
        fitted = fitted.merge(fitx[keep], on=["unique_id", "ds"], how="left")
    if any(m == COMBO for m in chosen.values()):
        best = [m for m in _combo_members(board) if m in fc.columns]
        fc[COMBO] = fc[best].mean(axis=1)
        fitted[COMBO] = fitted[best].mean(axis=1)
        for lv in LEVELS:
            fc[f"{COMBO}-lo-{lv}"] = fc[[f"{b}-lo-{lv}" for b in best]].mean(axis=1)
            fc[f"{COMBO}-hi-{lv}"] = fc[[f"{b}-hi-{lv}" for b in best]].mean(axis=1)
    level_of = structure.level_of()
    pick = fc["unique_id"].astype(str).map(level_of).map(chosen)
    fpick = fitted["unique_id"].astype(str).map(level_of).map(chosen)
    Y_hat = fc[["unique_id", "ds"]].copy()
    Y_hat[CHOSEN] = _take(fc, pick, "")
    for lv in LEVELS:
        Y_hat[f"{CHOSEN}-lo-{lv}"] = _take(fc, pick, f"-lo-{lv}")
        Y_hat[f"{CHOSEN}-hi-{lv}"] = _take(fc, pick, f"-hi-{lv}")
    Y_fit = fitted[["unique_id", "ds", "y"]].copy()
    Y_fit[CHOSEN] = _take(fitted, fpick, "")
    progress(2, 4, "reconcile")
    if subtree:
        rec, used = reconcile_subtrees(structure, Y_hat, Y_fit, reconcile_with, notes, subtree)
    else:
        rec, used = reconcile(structure, Y_hat, Y_fit, reconcile_with, notes)
    col = f"{CHOSEN}/{_method_label(used)}"
    out = rec[["unique_id", "ds"]].copy()
    out["forecast"] = rec[col]
    for lv in LEVELS:
        out[f"lo_{lv}"] = rec[f"{col}-lo-{lv}"]
        out[f"hi_{lv}"] = rec[f"{col}-hi-{lv}"]
    # Reconciled intervals are symmetric around the point; guard the order against rounding.
    out["lo_80"] = np.minimum(out["lo_80"], out["forecast"])
    out["hi_80"] = np.maximum(out["hi_80"], out["forecast"])
    out["lo_95"] = np.minimum(out["lo_95"], out["lo_80"])
    out["hi_95"] = np.maximum(out["hi_95"], out["hi_80"])
    out["model"] = out["unique_id"].astype(str).map(level_of).map(chosen)
    progress(4, 4, "done")
    methods = rec[["unique_id", "ds"]].copy()
    for c in rec.columns:
        if c.startswith(CHOSEN + "/") and "-lo-" not in c and "-hi-" not in c:
            methods[c.split("/", 1)[1]] = rec[c]
    methods["base"] = rec[CHOSEN]
    return Result(out.reset_index(drop=True), board, chosen, reasons, used, notes, methods)


def _local(frame: Any) -> pd.DataFrame:
    """A pandas frame from a pandas, Dask (``compute``) or Spark/Ray (``toPandas``/``to_pandas``) one."""
    import pandas as pd

    if isinstance(frame, pd.DataFrame):
        return frame
    for method in ("compute", "toPandas", "to_pandas"):
        if hasattr(frame, method):
            out = getattr(frame, method)()
            # Arrow-backed columns back to the dtypes of the local path.
            out["unique_id"] = out["unique_id"].astype(str).astype(object)
            out["ds"] = pd.to_datetime(out["ds"]).astype("datetime64[ns]")
            if "cutoff" in out.columns:
                out["cutoff"] = pd.to_datetime(out["cutoff"]).astype("datetime64[ns]")
            return out.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    raise TypeError(type(frame))


def _combo_members(board: pd.DataFrame) -> list[str]:
    if board.empty:
        return []
    means = board[board["model"] != COMBO].groupby("model")["mase"].mean().sort_values()
    return [str(m) for m in means.index[:3]]


def _take(frame: pd.DataFrame, pick: pd.Series, suffix: str) -> Any:
    import numpy as np

    out = np.full(len(frame), np.nan)
    for model in pick.dropna().unique():
        col = f"{model}{suffix}"
        mask = (pick == model).to_numpy()
        if col in frame.columns:
            out[mask] = frame.loc[mask, col].to_numpy(dtype=float)
        elif suffix:  # no interval from this model: fall back to the point forecast
            out[mask] = frame.loc[mask, str(model)].to_numpy(dtype=float)
    return out


def _reconciler(name: str, sparse: bool = True) -> Any:
    """The reconciler of ``name``. BottomUp uses hierarchicalforecast's sparse path (exact: it
    only sums the bottom forecasts). MinTrace stays dense: ``MinTraceSparse`` solves with an
    iterative solver (bicgstab, atol 1e-5) whose convergence flag it ignores, so its numbers
    are guaranteed neither to be the dense path's nor to have converged on a large tree (it
    matched to 1e-9 on a small grouped one), and it has no ``mint_shrink``; TopDown's sparse path needs a strict hierarchy, which grouped
    structures are not. Those densify the summing matrix while they run. ``sparse=False``
    (a dense summing frame) takes the dense BottomUp."""
    from hierarchicalforecast.methods import BottomUp, BottomUpSparse, MinTrace, TopDown

    return {
        "BottomUp": lambda: BottomUpSparse() if sparse else BottomUp(),
        "MinTrace(mint_shrink)": lambda: MinTrace(method="mint_shrink"),
        "MinTrace(ols)": lambda: MinTrace(method="ols"),
        "TopDown": lambda: TopDown(method="forecast_proportions"),
    }[name]()


def _unsparse_names(rec: pd.DataFrame) -> pd.DataFrame:
    """File BottomUpSparse's columns under BottomUp: the same method, the same numbers."""
    return rec.rename(columns=lambda c: str(c).replace("/BottomUpSparse", "/BottomUp"))


def _method_label(name: str) -> str:
    return {
        "BottomUp": "BottomUp",
        "MinTrace(mint_shrink)": "MinTrace_method-mint_shrink",
        "MinTrace(ols)": "MinTrace_method-ols",
        "TopDown": "TopDown_method-forecast_proportions",
    }[name]


def reconcile(
    structure: Structure,
    Y_hat: pd.DataFrame,
    Y_fit: pd.DataFrame,
    method: str,
    notes: list[Note],
    *,
    compare: bool = True,
) -> tuple[pd.DataFrame, str]:
    """Reconcile with ``method`` (and, with ``compare``, the others for the leaderboard);
    fall back to OLS then BottomUp when MinTrace's covariance cannot be estimated."""
    from hierarchicalforecast.core import HierarchicalReconciliation

    order = [method] + [m for m in ("MinTrace(ols)", "BottomUp") if m != method]
    sparse = is_sparse(structure.S)
    last: Exception | None = None
    for m in order:
        try:
            hrec = HierarchicalReconciliation(reconcilers=[_reconciler(m, sparse)])
            rec = hrec.reconcile(
                Y_hat_df=Y_hat,
                Y_df=Y_fit,
                S_df=structure.S,
                tags=structure.tags,
                level=list(LEVELS),
            )
            rec = _unsparse_names(rec)
        except Exception as exc:
            last = exc
            continue
        if m != method:
            notes.append(Note("fallback_reconciliation", "", m))
        # The other reconcilers' point forecasts, for the leaderboard only.
        points = Y_hat[["unique_id", "ds", CHOSEN]]
        for other in RECONCILERS if compare else ():
            if other == m:
                continue
            try:
                extra = HierarchicalReconciliation(
                    reconcilers=[_reconciler(other, sparse)]
                ).reconcile(Y_hat_df=points, Y_df=Y_fit, S_df=structure.S, tags=structure.tags)
                extra = _unsparse_names(extra)
            except Exception:
                continue
            col = f"{CHOSEN}/{_method_label(other)}"
            rec = rec.merge(extra[["unique_id", "ds", col]], on=["unique_id", "ds"], how="left")
        return rec, m
    raise EngineError("reconciliation_failed", str(last))


# --- reconciliation per subtree ----------------------------------------------------------

# Above this many bottom series the platform reconciles per subtree: MinTrace inverts a
# matrix of the bottom's size (cubic time), and a dense summing matrix grows with its square.
SUBTREE_THRESHOLD = 3000


def level_columns(structure: Structure) -> dict[str, set[str]]:
    """The columns that each level fixes (read off its first series)."""
    out: dict[str, set[str]] = {}
    for level, ids in structure.tags.items():
        keys = structure.keys(str(ids[0])) if len(ids) else {}
        out[level] = {c for c, v in keys.items() if v is not None}
    return out


def subtrees(structure: Structure, columns: Sequence[str]) -> dict[tuple[Any, ...], list[str]]:
    """Group the series of every level that fixes all of ``columns`` by their values there.

    Each group is a closed hierarchy of its own (its bottom series are the bottom series
    with those values); its top is the series of the coarsest such level.
    """
    cols = list(columns)
    unknown = [c for c in cols if c not in structure.by]
    if unknown or not cols:
        raise EngineError("bad_subtree", ", ".join(unknown) or "-")
    fixed = level_columns(structure)
    inside = [lvl for lvl, have in fixed.items() if set(cols) <= have]
    bottom = list(structure.tags)[-1]
    if bottom not in inside:
        raise EngineError("bad_subtree", ", ".join(cols))
    top = min(inside, key=lambda lvl: len(fixed[lvl]))
    groups: dict[tuple[Any, ...], list[str]] = {}
    for lvl in inside:
        for uid in structure.tags[lvl]:
            keys = structure.keys(str(uid))
            groups.setdefault(tuple(keys[c] for c in cols), []).append(str(uid))
    tops = {tuple(structure.keys(str(u))[c] for c in cols) for u in structure.tags[top]}
    if len(tops) != len(structure.tags[top]) or set(groups) != tops:
        raise EngineError("bad_subtree", ", ".join(cols))  # the coarsest level is not one node
    return groups


def reconcile_subtrees(
    structure: Structure,
    Y_hat: pd.DataFrame,
    Y_fit: pd.DataFrame,
    method: str,
    notes: list[Note],
    columns: Sequence[str],
) -> tuple[pd.DataFrame, str]:
    """Reconcile each subtree of ``columns`` on its own, then the levels above them.

    Every subtree (a market kind's markets × products × channels, say) is reconciled with
    ``method`` as a hierarchy of its own. The series outside every subtree (the grand total,
    an industry over all markets …) are the sums of the reconciled bottom series under them,
    so the whole structure adds up; their intervals keep their own base forecast's width
    around that sum. The other reconcilers are not computed for the leaderboard here.
    """
    import numpy as np
    import pandas as pd

    groups = subtrees(structure, columns)
    fixed = level_columns(structure)
    S = structure.S.set_index("unique_id")
    bottom_ids = [str(b) for b in S.columns]
    label = f"{CHOSEN}/{_method_label(method)}"
    parts = []
    order = {name: i for i, name in enumerate(structure.tags)}
    # Each frame split by subtree once (a filter per subtree reads every row per subtree:
    # with 1,000 subtrees that was most of the reconciliation's time).
    number = {uid: n for n, ids in enumerate(groups.values()) for uid in ids}

    def split(frame: pd.DataFrame) -> dict[Any, pd.DataFrame]:
        keys = frame["unique_id"].astype(str).map(number)
        return dict(tuple(frame.groupby(keys, sort=False)))

    Y_by, hat_by, fit_by = split(structure.Y), split(Y_hat), split(Y_fit)
    for n, ids in enumerate(groups.values()):
        id_set = set(ids)
        bottoms = [b for b in bottom_ids if b in id_set]
        tags = {
            lvl: np.array([u for u in map(str, uids) if u in id_set])
            for lvl, uids in structure.tags.items()
            if set(columns) <= fixed[lvl]
        }
        tags = {k: v for k, v in sorted(tags.items(), key=lambda kv: order[kv[0]]) if len(v)}
        sub_ids = [u for uids in tags.values() for u in uids]
        S_sub = S.loc[sub_ids, bottoms].reset_index()
        sub = Structure(
            Y_by.get(n, structure.Y.iloc[:0]),
            S_sub,
            tags,
            structure.by,
            structure.values,
            structure.freq,
            structure.season,
        )
        rec, used_here = reconcile(
            sub,
            hat_by.get(n, Y_hat.iloc[:0]),
            fit_by.get(n, Y_fit.iloc[:0]),
            method,
            notes,
            compare=False,
        )
        # A subtree that fell back (reconcile() noted it) is filed under the method's name.
        old, new = f"/{_method_label(used_here)}", f"/{_method_label(method)}"
        rec = rec.rename(columns={c: c.replace(old, new) for c in rec.columns})
        parts.append(rec)
    inner = pd.concat(parts, ignore_index=True)
    # The series above the subtrees: sums of the reconciled bottom series.
    covered = set(inner["unique_id"].astype(str))
    outer_ids = [u for u in structure.tags_ids() if u not in covered]
    if outer_ids:
        bottom_rec = inner[inner["unique_id"].isin(set(bottom_ids))]
        wide = bottom_rec.pivot(index="ds", columns="unique_id", values=label)[bottom_ids]
        sums = (summing_csr(S.loc[outer_ids, bottom_ids]) @ wide.to_numpy().T).T
        outer = pd.DataFrame(sums, index=wide.index, columns=outer_ids)
        outer = outer.rename_axis(columns="unique_id").stack().rename(label).reset_index()
        outer = outer[["unique_id", "ds", label]]
        base = Y_hat[Y_hat["unique_id"].isin(set(outer_ids))].set_index(["unique_id", "ds"])
        outer = outer.set_index(["unique_id", "ds"])
        outer[CHOSEN] = base[CHOSEN]
        for lv in LEVELS:
            outer[f"{label}-lo-{lv}"] = outer[label] - (base[CHOSEN] - base[f"{CHOSEN}-lo-{lv}"])
            outer[f"{label}-hi-{lv}"] = outer[label] + (base[f"{CHOSEN}-hi-{lv}"] - base[CHOSEN])
        inner = pd.concat([inner, outer.reset_index()], ignore_index=True)
    notes.append(Note("subtrees", "", f"{len(groups)}:{','.join(columns)}"))
    rank = {u: i for i, u in enumerate(structure.tags_ids())}
    inner["_o"] = inner["unique_id"].astype(str).map(rank)
    inner = inner.sort_values(["_o", "ds"]).drop(columns="_o").reset_index(drop=True)
    return inner, method
