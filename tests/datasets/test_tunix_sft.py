"""Tunix SFT endpoints: the seed's Gemma layout, and a config the recipe loads as is."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import store

from tunix_rt.traces.schemas import TraceCreate
from tunix_rt.training.config import load_config

TRACE = TraceCreate(
    prompt="What is 27 * 14?",
    steps=[
        {"i": 0, "type": "compute", "content": "27 * 10 = 270"},
        {"i": 1, "type": "compute", "content": "27 * 4 = 108"},
        {"i": 2, "type": "compute", "content": "270 + 108 = 378"},
    ],
    final_answer="378",
    meta={"category": "mul"},
)
# SPEC.md: Gemma turns around the seed's numbered style, written out by hand.
GEMMA_TEXT = (
    "<start_of_turn>user\nWhat is 27 * 14?<end_of_turn>\n"
    "<start_of_turn>model\n"
    "Reasoning:\n1. 27 * 10 = 270\n2. 27 * 4 = 108\n3. 270 + 108 = 378\nAnswer: 378"
    "<end_of_turn>"
)


async def test_tunix_sft_export_matches_the_gemma_layout(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    [trace_id] = await store(session, [TRACE])
    built = await client.post("/api/datasets/build", json={"name": "sft"})
    assert built.status_code == 201, built.text
    response = await client.post("/api/tunix/sft/export", json={"dataset_key": "sft-v1"})
    assert response.status_code == 200, response.text
    [row] = [orjson.loads(line) for line in response.content.splitlines()]
    assert row == {
        "id": str(trace_id),
        "prompts": GEMMA_TEXT,
        "final_answer": "378",
        "metadata": {"category": "mul", "split": "train"},
    }
    via_get = await client.get("/api/datasets/sft-v1/export.jsonl?format=tunix_sft")
    assert via_get.content == response.content
    missing = await client.post("/api/tunix/sft/export", json={"dataset_key": "nope"})
    assert missing.status_code == 404


async def test_sft_manifest_is_a_loadable_training_config(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await store(session, [TRACE])
    await client.post("/api/datasets/build", json={"name": "sft"})
    body = {"dataset_key": "sft-v1", "max_steps": 20, "template": "gemma", "batch_size": 4}
    response = await client.post("/api/tunix/sft/manifest", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/yaml")
    path = tmp_path / "train.yaml"
    path.write_text(response.text)
    config = load_config(path)
    assert (config.dataset, config.max_steps, config.batch_size) == ("sft-v1", 20, 4)
    bad = await client.post(
        "/api/tunix/sft/manifest", json={"dataset_key": "sft-v1", "learning_rat": 1}
    )
    assert bad.status_code == 422
    assert "learning_rat" in bad.text
