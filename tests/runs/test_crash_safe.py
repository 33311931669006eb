"""Acceptance (issue #18): ``kill -9`` of workers mid-run never runs a job's side effect twice.

Worker PROCESSES on PostgreSQL run ``command`` jobs that sleep and then append their job id to a
file. Some workers are SIGKILLed while their jobs sleep, and replaced; their jobs' leases expire
and other workers retry them. Every job must succeed with exactly one line in the file: the
killed attempts' processes died with their worker instead of finishing beside the retry.

Each kill waits until none of its victim's jobs is within ``MARGIN_S`` of its side effect, so
the test measures concurrent duplicates (the bug), not the at-least-once window between a
command's end and its recorded finish that any queue has.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.runs.conftest import wait_all_terminal

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import session_scope
from tunix_rt.runs.models import Job, Run
from tunix_rt.settings import Settings

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc"),
]

JOBS, WORKERS, KILLS = 60, 3, 3
SLEEP_S, MARGIN_S = 2.5, 0.8
# The command: a start marker (its mtime is the start), a sleep, then the side effect.
COMMAND = """
import os, sys, time
out, job = sys.argv[1], sys.argv[2]
open(os.path.join(out, f"started-{job}-{os.getpid()}"), "w").close()
time.sleep(float(sys.argv[3]))
with open(os.path.join(out, "effects"), "a") as f:
    f.write(job + "\\n")
"""
WORKER_OPTIONS = (
    *("--concurrency", "4", "--lease-s", "3", "--heartbeat-s", "0.5"),
    *("--reap-interval-s", "0.3", "--poll-max-s", "0.1", "--kill-grace-s", "1"),
)


async def _enqueue(
    factory: async_sessionmaker[AsyncSession], settings: Settings, out: Path
) -> list[str]:
    now, runs, jobs = utcnow(), [], []
    for i in range(JOBS):
        run_id, job_id = uuid.uuid4(), uuid.uuid4()
        argv = [sys.executable, "-c", COMMAND, str(out), str(job_id), str(SLEEP_S)]
        config = {"argv": argv}
        run_dir = str(settings.home / "runs" / str(run_id))
        runs.append(
            {"id": run_id, "name": f"effect-{i}", "kind": "command", "mode": "async"}
            | {"config": config, "job_id": job_id, "run_dir": run_dir, "created_at": now}
        )
        jobs.append(
            {"id": job_id, "kind": "command", "payload": config, "status": "queued"}
            | {"priority": 0, "attempts": 0, "max_attempts": 5, "run_id": run_id}
            | {"run_at": now, "created_at": now, "updated_at": now}
        )
    async with session_scope(factory) as session:
        await session.execute(insert(Run), runs)
        await session.execute(insert(Job), jobs)
    return [str(job["id"]) for job in jobs]


def _effects(out: Path) -> list[str]:
    path = out / "effects"
    return path.read_text().split() if path.exists() else []


async def _held(factory: async_sessionmaker[AsyncSession], pid: int) -> list[str]:
    owner = f"{socket.gethostname()}:{pid}:%"
    async with factory() as session:
        ids = await session.scalars(
            select(Job.id).where(Job.status == "running", Job.lease_owner.like(owner))
        )
        return [str(i) for i in ids]


def _safe_to_kill(held: list[str], out: Path) -> bool:
    """Every held job is far from its side effect (not started, or started < the margin ago)."""
    done, now = set(_effects(out)), time.time()
    for job in held:
        starts = [p.stat().st_mtime for p in out.glob(f"started-{job}-*")]
        if job in done or (starts and now - max(starts) > SLEEP_S - MARGIN_S):
            return False
    return bool(held)


async def _kill_when_safe(
    factory: async_sessionmaker[AsyncSession], proc: asyncio.subprocess.Process, out: Path
) -> list[str]:
    """SIGKILL ``proc`` at a moment its jobs are mid-sleep; returns the jobs it held."""
    async with asyncio.timeout(30):
        while True:
            held = await _held(factory, proc.pid)
            if _safe_to_kill(held, out):
                proc.send_signal(signal.SIGKILL)
                await proc.wait()
                return held
            await asyncio.sleep(0.02)


async def test_killed_workers_run_no_side_effect_twice(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    database_url: str,
    worker_env: dict[str, str],
    worker_argv: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the kill test runs worker processes on PostgreSQL")
    out = tmp_path / "effects.d"
    out.mkdir()
    ids = await _enqueue(factory, settings, out)
    spawn = [*worker_argv(*WORKER_OPTIONS)]
    procs = [await asyncio.create_subprocess_exec(*spawn, env=worker_env) for _ in range(WORKERS)]
    interrupted: list[str] = []
    try:
        for k in range(KILLS):
            victim = procs[k % WORKERS]
            interrupted += await _kill_when_safe(factory, victim, out)
            procs[k % WORKERS] = await asyncio.create_subprocess_exec(*spawn, env=worker_env)
            await asyncio.sleep(1.0)
        await wait_all_terminal(factory, timeout_s=75)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(proc.wait(), timeout=60) for proc in procs]
    await asyncio.sleep(SLEEP_S + 0.5)  # an orphan of a killed attempt would write by now
    per_job = collections.Counter(_effects(out))
    async with factory() as session:
        jobs = (await session.scalars(select(Job))).all()
    statuses = collections.Counter(job.status for job in jobs)
    twice = sorted(n for n in per_job.values() if n > 1)
    assert codes == [0] * WORKERS
    assert statuses == {"succeeded": JOBS}
    assert set(per_job) == set(ids), f"lost: {len(set(ids) - set(per_job))}"
    assert not twice, f"{len(twice)} jobs ran more than once: {sum(twice)} effects"
    assert sum(per_job.values()) == JOBS
    attempts = {str(job.id): job.attempts for job in jobs}
    assert interrupted
    assert all(attempts[job] >= 2 for job in interrupted)
    assert all(job.process_attempt == job.attempts for job in jobs)
    assert {job.process_host for job in jobs} == {socket.gethostname()}
