"""The closed surface: Host allowlist, no cross-site writes, declared media types, confined
paths, caps, and a Ray cluster that only the server's settings name."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tests.factories import add_run
from tests.traces.factories import trace_doc

from tunix_rt.api.guard import host_allowed
from tunix_rt.datasets import evalsets
from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.settings import Settings
from tunix_rt.tuning.trial import TrialInfo

SWEEP: dict[str, Any] = {
    "name": "s",
    "dataset_key": "arith@1",
    "base_model": "tiny-llama",
    "base_config": {"max_steps": 2, "batch_size": 2},
    "num_samples": 2,
    "max_concurrent_trials": 1,
    "search_space": {"learning_rate": {"type": "choice", "values": [1e-3, 2e-3]}},
}


def _locs(response: httpx.Response) -> dict[str, str]:
    """``loc -> msg`` of every problem, whatever the loc's shape (dotted text or a list)."""
    detail = response.json()["detail"]
    out: dict[str, str] = {}
    for problem in detail if isinstance(detail, list) else []:
        loc = problem["loc"]
        out[loc if isinstance(loc, str) else ".".join(str(p) for p in loc)] = problem["msg"]
    return out


def _run(**config: Any) -> dict[str, Any]:
    return {"config": {"model": "tiny-llama", "data_path": "x", "max_steps": 1, **config}}


@pytest.mark.parametrize(
    ("host", "allowed", "ok"),
    [
        ("127.0.0.1:8000", ("127.0.0.1",), True),
        ("[::1]:8000", ("::1",), True),
        ("LOCALHOST", ("localhost",), True),
        ("evil.example", ("127.0.0.1", "localhost"), False),
        ("api.example.com", ("*.example.com",), True),
        ("example.com.evil", ("*.example.com",), False),
        ("anything", ("*",), True),
        ("", ("127.0.0.1",), False),
    ],
)
def test_host_allowlist(host: str, allowed: tuple[str, ...], ok: bool) -> None:
    assert host_allowed(host, allowed) is ok


async def test_a_foreign_host_is_refused(client: httpx.AsyncClient) -> None:
    refused = await client.get("/api/traces", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert _locs(refused) == {"header.host": "this server does not answer to that Host name"}
    assert (await client.get("/api/traces", headers={"Host": "localhost:8000"})).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/traces", "/api/traces/batch", "/api/traces/import", "/api/evalsets?name=e",
     "/api/datasets/ingest?name=d", "/api/tunix/run"],
)  # fmt: skip
async def test_a_text_plain_write_is_415(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(path, content=b"{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415, response.text
    assert "header.content-type" in _locs(response)
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    form = await client.post(path, content=b"a=1", headers=form_type)
    assert form.status_code == 415


async def test_raw_body_routes_take_ndjson_and_jsonl(client: httpx.AsyncClient) -> None:
    for n, media in enumerate(("application/x-ndjson", "application/jsonl; charset=utf-8")):
        line = orjson.dumps(trace_doc(n)) + b"\n"
        response = await client.post(
            "/api/traces/import", content=line, headers={"Content-Type": media}
        )
        assert response.status_code == 200, response.text
    as_json = await client.post(
        "/api/traces/import",
        content=orjson.dumps(trace_doc(9)),
        headers={"Content-Type": "application/json"},
    )
    assert as_json.status_code == 415


async def test_cross_site_writes_are_refused_even_without_a_body(
    client: httpx.AsyncClient,
) -> None:
    run = "/api/tunix/runs/00000000-0000-0000-0000-000000000000/cancel"
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}):  # fmt: skip
        refused = await client.post(run, headers=headers)
        assert refused.status_code == 403, headers
        assert "header.origin" in _locs(refused)
    same_site = await client.post(run, headers={"Origin": "http://test"})
    assert same_site.status_code == 404  # reached the route: no such run
    reads = await client.get("/api/traces", headers={"Origin": "http://evil.example"})
    assert reads.status_code == 200  # a read changes nothing; CORS keeps its body from the page


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A model directory outside the home, and a link to it from inside the home."""
    model = tmp_path / "elsewhere" / "model"
    model.mkdir(parents=True)
    (model / "tokenizer.json").write_text("{}")
    return model


async def test_paths_outside_the_roots_are_refused_alike(
    client: httpx.AsyncClient, settings: Settings, outside: Path
) -> None:
    link = settings.home / "linked-model"
    os.symlink(outside, link)
    missing = outside.parent / "no-such-dir"
    cases = [("model", str(outside)), ("model", str(missing)), ("model", str(link)),
             ("tokenizer", str(outside)), ("model", "../../etc"),
             ("data_path", "/etc/passwd"), ("eval_data_path", str(outside / "x"))]  # fmt: skip
    for key, value in cases:
        response = await client.post("/api/tunix/run", json=_run(**{key: value}))
        assert response.status_code == 422, (key, value)
        msg = _locs(response)[f"config.{key}"]
        assert "must be a path under TUNIX_RT_HOME" in msg
        assert value not in msg  # says nothing about what exists out there


async def test_a_model_root_admits_its_directories(
    client: httpx.AsyncClient, settings: Settings, outside: Path
) -> None:
    response = await client.post("/api/tunix/run", json=_run(model=str(outside)))
    assert "config.model" in _locs(response)
    app = client._transport.app  # type: ignore[attr-defined]  # the routes read app.state
    app.state.settings = settings.model_copy(update={"model_roots": (str(outside.parent),)})
    admitted = await client.post("/api/tunix/run", json=_run(model=str(outside)))
    assert "config.model" not in _locs(admitted)
    hub_id = await client.post("/api/tunix/run", json=_run(model="Qwen/Qwen2.5-0.5B"))
    assert "config.model" not in _locs(hub_id)


async def test_sweeps_check_paths_and_caps_like_runs(
    client: httpx.AsyncClient, outside: Path
) -> None:
    bad = {**SWEEP, "base_model": str(outside), "base_config": {"data_path": "/etc/passwd"}}
    response = await client.post("/api/tuning/jobs", json=bad)
    assert response.status_code == 422
    locs = _locs(response)
    assert "must be a path under" in locs["base_model"]
    assert "must be a path under" in locs["base_config.data_path"]
    space = {"batch_size": {"type": "choice", "values": [2, 100_000]}}
    big = {**SWEEP, "num_samples": 500, "search_space": space}
    capped = _locs(await client.post("/api/tuning/jobs", json=big))
    assert "TUNIX_RT_MAX_SWEEP_SAMPLES" in capped["num_samples"]
    assert "TUNIX_RT_MAX_BATCH_SIZE" in capped["search_space.batch_size"]


async def test_a_request_cannot_name_the_ray_cluster(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/tuning/jobs", json={**SWEEP, "ray_address": "ray://attacker:10001"}
    )
    assert response.status_code == 422
    assert any(loc.endswith("ray_address") for loc in _locs(response))


def test_no_secret_travels_in_a_trial_s_arguments() -> None:
    assert [f.name for f in dataclasses.fields(TrialInfo)] == ["home", "tuning_job_id", "poll_s"]


@pytest.mark.parametrize(
    ("config", "loc", "setting"),
    [
        ({"batch_size": 5000}, "config.batch_size", "TUNIX_RT_MAX_BATCH_SIZE"),
        ({"max_seq_length": 1_048_576}, "config.max_seq_length", "TUNIX_RT_MAX_SEQ_LENGTH"),
        ({"processes": 64}, "config.processes", "TUNIX_RT_MAX_PROCESSES"),
        ({"model_overrides": {"hidden_size": 1_000_000}}, "config.model_overrides.hidden_size",
         "TUNIX_RT_MAX_MODEL_DIM"),
    ],
)  # fmt: skip
async def test_sizes_beyond_the_caps_are_refused_by_name(
    client: httpx.AsyncClient, config: dict[str, Any], loc: str, setting: str
) -> None:
    response = await client.post("/api/tunix/run", json=_run(**config))
    assert response.status_code == 422
    assert setting in _locs(response)[loc]


async def test_evaluation_refuses_a_run_whose_model_lies_outside(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, outside: Path
) -> None:
    item = EvalItemIn(id="1", prompt="p", expected_answer="a")
    await evalsets.register_eval_set(session=session, name="e", items=[item])
    elsewhere = await add_run(session, run_dir=str(outside.parent))
    inside = await add_run(session, run_dir=str(settings.home / "runs" / "r"))
    refused = await client.post(f"/api/tunix/runs/{elsewhere.id}/evaluate", json={"eval_set": "e"})
    assert refused.status_code == 422
    assert "must be a path under TUNIX_RT_HOME" in _locs(refused)["run_id"]
    accepted = await client.post(f"/api/tunix/runs/{inside.id}/evaluate", json={"eval_set": "e"})
    assert accepted.status_code == 202, accepted.text


async def test_an_unknown_query_parameter_is_refused_by_name(client: httpx.AsyncClient) -> None:
    typo = await client.get("/api/traces", params={"dataset_key": "x", "limit": 5})
    assert typo.status_code == 422
    msg = _locs(typo)["query.dataset_key"]
    assert msg.startswith("unknown query parameter")
    assert "limit" in msg
    assert (await client.get("/api/traces", params={"limit": 5})).status_code == 200


async def test_every_declared_query_parameter_is_known(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if not names:
                continue
            concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
            response = await client.request(method, concrete, params=dict.fromkeys(names, "1"))
            assert "unknown query parameter" not in response.text, (method, path)


async def test_every_route_refuses_an_unknown_query_parameter(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    walked = 0
    for path, operations in document["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
        for method in operations:
            response = await client.request(method, concrete, params={"dataset_key": "x"})
            assert response.status_code == 422, (method, path, response.text)
            assert "query.dataset_key" in _locs(response), (method, path)
            walked += 1
    assert walked > 60
