"""Trace routes (SPEC.md: /api/traces)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from tunix_rt.api.deps import SessionDep
from tunix_rt.traces import service
from tunix_rt.traces.schemas import TraceCreate, TracePublic

router = APIRouter(prefix="/api/traces", tags=["traces"])


@router.post("", status_code=201)
async def create_trace(
    trace_in: TraceCreate, session: SessionDep, response: Response
) -> TracePublic:
    """Store a trace. An identical trace already stored is returned with 200."""
    trace, created = await service.create_trace(session=session, trace_in=trace_in)
    if not created:
        response.status_code = 200
    return TracePublic.model_validate(trace)


@router.get("/{trace_id}")
async def get_trace(trace_id: uuid.UUID, session: SessionDep) -> TracePublic:
    """One trace by id."""
    return TracePublic.model_validate(await service.get_trace(session=session, trace_id=trace_id))
