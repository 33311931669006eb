"""The leaderboard: successful evaluations with filters, sorted by any judge's score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, String, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.evaluation.judges import JUDGES
from tunix_rt.evaluation.models import (
    Evaluation,
    EvaluationResult,
    EvaluationScore,
    EvaluationStatus,
    where_status,
)
from tunix_rt.evaluation.schemas import JudgeScore, LeaderboardRow
from tunix_rt.runs.models import Run

SORT_FIELDS = ("primary", "created_at", "budget")


@dataclass(frozen=True)
class LeaderboardQuery:
    """Filters, sort and paging; None means no filter."""

    dataset: str | None = None
    model: str | None = None
    eval_set: str | None = None
    judge: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    # Substring of the run's config as JSON text (e.g. ``"lora"`` or ``"learning_rate": 0.001``).
    config: str | None = None
    # Accuracy at this many generated tokens (budget_accuracy; sort "budget"), and its floor.
    budget: int | None = None
    min_budget_accuracy: float | None = None
    # ``primary``, ``created_at``, ``budget`` or a judge name.
    sort: str = "primary"
    descending: bool = True
    # One row per run (its latest matching evaluation); False lists every evaluation.
    latest_only: bool = True
    limit: int = 50
    offset: int = 0


def _check(query: LeaderboardQuery) -> None:
    problems = []
    if query.sort not in SORT_FIELDS and query.sort not in JUDGES:
        problems.append(Problem("sort", f"one of {', '.join([*SORT_FIELDS, *JUDGES])}"))
    if query.judge is not None and query.judge not in JUDGES:
        problems.append(Problem("judge", f"unknown judge {query.judge!r}"))
    if query.budget is None and (query.sort == "budget" or query.min_budget_accuracy is not None):
        problems.append(Problem("budget", "set budget to sort or filter by accuracy at it"))
    if problems:
        raise InvalidInput("invalid leaderboard query", problems=problems)


def _filtered(query: LeaderboardQuery) -> Any:
    """Matching evaluations with their rank among the same run's (newest first)."""
    rank = func.row_number().over(
        partition_by=Evaluation.run_id,
        order_by=(Evaluation.created_at.desc(), Evaluation.id.desc()),
    )
    stmt = where_status(
        select(Evaluation.id.label("eid"), rank.label("rn")).join(Run, Run.id == Evaluation.run_id),
        EvaluationStatus.SUCCEEDED,
    )
    equal = {"dataset": Evaluation.dataset_key, "model": Evaluation.model}
    equal["eval_set"] = Evaluation.eval_set
    for name, column in equal.items():
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(column == value)
    if query.judge is not None:
        has_judge = select(EvaluationScore.evaluation_id).where(
            EvaluationScore.evaluation_id == Evaluation.id, EvaluationScore.judge == query.judge
        )
        stmt = stmt.where(has_judge.exists())
    if query.created_after is not None:
        stmt = stmt.where(Evaluation.created_at >= query.created_after)
    if query.created_before is not None:
        stmt = stmt.where(Evaluation.created_at < query.created_before)
    if query.config:
        stmt = stmt.where(cast(Run.config, String).ilike(f"%{query.config}%"))
    return stmt.subquery()


async def leaderboard(*, session: AsyncSession, query: LeaderboardQuery) -> list[LeaderboardRow]:
    """A page of rows (up to ``limit + 1``: the extra one says more exist)."""
    return (await leaderboard_page(session=session, query=query))[0]


async def leaderboard_page(
    *, session: AsyncSession, query: LeaderboardQuery
) -> tuple[list[LeaderboardRow], int]:
    """A page of rows (up to ``limit + 1``) and the count of every matching row."""
    _check(query)
    sub = _filtered(query)
    judge = query.sort if query.sort in JUDGES else query.judge
    stmt = select(Evaluation, Run).join(sub, sub.c.eid == Evaluation.id)
    stmt = stmt.join(Run, Run.id == Evaluation.run_id)
    if query.latest_only:
        stmt = stmt.where(sub.c.rn == 1)
    at_budget = None
    if query.budget is not None:
        at_budget = _budget_accuracy(query.budget)
        stmt = stmt.add_columns(at_budget.c.accuracy).outerjoin(
            at_budget, at_budget.c.eid == Evaluation.id
        )
        if query.min_budget_accuracy is not None:
            stmt = stmt.where(at_budget.c.accuracy >= query.min_budget_accuracy)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    if query.sort == "created_at":
        key: Any = Evaluation.created_at
    elif query.sort == "budget" and at_budget is not None:
        key = at_budget.c.accuracy
    elif query.sort in JUDGES:
        stmt = stmt.outerjoin(
            EvaluationScore,
            (EvaluationScore.evaluation_id == Evaluation.id)
            & (EvaluationScore.judge == query.sort),
        )
        key = EvaluationScore.score
    else:
        key = Evaluation.primary_score
    ordered = key.desc() if query.descending else key.asc()
    stmt = stmt.order_by(ordered.nulls_last(), Evaluation.created_at.desc(), Evaluation.id.desc())
    # (evaluation, run) rows, plus the accuracy at the budget when one was asked for.
    found: list[Any] = list(
        (await session.execute(stmt.offset(query.offset).limit(query.limit + 1))).all()
    )
    scores = await _scores(session, [row[0].id for row in found])
    rows = [_row(row[0], row[1], scores.get(row[0].id, {}), judge) for row in found]
    if query.budget is not None:
        for row, record in zip(rows, found, strict=True):
            row.budget, row.budget_accuracy = query.budget, record[2]
    return rows, int(total or 0)


def _budget_accuracy(budget: int) -> Any:
    """Per evaluation: the primary judge's mean score with items over ``budget`` generated
    tokens scored 0 (evaluation/budget.py); NULL when an item's length was not stored."""
    r = EvaluationResult
    at = case((r.score.is_(None), None), (r.tokens > budget, 0.0), else_=r.score)
    unknown = func.sum(case((r.tokens.is_(None), 1), else_=0))
    accuracy = case((unknown > 0, None), else_=cast(func.avg(at), Float))
    stmt = select(r.evaluation_id.label("eid"), accuracy.label("accuracy"))
    return stmt.group_by(r.evaluation_id).subquery()


async def _scores(session: AsyncSession, ids: list[Any]) -> dict[Any, dict[str, JudgeScore]]:
    out: dict[Any, dict[str, JudgeScore]] = {}
    if not ids:
        return out
    rows = await session.scalars(
        select(EvaluationScore).where(EvaluationScore.evaluation_id.in_(ids))
    )
    for row in rows:
        ci = None if row.ci_low is None or row.ci_high is None else [row.ci_low, row.ci_high]
        out.setdefault(row.evaluation_id, {})[row.judge] = JudgeScore(
            score=row.score, ci95=ci, scored=row.scored
        )
    return out


def _row(
    evaluation: Evaluation, run: Run, scores: dict[str, JudgeScore], judge: str | None
) -> LeaderboardRow:
    shown = judge or evaluation.primary_judge
    headline = scores.get(shown)
    return LeaderboardRow(
        evaluation_id=evaluation.id,
        run_id=run.id,
        run_name=run.name,
        dataset_key=evaluation.dataset_key,
        model=evaluation.model,
        eval_set=evaluation.eval_set,
        primary_judge=evaluation.primary_judge,
        judge=shown,
        score=headline.score if headline else None,
        ci95=headline.ci95 if headline else None,
        n_items=evaluation.n_items,
        scores=scores,
        config=run.config,
        created_at=evaluation.created_at,
        finished_at=evaluation.finished_at,
    )
