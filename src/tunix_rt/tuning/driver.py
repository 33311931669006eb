"""The sweep driver process: Ray Tune over trials that each run as a queued training run.

Started by the ``sweep`` job handler as ``python -m tunix_rt.tuning --job ID`` with the
database URL and home in the environment, so Ray lives in its own process group: cancelling
the sweep stops Ray and its workers with one signal.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import uuid
from pathlib import Path

from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.settings import get_settings
from tunix_rt.tuning import service
from tunix_rt.tuning.models import TuningJob
from tunix_rt.tuning.space import Distribution, to_ray
from tunix_rt.tuning.trial import TrialInfo, run_trial

log = logging.getLogger("tunix_rt.tuning")
# A trial only follows its run (training happens in queue workers), so it needs little CPU.
TRIAL_CPUS = 0.25


async def _load(job_id: uuid.UUID) -> TuningJob:
    settings = get_settings()
    engine = create_engine(settings.resolved_database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            return await service.get_tuning_job(session=session, job_id=job_id)
    finally:
        await engine.dispose()


def fit(job: TuningJob, storage: Path) -> None:
    """Run the sweep to completion on the local Ray or the cluster at ``job.ray_address``."""
    import ray
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler, FIFOScheduler
    from ray.tune.search.basic_variant import BasicVariantGenerator

    settings = get_settings()
    info = TrialInfo(home=str(settings.home.resolve()), tuning_job_id=str(job.id))
    space = {k: Distribution.model_validate(v) for k, v in job.search_space.items()}
    scheduler = (
        ASHAScheduler(time_attr="step", grace_period=1, reduction_factor=2)
        if job.scheduler == "asha"
        else FIFOScheduler()  # type: ignore[no-untyped-call]
    )
    ray.init(
        address=job.ray_address or None,
        include_dashboard=False,
        configure_logging=False,
        log_to_driver=True,
        ignore_reinit_error=True,
    )
    try:
        tuner = tune.Tuner(
            tune.with_resources(tune.with_parameters(run_trial, info=info), {"cpu": TRIAL_CPUS}),
            param_space=to_ray(space),
            tune_config=tune.TuneConfig(
                metric=job.metric,
                mode=job.mode,
                num_samples=job.num_samples,
                scheduler=scheduler,
                # The limit goes on the generator: Tune ignores ``max_concurrent_trials`` (with
                # a warning) when ``search_alg`` is a generator like this one.
                search_alg=BasicVariantGenerator(
                    random_state=job.seed, max_concurrent=job.max_concurrent_trials
                ),
            ),
            run_config=tune.RunConfig(
                name=f"sweep-{job.id.hex[:8]}", storage_path=str(storage.resolve()), verbose=1
            ),
        )
        results = tuner.fit()
        log.info("sweep finished: %d trials, %d errors", len(results), results.num_errors)
    finally:
        ray.shutdown()


def main(argv: list[str] | None = None) -> None:
    """``python -m tunix_rt.tuning --job ID [--storage DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m tunix_rt.tuning", description=__doc__)
    parser.add_argument("--job", required=True, help="tuning job id")
    parser.add_argument("--storage", default="ray", help="Ray Tune results directory")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    job = asyncio.run(_load(uuid.UUID(args.job)))
    fit(job, Path(args.storage))
