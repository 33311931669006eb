"""The demo's queued runs: submit a config, follow it with a progress bar, evaluate it.

Shared by ``tunix-rt demo`` and ``tunix-rt demo --rl`` (cli/demo.py, cli/demo_rl.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.cli.common import fail, sessionmaker_for
from tunix_rt.db.session import session_scope
from tunix_rt.evaluation import service as evaluation_service
from tunix_rt.evaluation.models import Evaluation, EvaluationStatus
from tunix_rt.evaluation.schemas import EvaluateRequest
from tunix_rt.evaluation.scorecard import Scorecard, Spread
from tunix_rt.jobs import HANDLERS
from tunix_rt.jobs.train_submit import TrainRunRequest, submit_train_run
from tunix_rt.runs import metrics
from tunix_rt.runs import service as run_service
from tunix_rt.runs.models import TERMINAL, Run, RunStatus
from tunix_rt.runs.worker import Worker, WorkerConfig
from tunix_rt.settings import Settings

console = Console()


@dataclass
class Outcome:
    """What one trained style scored on the held-out problems."""

    style: str
    run_id: uuid.UUID
    steps: int
    examples: int
    tokens_per_s: float | None
    train_s: float | None  # the training process's own clock, from its first step to the end
    accuracy: float
    ci95: tuple[float, float] | None
    by_category: dict[str, Spread]
    evaluation_id: uuid.UUID | None = None  # the held-out evaluation (its per-item results)


async def _follow_training(
    factory: async_sessionmaker[AsyncSession], run_id: uuid.UUID, config: dict[str, Any]
) -> Run:
    """A progress bar of steps (or seconds, under a time budget alone) with loss and ETA."""
    steps: int | None = config.get("max_steps")
    budget_s: float | None = config.get("time_budget_s")
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
    ]
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("training", total=steps or budget_s, info="queued")
        while True:
            await asyncio.sleep(1.0)
            async with factory() as session:
                current = await run_service.get_run(session=session, run_id=run_id)
                latest = await metrics.latest_event(session=session, run_id=run_id, event="train")
            info = str(current.status)
            if latest is not None:
                info = _progress_line(latest, steps)
                done = latest.get("step", 0) if steps else latest.get("elapsed_s", 0.0)
                progress.update(task, completed=done)
            progress.update(task, info=info)
            if current.status in TERMINAL:
                if current.status == RunStatus.SUCCEEDED:
                    progress.update(task, completed=steps or budget_s)
                return current


def _progress_line(latest: dict[str, Any], steps: int | None) -> str:
    head = f"step {latest.get('step')}/{steps or '?'}"
    if "reward" in latest:  # a GRPO run: TRL's metric names
        return (
            f"{head}  reward {latest['reward']:.3f} ± {latest.get('reward_std', 0.0):.3f}"
            f"  zero-std {latest.get('frac_reward_zero_std', 0.0):.2f}"
        )
    return (
        f"{head}  loss {latest.get('loss', 0.0):.4f}  {latest.get('tokens_per_s', 0.0):,.0f} tok/s"
    )


async def _training_figures(
    factory: async_sessionmaker[AsyncSession], run_id: uuid.UUID
) -> tuple[int, float | None, float | None]:
    """(steps, mean tokens/s after the first log window, training seconds) of a finished run."""
    async with factory() as session:
        events = await metrics.read_metrics(session=session, run_id=run_id)
    train = [e.data for e in events if e.event == "train"]
    end = next((e.data for e in reversed(events) if e.event == "end"), None)
    steps = int((end or (train[-1] if train else {})).get("step", 0))
    rates = [float(d["tokens_per_s"]) for d in train[1:] if "tokens_per_s" in d]
    rate = sum(rates) / len(rates) if rates else None
    elapsed = end.get("elapsed_s") if end else None
    return steps, rate, float(elapsed) if isinstance(elapsed, int | float) else None


async def _evaluate(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    run_id: uuid.UUID,
    eval_set: str,
    max_new_tokens: int,
) -> Evaluation:
    request = EvaluateRequest(
        eval_set=eval_set,
        judges=["answer_correctness", "format"],
        primary_judge="answer_correctness",
        max_new_tokens=max_new_tokens,
    )
    async with session_scope(factory) as session:
        evaluation = await evaluation_service.request_evaluation(
            session=session, settings=settings, run_id=run_id, request=request
        )
    with console.status("generating and judging the held-out problems"):
        while True:
            await asyncio.sleep(1.0)
            async with factory() as session:
                current = await evaluation_service.get_evaluation(
                    session=session, evaluation_id=evaluation.id
                )
            if current.status in (EvaluationStatus.SUCCEEDED, EvaluationStatus.FAILED):
                return current


async def train_and_evaluate(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    config: dict[str, Any],
    *,
    label: str,
    eval_set: str,
    max_new_tokens: int,
    examples_per_step: int,
) -> Outcome:
    """Queue ``config`` as the run ``demo-{label}``, follow it, evaluate it on ``eval_set``."""
    async with session_scope(factory) as session:
        queued = await submit_train_run(
            session=session,
            settings=settings,
            body=TrainRunRequest(config=config, name=f"demo-{label}"),
            mode="async",
        )
    assert isinstance(queued, Run)
    console.print(f"run {queued.id} ({label}) queued; logs: tunix-rt runs logs {queued.id}")
    finished = await _follow_training(factory, queued.id, config)
    if finished.status != RunStatus.SUCCEEDED:
        raise fail(f"training run {finished.id} {finished.status}: {finished.error}")
    evaluation = await _evaluate(factory, settings, finished.id, eval_set, max_new_tokens)
    if evaluation.status != EvaluationStatus.SUCCEEDED or evaluation.scorecard is None:
        raise fail(f"evaluation {evaluation.id} failed: {evaluation.error}")
    card = Scorecard.model_validate(evaluation.scorecard).judges["answer_correctness"]
    steps, rate, train_s = await _training_figures(factory, finished.id)
    return Outcome(
        style=label,
        run_id=finished.id,
        steps=steps,
        examples=steps * examples_per_step,
        tokens_per_s=rate,
        train_s=train_s,
        accuracy=card.mean or 0.0,
        ci95=card.ci95,
        by_category=card.by_category,
        evaluation_id=evaluation.id,
    )


@asynccontextmanager
async def platform(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The database (migrated before the worker polls the jobs table) and a worker beside it."""
    async with sessionmaker_for(settings) as factory:
        config = WorkerConfig(concurrency=1)
        worker = Worker(settings=settings, sessionmaker=factory, handlers=HANDLERS, config=config)
        loop = asyncio.create_task(worker.run())
        try:
            yield factory
        finally:
            worker.request_stop(hand_back=True)
            await loop
