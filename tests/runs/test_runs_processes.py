"""Acceptance: worker PROCESSES on one queue (exactly once, none lost), SIGKILL recovery,
and cancelling a process group with a stubborn child."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.runs.conftest import wait_all_terminal

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import session_scope
from tunix_rt.runs import service
from tunix_rt.runs.models import Job, JobStatus, Run, RunLog
from tunix_rt.runs.worker import Worker
from tunix_rt.settings import Settings


async def _bulk_runs(factory: async_sessionmaker[AsyncSession], settings: Settings, n: int) -> None:
    """``n`` echo runs, each logging one line: a second execution would log a second line."""
    now = utcnow()
    runs, jobs = [], []
    for i in range(n):
        run_id, job_id = uuid.uuid4(), uuid.uuid4()
        config = {"lines": [f"job {i}"]}
        runs.append(
            {
                "id": run_id,
                "name": f"echo-{i}",
                "kind": "echo",
                "mode": "async",
                "config": config,
                "job_id": job_id,
                "run_dir": str(settings.home / "runs" / str(run_id)),
                "created_at": now,
            }
        )
        jobs.append(
            {
                "id": job_id,
                "kind": "echo",
                "payload": config,
                "status": "queued",
                "priority": 0,
                "attempts": 0,
                "max_attempts": 3,
                "run_id": run_id,
                "run_at": now,
                "created_at": now,
                "updated_at": now,
            }
        )
    async with session_scope(factory) as session:
        await session.execute(insert(Run), runs)
        await session.execute(insert(Job), jobs)


async def _spawn(argv: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*argv, env=env)


async def _stop(procs: list[asyncio.subprocess.Process]) -> list[int]:
    for proc in procs:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    return [await asyncio.wait_for(proc.wait(), timeout=60) for proc in procs]


# The acceptance size: ~15 s per database on a quiet 2-core box.
async def test_worker_processes_run_each_job_exactly_once(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    database_url: str,
    worker_env: dict[str, str],
    worker_argv: Callable[..., list[str]],
) -> None:
    n = 2000
    workers = 2 if database_url.startswith("sqlite") else 4
    await _bulk_runs(factory, settings, n)
    argv = worker_argv("--concurrency", "4", "--heartbeat-s", "1", "--poll-max-s", "0.2")
    procs = [await _spawn(argv, worker_env) for _ in range(workers)]
    try:
        await wait_all_terminal(factory, timeout_s=240)
    finally:
        codes = await _stop(procs)
    assert codes == [0] * workers
    async with factory() as session:
        statuses = dict(
            (await session.execute(select(Job.status, func.count()).group_by(Job.status))).all()
        )
        attempts = set((await session.scalars(select(Job.attempts))).all())
        per_run = (
            await session.execute(select(RunLog.run_id, func.count()).group_by(RunLog.run_id))
        ).all()
        owners = set((await session.scalars(select(Job.lease_owner))).all())
    assert statuses == {"succeeded": n}
    assert attempts == {1}
    assert len(per_run) == n
    assert {count for _run, count in per_run} == {1}
    assert len(owners) == workers  # every process took a share


async def test_killed_worker_job_is_reclaimed_after_lease_expiry(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    worker_env: dict[str, str],
    worker_argv: Callable[..., list[str]],
    wait_run: Callable[..., Any],
) -> None:
    async with session_scope(factory) as session:
        run = await service.create_run(
            session=session, settings=settings, kind="sleep", config={"seconds": 1.5, "ticks": 3}
        )
    fast = (
        "--lease-s",
        "2",
        "--heartbeat-s",
        "0.4",
        "--reap-interval-s",
        "0.3",
        "--poll-max-s",
        "0.1",
    )
    first = await _spawn(worker_argv(*fast), worker_env)
    try:
        await wait_run(run.id, statuses={JobStatus.RUNNING}, timeout_s=30)
        first.send_signal(signal.SIGKILL)
        await asyncio.wait_for(first.wait(), timeout=10)
        second = await _spawn(worker_argv(*fast), worker_env)
        try:
            done = await wait_run(run.id, timeout_s=30)
        finally:
            await _stop([second])
    finally:
        if first.returncode is None:
            first.kill()
            await first.wait()
    assert done.status == JobStatus.SUCCEEDED
    assert done.attempts == 2
    async with factory() as session:
        job = await session.get(Job, done.job_id)
    assert job is not None
    assert job.attempts == 2
    assert "lease expired" in (job.error or "")


def _dead(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ("Z", "X")  # a zombie waiting for its reaper is no longer running


STUBBORN = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
open(sys.argv[1], "w").write(f"{os.getpid()} {child.pid}")
print("started", flush=True)
time.sleep(600)
"""


async def test_cancel_kills_the_process_group_within_grace(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
    tmp_path: Path,
) -> None:
    pids_file = tmp_path / "pids"
    argv = ["python3", "-c", STUBBORN, str(pids_file)]
    async with session_scope(factory) as session:
        run = await service.create_run(
            session=session, settings=settings, kind="command", config={"argv": argv}
        )
    start_worker()  # kill grace 1 s
    await wait_run(run.id, statuses={JobStatus.RUNNING})
    async with asyncio.timeout(20):
        while not pids_file.exists() or " " not in pids_file.read_text():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    pids = [int(p) for p in pids_file.read_text().split()]
    assert not any(_dead(p) for p in pids)
    async with session_scope(factory) as session:
        await service.cancel_run(session=session, run_id=run.id)
    started = time.monotonic()
    done = await wait_run(run.id, timeout_s=10)
    elapsed = time.monotonic() - started
    assert done.status == JobStatus.CANCELLED
    # heartbeat (0.3 s) notices, SIGTERM is ignored, SIGKILL after the 1 s grace
    assert elapsed < 4.0
    for _ in range(40):
        if all(_dead(p) for p in pids):
            break
        await asyncio.sleep(0.05)
    assert all(_dead(p) for p in pids), pids
