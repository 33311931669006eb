"""One Ray Tune trial: enqueue a real training run, follow it, report its metric.

Runs inside a Ray worker process, so it opens its own database engine from the URL the
driver passes in. Intermediate training losses are reported as they arrive (so ASHA can stop
a trial early); the final report carries the sweep's metric.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.evaluation import service as evaluation_service
from tunix_rt.evaluation.judges import DEFAULT_JUDGES
from tunix_rt.evaluation.models import EvaluationStatus
from tunix_rt.evaluation.schemas import EvaluateRequest
from tunix_rt.evaluation.scorecard import Scorecard
from tunix_rt.runs import service as run_service
from tunix_rt.runs.models import TERMINAL, RunStatus
from tunix_rt.settings import Settings
from tunix_rt.training.config import load_config
from tunix_rt.tuning import metric as sweep_metric
from tunix_rt.tuning import service
from tunix_rt.tuning.models import TuningJob, TuningStatus, TuningTrial

Factory = async_sessionmaker[AsyncSession]
# Ray Tune's ``tune.report``: one result dict per call.
Report = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class TrialInfo:
    """What every trial needs from the driver (picklable for Ray). No secret travels here: a
    trial reads the database URL from its own environment (a local Ray's workers inherit the
    driver's; a cluster's nodes are configured with ``TUNIX_RT_DATABASE_URL``)."""

    home: str
    tuning_job_id: str
    poll_s: float = 1.0


def run_trial(config: dict[str, Any], *, info: TrialInfo) -> None:
    """The Ray Tune function trainable."""
    from ray import tune

    trial_id = tune.get_context().get_trial_id() or uuid.uuid4().hex
    asyncio.run(_trial(config, info, trial_id, tune.report))


async def _start(
    session: AsyncSession,
    settings: Settings,
    job: TuningJob,
    trial_id: str,
    params: dict[str, Any],
) -> TuningTrial:
    doc = service.trial_config(job, params)
    cfg = load_config(doc)  # the space was validated at creation; a sample must be valid too
    run = await run_service.create_run(
        session=session,
        settings=settings,
        kind="train",
        name=f"{job.name}-{trial_id}",
        config=cfg.model_dump(mode="json", exclude_none=True),
        dataset_key=cfg.dataset,
        model=cfg.model,
        backend=cfg.backend,
    )
    trial = TuningTrial(tuning_job_id=job.id, ray_trial_id=trial_id, params=params, run_id=run.id)
    session.add(trial)
    await session.flush()
    set_committed_value(trial, "run", run)  # its status is its run's
    return trial


async def _trial(params: dict[str, Any], info: TrialInfo, trial_id: str, report: Report) -> None:
    settings = Settings(home=info.home)
    engine = create_engine(settings.resolved_database_url)
    factory = create_sessionmaker(engine)
    job_id = uuid.UUID(info.tuning_job_id)
    try:
        async with session_scope(factory) as session:
            job = await service.get_tuning_job(session=session, job_id=job_id)
            trial = await _start(session, settings, job, trial_id, params)
            metric = job.metric
            session.expunge(job)
        # Intermediate results carry the training loss; only report them when that is the
        # sweep's metric (Ray checks every result for the metric it optimises).
        interim = report if metric == sweep_metric.INTERIM_METRIC else None
        run_status = await _follow(factory, trial, job_id, info.poll_s, interim)
        value = None
        if run_status == RunStatus.SUCCEEDED:
            value = await _metric(factory, settings, job, trial, info.poll_s)
        async with session_scope(factory) as session:
            await _finish(session, trial.id, run_status, value)
        if value is None or not math.isfinite(value):
            raise RuntimeError(f"trial run ended {run_status} without a finite {metric}")
        report({metric: value, "run_id": str(trial.run_id)})
    finally:
        await engine.dispose()


async def _follow(
    factory: Factory, trial: TuningTrial, job_id: uuid.UUID, poll_s: float, report: Report | None
) -> str:
    """Wait for the trial's run to end, reporting new losses; cancel it if the sweep is."""
    assert trial.run_id is not None
    last_step = -1
    while True:
        await asyncio.sleep(poll_s)
        async with session_scope(factory) as session:
            run = await run_service.get_run(session=session, run_id=trial.run_id)
            job = await service.get_tuning_job(session=session, job_id=job_id)
            if job.status == TuningStatus.CANCEL_REQUESTED and run.status not in TERMINAL:
                await run_service.cancel_run(session=session, run_id=run.id)
            latest = await service.last_training_loss(session=session, run_id=run.id)
            status = run.status
        if report and latest and latest[0] > last_step and status not in TERMINAL:
            last_step = latest[0]
            report({"loss": latest[1], "step": latest[0]})
        if status in TERMINAL:
            return status


async def _metric(
    factory: Factory, settings: Settings, job: TuningJob, trial: TuningTrial, poll_s: float
) -> float | None:
    """The trial's value of the sweep metric, read from the finished trial (tuning/metric.py).

    When the sweep names an eval set, every trial is evaluated on it (so each trial has an
    evaluation to inspect and compare), whichever metric the sweep optimises.
    """
    assert trial.run_id is not None
    scorecard: Scorecard | None = None
    if job.eval_set:
        scorecard = await _evaluate(factory, settings, job, trial.run_id, poll_s)
    if job.metric in sweep_metric.TRAINING_METRICS:
        async with session_scope(factory) as session:
            return await sweep_metric.training_metric(
                session=session, run_id=trial.run_id, metric=job.metric
            )
    if scorecard is None:
        return None
    return scorecard.mean_of(job.metric)


async def _evaluate(
    factory: Factory, settings: Settings, job: TuningJob, run_id: uuid.UUID, poll_s: float
) -> Scorecard | None:
    """Request an evaluation of the trial run and wait for its scorecard (None if it failed)."""
    judges = list(DEFAULT_JUDGES)
    if job.metric not in sweep_metric.TRAINING_METRICS and job.metric not in judges:
        judges.append(job.metric)
    request = EvaluateRequest(eval_set=job.eval_set or "", judges=judges, seed=job.seed)
    async with session_scope(factory) as session:
        evaluation = await evaluation_service.request_evaluation(
            session=session, settings=settings, run_id=run_id, request=request
        )
    while True:
        await asyncio.sleep(poll_s)
        async with session_scope(factory) as session:
            current = await evaluation_service.get_evaluation(
                session=session, evaluation_id=evaluation.id
            )
            if current.status == EvaluationStatus.SUCCEEDED:
                card = current.scorecard
                return None if card is None else Scorecard.model_validate(card)
            if current.status == EvaluationStatus.FAILED:
                return None
            sweep = await service.get_tuning_job(session=session, job_id=job.id)
            if sweep.status == TuningStatus.CANCEL_REQUESTED and current.job_run_id is not None:
                await run_service.cancel_run(session=session, run_id=current.job_run_id)
                return None


async def _finish(
    session: AsyncSession, trial_id: uuid.UUID, run_status: str, value: float | None
) -> None:
    trial = await session.get_one(TuningTrial, trial_id)
    # Scored: its status is now its run's, or failed for a succeeded run with no finite metric.
    ok = run_status == RunStatus.SUCCEEDED and value is not None and math.isfinite(value)
    trial.metric_value = value
    trial.finished_at = utcnow()
    if not ok:
        trial.error = f"run {run_status}" if value is None else "metric is not finite"
    await session.flush()
