"""Background jobs: submit inside the caller's transaction, read within scope, cancel, run.

The queue is the ``job`` table (decision 0005): a job is submitted in the caller's own
transaction, so it exists exactly when the caller's work is committed; any process
(the web app's worker threads, ``plateau jobs worker``) claims it with one atomic
statement, runs its handler and stores the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plateau.auth.schemas import Actor
from plateau.db import utcnow
from plateau.errors import Conflict, NotFound
from plateau.i18n import _, get_locale
from plateau.jobs import kinds
from plateau.jobs.models import (
    CANCELLED,
    FAILED,
    FINISHED,
    QUEUED,
    RUNNING,
    STATES,
    SUCCEEDED,
    Job,
)
from plateau.jobs.runner import (
    JobCancelled,
    JobContext,
    JobFailed,
    claim,
    requeue_stale,
    run_inline,
    run_job,
    run_pending,
)

__all__ = [
    "JobCancelled",
    "JobContext",
    "JobFailed",
    "cancel",
    "claim",
    "get_job",
    "kind_label",
    "list_jobs",
    "requeue_stale",
    "run_inline",
    "run_job",
    "run_pending",
    "state_label",
    "submit",
]

STATE_LABELS: dict[str, str] = {
    QUEUED: "Waiting",
    RUNNING: "Running",
    SUCCEEDED: "Finished",
    FAILED: "Failed",
    CANCELLED: "Cancelled",
}


def kind_label(kind: str) -> str:
    """Return the translated name of a kind of job."""
    return _(kinds.LABELS.get(kind, kinds.DEFAULT_LABEL))


def state_label(state: str) -> str:
    """Return the translated name of a job's state."""
    # The ids are listed for extraction in _state_ids below.
    return _(STATE_LABELS.get(state, state))


def _state_ids() -> None:  # pragma: no cover - only for message extraction
    _("Waiting")
    _("Running")
    _("Finished")
    _("Failed")
    _("Cancelled")


def submit(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any],
    actor: Actor,
    dedup_key: str | None = None,
    payload: bytes | None = None,
    max_attempts: int = 1,
    run_after: datetime | None = None,
) -> Job:
    """Queue a job in the caller's transaction; with a dedup key, reuse a waiting twin."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown job kind {kind!r}: declare it in plateau/jobs/kinds.py")
    if dedup_key is not None:
        waiting = _waiting_twin(session, kind, dedup_key)
        if waiting is not None:
            return waiting
    job = Job(
        kind=kind,
        params=params,
        payload=payload,
        state=QUEUED,
        submitted_by_id=actor.user_id,
        submitter_role=str(actor.role),
        submitter_scope=actor.scope,
        submitter_username=actor.username[:64],
        locale=get_locale(),
        dedup_key=dedup_key,
        max_attempts=max(1, max_attempts),
        run_after=run_after or utcnow(),
        history=[],
    )
    if dedup_key is None:
        session.add(job)
        session.flush()
    else:
        # Another transaction may queue the same key at the same moment: the partial
        # unique index refuses the second, which then returns the first.
        try:
            with session.begin_nested():
                session.add(job)
                session.flush()
        except IntegrityError:
            twin = _waiting_twin(session, kind, dedup_key)
            if twin is None:
                raise
            return twin
    _wake_after_commit(session)
    return job


def _waiting_twin(session: Session, kind: str, dedup_key: str) -> Job | None:
    return session.scalars(
        select(Job).where(Job.kind == kind, Job.dedup_key == dedup_key, Job.state == QUEUED)
    ).first()


def _wake_after_commit(session: Session) -> None:
    from sqlalchemy import event

    from plateau.jobs import worker

    if not event.contains(session, "after_commit", worker.wake):
        event.listen(session, "after_commit", worker.wake, once=True)


def _visible(actor: Actor) -> ColumnElement[bool]:
    """The jobs ``actor`` may see: their own, or all of them for the region administrator."""
    if actor.is_admin:
        return true()
    if actor.user_id is None:
        return false()
    return Job.submitted_by_id == actor.user_id


def get_job(session: Session, job_id: int, *, actor: Actor) -> Job:
    """Return one job the caller may see, or raise NotFound."""
    job = session.scalars(select(Job).where(Job.id == job_id, _visible(actor))).first()
    if job is None:
        raise NotFound(_("No such job."))
    return job


@dataclass(frozen=True)
class JobPage:
    """One page of the caller's jobs, newest first."""

    items: list[Job]
    total: int
    page: int
    per_page: int


def list_jobs(
    session: Session,
    *,
    actor: Actor,
    state: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> JobPage:
    """List the jobs the caller may see, newest first, optionally by state and kind."""
    conditions: list[ColumnElement[bool]] = [_visible(actor)]
    if state is not None:
        if state not in STATES:
            raise NotFound(_("No such job state."))
        conditions.append(Job.state == state)
    if kind is not None:
        conditions.append(Job.kind == kind)
    total = session.scalar(select(func.count()).select_from(Job).where(*conditions)) or 0
    items = list(
        session.scalars(
            select(Job)
            .where(*conditions)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return JobPage(items=items, total=int(total), page=page, per_page=per_page)


def cancel(session: Session, job_id: int, *, actor: Actor) -> Job:
    """Cancel a waiting job now, or ask a running one to stop at its next progress report."""
    job = get_job(session, job_id, actor=actor)
    if job.state in FINISHED:
        raise Conflict(_("This job has already finished."))
    if job.state == QUEUED:
        job.state = CANCELLED
        job.finished_at = utcnow()
        job.payload = None
    else:
        job.cancel_requested = True
    session.flush()
    return job


def is_finished(job: Job) -> bool:
    """Whether the job has reached its final state."""
    return job.state in FINISHED


def succeeded(job: Job) -> bool:
    return job.state == SUCCEEDED


def failed(job: Job) -> bool:
    return job.state == FAILED


def running(job: Job) -> bool:
    return job.state == RUNNING
