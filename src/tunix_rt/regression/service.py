"""Regression baselines and gate checks (paired test on the shared eval items)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import Conflict, InvalidInput, NotFound, Problem
from tunix_rt.evaluation import compare
from tunix_rt.evaluation import service as evaluation_service
from tunix_rt.evaluation.models import Evaluation, EvaluationScore
from tunix_rt.regression.models import Baseline
from tunix_rt.regression.schemas import BaselineCreate, CheckRequest, CheckResult
from tunix_rt.runs import service as runs_service


async def _evaluation_with(
    session: AsyncSession, run_id: uuid.UUID, eval_set: str, metric: str
) -> Evaluation:
    evaluation = await evaluation_service.latest_evaluation(
        session=session, run_id=run_id, eval_set=eval_set, succeeded_only=True
    )
    if metric not in evaluation.judges:
        raise InvalidInput(
            "the evaluation did not use the metric",
            problems=[
                Problem("metric", f"run {run_id}'s evaluation on {eval_set!r} has no {metric}")
            ],
        )
    return evaluation


async def create_baseline(*, session: AsyncSession, body: BaselineCreate) -> Baseline:
    """Keep the run's latest successful evaluation on the eval set under ``name``; flushes."""
    if await session.scalar(select(Baseline).where(Baseline.name == body.name)) is not None:
        raise Conflict(f"baseline {body.name!r} already exists")
    run = await runs_service.get_run(session=session, run_id=body.run_id)
    evaluation = await _evaluation_with(session, run.id, body.eval_set, body.metric)
    score = await session.get(EvaluationScore, (evaluation.id, body.metric))
    if score is None or score.score is None:
        raise InvalidInput(f"the evaluation has no {body.metric} score (every item was skipped)")
    baseline = Baseline(
        name=body.name,
        run_id=run.id,
        evaluation_id=evaluation.id,
        eval_set=body.eval_set,
        dataset_key=body.dataset_key or run.dataset_key,
        metric=body.metric,
        score=score.score,
    )
    session.add(baseline)
    await session.flush()
    return baseline


async def get_baseline(*, session: AsyncSession, name: str) -> Baseline:
    """One baseline by name; NotFound when missing."""
    baseline = await session.scalar(select(Baseline).where(Baseline.name == name))
    if baseline is None:
        raise NotFound(f"baseline {name!r} not found")
    return baseline


async def list_baselines(*, session: AsyncSession) -> list[Baseline]:
    """Every baseline, newest first."""
    rows = await session.scalars(select(Baseline).order_by(Baseline.created_at.desc()))
    return list(rows)


def _reason(drop: float | None, tolerance: float, p_value: float, alpha: float) -> str:
    if drop is None:
        return "nothing to compare: no item was scored in both evaluations"
    exceeds, significant = drop > tolerance, p_value < alpha
    about = f"drop {drop:+.4f} vs tolerance {tolerance:.4f}; p={p_value:.4g} vs alpha {alpha}"
    if exceeds and significant:
        return f"fail: the drop is larger than the tolerance and significant ({about})"
    if exceeds:
        return f"pass: the drop is larger than the tolerance but not significant ({about})"
    if significant and drop > 0:
        return f"pass: the drop is significant but within the tolerance ({about})"
    return f"pass: no drop beyond the tolerance ({about})"


async def check_run(*, session: AsyncSession, body: CheckRequest) -> CheckResult:
    """Compare the run's latest evaluation on the baseline's eval set with the baseline's."""
    baseline = await get_baseline(session=session, name=body.baseline)
    run = await runs_service.get_run(session=session, run_id=body.run_id)
    candidate = await _evaluation_with(session, run.id, baseline.eval_set, baseline.metric)
    results_a = await evaluation_service.all_results(
        session=session, evaluation_id=baseline.evaluation_id
    )
    results_b = await evaluation_service.all_results(session=session, evaluation_id=candidate.id)
    diff = compare.paired_diff(
        compare.item_scores(results_a, baseline.metric),
        compare.item_scores(results_b, baseline.metric),
    )
    delta = diff.delta
    drop = None if delta is None else -delta
    exceeds = drop is not None and drop > body.tolerance
    significant = diff.p_value < body.alpha
    return CheckResult(
        verdict="fail" if exceeds and significant else "pass",
        reason=_reason(drop, body.tolerance, diff.p_value, body.alpha),
        baseline=baseline.name,
        metric=baseline.metric,
        eval_set=baseline.eval_set,
        baseline_run_id=baseline.run_id,
        baseline_evaluation_id=baseline.evaluation_id,
        candidate_run_id=run.id,
        candidate_evaluation_id=candidate.id,
        baseline_score=diff.score_a,
        candidate_score=diff.score_b,
        drop=drop,
        tolerance=body.tolerance,
        exceeds_tolerance=exceeds,
        test=diff.test,
        p_value=diff.p_value,
        alpha=body.alpha,
        significant=significant,
        n_paired=diff.n_paired,
        dataset_key_matches=baseline.dataset_key == run.dataset_key,
    )
