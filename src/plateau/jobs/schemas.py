"""What the job API answers: a job's state, progress and outcome, with names beside codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from plateau.jobs.models import Job

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobRead(BaseModel):
    id: int
    kind: str
    kind_label: str
    state: JobState
    state_label: str
    progress_done: int
    progress_total: int | None
    progress_message: str
    result: dict[str, Any] | None
    error: str | None
    error_details: list[dict[str, Any]] | None
    attempts: int
    max_attempts: int
    submitted_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobRead:
        """Build the answer for one job, its kind and state named in the caller's language."""
        from plateau.jobs import service

        return cls(
            id=job.id,
            kind=job.kind,
            kind_label=service.kind_label(job.kind),
            state=job.state,  # type: ignore[arg-type]
            state_label=service.state_label(job.state),
            progress_done=job.progress_done,
            progress_total=job.progress_total,
            progress_message=job.progress_message,
            result=job.result,
            error=job.error,
            error_details=job.error_details,
            attempts=job.attempts,
            max_attempts=job.max_attempts,
            submitted_by=job.submitter_username,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
