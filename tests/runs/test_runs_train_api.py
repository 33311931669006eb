"""``POST /api/tunix/run``: validation (422 naming the key), dry run, async submit."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tunix_rt.settings import Settings

TRACE = {
    "prompt": "What is 2 + 3?",
    "steps": [{"i": 0, "type": "compute", "content": "2+3=5"}],
    "final_answer": "5",
}


def _config(settings: Settings, **overrides: Any) -> dict[str, Any]:
    data = settings.home / "data" / "train.jsonl"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_bytes(orjson.dumps(TRACE) + b"\n")
    return {"model": "tiny-llama", "data_path": str(data), "max_steps": 2, **overrides}


async def test_dry_run_validates_without_creating_a_run(api: Any, settings: Settings) -> None:
    body = {"config": _config(settings), "dry_run": True}
    response = await api.post("/api/tunix/run", json=body)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True
    assert report["config"]["model"] == "tiny-llama"
    assert any("writable" in check for check in report["checks"])
    assert (await api.get("/api/tunix/runs")).json()["data"] == []


async def test_bad_requests_name_the_key(api: Any, settings: Settings, tmp_path: Any) -> None:
    cases = [
        ({"learning_rat": 0.1}, "config.learning_rat"),
        ({"warmup_steps": 5}, "config.warmup_steps"),
        ({"output_dir": "/tmp/x"}, "config.output_dir"),
        ({"data_path": "/etc/passwd"}, "config.data_path"),
        ({"data_path": None, "dataset": "no-such-dataset"}, "config.dataset"),
    ]
    for overrides, loc in cases:
        body = {"config": _config(settings, **overrides), "dry_run": True}
        response = await api.post("/api/tunix/run", json=body)
        assert response.status_code == 422, (overrides, response.text)
        locs = [".".join(map(str, p["loc"])) for p in response.json()["detail"]]
        assert loc in locs, response.json()
    unknown_field = await api.post("/api/tunix/run", json={"config": {}, "dryrun": True})
    assert unknown_field.status_code == 422
    bad_mode = await api.post("/api/tunix/run?mode=later", json={"config": _config(settings)})
    assert bad_mode.status_code == 422


async def test_async_submit_returns_202_and_a_queued_run(
    api: Any, settings: Settings, factory: Any
) -> None:
    body = {"config": _config(settings), "name": "tiny"}
    response = await api.post("/api/tunix/run?mode=async", json=body)
    assert response.status_code == 202, response.text
    run = response.json()
    assert run["status"] == "queued"
    assert run["kind"] == "train"
    assert run["mode"] == "async"
    assert run["model"] == "tiny-llama"
    assert run["backend"] == "torch"
    listed = (await api.get("/api/tunix/runs", params={"mode": "async"})).json()["data"]
    assert [r["id"] for r in listed] == [run["id"]]
    cancelled = await api.post(f"/api/tunix/runs/{run['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"


async def test_sync_train_run_through_a_worker(
    api: Any, settings: Settings, start_worker: Any, database_url: str
) -> None:
    """The real recipe as a subprocess: metrics tailed into the run, artifacts listed."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the recipe never touches the database: one backend is enough (~30 s)")
    start_worker()
    config = _config(settings, max_steps=2, batch_size=2, log_every_steps=1, max_seq_length=64)
    response = await api.post("/api/tunix/run", json={"config": config}, timeout=300)
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "succeeded", (run["error"], run["traceback"])
    assert run["exit_code"] == 0
    assert run["mode"] == "sync"
    metrics = (await api.get(f"/api/tunix/runs/{run['id']}/metrics")).json()
    assert metrics["series"]["train/loss"], metrics
    files = (await api.get(f"/api/tunix/runs/{run['id']}/artifacts")).json()["data"]
    names = {f["name"] for f in files}
    assert {"config.yaml", "metrics.jsonl"} <= names
    assert any(f["checkpoint"] and f["name"].startswith("final/") for f in files)
    written = (settings.home / "runs" / run["id"] / "config.yaml").read_text()
    assert f"output_dir: {settings.home.resolve() / 'runs' / run['id']}" in written


async def test_openapi_describes_the_request_config_and_every_answer(api: Any) -> None:
    """The UI's types and option lists are generated from this schema (frontend/scripts)."""
    doc = (await api.get("/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    request = schemas["TrainRunRequest"]["properties"]["config"]
    assert request["$ref"] == "#/components/schemas/TrainConfig"
    config = schemas["TrainConfig"]["properties"]
    assert {"$ref": "#/components/schemas/Preset"} in config["model"]["anyOf"]
    assert schemas["Preset"]["enum"] == ["tiny-llama", "tiny-qwen3", "tiny-gemma3"]
    assert config["backend"]["enum"] == ["torch", "tunix"]
    assert config["template"]["$ref"] == "#/components/schemas/ChatTemplate"
    assert config["style"]["$ref"] == "#/components/schemas/TraceStyle"
    post = doc["paths"]["/api/tunix/run"]["post"]
    answers = post["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"]
    assert {a["$ref"].rsplit("/", 1)[1] for a in answers} == {"RunPublic", "DryRunReport"}
    queued = post["responses"]["202"]["content"]["application/json"]["schema"]
    assert queued["$ref"] == "#/components/schemas/RunPublic"
    assert schemas["DryRunReport"]["properties"]["config"]["$ref"].endswith("/TrainConfig")
    mode = next(p for p in post["parameters"] if p["name"] == "mode")
    assert mode["schema"]["enum"] == ["sync", "async"]
