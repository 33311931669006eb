"""Recovery of jobs whose worker vanished (lease expired), and queue depth for metrics."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.db.base import utcnow
from tunix_rt.runs.models import Job, JobStatus
from tunix_rt.runs.queue import JOBS_CHANNEL, Reaped, notify

_NO_SYNC = {"synchronize_session": False}


async def _transition(
    session: AsyncSession, where: list[Any], values: dict[str, Any]
) -> list[uuid.UUID]:
    """Move every matching job in one UPDATE (its run reads the job); returns the job ids."""
    rows = await session.execute(
        update(Job)
        .where(*where)
        .values(updated_at=utcnow(), **values)
        .returning(Job.id)
        .execution_options(**_NO_SYNC)
    )
    return list(rows.scalars().all())


async def reap_expired(*, session: AsyncSession) -> Reaped:
    """Jobs whose lease expired: back to the queue while attempts remain, else failed.

    A job whose cancellation was requested is simply cancelled. Safe to run from every worker
    at once: each UPDATE re-checks its conditions on the locked row.
    """
    now = utcnow()
    expired = [Job.lease_expires_at < now]
    lost = "lease expired: its worker stopped heartbeating (crashed, killed or partitioned)"
    ended = {"finished_at": now, "lease_expires_at": None}
    cancelled = await _transition(
        session,
        [Job.status == JobStatus.CANCEL_REQUESTED, *expired],
        # A cancellation ends with no reason of its own (not a lost attempt's note).
        {"status": JobStatus.CANCELLED, "error": None, **ended},
    )
    failed = await _transition(
        session,
        [Job.status == JobStatus.RUNNING, Job.attempts >= Job.max_attempts, *expired],
        {"status": JobStatus.FAILED, "error": f"{lost}; no attempts left", **ended},
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
