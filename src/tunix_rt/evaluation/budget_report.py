"""``GET /api/tunix/evaluations/{id}/budget`` and ``tunix-rt eval budget``: the budget analytics
of one evaluation, computed from its stored items.

Generation lengths come from the items (generation records each prediction's token count,
stored since migration 0011). Items stored before that are measured by tokenizing the
prediction text with the run's own tokenizer (``final/``); when the run has none (an external
run, a deleted directory) the length is the text's character count, and ``token_source`` says
``approximate``. Steps are the prediction's reasoning steps as the run's trace style parses
them (0 when the style is unknown).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.datasets.render import ChatTemplate, TraceStyle, parse_completion
from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.evaluation import budget
from tunix_rt.evaluation.models import EvaluationResult
from tunix_rt.evaluation.predictions import trained_style
from tunix_rt.evaluation.service import get_evaluation
from tunix_rt.runs import service as runs_service

TokenSource = Literal["stored", "tokenizer", "approximate"]
MAX_BUDGETS = 100


class BudgetReport(BaseModel):
    """Accuracy by reasoning length (tokens, steps), the truncation rate, and the budget curve."""

    evaluation_id: uuid.UUID
    judge: str
    n_items: int
    judged: int
    # Where the generation lengths come from (see the module docstring).
    token_source: TokenSource
    accuracy: float | None
    truncation_rate: float | None
    by_tokens: list[budget.Bucket]
    by_steps: list[budget.Bucket]
    curve: list[budget.CurvePoint]


def _score(row: EvaluationResult, judge: str, primary: str) -> float | None:
    if judge == primary:
        return row.score
    verdict: Any = row.verdicts.get(judge) or {}
    value = verdict.get("score") if isinstance(verdict, dict) else None
    return float(value) if isinstance(value, int | float) else None


def _steps(text: str, style: TraceStyle | None, template: ChatTemplate | None) -> int:
    if style is None:
        return 0
    return len(parse_completion(text, style=style, template=template).steps)


def _measure(texts: Sequence[str], run_dir: Path) -> tuple[list[int], TokenSource]:
    """Token counts of predictions stored without one: the run's tokenizer, else characters."""
    final = run_dir / "final"
    try:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(final, local_files_only=True)
    except (OSError, ValueError, KeyError, TypeError):  # no (or no readable) tokenizer there
        return [len(t) for t in texts], "approximate"
    ids = tokenizer(list(texts), add_special_tokens=False)["input_ids"] if texts else []
    return [len(i) for i in ids], "tokenizer"


def _check(judge: str, judges: Sequence[str], budgets: Sequence[int]) -> None:
    problems = []
    if judge not in judges:
        problems.append(Problem("judge", f"not a judge of this evaluation ({', '.join(judges)})"))
    if len(budgets) > MAX_BUDGETS:
        problems.append(Problem("budgets", f"at most {MAX_BUDGETS} budgets"))
    if any(b < 0 for b in budgets):
        problems.append(Problem("budgets", "budgets are token counts (>= 0)"))
    if problems:
        raise InvalidInput("invalid budget query", problems=problems)


async def budget_report(
    *,
    session: AsyncSession,
    evaluation_id: uuid.UUID,
    judge: str | None = None,
    budgets: Sequence[int] = (),
) -> BudgetReport:
    """The analytics of one evaluation on ``judge`` (default its primary judge)."""
    evaluation = await get_evaluation(session=session, evaluation_id=evaluation_id)
    shown = judge or evaluation.primary_judge
    _check(shown, evaluation.judges, budgets)
    rows = list(
        await session.scalars(
            select(EvaluationResult)
            .where(EvaluationResult.evaluation_id == evaluation_id)
            .order_by(EvaluationResult.position)
        )
    )
    run = await runs_service.get_run(session=session, run_id=evaluation.run_id)
    style, template = trained_style(Path(run.run_dir), run.config)
    source: TokenSource = "stored"
    missing = [r.prediction for r in rows if r.tokens is None]
    measured: list[int] = []
    if missing:
        measured, source = await asyncio.to_thread(_measure, missing, Path(run.run_dir))
    fill = iter(measured)
    items = [
        budget.BudgetItem(
            tokens=r.tokens if r.tokens is not None else next(fill),
            steps=_steps(r.prediction, style, template),
            truncated=r.truncated,
            score=_score(r, shown, evaluation.primary_judge),
        )
        for r in rows
    ]
    return BudgetReport(
        evaluation_id=evaluation.id,
        judge=shown,
        n_items=len(items),
        judged=sum(1 for i in items if i.score is not None),
        token_source=source,
        accuracy=budget.accuracy_at(items, None),
        truncation_rate=budget.truncated_share(items, None),
        by_tokens=budget.by_length(items, [i.tokens for i in items], budget.BUCKETS),
        by_steps=budget.by_length(items, [i.steps for i in items], budget.BUCKETS),
        curve=budget.curve(items, list(budgets) or budget.default_budgets(items)),
    )
