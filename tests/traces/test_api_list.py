"""Listing traces: newest first, filters, OFFSET and keyset pages, get and delete."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.traces.factories import trace_doc, trace_in

from tunix_rt.traces import service


async def _seed(client: httpx.AsyncClient, n: int) -> list[str]:
    ids: list[str] = []
    for k in range(n):  # one request each so created_at increases with k
        meta = {"source": "src-even" if k % 2 == 0 else "src-odd", "tags": [f"t{k % 3}"]}
        meta["difficulty"] = "hard" if k == 4 else "easy"
        response = await client.post("/api/traces", json=trace_doc(k, meta=meta))
        ids.append(response.json()["id"])
    return ids


async def test_offset_and_cursor_pages_cover_all_rows_newest_first(
    client: httpx.AsyncClient,
) -> None:
    ids = await _seed(client, 7)
    first = (await client.get("/api/traces", params={"limit": 3})).json()
    assert [t["id"] for t in first["data"]] == ids[::-1][:3]
    assert first["pagination"] == {
        "limit": 3,
        "offset": 0,
        "next_offset": 3,
        "next_cursor": first["pagination"]["next_cursor"],
        "total": 7,
    }
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/traces", params=params)).json()
        seen += [t["id"] for t in page["data"]]
        cursor = page["pagination"]["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    last = (await client.get("/api/traces", params={"limit": 3, "offset": 6})).json()
    assert [t["id"] for t in last["data"]] == [ids[0]]
    assert last["pagination"]["next_offset"] is None
    assert last["pagination"]["total"] == 7


@pytest.mark.parametrize("params", [{}, {"offset": 3}, {"offset": 9}, {"after": True}])
async def test_every_page_counts_all_matching_traces(
    client: httpx.AsyncClient, params: dict[str, int | bool]
) -> None:
    """The total is the same on a first, middle, past-the-end and keyset page."""
    await _seed(client, 7)
    query: dict[str, str | int] = {"limit": 2, "source": "src-even"}  # k = 0, 2, 4, 6
    if params.pop("after", False):
        first = (await client.get("/api/traces", params=query)).json()
        query["cursor"] = first["pagination"]["next_cursor"]
    page = (await client.get("/api/traces", params=query | params)).json()
    assert page["pagination"]["total"] == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "src-odd"}, [1, 3, 5]),
        ({"tag": "t0"}, [0, 3]),
        ({"difficulty": "hard"}, [4]),
        ({"q": "What is 2 +"}, [2]),
        ({"q": "11"}, [5]),  # the answer 2*5+1
        ({"q": "100%_"}, []),
        ({"category": "nope"}, []),
    ],
)
async def test_filters(
    client: httpx.AsyncClient, params: dict[str, str], expected: list[int]
) -> None:
    ids = await _seed(client, 6)
    page = (await client.get("/api/traces", params=params)).json()
    assert [t["id"] for t in page["data"]] == [ids[k] for k in reversed(expected)]
    assert page["pagination"]["total"] == len(expected)
    # a page smaller than the matches counts them with the same filters
    one = (await client.get("/api/traces", params=params | {"limit": 1})).json()
    assert one["pagination"]["total"] == len(expected)


async def test_created_range_filter(client: httpx.AsyncClient) -> None:
    ids = await _seed(client, 3)
    middle = (await client.get(f"/api/traces/{ids[1]}")).json()["created_at"]
    after = (await client.get("/api/traces", params={"created_after": middle})).json()
    before = (await client.get("/api/traces", params={"created_before": middle})).json()
    assert [t["id"] for t in after["data"]] == [ids[2]]
    assert [t["id"] for t in before["data"]] == [ids[0]]


async def test_bad_cursor_and_cursor_with_offset_are_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/traces", params={"cursor": "nonsense"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["cursor"]
    await _seed(client, 2)
    cursor = (await client.get("/api/traces", params={"limit": 1})).json()["pagination"][
        "next_cursor"
    ]
    response = await client.get("/api/traces", params={"cursor": cursor, "offset": 1})
    assert response.status_code == 422
    assert "offset" in response.json()["message"]


async def test_delete_then_get_is_404(client: httpx.AsyncClient) -> None:
    (trace_id,) = await _seed(client, 1)
    assert (await client.delete(f"/api/traces/{trace_id}")).status_code == 204
    assert (await client.get(f"/api/traces/{trace_id}")).status_code == 404
    assert (await client.delete(f"/api/traces/{trace_id}")).status_code == 404


async def test_count_traces(session: AsyncSession) -> None:
    before = await service.count_traces(session=session)
    await service.create_traces(session=session, traces=[trace_in(1), trace_in(2)])
    assert await service.count_traces(session=session) == before + 2


async def test_metrics_report_trace_count(client: httpx.AsyncClient) -> None:
    await _seed(client, 2)
    body = (await client.get("/metrics")).text
    line = next(x for x in body.splitlines() if x.startswith("tunix_rt_traces "))
    assert float(line.split()[1]) >= 2


async def test_keyset_pages_through_rows_sharing_one_timestamp(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/traces/batch", json=[trace_doc(n) for n in range(7)])
    ids = set(created.json()["ids"])
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while True:
        page = (await client.get("/api/traces", params=params)).json()
        seen += [t["id"] for t in page["data"]]
        if page["pagination"]["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": page["pagination"]["next_cursor"]}
    assert len(seen) == 7
    assert set(seen) == ids
