"""The runs API: list/filter/paginate, detail, status, cancel, artifacts, metrics, status page."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.session import session_scope
from tunix_rt.runs import service
from tunix_rt.runs.metrics import MetricsTail
from tunix_rt.runs.models import Run
from tunix_rt.settings import Settings


async def _run(factory: async_sessionmaker[AsyncSession], settings: Settings, **kw: Any) -> Run:
    kw.setdefault("kind", "sleep")
    kw.setdefault("config", {"seconds": 0})
    async with session_scope(factory) as session:
        return await service.create_run(session=session, settings=settings, **kw)


async def test_list_filters_and_paginates(
    api: Any, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    for n in range(3):
        await _run(factory, settings, name=f"r{n}", dataset_key="ds-a", model="tiny-llama")
    await _run(factory, settings, name="other", dataset_key="ds-b")
    page = (await api.get("/api/tunix/runs", params={"dataset": "ds-a", "limit": 2})).json()
    assert [r["name"] for r in page["data"]] == ["r2", "r1"]
    assert page["pagination"] == {
        "limit": 2, "offset": 0, "next_offset": 2, "next_cursor": None, "total": 3
    }  # fmt: skip
    rest = (await api.get("/api/tunix/runs", params={"dataset": "ds-a", "offset": 2})).json()
    assert [r["name"] for r in rest["data"]] == ["r0"]
    assert rest["pagination"]["next_offset"] is None
    queued = await api.get("/api/tunix/runs", params={"status": "queued", "model": "tiny-llama"})
    assert len(queued.json()["data"]) == 3
    assert (await api.get("/api/tunix/runs", params={"limit": 0})).status_code == 422


async def test_detail_status_and_cancel(
    api: Any, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    run = await _run(factory, settings)
    detail = (await api.get(f"/api/tunix/runs/{run.id}")).json()
    assert detail["status"] == "queued"
    assert detail["job_id"] == str(run.job_id)
    status = (await api.get(f"/api/tunix/runs/{run.id}/status")).json()
    assert status["status"] == "queued"
    cancelled = await api.post(f"/api/tunix/runs/{run.id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = await api.post(f"/api/tunix/runs/{run.id}/cancel")
    assert again.status_code == 409
    assert "already cancelled" in again.json()["message"]
    missing = "00000000-0000-0000-0000-000000000000"
    assert (await api.get(f"/api/tunix/runs/{missing}")).status_code == 404
    assert (await api.post(f"/api/tunix/runs/{missing}/cancel")).status_code == 404


async def test_artifacts_listed_hashed_and_confined(
    api: Any, factory: async_sessionmaker[AsyncSession], settings: Settings, tmp_path: Any
) -> None:
    run = await _run(factory, settings)
    root = settings.home / "runs" / str(run.id)
    (root / "checkpoints" / "step-2").mkdir(parents=True)
    (root / "checkpoints" / "step-2" / "model.bin").write_bytes(b"\x00" * 1000)
    (root / "metrics.jsonl").write_text('{"event":"train","step":1,"loss":2.0}\n')
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    (root / "escape").symlink_to(secret)
    listed = (await api.get(f"/api/tunix/runs/{run.id}/artifacts")).json()["data"]
    by_name = {a["name"]: a for a in listed}
    assert set(by_name) == {"checkpoints/step-2/model.bin", "metrics.jsonl"}
    ckpt = by_name["checkpoints/step-2/model.bin"]
    assert ckpt["checkpoint"] is True
    assert ckpt["size"] == 1000
    assert ckpt["sha256"] == hashlib.sha256(b"\x00" * 1000).hexdigest()
    assert by_name["metrics.jsonl"]["checkpoint"] is False
    url = f"/api/tunix/runs/{run.id}/artifacts"
    got = await api.get(f"{url}/checkpoints/step-2/model.bin/download")
    assert got.status_code == 200
    assert got.content == b"\x00" * 1000
    for bad in ("escape", "..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "nope.txt"):
        assert (await api.get(f"{url}/{bad}/download")).status_code == 404, bad


async def _metrics_file(
    factory: async_sessionmaker[AsyncSession], settings: Settings, text: str
) -> tuple[Run, Path]:
    """A run and its ``metrics.jsonl`` holding ``text``."""
    run = await _run(factory, settings)
    root = settings.home / "runs" / str(run.id)
    root.mkdir(parents=True)
    path = root / "metrics.jsonl"
    path.write_text(text)
    return run, path


async def test_metrics_time_series(
    api: Any, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    run, path = await _metrics_file(
        factory,
        settings,
        '{"event":"train","step":10,"loss":2.5,"lr":0.001}\n'
        '{"event":"train","step":20,"loss":1.5,"lr":0.002}\n'
        '{"event":"eval","step":20,"accuracy":0.5}\n'
        '{"event":"train","step":30,"loss":1.',  # a partly written line waits for its newline
    )
    tail = MetricsTail(run_id=run.id, path=path, sessionmaker=factory)
    await tail.start()
    assert await tail.poll() == 3
    with path.open("a") as fh:
        fh.write("0}\n")
    assert await tail.poll() == 1
    body = (await api.get(f"/api/tunix/runs/{run.id}/metrics")).json()
    loss = body["series"]["train/loss"]
    assert [(p["step"], p["value"]) for p in loss] == [(10, 2.5), (20, 1.5), (30, 1.0)]
    assert body["series"]["eval/accuracy"][0]["value"] == 0.5
    assert len(body["events"]) == 4
    restarted = MetricsTail(run_id=run.id, path=path, sessionmaker=factory)
    await restarted.start()
    assert await restarted.poll() == 0


async def test_metrics_follower_stops_without_losing_lines(
    api: Any, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    # Stopped by its event (not cancelled mid-poll), the follower never drops lines it read.
    run, path = await _metrics_file(factory, settings, "")
    tail = MetricsTail(run_id=run.id, path=path, sessionmaker=factory)
    await tail.start()
    stop = asyncio.Event()
    follower = asyncio.create_task(tail.follow(stop, interval_s=0.01))
    for step in range(1, 61):
        with path.open("a") as fh:
            fh.write(f'{{"event":"train","step":{step},"loss":{1 / step}}}\n')
        if step % 7 == 0:
            await asyncio.sleep(0.005)
    stop.set()
    await follower
    await tail.poll()
    body = (await api.get(f"/api/tunix/runs/{run.id}/metrics")).json()
    assert [p["step"] for p in body["series"]["train/loss"]] == list(range(1, 61))


async def test_tunix_status_reports_backends(api: Any) -> None:
    body = (await api.get("/api/tunix/status")).json()
    backends = {b["name"]: b for b in body["backends"]}
    assert backends["torch"]["version"].startswith("2.")
    assert "tunix" in backends
    assert {"sleep", "echo", "command", "train"} <= set(body["job_kinds"])
