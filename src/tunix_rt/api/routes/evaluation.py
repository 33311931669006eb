"""Evaluation routes: evaluate a run, scorecards and items, leaderboard, compare, judge health."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import DateTimeQuery, LimitQuery, OffsetQuery, SessionDep, SettingsDep
from tunix_rt.evaluation import browse, compare, external_runs, service
from tunix_rt.evaluation.execute import llm_config
from tunix_rt.evaluation.judges.llm_judge import probe
from tunix_rt.evaluation.leaderboard import LeaderboardQuery, leaderboard_page
from tunix_rt.evaluation.live import evaluation_progress
from tunix_rt.evaluation.schemas import (
    EvaluateRequest,
    EvaluationPublic,
    LeaderboardRow,
)
from tunix_rt.pagination import DEFAULT_LIMIT, Page, page_of

router = APIRouter(tags=["evaluation"], dependencies=[by_method])


@router.post("/api/tunix/runs/{run_id}/evaluate", status_code=202)
async def evaluate_run(
    run_id: uuid.UUID, body: EvaluateRequest, session: SessionDep, settings: SettingsDep
) -> EvaluationPublic:
    """Queue an evaluation of the run on an eval set (generating predictions when missing)."""
    evaluation = await service.request_evaluation(
        session=session, settings=settings, run_id=run_id, request=body
    )
    return EvaluationPublic.model_validate(evaluation)


# A prediction file: JSONL (ours, the earlier system's, lm-eval samples) or an inspect log.
_PREDICTION_MEDIA = (
    "application/x-ndjson", "application/json", "application/zip", "application/octet-stream",
)  # fmt: skip
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_PREDICTIONS_BODY = {
    "requestBody": {"required": True, "content": dict.fromkeys(_PREDICTION_MEDIA, _BINARY)}
}


@router.post("/api/tunix/evaluations/external", status_code=202, openapi_extra=_PREDICTIONS_BODY)
async def evaluate_external(
    request: Request,
    params: Annotated[external_runs.ExternalEvaluateRequest, Query()],
    session: SessionDep,
    settings: SettingsDep,
) -> external_runs.ExternalEvaluationPublic:
    """Queue the judging of another system's prediction file (the body) on an eval set; it
    then shows on the leaderboard and in comparisons as its own run."""
    evaluation, report = await external_runs.request_external_evaluation(
        session=session, settings=settings, data=await request.body(), request=params
    )
    public = EvaluationPublic.model_validate(evaluation).model_dump()
    return external_runs.ExternalEvaluationPublic(**public, external=report)


@router.get("/api/tunix/runs/compare")
async def compare_runs(
    session: SessionDep,
    a: uuid.UUID,
    b: uuid.UUID,
    eval_set: str | None = None,
    judge: str | None = None,
) -> compare.Comparison:
    """Run A vs run B: loss curves, config diff, per-item diff with a paired test."""
    return await compare.compare_runs(session=session, a=a, b=b, eval_set=eval_set, judge=judge)


@router.get("/api/tunix/runs/{run_id}/evaluation")
async def get_run_evaluation(
    run_id: uuid.UUID, session: SessionDep, eval_set: str | None = None
) -> EvaluationPublic:
    """The run's latest evaluation (optionally on one eval set) with its scorecard."""
    evaluation = await service.latest_evaluation(session=session, run_id=run_id, eval_set=eval_set)
    public = EvaluationPublic.model_validate(evaluation)
    public.progress = evaluation_progress(evaluation)
    return public


class ItemFilters(BaseModel):
    """Per-item listing filters; ``label`` and ``correct`` read ``judge``'s verdict (default:
    the primary judge's)."""

    judge: str | None = Field(default=None, max_length=64)
    label: str | None = None
    section: str | None = None
    category: str | None = None
    difficulty: str | None = None
    correct: bool | None = None
    truncated: bool | None = None
    search: str | None = None


async def _items(
    session: SessionDep, evaluation_id: uuid.UUID, filters: ItemFilters, limit: int, offset: int
) -> Page[browse.ItemPublic]:
    rows, total = await browse.list_items(
        session=session,
        evaluation_id=evaluation_id,
        query=browse.ItemQuery(**filters.model_dump()),
        limit=limit,
        offset=offset,
    )
    return page_of(rows, limit=limit, offset=offset, total=total)


@router.get("/api/tunix/runs/{run_id}/evaluation/items")
async def list_run_evaluation_items(
    run_id: uuid.UUID,
    session: SessionDep,
    filters: Annotated[ItemFilters, Query()],
    eval_set: str | None = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[browse.ItemPublic]:
    """Per-item results of the run's latest evaluation, filtered."""
    evaluation = await service.latest_evaluation(session=session, run_id=run_id, eval_set=eval_set)
    return await _items(session, evaluation.id, filters, limit, offset)


@router.get("/api/tunix/evaluations")
async def list_evaluations(
    session: SessionDep,
    dataset: str | None = None,
    model: str | None = None,
    eval_set: str | None = None,
    judge: str | None = None,
    created_after: DateTimeQuery = None,
    created_before: DateTimeQuery = None,
    config: Annotated[str | None, Query(max_length=200)] = None,
    budget: Annotated[
        int | None, Query(ge=0, le=1_000_000, description="Token budget: adds budget_accuracy.")
    ] = None,
    min_budget_accuracy: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    sort: str = "primary",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    all_evaluations: bool = False,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[LeaderboardRow]:
    """The leaderboard: one row per run (latest evaluation) or every evaluation, CI beside score;
    with ``budget``, each row's accuracy at that many generated tokens (``sort=budget``)."""
    query = LeaderboardQuery(
        dataset=dataset, model=model, eval_set=eval_set, judge=judge,
        created_after=created_after, created_before=created_before, config=config,
        budget=budget, min_budget_accuracy=min_budget_accuracy,
        sort=sort, descending=order == "desc", latest_only=not all_evaluations,
        limit=limit, offset=offset,
    )  # fmt: skip
    rows, total = await leaderboard_page(session=session, query=query)
    return page_of(rows, limit=limit, offset=offset, total=total)


@router.get("/api/tunix/evaluations/{evaluation_id}")
async def get_evaluation(evaluation_id: uuid.UUID, session: SessionDep) -> EvaluationPublic:
    """One evaluation with its scorecard, and its progress while it runs."""
    evaluation = await service.get_evaluation(session=session, evaluation_id=evaluation_id)
    public = EvaluationPublic.model_validate(evaluation)
    public.progress = evaluation_progress(evaluation)
    return public


@router.get("/api/tunix/evaluations/{evaluation_id}/items")
async def list_evaluation_items(
    evaluation_id: uuid.UUID,
    session: SessionDep,
    filters: Annotated[ItemFilters, Query()],
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> Page[browse.ItemPublic]:
    """Per-item results of one evaluation, filtered, with the count of all matching."""
    return await _items(session, evaluation_id, filters, limit, offset)


class JudgeHealth(BaseModel):
    """Health of the configured judge/inference endpoint."""

    status: str
    base_url: str | None
    model: str | None
    detail: str
    latency_ms: float | None


@router.get("/api/redi/health")
async def get_judge_health(settings: SettingsDep, response: Response) -> JudgeHealth:
    """``ok`` when ``GET {base}/v1/models`` answers; ``unreachable`` (503); ``not_configured``."""
    if not settings.judge_base_url:
        detail = "set TUNIX_RT_JUDGE_BASE_URL (and TUNIX_RT_JUDGE_MODEL) to use the llm_judge"
        return JudgeHealth(
            status="not_configured", base_url=None, model=None, detail=detail, latency_ms=None
        )
    ok, detail, latency = await probe(llm_config(settings))
    if not ok:
        response.status_code = 503
    return JudgeHealth(
        status="ok" if ok else "unreachable",
        base_url=settings.judge_base_url,
        model=settings.judge_model or None,
        detail=detail,
        latency_ms=round(latency, 1),
    )
