"""Evaluation tables: evaluations of runs, their per-judge scores, and per-item results."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, Select, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tunix_rt.db.base import Base, JsonDoc, UuidPk, utcnow
from tunix_rt.runs.models import Job, JobStatus, Run


class EvaluationStatus(StrEnum):
    """Where an evaluation is in its life: its ``evaluate`` run's status, mapped (below)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# A cancellation being honoured is still running; a cancelled evaluation did not finish.
_FROM_RUN = {
    JobStatus.QUEUED: EvaluationStatus.QUEUED,
    JobStatus.RUNNING: EvaluationStatus.RUNNING,
    JobStatus.CANCEL_REQUESTED: EvaluationStatus.RUNNING,
    JobStatus.SUCCEEDED: EvaluationStatus.SUCCEEDED,
    JobStatus.FAILED: EvaluationStatus.FAILED,
    JobStatus.CANCELLED: EvaluationStatus.FAILED,
}
CANCELLED_REASON = "evaluation cancelled"


class Evaluation(UuidPk, Base):
    """One evaluation of a run on an eval set by a list of judges."""

    __tablename__ = "evaluations"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    # The ``evaluate`` run that executes this evaluation (its logs and status), if queued.
    job_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    eval_set: Mapped[str] = mapped_column(String(200), index=True)
    judges: Mapped[list[str]] = mapped_column(JsonDoc)
    primary_judge: Mapped[str] = mapped_column(String(64))
    # Denormalised from the run so the leaderboard filters on indexed columns.
    dataset_key: Mapped[str | None] = mapped_column(String(200), index=True)
    model: Mapped[str | None] = mapped_column(String(500), index=True)
    primary_score: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    n_items: Mapped[int | None] = mapped_column(Integer)
    scorecard: Mapped[dict[str, Any] | None]
    # Bootstrap seed: the scorecard is reproducible from the stored results.
    seed: Mapped[int] = mapped_column(Integer, default=0)
    predictions_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Its status lives on the evaluate run's job, loaded with the evaluation.
    job_run: Mapped[Run | None] = relationship(
        Run, foreign_keys=[job_run_id], viewonly=True, lazy="joined"
    )

    __table_args__ = (
        Index("ix_evaluations_run_id_created_at", "run_id", "created_at"),
        Index("ix_evaluations_created_at_id", "created_at", "id"),
    )

    @property
    def status(self) -> EvaluationStatus:
        """The evaluate run's status as an evaluation's (queued until it has a run)."""
        if self.job_run is None:
            return EvaluationStatus.QUEUED
        return _FROM_RUN[JobStatus(self.job_run.status)]

    @property
    def error(self) -> str | None:
        """Why the evaluation did not finish: its run's error."""
        run = self.job_run
        if run is None:
            return None
        if run.status == JobStatus.CANCELLED:
            return run.error or CANCELLED_REASON
        return run.error

    @property
    def started_at(self) -> datetime | None:
        """When its run first started."""
        return None if self.job_run is None else self.job_run.started_at

    @property
    def finished_at(self) -> datetime | None:
        """When its run ended."""
        return None if self.job_run is None else self.job_run.finished_at


def where_status(stmt: Select[Any], status: EvaluationStatus) -> Select[Any]:
    """``stmt`` (over evaluations) narrowed to those whose evaluate run maps to ``status``."""
    runs = [str(r) for r, e in _FROM_RUN.items() if e == status]
    return stmt.join(Job, Job.run_id == Evaluation.job_run_id).where(Job.status.in_(runs))


class EvaluationScore(Base):
    """One judge's summary score in an evaluation (so the leaderboard sorts by any judge)."""

    __tablename__ = "evaluation_scores"

    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    judge: Mapped[str] = mapped_column(String(64), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    scored: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_evaluation_scores_judge_score", "judge", "score"),)


class EvaluationResult(Base):
    """One item of an evaluation: what was expected, predicted, extracted, and each verdict."""

    __tablename__ = "evaluation_results"

    evaluation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(200))
    difficulty: Mapped[str | None] = mapped_column(String(64))
    prompt: Mapped[str] = mapped_column(Text)
    expected: Mapped[str] = mapped_column(Text)
    prediction: Mapped[str] = mapped_column(Text)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    # Tokens the generation produced for this item (None: stored before migration 0011, or a
    # predictions file that does not say).
    tokens: Mapped[int | None] = mapped_column(Integer)
    # The primary judge's verdict, as columns for filtering and paired comparisons.
    extracted: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    # Every judge's verdict: {judge: {score, label, extracted, reason, details}}.
    verdicts: Mapped[dict[str, Any]] = mapped_column(JsonDoc)

    __table_args__ = (
        Index("ix_evaluation_results_evaluation_id_position", "evaluation_id", "position"),
    )
