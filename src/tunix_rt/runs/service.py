"""Run records: create (with their job), read, list, cancel, wait."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from tunix_rt.db.base import utcnow
from tunix_rt.errors import InvalidState, NotFound
from tunix_rt.runs import queue
from tunix_rt.runs.models import TERMINAL, Job, JobStatus, Run, RunTag
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
    backend: str | None = None
    # A training config's algorithm (sft when the config does not say).
    algorithm: str | None = None
    # Text in the run's name, or the start of its id.
    q: str | None = None
    # Runs carrying every one of these tags.
    tags: tuple[str, ...] = ()


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
        mode=mode,
        config=config,
        dataset_key=dataset_key,
        model=model,
        backend=backend,
        run_dir=str((settings.home / "runs" / str(run_id)).resolve()),
        created_at=now,
    )
    job = Job(id=job_id, kind=kind, payload=config if payload is None else payload, run_id=run_id)
    _queue(job, priority=priority, max_attempts=max_attempts, now=now)
    session.add(run)
    await session.flush()  # the run first: the job's foreign key points at it
    session.add(job)
    await session.flush()
    set_committed_value(run, "job", job)
    return run


def _queue(job: Job, *, priority: int, max_attempts: int, now: datetime) -> None:
    """A new job's queue fields (idle workers wake at commit: a trigger on ``jobs`` inserts)."""
    job.status, job.attempts, job.priority, job.max_attempts = (
        JobStatus.QUEUED,
        0,
        priority,
        max_attempts,
    )
    job.run_at = job.created_at = job.updated_at = now


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
    stmt = where_filters(select(Run), filters)
    stmt = stmt.order_by(Run.created_at.desc(), Run.id.desc()).offset(offset).limit(limit + 1)
    # Fresh statuses: a job may have moved since this session last loaded it.
    return list((await session.scalars(stmt.execution_options(populate_existing=True))).all())


def where_filters(stmt: Select[Any], filters: RunFilters) -> Select[Any]:
    """``stmt`` (over runs) narrowed by ``filters``."""
    if filters.status is not None:
        stmt = stmt.join(Job, Job.run_id == Run.id).where(Job.status == filters.status)
    columns: dict[str, Any] = {
        "kind": Run.kind,
        "dataset_key": Run.dataset_key,
        "model": Run.model,
        "mode": Run.mode,
        "backend": Run.backend,
    }
    for name, column in columns.items():
        value = getattr(filters, name)
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.created_after is not None:
        stmt = stmt.where(Run.created_at >= filters.created_after)
    if filters.created_before is not None:
        stmt = stmt.where(Run.created_at < filters.created_before)
    if filters.algorithm is not None:
        algorithm = func.coalesce(Run.config["algorithm"].as_string(), "sft")
        stmt = stmt.where(Run.kind == "train", algorithm == filters.algorithm)
    if filters.q:
        text = filters.q.strip()
        id_text = func.lower(func.replace(cast(Run.id, String), "-", ""))
        prefix = text.lower().replace("-", "")
        stmt = stmt.where(Run.name.ilike(f"%{text}%") | id_text.startswith(prefix))
    for tag in filters.tags:
        tagged = select(RunTag.run_id).where(RunTag.run_id == Run.id, RunTag.tag == tag)
        stmt = stmt.where(tagged.exists())
    return stmt


async def count_runs(*, session: AsyncSession, filters: RunFilters) -> int:
    """How many runs match ``filters`` (the list's real total)."""
    stmt = where_filters(select(Run.id), filters)
    return int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


async def count_dataset_runs(*, session: AsyncSession, dataset_key: str) -> int:
    """How many runs name ``dataset_key`` (a dataset they use cannot be deleted)."""
    stmt = select(func.count()).select_from(Run).where(Run.dataset_key == dataset_key)
    return int(await session.scalar(stmt) or 0)


async def cancel_run(*, session: AsyncSession, run_id: uuid.UUID) -> Run:
    """Queued: cancelled at once. Running: cancel_requested (the worker stops it). Else 409."""
    run = await get_run(session=session, run_id=run_id)
    job = None
    if run.job_id is not None:
        job = await session.scalar(
            select(Job)
            .where(Job.id == run.job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if job is None:
        raise InvalidState(f"run {run_id} has no job to cancel")
    if job.status in TERMINAL:
        raise InvalidState(f"run {run_id} is already {job.status}")
    now = utcnow()
    if job.status == JobStatus.QUEUED:
        # A cancellation ends with no reason of its own (not a lost attempt's note).
        job.status, job.finished_at, job.error = JobStatus.CANCELLED, now, None
    else:
        job.status = JobStatus.CANCEL_REQUESTED
        await queue.notify(session, queue.CANCEL_CHANNEL, str(job.id))
    job.updated_at = now
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
