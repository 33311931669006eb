"""Run and job tables: the durable queue, run records, their logs and metric events."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

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


class Run(UuidPk, Base):
    """A user-visible run (training, evaluation, sweep, ...) executed by one job."""

    __tablename__ = "runs"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32), default=JobStatus.QUEUED, index=True)
    # "sync" when a request waited for it, "async" when it was only enqueued.
    mode: Mapped[str] = mapped_column(String(16), default="async")
    config: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    dataset_key: Mapped[str | None] = mapped_column(String(200), index=True)
    model: Mapped[str | None] = mapped_column(String(500), index=True)
    backend: Mapped[str | None] = mapped_column(String(32))
    # The job executing this run; jobs.run_id carries the foreign key.
    job_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    run_dir: Mapped[str] = mapped_column(Text)
    worker_id: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    exit_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    # The last lines of the traceback (or of stderr) that explain a failure.
    traceback: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_runs_created_at_id", "created_at", "id"),)


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
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    # Not claimable before this time (retry back-off).
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

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
