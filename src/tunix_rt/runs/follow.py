"""Following a run: log lines, status changes and keep-alives, by polling the database.

Polling (rather than in-process signals) is deliberate: the run may be executed by a worker
in another process or on another host, and the database is the one place both can see.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.session import create_engine, create_sessionmaker
from tunix_rt.runs import service
from tunix_rt.runs.logs import read_logs
from tunix_rt.runs.models import TERMINAL
from tunix_rt.runs.schemas import LogLine
from tunix_rt.settings import Settings

BATCH = 1000


@dataclass(frozen=True)
class RunEvent:
    """``log`` (with ``line``), ``status`` (with ``status``) or ``heartbeat``."""

    kind: str
    line: LogLine | None = None
    status: str | None = None


async def run_events(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    run_id: uuid.UUID,
    since_seq: int = -1,
    poll_s: float = 0.25,
    heartbeat_s: float = 15.0,
    follow: bool = True,
) -> AsyncIterator[RunEvent]:
    """Log lines after ``since_seq`` in order, status on change; ends after the final status."""
    loop = asyncio.get_running_loop()
    last_seq, last_status, last_sent = since_seq, "", loop.time()
    while True:
        async with sessionmaker() as session:
            # Status before logs: a terminal status read first means every line is already stored.
            run = await service.get_run(session=session, run_id=run_id)
            rows = await read_logs(session=session, run_id=run_id, since_seq=last_seq, limit=BATCH)
        for row in rows:
            last_seq = row.seq
            yield RunEvent("log", line=LogLine.model_validate(row))
        if run.status != last_status:
            last_status = run.status
            yield RunEvent("status", status=run.status)
        if len(rows) == BATCH:
            continue
        if run.status in TERMINAL or not follow:
            return
        if rows or run.status != last_status:
            last_sent = loop.time()
        elif loop.time() - last_sent >= heartbeat_s:
            last_sent = loop.time()
            yield RunEvent("heartbeat")
        await asyncio.sleep(poll_s)


async def follow_logs(
    *, settings: Settings, run_id: uuid.UUID, since_seq: int = -1, follow: bool = False
) -> AsyncIterator[LogLine]:
    """The CLI's view: just the lines, on a private engine."""
    engine = create_engine(settings.resolved_database_url)
    try:
        events = run_events(
            sessionmaker=create_sessionmaker(engine),
            run_id=run_id,
            since_seq=since_seq,
            follow=follow,
        )
        async for event in events:
            if event.line is not None:
                yield event.line
    finally:
        await engine.dispose()
