"""Background jobs of incentive policies: running a policy for every enterprise (``policy.run``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plateau.i18n import _

if TYPE_CHECKING:
    from plateau.jobs.service import JobContext


def run_policy(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Compute a policy's list for a year (数据比对) over every enterprise, with progress."""
    from plateau.formatting import fmt_cny
    from plateau.policy import service as policy_service

    # Reading and writing in two transactions: the progress reports write the job's row
    # meanwhile, and on SQLite a reader that later writes would find the database changed.
    # The reading one is a reader: as a writer it would hold SQLite's write lock throughout.
    with ctx.session(write=False) as session:
        summary = policy_service.compute_run(
            session,
            policy_id=str(params["policy"]),
            year=int(params["period"]),
            actor=ctx.actor,
            progress=ctx.progress,
        )
    if not params.get("dry_run", False):
        with ctx.session() as session:
            policy_service.store_run(session, summary=summary, actor=ctx.actor)
    result: dict[str, Any] = {
        "summary": _(
            "%(n)s entitlements, %(total)s (requested %(requested)s).",
            n=summary.entitled,
            total=fmt_cny(summary.total_cny),
            requested=fmt_cny(summary.requested_cny),
        ),
        "run_id": summary.run_id,
        "entitled": summary.entitled,
        "total_cny": str(summary.total_cny),
        "requested_cny": str(summary.requested_cny),
    }
    if summary.run_id is not None:
        result["url"] = f"/policy/runs/{summary.run_id}"
    else:
        result["lines"] = [
            {"uscc": line.uscc, "enterprise": line.enterprise, "rule": line.rule_id,
             "amount_cny": str(line.amount_cny)}
            for line in summary.lines
        ]  # fmt: skip
    return result
