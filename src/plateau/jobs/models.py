"""The job table: every piece of background work, its state, progress and result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from plateau.db import Base, UTCDateTime, utcnow

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED)
FINISHED = (SUCCEEDED, FAILED, CANCELLED)


class Job(Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A key of plateau.jobs.kinds.KINDS, e.g. "registry.import".
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The uploaded file of an import: kept in the database so that any worker process can
    # read it; cleared when the job finishes.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None] = mapped_column()
    progress_message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Fit to show to the submitter, in the language they submitted in.
    error: Mapped[str | None] = mapped_column(Text)
    # Row/field errors of a refused import ({row, field, message, value} each).
    error_details: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # One entry per finished attempt: {attempt, at, state, error}.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Who asked: the job runs with their role and scope, and only they (and region
    # administrators) see it. None for system work (dashboard warm-up).
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    submitter_role: Mapped[str] = mapped_column(String(32))
    submitter_scope: Mapped[str | None] = mapped_column(String(64))
    submitter_username: Mapped[str] = mapped_column(String(64), default="")
    locale: Mapped[str] = mapped_column(String(16), default="zh_Hans_CN")
    dedup_key: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=1)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    worker: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Not claimed before this moment (retries back off).
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        # The claim query: the oldest due job of those waiting.
        Index("ix_job_state_run_after", "state", "run_after"),
        Index("ix_job_submitted_by_id_created_at", "submitted_by_id", "created_at"),
        # At most one waiting job per dedup key (e.g. one dashboard warm-up).
        Index(
            "uq_job_dedup_key_queued",
            "kind",
            "dedup_key",
            unique=True,
            sqlite_where=text("state = 'queued' AND dedup_key IS NOT NULL"),
            postgresql_where=text("state = 'queued' AND dedup_key IS NOT NULL"),
        ),
    )

    @property
    def kind_label(self) -> str:
        """The kind's name in the current language."""
        from plateau.jobs import service

        return service.kind_label(self.kind)

    @property
    def state_label(self) -> str:
        """The state's name in the current language."""
        from plateau.jobs import service

        return service.state_label(self.state)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int | None:
        """How far the job is, 0–100, when it knows its total."""
        if self.state == SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return min(100, round(100 * self.progress_done / self.progress_total))
