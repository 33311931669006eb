"""The runs table: each run with its metric columns, sortable on any of them, with real totals.

Training metrics come from the run's stored ``metrics.jsonl`` events: the final loss is the
``end`` event's (else the last logged), the best loss the lowest logged, the eval loss the last
``eval`` event's, the reward the last logged ``reward`` (RL runs). The primary score and its
interval are the run's latest finished evaluation's. It lives here, above ``runs``, because
the score column reads evaluations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.evaluation.models import Evaluation
from tunix_rt.runs import service as runs_service
from tunix_rt.runs import tags as run_tags
from tunix_rt.runs.models import Job, Run, RunMetric
from tunix_rt.runs.schemas import RunPublic

METRIC_SORTS = ("final_loss", "best_loss", "eval_loss", "primary_score", "reward")
SORTS = ("created_at", "name", "status", *METRIC_SORTS)


@dataclass(frozen=True)
class RunTableQuery:
    """Filters (the runs list's, plus an eval set the run was evaluated on), sort, paging."""

    filters: runs_service.RunFilters = field(default_factory=runs_service.RunFilters)
    eval_set: str | None = None
    sort: str = "created_at"
    descending: bool = True
    limit: int = 50
    offset: int = 0


class RunMetrics(BaseModel):
    """A run's metric columns (None where the run has no such value)."""

    final_loss: float | None = None
    best_loss: float | None = None
    eval_loss: float | None = None
    reward: float | None = None
    primary_score: float | None = None
    ci95: list[float] | None = None
    primary_judge: str | None = None
    evaluation_id: uuid.UUID | None = None


class RunRow(RunPublic):
    """One row of the runs table."""

    tags: list[str] = []
    metrics: RunMetrics = RunMetrics()


def _last(event: str, key: str) -> Any:
    m = RunMetric
    value = m.data[key].as_float()
    stmt = select(value).where(m.run_id == Run.id, m.event == event, value.is_not(None))
    return stmt.order_by(m.seq.desc()).limit(1).scalar_subquery()


def _lowest(event: str, key: str) -> Any:
    m = RunMetric
    stmt = select(func.min(m.data[key].as_float())).where(m.run_id == Run.id, m.event == event)
    return stmt.scalar_subquery()


def _latest_evaluation(column: Any) -> Any:
    """``column`` of the run's latest evaluation with a primary score."""
    e = Evaluation
    stmt = select(column).where(e.run_id == Run.id, e.primary_score.is_not(None))
    return stmt.order_by(e.created_at.desc(), e.id.desc()).limit(1).scalar_subquery()


def _columns() -> dict[str, Any]:
    return {
        "final_loss": func.coalesce(_last("end", "loss"), _last("train", "loss")),
        "best_loss": _lowest("train", "loss"),
        "eval_loss": _last("eval", "eval_loss"),
        "reward": _last("train", "reward"),
        "evaluation_id": _latest_evaluation(Evaluation.id),
    }


def _filtered(query: RunTableQuery) -> Select[Any]:
    stmt = runs_service.where_filters(select(Run), query.filters)
    if query.eval_set is not None:
        evaluated = select(Evaluation.id).where(
            Evaluation.run_id == Run.id, Evaluation.eval_set == query.eval_set
        )
        in_config = Run.config["eval_set"].as_string() == query.eval_set
        stmt = stmt.where(evaluated.exists() | in_config)
    return stmt


def _sort_key(query: RunTableQuery, columns: dict[str, Any]) -> Any:
    if query.sort == "primary_score":
        return _latest_evaluation(Evaluation.primary_score)
    if query.sort in columns:
        return columns[query.sort]
    if query.sort == "status":
        return select(Job.status).where(Job.run_id == Run.id).limit(1).scalar_subquery()
    return Run.name if query.sort == "name" else Run.created_at


async def run_table(*, session: AsyncSession, query: RunTableQuery) -> tuple[list[RunRow], int]:
    """A page of rows (up to ``limit + 1``) and the count of every matching run."""
    if query.sort not in SORTS:
        raise InvalidInput("invalid runs query", problems=[Problem("sort", f"one of {SORTS}")])
    columns = _columns()
    stmt = _filtered(query)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    key = _sort_key(query, columns)
    ordered = key.desc() if query.descending else key.asc()
    stmt = stmt.add_columns(*columns.values()).order_by(
        ordered.nulls_last(), Run.created_at.desc(), Run.id.desc()
    )
    stmt = stmt.offset(query.offset).limit(query.limit + 1)
    found = (await session.execute(stmt.execution_options(populate_existing=True))).all()
    return await _rows(session, found, list(columns)), int(total or 0)


async def _rows(session: AsyncSession, found: list[Any], names: list[str]) -> list[RunRow]:
    tags = await run_tags.tags_of(session=session, run_ids=[row[0].id for row in found])
    ids = [row[-1] for row in found if row[-1] is not None]
    evaluations = {
        e.id: e for e in await session.scalars(select(Evaluation).where(Evaluation.id.in_(ids)))
    }
    out = []
    for row in found:
        run, values = row[0], dict(zip(names, row[1:], strict=True))
        evaluation = evaluations.get(values.pop("evaluation_id"))
        metrics = RunMetrics(**values)
        if evaluation is not None:
            metrics.primary_score = evaluation.primary_score
            metrics.primary_judge, metrics.evaluation_id = evaluation.primary_judge, evaluation.id
            if evaluation.ci_low is not None and evaluation.ci_high is not None:
                metrics.ci95 = [evaluation.ci_low, evaluation.ci_high]
        public = RunRow.model_validate(RunPublic.of(run).model_dump())
        public.tags, public.metrics = tags[run.id], metrics
        out.append(public)
    return out
