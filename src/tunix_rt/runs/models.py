"""Run and job tables: the durable queue, run records, their logs and metric events."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tunix_rt.db.base import Base, JsonDoc, UuidPk, utcnow


class JobStatus(StrEnum):
    """Where a job (and its run) is in its life; see docs/design.md for the diagram."""

    QUEUED = "queued"
    RUNNING = "running"
    CANCEL_REQUESTED = "cancel_requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A run shares its job's states, so one enum serves both tables.
RunStatus = JobStatus
TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.RUNNING, JobStatus.CANCEL_REQUESTED})
# The ends whose error the run shows (a success keeps a lost attempt's note on the job only).
ENDED_BADLY = frozenset({JobStatus.FAILED, JobStatus.CANCELLED})


class Run(UuidPk, Base):
    """A user-visible run (training, evaluation, sweep, ...) executed by one job.

    The run holds what was asked (kind, config, directory); its job holds where it is in its
    life (status, attempts, worker, error, result, times), read through the properties below.
    """

    __tablename__ = "runs"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    # "sync" when a request waited for it, "async" when it was only enqueued.
    mode: Mapped[str] = mapped_column(String(16), default="async")
    config: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    dataset_key: Mapped[str | None] = mapped_column(String(200), index=True)
    model: Mapped[str | None] = mapped_column(String(500), index=True)
    backend: Mapped[str | None] = mapped_column(String(32))
    # The job executing this run; jobs.run_id carries the foreign key.
    job_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    run_dir: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Loaded with the run (one LEFT JOIN); written only through the queue's statements.
    job: Mapped[Job | None] = relationship(
        "Job", primaryjoin="Run.id == Job.run_id", viewonly=True, lazy="joined", uselist=False
    )

    __table_args__ = (Index("ix_runs_created_at_id", "created_at", "id"),)

    @property
    def status(self) -> str:
        """The job's status (a run without a job, which only tests make, reads queued)."""
        return JobStatus.QUEUED if self.job is None else self.job.status

    @property
    def worker_id(self) -> str | None:
        """The worker holding (or that last held) the job's lease."""
        return None if self.job is None else self.job.lease_owner

    @property
    def attempts(self) -> int:
        """Attempts so far (a graceful hand-back is not counted)."""
        return 0 if self.job is None else self.job.attempts

    @property
    def exit_code(self) -> int | None:
        """The exit code of the run's process, when it had one."""
        return None if self.job is None else self.job.exit_code

    @property
    def error(self) -> str | None:
        """Why the run failed or was cancelled. A success shows none, though its job keeps the
        note of an earlier lost attempt; so does an unfinished run."""
        job = self.job
        if job is None or job.status not in ENDED_BADLY:
            return None
        return job.error

    @property
    def traceback(self) -> str | None:
        """The last lines of the traceback (or of stderr) that explain a failure."""
        return None if self.job is None else self.job.traceback

    @property
    def result(self) -> dict[str, Any] | None:
        """What the handler returned."""
        return None if self.job is None else self.job.result

    @property
    def updated_at(self) -> datetime:
        """When the run's job last changed (heartbeats included)."""
        return self.created_at if self.job is None else self.job.updated_at

    @property
    def started_at(self) -> datetime | None:
        """When the first attempt started (retries keep it)."""
        return None if self.job is None else self.job.started_at

    @property
    def finished_at(self) -> datetime | None:
        """When the job reached its terminal status."""
        return None if self.job is None else self.job.finished_at


class Job(UuidPk, Base):
    """A queued unit of work, claimed by one worker at a time under a renewable lease."""

    __tablename__ = "jobs"

    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    status: Mapped[str] = mapped_column(String(32), default=JobStatus.QUEUED)
    # Lower runs first.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), index=True
    )
    # The worker holding the lease; kept after the job ends (the run's worker_id).
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    # Not claimable before this time (retry back-off).
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The end's reason; while the job is retried, the note of its lost attempt (see Run.error).
    error: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]
    exit_code: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The first attempt's start: a retry keeps it.
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The latest process the job started: its host, process group and attempt, so that a new
    # attempt first stops whatever of an earlier one still runs (runs/attempts.py).
    process_host: Mapped[str | None] = mapped_column(String(255))
    process_pgid: Mapped[int | None]
    process_attempt: Mapped[int | None]

    __table_args__ = (
        # The claim query walks this index: queued jobs in priority, then arrival order.
        Index("ix_jobs_claim", "status", "priority", "created_at"),
        # The reaper looks for expired leases among running jobs.
        Index("ix_jobs_status_lease", "status", "lease_expires_at"),
    )


class RunLog(Base):
    """One line of a run's stdout/stderr; ``seq`` is monotonic per run, across attempts."""

    __tablename__ = "run_logs"

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    stream: Mapped[str] = mapped_column(String(16))
    line: Mapped[str] = mapped_column(Text)
    ts: Mapped[datetime] = mapped_column(default=utcnow)


class RunMetric(Base):
    """One event of a run's ``metrics.jsonl``; ``seq`` is its line number (idempotent re-reads)."""

    __tablename__ = "run_metrics"

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event: Mapped[str] = mapped_column(String(64))
    step: Mapped[int | None]
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    ts: Mapped[datetime] = mapped_column(default=utcnow)


class RunTag(Base):
    """A free-form label a person put on a run (edited with ``PATCH /api/tunix/runs/{id}``)."""

    __tablename__ = "run_tags"

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
