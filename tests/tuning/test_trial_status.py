"""A trial is ``queued`` until its training run starts, then ``running`` (without Ray: the trial
function's own steps, over committed rows and the real queue)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tunix_rt.db.session import create_sessionmaker, session_scope
from tunix_rt.runs import queue
from tunix_rt.runs.models import Run, RunStatus
from tunix_rt.settings import Settings
from tunix_rt.tuning import trial as tuning_trial
from tunix_rt.tuning.models import TuningJob, TuningTrial


@pytest.fixture
async def factory(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on committed data; the sweeps and runs made here are deleted afterwards."""
    maker = create_sessionmaker(engine)
    yield maker
    async with session_scope(maker) as session:
        jobs = select(TuningJob.id).where(TuningJob.name.startswith("status-"))
        runs = select(TuningTrial.run_id).where(TuningTrial.tuning_job_id.in_(jobs))
        await session.execute(delete(Run).where(Run.id.in_(runs)))  # their jobs cascade
        await session.execute(delete(TuningJob).where(TuningJob.id.in_(jobs)))  # and trials


async def _status(factory: async_sessionmaker[AsyncSession], trial_id: uuid.UUID) -> str:
    async with factory() as session:
        row = await session.get(TuningTrial, trial_id)
        assert row is not None
        return row.status


async def _wait_status(
    factory: async_sessionmaker[AsyncSession], trial_id: uuid.UUID, status: str
) -> None:
    async with asyncio.timeout(10):
        while True:
            if await _status(factory, trial_id) == status:
                return
            await asyncio.sleep(0.02)


async def test_trial_is_queued_until_its_run_starts_then_running(
    settings: Settings, factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(factory) as session:
        job = TuningJob(
            name=f"status-{uuid.uuid4().hex[:8]}",
            dataset_key="arith@1",
            base_model="tiny-llama",
            base_config={"max_steps": 4, "batch_size": 4},
            search_space={"learning_rate": {"type": "loguniform", "min": 1e-4, "max": 1e-2}},
            metric="loss",
            mode="min",
            num_samples=1,
            max_concurrent_trials=1,
        )
        session.add(job)
        await session.flush()
        trial = await tuning_trial._start(
            session, settings, job, "status-t0", {"learning_rate": 1e-3}
        )
    assert trial.status == "queued"
    follow = asyncio.create_task(tuning_trial._follow(factory, trial, job.id, 0.02, None))
    try:
        await asyncio.sleep(0.3)  # several polls while the run waits for a worker
        assert await _status(factory, trial.id) == "queued"
        async with session_scope(factory) as session:
            claimed = await queue.claim_next_job(
                session=session, worker_id="test-worker", lease_s=60, kinds=["train"]
            )
        assert claimed is not None
        assert claimed.run_id == trial.run_id
        await _wait_status(factory, trial.id, "running")
        async with session_scope(factory) as session:
            await queue.finish_job(
                session=session, job=claimed, worker_id="test-worker", status=RunStatus.SUCCEEDED
            )
        assert await asyncio.wait_for(follow, 10) == RunStatus.SUCCEEDED
        # Still running while the trial is scored; _finish then settles it.
        assert await _status(factory, trial.id) == "running"
    finally:
        follow.cancel()
        await asyncio.gather(follow, return_exceptions=True)
