"""Plain factory functions for rows other domains' tests need (no mocks of our own code)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tunix_rt.db.base import utcnow
from tunix_rt.evaluation.models import Evaluation
from tunix_rt.runs.models import TERMINAL, Job, Run, RunStatus
from tunix_rt.training import records
from tunix_rt.training.config import TrainConfig


async def add_run(
    session: AsyncSession,
    *,
    status: str = RunStatus.SUCCEEDED,
    kind: str = "train",
    name: str = "tiny",
    config: dict[str, Any] | None = None,
    run_dir: str = "/tmp/run",
    dataset_key: str | None = None,
    run_id: uuid.UUID | None = None,
) -> Run:
    """A run row with its job already in ``status`` (the job holds a run's status)."""
    run_id, job_id, now = run_id or uuid.uuid4(), uuid.uuid4(), utcnow()
    run = Run(
        id=run_id,
        job_id=job_id,
        name=name,
        kind=kind,
        config=config or {},
        dataset_key=dataset_key,
        run_dir=run_dir,
    )
    started = now if status != RunStatus.QUEUED else None
    job = Job(
        id=job_id,
        kind=kind,
        payload=config or {},
        run_id=run_id,
        status=status,
        attempts=0 if started is None else 1,
        started_at=started,
        finished_at=now if status in TERMINAL else None,
    )
    session.add(run)
    await session.flush()  # the run first: the job's foreign key points at it
    session.add(job)
    await session.flush()
    set_committed_value(run, "job", job)
    return run


async def make_run(
    session: AsyncSession, root: Path, *, status: str = RunStatus.SUCCEEDED, weights: bytes = b"w1"
) -> Run:
    """A run row whose directory holds a ``final/`` model, as the training recipe leaves it."""
    run_id = uuid.uuid4()
    run_dir = root / "runs" / str(run_id)
    (run_dir / "final").mkdir(parents=True)
    (run_dir / "final" / "model.safetensors").write_bytes(weights)
    (run_dir / "final" / "config.json").write_text('{"n_layer": 2}')
    records.write_manifest(run_dir, run_manifest(data_sha256="abc", code_version="t"))
    return await add_run(
        session,
        status=status,
        config={"model": "tiny-llama"},
        dataset_key="arith@1",
        run_dir=str(run_dir),
        run_id=run_id,
    )


async def make_evaluation(
    session: AsyncSession, run: Run, *, status: str = RunStatus.SUCCEEDED, **fields: Any
) -> Evaluation:
    """An evaluation of ``run`` whose ``evaluate`` run (its status) is in ``status``."""
    job_run = await add_run(session, status=status, kind="evaluate", name="evaluate")
    evaluation = Evaluation(run_id=run.id, job_run_id=job_run.id, **fields)
    session.add(evaluation)
    await session.flush()
    set_committed_value(evaluation, "job_run", job_run)
    return evaluation


def run_manifest(**changes: object) -> records.RunManifest:
    """A torch run's ``run_manifest.json`` record, with ``changes`` applied."""
    manifest = records.RunManifest(
        backend="torch",
        config=TrainConfig(model="tiny-llama", data_path="d.jsonl", max_steps=2),
        code_version=records.code_version(),
        libraries=records.library_versions("torch"),
        data_sha256="0" * 64,
        train_examples=2,
        truncated_examples=0,
        dropped_examples=0,
        eval_examples=0,
        parameters=10,
        trainable_parameters=10,
        devices=["cpu"],
        processes=1,
        resumed_from_step=0,
        started_at=records.now(),
    )
    return manifest.model_copy(update=changes)
