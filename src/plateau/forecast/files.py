"""Forecast any long CSV/XLSX file: reading, checking, output records, holdout evaluation.

Behind ``plateau forecast file`` and ``plateau forecast evaluate``. Every refusal is a
``DomainError`` whose message is in the user's language and names the culprit.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plateau.errors import DomainError, FieldError, ValidationFailed
from plateau.forecast import engine
from plateau.i18n import _

if TYPE_CHECKING:
    import pandas as pd


def read_frame(
    path: Path,
    *,
    date: str,
    value: str,
    by: Sequence[str],
    regressors: Sequence[str] = (),
) -> pd.DataFrame:
    """Read a long file into ``by`` columns, ``ds``, ``y`` and the ``regressors`` (numbers,
    one on every row); refuse what cannot be forecast."""
    import pandas as pd

    regressors = list(regressors)
    clash = [c for c in regressors if c in (date, value, *by)]
    if clash or len(set(regressors)) != len(regressors):
        raise DomainError(
            _(
                "A regressor (--x) must be a column of its own, not the date, the value, a --by column or given twice: %(columns)s.",
                columns=", ".join(clash or regressors),
            )
        )

    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=object)
        elif suffix in (".csv", ".txt", ""):
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            raise DomainError(
                _("Unsupported file type %(suffix)s: use CSV or XLSX.", suffix=suffix)
            )
    except FileNotFoundError as exc:
        raise DomainError(_("File not found: %(path)s", path=path)) from exc
    except (ValueError, OSError) as exc:
        raise DomainError(_("The file cannot be read: %(error)s", error=exc)) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in (date, value, *by, *regressors) if c not in raw.columns]
    if missing:
        raise DomainError(
            _(
                "Missing column(s): %(columns)s. The file has: %(have)s.",
                columns=", ".join(missing),
                have=", ".join(raw.columns),
            )
        )
    errors: list[FieldError] = []
    ds = pd.to_datetime(raw[date].astype(str).str.strip(), errors="coerce")
    xs = {
        c: pd.to_numeric(raw[c].astype(str).str.strip().str.replace(",", ""), errors="coerce")
        for c in regressors
    }
    y = pd.to_numeric(raw[value].astype(str).str.strip().str.replace(",", ""), errors="coerce")
    for i in range(len(raw)):
        row = i + 2  # the header is row 1
        if pd.isna(ds.iloc[i]):
            errors.append(FieldError(_("not a date"), date, row, _text(raw[date].iloc[i])))
        if pd.isna(y.iloc[i]) or not math.isfinite(float(y.iloc[i])):
            errors.append(FieldError(_("not a number"), value, row, _text(raw[value].iloc[i])))
        for c, x in xs.items():
            cell = _text(raw[c].iloc[i]).strip()
            if cell in ("", "nan", "None", "NaT"):
                errors.append(FieldError(_("the regressor has no value on this date"), c, row))
            elif pd.isna(x.iloc[i]) or not math.isfinite(float(x.iloc[i])):
                errors.append(FieldError(_("not a number"), c, row, cell))
        if len(errors) >= 50:
            break
    frame = raw[list(by)].astype(str).apply(lambda s: s.str.strip())
    frame["ds"] = ds
    frame["y"] = y.astype(float)
    for c, x in xs.items():
        frame[c] = x.astype(float)
    if not errors:
        dup = frame.duplicated([*by, "ds"], keep="first")
        for i in dup[dup].index[:50]:
            key = ", ".join(f"{c}={frame.at[i, c]}" for c in by)
            errors.append(
                FieldError(
                    _(
                        "duplicated series and date (%(key)s, %(date)s)",
                        key=key or _("total"),
                        date=frame.at[i, "ds"].date().isoformat(),
                    ),
                    date,
                    int(i) + 2,
                )
            )
    if errors:
        raise ValidationFailed(
            _("The file cannot be forecast: %(n)s bad row(s).", n=len(errors)), errors
        )
    if frame.empty:
        raise DomainError(_("The file has no rows."))
    return frame


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def structure_of(
    frame: pd.DataFrame,
    *,
    by: Sequence[str],
    nested: bool,
    freq: str | None,
    season: int | None,
    regressors: Sequence[str] = (),
) -> engine.Structure:
    """Build the hierarchy, turning engine refusals into messages for people."""
    try:
        return engine.build_structure(
            frame, by=by, nested=nested, freq=freq, season=season, regressors=regressors
        )
    except engine.EngineError as exc:
        raise DomainError(engine_message(exc)) from exc


def engine_message(exc: engine.EngineError) -> str:
    d = exc.detail
    if exc.code == "too_few_dates":
        return _("At least two distinct dates are needed to forecast.")
    if exc.code == "irregular_dates":
        return _("The dates of series %(series)s do not follow the spacing of the file.", series=d)
    if exc.code == "duplicates":
        return _("A series has the same date twice.")
    if exc.code == "bad_freq":
        return _("Unknown frequency %(freq)s: use D, W, M or Q.", freq=d)
    if exc.code == "bad_horizon":
        return _("The horizon must be at least 1.")
    if exc.code == "bad_subtree":
        return _(
            "%(cols)s cannot split the file into subtrees: give --by columns whose values each head one branch.",
            cols=d,
        )
    if exc.code == "exog_needs_months":
        return _("Calendar effects need monthly, quarterly or yearly data.")
    if exc.code == "regressor_future_missing":
        return _(
            "The regressor(s) %(columns)s must have a value for every forecast date.", columns=d
        )
    if exc.code == "unknown_model":
        return _("Unknown model %(model)s.", model=d)
    return _("The forecasts could not be reconciled: %(error)s", error=d)


def records(structure: engine.Structure, result: engine.Result) -> list[dict[str, Any]]:
    """One record per series and future period: series keys (None = all), date, bands, model."""
    out = []
    keys = {uid: structure.keys(uid) for uid in structure.tags_ids()}
    for row in result.forecasts.itertuples(index=False):
        out.append(
            {
                "series": keys[str(row.unique_id)],
                "ds": row.ds.date().isoformat(),
                "forecast": float(row.forecast),
                "lo_80": float(row.lo_80),
                "hi_80": float(row.hi_80),
                "lo_95": float(row.lo_95),
                "hi_95": float(row.hi_95),
                "model": str(row.model),
            }
        )
    return out


def flat_rows(recs: list[dict[str, Any]], by: Sequence[str]) -> list[dict[str, Any]]:
    """Records with the series keys as columns (for CSV and Excel)."""
    return [
        {**{c: r["series"][c] for c in by}, **{k: v for k, v in r.items() if k != "series"}}
        for r in recs
    ]


def write_table(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> bytes:
    """CSV or XLSX bytes; text cells never start a formula."""
    from plateau import tabular

    cols = [tabular.Column(c, c) for c in columns]
    if fmt == "xlsx":
        return tabular.to_xlsx(cols, rows)
    return tabular.to_csv(cols, rows)


def evaluate(
    structure: engine.Structure,
    *,
    test_size: int,
    models: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Hold out the last ``test_size`` periods; MASE per level of each base model, of the
    models chosen by backtest, and of each reconciliation of them."""
    import pandas as pd

    Y = structure.Y
    dates = sorted(Y["ds"].unique())
    if test_size < 1 or test_size >= len(dates) - 2:
        raise DomainError(_("The test size must be between 1 and %(n)s.", n=max(1, len(dates) - 3)))
    cut = dates[-test_size - 1]
    train = dataclasses.replace(
        structure, Y=Y[Y["ds"] <= cut].reset_index(drop=True), notes=list(structure.notes)
    )
    test = Y[Y["ds"] > cut]
    names = engine.candidate_models(train, models)
    result = engine.forecast(train, h=test_size, models=names)
    base = engine.base_forecast(train, names, test_size)
    methods = result.all_methods
    assert methods is not None
    merged = test.merge(base, on=["unique_id", "ds"]).merge(
        methods.rename(columns={"base": engine.CHOSEN}), on=["unique_id", "ds"]
    )
    cols = [
        *names,
        engine.CHOSEN,
        *[c for c in methods.columns if c not in ("unique_id", "ds", "base")],
    ]
    scores = engine.score(merged, cols, train)
    board = engine.leaderboard(scores, train)
    board = board[["level", "model", "mase", "rmsse", "smape", "n_series"]]
    label = {
        "BottomUp": "Chosen+BottomUp",
        "MinTrace_method-mint_shrink": "Chosen+MinTrace(mint_shrink)",
        "MinTrace_method-ols": "Chosen+MinTrace(ols)",
        "TopDown_method-forecast_proportions": "Chosen+TopDown",
    }
    board["model"] = board["model"].map(lambda m: label.get(m, m))
    overall = board.groupby("model", sort=False)[["mase", "rmsse", "smape"]].mean().reset_index()
    overall.insert(0, "level", "overall")
    overall["n_series"] = board.groupby("model", sort=False)["n_series"].sum().to_numpy()
    out = pd.concat([board, overall], ignore_index=True)
    return out


def to_bytes_json(obj: Any) -> bytes:
    import json

    buf = io.StringIO()
    json.dump(obj, buf, ensure_ascii=False, indent=1)
    return buf.getvalue().encode()
