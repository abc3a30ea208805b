"""Background jobs of the forecasting domain: ``forecast.run`` and ``forecast.sync_retail``
(see ``plateau.jobs.kinds``).

The handler receives the run id of a queued run (``service.start_run``) and does the long
work in its own transaction, reporting progress as it goes.
"""

from __future__ import annotations

from typing import Any

from plateau.auth.schemas import SYSTEM
from plateau.forecast import service


def run_forecast(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Forecast every sales series of the queued run ``params["run_id"]``."""
    with ctx.session() as session:
        run = service.execute_run(
            session,
            run_id=int(params["run_id"]),
            actor=SYSTEM,
            models=params.get("models"),
            n_windows=int(params.get("n_windows", 2)),
            progress=ctx.progress,
        )
        from plateau.i18n import _

        summary = _("Forecast run %(id)s stored: %(n)s series.", id=run.id, n=run.n_series)
        return {"run_id": run.id, "status": run.status, "summary": summary, "url": "/forecast"}


def sync_retail(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Read the traceability repository's till scans into sales records (source trace)."""
    with ctx.session() as session:
        report = service.sync_retail(session, actor=SYSTEM)
        return {
            "created": report.created,
            "updated": report.updated,
            "removed": report.removed,
            "kept_imported": report.kept_imported,
            "summary": service.sync_retail_text(report),
            "url": "/forecast",
        }
