"""Executing one claimed job: its handler's outcome turned into the job's final record."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.session import session_scope
from tunix_rt.runs import queue
from tunix_rt.runs.handlers import Handler, JobContext, JobFailed
from tunix_rt.runs.logs import LogSink
from tunix_rt.runs.models import JobStatus
from tunix_rt.settings import Settings

TRACEBACK_LINES = 40


@dataclass
class Active:
    """A job this worker holds, with its context and why it was interrupted (if it was)."""

    job: queue.ClaimedJob
    ctx: JobContext
    started: float
    # Why ``ctx.cancelled`` was set: "cancel" (user), "handback" (shutdown), "lost" (lease).
    reason: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)


def run_dir_for(settings: Settings, job: queue.ClaimedJob) -> Path:
    """``{home}/runs/{run_id}`` for a run's job, ``{home}/jobs/{job_id}`` for a bare job."""
    if job.run_id is not None:
        return settings.home / "runs" / str(job.run_id)
    return settings.home / "jobs" / str(job.id)


def new_active(
    job: queue.ClaimedJob,
    *,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    kill_grace_s: float,
) -> Active:
    """A just-claimed job with the context its handler will get."""
    ctx = JobContext(
        job_id=job.id,
        run_id=job.run_id,
        kind=job.kind,
        payload=job.payload,
        settings=settings,
        sessionmaker=sessionmaker,
        run_dir=run_dir_for(settings, job),
        attempt=job.attempts,
        kill_grace_s=kill_grace_s,
    )
    return Active(job=job, ctx=ctx, started=time.monotonic())


async def call_handler(
    active: Active,
    sessionmaker: async_sessionmaker[AsyncSession],
    handlers: Mapping[str, Handler],
) -> dict[str, Any]:
    """Run the job's handler from ``handlers``; returns the fields of the job's final record."""
    ctx, job = active.ctx, active.job
    handler = handlers.get(job.kind)
    if handler is None:
        return {"status": JobStatus.FAILED, "error": f"unknown job kind {job.kind!r}"}
    if job.run_id is not None:
        ctx.sink = LogSink(run_id=job.run_id, sessionmaker=sessionmaker)
        await ctx.sink.start()
    try:
        if job.run_id is not None:  # bare jobs (no run) make their directory only if they need one
            ctx.run_dir.mkdir(parents=True, exist_ok=True)
        result = await handler(ctx)
        status = JobStatus.CANCELLED if active.reason == "cancel" else JobStatus.SUCCEEDED
        code = result.get("exit_code") if result else None
        return {"status": status, "result": result, "exit_code": int_or_none(code)}
    except JobFailed as exc:
        status = JobStatus.CANCELLED if active.reason == "cancel" else JobStatus.FAILED
        return {
            "status": status,
            "error": str(exc),
            "traceback": exc.traceback,
            "exit_code": exc.exit_code,
        }
    except Exception as exc:
        tail = traceback.format_exc().splitlines()[-TRACEBACK_LINES:]
        status = JobStatus.CANCELLED if active.reason == "cancel" else JobStatus.FAILED
        error = f"{type(exc).__name__}: {exc}"
        return {"status": status, "error": error, "traceback": "\n".join(tail)}
    finally:
        if ctx.sink is not None:
            await ctx.sink.close()


def int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def execute_here(
    job: queue.ClaimedJob,
    *,
    handlers: Mapping[str, Handler],
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    worker_id: str,
    echo: Callable[[str], None] | None = None,
    lease_s: float = 60.0,
) -> dict[str, Any]:
    """Run a job this process claimed (``queue.claim_job``) with its handler, renewing the lease
    as a worker would, and finish it; returns the fields of its final record."""
    active = new_active(job, settings=settings, sessionmaker=sessionmaker, kill_grace_s=10.0)
    active.ctx.echo = echo
    beat = asyncio.create_task(_heartbeat(active, sessionmaker, worker_id, lease_s))
    try:
        outcome = await call_handler(active, sessionmaker, handlers)
    finally:
        beat.cancel()
        await asyncio.gather(beat, return_exceptions=True)
    async with session_scope(sessionmaker) as session:
        await queue.finish_job(session=session, job=job, worker_id=worker_id, **outcome)
    return outcome


async def _heartbeat(
    active: Active, sessionmaker: async_sessionmaker[AsyncSession], worker_id: str, lease_s: float
) -> None:
    # A cancellation requested meanwhile (API, another CLI) stops the handler, as in a worker.
    while True:
        await asyncio.sleep(lease_s / 3)
        async with session_scope(sessionmaker) as session:
            statuses = await queue.renew_leases(
                session=session, worker_id=worker_id, job_ids=[active.job.id], lease_s=lease_s
            )
        if statuses.get(active.job.id) == JobStatus.CANCEL_REQUESTED:
            active.reason = "cancel"
            active.ctx.cancelled.set()
