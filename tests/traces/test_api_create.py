"""Creating and reading traces over HTTP."""

import httpx

TRACE = {
    "trace_version": "1.0",
    "prompt": "What is 12 + 30?",
    "steps": [{"i": 0, "type": "compute", "content": "12 + 30 = 42"}],
    "final_answer": "42",
    "meta": {"source": "test", "tags": ["add"]},
}


async def test_create_then_get_trace(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/traces", json=TRACE)
    assert created.status_code == 201, created.text
    fetched = await client.get(f"/api/traces/{created.json()['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["final_answer"] == "42"


async def test_identical_trace_is_not_stored_twice(client: httpx.AsyncClient) -> None:
    first = await client.post("/api/traces", json=TRACE)
    second = await client.post("/api/traces", json=TRACE)
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
