"""The evaluation browser's items: filters on any judge, truncation, totals, first wrong step."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.evaluation.conftest import execute_evaluate_run, register, run_with_style

from tunix_rt.evaluation.predictions import predictions_path
from tunix_rt.settings import Settings


def _prediction(k: int, expected: str) -> dict[str, Any]:
    a, b = k, k + 1
    if k % 4 == 0:  # a wrong second step, and a wrong answer
        body = f"Reasoning:\n1. take {a} and {b}\n2. {a} + {b} = {a + b + 1}\nAnswer: {a + b + 1}"
    else:
        body = f"Reasoning:\n1. take {a} and {b}\n2. {a} + {b} = {a + b}\nAnswer: {expected}"
    return {"prediction": body, "truncated": k % 5 == 0, "tokens": 10 + k}


async def _evaluation(
    client: httpx.AsyncClient, session: AsyncSession, maker: Any, settings: Settings, home: Path
) -> str:
    items = await register(session, n=20)
    run = await run_with_style(session, home)
    lines = [
        json.dumps({"id": item.id, "prompt": item.prompt, **_prediction(k, item.expected_answer)})
        for k, item in enumerate(items)
    ]
    predictions_path(Path(run.run_dir), "adds").write_text("\n".join(lines) + "\n")
    body = {"eval_set": "adds", "judges": ["answer_correctness", "step_check"]}
    response = await client.post(f"/api/tunix/runs/{run.id}/evaluate", json=body)
    assert response.status_code == 202, response.text
    evaluation_id = response.json()["id"]
    outcome = await execute_evaluate_run(maker, settings, uuid.UUID(evaluation_id))
    assert outcome["status"] == "succeeded", outcome
    return str(evaluation_id)


async def test_items_filter_on_any_judge_and_count_every_match(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings, home: Path,
) -> None:  # fmt: skip
    evaluation_id = await _evaluation(client, session, maker, settings, home)
    url = f"/api/tunix/evaluations/{evaluation_id}/items"
    page = (await client.get(url, params={"limit": 3})).json()
    assert page["pagination"]["total"] == 20
    assert len(page["data"]) == 3
    wrong_steps = (await client.get(url, params={"judge": "step_check", "correct": False})).json()
    assert wrong_steps["pagination"]["total"] == 5  # k = 0, 4, 8, 12, 16
    labels = await client.get(url, params={"judge": "step_check", "label": "wrong_step"})
    assert [i["item_id"] for i in labels.json()["data"]] == ["q0", "q4", "q8", "q12", "q16"]
    right = (await client.get(url, params={"correct": True})).json()  # the primary judge
    assert right["pagination"]["total"] == 12  # wrong: k % 4 == 0, and truncated: k % 5 == 0
    cut = (await client.get(url, params={"truncated": True})).json()
    assert [i["item_id"] for i in cut["data"]] == ["q0", "q5", "q10", "q15"]
    both = (await client.get(url, params={"truncated": True, "search": "15"})).json()
    assert both["pagination"]["total"] == 1
    unknown = await client.get(url, params={"judge": "trace_format"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["judge"]


async def test_an_item_shows_its_length_and_first_wrong_step(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings, home: Path,
) -> None:  # fmt: skip
    evaluation_id = await _evaluation(client, session, maker, settings, home)
    url = f"/api/tunix/evaluations/{evaluation_id}/items"
    first, second = (await client.get(url, params={"limit": 2})).json()["data"]
    assert (first["tokens"], first["steps"], first["truncated"]) == (10, 2, True)
    wrong = first["first_wrong_step"]
    assert wrong["step"] == 2
    start, end = wrong["span"]
    assert first["prediction"][start:end] == "0 + 1 = 2"
    assert "step 2" in wrong["reason"]
    assert second["first_wrong_step"] is None
    assert second["steps"] == 2
