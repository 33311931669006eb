"""Sweep services: create (validated), start (enqueue), cancel, trials, best-trial promotion."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tunix_rt.datasets import evalsets
from tunix_rt.datasets import service as dataset_service
from tunix_rt.db.base import utcnow
from tunix_rt.errors import InvalidInput, InvalidState, NotFound, Problem, Unavailable
from tunix_rt.registry import service as registry_service
from tunix_rt.registry.models import ModelVersion
from tunix_rt.registry.schemas import PromoteRequest
from tunix_rt.runs import metrics
from tunix_rt.runs import service as run_service
from tunix_rt.runs.models import TERMINAL, Run, RunStatus
from tunix_rt.settings import Settings
from tunix_rt.training import exposure
from tunix_rt.training.config import config_problems
from tunix_rt.tuning.metric import INTERIM_METRIC, TRAINING_METRICS
from tunix_rt.tuning.models import TuningJob, TuningStatus, TuningTrial, is_finite
from tunix_rt.tuning.schemas import TuningJobCreate
from tunix_rt.tuning.space import space_problems

FINISHED = frozenset({TuningStatus.SUCCEEDED, TuningStatus.FAILED, TuningStatus.CANCELLED})
# A trial is queued until its training run starts, then running until it is scored
# (``TuningTrial.status``).
TRIAL_ACTIVE = ("queued", "running")


def require_ray() -> None:
    """Ray is an extra: say how to install it when it is missing (HTTP 501)."""
    if importlib.util.find_spec("ray") is None:
        raise Unavailable("Ray Tune is not installed; install it with: pip install -e '.[tune]'")


def trial_config(job: TuningJob, params: dict[str, Any]) -> dict[str, Any]:
    """The full training config of one trial: base config, then the sampled params.

    The trial requests its evaluation itself (judged by the sweep's metric), so the training
    config carries no ``eval_set`` that would start a second, automatic one.
    """
    return {**job.base_config, **params, "model": job.base_model, "dataset": job.dataset_key}


def _exposure_problems(
    job_in: TuningJobCreate, base: dict[str, Any], settings: Settings
) -> list[Problem]:
    """The same path confinement and caps as a run, on the base config and every corner."""
    problems = exposure.cap_problems(base, settings, "base_config")
    for found in exposure.path_problems(base, settings, "base_config"):
        loc = "base_model" if found.loc == "base_config.model" else found.loc
        problems.append(Problem(loc, found.msg))
    for key, dist in job_in.search_space.items():
        for value in dist.corners():
            capped = exposure.cap_problems({key: value}, settings, "search_space")
            problems.extend(capped[:1])
            if capped:
                break
    if job_in.num_samples > settings.max_sweep_samples:
        cap = settings.max_sweep_samples
        problems.append(
            Problem("num_samples", f"must be <= {cap} on this server (TUNIX_RT_MAX_SWEEP_SAMPLES)")
        )
    return problems


def _create_problems(job_in: TuningJobCreate, settings: Settings) -> list[Problem]:
    base = {**job_in.base_config, "model": job_in.base_model, "dataset": job_in.dataset_key}
    problems = [
        Problem(f"base_config.{p.loc}" if p.loc else "base_config", p.msg)
        for p in config_problems(base)
    ]
    problems.extend(_exposure_problems(job_in, base, settings))
    problems.extend(space_problems(base, job_in.search_space))
    if job_in.metric not in TRAINING_METRICS and not job_in.eval_set:
        problems.append(
            Problem("metric", f"{job_in.metric!r} is an evaluation metric: set eval_set")
        )
    if job_in.scheduler == "asha" and job_in.metric != INTERIM_METRIC:
        problems.append(
            Problem(
                "scheduler", "asha prunes on results reported during training: use metric 'loss'"
            )
        )
    if job_in.max_concurrent_trials > job_in.num_samples:
        problems.append(Problem("max_concurrent_trials", "must be <= num_samples"))
    return problems


async def _reference_problems(session: AsyncSession, job_in: TuningJobCreate) -> list[Problem]:
    """The dataset and eval set must exist now, not fail every trial later."""
    problems: list[Problem] = []
    try:
        await dataset_service.get_dataset(session=session, key=job_in.dataset_key)
    except NotFound:
        problems.append(Problem("dataset_key", f"dataset {job_in.dataset_key!r} not found"))
    if job_in.eval_set:
        try:
            await evalsets.get_eval_set(session=session, name=job_in.eval_set)
        except NotFound:
            problems.append(Problem("eval_set", f"eval set {job_in.eval_set!r} not found"))
    return problems


def worker_slot_problems(max_concurrent_trials: int, embedded_workers: int) -> list[Problem]:
    """The sweep's run holds one worker slot and each concurrent trial's run another, so with
    only in-process workers fewer than ``max_concurrent_trials + 1`` slots queue trials forever.
    ``embedded_workers == 0`` means external workers only, whose capacity is not known here."""
    needed = max_concurrent_trials + 1
    if embedded_workers == 0 or embedded_workers >= needed:
        return []
    lower = (
        f" set max_concurrent_trials to at most {embedded_workers - 1},"
        if embedded_workers > 1
        else ""
    )
    msg = (
        f"{max_concurrent_trials} concurrent trials need {needed} worker slots (the sweep holds "
        f"one) but this server runs {embedded_workers} in-process: start it with --workers "
        f"{needed} (TUNIX_RT_WORKERS={needed}),{lower} or use external workers "
        f"(tunix-rt serve --no-worker; tunix-rt worker --concurrency {needed})"
    )
    return [Problem("max_concurrent_trials", msg)]


async def create_tuning_job(
    *,
    session: AsyncSession,
    settings: Settings,
    job_in: TuningJobCreate,
    embedded_workers: int = 0,
) -> TuningJob:
    """Validate every key of the space against the training config, then store the sweep.

    ``embedded_workers``: the in-process worker slots of the server creating the sweep (0 when
    jobs run on external workers, or the caller is not the server, e.g. the CLI).
    """
    require_ray()
    problems = _create_problems(job_in, settings)
    problems.extend(await _reference_problems(session, job_in))
    problems.extend(worker_slot_problems(job_in.max_concurrent_trials, embedded_workers))
    if problems:
        raise InvalidInput("invalid sweep", problems=problems)
    doc = job_in.model_dump(mode="json")
    job = TuningJob(**{k: v for k, v in doc.items() if k != "search_space"})
    job.search_space = doc["search_space"]
    job.ray_address = settings.ray_address or None
    session.add(job)
    await session.flush()
    set_committed_value(job, "run", None)
    return job


async def get_tuning_job(*, session: AsyncSession, job_id: uuid.UUID) -> TuningJob:
    """A sweep by id."""
    job = await session.get(TuningJob, job_id, populate_existing=True)
    if job is None:
        raise NotFound(f"tuning job {job_id} not found")
    return job


async def list_tuning_jobs(*, session: AsyncSession, limit: int, offset: int) -> list[TuningJob]:
    """Newest first (``limit + 1`` rows)."""
    stmt = select(TuningJob).order_by(TuningJob.created_at.desc(), TuningJob.id.desc())
    stmt = stmt.execution_options(populate_existing=True)  # fresh statuses (their runs')
    return list(await session.scalars(stmt.limit(limit + 1).offset(offset)))


async def count_tuning_jobs(*, session: AsyncSession) -> int:
    """How many sweeps there are (the list's total)."""
    return int(await session.scalar(select(func.count()).select_from(TuningJob)) or 0)


async def list_trials(*, session: AsyncSession, job_id: uuid.UUID) -> list[TuningTrial]:
    """A sweep's trials in start order."""
    stmt = select(TuningTrial).where(TuningTrial.tuning_job_id == job_id)
    stmt = stmt.execution_options(populate_existing=True)  # fresh statuses (their runs')
    return list(await session.scalars(stmt.order_by(TuningTrial.created_at, TuningTrial.id)))


async def start_tuning_job(
    *, session: AsyncSession, settings: Settings, job_id: uuid.UUID, embedded_workers: int = 0
) -> TuningJob:
    """Enqueue the sweep as a ``sweep`` run, so it survives restarts and shows in the runs list.

    ``embedded_workers`` as for ``create_tuning_job`` (a sweep created by the CLI with
    ``--no-start`` is checked against the server's slots when the server starts it).
    """
    require_ray()
    job = await get_tuning_job(session=session, job_id=job_id)
    if job.status != TuningStatus.CREATED:
        raise InvalidState(f"tuning job {job_id} is {job.status}; only a created sweep can start")
    problems = worker_slot_problems(job.max_concurrent_trials, embedded_workers)
    if problems:
        raise InvalidInput("the sweep cannot run on this server's workers", problems=problems)
    await _give_run(session, settings, job)
    return job


async def _give_run(session: AsyncSession, settings: Settings, job: TuningJob) -> Run:
    """The sweep's ``sweep`` run (queued), which holds its status from now on."""
    run = await run_service.create_run(
        session=session,
        settings=settings,
        kind="sweep",
        name=f"sweep-{job.name}",
        config={"tuning_job_id": str(job.id)},
        dataset_key=job.dataset_key,
        model=job.base_model,
        max_attempts=1,
    )
    job.run_id = run.id
    await session.flush()
    set_committed_value(job, "run", run)
    return run


async def cancel_tuning_job(
    *, session: AsyncSession, settings: Settings, job_id: uuid.UUID
) -> TuningJob:
    """Stop the sweep: its run is cancelled, and the handler cancels the trials' runs. A sweep
    never started gets its run, cancelled at once (so its one status says cancelled)."""
    job = await get_tuning_job(session=session, job_id=job_id)
    if job.status in FINISHED:
        raise InvalidState(f"tuning job {job_id} is already {job.status}")
    run = job.run or await _give_run(session, settings, job)
    await run_service.cancel_run(session=session, run_id=run.id)
    return job


async def cancel_trial_runs(
    *, session: AsyncSession, job_id: uuid.UUID, label: str = "cancelled"
) -> int:
    """Cancel every trial run still active and label those trials (``cancelled``, or
    ``stopped`` for trials the scheduler ended early). Returns how many runs were cancelled."""
    count = 0
    for trial in await list_trials(session=session, job_id=job_id):
        if trial.status not in TRIAL_ACTIVE:
            continue
        trial.finished_at, trial.stopped = utcnow(), label == "stopped"
        if trial.run is not None and trial.run.status == RunStatus.SUCCEEDED:
            trial.error = f"{label} before it was scored"  # its status reads failed
        if trial.run is not None and trial.run.status not in TERMINAL:
            await run_service.cancel_run(session=session, run_id=trial.run.id)
            count += 1
    await session.flush()
    return count


async def last_training_loss(
    *, session: AsyncSession, run_id: uuid.UUID
) -> tuple[int, float] | None:
    """(step, loss) of the run's latest ``train`` event, if any."""
    data = await metrics.latest_event(session=session, run_id=run_id, event="train")
    if data is None or not isinstance(data.get("loss"), int | float):
        return None
    return int(data.get("step", 0)), float(data["loss"])


def pick_best(trials: list[TuningTrial], mode: str) -> TuningTrial | None:
    """The scored trial with the best finite metric (ties: the earliest). Only a trial whose
    run succeeded is scored, and a stopped one never is."""
    done = [t for t in trials if not t.stopped and is_finite(t.metric_value)]
    if not done:
        return None
    sign = 1.0 if mode == "min" else -1.0
    return min(done, key=lambda t: sign * float(t.metric_value or 0.0))


async def promote_best(
    *, session: AsyncSession, job_id: uuid.UUID, family: str, aliases: list[str], home: Path
) -> tuple[ModelVersion, bool]:
    """Register the best trial's final model in ``family``."""
    job = await get_tuning_job(session=session, job_id=job_id)
    if job.best_trial_id is None:
        raise InvalidState(f"tuning job {job_id} has no best trial yet")
    trial = await session.get(TuningTrial, job.best_trial_id)
    if trial is None or trial.run_id is None:
        raise InvalidState("the best trial has no run")
    fam = await registry_service.get_family(session=session, ref=family)
    request = PromoteRequest(run_id=trial.run_id, aliases=aliases)
    return await registry_service.promote_run(
        session=session, family=fam, request=request, home=home
    )
