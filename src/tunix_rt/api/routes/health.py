"""Health and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from sqlalchemy import text

from tunix_rt import __version__
from tunix_rt.api.auth import metrics_access
from tunix_rt.api.deps import SessionDep
from tunix_rt.traces import metrics as trace_metrics

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Service health."""

    status: str
    version: str
    database: str


@router.get("/api/health")
async def get_health(session: SessionDep, response: Response) -> Health:
    """Healthy when the database answers a query."""
    try:
        await session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # the health check reports any driver failure as a value
        database = f"error: {type(exc).__name__}"
        response.status_code = 503
    status = "healthy" if database == "ok" else "unhealthy"
    return Health(status=status, version=__version__, database=database)


@router.get("/metrics", include_in_schema=False, dependencies=[metrics_access])
async def get_metrics(session: SessionDep) -> Response:
    """Prometheus exposition."""
    await trace_metrics.refresh(session)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
