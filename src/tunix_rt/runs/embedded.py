"""In-process workers for ``tunix-rt serve`` (the embedded shape), and the queue-depth gauge."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.runs import reaper, telemetry
from tunix_rt.runs.handlers import Handler
from tunix_rt.runs.worker import Worker, WorkerConfig, default_worker_id
from tunix_rt.settings import Settings

log = logging.getLogger(__name__)
Stop = Callable[[], Awaitable[None]]


async def _watch_depth(sessionmaker: async_sessionmaker[AsyncSession], interval_s: float) -> None:
    """Keep ``tunix_rt_jobs{status}`` fresh when no worker in this process does it."""
    while True:
        try:
            async with sessionmaker() as session:
                depth = await reaper.queue_depth(session=session)
            for status, count in depth.items():
                telemetry.QUEUE_DEPTH.labels(status).set(count)
        except Exception:  # the gauge is best effort; the database may be briefly away
            log.debug("queue depth refresh failed", exc_info=True)
        await asyncio.sleep(interval_s)


async def start_embedded(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    handlers: Mapping[str, Handler],
) -> Stop:
    """Start ``settings.workers`` job slots running ``handlers``; returns the graceful stop."""
    tasks: list[asyncio.Task[None]] = []
    worker: Worker | None = None
    if settings.workers > 0:
        config = WorkerConfig(concurrency=settings.workers, poll_max_s=0.5)
        worker = Worker(
            settings=settings,
            sessionmaker=sessionmaker,
            handlers=handlers,
            config=config,
            worker_id=default_worker_id("-serve"),
        )
        tasks.append(asyncio.create_task(worker.run()))
        log.info("embedded worker %s: %d slot(s)", worker.worker_id, settings.workers)
    else:
        tasks.append(asyncio.create_task(_watch_depth(sessionmaker, 10.0)))

    async def stop() -> None:
        if worker is not None:
            worker.request_stop()
        else:
            tasks[0].cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return stop
