"""Trace storage: async functions over a session; they flush, the caller commits."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.db.session import is_postgres
from tunix_rt.errors import NotFound
from tunix_rt.traces import scoring
from tunix_rt.traces.bulk import BatchResult, create_traces, store_canonical
from tunix_rt.traces.listing import TraceFilter, TracePage, list_page
from tunix_rt.traces.models import Trace, TraceTag
from tunix_rt.traces.schemas import TraceCreate, TracePublic, TraceStep

__all__ = [
    "BatchResult",
    "TraceComparison",
    "TraceFilter",
    "TracePage",
    "compare_traces",
    "count_traces",
    "create_trace",
    "create_traces",
    "delete_trace",
    "get_trace",
    "list_traces",
    "score_trace",
    "store_canonical",
]

# Above this many rows the planner's estimate stands in for an exact count (metrics only).
_ESTIMATE_ABOVE = 100_000


class TraceComparison(BaseModel):
    """Two traces side by side with a step-level diff."""

    base: TracePublic
    other: TracePublic
    same_answer: bool
    step_diff: list[scoring.StepDiff]
    base_scores: list[scoring.TraceScore]
    other_scores: list[scoring.TraceScore]


async def create_trace(*, session: AsyncSession, trace_in: TraceCreate) -> tuple[Trace, bool]:
    """Store a trace; returns ``(trace, created)``. An identical trace is returned as is."""
    result = await create_traces(session=session, traces=[trace_in])
    return await get_trace(session=session, trace_id=result.ids[0]), result.created == 1


async def get_trace(*, session: AsyncSession, trace_id: uuid.UUID) -> Trace:
    """The trace with this id, or ``NotFound``."""
    trace = await session.get(Trace, trace_id)
    if trace is None:
        raise NotFound(f"trace {trace_id} not found")
    return trace


async def delete_trace(*, session: AsyncSession, trace_id: uuid.UUID) -> None:
    """Delete a trace and its tags, or ``NotFound``."""
    await session.execute(delete(TraceTag).where(TraceTag.trace_id == trace_id))
    result = await session.execute(delete(Trace).where(Trace.id == trace_id))
    if getattr(result, "rowcount", 0) != 1:
        raise NotFound(f"trace {trace_id} not found")
    stale = session.identity_map.get((Trace, (trace_id,), None))
    if stale is not None:
        session.expunge(stale)


async def list_traces(
    *,
    session: AsyncSession,
    flt: TraceFilter,
    limit: int,
    offset: int = 0,
    cursor: str | None = None,
) -> TracePage:
    """Newest first, with the count of every matching trace; ``cursor`` (keyset) stays fast at
    any depth, ``offset`` does not."""
    return await list_page(session, flt, limit=limit, offset=offset, cursor=cursor, count=True)


async def count_traces(*, session: AsyncSession) -> int:
    """Stored traces; the planner's estimate on large PostgreSQL tables (cheap to scrape)."""
    if is_postgres(session):
        estimate = await session.scalar(
            text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'traces'::regclass")
        )
        if estimate is not None and estimate > _ESTIMATE_ABOVE:
            return int(estimate)
    return int(await session.scalar(select(func.count()).select_from(Trace)) or 0)


async def score_trace(
    *, session: AsyncSession, trace_id: uuid.UUID, scorer: scoring.Scorer
) -> scoring.TraceScore:
    """Score a stored trace with the named scorer."""
    trace = await get_trace(session=session, trace_id=trace_id)
    steps = [TraceStep.model_validate(s) for s in trace.steps]
    return scoring.score_trace(steps, scorer)


async def compare_traces(
    *, session: AsyncSession, base_id: uuid.UUID, other_id: uuid.UUID
) -> TraceComparison:
    """Both traces, whether their answers agree, a step diff and both traces' scores."""
    base = TracePublic.model_validate(await get_trace(session=session, trace_id=base_id))
    other = TracePublic.model_validate(await get_trace(session=session, trace_id=other_id))
    return TraceComparison(
        base=base,
        other=other,
        same_answer=base.final_answer.strip() == other.final_answer.strip(),
        step_diff=scoring.diff_steps(base.steps, other.steps),
        base_scores=[scoring.score_trace(base.steps, s) for s in scoring.Scorer],
        other_scores=[scoring.score_trace(other.steps, s) for s in scoring.Scorer],
    )
