"""The job queue's SQL: enqueue, one-statement claim, lease renewal, finish, reap, cancel.

Every function takes the caller's session and flushes; the caller commits. Timestamps come
from the worker's clock (hosts must keep NTP time; leases are tens of seconds long).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import is_postgres
from tunix_rt.runs import statements
from tunix_rt.runs.models import ACTIVE, Job, JobStatus

# PostgreSQL channels: new work for idle workers, and cancellations for busy ones.
JOBS_CHANNEL = "tunix_rt_jobs"
CANCEL_CHANNEL = "tunix_rt_cancel"
_ACTIVE = [str(s) for s in ACTIVE]
_NO_SYNC = {"synchronize_session": False}


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker now holds the lease on."""

    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    run_id: uuid.UUID | None
    attempts: int
    max_attempts: int


@dataclass(frozen=True)
class JobProcess:
    """Where a job's latest process ran (``runs/attempts.py``)."""

    host: str
    pgid: int
    attempt: int


@dataclass(frozen=True)
class Reaped:
    """What one reaper pass did to jobs whose lease had expired."""

    requeued: list[uuid.UUID]
    failed: list[uuid.UUID]
    cancelled: list[uuid.UUID]


async def notify(session: AsyncSession, channel: str, message: str) -> None:
    """Send a PostgreSQL notification (delivered at commit); nothing on SQLite."""
    if is_postgres(session):
        await session.execute(text("SELECT pg_notify(:c, :m)"), {"c": channel, "m": message})


async def enqueue(
    *,
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    run_id: uuid.UUID | None = None,
    priority: int = 0,
    max_attempts: int = 3,
    run_at: datetime | None = None,
    job_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Add a job to the queue; returns its id. Idle workers wake at commit (a PostgreSQL
    trigger notifies on every insert into ``jobs``, so bulk inserts wake them too)."""
    now = utcnow()
    job_id = job_id or uuid.uuid4()
    await session.execute(
        insert(Job).values(
            id=job_id,
            kind=kind,
            payload=payload,
            run_id=run_id,
            priority=priority,
            max_attempts=max_attempts,
            status=JobStatus.QUEUED,
            attempts=0,
            run_at=run_at or now,
            created_at=now,
            updated_at=now,
        )
    )
    return job_id


async def claim_next_job(
    *,
    session: AsyncSession,
    worker_id: str,
    lease_s: float,
    kinds: Sequence[str] | None = None,
) -> ClaimedJob | None:
    """Claim the next queued job in ONE statement (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
    now = utcnow()
    params: dict[str, Any] = {
        "now": now,
        "worker": worker_id,
        "expires": now + timedelta(seconds=lease_s),
    }
    stmt = statements.CLAIM
    if kinds is not None:
        stmt, params["kinds"] = statements.CLAIM_KINDS, list(kinds)
    conn = await session.connection()
    row = (await conn.execute(stmt, params)).first()
    if row is None:
        return None
    return ClaimedJob(*row)


async def claim_job(
    *, session: AsyncSession, job_id: uuid.UUID, worker_id: str, lease_s: float
) -> ClaimedJob | None:
    """Claim one queued job by id (an in-process execution, e.g. ``tunix-rt eval``); None when
    it is not queued (another worker took it)."""
    now = utcnow()
    row = (
        await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                lease_owner=worker_id,
                lease_expires_at=now + timedelta(seconds=lease_s),
                heartbeat_at=now,
                started_at=func.coalesce(Job.started_at, now),
                updated_at=now,
            )
            .returning(Job.id, Job.kind, Job.payload, Job.run_id, Job.attempts, Job.max_attempts)
            .execution_options(**_NO_SYNC)
        )
    ).first()
    return None if row is None else ClaimedJob(*row)


async def renew_leases(
    *, session: AsyncSession, worker_id: str, job_ids: Sequence[uuid.UUID], lease_s: float
) -> dict[uuid.UUID, str]:
    """Heartbeat: extend the leases this worker still holds; returns their statuses."""
    if not job_ids:
        return {}
    now = utcnow()
    stmt = (
        update(Job)
        .where(Job.id.in_(list(job_ids)), Job.lease_owner == worker_id, Job.status.in_(_ACTIVE))
        .values(lease_expires_at=now + timedelta(seconds=lease_s), heartbeat_at=now)
        .returning(Job.id, Job.status)
        .execution_options(**_NO_SYNC)
    )
    return dict((await session.execute(stmt)).all())


async def finish_job(
    *,
    session: AsyncSession,
    job: ClaimedJob,
    worker_id: str,
    status: JobStatus,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    traceback: str | None = None,
    exit_code: int | None = None,
) -> bool:
    """Record a terminal status; False when the lease was lost (someone else owns the job)."""
    params: dict[str, Any] = {
        "job_id": job.id,
        "worker": worker_id,
        "status": str(status),
        "result": result,
        "error": error,
        "traceback": traceback,
        "exit_code": exit_code,
        "now": utcnow(),
    }
    conn = await session.connection()
    return bool((await conn.execute(statements.FINISH, params)).rowcount)


async def release_job(*, session: AsyncSession, job: ClaimedJob, worker_id: str) -> str | None:
    """Hand a job back (graceful shutdown): queued again, the attempt not counted."""
    current = await session.scalar(
        select(Job.status)
        .where(Job.id == job.id, Job.lease_owner == worker_id, Job.status.in_(_ACTIVE))
        .with_for_update()
    )
    if current is None:
        return None
    now = utcnow()
    new = JobStatus.CANCELLED if current == JobStatus.CANCEL_REQUESTED else JobStatus.QUEUED
    finished = now if new == JobStatus.CANCELLED else None
    # A cancellation ends with no reason of its own (not a lost attempt's note).
    ended = {"error": None} if new == JobStatus.CANCELLED else {}
    await session.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(
            status=new,
            attempts=Job.attempts - 1,
            lease_owner=None,
            lease_expires_at=None,
            run_at=now,
            finished_at=finished,
            updated_at=now,
            **ended,
        )
        .execution_options(**_NO_SYNC)
    )
    if new == JobStatus.QUEUED:
        await notify(session, JOBS_CHANNEL, job.kind)
    return str(new)


async def record_process(*, session: AsyncSession, job_id: uuid.UUID, process: JobProcess) -> bool:
    """Record the process a job's attempt just started; False when that attempt no longer
    holds the job (its lease was lost and another attempt began)."""
    stmt = (
        update(Job)
        .where(Job.id == job_id, Job.attempts == process.attempt, Job.status.in_(_ACTIVE))
        .values(
            process_host=process.host,
            process_pgid=process.pgid,
            process_attempt=process.attempt,
            updated_at=utcnow(),
        )
        .execution_options(**_NO_SYNC)
    )
    conn = await session.connection()
    return bool((await conn.execute(stmt)).rowcount)


async def recorded_process(*, session: AsyncSession, job_id: uuid.UUID) -> JobProcess | None:
    """The process a job recorded last, if any."""
    row = (
        await session.execute(
            select(Job.process_host, Job.process_pgid, Job.process_attempt).where(Job.id == job_id)
        )
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return JobProcess(host=row[0], pgid=row[1], attempt=row[2] or 0)
