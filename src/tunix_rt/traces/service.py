"""Trace storage: async functions over a session; they flush, the caller commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.errors import NotFound
from tunix_rt.traces.models import Trace, TraceTag
from tunix_rt.traces.schemas import TraceCreate


def _meta_str(trace_in: TraceCreate, key: str) -> str | None:
    value = (trace_in.meta or {}).get(key)
    return str(value)[:200] if value is not None else None


def to_row(trace_in: TraceCreate, *, content_hash: str | None = None) -> Trace:
    """A ``Trace`` row for a validated trace."""
    return Trace(
        id=uuid.uuid4(),
        content_hash=content_hash or trace_in.content_hash(),
        trace_version=trace_in.trace_version,
        prompt=trace_in.prompt,
        final_answer=trace_in.final_answer,
        steps=[s.model_dump() for s in trace_in.steps],
        meta=trace_in.meta,
        source=_meta_str(trace_in, "source"),
        category=_meta_str(trace_in, "category"),
        difficulty=_meta_str(trace_in, "difficulty"),
        step_count=len(trace_in.steps),
    )


async def create_trace(*, session: AsyncSession, trace_in: TraceCreate) -> tuple[Trace, bool]:
    """Store a trace; returns ``(trace, created)``. An identical trace is returned as is."""
    digest = trace_in.content_hash()
    existing = await session.scalar(select(Trace).where(Trace.content_hash == digest))
    if existing is not None:
        return existing, False
    row = to_row(trace_in, content_hash=digest)
    session.add(row)
    for tag in sorted(set((trace_in.meta or {}).get("tags") or [])):
        session.add(TraceTag(trace_id=row.id, tag=tag[:200]))
    await session.flush()
    return row, True


async def get_trace(*, session: AsyncSession, trace_id: uuid.UUID) -> Trace:
    """The trace with this id, or ``NotFound``."""
    trace = await session.get(Trace, trace_id)
    if trace is None:
        raise NotFound(f"trace {trace_id} not found")
    return trace
