"""A new attempt first stops what an earlier attempt of its job left running on this host."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.session import session_scope
from tunix_rt.runs import service
from tunix_rt.runs.groups import JOB_ID_VAR
from tunix_rt.runs.models import Job, JobStatus, Run
from tunix_rt.runs.worker import Worker
from tunix_rt.settings import Settings

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")

# An earlier attempt's leftovers: a group leader and its child, both sleeping.
LEFTOVER = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(os.getpid(), child.pid, flush=True)
time.sleep(600)
"""
# The new attempt's command: writes whether each given pid still ran when it started.
PROBE = """
import sys
from pathlib import Path
def running(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False
Path(sys.argv[1]).write_text(" ".join(str(running(int(p))) for p in sys.argv[2:]))
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.fixture
async def leftover() -> AsyncIterator[Callable[..., Any]]:
    """``await leftover(env)``: a sleeping process group (leader, child); killed afterwards."""
    started: list[asyncio.subprocess.Process] = []

    async def start(env: dict[str, str]) -> tuple[int, int]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LEFTOVER,
            env={**os.environ, **env},
            start_new_session=True,
            stdout=asyncio.subprocess.PIPE,
        )
        started.append(proc)
        assert proc.stdout is not None
        leader, child = (await proc.stdout.readline()).split()
        return int(leader), int(child)

    yield start
    for proc in started:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()


async def _probe_run(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    out: Path,
    pids: tuple[int, int],
    **recorded: Any,
) -> Run:
    """A queued ``command`` run on its second attempt whose first recorded ``recorded``."""
    argv = [sys.executable, "-c", PROBE, str(out), *(str(p) for p in pids)]
    async with session_scope(factory) as session:
        run = await service.create_run(
            session=session, settings=settings, kind="command", config={"argv": argv}
        )
        await session.execute(
            update(Job).where(Job.id == run.job_id).values(attempts=1, **recorded)
        )
    return run


async def test_new_attempt_kills_the_earlier_attempts_group_first(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
    leftover: Callable[..., Any],
    tmp_path: Path,
) -> None:
    out = tmp_path / "probe"
    # The leftover carries the job's id, so the run comes first and gets its argv after.
    run = await _probe_run(factory, settings, out, (0, 0))
    pids = await leftover({JOB_ID_VAR: str(run.job_id)})
    argv = [sys.executable, "-c", PROBE, str(out), *(str(p) for p in pids)]
    async with session_scope(factory) as session:
        await session.execute(
            update(Job)
            .where(Job.id == run.job_id)
            .values(
                payload={"argv": argv},
                process_host=socket.gethostname(),
                process_pgid=pids[0],
                process_attempt=1,
            )
        )
    assert all(_running(p) for p in pids)
    start_worker()
    done = await wait_run(run.id, timeout_s=30)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert out.read_text() == "False False"  # both gone before the new command started
    async with factory() as session:
        job = await session.get(Job, run.job_id)
    assert job is not None
    assert (job.attempts, job.process_attempt) == (2, 2)
    assert job.process_host == socket.gethostname()
    assert job.process_pgid not in (None, pids[0])


@pytest.mark.parametrize("case", ["other host", "group not the job's"])
async def test_new_attempt_leaves_a_group_it_cannot_own_alone(
    case: str,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    start_worker: Callable[..., Worker],
    wait_run: Callable[..., Any],
    leftover: Callable[..., Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tunix_rt.runs.attempts")
    marker = {JOB_ID_VAR: "some-other-job"} if case == "group not the job's" else None
    pids = await leftover(marker or {})
    host = "elsewhere.example" if case == "other host" else socket.gethostname()
    out = tmp_path / "probe"
    run = await _probe_run(
        factory, settings, out, pids, process_host=host, process_pgid=pids[0], process_attempt=1
    )
    start_worker()
    done = await wait_run(run.id, timeout_s=30)
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert out.read_text() == "True True"
    assert all(_running(p) for p in pids)
    if case == "other host":
        assert "ran on host elsewhere.example" in caplog.text
