"""Evaluations of runs: request (enqueue), read, per-item results, auto-evaluation."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tunix_rt import paths
from tunix_rt.datasets import evalsets
from tunix_rt.errors import InvalidInput, NotFound, Problem
from tunix_rt.evaluation.judges import DEFAULT_JUDGES, unknown_judges
from tunix_rt.evaluation.models import (
    Evaluation,
    EvaluationResult,
    EvaluationStatus,
    where_status,
)
from tunix_rt.evaluation.schemas import EvaluateRequest
from tunix_rt.runs import service as runs_service
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings

EVALUATE_KIND = "evaluate"


def check_judges(request: EvaluateRequest, settings: Settings) -> list[Problem]:
    """Every problem with a request's judges (unknown, repeated, primary, llm_judge setup)."""
    problems = [
        Problem(f"judges[{request.judges.index(name)}]", f"unknown judge {name!r}")
        for name in unknown_judges(request.judges)
    ]
    if len(set(request.judges)) != len(request.judges):
        problems.append(Problem("judges", "a judge is listed twice"))
    if request.primary_judge is not None and request.primary_judge not in request.judges:
        problems.append(Problem("primary_judge", "must be one of judges"))
    if "llm_judge" in request.judges and not (settings.judge_base_url and settings.judge_model):
        problems.append(
            Problem("judges", "llm_judge needs TUNIX_RT_JUDGE_BASE_URL and TUNIX_RT_JUDGE_MODEL")
        )
    return problems


async def create_evaluation(
    *, session: AsyncSession, settings: Settings, run_id: uuid.UUID, request: EvaluateRequest
) -> Evaluation:
    """Validate and record an evaluation, with no run yet (``request_evaluation`` gives it
    one); flushes."""
    run = await runs_service.get_run(session=session, run_id=run_id)
    problems = check_judges(request, settings)
    if paths.confined(run.run_dir, settings) is None:  # its model and predictions live there
        problems.append(Problem("run_id", f"the run's directory {paths.OUTSIDE}"))
    try:
        await evalsets.get_eval_set(session=session, name=request.eval_set)
    except NotFound:
        problems.append(Problem("eval_set", f"eval set {request.eval_set!r} not found"))
    if problems:
        raise InvalidInput("invalid evaluation request", problems=problems)
    evaluation = Evaluation(
        run_id=run.id,
        eval_set=request.eval_set,
        judges=list(request.judges),
        primary_judge=request.primary_judge or request.judges[0],
        dataset_key=run.dataset_key,
        model=run.model,
        seed=request.seed,
    )
    session.add(evaluation)
    await session.flush()
    set_committed_value(evaluation, "job_run", None)
    return evaluation


async def request_evaluation(
    *,
    session: AsyncSession,
    settings: Settings,
    run_id: uuid.UUID,
    request: EvaluateRequest,
    mode: str = "async",
) -> Evaluation:
    """Record an evaluation and enqueue the ``evaluate`` run that executes it (its status is
    that run's); flushes. ``mode`` "sync": the caller executes the run itself."""
    evaluation = await create_evaluation(
        session=session, settings=settings, run_id=run_id, request=request
    )
    target = await runs_service.get_run(session=session, run_id=run_id)
    job_run = await runs_service.create_run(
        session=session,
        settings=settings,
        kind=EVALUATE_KIND,
        name=f"evaluate-{target.name}-{request.eval_set}"[:200],
        config={"evaluation_id": str(evaluation.id), "run_id": str(run_id), **request.model_dump()},
        dataset_key=target.dataset_key,
        model=target.model,
        mode=mode,
        # A sync run's caller executes it; if that process dies it is not retried elsewhere.
        max_attempts=1 if mode == "sync" else 2,
    )
    evaluation.job_run_id = job_run.id
    await session.flush()
    set_committed_value(evaluation, "job_run", job_run)
    return evaluation


async def enqueue_auto_evaluation(
    *, session: AsyncSession, settings: Settings, run: Run
) -> Evaluation | None:
    """Hook for the runs domain: evaluate a finished run when its config names an ``eval_set``."""
    eval_set = run.config.get("eval_set") if isinstance(run.config, dict) else None
    if not isinstance(eval_set, str) or not eval_set:
        return None
    request = EvaluateRequest(eval_set=eval_set, judges=list(DEFAULT_JUDGES))
    return await request_evaluation(
        session=session, settings=settings, run_id=run.id, request=request
    )


async def get_evaluation(*, session: AsyncSession, evaluation_id: uuid.UUID) -> Evaluation:
    """One evaluation; NotFound when missing."""
    evaluation = await session.get(Evaluation, evaluation_id, populate_existing=True)
    if evaluation is None:
        raise NotFound(f"evaluation {evaluation_id} not found")
    return evaluation


async def latest_evaluation(
    *,
    session: AsyncSession,
    run_id: uuid.UUID,
    eval_set: str | None = None,
    succeeded_only: bool = False,
) -> Evaluation:
    """The run's newest evaluation (optionally on one eval set); NotFound when none."""
    stmt = select(Evaluation).where(Evaluation.run_id == run_id)
    if eval_set is not None:
        stmt = stmt.where(Evaluation.eval_set == eval_set)
    if succeeded_only:
        stmt = where_status(stmt, EvaluationStatus.SUCCEEDED)
    stmt = stmt.order_by(Evaluation.created_at.desc(), Evaluation.id.desc()).limit(1)
    # Fresh status: its run's job may have moved since this session last loaded it.
    evaluation = await session.scalar(stmt.execution_options(populate_existing=True))
    if evaluation is None:
        where = f" on eval set {eval_set!r}" if eval_set else ""
        raise NotFound(
            f"run {run_id} has no {'successful ' if succeeded_only else ''}evaluation{where}"
        )
    return evaluation


@dataclass(frozen=True)
class ResultFilters:
    """Per-item listing filters; None means no filter."""

    label: str | None = None
    section: str | None = None
    category: str | None = None
    difficulty: str | None = None
    # True: score 1 only; False: everything scored below 1.
    correct: bool | None = None
    search: str | None = None


async def list_results(
    *,
    session: AsyncSession,
    evaluation_id: uuid.UUID,
    filters: ResultFilters,
    limit: int = 50,
    offset: int = 0,
) -> list[EvaluationResult]:
    """Results in eval-set order; up to ``limit + 1`` rows (the extra one says more exist)."""
    await get_evaluation(session=session, evaluation_id=evaluation_id)
    stmt = select(EvaluationResult).where(EvaluationResult.evaluation_id == evaluation_id)
    for name in ("label", "section", "category", "difficulty"):
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(getattr(EvaluationResult, name) == value)
    if filters.correct is True:
        stmt = stmt.where(EvaluationResult.score == 1.0)
    elif filters.correct is False:
        stmt = stmt.where(EvaluationResult.score < 1.0)
    if filters.search:
        pattern = f"%{filters.search}%"
        stmt = stmt.where(
            EvaluationResult.prompt.ilike(pattern) | EvaluationResult.prediction.ilike(pattern)
        )
    stmt = stmt.order_by(EvaluationResult.position).offset(offset).limit(limit + 1)
    return list((await session.scalars(stmt)).all())


async def all_results(
    *, session: AsyncSession, evaluation_id: uuid.UUID
) -> Sequence[EvaluationResult]:
    """Every result of an evaluation, in eval-set order."""
    rows = await session.scalars(
        select(EvaluationResult)
        .where(EvaluationResult.evaluation_id == evaluation_id)
        .order_by(EvaluationResult.position)
    )
    return rows.all()
