"""Prometheus gauge of stored traces, refreshed when ``/metrics`` is scraped."""

from __future__ import annotations

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.traces import service

TRACES = Gauge(
    "tunix_rt_traces",
    "Stored reasoning traces (the planner's estimate above 100k rows on PostgreSQL)",
)


async def refresh(session: AsyncSession) -> None:
    """Set the gauge from a cheap count (exact on small tables, estimated on big ones)."""
    TRACES.set(await service.count_traces(session=session))
