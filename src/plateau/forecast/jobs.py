"""Background job of the forecasting domain: ``forecast.run`` (see ``plateau.jobs.kinds``).

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
            session, run_id=int(params["run_id"]), actor=SYSTEM, progress=ctx.progress
        )
        return {"run_id": run.id, "status": run.status, "n_series": run.n_series}
