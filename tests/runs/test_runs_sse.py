"""Live logs over Server-Sent Events from a real ``tunix-rt serve`` (with its embedded worker)."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tunix_rt.db.session import session_scope
from tunix_rt.runs import service
from tunix_rt.settings import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def server(worker_env: dict[str, str]) -> AsyncIterator[str]:
    """``tunix-rt serve --workers 1`` on a free port; yields its base URL."""
    port = _free_port()
    script = Path(sys.executable).parent / "tunix-rt"
    argv = [str(script), "serve", "--port", str(port), "--workers", "1"]
    # About log streaming on loopback: auth off (no bootstrap token in the suite's database).
    env = {**worker_env, "TUNIX_RT_AUTH": "off"}
    proc = await asyncio.create_subprocess_exec(*argv, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as http, asyncio.timeout(60):
            while True:
                try:
                    if (await http.get("/api/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    event: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if not line:
            if event:
                yield event
            event = {}
            continue
        field, _, value = line.partition(": ")
        event[field] = value


async def test_sse_streams_live_logs_and_resumes_without_gaps(
    server: str,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with session_scope(factory) as session:
        run = await service.create_run(
            session=session, settings=settings, kind="sleep", config={"seconds": 2.4, "ticks": 8}
        )
    url = f"/api/tunix/runs/{run.id}/logs"
    seen: list[int] = []
    statuses: list[str] = []
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        async with http.stream("GET", url) as first:
            assert first.headers["content-type"].startswith("text/event-stream")
            async for event in _events(first):
                if event["event"] == "log":
                    seen.append(int(event["id"]))
                    if len(seen) == 3:
                        break  # disconnect mid-run
                elif event["event"] == "status":
                    statuses.append(orjson.loads(event["data"])["status"])
        assert "succeeded" not in statuses, "the first connection must end while the job is live"
        headers = {"Last-Event-ID": str(seen[-1])}
        async with http.stream("GET", url, headers=headers) as second:
            async for event in _events(second):
                if event["event"] == "log":
                    data = orjson.loads(event["data"])
                    assert data["seq"] == int(event["id"])
                    seen.append(data["seq"])
                elif event["event"] == "status":
                    statuses.append(orjson.loads(event["data"])["status"])
        # the stream closed by itself after the final status
    assert seen == list(range(8))
    assert statuses[-1] == "succeeded"
    async with httpx.AsyncClient(base_url=server) as http:
        since = await http.get(url, params={"since_seq": 5})
        replay = [int(line[4:]) for line in since.text.splitlines() if line.startswith("id: ")]
    assert replay == [6, 7]


async def test_the_schema_describes_the_log_events(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    ok = doc["paths"]["/api/tunix/runs/{run_id}/logs"]["get"]["responses"]["200"]
    schema = ok["content"]["text/event-stream"]["schema"]
    assert schema["$ref"] == "#/components/schemas/LogLine"
    assert set(doc["components"]["schemas"]["LogLine"]["required"]) == {
        "seq",
        "stream",
        "line",
        "ts",
    }
