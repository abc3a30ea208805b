"""Background jobs of the trace repository: webhook delivery (kind ``trace.webhook``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plateau.i18n import _

if TYPE_CHECKING:
    from plateau.jobs.service import JobContext


def deliver_webhook(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """POST one subscription's due events; a refused delivery fails the attempt (retried)."""
    from plateau.jobs.service import JobFailed
    from plateau.trace.epcis import service as trace_service

    results = trace_service.deliver_subscription(
        ctx.session_factory,
        subscription_id=str(params["subscription_id"]),
        stream=bool(params.get("stream", True)),
    )
    failed = [r for r in results if not r.ok]
    if failed:
        # The watermark stayed before the refused events: the next attempt sends them again.
        raise JobFailed(
            _(
                "The subscriber at %(dest)s did not accept the delivery: %(error)s",
                dest=failed[0].delivery.dest,
                error=failed[0].error,
            )
        )
    return {
        "summary": _("%(n)s documents delivered to the subscriber.", n=len(results)),
        "documents": len(results),
    }
