"""A training run's progress: step X of Y (or elapsed of its time budget), ETA and tokens/s,
read from its latest stored ``train`` event and its config."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.runs import metrics
from tunix_rt.runs.models import TERMINAL, RunStatus
from tunix_rt.runs.service import get_run


class RunProgress(BaseModel):
    """How far a run is. ``fraction`` is of its steps, else of its time budget."""

    run_id: uuid.UUID
    status: RunStatus
    step: int | None
    total_steps: int | None
    elapsed_s: float | None
    time_budget_s: float | None
    tokens_per_s: float | None
    fraction: float | None
    eta_s: float | None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def estimate(
    step: int | None, total: int | None, elapsed: float | None, budget: float | None
) -> tuple[float | None, float | None]:
    """(fraction done, seconds left) from steps when the total is known, else the time budget."""
    if total and step is not None and elapsed is not None and step > 0:
        fraction = min(step / total, 1.0)
        return fraction, max(elapsed / step * (total - step), 0.0)
    if budget and elapsed is not None:
        return min(elapsed / budget, 1.0), max(budget - elapsed, 0.0)
    return None, None


async def run_progress(*, session: AsyncSession, run_id: uuid.UUID) -> RunProgress:
    """The run's progress (all None before its first logged step)."""
    run = await get_run(session=session, run_id=run_id)
    event = await metrics.latest_event(session=session, run_id=run_id, event="train") or {}
    step = event.get("step") if isinstance(event.get("step"), int) else None
    total = run.config.get("max_steps")
    total = total if isinstance(total, int) and not isinstance(total, bool) else None
    budget = _number(run.config.get("time_budget_s"))
    elapsed = _number(event.get("elapsed_s"))
    fraction, eta = estimate(step, total, elapsed, budget)
    if run.status in TERMINAL:
        eta = None
    return RunProgress(
        run_id=run.id, status=RunStatus(run.status), step=step, total_steps=total,
        elapsed_s=elapsed, time_budget_s=budget, tokens_per_s=_number(event.get("tokens_per_s")),
        fraction=fraction, eta_s=eta,
    )  # fmt: skip
