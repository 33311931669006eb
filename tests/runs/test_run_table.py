"""The runs table: metric columns sortable, search, tags (edited, filtered), filters, totals;
and a training run's progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import add_run, make_evaluation

from tunix_rt.runs.models import Run, RunMetric, RunStatus


async def _run(session: AsyncSession, name: str, events: list[dict[str, Any]], **kw: Any) -> Run:
    run = await add_run(session, name=name, **kw)
    for seq, data in enumerate(events):
        session.add(
            RunMetric(run_id=run.id, seq=seq, event=data["event"], step=data["step"], data=data)
        )
    await session.flush()
    return run


def _train(*losses: float, eval_loss: float | None = None, end: float | None = None) -> Any:
    out: list[dict[str, Any]] = [
        {"event": "train", "step": n + 1, "loss": v, "elapsed_s": n + 1.0, "tokens_per_s": 50.0}
        for n, v in enumerate(losses)
    ]
    if eval_loss is not None:
        out.append({"event": "eval", "step": len(losses), "eval_loss": eval_loss})
    if end is not None:
        out.append({"event": "end", "step": len(losses), "loss": end})
    return out


@pytest.fixture
async def runs(session: AsyncSession, home: Path) -> dict[str, Run]:
    """Three training runs with known metrics, one RL run with a reward, one evaluated."""
    a = await _run(session, "alpha", _train(4.0, 3.0, end=2.5), config={"max_steps": 10})
    b = await _run(session, "beta", _train(5.0, 1.0, eval_loss=1.5, end=1.2))
    c = await _run(session, "gamma-rl", [
        {"event": "train", "step": 1, "loss": 0.3, "reward": 0.25},
        {"event": "train", "step": 2, "loss": 0.2, "reward": 0.75},
    ], config={"algorithm": "grpo", "eval_set": "adds"}, status=RunStatus.RUNNING)  # fmt: skip
    a.backend = "torch"
    await make_evaluation(
        session, b, eval_set="adds", judges=["answer_correctness"],
        primary_judge="answer_correctness", primary_score=0.8, ci_low=0.7, ci_high=0.9,
    )  # fmt: skip
    await session.flush()
    return {"a": a, "b": b, "c": c}


def _names(body: dict[str, Any]) -> list[str]:
    return [r["name"] for r in body["data"] if r["kind"] == "train"]


async def test_metric_columns_are_computed_from_the_stored_events(
    client: httpx.AsyncClient, runs: dict[str, Run]
) -> None:
    body = (await client.get("/api/tunix/runs", params={"kind": "train"})).json()
    rows = {r["name"]: r["metrics"] for r in body["data"]}
    assert rows["alpha"]["final_loss"] == 2.5  # the end event, not the last logged 3.0
    assert rows["alpha"]["best_loss"] == 3.0
    assert rows["beta"]["eval_loss"] == 1.5
    assert rows["beta"]["primary_score"] == 0.8
    assert rows["beta"]["ci95"] == [0.7, 0.9]
    assert rows["beta"]["primary_judge"] == "answer_correctness"
    assert rows["gamma-rl"]["reward"] == 0.75
    assert rows["gamma-rl"]["final_loss"] == 0.2
    assert body["pagination"]["total"] == 3


@pytest.mark.parametrize(
    ("sort", "order", "names"),
    [
        ("final_loss", "asc", ["gamma-rl", "beta", "alpha"]),
        ("best_loss", "desc", ["alpha", "beta", "gamma-rl"]),
        ("eval_loss", "asc", ["beta", "gamma-rl", "alpha"]),  # no value: last, newest first
        ("primary_score", "desc", ["beta", "gamma-rl", "alpha"]),
        ("reward", "desc", ["gamma-rl", "beta", "alpha"]),
        ("name", "asc", ["alpha", "beta", "gamma-rl"]),
    ],
)
async def test_sort_on_any_column(
    client: httpx.AsyncClient, runs: dict[str, Run], sort: str, order: str, names: list[str]
) -> None:
    params = {"kind": "train", "sort": sort, "order": order}
    body = (await client.get("/api/tunix/runs", params=params)).json()
    assert _names(body) == names


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"q": "alp"}, ["alpha"]),
        ({"algorithm": "grpo"}, ["gamma-rl"]),
        ({"algorithm": "sft"}, ["beta", "alpha"]),
        ({"backend": "torch"}, ["alpha"]),
        ({"eval_set": "adds"}, ["gamma-rl", "beta"]),  # configured with it, or evaluated on it
        ({"status": "running"}, ["gamma-rl"]),
    ],
)
async def test_filters_and_search(
    client: httpx.AsyncClient, runs: dict[str, Run], params: dict[str, str], names: list[str]
) -> None:
    body = (await client.get("/api/tunix/runs", params={"kind": "train", **params})).json()
    assert _names(body) == names
    assert body["pagination"]["total"] == len(names)


async def test_search_by_id_prefix(client: httpx.AsyncClient, runs: dict[str, Run]) -> None:
    prefix = str(runs["b"].id)[:8]
    body = (await client.get("/api/tunix/runs", params={"q": prefix})).json()
    assert [r["id"] for r in body["data"]] == [str(runs["b"].id)]


async def test_tags_are_edited_and_filtered(
    client: httpx.AsyncClient, runs: dict[str, Run]
) -> None:
    url = f"/api/tunix/runs/{runs['a'].id}"
    edited = await client.patch(url, json={"tags": [" baseline ", "lr-1e-3", "baseline"]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["tags"] == ["baseline", "lr-1e-3"]
    await client.patch(f"/api/tunix/runs/{runs['b'].id}", json={"tags": ["baseline"]})
    both = (await client.get("/api/tunix/runs", params={"tag": "baseline"})).json()
    assert sorted(_names(both)) == ["alpha", "beta"]
    one = await client.get("/api/tunix/runs", params=[("tag", "baseline"), ("tag", "lr-1e-3")])
    assert _names(one.json()) == ["alpha"]
    assert one.json()["data"][0]["tags"] == ["baseline", "lr-1e-3"]
    bad = await client.patch(url, json={"tags": ["ok", "  "]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["tags", 1]
    cleared = await client.patch(url, json={"tags": []})
    assert cleared.json()["tags"] == []
    missing = await client.patch(
        "/api/tunix/runs/5d0c1d47-0000-4000-8000-000000000000", json={"tags": []}
    )
    assert missing.status_code == 404


async def test_a_bad_sort_is_refused_by_name(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/tunix/runs", params={"sort": "loss"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["sort"]


async def test_progress_reads_step_of_total_eta_and_tokens_per_second(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    run = await _run(
        session, "live", _train(3.0, 2.0), config={"max_steps": 8}, status=RunStatus.RUNNING
    )
    progress = (await client.get(f"/api/tunix/runs/{run.id}/progress")).json()
    assert (progress["step"], progress["total_steps"]) == (2, 8)
    assert progress["fraction"] == 0.25
    assert progress["eta_s"] == 6.0  # 1 s a step, 6 steps left
    assert progress["tokens_per_s"] == 50.0
    timed = await _run(
        session, "timed", _train(3.0), config={"time_budget_s": 10}, status=RunStatus.RUNNING
    )
    budget = (await client.get(f"/api/tunix/runs/{timed.id}/progress")).json()
    assert (budget["fraction"], budget["eta_s"]) == (0.1, 9.0)
