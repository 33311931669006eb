"""The holes schemathesis found (issue #18), each pinned: bad input is a 4xx naming it, on both
databases alike, and never a 500."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any, get_args

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.traces.factories import trace_doc

from tunix_rt.api.app import create_app
from tunix_rt.api.inputs import MAX_JSON_DEPTH
from tunix_rt.pagination import MAX_OFFSET
from tunix_rt.settings import Environment, Settings

MISSING = "00000000-0000-0000-0000-000000000000"


def _openapi() -> dict[str, Any]:
    home = Path(tempfile.gettempdir()) / "tunix-rt-fuzz-holes"
    settings = Settings(environment=Environment.TEST, home=home, workers=0)
    schema: dict[str, Any] = create_app(settings, migrate_on_start=False).openapi()
    return schema


OPENAPI = _openapi()


def _params(where: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, parameter) for every declared parameter in ``where`` (query, header)."""
    return [
        (path, method, param)
        for path, item in OPENAPI["paths"].items()
        for method, operation in item.items()
        for param in operation.get("parameters", [])
        if param["in"] == where
    ]


def _concrete(path: str) -> str:
    return "/".join(MISSING if p.startswith("{") else p for p in path.split("/"))


def _types(param: dict[str, Any]) -> set[str]:
    schema = param["schema"]
    return {s.get("type", "") for s in schema.get("anyOf", [schema])}


LIST_ROUTES = sorted({p for p, m, q in _params("query") if m == "get" and q["name"] == "offset"})
INTEGERS = [(p, m, q) for where in ("query", "header") for p, m, q in _params(where)]
INTEGERS = [(p, m, q) for p, m, q in INTEGERS if "integer" in _types(q)]
STRING_QUERIES = [
    (p, q["name"])
    for p, m, q in _params("query")
    if m == "get" and "string" in _types(q) and not q["schema"].get("format")
]


def _names(response: httpx.Response) -> list[list[str | int]]:
    return [item["loc"] for item in response.json()["detail"]]


def test_there_are_eight_list_routes_or_more() -> None:
    assert len(LIST_ROUTES) >= 8, LIST_ROUTES


@pytest.mark.parametrize(("path", "method", "param"), INTEGERS, ids=lambda v: str(v)[:50])
def test_every_integer_parameter_is_bounded(path: str, method: str, param: dict[str, Any]) -> None:
    schema = next(s for s in param["schema"].get("anyOf", [param["schema"]]) if "type" in s)
    assert "maximum" in schema, (method, path, param["name"])
    assert "minimum" in schema, (method, path, param["name"])
    assert schema["maximum"] <= 2**63 - 1


@pytest.mark.parametrize("path", LIST_ROUTES)
async def test_offset_beyond_its_bound_is_422_naming_offset(
    client: httpx.AsyncClient, path: str
) -> None:
    for offset in (2**63, MAX_OFFSET + 1):
        response = await client.get(_concrete(path), params={"offset": offset})
        assert response.status_code == 422, response.text
        assert ["query", "offset"] in _names(response)
    deepest = await client.get(_concrete(path), params={"offset": MAX_OFFSET})
    assert deepest.status_code in (200, 404), deepest.text


async def test_log_positions_beyond_int64_are_422_naming_them(client: httpx.AsyncClient) -> None:
    logs = f"/api/tunix/runs/{MISSING}/logs"
    response = await client.get(logs, params={"since_seq": "1e20"})
    assert response.status_code == 422
    assert _names(response) == [["query", "since_seq"]]
    response = await client.get(logs, headers={"Last-Event-ID": str(2**63)})
    assert response.status_code == 422
    assert _names(response) == [["header", "last-event-id"]]


@pytest.mark.parametrize(("path", "name"), STRING_QUERIES, ids=lambda v: str(v)[:50])
async def test_nul_in_any_query_string_is_422_naming_it(
    client: httpx.AsyncClient, path: str, name: str
) -> None:
    response = await client.get(_concrete(path), params={name: "a\x00b"})
    assert response.status_code == 422, response.text
    assert _names(response) == [["query", name]]


async def test_nul_in_a_path_body_or_upload_is_422_naming_where(
    client: httpx.AsyncClient,
) -> None:
    path = await client.get("/api/datasets/a%00b")
    assert path.status_code == 422
    assert _names(path) == [["path", "key"]]
    body = await client.post("/api/models", json={"name": "fam\x00ily"})
    assert body.status_code == 422
    assert _names(body) == [["body", "name"]]
    key = await client.post("/api/traces", json=trace_doc(1, meta={"k\x00": 1}))
    assert _names(key) == [["body", "meta", "k\x00"]]
    upload = b"\n".join(orjson.dumps(trace_doc(n, prompt=f"p{n}\x00" * (n == 2))) for n in range(3))
    headers = {"Content-Type": "application/x-ndjson"}
    imported = await client.post("/api/traces/import", content=upload, headers=headers)
    assert imported.status_code == 422
    assert _names(imported) == [["line 3"]]
    listed = await client.get("/api/traces")
    assert listed.json()["data"] == []


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000])
@pytest.mark.parametrize("path", ["/api/traces", "/api/tunix/run", "/api/traces/batch"])
async def test_deep_json_is_422_naming_the_body_and_the_limit(
    client: httpx.AsyncClient, path: str, depth: int
) -> None:
    body = b'{"meta": ' + b"[" * depth + b"1" + b"]" * depth + b"}"
    headers = {"Content-Type": "application/json"}
    response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body"]
    assert str(MAX_JSON_DEPTH) in item["msg"]


async def test_json_within_the_depth_limit_passes(client: httpx.AsyncClient) -> None:
    nested: Any = "x"
    for _ in range(MAX_JSON_DEPTH - 2):
        nested = {"k": nested}
    response = await client.post("/api/traces", json=trace_doc(1, meta=nested))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (trace_doc(1, meta={"n": 2**64}), ["body", "meta", "n"]),
        (
            trace_doc(1, steps=[{"i": False, "type": "t", "content": "c"}]),
            ["body", "steps", 0, "i"],
        ),
    ],
)
async def test_integers_out_of_range_or_booleans_are_422(
    client: httpx.AsyncClient, body: dict[str, Any], loc: list[str | int]
) -> None:
    response = await client.post("/api/traces", json=body)
    assert response.status_code == 422
    assert loc in _names(response)


async def test_strict_numbers_and_dates(client: httpx.AsyncClient) -> None:
    duel = await client.post("/api/ungar/high-card-duel/generate", json={"seed": False})
    assert duel.status_code == 422
    assert ["body", "seed"] in _names(duel)
    runs = await client.get("/api/tunix/runs", params={"created_before": "0.5"})
    assert runs.status_code == 422
    assert _names(runs) == [["query", "created_before"]]
    nan = await client.post(
        "/api/traces", content=b'{"prompt": NaN}', headers={"Content-Type": "application/json"}
    )
    assert nan.status_code == 422
    assert nan.json()["detail"][0]["type"] == "json_invalid"


async def test_an_empty_import_is_422_naming_the_body(client: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/x-ndjson"}
    response = await client.post("/api/traces/import", content=b"", headers=headers)
    assert response.status_code == 422
    assert _names(response) == [["body"]]


async def test_routes_with_their_own_sessions_do_not_wait_on_their_request(
    settings: Settings, engine: AsyncEngine, committed_admin_token: str
) -> None:
    """With auth on, the request's session holds SQLite's lock: a second session in the same
    request waited 30 s for it and answered 500 ("database is locked")."""
    app = create_app(settings, engine=engine, migrate_on_start=False, background=False)
    headers = {"Authorization": f"Bearer {committed_admin_token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers, timeout=20
    ) as http:
        started = time.monotonic()
        logs = await http.get(f"/api/tunix/runs/{MISSING}/logs", params={"follow": False})
        config = {"model": "tiny-llama", "dataset": "no-such-dataset", "max_steps": 1}
        run = await http.post("/api/tunix/run", json={"config": config, "dry_run": True})
    assert logs.status_code == 404
    assert run.status_code == 422
    assert ["config", "dataset"] in _names(run)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/datasets/build", {"name": "big-seed", "seed": 304250263527211}),
        ("/api/datasets/build", {"name": "big-seed", "split_seed": 2**31}),
    ],
)
async def test_seeds_beyond_their_32_bit_columns_are_422(
    client: httpx.AsyncClient, path: str, body: dict[str, Any]
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert ["body", next(k for k in body if "seed" in k)] in _names(response)


def test_the_export_route_declares_every_export_format() -> None:
    from tunix_rt.api.routes.datasets import ExportFormat
    from tunix_rt.datasets.exports import FORMATS

    assert get_args(ExportFormat) == FORMATS
