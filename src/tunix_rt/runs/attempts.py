"""One attempt's processes: stop what an earlier attempt left running, record each start.

The first line of defence is the supervisor (``runs/supervise.py``): a job's process group dies
with its worker. This is the second: before the first process of a new attempt starts, the job's
recorded process (host, group, attempt) is looked at. On this host, if that group still has
processes carrying the job's id (``runs/groups.py``; a group id reused by another program is
left alone), it gets SIGKILL and the attempt waits until it is gone. On another host nothing
here can reach it; the lease (its worker stopped renewing it) and the supervisor cover it, and
the attempt says so in the worker's log.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.session import session_scope
from tunix_rt.errors import InvalidState
from tunix_rt.runs import groups, queue

log = logging.getLogger(__name__)

# How long a SIGKILLed group may take to disappear (a process in uninterruptible I/O).
GONE_TIMEOUT_S = 30.0


async def stop_earlier(
    *, sessionmaker: async_sessionmaker[AsyncSession], job_id: uuid.UUID, attempt: int
) -> None:
    """Make sure no process recorded by an earlier attempt of the job still runs here."""
    async with sessionmaker() as session:
        earlier = await queue.recorded_process(session=session, job_id=job_id)
    if earlier is None:
        return
    if earlier.host != socket.gethostname():
        log.info(
            "job %s attempt %d: attempt %d's processes ran on host %s (group %d); its lease has "
            "expired and its supervisor kills them with their worker",
            job_id,
            attempt,
            earlier.attempt,
            earlier.host,
            earlier.pgid,
        )
        return
    await _kill_owned_group(job_id, earlier)


async def _kill_owned_group(job_id: uuid.UUID, earlier: queue.JobProcess) -> None:
    pids = groups.owned_members(earlier.pgid, str(job_id))
    if pids is None:
        log.warning(
            "job %s: cannot list process group %d on this OS (no /proc); not touching it",
            job_id,
            earlier.pgid,
        )
        return
    if not pids:
        return
    log.warning(
        "job %s: attempt %d's process group %d still runs (%d processes): SIGKILL",
        job_id,
        earlier.attempt,
        earlier.pgid,
        len(pids),
    )
    groups.signal_group(earlier.pgid, signal.SIGKILL)
    deadline = time.monotonic() + GONE_TIMEOUT_S
    while groups.members(earlier.pgid):
        if time.monotonic() > deadline:
            raise InvalidState(
                f"attempt {earlier.attempt}'s process group {earlier.pgid} did not exit "
                f"{GONE_TIMEOUT_S:.0f} s after SIGKILL"
            )
        await asyncio.sleep(0.02)


async def record_start(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    job_id: uuid.UUID,
    attempt: int,
    pgid: int,
) -> None:
    """Record the process group an attempt just started on this host."""
    process = queue.JobProcess(host=socket.gethostname(), pgid=pgid, attempt=attempt)
    async with session_scope(sessionmaker) as session:
        await queue.record_process(session=session, job_id=job_id, process=process)
