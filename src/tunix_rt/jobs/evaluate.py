"""The ``evaluate`` job kind: execute one evaluation (generation when needed, then judging)."""

from __future__ import annotations

import uuid
from typing import Any

from tunix_rt.evaluation.execute import EvaluationFailed, execute_evaluation
from tunix_rt.runs.handlers import JobContext, JobFailed
from tunix_rt.training import progress


async def evaluate_job(ctx: JobContext) -> dict[str, Any]:
    """Execute the evaluation named in the payload; its failure reason goes on the run."""
    try:
        evaluation_id = uuid.UUID(str(ctx.payload["evaluation_id"]))
    except (KeyError, ValueError):
        raise JobFailed("evaluate job payload has no valid evaluation_id") from None
    ctx.run_dir.mkdir(parents=True, exist_ok=True)
    try:
        evaluation = await execute_evaluation(
            sessionmaker=ctx.sessionmaker,
            settings=ctx.settings,
            evaluation_id=evaluation_id,
            spawn=ctx.run_subprocess,
            log=ctx.log,
            cancelled=ctx.cancelled,
            progress=ctx.run_dir / progress.FILE_NAME,
        )
    except EvaluationFailed as exc:
        # The reason as it was: the run's error is the evaluation's.
        raise JobFailed(str(exc)) from None
    return {
        "evaluation_id": str(evaluation.id),
        "primary_judge": evaluation.primary_judge,
        "primary_score": evaluation.primary_score,
        "ci95": [evaluation.ci_low, evaluation.ci_high],
        "n_items": evaluation.n_items,
    }
