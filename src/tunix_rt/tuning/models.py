"""Sweep tables: a tuning job and its trials (each trial points at a training run)."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tunix_rt.db.base import Base, UuidPk, utcnow
from tunix_rt.runs.models import JobStatus, Run


class TuningStatus(StrEnum):
    """Life of a sweep: created (no run yet), then its ``sweep`` run's status."""

    CREATED = "created"
    QUEUED = "queued"
    RUNNING = "running"
    CANCEL_REQUESTED = "cancel_requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TrialStatus(StrEnum):
    """A trial as its sweep reads it: its run's status, plus stopped (Ray ended it early)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    STOPPED = "stopped"


class TuningJob(UuidPk, Base):
    """A sweep: a base training config, a search space, and the metric to optimise."""

    __tablename__ = "tuning_jobs"

    name: Mapped[str] = mapped_column(String(200), index=True)
    dataset_key: Mapped[str] = mapped_column(String(200))
    base_model: Mapped[str] = mapped_column(String(500))
    base_config: Mapped[dict[str, Any]]
    search_space: Mapped[dict[str, Any]]
    metric: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(8))
    num_samples: Mapped[int] = mapped_column(Integer)
    max_concurrent_trials: Mapped[int] = mapped_column(Integer)
    scheduler: Mapped[str] = mapped_column(String(16), default="fifo")
    eval_set: Mapped[str | None] = mapped_column(String(200))
    ray_address: Mapped[str | None] = mapped_column(String(500))
    seed: Mapped[int] = mapped_column(Integer, default=0)
    # The sweep's own run record (kind "sweep"), so it shows in the runs list with its logs;
    # its status is the sweep's.
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    best_trial_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run: Mapped[Run | None] = relationship(Run, viewonly=True, lazy="joined")

    @property
    def status(self) -> str:
        """``created`` until the sweep has a run, then that run's status."""
        return TuningStatus.CREATED if self.run is None else self.run.status

    @property
    def error(self) -> str | None:
        """Why the sweep's run failed (e.g. no trial produced a finite metric)."""
        return None if self.run is None else self.run.error

    @property
    def started_at(self) -> datetime | None:
        """When its run started."""
        return None if self.run is None else self.run.started_at

    @property
    def finished_at(self) -> datetime | None:
        """When its run ended."""
        return None if self.run is None else self.run.finished_at


class TuningTrial(UuidPk, Base):
    """One sampled configuration of a sweep, trained as its own run."""

    __tablename__ = "tuning_trials"

    tuning_job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tuning_jobs.id", ondelete="CASCADE"), index=True
    )
    ray_trial_id: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]]
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    metric_value: Mapped[float | None] = mapped_column(Float)
    # Why a trial whose run succeeded is still not a result (e.g. "metric is not finite").
    error: Mapped[str | None] = mapped_column(Text)
    # The scheduler ended the trial early (Ray's decision, not the run's).
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the trial was scored (or given up on); until then a succeeded run is still "running".
    finished_at: Mapped[datetime | None]
    run: Mapped[Run | None] = relationship(Run, viewonly=True, lazy="joined")

    __table_args__ = (
        UniqueConstraint("tuning_job_id", "ray_trial_id", name="uq_tuning_trials_job_trial"),
    )

    @property
    def started_at(self) -> datetime | None:
        """When its training run started."""
        return None if self.run is None else self.run.started_at

    @property
    def run_finished_at(self) -> datetime | None:
        """When its training run ended (the trial may still be scoring it)."""
        return None if self.run is None else self.run.finished_at

    @property
    def failure(self) -> str | None:
        """Why the trial has no result: its run's error when the run failed, else its own."""
        run = self.run
        if run is not None and run.status == JobStatus.FAILED and run.error:
            return f"run failed: {run.error}"
        return self.error

    @property
    def status(self) -> TrialStatus:
        """Its run's status, read as a trial's (see docs/tuning.md)."""
        if self.stopped:
            return TrialStatus.STOPPED
        run_status = JobStatus.QUEUED if self.run is None else JobStatus(self.run.status)
        if run_status == JobStatus.CANCEL_REQUESTED:
            return TrialStatus.RUNNING
        if run_status != JobStatus.SUCCEEDED:
            return TrialStatus(str(run_status))
        if self.finished_at is None:
            return TrialStatus.RUNNING  # trained, not scored yet
        return TrialStatus.SUCCEEDED if is_finite(self.metric_value) else TrialStatus.FAILED


def is_finite(value: float | None) -> bool:
    """A metric a trial can be ranked by."""
    return value is not None and math.isfinite(value)
