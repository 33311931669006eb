"""Regression schemas for the API and CLI."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class BaselineCreate(BaseModel):
    """Keep a run's latest successful evaluation on an eval set as a named baseline."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    run_id: uuid.UUID
    eval_set: str = Field(min_length=1, max_length=200)
    # Defaults to the run's dataset.
    dataset_key: str | None = None
    # The judge whose score is gated.
    metric: str = "answer_correctness"


class BaselinePublic(BaseModel):
    """A stored baseline."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    run_id: uuid.UUID
    evaluation_id: uuid.UUID
    eval_set: str
    dataset_key: str | None
    metric: str
    score: float
    created_at: datetime


class CheckRequest(BaseModel):
    """Gate a run against a baseline."""

    model_config = ConfigDict(extra="forbid")

    baseline: str = Field(min_length=1, max_length=200)
    run_id: uuid.UUID
    # The largest drop (in score units, e.g. 0.02 = two points of accuracy) that still passes.
    tolerance: float = Field(default=0.02, ge=0, le=1)
    # Significance level of the paired test.
    alpha: float = Field(default=0.05, gt=0, lt=1)


class CheckResult(BaseModel):
    """``fail`` only when the drop is both larger than the tolerance and significant."""

    verdict: str
    reason: str
    baseline: str
    metric: str
    eval_set: str
    baseline_run_id: uuid.UUID
    baseline_evaluation_id: uuid.UUID
    candidate_run_id: uuid.UUID
    candidate_evaluation_id: uuid.UUID
    baseline_score: float | None
    candidate_score: float | None
    drop: float | None
    tolerance: float
    exceeds_tolerance: bool
    test: str
    p_value: float
    alpha: float
    significant: bool
    n_paired: int
    dataset_key_matches: bool
