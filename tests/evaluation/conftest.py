"""Evaluation test helpers: eval sets, runs with predictions files, a transaction-bound factory."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.factories import make_run

from tunix_rt.datasets import evalsets
from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.db.session import session_scope
from tunix_rt.evaluation import service
from tunix_rt.evaluation.predictions import predictions_path
from tunix_rt.jobs.evaluate import evaluate_job
from tunix_rt.runs import queue
from tunix_rt.runs.execution import new_active
from tunix_rt.runs.handlers import JobFailed
from tunix_rt.runs.models import JobStatus, Run
from tunix_rt.settings import Settings

SECTIONS = ("core", "trace_sensitive", "edge_case")


def eval_items(n: int = 20) -> list[EvalItemIn]:
    """``n`` addition items with sections, categories and difficulties."""
    return [
        EvalItemIn(
            id=f"q{k}",
            prompt=f"What is {k} + {k + 1}?",
            expected_answer=str(2 * k + 1),
            section=SECTIONS[k % 3],  # type: ignore[arg-type]
            category="add" if k % 2 else "sum",
            difficulty="easy" if k < n // 2 else "hard",
        )
        for k in range(n)
    ]


async def register(session: AsyncSession, name: str = "adds", n: int = 20) -> list[EvalItemIn]:
    """Register an eval set of ``n`` items."""
    items = eval_items(n)
    await evalsets.register_eval_set(session=session, name=name, items=items)
    return items


def numbered(answer: str) -> str:
    """A numbered-style completion answering ``answer``."""
    return f"Reasoning:\n1. add the two numbers\nAnswer: {answer}"


def write_predictions(
    run: Run, eval_set: str, items: Sequence[EvalItemIn], wrong: set[int], **extra: Any
) -> Path:
    """Predictions written directly by the test (as generation would): items in ``wrong`` miss."""
    path = predictions_path(Path(run.run_dir), eval_set)
    lines = []
    for k, item in enumerate(items):
        answer = str(int(item.expected_answer) + 1) if k in wrong else item.expected_answer
        doc = {"id": item.id, "prompt": item.prompt, "prediction": numbered(answer)}
        lines.append(json.dumps({**doc, "truncated": False, "tokens": 20, **extra}))
    path.write_text("\n".join(lines) + "\n")
    return path


async def run_with_style(session: AsyncSession, home: Path, **config: Any) -> Run:
    """A succeeded training run whose model was trained in the numbered style."""
    run = await make_run(session, home)
    run.config = {"model": "tiny-llama", "style": "numbered", "template": "chatml", **config}
    await session.flush()
    return run


async def execute_evaluate_run(
    maker: async_sessionmaker[AsyncSession], settings: Settings, evaluation_id: uuid.UUID
) -> dict[str, Any]:
    """Execute an evaluation's ``evaluate`` run as a worker would (claim, handler, finish) and
    return its job's final record. No log sink or heartbeat: the test's sessions share one
    connection, which takes one statement at a time."""
    async with session_scope(maker) as session:
        evaluation = await service.get_evaluation(session=session, evaluation_id=evaluation_id)
        assert evaluation.job_run is not None
        assert evaluation.job_run.job_id is not None
        job = await queue.claim_job(
            session=session, job_id=evaluation.job_run.job_id, worker_id="test", lease_s=60
        )
    assert job is not None
    ctx = new_active(job, settings=settings, sessionmaker=maker, kill_grace_s=10.0).ctx
    outcome: dict[str, Any]
    try:
        outcome = {"status": JobStatus.SUCCEEDED, "result": await evaluate_job(ctx)}
    except JobFailed as exc:
        outcome = {"status": JobStatus.FAILED, "error": str(exc)}
    async with session_scope(maker) as session:
        assert await queue.finish_job(session=session, job=job, worker_id="test", **outcome)
    return outcome


@pytest.fixture
def maker(session: AsyncSession) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's own connection (savepoints), so the test's rows are visible."""
    return async_sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
