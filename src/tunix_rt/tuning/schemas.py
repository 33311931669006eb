"""Sweep schemas (the seed's shape: name, dataset, base model, metric, mode, samples, space)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tunix_rt.evaluation.judges import DEFAULT_JUDGES
from tunix_rt.tuning.metric import definition
from tunix_rt.tuning.models import TrialStatus, TuningJob, TuningStatus, TuningTrial
from tunix_rt.tuning.space import Distribution


class TuningJobCreate(BaseModel):
    """A new sweep. ``base_config`` holds any other training config keys shared by all trials."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    dataset_key: str = Field(min_length=1, max_length=200)
    base_model: str = Field(min_length=1, max_length=500)
    base_config: dict[str, Any] = Field(default_factory=dict)
    # The final training loss or any judge's mean score; the examples are what the UI offers.
    metric: str = Field(
        default="loss", min_length=1, max_length=100, examples=["loss", *DEFAULT_JUDGES]
    )
    mode: Literal["min", "max"] = "min"
    num_samples: int = Field(default=4, ge=1, le=1000)
    max_concurrent_trials: int = Field(default=2, ge=1, le=64)
    search_space: dict[str, Distribution]
    scheduler: Literal["fifo", "asha"] = "fifo"
    eval_set: str | None = None
    # The Ray cluster is the server's (TUNIX_RT_RAY_ADDRESS), never the request's.
    seed: int = Field(default=0, ge=0, le=2**31 - 1)  # a 32-bit INTEGER column


class TrialPublic(BaseModel):
    """One trial: its sampled params, its run, and its metric."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    ray_trial_id: str
    params: dict[str, Any]
    run_id: uuid.UUID | None
    status: TrialStatus
    metric_value: float | None
    # Why it has no result: its run's error when the run failed (TuningTrial.failure).
    error: str | None = Field(validation_alias="failure")
    created_at: datetime
    started_at: datetime | None
    run_finished_at: datetime | None
    finished_at: datetime | None


class SweepProgress(BaseModel):
    """How far the sweep is: trials finished (scored or given up), running, queued, of total."""

    total: int
    finished: int
    running: int
    queued: int


class TrialFailure(BaseModel):
    """A failed trial and its cause, shown on the sweep."""

    trial_id: uuid.UUID
    run_id: uuid.UUID | None
    cause: str


class TuningJobPublic(BaseModel):
    """A sweep with its trials and the best one."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    dataset_key: str
    base_model: str
    base_config: dict[str, Any]
    search_space: dict[str, Any]
    metric: str
    # What the trials are ranked on, in words (tuning/metric.py).
    metric_definition: str = ""
    mode: str
    num_samples: int
    max_concurrent_trials: int
    scheduler: str
    eval_set: str | None
    ray_address: str | None
    seed: int
    status: TuningStatus
    run_id: uuid.UUID | None
    best_trial_id: uuid.UUID | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    trials: list[TrialPublic] = Field(default_factory=list)
    progress: SweepProgress | None = None
    failures: list[TrialFailure] = Field(default_factory=list)

    @classmethod
    def of(cls, job: TuningJob, trials: list[TuningTrial], *, with_trials: bool) -> TuningJobPublic:
        """The sweep with its progress and failed trials' causes (and the trials themselves)."""
        public = cls.model_validate(job)
        public.metric_definition = definition(job.metric, job.eval_set)
        rows = [TrialPublic.model_validate(t) for t in trials]
        counts = Counter(str(t.status) for t in rows)
        active = counts["running"] + counts["queued"]
        public.progress = SweepProgress(
            total=job.num_samples,
            finished=len(rows) - active,
            running=counts["running"],
            queued=counts["queued"],
        )
        public.failures = [
            TrialFailure(trial_id=t.id, run_id=t.run_id, cause=t.error)
            for t in rows
            if t.status == TrialStatus.FAILED and t.error
        ]
        if with_trials:
            public.trials = rows
        return public


class PromoteBestRequest(BaseModel):
    """Register the best trial's model in a registry family."""

    model_config = ConfigDict(extra="forbid")

    family: str
    aliases: list[str] = Field(default_factory=list)
