"""Sweeps: creation validates the space against the training config; start, cancel, best."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.tuning import service
from tunix_rt.tuning.models import TuningTrial

SWEEP = {
    "name": "lr-sweep",
    "dataset_key": "arith@1",
    "base_model": "tiny-llama",
    "base_config": {"max_steps": 4, "batch_size": 4},
    "metric": "loss",
    "mode": "min",
    "num_samples": 4,
    "max_concurrent_trials": 2,
    "search_space": {
        "learning_rate": {"type": "loguniform", "min": 1e-4, "max": 1e-2},
        "batch_size": {"type": "choice", "values": [2, 4]},
    },
}


async def test_unknown_hyperparameter_is_refused_by_name(client: httpx.AsyncClient) -> None:
    body = {
        **SWEEP,
        "search_space": {**SWEEP["search_space"], "lr_typo": {"type": "choice", "values": [1]}},
    }
    response = await client.post("/api/tuning/jobs", json=body)
    assert response.status_code == 422
    assert {"loc": "search_space.lr_typo", "msg": "not a training config key"} in response.json()[
        "detail"
    ]
    listed = await client.get("/api/tuning/jobs")
    assert listed.json()["data"] == []


@pytest.mark.parametrize(
    ("space", "loc"),
    [
        ({"warmup_steps": {"type": "randint", "min": 0, "max": 10}}, "search_space.warmup_steps"),
        ({"dataset": {"type": "choice", "values": ["x"]}}, "search_space.dataset"),
        (
            {"learning_rate": {"type": "loguniform", "min": 0, "max": 1}},
            "learning_rate",
        ),
        ({}, "search_space"),
    ],
)
async def test_invalid_spaces_name_the_key(
    client: httpx.AsyncClient, space: dict[str, object], loc: str
) -> None:
    response = await client.post("/api/tuning/jobs", json={**SWEEP, "search_space": space})
    assert response.status_code == 422, response.text
    assert loc in response.text


async def test_eval_metric_needs_an_eval_set_and_asha_needs_loss(client: httpx.AsyncClient) -> None:
    no_set = await client.post("/api/tuning/jobs", json={**SWEEP, "metric": "answer_accuracy"})
    assert no_set.status_code == 422
    assert "eval_set" in no_set.text
    asha = await client.post(
        "/api/tuning/jobs",
        json={
            **SWEEP,
            "metric": "answer_accuracy",
            "mode": "max",
            "eval_set": "eval-v2",
            "scheduler": "asha",
        },
    )
    assert asha.status_code == 422
    assert "scheduler" in asha.text


async def test_start_enqueues_a_sweep_run_and_cancel_stops_it(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/tuning/jobs", json=SWEEP)
    assert created.status_code == 201, created.text
    job_id = created.json()["id"]
    started = await client.post(f"/api/tuning/jobs/{job_id}/start")
    assert started.status_code == 202
    assert started.json()["status"] == "queued"
    run = await client.get(f"/api/tunix/runs/{started.json()['run_id']}")
    assert run.json()["kind"] == "sweep"
    again = await client.post(f"/api/tuning/jobs/{job_id}/start")
    assert again.status_code == 409
    cancelled = await client.post(f"/api/tuning/jobs/{job_id}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    twice = await client.post(f"/api/tuning/jobs/{job_id}/cancel")
    assert twice.status_code == 409


async def test_best_trial_follows_the_mode(session: AsyncSession) -> None:
    trials = [
        TuningTrial(ray_trial_id=str(n), params={}, status=status, metric_value=value)
        for n, (status, value) in enumerate(
            [("succeeded", 0.5), ("succeeded", 0.2), ("failed", None), ("succeeded", float("nan"))]
        )
    ]
    assert service.pick_best(trials, "min") is trials[1]
    assert service.pick_best(trials, "max") is trials[0]
    assert service.pick_best(trials[2:], "min") is None
