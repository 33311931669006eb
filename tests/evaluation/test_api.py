"""Evaluation and regression HTTP API on both databases."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.evaluation.chat_server import chat_server, closed_port_url
from tests.evaluation.conftest import (
    execute_evaluate_run,
    register,
    run_with_style,
    write_predictions,
)

from tunix_rt.runs.models import Run, RunMetric
from tunix_rt.settings import Settings


async def _evaluated(
    client: httpx.AsyncClient,
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    run: Run,
    **body: object,
) -> dict[str, object]:
    response = await client.post(
        f"/api/tunix/runs/{run.id}/evaluate", json={"eval_set": "adds", **body}
    )
    assert response.status_code == 202, response.text
    doc = response.json()
    assert doc["status"] == "queued"
    import uuid

    evaluation_id = uuid.UUID(str(doc["id"]))
    await execute_evaluate_run(maker, settings, evaluation_id)
    got = await client.get(f"/api/tunix/runs/{run.id}/evaluation")
    assert got.status_code == 200
    result: dict[str, object] = got.json()
    return result


async def test_evaluate_then_read_scorecard_items_and_leaderboard(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings, home: Path,
) -> None:  # fmt: skip
    items = await register(session)
    good = await run_with_style(session, home, learning_rate=0.001)
    bad = await run_with_style(session, home, learning_rate=0.1)
    write_predictions(good, "adds", items, wrong={1})
    write_predictions(bad, "adds", items, wrong=set(range(12)))
    doc = await _evaluated(client, maker, settings, good)
    assert doc["status"] == "succeeded"
    assert doc["primary_score"] == 0.95
    card = doc["scorecard"]
    assert isinstance(card, dict)
    assert card["n_items"] == 20
    await _evaluated(client, maker, settings, bad)
    wrong = await client.get(
        f"/api/tunix/runs/{bad.id}/evaluation/items", params={"label": "wrong", "limit": 5}
    )
    page = wrong.json()
    assert [r["item_id"] for r in page["data"]] == ["q0", "q1", "q2", "q3", "q4"]
    assert page["pagination"]["next_offset"] == 5
    assert page["data"][0]["verdicts"]["answer_correctness"]["extracted"] == "2"
    board = (await client.get("/api/tunix/evaluations", params={"eval_set": "adds"})).json()
    rows = board["data"]
    assert [r["run_id"] for r in rows] == [str(good.id), str(bad.id)]
    low, high = rows[0]["ci95"]
    assert low <= rows[0]["score"] <= high
    assert rows[0]["scores"]["answer_correctness"]["ci95"] == rows[0]["ci95"]
    ascending = (await client.get("/api/tunix/evaluations", params={"order": "asc"})).json()
    assert ascending["data"][0]["run_id"] == str(bad.id)
    by_config = (await client.get("/api/tunix/evaluations", params={"config": "0.1"})).json()
    assert [r["run_id"] for r in by_config["data"]] == [str(bad.id)]
    await _evaluated(client, maker, settings, good)
    every = (await client.get("/api/tunix/evaluations", params={"all_evaluations": True})).json()
    assert len(every["data"]) == 3
    latest = (await client.get("/api/tunix/evaluations")).json()
    assert len(latest["data"]) == 2
    by_format = (await client.get("/api/tunix/evaluations", params={"sort": "format"})).json()
    assert by_format["data"][0]["judge"] == "format"


async def test_bad_requests_name_the_field(
    client: httpx.AsyncClient, session: AsyncSession, home: Path
) -> None:
    run = await run_with_style(session, home)
    response = await client.post(
        f"/api/tunix/runs/{run.id}/evaluate", json={"eval_set": "nope", "judges": ["x"]}
    )
    assert response.status_code == 422
    locs = {tuple(d["loc"]) for d in response.json()["detail"]}
    assert locs == {("eval_set",), ("judges", 0)}
    extra = await client.post(
        f"/api/tunix/runs/{run.id}/evaluate", json={"eval_set": "a", "bogus": 1}
    )
    assert extra.status_code == 422
    assert "bogus" in extra.text
    missing = await client.get(f"/api/tunix/runs/{run.id}/evaluation")
    assert missing.status_code == 404
    sort = await client.get("/api/tunix/evaluations", params={"sort": "vibes"})
    assert sort.status_code == 422
    assert sort.json()["detail"][0]["loc"] == ["sort"]


async def test_compare_and_regression_gate(
    client: httpx.AsyncClient, session: AsyncSession, maker: async_sessionmaker[AsyncSession],
    settings: Settings, home: Path,
) -> None:  # fmt: skip
    items = await register(session, n=40)
    base = await run_with_style(session, home, learning_rate=0.001)
    worse = await run_with_style(session, home, learning_rate=0.5)
    same = await run_with_style(session, home, learning_rate=0.002)
    write_predictions(base, "adds", items, wrong={0})
    write_predictions(worse, "adds", items, wrong=set(range(20)))
    write_predictions(same, "adds", items, wrong={1})
    for run in (base, worse, same):
        await _evaluated(client, maker, settings, run)
    for step, loss in ((10, 2.0), (20, 1.5)):
        session.add(
            RunMetric(run_id=base.id, seq=step, event="train", step=step, data={"loss": loss})
        )
    await session.flush()
    diff = (
        await client.get("/api/tunix/runs/compare", params={"a": str(base.id), "b": str(worse.id)})
    ).json()
    assert diff["loss_curves"]["a"] == [[10, 2.0], [20, 1.5]]
    assert diff["config_diff"] == [{"key": "learning_rate", "a": 0.001, "b": 0.5}]
    counts = {k: diff["items"][k] for k in ("fixed", "broken", "both_right", "both_wrong")}
    assert counts == {"fixed": 0, "broken": 19, "both_right": 20, "both_wrong": 1}
    assert diff["items"]["test"] == "mcnemar_exact"
    assert diff["items"]["p_value"] < 0.001
    created = await client.post(
        "/api/regression/baselines",
        json={"name": "main", "run_id": str(base.id), "eval_set": "adds"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["score"] == 39 / 40
    dup = await client.post(
        "/api/regression/baselines",
        json={"name": "main", "run_id": str(base.id), "eval_set": "adds"},
    )
    assert dup.status_code == 409
    fail = (
        await client.post(
            "/api/regression/check", json={"baseline": "main", "run_id": str(worse.id)}
        )
    ).json()
    assert fail["verdict"] == "fail"
    assert fail["exceeds_tolerance"]
    assert fail["significant"]
    ok = (
        await client.post(
            "/api/regression/check", json={"baseline": "main", "run_id": str(same.id)}
        )
    ).json()
    assert ok["verdict"] == "pass"
    loose_body = {"baseline": "main", "run_id": str(worse.id), "tolerance": 0.6}
    loose = (await client.post("/api/regression/check", json=loose_body)).json()
    assert loose["verdict"] == "pass"
    assert "within the tolerance" in loose["reason"]


async def test_judge_endpoint_health(client: httpx.AsyncClient, settings: Settings) -> None:
    response = await client.get("/api/redi/health")
    assert response.json()["status"] == "not_configured"
    app = client._transport.app  # type: ignore[attr-defined]
    with chat_server([(200, "{}", 0)]) as (url, _):
        app.state.settings = settings.model_copy(update={"judge_base_url": url, "judge_model": "j"})
        healthy = await client.get("/api/redi/health")
    assert healthy.status_code == 200
    assert healthy.json()["status"] == "ok"
    app.state.settings = settings.model_copy(
        update={"judge_base_url": closed_port_url(), "judge_timeout_s": 1.0}
    )
    down = await client.get("/api/redi/health")
    assert down.status_code == 503
    assert down.json()["status"] == "unreachable"
