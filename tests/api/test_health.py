"""Health and metrics endpoints."""

import httpx


async def test_health_reports_database_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert response.json()["database"] == "ok"


async def test_metrics_exposes_request_counter(client: httpx.AsyncClient) -> None:
    await client.get("/api/health")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "tunix_rt_http_requests_total" in response.text
