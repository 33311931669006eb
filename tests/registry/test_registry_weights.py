"""``registry://`` hands a training run exactly the weights the promoted run produced."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import torch
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.factories import make_run
from transformers import AutoModelForCausalLM

from tunix_rt.jobs.train import resolve_model
from tunix_rt.runs.handlers import JobContext
from tunix_rt.settings import Settings
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.tiny import build_model


async def test_registry_uri_loads_the_promoted_weights(
    client: httpx.AsyncClient, session: AsyncSession, home: Path, settings: Settings
) -> None:
    run = await make_run(session, home)
    final = Path(run.run_dir) / "final"
    for stale in final.iterdir():
        stale.unlink()
    original = build_model("tiny-llama", vocab_size=40)
    original.save_pretrained(final)
    await client.post("/api/models", json={"name": "tutor"})
    promoted = await client.post(
        "/api/models/tutor/versions/promote", json={"run_id": str(run.id), "aliases": ["champion"]}
    )
    assert promoted.status_code == 201, promoted.text

    factory = async_sessionmaker(
        bind=session.bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    ctx = JobContext(
        job_id=run.id,
        run_id=None,
        kind="train",
        payload={},
        settings=settings,
        sessionmaker=factory,
        run_dir=home / "scratch",
    )
    cfg = TrainConfig(model="registry://tutor/champion", data_path="x.jsonl", max_steps=1)
    resolved = await resolve_model(ctx, cfg)
    assert resolved.model != cfg.model
    loaded = await asyncio.to_thread(AutoModelForCausalLM.from_pretrained, resolved.model)
    for name, tensor in original.state_dict().items():
        assert torch.equal(tensor, loaded.state_dict()[name]), name
