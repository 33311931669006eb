"""Bad input gets a 4xx naming the problem, and the database is unchanged."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.traces.factories import trace_doc

from tunix_rt.api.app import create_app
from tunix_rt.api.deps import get_session
from tunix_rt.settings import AuthMode, Settings
from tunix_rt.traces.models import Trace

LIMIT = 64 * 1024


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Trace)) or 0)


def _without(key: str) -> dict[str, object]:
    doc = trace_doc(1)
    del doc[key]
    return doc


@pytest.mark.parametrize(
    ("path", "doc", "named"),
    [
        ("/api/traces", _without("final_answer"), "final_answer"),
        ("/api/traces", trace_doc(1, steps=[]), "steps"),
        ("/api/traces", trace_doc(1, steps=[{"i": 0, "type": "a", "content": "x"}] * 2), "i=0"),
        ("/api/traces", trace_doc(1, colour="red"), "colour"),
        ("/api/traces/batch", [trace_doc(1), trace_doc(2, colour="red")], '["traces",1,"colour"]'),
        ("/api/traces/batch", {"traces": [trace_doc(1)], "extra": 1}, "unknown key 'extra'"),
        ("/api/traces/batch", [trace_doc(1, steps=[])], '["traces",0,"steps"]'),
    ],
)
async def test_invalid_trace_is_422_naming_the_field(
    client: httpx.AsyncClient, session: AsyncSession, path: str, doc: object, named: str
) -> None:
    before = await _count(session)
    response = await client.post(path, json=doc)
    assert response.status_code == 422
    assert named in response.text
    assert await _count(session) == before


@pytest.mark.parametrize("path", ["/api/traces", "/api/traces/batch"])
async def test_non_json_body_is_422(
    client: httpx.AsyncClient, session: AsyncSession, path: str
) -> None:
    before = await _count(session)
    response = await client.post(
        path, content=b"{this is not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "json" in response.text.lower()
    assert await _count(session) == before


async def _huge(total: int, piece: bytes = b"x" * 8192) -> AsyncIterator[bytes]:
    yield b'{"traces": [' + orjson.dumps(trace_doc(1)) + b', "'
    for _ in range(total // len(piece)):
        yield piece


@pytest.fixture
async def small_app_client(
    settings: Settings, engine: AsyncEngine, session: AsyncSession, admin_token: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app whose body limit is 64 KiB."""
    app = create_app(
        settings.model_copy(update={"max_body_bytes": LIMIT}),
        engine=engine,
        migrate_on_start=False,
        background=False,
    )

    async def _session() -> AsyncIterator[AsyncSession]:
        yield session

    app.dependency_overrides[get_session] = _session
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as http:
        yield http


@pytest.mark.parametrize("path", ["/api/traces/batch", "/api/traces/import", "/api/traces"])
async def test_lying_content_length_is_413_on_bytes_read(
    small_app_client: httpx.AsyncClient, session: AsyncSession, path: str
) -> None:
    before = await _count(session)
    response = await small_app_client.post(
        path,
        content=_huge(10 * LIMIT),
        headers={"content-length": "100", "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert str(LIMIT) in response.json()["message"]
    assert await _count(session) == before


async def test_real_server_rejects_oversized_and_lying_bodies(settings: Settings) -> None:
    """Through uvicorn and a raw socket: a chunked body past the limit gets 413; a body longer
    than its Content-Length is cut there by the server (the rest is not a request): a 4xx."""
    # About body limits on the wire, on loopback: auth off keeps the raw requests minimal.
    limited = settings.model_copy(update={"max_body_bytes": LIMIT, "auth": AuthMode.OFF})
    app = create_app(limited, migrate_on_start=False)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # up to 10 s
        if server.started:
            break
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            before = (await http.get("/api/traces", params={"limit": 500})).json()["data"]
            status = await _raw_chunked_post(port, "/api/traces/batch", 10 * LIMIT)
            lying = await _raw_lying_post(port, "/api/traces/batch", 10 * LIMIT)
            after = (await http.get("/api/traces", params={"limit": 500})).json()["data"]
        assert status == 413
        assert 400 <= lying < 500
        assert after == before
    finally:
        server.should_exit = True
        await task


async def _raw_chunked_post(port: int, path: str, total: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n".encode()
    )
    try:
        async for piece in _huge(total):
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    except ConnectionError:
        pass  # the server may close the connection after answering 413
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


async def test_nul_characters_are_422_not_a_database_error(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    before = await _count(session)
    bad_step = trace_doc(2, steps=[{"i": 0, "type": "t", "content": "a\x00b"}])
    response = await client.post("/api/traces/batch", json=[trace_doc(1), bad_step])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", 1, "steps", 0, "content"]
    response = await client.post("/api/traces", json=trace_doc(3, prompt="nul\x00"))
    assert response.status_code == 422
    assert "prompt" in response.text
    body = orjson.dumps(trace_doc(4, meta={"k": "\x00"}))
    response = await client.post("/api/traces/import", content=body)
    assert response.json()["detail"][0] == {
        "loc": ["line 1"],
        "msg": "meta: NUL characters are not allowed",
        "type": "invalid_input",
    }
    assert await _count(session) == before


async def _raw_lying_post(port: int, path: str, total: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n".encode()
    )
    try:
        async for piece in _huge(total):
            writer.write(piece)
            await writer.drain()
    except ConnectionError:
        pass
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])
