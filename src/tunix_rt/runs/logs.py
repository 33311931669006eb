"""Run logs: a batched writer (one INSERT per batch) and readers for the API and CLI."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import session_scope
from tunix_rt.runs.models import RunLog

# Longer lines are cut: one runaway line (a progress bar without newlines) must not bloat rows.
MAX_LINE_CHARS = 8_000


class LogSink:
    """Buffers a run's log lines and writes them in batches, with a monotonic ``seq``.

    ``seq`` continues from the highest stored value, so a retried run keeps one ordered log;
    it is assigned at flush time, under a lock, so stored seqs never have gaps.
    A batch is written when ``batch_lines`` lines are waiting or ``flush_interval_s`` has passed.
    """

    def __init__(
        self,
        *,
        run_id: uuid.UUID,
        sessionmaker: async_sessionmaker[AsyncSession],
        batch_lines: int = 200,
        flush_interval_s: float = 0.2,
    ) -> None:
        self.run_id = run_id
        self._sessionmaker = sessionmaker
        self._batch_lines = batch_lines
        self._interval = flush_interval_s
        self._pending: list[dict[str, object]] = []
        self._next_seq: int | None = None
        self._lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the periodic flusher (where the log ends is read by the first flush)."""
        self._flusher = asyncio.create_task(self._flush_periodically())

    async def write(self, line: str, stream: str = "stdout") -> None:
        """Queue one line; flushes at once when the batch is full."""
        row = {
            "run_id": self.run_id,
            "stream": stream[:16],
            "line": line[:MAX_LINE_CHARS],
            "ts": utcnow(),
        }
        self._pending.append(row)
        if len(self._pending) >= self._batch_lines:
            await self.flush()

    async def flush(self) -> None:
        """Write every queued line in one transaction."""
        async with self._lock:
            if not self._pending:
                return
            rows, self._pending = self._pending, []
            async with session_scope(self._sessionmaker) as session:
                if self._next_seq is None:  # one transaction: find the end, then append
                    last = await session.scalar(
                        select(func.max(RunLog.seq)).where(RunLog.run_id == self.run_id)
                    )
                    self._next_seq = 0 if last is None else int(last) + 1
                for offset, row in enumerate(rows):
                    row["seq"] = self._next_seq + offset
                await session.execute(insert(RunLog), rows)
                self._next_seq += len(rows)

    async def close(self) -> None:
        """Stop the flusher and write what is left."""
        if self._flusher is not None:
            # Under the lock: a periodic flush that has taken its batch finishes storing it (a
            # cancel mid-INSERT lost those lines; CI saw a failed command's stderr line missing).
            async with self._lock:
                self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        await self.flush()

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()


async def read_logs(
    *, session: AsyncSession, run_id: uuid.UUID, since_seq: int = -1, limit: int = 1000
) -> Sequence[RunLog]:
    """Log lines with ``seq > since_seq``, oldest first."""
    rows = await session.scalars(
        select(RunLog)
        .where(RunLog.run_id == run_id, RunLog.seq > since_seq)
        .order_by(RunLog.seq)
        .limit(limit)
    )
    return rows.all()
