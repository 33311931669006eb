"""Trace factories for dataset tests (plain functions, stored through the real bulk insert)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.traces.bulk import create_traces
from tunix_rt.traces.schemas import TraceCreate

CATEGORIES = ("add", "mul", "sub")


def make_trace(i: int, *, category: str | None = None, score: float | None = None) -> TraceCreate:
    """A small arithmetic trace; ``i`` makes it unique."""
    cat = category or CATEGORIES[i % len(CATEGORIES)]
    a, b = 10 + i, 3 + i % 7
    meta: dict[str, object] = {
        "source": "generator" if i % 2 else "curated",
        "category": cat,
        "difficulty": "easy" if i % 4 else "hard",
        "tags": ["t-even" if i % 2 == 0 else "t-odd", "all"],
        "seed": i % 5,
    }
    if score is not None:
        meta["score"] = score
    return TraceCreate(
        prompt=f"Compute {a} and {b} using {cat} number {i}.",
        steps=[
            {"i": 0, "type": "parse", "content": f"Read {a} and {b}."},
            {"i": 1, "type": "compute", "content": f"{a} + {b} = {a + b}"},
        ],
        final_answer=str(a + b),
        meta=meta,
    )


def make_traces(n: int) -> list[TraceCreate]:
    """``n`` distinct traces with scores 0.0 .. 0.9 cycling."""
    return [make_trace(i, score=(i % 10) / 10) for i in range(n)]


async def store(session: AsyncSession, traces: Sequence[TraceCreate]) -> list[uuid.UUID]:
    """Store traces; returns their ids in order."""
    return (await create_traces(session=session, traces=traces)).ids
