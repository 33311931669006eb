"""A real sweep on the local Ray: 4 trials, each a queued training run with an evaluation."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from sqlalchemy import select

from tunix_rt.datasets import evalsets
from tunix_rt.datasets import service as dataset_service
from tunix_rt.datasets.schemas import DatasetBuild, EvalItemIn
from tunix_rt.db import migrate
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.evaluation.models import Evaluation, EvaluationStatus
from tunix_rt.jobs import HANDLERS
from tunix_rt.registry import service as registry_service
from tunix_rt.registry.schemas import ModelFamilyCreate
from tunix_rt.runs import metrics
from tunix_rt.runs.models import Job, Run, RunStatus
from tunix_rt.runs.worker import Worker, WorkerConfig
from tunix_rt.settings import Settings
from tunix_rt.traces import service as trace_service
from tunix_rt.traces.generators import reasoning_mix
from tunix_rt.traces.seeds import eval_v2_items
from tunix_rt.tuning import service as tuning_service
from tunix_rt.tuning.models import TuningStatus
from tunix_rt.tuning.schemas import TuningJobCreate

SWEEP = {
    "name": "e2e",
    "dataset_key": "mix-v1",
    "base_model": "tiny-llama",
    "base_config": {"max_steps": 3, "batch_size": 4, "max_seq_length": 256, "log_every_steps": 1},
    "metric": "loss",
    "mode": "min",
    "num_samples": 4,
    "max_concurrent_trials": 2,
    "eval_set": "sweep-eval",
    "search_space": {"learning_rate": {"type": "loguniform", "min": 1e-4, "max": 3e-2}},
}


async def _prepare(settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url)
    await migrate.upgrade(engine)
    async with session_scope(create_sessionmaker(engine)) as session:
        await trace_service.create_traces(
            session=session, traces=reasoning_mix.generate(60, seed=3)
        )
        await dataset_service.build_dataset(
            session=session, build=DatasetBuild(name="mix", version="v1"), home=settings.home
        )
        items = [EvalItemIn.model_validate(item) for item in eval_v2_items()[:4]]
        await evalsets.register_eval_set(session=session, name="sweep-eval", items=items)
        await registry_service.create_family(
            session=session, family_in=ModelFamilyCreate(name="tutor")
        )
    await engine.dispose()


async def _run_until_done(settings: Settings, job_id: object, timeout_s: float) -> None:
    engine = create_engine(settings.resolved_database_url)
    factory = create_sessionmaker(engine)
    config = WorkerConfig(concurrency=3)
    worker = Worker(settings=settings, sessionmaker=factory, handlers=HANDLERS, config=config)
    loop_task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                await asyncio.sleep(2)
                async with factory() as session:
                    job = await tuning_service.get_tuning_job(session=session, job_id=job_id)  # type: ignore[arg-type]
                    if job.status in tuning_service.FINISHED:
                        return
    finally:
        worker.request_stop(hand_back=True)
        await loop_task
        await engine.dispose()


@pytest.mark.timeout(900)
async def test_sweep_of_four_trials_runs_trains_evaluates_and_promotes(home: Path) -> None:
    settings = Settings(home=home)
    await _prepare(settings)
    engine = create_engine(settings.resolved_database_url)
    factory = create_sessionmaker(engine)
    async with session_scope(factory) as session:
        job = await tuning_service.create_tuning_job(
            session=session, settings=settings, job_in=TuningJobCreate.model_validate(SWEEP)
        )
        await tuning_service.start_tuning_job(session=session, settings=settings, job_id=job.id)
    await _run_until_done(settings, job.id, timeout_s=800)

    async with session_scope(factory) as session:
        job = await tuning_service.get_tuning_job(session=session, job_id=job.id)
        trials = await tuning_service.list_trials(session=session, job_id=job.id)
        assert job.status == TuningStatus.SUCCEEDED, job.error
        assert len(trials) == 4
        for trial in trials:
            assert trial.status == "succeeded", trial.error
            assert trial.metric_value is not None
            assert math.isfinite(trial.metric_value)
            run = await session.get(Run, trial.run_id)
            assert run is not None
            assert run.status == RunStatus.SUCCEEDED
            assert run.config["learning_rate"] == pytest.approx(trial.params["learning_rate"])
            evaluation = await session.scalar(select(Evaluation).where(Evaluation.run_id == run.id))
            assert evaluation is not None
            assert evaluation.status == EvaluationStatus.SUCCEEDED
        best = min(trials, key=lambda t: t.metric_value or math.inf)
        assert job.best_trial_id == best.id
        version, created = await tuning_service.promote_best(
            session=session, job_id=job.id, family="tutor", aliases=["candidate"], home=home
        )
        assert created
        assert version.run_id == best.run_id
    await engine.dispose()


@pytest.mark.timeout(600)
async def test_cancelling_a_sweep_stops_running_trials_and_cancels_the_rest(home: Path) -> None:
    settings = Settings(home=home)
    await _prepare(settings)
    engine = create_engine(settings.resolved_database_url)
    factory = create_sessionmaker(engine)
    # Long trials, so the sweep is surely mid-flight when it is cancelled.
    slow = {**SWEEP, "base_config": {**SWEEP["base_config"], "max_steps": 5000}}
    async with session_scope(factory) as session:
        job = await tuning_service.create_tuning_job(
            session=session, settings=settings, job_in=TuningJobCreate.model_validate(slow)
        )
        await tuning_service.start_tuning_job(session=session, settings=settings, job_id=job.id)
    config = WorkerConfig(concurrency=3)
    worker = Worker(settings=settings, sessionmaker=factory, handlers=HANDLERS, config=config)
    loop_task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(400):
            while True:  # until a trial's training run is running
                await asyncio.sleep(1)
                async with factory() as session:
                    running = await session.scalar(
                        select(Job).where(Job.kind == "train", Job.status == RunStatus.RUNNING)
                    )
                if running is not None:
                    break
            async with session_scope(factory) as session:
                await tuning_service.cancel_tuning_job(
                    session=session, settings=settings, job_id=job.id
                )
            while True:
                await asyncio.sleep(1)
                async with factory() as session:
                    current = await tuning_service.get_tuning_job(session=session, job_id=job.id)
                    active = await session.scalar(
                        select(Job).where(Job.status.in_([RunStatus.RUNNING, RunStatus.QUEUED]))
                    )
                if current.status in tuning_service.FINISHED and active is None:
                    break
    finally:
        worker.request_stop(hand_back=True)
        await loop_task
    async with factory() as session:
        job = await tuning_service.get_tuning_job(session=session, job_id=job.id)
        trials = await tuning_service.list_trials(session=session, job_id=job.id)
        runs = list(await session.scalars(select(Run).where(Run.kind == "train")))
    await engine.dispose()
    assert job.status == TuningStatus.CANCELLED
    assert trials
    assert {t.status for t in trials} == {"cancelled"}
    assert runs
    assert {r.status for r in runs} == {RunStatus.CANCELLED}


@pytest.mark.timeout(600)
async def test_a_concurrency_one_sweep_runs_trials_one_at_a_time_ranked_on_final_loss(
    home: Path,
) -> None:
    settings = Settings(home=home)
    await _prepare(settings)
    engine = create_engine(settings.resolved_database_url)
    factory = create_sessionmaker(engine)
    # Logging every 50 steps, a 6-step run logs only step 1's train loss; its final loss is in
    # the end event (the old ranking read step 1's).
    base = {**SWEEP["base_config"], "max_steps": 6, "log_every_steps": 50}
    serial = {
        **SWEEP, "base_config": base, "num_samples": 2, "max_concurrent_trials": 1, "eval_set": None
    }  # fmt: skip
    async with session_scope(factory) as session:
        job = await tuning_service.create_tuning_job(
            session=session, settings=settings, job_in=TuningJobCreate.model_validate(serial)
        )
        await tuning_service.start_tuning_job(session=session, settings=settings, job_id=job.id)
    await _run_until_done(settings, job.id, timeout_s=500)
    async with session_scope(factory) as session:
        job = await tuning_service.get_tuning_job(session=session, job_id=job.id)
        trials = await tuning_service.list_trials(session=session, job_id=job.id)
        assert job.status == TuningStatus.SUCCEEDED, job.error
        spans = []
        for trial in trials:
            assert trial.run_id is not None
            events = await metrics.read_metrics(session=session, run_id=trial.run_id)
            [end] = [e for e in events if e.event == "end"]
            assert trial.metric_value == pytest.approx(end.data["loss"])
            run = await session.get(Run, trial.run_id)
            assert run is not None
            assert run.started_at is not None
            assert run.finished_at is not None
            spans.append((run.started_at, run.finished_at))
    await engine.dispose()
    assert len(spans) == 2, [t.failure for t in trials]
    first, second = sorted(spans)
    assert first[1] <= second[0], f"trials overlapped: {spans}"
    best = min(trials, key=lambda t: t.metric_value or math.inf)
    assert job.best_trial_id == best.id
