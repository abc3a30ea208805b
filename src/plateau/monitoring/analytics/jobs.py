"""Background jobs of the indicator engine: dashboard warm-up (kind ``analytics.warmup``).

The job computes the tables the dashboards and warnings read and stores them in the
database (``analytics_table_cache``), so that every web process, and a separate
``plateau jobs worker`` process running the job, serve them without computing (decision 0004).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plateau.i18n import _

if TYPE_CHECKING:
    from plateau.jobs.service import JobContext


def warm_up(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Recompute the dashboards' cached tables after the data changed."""
    from plateau.monitoring.analytics import service as analytics_service

    with ctx.session() as session:
        analytics_service.warm_up(session, actor=ctx.actor)
    return {"summary": _("The dashboards are up to date.")}
