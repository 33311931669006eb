"""Evaluation analytics routes: the reasoning-budget view of one evaluation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import SessionDep
from tunix_rt.evaluation.budget_report import MAX_BUDGETS, BudgetReport, budget_report

router = APIRouter(tags=["evaluation"], dependencies=[by_method])

BudgetsQuery = Annotated[
    list[Annotated[int, Query(ge=0, le=1_000_000)]] | None,
    Query(
        max_length=MAX_BUDGETS,
        description="Token budgets for the curve (repeat the parameter); default: 12 spread "
        "over the observed generation lengths.",
    ),
]


@router.get("/api/tunix/evaluations/{evaluation_id}/budget")
async def get_evaluation_budget(
    evaluation_id: uuid.UUID,
    session: SessionDep,
    judge: Annotated[str | None, Query(max_length=64)] = None,
    budgets: BudgetsQuery = None,
) -> BudgetReport:
    """Accuracy by reasoning length (tokens, steps), truncation rate, and accuracy at a token
    budget as a curve (an item needing more tokens than the budget counts as truncated)."""
    return await budget_report(
        session=session, evaluation_id=evaluation_id, judge=judge, budgets=budgets or []
    )
