"""The evaluation browser's item list: filters on any judge's verdict, real totals, and each
item's generation length and first wrong step (from ``step_check``'s details)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.evaluation.models import EvaluationResult
from tunix_rt.evaluation.schemas import ResultPublic
from tunix_rt.evaluation.service import get_evaluation

STEP_JUDGE = "step_check"


@dataclass(frozen=True)
class ItemQuery:
    """Filters; ``label`` and ``correct`` read ``judge``'s verdict (default the primary's)."""

    judge: str | None = None
    label: str | None = None
    section: str | None = None
    category: str | None = None
    difficulty: str | None = None
    # True: score 1 only; False: everything scored below 1.
    correct: bool | None = None
    truncated: bool | None = None
    search: str | None = None


class WrongStep(BaseModel):
    """The first wrong reasoning step: its number (1-based), its text's span in the prediction
    (None when the text is not found verbatim), and why it is wrong."""

    step: int
    span: list[int] | None
    reason: str


class ItemPublic(ResultPublic):
    """One item as the browser shows it."""

    tokens: int | None = None
    steps: int | None = None
    first_wrong_step: WrongStep | None = None


def _where(stmt: Select[Any], query: ItemQuery, judge: str, primary: str) -> Select[Any]:
    r = EvaluationResult
    for name in ("section", "category", "difficulty"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(r, name) == value)
    if judge == primary:
        label: Any = r.label
        score: Any = r.score
    else:
        label = r.verdicts[(judge, "label")].as_string()
        score = r.verdicts[(judge, "score")].as_float()
    if query.label is not None:
        stmt = stmt.where(label == query.label)
    if query.correct is True:
        stmt = stmt.where(score == 1.0)
    elif query.correct is False:
        stmt = stmt.where(score < 1.0)
    if query.truncated is not None:
        stmt = stmt.where(r.truncated.is_(query.truncated))
    if query.search:
        pattern = f"%{query.search}%"
        stmt = stmt.where(r.prompt.ilike(pattern) | r.prediction.ilike(pattern))
    return stmt


def wrong_step(result: EvaluationResult) -> tuple[int | None, WrongStep | None]:
    """The step count and first wrong step ``step_check`` recorded, if it judged the item."""
    verdict: Any = result.verdicts.get(STEP_JUDGE)
    if not isinstance(verdict, dict):
        return None, None
    details = verdict.get("details") or {}
    steps = details.get("steps") if isinstance(details.get("steps"), int) else None
    first = details.get("first_wrong")
    if not isinstance(first, dict) or not isinstance(first.get("step"), int):
        return steps, None
    text = verdict.get("extracted")
    start = result.prediction.find(text) if isinstance(text, str) and text else -1
    span = [start, start + len(str(text))] if start >= 0 else None
    return steps, WrongStep(step=first["step"], span=span, reason=str(verdict.get("reason", "")))


def item_public(result: EvaluationResult) -> ItemPublic:
    """The stored result with its length and first wrong step."""
    steps, first = wrong_step(result)
    public = ItemPublic.model_validate(result)
    public.tokens, public.steps, public.first_wrong_step = result.tokens, steps, first
    return public


async def list_items(
    *, session: AsyncSession, evaluation_id: uuid.UUID, query: ItemQuery, limit: int, offset: int
) -> tuple[list[ItemPublic], int]:
    """A page of items in eval-set order (up to ``limit + 1``) and the count of all matching."""
    evaluation = await get_evaluation(session=session, evaluation_id=evaluation_id)
    judge = query.judge or evaluation.primary_judge
    if judge not in evaluation.judges:
        judges = ", ".join(evaluation.judges)
        raise InvalidInput(
            "invalid item query", problems=[Problem("judge", f"not a judge here ({judges})")]
        )
    base = select(EvaluationResult).where(EvaluationResult.evaluation_id == evaluation_id)
    stmt = _where(base, query, judge, evaluation.primary_judge)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = stmt.order_by(EvaluationResult.position).offset(offset).limit(limit + 1)
    rows = (await session.scalars(page)).all()
    return [item_public(r) for r in rows], int(total or 0)
