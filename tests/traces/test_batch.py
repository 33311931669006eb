"""Batch insert: all or nothing, de-duplicated by content hash, ids in input order."""

import gc
import hashlib

import httpx
import orjson
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tests.traces.factories import trace_doc, trace_in

from tunix_rt.errors import InvalidInput
from tunix_rt.traces import service
from tunix_rt.traces.fastcheck import is_plainly_valid
from tunix_rt.traces.models import Trace, TraceTag
from tunix_rt.traces.schemas import TraceCreate
from tunix_rt.traces.validation import parse_batch, parse_trace


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Trace)) or 0)


async def test_create_traces_dedupes_within_batch_and_against_table(
    session: AsyncSession,
) -> None:
    first = await service.create_traces(session=session, traces=[trace_in(1), trace_in(2)])
    assert (first.created, first.duplicates) == (2, 0)
    again = await service.create_traces(
        session=session, traces=[trace_in(3), trace_in(1), trace_in(3)]
    )
    assert (again.created, again.duplicates) == (1, 2)
    assert again.ids[1] == first.ids[0]
    assert again.ids[0] == again.ids[2]
    assert await _count(session) == 3


async def test_create_traces_stores_columns_and_tags(session: AsyncSession) -> None:
    result = await service.create_traces(
        session=session, traces=[trace_in(5, meta={"source": "s", "tags": ["b", "a", "a"]})]
    )
    trace = await service.get_trace(session=session, trace_id=result.ids[0])
    assert (trace.source, trace.category, trace.step_count) == ("s", None, 2)
    assert trace.steps[1]["content"] == "5 + 6 = 11"
    tags = await session.scalars(select(TraceTag.tag).where(TraceTag.trace_id == trace.id))
    assert sorted(tags) == ["a", "b"]


async def test_batch_endpoint_accepts_object_or_list(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/traces/batch", json={"traces": [trace_doc(1)]})
    assert response.status_code == 201, response.text
    assert response.json()["created"] == 1
    response = await client.post("/api/traces/batch", json=[trace_doc(1), trace_doc(2)])
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["duplicates"]) == (1, 1)
    assert len(body["ids"]) == 2


async def test_batch_names_failing_index_and_field_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    docs = [trace_doc(n) for n in range(5)]
    docs[3]["steps"] = []
    response = await client.post("/api/traces/batch", json={"traces": docs})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["traces", 3, "steps"]
    response = await client.post("/api/traces/batch", json=docs)
    assert response.json()["detail"][0]["loc"] == ["traces", 3, "steps"]
    assert await _count(session) == 0


async def test_batch_over_the_cap_is_rejected(client: httpx.AsyncClient) -> None:
    client_app = client._transport.app  # type: ignore[attr-defined]
    limit = client_app.state.settings.max_batch_traces
    docs = [trace_doc(1)] * (limit + 1)
    response = await client.post("/api/traces/batch", json=docs)
    assert response.status_code == 422
    assert f"at most {limit}" in response.text


def _step(i: int, content: str) -> dict[str, object]:
    return {"i": i, "type": "t", "content": content}


UNICODE_META = {"n": [1, 2.5, None, {"z": 1, "a": 2}]}


@pytest.mark.parametrize(
    "doc",
    [
        trace_doc(1),
        {"prompt": "p", "steps": [_step(2, "b"), _step(0, "a")], "final_answer": "x"},
        {"prompt": "p", "steps": [_step(0, "a")], "final_answer": "x", "meta": None},
        {
            "prompt": "é ✨ 漢字",
            "steps": [_step(0, "1 + 2 = 3")],
            "final_answer": "3",
            "meta": UNICODE_META,
        },
    ],
)
def test_fast_document_path_hashes_like_the_model(doc: dict[str, object]) -> None:
    fast = parse_trace(orjson.loads(orjson.dumps(doc)))
    model = TraceCreate.model_validate(doc)
    assert fast == model.canonical()
    plain = orjson.dumps(model.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    assert fast.digest == hashlib.sha256(plain).hexdigest()


async def test_batch_and_single_create_share_the_content_hash(client: httpx.AsyncClient) -> None:
    batch = (await client.post("/api/traces/batch", json=[trace_doc(9)])).json()
    single = await client.post("/api/traces", json=trace_doc(9))
    assert single.status_code == 200
    assert single.json()["id"] == batch["ids"][0]


@pytest.mark.parametrize(
    "doc",
    [
        trace_doc(1, steps=[_step(1, "b"), _step(0, "a")]),  # unordered: pydantic sorts
        trace_doc(1, steps=[{"i": "0", "type": "t", "content": "a"}]),  # a string index
        trace_doc(1, trace_version=""),
        trace_doc(1, meta={"tags": "not-a-list"}),
        trace_doc(1, steps=[_step(0, "a"), _step(0, "b")]),
        {"prompt": "p", "steps": [_step(0, "a")]},
    ],
)
def test_fast_check_defers_to_pydantic_for_anything_unusual(doc: dict[str, object]) -> None:
    assert not is_plainly_valid(doc)


def test_fast_and_pydantic_batch_paths_agree() -> None:
    docs = [trace_doc(1), trace_doc(2, steps=[_step(1, "b"), _step(0, "a")])]
    fast = parse_batch(orjson.dumps(docs[:1]), max_traces=10)
    slow = parse_batch(orjson.dumps(docs), max_traces=10)  # one unusual doc: all via pydantic
    assert fast[0] == slow[0]
    assert [s["i"] for s in orjson.loads(slow[1].steps_json)] == [0, 1]


async def test_stored_duplicate_amid_new_traces_is_found_and_the_rest_stored(
    session: AsyncSession,
) -> None:
    stored = await service.create_traces(session=session, traces=[trace_in(50)])
    batch = [trace_in(n) for n in range(40, 60)]  # the stored one sits in the middle
    result = await service.create_traces(session=session, traces=batch)
    assert (result.created, result.duplicates) == (19, 1)
    assert result.ids[10] == stored.ids[0]
    assert len(set(result.ids)) == 20
    assert await _count(session) == 20
    tags = await session.scalar(select(func.count()).select_from(TraceTag))
    assert tags == 20


def test_parse_batch_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    parse_batch(orjson.dumps([trace_doc(1)]), max_traces=10)
    assert gc.isenabled()
    with pytest.raises(InvalidInput):
        parse_batch(orjson.dumps([trace_doc(1, steps=[])]), max_traces=10)
    assert gc.isenabled()
    gc.disable()
    try:
        parse_batch(orjson.dumps([trace_doc(1)]), max_traces=10)
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("index", [False, True, "0", 1.0])
def test_a_step_index_must_be_an_integer_on_both_paths(index: object) -> None:
    doc = trace_doc(1, steps=[{"i": index, "type": "t", "content": "a"}])
    with pytest.raises(ValidationError):
        TraceCreate.model_validate(doc)
    with pytest.raises(InvalidInput) as refused:
        parse_batch(orjson.dumps([doc]), max_traces=10)
    assert any("steps" in p.loc for p in refused.value.problems)
