"""Sweeps rank trials on the metric as defined, refuse unknown references, and show causes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from tests.factories import add_run
from tests.tuning.test_tuning_api import SWEEP

from tunix_rt.db.base import utcnow
from tunix_rt.runs.models import RunMetric, RunStatus
from tunix_rt.tuning import metric
from tunix_rt.tuning.models import TuningTrial

pytestmark = pytest.mark.usefixtures("sweep_refs")

# A short run logs step 1 and every 10th step; its last step is only in the end event.
EVENTS: list[dict[str, Any]] = [
    {"event": "train", "step": 1, "loss": 4.692},
    {"event": "train", "step": 10, "loss": 3.9},
    {"event": "eval", "step": 10, "eval_loss": 3.7},
    {"event": "train", "step": 20, "loss": 3.5},
    {"event": "eval", "step": 20, "eval_loss": 3.4},
    {"event": "eval", "step": 25, "eval_loss": 3.45},
    {"event": "end", "step": 25, "loss": 3.31, "eval_loss": 3.45, "stop_reason": "max_steps"},
]


async def _run_with_events(session: AsyncSession, events: list[dict[str, Any]]) -> Any:
    run = await add_run(session)
    for seq, data in enumerate(events):
        row = RunMetric(run_id=run.id, seq=seq, event=data["event"], step=data["step"], data=data)
        session.add(row)
    await session.flush()
    return run


@pytest.mark.parametrize(
    ("events", "name", "expected"),
    [
        (EVENTS, "loss", 3.31),  # the final step's loss, not step 1's 4.692
        (EVENTS, "eval_loss", 3.4),  # the best eval loss, not the last (3.45)
        (EVENTS[:4], "loss", 3.5),  # no end event yet: the last logged train loss
        (EVENTS[:2], "eval_loss", None),
        ([{"event": "end", "step": 3, "loss": "nan"}], "loss", None),  # not a number
    ],
)
async def test_trial_metric_is_read_from_the_finished_run(
    session: AsyncSession, events: list[dict[str, Any]], name: str, expected: float | None
) -> None:
    run = await _run_with_events(session, events)
    value = await metric.training_metric(session=session, run_id=run.id, metric=name)
    assert value == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("body", "definition"),
    [
        ({}, "final training loss"),
        ({"metric": "eval_loss"}, "best eval loss"),
        (
            {"metric": "answer_accuracy", "mode": "max", "eval_set": "eval-v2"},
            "mean answer_accuracy score on eval set eval-v2",
        ),
    ],
)
async def test_the_sweep_says_what_it_ranks_on(
    client: httpx.AsyncClient, body: dict[str, Any], definition: str
) -> None:
    created = await client.post("/api/tuning/jobs", json={**SWEEP, **body})
    assert created.status_code == 201, created.text
    assert created.json()["metric_definition"].startswith(definition)
    assert created.json()["progress"] == {"total": 4, "finished": 0, "running": 0, "queued": 0}
    listed = (await client.get("/api/tuning/jobs")).json()
    assert listed["pagination"]["total"] == 1
    assert listed["data"][0]["metric_definition"].startswith(definition)


async def test_unknown_dataset_and_eval_set_are_refused_at_create(
    client: httpx.AsyncClient,
) -> None:
    body = {**SWEEP, "dataset_key": "nope@1", "metric": "answer_accuracy", "eval_set": "gone"}
    response = await client.post("/api/tuning/jobs", json={**body, "mode": "max"})
    assert response.status_code == 422, response.text
    locs = {tuple(p["loc"]): p["msg"] for p in response.json()["detail"]}
    assert locs[("dataset_key",)] == "dataset 'nope@1' not found"
    assert locs[("eval_set",)] == "eval set 'gone' not found"
    assert (await client.get("/api/tuning/jobs")).json()["data"] == []


async def test_a_failed_sweep_shows_its_trials_causes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    created = await client.post("/api/tuning/jobs", json=SWEEP)
    job_id = uuid.UUID(created.json()["id"])
    failed = await add_run(session, status=RunStatus.FAILED)
    assert failed.job is not None
    failed.job.error = "out of memory at step 3"
    ok = await add_run(session)
    for n, run in enumerate([failed, ok]):
        trial = TuningTrial(
            tuning_job_id=job_id, ray_trial_id=str(n), params={}, run_id=run.id,
            metric_value=None if run is failed else float("nan"), finished_at=utcnow(),
            error="run failed" if run is failed else "metric is not finite",
        )  # fmt: skip
        session.add(trial)
        await session.flush()
        set_committed_value(trial, "run", run)
    body = (await client.get(f"/api/tuning/jobs/{job_id}")).json()
    causes = sorted(f["cause"] for f in body["failures"])
    assert causes == ["metric is not finite", "run failed: out of memory at step 3"]
    assert body["progress"] == {"total": 4, "finished": 2, "running": 0, "queued": 0}
    [trial] = [t for t in body["trials"] if t["run_id"] == str(failed.id)]
    assert trial["error"] == "run failed: out of memory at step 3"
    assert trial["started_at"] is not None
