"""A training request resolves its model and tokenizer and checks its sequence length before any
work starts: the dry run and the real submit refuse the same, naming the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tunix_rt.datasets.render import ChatTemplate, TraceStyle
from tunix_rt.settings import Settings
from tunix_rt.training import tiny

TRACE = {
    "prompt": "What is 2 + 3? Show every step of the working.",
    "steps": [{"i": 0, "type": "compute", "content": "2+3=5"}],
    "final_answer": "5",
}


def _config(settings: Settings, **overrides: Any) -> dict[str, Any]:
    data = settings.home / "data" / "train.jsonl"
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_bytes(orjson.dumps(TRACE) + b"\n")
    return {"model": "tiny-llama", "data_path": str(data), "max_steps": 2, **overrides}


def _model_dir(settings: Settings, *, tokenizer: bool = True, config: bool = True) -> Path:
    """A local model directory as the registry or a download would leave it (no weights)."""
    path = settings.home / "models" / "local"
    path.mkdir(parents=True)
    if config:
        (path / "config.json").write_text('{"model_type": "llama"}')
    if tokenizer:
        texts = ["What is 2 + 3? 2+3=5"]
        tok = tiny.build_tokenizer(texts, template=ChatTemplate.CHATML, style=TraceStyle.NUMBERED)
        tok.save_pretrained(path)
    return path


async def _submit(client: httpx.AsyncClient, config: dict[str, Any], dry: bool) -> httpx.Response:
    body = {"config": config, "dry_run": dry}
    return await client.post("/api/tunix/run", params={"mode": "async"}, json=body)


async def test_a_preset_dry_run_says_what_it_resolved(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await _submit(client, _config(settings), dry=True)
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert "model tiny-llama: preset (random weights, built here)" in checks
    assert "tokenizer: char, trained here on the dataset" in checks
    assert "max_seq_length 512: 1 of 1 training examples fit whole, 0 would be dropped" in checks


async def test_a_local_directory_resolves_with_its_tokenizer(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    model = _model_dir(settings)
    response = await _submit(client, _config(settings, model=str(model)), dry=True)
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert f"model {model}: local directory" in checks
    assert "tokenizer: the model directory's" in checks


@pytest.mark.parametrize("dry", [True, False])
@pytest.mark.parametrize("model", ["no-such-model", "Qwen/Qwen2.5-0.5B"])
async def test_a_hub_name_is_refused_in_one_line_saying_nothing_is_downloaded(
    client: httpx.AsyncClient, settings: Settings, model: str, dry: bool
) -> None:
    response = await _submit(client, _config(settings, model=model), dry=dry)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["config", "model"]
    assert "nothing is downloaded" in problem["msg"]
    assert "\n" not in problem["msg"]
    assert (await client.get("/api/tunix/runs")).json()["data"] == []


@pytest.mark.parametrize(
    ("kw", "loc", "words"),
    [
        ({"config": False}, "model", "no config.json"),
        ({"tokenizer": False}, "tokenizer", "no tokenizer files"),
    ],
)
async def test_a_directory_that_is_not_a_model_is_refused(
    client: httpx.AsyncClient, settings: Settings, kw: dict[str, bool], loc: str, words: str
) -> None:
    model = _model_dir(settings, **kw)
    response = await _submit(client, _config(settings, model=str(model)), dry=True)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["config", loc]
    assert words in problem["msg"]


@pytest.mark.parametrize("dry", [True, False])
async def test_a_max_seq_length_too_small_for_every_example_is_refused_by_name(
    client: httpx.AsyncClient, settings: Settings, dry: bool
) -> None:
    response = await _submit(client, _config(settings, max_seq_length=8), dry=dry)
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["config", "max_seq_length"]
    assert problem["msg"].startswith("8 is too small for every training example")
    assert (await client.get("/api/tunix/runs")).json()["data"] == []
