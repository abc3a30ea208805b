from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import SYSTEM, Role
from plateau.db import utcnow
from plateau.errors import Conflict, NotFound
from plateau.i18n import set_locale
from plateau.jobs import service as jobs_service
from plateau.jobs.models import Job
from tests.builders import actor_of, make_user

pytestmark = pytest.mark.usefixtures("no_other_jobs")


def _fresh(session_factory: sessionmaker[Session], job_id: int) -> Job:
    with session_factory() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def test_submitted_job_runs_with_progress_and_result(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    officer = actor_of(make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100"))
    job = jobs_service.submit(
        session,
        kind="test.count_users",
        params={"steps": 4},
        actor=officer,
        payload=b"12345",
    )
    session.commit()
    assert job.state == "queued"

    assert jobs_service.run_pending(session_factory) == 1

    done = _fresh(session_factory, job.id)
    assert done.state == "succeeded"
    assert (done.progress_done, done.progress_total, done.progress_message) == (4, 4, "done")
    assert done.result is not None
    assert done.result["who"] == officer.username
    assert done.result["users"] >= 1
    assert done.result["payload"] == 5
    assert done.attempts == 1
    assert done.finished_at is not None and done.started_at is not None
    with session_factory() as s:  # the upload is not kept once the job is over
        assert s.scalar(select(Job.payload).where(Job.id == job.id)) is None
    assert jobs_service.run_pending(session_factory) == 0


def test_job_exists_only_if_the_callers_transaction_commits(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    job = jobs_service.submit(session, kind="test.count_users", params={}, actor=SYSTEM)
    job_id = job.id
    session.rollback()
    with session_factory() as s:
        assert s.get(Job, job_id) is None
    assert jobs_service.run_pending(session_factory) == 0


def test_unknown_kind_is_a_programming_error(session: Session) -> None:
    with pytest.raises(ValueError, match=r"kinds\.py"):
        jobs_service.submit(session, kind="no.such.kind", params={}, actor=SYSTEM)


def test_refused_input_fails_with_the_users_message_and_rows(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    job = jobs_service.submit(session, kind="test.refuse", params={}, actor=SYSTEM, max_attempts=3)
    session.commit()
    jobs_service.run_pending(session_factory)
    failed = _fresh(session_factory, job.id)
    # Bad input is not retried: it would fail the same way.
    assert (failed.state, failed.attempts) == ("failed", 1)
    assert failed.error == "bad file"
    assert failed.error_details == [
        {"row": 3, "field": "value", "message": "not a number", "value": None}
    ]


def test_unexpected_error_hides_the_detail_and_names_the_job(
    session: Session, session_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    set_locale("en")
    job = jobs_service.submit(session, kind="test.crash", params={}, actor=SYSTEM)
    session.commit()
    set_locale("zh_Hans_CN")
    jobs_service.run_pending(session_factory)
    failed = _fresh(session_factory, job.id)
    assert failed.state == "failed"
    assert failed.error is not None
    # In the submitter's language, without the internal detail, with the job's number.
    assert "unexpected error" in failed.error and str(job.id) in failed.error
    assert "internal detail" not in failed.error
    assert f"job {job.id}" in caplog.text and "internal detail" in caplog.text


def test_retryable_failure_is_retried_later_and_recorded(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    job = jobs_service.submit(
        session, kind="test.flaky", params={"succeed_on": 2}, actor=SYSTEM, max_attempts=3
    )
    session.commit()
    jobs_service.run_pending(session_factory)
    waiting = _fresh(session_factory, job.id)
    assert (waiting.state, waiting.attempts) == ("queued", 1)
    assert waiting.error == "the receiver did not answer"
    assert waiting.run_after > utcnow()
    # Not due yet: nothing runs.
    assert jobs_service.run_pending(session_factory) == 0

    with session_factory() as s:
        s.execute(update(Job).where(Job.id == job.id).values(run_after=utcnow()))
        s.commit()
    assert jobs_service.run_pending(session_factory) == 1
    done = _fresh(session_factory, job.id)
    assert (done.state, done.attempts, done.result) == ("succeeded", 2, {"attempt": 2})
    assert [h["state"] for h in done.history] == ["queued", "succeeded"]
    assert done.history[0]["error"] == "the receiver did not answer"


def test_retries_end_in_failure(session: Session, session_factory: sessionmaker[Session]) -> None:
    job = jobs_service.submit(
        session, kind="test.flaky", params={"succeed_on": 9}, actor=SYSTEM, max_attempts=2
    )
    session.commit()
    for _ in range(2):
        with session_factory() as s:
            s.execute(update(Job).where(Job.id == job.id).values(run_after=utcnow()))
            s.commit()
        jobs_service.run_pending(session_factory)
    failed = _fresh(session_factory, job.id)
    assert (failed.state, failed.attempts) == ("failed", 2)
    assert len(failed.history) == 2


def test_dedup_key_reuses_the_waiting_job_only(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    first = jobs_service.submit(
        session, kind="test.count_users", params={}, actor=SYSTEM, dedup_key="warm"
    )
    second = jobs_service.submit(
        session, kind="test.count_users", params={}, actor=SYSTEM, dedup_key="warm"
    )
    assert second.id == first.id
    session.commit()
    jobs_service.run_pending(session_factory)
    third = jobs_service.submit(
        session, kind="test.count_users", params={}, actor=SYSTEM, dedup_key="warm"
    )
    assert third.id != first.id


def test_the_unique_index_stops_a_concurrent_twin(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    # A twin queued by another transaction between our check and our insert.
    jobs_service.submit(session, kind="test.count_users", params={}, actor=SYSTEM, dedup_key="k")
    session.commit()
    with session_factory() as other:
        other.add(
            Job(kind="test.count_users", params={}, submitter_role="region_admin", dedup_key="x")
        )
        other.commit()
        twin = Job(kind="test.count_users", params={}, submitter_role="region_admin", dedup_key="x")
        other.add(twin)
        with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"):
            other.flush()
        other.rollback()


def test_jobs_are_seen_by_their_submitter_and_the_administrator(session: Session) -> None:
    mine = actor_of(make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540200"))
    other = actor_of(make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100"))
    analyst = actor_of(make_user(session, Role.ANALYST, None))
    job = jobs_service.submit(session, kind="test.count_users", params={}, actor=mine)
    session.flush()

    assert jobs_service.get_job(session, job.id, actor=mine).id == job.id
    assert jobs_service.get_job(session, job.id, actor=SYSTEM).id == job.id
    for outsider in (other, analyst):
        with pytest.raises(NotFound):
            jobs_service.get_job(session, job.id, actor=outsider)
        assert job.id not in [j.id for j in jobs_service.list_jobs(session, actor=outsider).items]
    assert [j.id for j in jobs_service.list_jobs(session, actor=mine).items] == [job.id]


def test_cancel_a_waiting_job(session: Session, session_factory: sessionmaker[Session]) -> None:
    job = jobs_service.submit(session, kind="test.count_users", params={}, actor=SYSTEM)
    session.flush()
    jobs_service.cancel(session, job.id, actor=SYSTEM)
    session.commit()
    assert jobs_service.run_pending(session_factory) == 0
    assert _fresh(session_factory, job.id).state == "cancelled"
    with pytest.raises(Conflict):
        jobs_service.cancel(session, job.id, actor=SYSTEM)


def test_a_running_job_stops_at_its_next_progress_report_when_cancelled(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    job = jobs_service.submit(session, kind="test.wait_for_cancel", params={}, actor=SYSTEM)
    session.commit()
    jobs_service.run_pending(session_factory)
    stopped = _fresh(session_factory, job.id)
    assert stopped.state == "cancelled"
    assert stopped.result is None


def test_claim_gives_a_job_to_one_worker_only(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    job = jobs_service.submit(session, kind="test.count_users", params={}, actor=SYSTEM)
    session.commit()
    assert jobs_service.claim(session_factory, worker="w1") == job.id
    assert jobs_service.claim(session_factory, worker="w2") is None
    claimed = _fresh(session_factory, job.id)
    assert (claimed.state, claimed.worker, claimed.attempts) == ("running", "w1", 1)


def test_a_job_whose_worker_died_is_queued_again_then_given_up(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    job = jobs_service.submit(session, kind="test.count_users", params={}, actor=SYSTEM)
    session.commit()
    for run in range(1, 4):
        assert jobs_service.claim(session_factory, worker="dead") == job.id
        # No heartbeat for a long while: the worker process is gone.
        with session_factory() as s:
            s.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(heartbeat_at=utcnow() - timedelta(hours=1))
            )
            s.commit()
        # A live job is left alone.
        assert jobs_service.requeue_stale(session_factory, older_than=timedelta(days=1)) == 0
        assert jobs_service.requeue_stale(session_factory, older_than=timedelta(minutes=10)) == 1
        expected = "queued" if run < 3 else "failed"
        assert _fresh(session_factory, job.id).state == expected
    given_up = _fresh(session_factory, job.id)
    assert given_up.error is not None and given_up.attempts == 3


def test_run_inline_reports_progress_to_the_caller(session_factory: sessionmaker[Session]) -> None:
    seen: list[tuple[int, int | None, str]] = []
    result = jobs_service.run_inline(
        "test.count_users",
        {"steps": 2},
        actor=SYSTEM,
        on_progress=lambda done, total, message: seen.append((done, total, message)),
        session_factory=session_factory,
    )
    assert seen == [(0, 2, "step 0"), (1, 2, "step 1"), (2, 2, "done")]
    assert result["who"] == "system"


def test_names_not_codes() -> None:
    set_locale("zh_Hans_CN")
    assert jobs_service.kind_label("registry.import") != "registry.import"
    assert jobs_service.state_label("failed") != "failed"
    set_locale("en")
    assert jobs_service.state_label("failed") == "Failed"
    assert jobs_service.kind_label("something.new") == "Background job"
