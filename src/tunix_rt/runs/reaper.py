"""Recovery of jobs whose worker vanished (lease expired), and queue depth for metrics."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.db.base import utcnow
from tunix_rt.runs.models import Job, JobStatus, Run
from tunix_rt.runs.queue import JOBS_CHANNEL, Reaped, notify

_NO_SYNC = {"synchronize_session": False}


async def _transition(
    session: AsyncSession, where: list[Any], job_values: dict[str, Any], run_values: dict[str, Any]
) -> list[uuid.UUID]:
    """Move every matching job (and its run) in one UPDATE each; returns the job ids."""
    now = utcnow()
    rows = (
        await session.execute(
            update(Job)
            .where(*where)
            .values(updated_at=now, **job_values)
            .returning(Job.id, Job.run_id)
            .execution_options(**_NO_SYNC)
        )
    ).all()
    run_ids = [run_id for _, run_id in rows if run_id is not None]
    if run_ids:
        await session.execute(
            update(Run)
            .where(Run.id.in_(run_ids))
            .values(updated_at=now, **run_values)
            .execution_options(**_NO_SYNC)
        )
    return [job_id for job_id, _ in rows]


async def reap_expired(*, session: AsyncSession) -> Reaped:
    """Jobs whose lease expired: back to the queue while attempts remain, else failed.

    A job whose cancellation was requested is simply cancelled. Safe to run from every worker
    at once: each UPDATE re-checks its conditions on the locked row.
    """
    now = utcnow()
    expired = [Job.lease_expires_at < now]
    lost = "lease expired: its worker stopped heartbeating (crashed, killed or partitioned)"
    cancelled = await _transition(
        session,
        [Job.status == JobStatus.CANCEL_REQUESTED, *expired],
        {"status": JobStatus.CANCELLED, "finished_at": now, "lease_expires_at": None},
        {"status": JobStatus.CANCELLED, "finished_at": now},
    )
    failed = await _transition(
        session,
        [Job.status == JobStatus.RUNNING, Job.attempts >= Job.max_attempts, *expired],
        {"status": JobStatus.FAILED, "finished_at": now, "lease_expires_at": None, "error": lost},
        {"status": JobStatus.FAILED, "finished_at": now, "error": f"{lost}; no attempts left"},
    )
    requeued = await _transition(
        session,
        [Job.status == JobStatus.RUNNING, Job.attempts < Job.max_attempts, *expired],
        {
            "status": JobStatus.QUEUED,
            "lease_owner": None,
            "lease_expires_at": None,
            "run_at": now,
            "error": lost,
        },
        {"status": JobStatus.QUEUED},
    )
    if requeued:
        await notify(session, JOBS_CHANNEL, "requeued")
    return Reaped(requeued=requeued, failed=failed, cancelled=cancelled)


async def queue_depth(*, session: AsyncSession) -> dict[str, int]:
    """Number of jobs in each status (every status present, zero when none)."""
    rows = (await session.execute(select(Job.status, func.count()).group_by(Job.status))).all()
    counts = {str(status): 0 for status in JobStatus}
    counts.update({status: int(n) for status, n in rows})
    return counts
