"""The list route's fast encoding is ``TracePublic``'s JSON, byte for byte, on both databases."""

import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from tests.traces.factories import trace_in

from tunix_rt.pagination import Page, Pagination
from tunix_rt.traces import service
from tunix_rt.traces.listing import TraceFilter
from tunix_rt.traces.schemas import TracePublic, public_doc

ODD_META = {
    "source": "tést ✓",
    "nested": {"z": [1, 2.5, None, True], "a": {"deep": "ß"}},
    "big": 2**53 + 1,
    "tags": ["x", "y"],
}


async def test_public_doc_encodes_exactly_as_trace_public(session: AsyncSession) -> None:
    for n in range(3):
        await service.create_trace(session=session, trace_in=trace_in(n))
    odd = trace_in(9, meta=ODD_META, prompt='quote " and \\ and \n newline', final_answer="½")
    await service.create_trace(session=session, trace_in=odd)
    await service.create_trace(session=session, trace_in=trace_in(10, meta=None))
    page = await service.list_traces(session=session, flt=TraceFilter(), limit=10)
    assert len(page.rows) == 5
    for row in page.rows:
        fast = orjson.dumps(public_doc(row), option=orjson.OPT_UTC_Z)
        assert fast == TracePublic.model_validate(row).model_dump_json().encode()


async def test_list_page_body_matches_the_declared_model(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    for n in range(4):
        response = await client.post("/api/traces", json=trace_in(n).model_dump())
        assert response.status_code == 201
    response = await client.get("/api/traces", params={"limit": 3})
    body = response.json()
    declared = Page[TracePublic].model_validate(body)
    assert response.content == declared.model_dump_json().encode()
    assert declared.pagination == Pagination(
        limit=3, offset=0, next_offset=3, next_cursor=body["pagination"]["next_cursor"], total=4
    )
