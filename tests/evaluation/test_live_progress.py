"""A running evaluation shows items generated / judged of its total and an ETA, from the
progress file generation and judging keep in its evaluate run's directory."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.evaluation.conftest import (
    execute_evaluate_run,
    register,
    run_with_style,
    write_predictions,
)
from tests.factories import make_evaluation, make_run

from tunix_rt.runs.models import Run, RunStatus
from tunix_rt.settings import Settings
from tunix_rt.training import generate as gen
from tunix_rt.training.config import load_config
from tunix_rt.training.progress import FILE_NAME, read_progress, write_progress
from tunix_rt.training.torch_recipe import train

SMALL = {
    "hidden_size": 16,
    "intermediate_size": 32,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
}


async def test_a_running_evaluation_shows_its_progress_and_eta(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    run = await make_run(session, home)
    evaluation = await make_evaluation(
        session, run, status=RunStatus.RUNNING, eval_set="e", judges=["answer_correctness"],
        primary_judge="answer_correctness",
    )  # fmt: skip
    job_run = await session.get(Run, evaluation.job_run_id)
    assert job_run is not None
    job_dir = home / "runs" / str(job_run.id)
    job_dir.mkdir(parents=True)
    job_run.run_dir = str(job_dir)
    await session.flush()
    url = f"/api/tunix/evaluations/{evaluation.id}"
    assert (await client.get(url)).json()["progress"] is None  # nothing written yet
    started = time.time() - 10.0
    write_progress(job_dir / FILE_NAME, phase="generating", done=20, total=100, started_at=started)
    progress = (await client.get(url)).json()["progress"]
    assert (progress["phase"], progress["generated"], progress["judged"]) == ("generating", 20, 0)
    assert 35 < progress["eta_s"] < 45  # 10 s for 20 items: about 40 s for the other 80
    write_progress(job_dir / FILE_NAME, phase="judging", done=50, total=100, started_at=started)
    judging = (await client.get(f"/api/tunix/runs/{run.id}/evaluation")).json()["progress"]
    assert (judging["generated"], judging["judged"], judging["total"]) == (100, 50, 100)


async def test_judging_keeps_the_progress_file_and_a_finished_evaluation_shows_none(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings, home: Path,
) -> None:  # fmt: skip
    items = await register(session, n=10)
    run = await run_with_style(session, home)
    write_predictions(run, "adds", items, wrong=set())
    created = await client.post(f"/api/tunix/runs/{run.id}/evaluate", json={"eval_set": "adds"})
    evaluation_id = uuid.UUID(created.json()["id"])
    outcome = await execute_evaluate_run(maker, settings, evaluation_id)
    assert outcome["status"] == "succeeded", outcome
    job_run = (await client.get(f"/api/tunix/evaluations/{evaluation_id}")).json()
    assert job_run["progress"] is None
    run_dir = (await client.get(f"/api/tunix/runs/{job_run['job_run_id']}")).json()["run_dir"]
    doc = read_progress(Path(run_dir) / FILE_NAME)
    assert doc is not None
    assert (doc.phase, doc.done, doc.total) == ("judging", 10, 10)


def test_generation_writes_its_progress_per_batch(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    rows = [
        {"prompt": f"What is {n} + 1?", "final_answer": str(n + 1), "steps": [], "split": "train"}
        for n in range(8)
    ]
    data.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    config = {
        "model": "tiny-llama", "model_overrides": SMALL, "data_path": str(data), "max_steps": 1,
        "batch_size": 4, "num_threads": 1, "output_dir": str(tmp_path / "run"),
    }  # fmt: skip
    train(load_config(config))
    lines = [json.dumps({"id": f"q{n}", "prompt": f"What is {n} + 2?"}) for n in range(5)]
    (tmp_path / "eval.jsonl").write_text("\n".join(lines) + "\n")
    final, eval_file = tmp_path / "run" / "final", tmp_path / "eval.jsonl"
    seen: list[int] = []
    gen.predict(
        final, gen.load_items(eval_file), on_batch=seen.append, max_new_tokens=2, batch_size=2
    )
    assert seen == [2, 4, 5]  # after each batch of 2
    progress = tmp_path / FILE_NAME
    gen.run(final, eval_file, tmp_path / "p.jsonl", progress=progress, max_new_tokens=2)
    doc = read_progress(progress)
    assert doc is not None
    assert (doc.phase, doc.done, doc.total) == ("generating", 5, 5)
