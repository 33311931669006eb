"""Sweeps: creation validates the space against the training config; start, cancel, best."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.conftest import app_client

from tunix_rt.settings import Settings
from tunix_rt.tuning import service
from tunix_rt.tuning.models import TuningTrial
from tunix_rt.tuning.schemas import TuningJobCreate

# Every test here sees the dataset and eval set the sweeps name (tests/tuning/conftest.py).
pytestmark = pytest.mark.usefixtures("sweep_refs")

SWEEP: dict[str, Any] = {
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
    problem = {
        "loc": ["search_space", "lr_typo"],
        "msg": "not a training config key",
        "type": "invalid_input",
    }
    assert problem in response.json()["detail"]
    listed = await client.get("/api/tuning/jobs")
    assert listed.json()["data"] == []


@pytest.mark.parametrize(
    ("space", "loc"),
    [
        (
            {"warmup_steps": {"type": "randint", "min": 0, "max": 10}},
            '["search_space","warmup_steps"]',
        ),
        ({"dataset": {"type": "choice", "values": ["x"]}}, '["search_space","dataset"]'),
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


async def test_cancelling_a_created_sweep_ends_it_cancelled_and_it_cannot_start(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/api/tuning/jobs", json=SWEEP)
    job_id = created.json()["id"]
    assert (created.json()["status"], created.json()["run_id"]) == ("created", None)
    cancelled = await client.post(f"/api/tuning/jobs/{job_id}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    # Its one status is its run's: the run exists, cancelled before any worker saw it.
    run = await client.get(f"/api/tunix/runs/{cancelled.json()['run_id']}")
    assert (run.json()["kind"], run.json()["status"]) == ("sweep", "cancelled")
    assert (await client.post(f"/api/tuning/jobs/{job_id}/start")).status_code == 409
    assert (await client.post(f"/api/tuning/jobs/{job_id}/cancel")).status_code == 409


async def test_best_trial_follows_the_mode(session: AsyncSession) -> None:
    # Only a scored trial (its run succeeded) has a metric; a stopped one never is scored.
    trials = [
        TuningTrial(ray_trial_id=str(n), params={}, stopped=stopped, metric_value=value)
        for n, (stopped, value) in enumerate(
            [(False, 0.5), (False, 0.2), (False, None), (False, float("nan")), (True, None)]
        )
    ]
    assert service.pick_best(trials, "min") is trials[1]
    assert service.pick_best(trials, "max") is trials[0]
    assert service.pick_best(trials[2:], "min") is None


ServerWith = Callable[[int], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def server_with(
    settings: Settings, engine: AsyncEngine, session: AsyncSession, admin_token: str
) -> ServerWith:
    """``async with server_with(n)``: a client on an app configured with ``n`` in-process worker
    slots (not started), sharing the test's rolled-back session."""

    @asynccontextmanager
    async def open_client(workers: int) -> AsyncIterator[httpx.AsyncClient]:
        changed = settings.model_copy(update={"workers": workers})
        async with app_client(changed, engine, session, token=admin_token) as http:
            yield http

    return open_client


async def test_too_few_in_process_slots_are_refused_naming_max_concurrent_trials(
    server_with: ServerWith,
) -> None:
    async with server_with(2) as client:
        response = await client.post("/api/tuning/jobs", json=SWEEP)
        assert response.status_code == 422, response.text
        [problem] = response.json()["detail"]
        assert problem["loc"] == ["max_concurrent_trials"]
        assert "need 3 worker slots" in problem["msg"]
        assert "runs 2 in-process" in problem["msg"]
        assert "--workers 3" in problem["msg"]
        assert "at most 1" in problem["msg"]
        assert (await client.get("/api/tuning/jobs")).json()["data"] == []


async def test_enough_in_process_slots_or_external_workers_are_accepted(
    server_with: ServerWith,
) -> None:
    async with server_with(3) as client:
        enough = await client.post("/api/tuning/jobs", json=SWEEP)
        assert enough.status_code == 201, enough.text
        started = await client.post(f"/api/tuning/jobs/{enough.json()['id']}/start")
        assert started.status_code == 202, started.text
    wide = {**SWEEP, "num_samples": 16, "max_concurrent_trials": 16}
    async with server_with(0) as client:  # external workers only: their slots are not known
        external = await client.post("/api/tuning/jobs", json=wide)
        assert external.status_code == 201, external.text


async def test_start_checks_the_slots_of_the_server_that_starts_the_sweep(
    server_with: ServerWith, session: AsyncSession, settings: Settings
) -> None:
    # As ``tunix-rt tune create --no-start`` does: straight to the database, unchecked.
    job = await service.create_tuning_job(
        session=session, settings=settings, job_in=TuningJobCreate.model_validate(SWEEP)
    )
    async with server_with(1) as client:
        refused = await client.post(f"/api/tuning/jobs/{job.id}/start")
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["detail"]
        assert problem["loc"] == ["max_concurrent_trials"]
        assert "at most" not in problem["msg"]  # one slot: no trial could run beside the sweep
        assert (await client.get(f"/api/tuning/jobs/{job.id}")).json()["status"] == "created"


@pytest.mark.parametrize(
    ("concurrent", "workers", "refused"),
    [(1, 0, False), (8, 0, False), (1, 1, True), (1, 2, False), (2, 2, True), (2, 3, False)],
)
def test_worker_slot_rule(concurrent: int, workers: int, refused: bool) -> None:
    assert bool(service.worker_slot_problems(concurrent, workers)) is refused
