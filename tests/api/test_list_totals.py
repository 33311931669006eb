"""Every list answers ``pagination.total``: the count of all matching rows, not of one page."""

from __future__ import annotations

import httpx
import orjson
import pytest
from tests.traces.factories import trace_doc


async def _seed(client: httpx.AsyncClient) -> None:
    """Two of everything the lists below list (each write is also an audit event)."""
    traces = [trace_doc(k, meta={"category": "totals"}) for k in range(4)]
    assert (await client.post("/api/traces/batch", json=traces)).status_code == 201
    for name in ("tot-a", "tot-b"):
        build = {"name": name, "filters": {"category": ["totals"]}}
        assert (await client.post("/api/datasets/build", json=build)).status_code == 201
        item = {"id": f"{name}-1", "prompt": "What is 1 + 1?", "expected_answer": "2"}
        registered = await client.post(f"/api/evalsets?name={name}", content=orjson.dumps(item))
        assert registered.status_code == 201, registered.text
        assert (await client.post("/api/models", json={"name": name})).status_code == 201
        assert (await client.post("/api/auth/tokens", json={"name": name})).status_code == 201


@pytest.mark.parametrize(
    ("path", "at_least"),
    [
        ("/api/traces", 4),
        ("/api/traces?category=totals", 4),
        ("/api/datasets", 2),
        ("/api/evalsets", 2),
        ("/api/models", 2),
        ("/api/models/tot-a/versions", 0),
        ("/api/auth/tokens", 2),
        ("/api/audit", 2),
        ("/api/audit?action=registry-create_family", 2),
        ("/api/tunix/runs", 0),
        ("/api/tuning/jobs", 0),
        ("/api/tunix/evaluations", 0),
    ],
)
async def test_a_one_row_page_counts_every_matching_row(
    client: httpx.AsyncClient, path: str, at_least: int
) -> None:
    await _seed(client)
    sep = "&" if "?" in path else "?"
    everything = (await client.get(f"{path}{sep}limit=500")).json()
    one = (await client.get(f"{path}{sep}limit=1")).json()
    assert len(everything["data"]) >= at_least
    assert one["pagination"]["total"] == len(everything["data"])
    assert everything["pagination"]["total"] == len(everything["data"])
    if len(everything["data"]) > 1:
        assert one["pagination"]["next_offset"] == 1
