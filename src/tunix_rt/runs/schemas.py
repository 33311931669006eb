"""Run schemas for the API and CLI."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tunix_rt.runs.models import RunStatus


class RunPublic(BaseModel):
    """A run record."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str
    status: RunStatus
    mode: str
    config: dict[str, Any]
    dataset_key: str | None
    model: str | None
    backend: str | None
    job_id: uuid.UUID | None
    run_dir: str
    worker_id: str | None
    attempts: int
    exit_code: int | None
    error: str | None
    traceback: str | None
    result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None = None

    @classmethod
    def of(cls, run: Any) -> RunPublic:
        """From a ``Run`` row, with the derived duration."""
        public = cls.model_validate(run)
        if run.started_at is not None and run.finished_at is not None:
            public.duration_s = (run.finished_at - run.started_at).total_seconds()
        return public


class RunStatusPublic(BaseModel):
    """The short status of a run (polled by clients)."""

    id: uuid.UUID
    status: RunStatus
    attempts: int
    exit_code: int | None
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


class LogLine(BaseModel):
    """One captured log line."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    stream: str
    line: str
    ts: datetime


class ArtifactPublic(BaseModel):
    """One file under a run's directory."""

    name: str
    size: int
    sha256: str
    checkpoint: bool
    modified_at: datetime


class ArtifactsPublic(BaseModel):
    """Every file under a run's directory."""

    run_id: uuid.UUID
    data: list[ArtifactPublic]


class MetricPoint(BaseModel):
    """One point of a time series."""

    step: int | None
    value: float
    ts: datetime


class MetricsPublic(BaseModel):
    """Time series keyed ``event/name`` (e.g. ``train/loss``) and the raw events."""

    run_id: uuid.UUID
    series: dict[str, list[MetricPoint]]
    events: list[dict[str, Any]]
