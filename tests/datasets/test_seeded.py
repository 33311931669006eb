"""A dataset built from the seeded dev-reasoning-v2 collection, checked against eval-v2."""

from __future__ import annotations

import io
from functools import cache

import httpx
import orjson
import pyarrow.parquet as pq
from sqlalchemy.ext.asyncio import AsyncSession
from tests.datasets.factories import store

from tunix_rt.datasets import evalsets
from tunix_rt.datasets.render import TraceStyle, parse_completion
from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.traces import seeds
from tunix_rt.traces.schemas import TraceCreate


@cache
def _collection() -> tuple[TraceCreate, ...]:
    return tuple(seeds.COLLECTIONS["dev-reasoning-v2"]())


async def test_dev_reasoning_v2_exports_in_every_format(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    traces = _collection()
    await store(session, traces)
    items = [EvalItemIn.model_validate(i) for i in seeds.eval_v2_items()]
    await evalsets.register_eval_set(session=session, name=seeds.EVAL_V2, items=items)
    body = {
        "name": "dev",
        "filters": {"tags": ["dev-reasoning-v2"]},
        "strategy": "stratified",
        "stratify_by": "category",
        "seed": 1,
        "eval_fraction": 0.1,
    }
    built = await client.post("/api/datasets/build", json=body)
    assert built.status_code == 201, built.text
    manifest = built.json()["manifest"]
    assert manifest["record_count"] == len(traces)
    assert manifest["contamination"]["eval_sets"] == [seeds.EVAL_V2]
    # The seeds never share a prompt with eval-v2; templated word problems share only their
    # wording (at most ~78% of 8-grams), below the default threshold of 0.8.
    assert manifest["contamination"]["overlap_count"] == 0
    url = "/api/datasets/dev-v1/export.jsonl"
    for fmt in ("trace", "tunix_sft", "training_example", "chat"):
        response = await client.get(url, params={"format": fmt})
        assert response.status_code == 200
        assert len(response.content.splitlines()) == len(traces), fmt
    sft = [
        orjson.loads(x)
        for x in (await client.get(url, params={"format": "tunix_sft"})).content.splitlines()
    ]
    for row in sft:
        completion = row["prompts"].split("<start_of_turn>model\n", 1)[1]
        parsed = parse_completion(completion, style=TraceStyle.NUMBERED)
        assert parsed.answer == row["final_answer"]
    parquet = await client.get("/api/datasets/dev-v1/export.parquet")
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == len(traces)
