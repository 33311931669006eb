"""Evaluation schemas for the API and CLI."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tunix_rt.evaluation.judges import DEFAULT_JUDGES
from tunix_rt.evaluation.models import EvaluationStatus
from tunix_rt.evaluation.scorecard import Scorecard


class EvaluateRequest(BaseModel):
    """Evaluate a run on an eval set with some judges."""

    model_config = ConfigDict(extra="forbid")

    eval_set: str = Field(min_length=1, max_length=200)
    judges: list[str] = Field(default_factory=lambda: list(DEFAULT_JUDGES), min_length=1)
    # The judge whose score is the evaluation's headline score (default: the first judge).
    primary_judge: str | None = None
    # Seed of the bootstrap resampling (the scorecard is reproducible).
    seed: int = Field(default=0, ge=0, le=2**31 - 1)  # a 32-bit INTEGER column
    # Generate predictions again even when the run already has a predictions file.
    regenerate: bool = False
    max_new_tokens: int | None = Field(default=None, ge=1, le=32_768)


class EvaluationProgress(BaseModel):
    """A running evaluation's progress: items generated and judged of ``total``, and the ETA
    of the current phase (``generating``, then ``judging``)."""

    phase: str
    total: int
    generated: int
    judged: int
    eta_s: float | None


class EvaluationPublic(BaseModel):
    """An evaluation and its scorecard."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    run_id: uuid.UUID
    job_run_id: uuid.UUID | None
    eval_set: str
    judges: list[str]
    primary_judge: str
    status: EvaluationStatus
    dataset_key: str | None
    model: str | None
    primary_score: float | None
    ci_low: float | None
    ci_high: float | None
    n_items: int | None
    scorecard: Scorecard | None
    seed: int
    predictions_path: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    # While it runs (evaluation/live.py); None before it starts and once it has finished.
    progress: EvaluationProgress | None = None


class ResultPublic(BaseModel):
    """One item's result: expected, predicted, extracted answer and every judge's verdict."""

    model_config = ConfigDict(from_attributes=True)

    item_id: str
    position: int
    section: str | None
    category: str | None
    difficulty: str | None
    prompt: str
    expected: str
    prediction: str
    truncated: bool
    extracted: str | None
    label: str
    score: float | None
    verdicts: dict[str, Any]


class JudgeScore(BaseModel):
    """One judge's score with its 95% confidence interval."""

    score: float | None
    ci95: list[float] | None
    scored: int


class LeaderboardRow(BaseModel):
    """One evaluation on the leaderboard; ``score`` is the sorted-by judge's score."""

    evaluation_id: uuid.UUID
    run_id: uuid.UUID
    run_name: str
    dataset_key: str | None
    model: str | None
    eval_set: str
    primary_judge: str
    judge: str
    score: float | None
    ci95: list[float] | None
    n_items: int | None
    scores: dict[str, JudgeScore]
    config: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None
    # With ``?budget=B``: the primary judge's accuracy when at most B tokens may be generated.
    budget: int | None = None
    budget_accuracy: float | None = None
