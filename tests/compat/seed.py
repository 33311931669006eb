"""Committed data the replayed requests need: a token, the eval-v2 set, a finished run."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.factories import make_run

from tunix_rt.auth import service as auth_service
from tunix_rt.auth.schemas import TokenCreate
from tunix_rt.auth.tokens import Scope
from tunix_rt.datasets import evalsets
from tunix_rt.db.session import create_engine, create_sessionmaker, session_scope
from tunix_rt.evaluation.predictions import predictions_path
from tunix_rt.runs.models import RunLog, RunMetric
from tunix_rt.settings import Settings
from tunix_rt.traces import seeds

INGEST_LINES = 3


async def seed(settings: Settings, ingest_dir: Path) -> dict[str, str]:
    """Seed the database; the ids the placeholders need plus ``token``."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            body = TokenCreate(name=f"compat-{uuid.uuid4().hex[:8]}", scopes=[Scope.ADMIN])
            token = await auth_service.create_token(session=session, body=body, created_by="t")
            items = [evalsets.EvalItemIn.model_validate(i) for i in seeds.eval_v2_items()]
            await evalsets.store_eval_set(session=session, name=seeds.EVAL_V2, items=items)
            run = await make_run(session, settings.home)
            run.config = {"model": "tiny-llama", "style": "numbered", "template": "chatml"}
            _predictions(Path(run.run_dir), items)
            for seq in range(2):  # what a two-step training leaves: log lines, loss events
                session.add(RunLog(run_id=run.id, seq=seq, stream="stdout", line=f"step {seq}"))
                data = {"event": "train", "step": seq + 1, "epoch": 0, "loss": 2.0 - seq}
                session.add(
                    RunMetric(run_id=run.id, seq=seq, event="train", step=seq + 1, data=data)
                )
            run_id = str(run.id)
    finally:
        await engine.dispose()
    _ingest_file(ingest_dir)
    return {"token": token.token, "run_id": run_id}


async def make_token(settings: Settings, scopes: list[Scope]) -> str:
    """A committed token with ``scopes``."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with session_scope(create_sessionmaker(engine)) as session:
            body = TokenCreate(name=f"compat-{uuid.uuid4().hex[:8]}", scopes=scopes)
            made = await auth_service.create_token(session=session, body=body, created_by="t")
    finally:
        await engine.dispose()
    return made.token


def _predictions(run_dir: Path, items: list[evalsets.EvalItemIn]) -> None:
    """Every item answered correctly in the numbered style (as generation would write it)."""
    lines = [
        json.dumps(
            {
                "id": item.id,
                "prompt": item.prompt,
                "prediction": f"Reasoning:\n1. work it out\nAnswer: {item.expected_answer}",
                "truncated": False,
                "tokens": 12,
            }
        )
        for item in items
    ]
    predictions_path(run_dir, seeds.EVAL_V2).write_text("\n".join(lines) + "\n")


def _ingest_file(ingest_dir: Path) -> None:
    """The JSONL file the earlier e2e suite ingested by server path."""
    ingest_dir.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {
                "trace_version": "1.0",
                "prompt": f"Ingest prompt {k}",
                "final_answer": str(k),
                "steps": [{"i": 0, "type": "compute", "content": f"{k} is {k}"}],
                "meta": {"source": "e2e-ingest"},
            }
        )
        for k in range(INGEST_LINES)
    ]
    (ingest_dir / "e2e_ingest.jsonl").write_text("\n".join(lines) + "\n")
