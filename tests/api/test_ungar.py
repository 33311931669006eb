"""UNGAR routes: status, High Card Duel generation (optionally stored) and JSONL export."""

from __future__ import annotations

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.traces.generators import high_card_duel
from tunix_rt.traces.models import Trace
from tunix_rt.traces.schemas import TraceCreate


async def test_status_lists_the_built_in_game(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/ungar/status")
    assert response.status_code == 200
    assert response.json() == {"available": True, "games": ["high_card_duel"], "version": "1.0"}


async def test_generate_returns_the_seeded_deals_without_storing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post("/api/ungar/high-card-duel/generate", json={"count": 7, "seed": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["count"], body["persisted"], body["created"], body["trace_ids"]) == (
        7,
        False,
        0,
        [],
    )
    expected = high_card_duel.generate(7, seed=3, unique=False)
    assert [TraceCreate.model_validate(t) for t in body["traces"]] == expected
    hashes = [t.content_hash() for t in expected]
    stored = await session.scalar(select(func.count()).where(Trace.content_hash.in_(hashes)))
    assert stored == 0


async def test_generate_with_persist_stores_once(client: httpx.AsyncClient) -> None:
    request = {"count": 25, "seed": 9, "persist": True, "hand_size": 2}
    first = (await client.post("/api/ungar/high-card-duel/generate", json=request)).json()
    assert (first["created"], first["duplicates"], len(first["trace_ids"])) == (25, 0, 25)
    stored = await client.get(f"/api/traces/{first['trace_ids'][4]}")
    assert stored.status_code == 200
    assert stored.json()["prompt"] == first["traces"][4]["prompt"]
    assert stored.json()["meta"]["category"] == "high_card_duel"
    again = (await client.post("/api/ungar/high-card-duel/generate", json=request)).json()
    assert (again["created"], again["duplicates"]) == (0, 25)
    assert again["trace_ids"] == first["trace_ids"]


async def test_export_streams_jsonl_matching_generate(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/ungar/high-card-duel/export.jsonl", params={"count": 1200, "seed": 5}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = response.content.splitlines()
    assert len(lines) == 1200
    traces = [TraceCreate.model_validate(orjson.loads(line)) for line in lines]
    assert traces == high_card_duel.generate(1200, seed=5, unique=False)
    assert {t.final_answer for t in traces} == {"player1", "player2", "tie"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 10_001}, "count"),
        ({"count": "many"}, "count"),
        ({"seed": -1}, "seed"),
        ({"persist": "maybe"}, "persist"),
        ({"hand_size": 6}, "hand_size"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_generate_rejects_bad_input_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/api/ungar/high-card-duel/generate", json=body)
    assert response.status_code == 422
    assert any(field in err["loc"] for err in response.json()["detail"]), response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"count": 0}, "count"), ({"count": "x"}, "count"), ({"seed": -5}, "seed")],
)
async def test_export_rejects_bad_input_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, object], field: str
) -> None:
    response = await client.get("/api/ungar/high-card-duel/export.jsonl", params=params)
    assert response.status_code == 422
    assert any(field in err["loc"] for err in response.json()["detail"]), response.json()
