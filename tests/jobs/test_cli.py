from __future__ import annotations

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from plateau.auth.schemas import SYSTEM
from plateau.cli import app
from plateau.jobs import service as jobs_service
from plateau.jobs.models import Job


def test_worker_once_runs_waiting_jobs_and_show_lists_them(cli: CliRunner, engine: Engine) -> None:
    # The CLI commits through its own engine: the job must be committed, and removed after.
    with Session(engine) as session:
        job = jobs_service.submit(session, kind="test.count_users", params={}, actor=SYSTEM)
        session.commit()
        job_id = job.id
    try:
        ran = cli.invoke(app, ["--lang", "en", "jobs", "worker", "--once"])
        assert ran.exit_code == 0, ran.output
        assert "jobs run" in ran.output

        shown = cli.invoke(app, ["--lang", "en", "jobs", "show", str(job_id)])
        assert shown.exit_code == 0, shown.output
        assert "Finished" in shown.output and '"who": "system"' in shown.output

        listed = cli.invoke(app, ["--lang", "en", "jobs", "list", "--state", "succeeded"])
        assert listed.exit_code == 0 and str(job_id) in listed.output

        missing = cli.invoke(app, ["--lang", "en", "jobs", "show", "999999"])
        assert missing.exit_code == 1 and "No such job" in missing.output
        wrong = cli.invoke(app, ["--lang", "en", "jobs", "list", "--state", "done"])
        assert wrong.exit_code == 1
    finally:
        with Session(engine) as session:
            session.execute(delete(Job).where(Job.id == job_id))
            session.commit()
