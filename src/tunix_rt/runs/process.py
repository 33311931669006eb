"""A job's subprocess: under a supervisor in its own process group, in a scrubbed environment,
with line-by-line output and cancellation by group.

Every command runs as ``python -S runs/supervise.py --parent <worker pid> -- argv``: the
supervisor leads the group and kills it when the worker dies (see that module for why and how),
so a ``kill -9`` of a worker never leaves a job's processes running beside its retry. The
environment is the allowlist of ``runs/environment.py`` plus what the caller passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from tunix_rt.runs import supervise
from tunix_rt.runs.environment import scrubbed_env
from tunix_rt.runs.groups import group_alive, signal_group

log = logging.getLogger(__name__)

LineCallback = Callable[[str, str], Awaitable[None]]
# Called with the new group's id once the process runs (the job records it).
StartCallback = Callable[[int], Awaitable[None]]

# After the main process exits, how long its output pipes may stay open (held by children).
DRAIN_TIMEOUT_S = 5.0


@functools.cache
def _warn_no_parent_death_signal(platform: str) -> None:
    log.warning(
        "no parent-death signal on %s: job supervisors poll for their worker every %.1f s",
        platform,
        supervise.POLL_S,
    )


def supervised(argv: list[str]) -> list[str]:
    """``argv`` under the supervisor that kills its group when this process dies."""
    if not sys.platform.startswith("linux"):
        _warn_no_parent_death_signal(sys.platform)
    return [sys.executable, "-S", supervise.__file__, "--parent", str(os.getpid()), "--", *argv]


async def _pump(stream: asyncio.StreamReader, name: str, on_line: LineCallback) -> None:
    while True:
        try:
            raw = await stream.readline()
        except ValueError:  # a line beyond the reader's limit: take what is buffered
            raw = await stream.read(64 * 1024)
        if not raw:
            return
        await on_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"), name)


async def _terminate(proc: asyncio.subprocess.Process, grace_s: float) -> None:
    """SIGTERM to the group, SIGKILL to whatever is left after ``grace_s``."""
    signal_group(proc.pid, signal.SIGTERM)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), timeout=grace_s)
    # The leader may be gone while children that ignore SIGTERM still run.
    while group_alive(proc.pid) and loop.time() < deadline:  # noqa: ASYNC110 (no event for this)
        await asyncio.sleep(0.05)
    signal_group(proc.pid, signal.SIGKILL)
    await proc.wait()


async def _spawn(
    argv: list[str], env: dict[str, str] | None, cwd: Path | None
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *supervised(argv),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=scrubbed_env(env),
        cwd=cwd,
        start_new_session=True,
        limit=1024 * 1024,
    )


async def run_process_group(
    argv: list[str],
    *,
    env: dict[str, str] | None,
    cwd: Path | None,
    on_line: LineCallback,
    cancelled: asyncio.Event,
    kill_grace_s: float,
    on_start: StartCallback | None = None,
) -> int:
    """Run ``argv`` supervised in a new session with the allowlisted environment plus ``env``;
    returns its exit code (negative: killed by a signal)."""
    proc = await _spawn(argv, env, cwd)
    assert proc.stdout is not None
    assert proc.stderr is not None
    pumps = [
        asyncio.create_task(_pump(proc.stdout, "stdout", on_line)),
        asyncio.create_task(_pump(proc.stderr, "stderr", on_line)),
    ]
    waiter = asyncio.create_task(proc.wait())
    stopper = asyncio.create_task(cancelled.wait())
    try:
        if on_start is not None:
            await on_start(proc.pid)  # its pid is its group's id (a new session)
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            await _terminate(proc, kill_grace_s)
        _done, slow = await asyncio.wait(pumps, timeout=DRAIN_TIMEOUT_S)
        if slow:  # children of the finished process still hold the pipes open
            signal_group(proc.pid, signal.SIGKILL)
            await asyncio.wait(slow)
        for pump in pumps:
            pump.result()
    finally:
        stopper.cancel()
        if proc.returncode is None:  # the worker itself is being cancelled, or on_start failed
            signal_group(proc.pid, signal.SIGKILL)
            await proc.wait()
        for task in (*pumps, waiter):
            task.cancel()
    assert proc.returncode is not None
    return proc.returncode
