"""Sweep tables: a tuning job and its trials (each trial points at a training run)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tunix_rt.db.base import Base, UuidPk, utcnow


class TuningStatus(StrEnum):
    """Life of a sweep: created → queued → running → succeeded | failed | cancelled."""

    CREATED = "created"
    QUEUED = "queued"
    RUNNING = "running"
    CANCEL_REQUESTED = "cancel_requested"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


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
    status: Mapped[str] = mapped_column(String(32), default=TuningStatus.CREATED, index=True)
    # The sweep's own run record (kind "sweep"), so it shows in the runs list with its logs.
    run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), index=True
    )
    best_trial_id: Mapped[uuid.UUID | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


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
    status: Mapped[str] = mapped_column(String(32), default="queued")
    metric_value: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("tuning_job_id", "ray_trial_id", name="uq_tuning_trials_job_trial"),
    )
