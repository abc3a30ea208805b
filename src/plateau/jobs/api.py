"""JSON API of background jobs: the caller's jobs, one job, cancelling."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from plateau.jobs import service
from plateau.jobs.models import Job
from plateau.jobs.schemas import JobRead, JobState
from plateau.paging import Page
from plateau.web.deps import Csrf, DbSession, UserActor
from plateau.web.params import PageNo, PerPage

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[Csrf])


@router.get("", response_model=Page[JobRead])
def list_jobs(
    session: DbSession,
    actor: UserActor,
    state: JobState | None = None,
    kind: str | None = Query(None, max_length=64, description="e.g. registry.import"),
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[JobRead]:
    """List the caller's background jobs (every job for the region administrator), newest first."""
    found = service.list_jobs(
        session, actor=actor, state=state, kind=kind, page=page, per_page=per_page
    )
    return Page[JobRead](
        items=[JobRead.of(job) for job in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
    )


@router.get("/{job_id}", response_model=JobRead)
def get_job(job_id: int, session: DbSession, actor: UserActor) -> JobRead:
    """Return one job: its state, progress, result or error."""
    return JobRead.of(service.get_job(session, job_id, actor=actor))


@router.post("/{job_id}/cancel", response_model=JobRead)
def cancel_job(job_id: int, session: DbSession, actor: UserActor) -> JobRead:
    """Cancel a waiting job, or ask a running one to stop."""
    return JobRead.of(service.cancel(session, job_id, actor=actor))


# For routes that may hand their work to a job: ``responses=JOB_ACCEPTED``.
JOB_ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {
        "model": JobRead,
        "description": "Queued as a background job; follow it at the Location given.",
    }
}


def accepted(job: Job) -> JSONResponse:
    """Answer 202 with the queued job and where to follow it."""
    return JSONResponse(
        JobRead.of(job).model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/api/jobs/{job.id}"},
    )
