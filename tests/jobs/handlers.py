"""Handlers of the test-only job kinds (registered by the ``test_kinds`` fixture)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from plateau.auth.models import User
from plateau.errors import FieldError, ValidationFailed
from plateau.jobs.service import JobContext, JobFailed


def count_users(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Report progress in steps, read the database in a session of its own."""
    steps = int(params.get("steps", 3))
    for n in range(steps):
        ctx.progress(n, steps, f"step {n}")
    with ctx.session() as session:
        users = len(session.scalars(select(User.id)).all())
    ctx.progress(steps, steps, "done")
    return {
        "summary": f"{users} users",
        "users": users,
        "who": ctx.actor.username,
        "payload": len(ctx.payload()),
    }


def refuse(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    raise ValidationFailed("bad file", [FieldError("not a number", field="value", row=3)])


def crash(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("internal detail that users must not see")


def flaky(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.attempt < int(params["succeed_on"]):
        raise JobFailed("the receiver did not answer")
    return {"attempt": ctx.attempt}


def wait_for_cancel(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from plateau.jobs.models import Job

    with ctx.session() as session:
        job = session.get(Job, ctx.job_id)
        assert job is not None
        # The submitter cancels while the job runs.
        job.cancel_requested = True
    ctx.progress(1, 2, "halfway")
    return {"reached": "end"}
