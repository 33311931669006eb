"""``metrics.jsonl`` from the training recipe -> ``run_metrics`` rows, and time series out."""

from __future__ import annotations

import asyncio
import contextlib
import math
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.base import utcnow
from tunix_rt.db.session import session_scope
from tunix_rt.runs.models import RunMetric
from tunix_rt.runs.schemas import MetricPoint


class MetricsTail:
    """Reads complete new lines of a growing ``metrics.jsonl`` into the database."""

    def __init__(
        self, *, run_id: uuid.UUID, path: Path, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.run_id = run_id
        self.path = path
        self._sessionmaker = sessionmaker
        self._offset = 0
        self._next_seq = 0

    async def start(self) -> None:
        """Continue after the events already stored (a retried run appends to one series)."""
        async with self._sessionmaker() as session:
            last = await session.scalar(
                select(func.max(RunMetric.seq)).where(RunMetric.run_id == self.run_id)
            )
        stored = 0 if last is None else int(last) + 1
        # Skip the lines already ingested by an earlier attempt.
        while self._next_seq < stored and self._read_lines(stored - self._next_seq):
            pass
        self._next_seq = stored

    def _read_lines(self, limit: int | None = None) -> list[bytes]:
        if not self.path.is_file():
            return []
        with self.path.open("rb") as fh:
            fh.seek(self._offset)
            data = fh.read()
        lines: list[bytes] = []
        for raw in data.splitlines(keepends=True):
            if not raw.endswith(b"\n") or (limit is not None and len(lines) >= limit):
                break  # a partly written last line is read on the next poll
            self._offset += len(raw)
            lines.append(raw)
        if limit is not None:
            self._next_seq += len(lines)
        return lines

    async def poll(self) -> int:
        """Ingest every complete new line; returns how many events were stored."""
        rows = []
        for raw in await asyncio.to_thread(self._read_lines):
            row = _event_row(self.run_id, self._next_seq, raw)
            self._next_seq += 1
            if row is not None:
                rows.append(row)
        if rows:
            async with session_scope(self._sessionmaker) as session:
                await session.execute(insert(RunMetric), rows)
        return len(rows)

    async def follow(self, stop: asyncio.Event, interval_s: float = 1.0) -> None:
        """Poll until ``stop`` is set (run beside the training subprocess).

        Stop it with the event, not by cancelling the task: a poll cancelled between reading
        lines and storing them would lose those lines (the offset has already moved on).
        """
        while not stop.is_set():
            with contextlib.suppress(OSError):
                await self.poll()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)


def _event_row(run_id: uuid.UUID, seq: int, raw: bytes) -> dict[str, Any] | None:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict):
        return None
    step = doc.get("step")
    return {
        "run_id": run_id,
        "seq": seq,
        "event": str(doc.get("event", "train"))[:64],
        "step": step if isinstance(step, int) and not isinstance(step, bool) else None,
        "data": doc,
        "ts": utcnow(),
    }


async def read_metrics(*, session: AsyncSession, run_id: uuid.UUID) -> Sequence[RunMetric]:
    """Every stored event of a run, in file order."""
    rows = await session.scalars(
        select(RunMetric).where(RunMetric.run_id == run_id).order_by(RunMetric.seq)
    )
    return rows.all()


async def latest_event(
    *, session: AsyncSession, run_id: uuid.UUID, event: str
) -> dict[str, Any] | None:
    """The fields of the run's latest stored ``event`` (``train``, ``eval``, ``end``), if any."""
    row = await session.scalar(
        select(RunMetric)
        .where(RunMetric.run_id == run_id, RunMetric.event == event)
        .order_by(RunMetric.seq.desc())
        .limit(1)
    )
    return None if row is None else dict(row.data)


def to_series(events: Sequence[RunMetric]) -> dict[str, list[MetricPoint]]:
    """``{"train/loss": [points], "eval/accuracy": [...]}``: every finite numeric field."""
    series: dict[str, list[MetricPoint]] = {}
    for event in events:
        for key, value in event.data.items():
            if key in ("event", "step") or isinstance(value, bool):
                continue
            if isinstance(value, int | float) and math.isfinite(value):
                point = MetricPoint(step=event.step, value=float(value), ts=event.ts)
                series.setdefault(f"{event.event}/{key}", []).append(point)
    return series
