"""UNGAR routes (SPEC.md): the built-in High Card Duel generator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import SessionDep, streamed
from tunix_rt.traces import service as trace_service
from tunix_rt.traces.generators import high_card_duel
from tunix_rt.traces.generators.schemas import (
    MAX_DUELS,
    MAX_SEED,
    DuelGenerateRequest,
    DuelGenerateResponse,
    UngarStatus,
)
from tunix_rt.traces.schemas import TraceCreate

router = APIRouter(prefix="/api/ungar", tags=["ungar"], dependencies=[by_method])


def _duels(count: int, seed: int, hand_size: int) -> list[TraceCreate]:
    # Deals repeat in a long series (1-card hands have 2,652 deals), so no uniqueness here.
    return high_card_duel.generate(count, seed=seed, hand_size=hand_size, unique=False)


@router.get("/status")
async def get_status() -> UngarStatus:
    """The game generators are built in, so always available."""
    return UngarStatus(available=True, games=[high_card_duel.NAME], version=high_card_duel.VERSION)


@router.post("/high-card-duel/generate")
async def generate_duels(body: DuelGenerateRequest, session: SessionDep) -> DuelGenerateResponse:
    """Deal ``count`` duels from ``seed``; with ``persist`` they are stored as traces."""
    traces = await run_in_threadpool(_duels, body.count, body.seed, body.hand_size)
    created, duplicates, ids = 0, 0, []
    if body.persist:
        result = await trace_service.create_traces(session=session, traces=traces)
        created, duplicates, ids = result.created, result.duplicates, result.ids
    return DuelGenerateResponse(
        count=len(traces),
        seed=body.seed,
        persisted=body.persist,
        created=created,
        duplicates=duplicates,
        trace_ids=ids,
        traces=traces,
    )


def _jsonl(traces: list[TraceCreate]) -> Iterator[bytes]:
    batch = 500
    for start in range(0, len(traces), batch):
        chunk = traces[start : start + batch]
        yield b"".join(orjson.dumps(t.model_dump(mode="json")) + b"\n" for t in chunk)


@router.get(
    "/high-card-duel/export.jsonl",
    response_class=StreamingResponse,
    responses=streamed("application/x-ndjson"),
)
async def export_duels(
    count: Annotated[int, Query(ge=1, le=MAX_DUELS)] = 100,
    seed: Annotated[int, Query(ge=0, le=MAX_SEED)] = 0,
    hand_size: Annotated[int, Query(ge=1, le=5)] = 1,
) -> StreamingResponse:
    """The duels as JSONL traces (one per line), streamed."""
    traces = await run_in_threadpool(_duels, count, seed, hand_size)
    return StreamingResponse(_jsonl(traces), media_type="application/x-ndjson")
