"""HTML pages of background jobs: the caller's jobs, one job, its polled progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from plateau.formatting import fmt_time
from plateau.i18n import _
from plateau.jobs import service
from plateau.jobs.models import STATES, Job
from plateau.web.deps import Csrf, DbSession, UserActor
from plateau.web.templating import render

router = APIRouter(include_in_schema=False)


def _history(job: Job) -> list[dict[str, Any]]:
    rows = []
    for entry in job.history or []:
        at = entry.get("at")
        when = fmt_time(datetime.fromisoformat(at)) if isinstance(at, str) else "—"
        outcome = entry.get("state", "")
        label = _("Interrupted") if outcome == "interrupted" else service.state_label(outcome)
        if outcome == "queued":
            label = _("Failed, tried again")
        rows.append({**entry, "at_text": when, "outcome": label})
    return rows


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    session: DbSession,
    actor: UserActor,
    state: str | None = Query(None, max_length=16),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    found = service.list_jobs(
        session, actor=actor, state=state if state in STATES else None, page=page, per_page=50
    )
    states = [(code, service.state_label(code)) for code in STATES]
    return render(
        request,
        "jobs/list.html",
        {"found": found, "state": state if state in STATES else None, "states": states},
        actor=actor,
    )


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int, session: DbSession, actor: UserActor) -> Response:
    job = service.get_job(session, job_id, actor=actor)
    job_history = _history(job)
    return render(request, "jobs/job.html", {"job": job, "job_history": job_history}, actor=actor)


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse)
def job_progress(request: Request, job_id: int, session: DbSession, actor: UserActor) -> Response:
    """The progress partial alone, for HTMX polling."""
    job = service.get_job(session, job_id, actor=actor)
    return render(request, "jobs/_progress.html", {"job": job}, actor=actor)


@router.post("/jobs/{job_id}/cancel", response_class=HTMLResponse, dependencies=[Csrf])
def job_cancel(request: Request, job_id: int, session: DbSession, actor: UserActor) -> Response:
    job = service.cancel(session, job_id, actor=actor)
    return render(request, "jobs/_progress.html", {"job": job}, actor=actor)
