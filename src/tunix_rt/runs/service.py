"""Run records: create (with their job), read, list, cancel, wait."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.base import utcnow
from tunix_rt.errors import InvalidState, NotFound
from tunix_rt.runs import queue
from tunix_rt.runs.models import TERMINAL, Job, JobStatus, Run
from tunix_rt.settings import Settings


@dataclass(frozen=True)
class RunFilters:
    """List filters; None means no filter."""

    status: str | None = None
    kind: str | None = None
    dataset_key: str | None = None
    model: str | None = None
    mode: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def create_run(
    *,
    session: AsyncSession,
    settings: Settings,
    kind: str,
    config: dict[str, Any],
    name: str | None = None,
    payload: dict[str, Any] | None = None,
    dataset_key: str | None = None,
    model: str | None = None,
    backend: str | None = None,
    mode: str = "async",
    priority: int = 0,
    max_attempts: int = 3,
) -> Run:
    """Record a run and enqueue its job (payload defaults to the config); flushes."""
    run_id, job_id = uuid.uuid4(), uuid.uuid4()
    now = utcnow()
    run = Run(
        id=run_id,
        job_id=job_id,
        name=name or f"{kind}-{run_id.hex[:8]}",
        kind=kind,
        status=JobStatus.QUEUED,
        mode=mode,
        config=config,
        dataset_key=dataset_key,
        model=model,
        backend=backend,
        run_dir=str((settings.home / "runs" / str(run_id)).resolve()),
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(run)
    await session.flush()
    await queue.enqueue(
        session=session,
        kind=kind,
        payload=config if payload is None else payload,
        run_id=run_id,
        priority=priority,
        max_attempts=max_attempts,
        job_id=job_id,
    )
    return run


async def get_run(*, session: AsyncSession, run_id: uuid.UUID) -> Run:
    """One run; NotFound when missing."""
    run = await session.get(Run, run_id, populate_existing=True)
    if run is None:
        raise NotFound(f"run {run_id} not found")
    return run


async def list_runs(
    *, session: AsyncSession, filters: RunFilters, limit: int = 50, offset: int = 0
) -> list[Run]:
    """Newest first; up to ``limit + 1`` rows (the extra one says a next page exists)."""
    stmt = select(Run)
    columns: dict[str, Any] = {
        "status": Run.status,
        "kind": Run.kind,
        "dataset_key": Run.dataset_key,
        "model": Run.model,
        "mode": Run.mode,
    }
    for name, column in columns.items():
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.created_after is not None:
        stmt = stmt.where(Run.created_at >= filters.created_after)
    if filters.created_before is not None:
        stmt = stmt.where(Run.created_at < filters.created_before)
    stmt = stmt.order_by(Run.created_at.desc(), Run.id.desc()).offset(offset).limit(limit + 1)
    return list((await session.scalars(stmt)).all())


async def cancel_run(*, session: AsyncSession, run_id: uuid.UUID) -> Run:
    """Queued: cancelled at once. Running: cancel_requested (the worker stops it). Else 409."""
    run = await get_run(session=session, run_id=run_id)
    if run.status in TERMINAL:
        raise InvalidState(f"run {run_id} is already {run.status}")
    job = None
    if run.job_id is not None:
        job = await session.scalar(select(Job).where(Job.id == run.job_id).with_for_update())
    now = utcnow()
    if job is None or job.status == JobStatus.QUEUED:
        new_status, run.finished_at = JobStatus.CANCELLED, now
    elif job.status in TERMINAL:
        raise InvalidState(f"run {run_id} is already {job.status}")
    else:
        new_status = JobStatus.CANCEL_REQUESTED
        await queue.notify(session, queue.CANCEL_CHANNEL, str(job.id))
    if job is not None:
        job.status = new_status
        job.updated_at = now
        job.finished_at = run.finished_at
    run.status = new_status
    run.updated_at = now
    await session.flush()
    return run


async def wait_for_run(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: uuid.UUID,
    poll_s: float = 0.25,
    timeout_s: float | None = None,
) -> Run:
    """Poll until the run is terminal (another process may be running it)."""
    loop = asyncio.get_running_loop()
    deadline = None if timeout_s is None else loop.time() + timeout_s
    while True:
        async with sessionmaker() as session:
            run = await get_run(session=session, run_id=run_id)
        if run.status in TERMINAL or (deadline is not None and loop.time() >= deadline):
            return run
        await asyncio.sleep(poll_s)
