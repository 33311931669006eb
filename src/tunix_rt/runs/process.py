"""Subprocesses in their own process group: line-by-line output, cancellation by group."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

LineCallback = Callable[[str, str], Awaitable[None]]

# After the main process exits, how long its output pipes may stay open (held by children).
DRAIN_TIMEOUT_S = 5.0


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


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
    _signal_group(proc.pid, signal.SIGTERM)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), timeout=grace_s)
    # The leader may be gone while children that ignore SIGTERM still run.
    while _group_alive(proc.pid) and loop.time() < deadline:  # noqa: ASYNC110 (no event for this)
        await asyncio.sleep(0.05)
    _signal_group(proc.pid, signal.SIGKILL)
    await proc.wait()


async def run_process_group(
    argv: list[str],
    *,
    env: dict[str, str] | None,
    cwd: Path | None,
    on_line: LineCallback,
    cancelled: asyncio.Event,
    kill_grace_s: float,
) -> int:
    """Run ``argv`` as a new session; returns its exit code (negative: killed by a signal)."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=full_env,
        cwd=cwd,
        start_new_session=True,
        limit=1024 * 1024,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    pumps = [
        asyncio.create_task(_pump(proc.stdout, "stdout", on_line)),
        asyncio.create_task(_pump(proc.stderr, "stderr", on_line)),
    ]
    waiter = asyncio.create_task(proc.wait())
    stopper = asyncio.create_task(cancelled.wait())
    try:
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            await _terminate(proc, kill_grace_s)
        _done, slow = await asyncio.wait(pumps, timeout=DRAIN_TIMEOUT_S)
        if slow:  # children of the finished process still hold the pipes open
            _signal_group(proc.pid, signal.SIGKILL)
            await asyncio.wait(slow)
        for pump in pumps:
            pump.result()
    finally:
        stopper.cancel()
        if proc.returncode is None:  # the worker itself is being cancelled
            _signal_group(proc.pid, signal.SIGKILL)
            await proc.wait()
        for task in (*pumps, waiter):
            task.cancel()
    assert proc.returncode is not None
    return proc.returncode
