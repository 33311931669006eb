"""The ``sweep`` job kind: run the Ray Tune driver as a subprocess, then settle the trials."""

from __future__ import annotations

import sys
import uuid
from typing import Any

from tunix_rt.db.session import session_scope
from tunix_rt.runs.handlers import JobContext, JobFailed
from tunix_rt.tuning import service
from tunix_rt.tuning.models import TuningStatus


async def _settle(ctx: JobContext, job_id: uuid.UUID, exit_code: int) -> dict[str, Any]:
    """Cancel what is left running and pick the best trial; the sweep's status is its run's,
    which this outcome sets (a failure's reason is the run's error)."""
    async with session_scope(ctx.sessionmaker) as session:
        job = await service.get_tuning_job(session=session, job_id=job_id)
        cancelled = ctx.cancelled.is_set() or job.status == TuningStatus.CANCEL_REQUESTED
        label = "cancelled" if cancelled else "stopped"
        await service.cancel_trial_runs(session=session, job_id=job_id, label=label)
        trials = await service.list_trials(session=session, job_id=job_id)
        best = service.pick_best(trials, job.mode)
        job.best_trial_id = best.id if best else None
        error = None
        if cancelled:
            status = TuningStatus.CANCELLED
        elif best is None:
            status = TuningStatus.FAILED
            error = f"no trial produced a finite {job.metric} (driver exit code {exit_code})"
            causes = [t.failure for t in trials if t.failure]
            if causes:  # every cause is on the sweep's ``failures``; the first one says enough
                error += f"; {len(causes)} trial(s) failed, the first: {causes[0]}"
        else:
            status = TuningStatus.SUCCEEDED
        return {
            "status": status,
            "best_trial_id": str(best.id) if best else None,
            "best_metric": best.metric_value if best else None,
            "error": error,
        }


async def sweep_job(ctx: JobContext) -> dict[str, Any]:
    """Drive a sweep; each trial is a ``train`` run on the same queue."""
    job_id = uuid.UUID(str(ctx.payload["tuning_job_id"]))
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "TUNIX_RT_DATABASE_URL": ctx.settings.resolved_database_url,
        "TUNIX_RT_HOME": str(ctx.settings.home.resolve()),
    }
    argv = [sys.executable, "-m", "tunix_rt.tuning", "--job", str(job_id)]
    code = await ctx.run_subprocess([*argv, "--storage", str(ctx.run_dir / "ray")], env=env)
    result = await _settle(ctx, job_id, code)
    if result["status"] == TuningStatus.FAILED:
        raise JobFailed(str(result["error"]), exit_code=code)
    return result
