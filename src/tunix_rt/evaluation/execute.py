"""Executing an evaluation: predictions (generated when missing), judging, storing the results.

Results, per-judge scores and the scorecard are written in one transaction at the end, so an
evaluation is either complete or failed with its reason; never half-written. An unreachable
LLM judge fails the evaluation and nothing is scored.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.datasets import evalsets
from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.db.session import session_scope
from tunix_rt.errors import TunixRtError
from tunix_rt.evaluation import predictions as preds
from tunix_rt.evaluation.judges import JudgeFn, build_judges
from tunix_rt.evaluation.judges.llm_judge import JudgeUnavailable, LlmJudgeConfig
from tunix_rt.evaluation.judges.types import JudgeItem, Prediction
from tunix_rt.evaluation.models import (
    Evaluation,
    EvaluationResult,
    EvaluationScore,
)
from tunix_rt.evaluation.scorecard import ItemOutcome, build_scorecard
from tunix_rt.evaluation.service import get_evaluation
from tunix_rt.runs import service as runs_service
from tunix_rt.settings import Settings
from tunix_rt.training.progress import write_progress

Log = Callable[[str], Awaitable[None]]
Spawn = Callable[[list[str]], Awaitable[int]]


class EvaluationFailed(TunixRtError):
    """The evaluation could not be completed; the job records the reason on its run."""


class EvaluationCancelled(TunixRtError):
    """The evaluation was cancelled before it finished."""


@dataclass(frozen=True)
class Plan:
    """What one execution needs, read once from the database."""

    evaluation_id: uuid.UUID
    run_dir: Path
    config: Mapping[str, Any]
    eval_set: str
    judges: list[str]
    primary: str
    seed: int
    items: list[JudgeItem]
    options: Mapping[str, Any]


def llm_config(settings: Settings) -> LlmJudgeConfig:
    """The LLM judge's endpoint from the deployment settings."""
    return LlmJudgeConfig(
        base_url=settings.judge_base_url,
        model=settings.judge_model,
        api_key=settings.judge_api_key.get_secret_value(),
        timeout_s=settings.judge_timeout_s,
    )


async def _start(
    session: AsyncSession, evaluation_id: uuid.UUID, given: Mapping[str, Any] | None
) -> Plan:
    evaluation = await get_evaluation(session=session, evaluation_id=evaluation_id)
    run = await runs_service.get_run(session=session, run_id=evaluation.run_id)
    items = await evalsets.list_eval_items(session=session, name=evaluation.eval_set)
    # Generation options: given by the caller (CLI), else the request kept on the evaluate run.
    options: Mapping[str, Any] = given or {}
    if given is None and evaluation.job_run_id is not None:
        job_run = await runs_service.get_run(session=session, run_id=evaluation.job_run_id)
        options = job_run.config
    return Plan(
        evaluation_id=evaluation.id,
        run_dir=Path(run.run_dir),
        config=run.config,
        eval_set=evaluation.eval_set,
        judges=list(evaluation.judges),
        primary=evaluation.primary_judge,
        seed=evaluation.seed,
        items=[
            JudgeItem(i.id, i.prompt, i.expected_answer, i.section, i.category, i.difficulty)
            for i in items
        ],
        options=options,
    )


async def ensure_predictions(
    plan: Plan,
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    spawn: Spawn,
    log: Log,
    progress: Path | None = None,
) -> Path:
    """The run's predictions file on the eval set, generating it when missing (or asked to);
    generation keeps the ``progress`` file current when given."""
    out = preds.predictions_path(plan.run_dir, plan.eval_set)
    if out.is_file() and not plan.options.get("regenerate"):
        await log(f"using existing predictions {out}")
        return out
    model_dir = plan.run_dir / "final"
    if not model_dir.is_dir():
        raise EvaluationFailed(
            f"run has no final model ({model_dir}) and no predictions file ({out.name})"
        )
    eval_file = preds.eval_file_path(plan.run_dir, plan.eval_set)
    async with session_scope(sessionmaker) as session:
        await evalsets.write_eval_file(session=session, name=plan.eval_set, path=eval_file)
    argv = [sys.executable, "-m", "tunix_rt.training.generate", "--model", str(model_dir)]
    argv += ["--eval-file", str(eval_file), "--out", str(out)]
    if plan.options.get("max_new_tokens"):
        argv += ["--max-new-tokens", str(plan.options["max_new_tokens"])]
    if progress is not None:
        argv += ["--progress", str(progress)]
    await log("generating: " + " ".join(argv[1:]))
    code = await spawn(argv)
    if code != 0 or not out.is_file():
        raise EvaluationFailed(f"generation exited with {code}")
    return out


def judge_items(
    items: Sequence[JudgeItem],
    rows: Mapping[str, preds.PredictionRow],
    judges: Mapping[str, JudgeFn],
    *,
    style: TraceStyle | None,
    template: ChatTemplate | None,
    stop: threading.Event | None = None,
    on_item: Callable[[int], None] | None = None,
) -> list[ItemOutcome]:
    """Every judge's verdict on every item (raises ``JudgeUnavailable``, ``EvaluationFailed``);
    ``on_item`` is called with the count judged so far after each item."""
    missing = [item.id for item in items if item.id not in rows]
    if missing:
        raise EvaluationFailed(
            f"the predictions lack {len(missing)} of {len(items)} items (first: {missing[0]!r})"
        )
    outcomes = []
    for item in items:
        if stop is not None and stop.is_set():
            raise EvaluationCancelled("evaluation cancelled")
        row = rows[item.id]
        prediction = Prediction(row.prediction, row.truncated, style, template)
        outcomes.append(
            ItemOutcome(item, {name: fn(item, prediction) for name, fn in judges.items()})
        )
        if on_item is not None:
            on_item(len(outcomes))
    return outcomes


def judging_progress(path: Path, total: int) -> Callable[[int], None]:
    """Writes the judged count to the progress file about 50 times over ``total`` items."""
    started, every = time.time(), max(1, total // 50)

    def report(done: int) -> None:
        if done % every == 0 or done == total:
            write_progress(path, phase="judging", done=done, total=total, started_at=started)

    report(0)
    return report


def _result_rows(
    evaluation_id: uuid.UUID,
    outcomes: Sequence[ItemOutcome],
    primary: str,
    rows: Mapping[str, preds.PredictionRow],
) -> list[dict[str, Any]]:
    out = []
    for position, outcome in enumerate(outcomes):
        item, main = outcome.item, outcome.verdicts[primary]
        out.append(
            {
                "evaluation_id": evaluation_id,
                "item_id": item.id,
                "position": position,
                "section": item.section,
                "category": item.category,
                "difficulty": item.difficulty,
                "prompt": item.prompt,
                "expected": item.expected_answer,
                "prediction": rows[item.id].prediction,
                "truncated": rows[item.id].truncated,
                "tokens": rows[item.id].tokens,
                "extracted": main.extracted,
                "label": main.label,
                "score": main.score,
                "verdicts": {name: v.to_json() for name, v in outcome.verdicts.items()},
            }
        )
    return out


async def _store(
    session: AsyncSession,
    plan: Plan,
    outcomes: Sequence[ItemOutcome],
    rows: Mapping[str, preds.PredictionRow],
    path: Path,
) -> Evaluation:
    card = build_scorecard(outcomes, judges=plan.judges, primary=plan.primary, seed=plan.seed)
    evaluation = await get_evaluation(session=session, evaluation_id=plan.evaluation_id)
    for table in (EvaluationResult, EvaluationScore):
        await session.execute(delete(table).where(table.evaluation_id == plan.evaluation_id))
    if outcomes:
        await session.execute(
            insert(EvaluationResult), _result_rows(plan.evaluation_id, outcomes, plan.primary, rows)
        )
    for name, judge_card in card.judges.items():
        low, high = judge_card.ci95 or (None, None)
        score = EvaluationScore(evaluation_id=plan.evaluation_id, judge=name)
        score.score, score.scored = judge_card.mean, judge_card.scored
        score.ci_low, score.ci_high = low, high
        session.add(score)
    low, high = card.ci95 or (None, None)
    evaluation.primary_score, evaluation.ci_low, evaluation.ci_high = card.primary_score, low, high
    evaluation.n_items, evaluation.scorecard = card.n_items, card.model_dump(mode="json")
    evaluation.predictions_path = str(path)
    await session.flush()
    return evaluation


async def execute_evaluation(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    evaluation_id: uuid.UUID,
    spawn: Spawn,
    log: Log,
    cancelled: asyncio.Event | None = None,
    options: Mapping[str, Any] | None = None,
    progress: Path | None = None,
) -> Evaluation:
    """Run one evaluation to the end; ``EvaluationFailed`` when it cannot finish (its run, whose
    status is the evaluation's, records the reason). ``progress``: the file (in the evaluate
    run's directory) that generation and judging keep current (training/progress.py)."""
    async with session_scope(sessionmaker) as session:
        plan = await _start(session, evaluation_id, options)
    stop = threading.Event()
    try:
        path = await ensure_predictions(
            plan, sessionmaker=sessionmaker, spawn=spawn, log=log, progress=progress
        )
        rows = preds.read_predictions(path)
        style, template = preds.trained_style(plan.run_dir, plan.config)
        await log(f"judging {len(plan.items)} items with {', '.join(plan.judges)} (style {style})")
        fns, to_close = build_judges(plan.judges, llm_config=llm_config(settings))
        try:
            watcher = asyncio.create_task(_relay(cancelled, stop)) if cancelled else None
            outcomes = await asyncio.to_thread(
                judge_items, plan.items, rows, fns, style=style, template=template, stop=stop,
                on_item=None if progress is None else judging_progress(progress, len(plan.items)),
            )  # fmt: skip
        finally:
            stop.set()
            if watcher is not None:
                watcher.cancel()
            for judge in to_close:
                judge.close()
        async with session_scope(sessionmaker) as session:
            evaluation = await _store(session, plan, outcomes, rows, path)
    except (EvaluationFailed, EvaluationCancelled, JudgeUnavailable, TunixRtError) as exc:
        raise EvaluationFailed(str(exc)) from exc
    await log(f"evaluation {evaluation_id}: {plan.primary} = {evaluation.primary_score}")
    return evaluation


async def _relay(cancelled: asyncio.Event, stop: threading.Event) -> None:
    await cancelled.wait()
    stop.set()
