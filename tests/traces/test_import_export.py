"""JSONL import (streamed upload) and export over HTTP."""

import httpx
import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.traces.factories import trace_doc

from tunix_rt.traces.models import Trace


def _jsonl(docs: list[object]) -> bytes:
    return b"".join(orjson.dumps(d) + b"\n" for d in docs)


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Trace)) or 0)


async def _chunks(body: bytes, size: int = 7):
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_import_streams_and_reimport_makes_no_duplicates(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    body = _jsonl([trace_doc(n) for n in range(5)]) + b"\n"  # a trailing blank line is fine
    first = await client.post("/api/traces/import", content=_chunks(body))
    assert first.status_code == 200, first.text
    assert first.json() | {"problems": []} == {
        "lines": 6,
        "created": 5,
        "duplicates": 0,
        "skipped": 0,
        "ignored": 0,
        "problems": [],
    }
    again = (await client.post("/api/traces/import", content=body)).json()
    assert (again["created"], again["duplicates"]) == (0, 5)
    assert await _count(session) == 5


async def test_import_accepts_seed_variants(client: httpx.AsyncClient) -> None:
    doc = {"prompts": "What is 2 + 2?", "trace_steps": ["2 + 2 = 4"], "final_answer": "4"}
    response = await client.post("/api/traces/import", content=_jsonl([doc]))
    assert response.json()["created"] == 1
    listed = (await client.get("/api/traces", params={"q": "What is 2 + 2"})).json()["data"]
    assert listed[0]["steps"] == [{"i": 0, "type": "step", "content": "2 + 2 = 4"}]


async def test_one_bad_line_imports_nothing_and_names_the_line(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    lines = [orjson.dumps(trace_doc(n)) for n in range(3000)]  # past one insert chunk
    lines[2500] = orjson.dumps(trace_doc(2500, steps=[]))
    body = b"\n".join(lines)
    response = await client.post("/api/traces/import", content=body)
    assert response.status_code == 422
    assert response.json()["message"] == "1 bad line; nothing imported"
    assert response.json()["detail"] == [
        {
            "loc": ["line 2501"],
            "msg": "steps: List should have at least 1 item after validation, not 0",
            "type": "invalid_input",
        }
    ]
    assert await _count(session) == 0


async def test_skip_invalid_imports_the_rest(client: httpx.AsyncClient) -> None:
    body = _jsonl([trace_doc(1)]) + b"{not json\n" + _jsonl([[1, 2], trace_doc(2)])
    response = await client.post("/api/traces/import?skip_invalid=true", content=body)
    result = response.json()
    assert (result["created"], result["skipped"]) == (2, 2)
    assert result["problems"][0].startswith("line 2: not valid JSON")
    assert result["problems"][1] == "line 3: expected a JSON object"


async def test_export_round_trips_with_filters(client: httpx.AsyncClient) -> None:
    docs = [trace_doc(n, meta={"source": "a" if n < 3 else "b"}) for n in range(5)]
    await client.post("/api/traces/batch", json=docs)
    response = await client.get("/api/traces/export.jsonl", params={"source": "a"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    exported = [orjson.loads(line) for line in response.content.splitlines()]
    assert sorted(d["prompt"] for d in exported) == sorted(d["prompt"] for d in docs[:3])
    again = await client.post("/api/traces/import", content=response.content)
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 3)
