"""GRPO as an ordinary queued ``train`` run: from an SFT run's final/, through a worker."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.datasets import evalsets
from tunix_rt.datasets.models import EvalSet
from tunix_rt.datasets.schemas import EvalItemIn
from tunix_rt.db.session import session_scope
from tunix_rt.settings import Settings

SMALL = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
}


def _data(settings: Settings) -> str:
    path = settings.home / "data" / "train.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "prompt": f"What is {a} + 3?",
            "steps": [{"i": 0, "type": "compute", "content": f"{a}+3={a + 3}"}],
            "final_answer": str(a + 3),
        }
        for a in range(8)
    ]
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return str(path)


def _grpo(settings: Settings, init_from: str) -> dict[str, Any]:
    return {
        "algorithm": "grpo",
        "model": "tiny-llama",
        "data_path": _data(settings),
        "max_steps": 2,
        "log_every_steps": 1,
        "num_threads": 1,
        "max_seq_length": 64,
        "rl": {
            "init_from": init_from,
            "num_generations": 2,
            "prompts_per_step": 2,
            "max_new_tokens": 8,
            "beta": 0.04,
            "rewards": [
                {"judge": "answer_correctness"},
                {"judge": "step_check", "mode": "process", "weight": 0.5},
            ],
            "samples_every_steps": 1,
        },
    }


async def test_grpo_from_an_sft_run_through_a_worker(
    api: Any, settings: Settings, start_worker: Any, database_url: str, factory: Any
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the recipes never touch the database: one backend is enough (~40 s)")
    start_worker()
    sft = {
        "model": "tiny-llama",
        "model_overrides": SMALL,
        "data_path": _data(settings),
        "max_steps": 2,
        "batch_size": 2,
        "num_threads": 1,
        "max_seq_length": 64,
    }
    first = (await api.post("/api/tunix/run", json={"config": sft}, timeout=300)).json()
    assert first["status"] == "succeeded", (first["error"], first["traceback"])

    # One training prompt is also an eval item: the guard keeps it out of the RL prompts.
    item = EvalItemIn(id="e1", prompt="What is 5 + 3?", expected_answer="8")
    async with session_scope(factory) as session:
        await evalsets.register_eval_set(session=session, name="rl-guard", items=[item])
    try:
        response = await api.post(
            "/api/tunix/run", json={"config": _grpo(settings, first["id"])}, timeout=300
        )
    finally:
        async with session_scope(factory) as session:
            await session.execute(delete(EvalSet).where(EvalSet.name == "rl-guard"))
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "succeeded", (run["error"], run["traceback"])
    assert run["config"]["rl"]["init_from"] == first["id"]  # the lineage stays on the run
    series = (await api.get(f"/api/tunix/runs/{run['id']}/metrics")).json()["series"]
    for key in (
        "reward",
        "reward_std",
        "rewards/answer_correctness/mean",
        "rewards/step_check/std",
        "frac_reward_zero_std",
        "kl",
        "entropy",
        "completions/mean_length",
        "completions/clipped_ratio",
        "clip_ratio/region_mean",
        "loss",
    ):
        assert [p["step"] for p in series[f"train/{key}"]] == [1, 2], key
    files = (await api.get(f"/api/tunix/runs/{run['id']}/artifacts")).json()["data"]
    names = {f["name"] for f in files}
    assert {"config.yaml", "metrics.jsonl", "samples.jsonl"} <= names
    assert any(f["name"].startswith("final/") for f in files)
    run_dir = settings.home / "runs" / run["id"]
    written = (run_dir / "config.yaml").read_text()
    assert f"{first['id']}/final" in written  # the recipe started from the SFT run's model
    guarded = (run_dir / "rl_prompts.jsonl").read_text()
    assert len(guarded.splitlines()) == 7
    assert "What is 5 + 3?" not in guarded
    assert f"data_path: {run_dir / 'rl_prompts.jsonl'}" in written


@pytest.mark.parametrize(
    "init_from", [str(uuid.uuid4()), "registry://no-such-family", "/no/such/model/dir"]
)
async def test_init_from_that_names_nothing_is_refused_at_submit(
    api: Any, settings: Settings, init_from: str
) -> None:
    body = {"config": _grpo(settings, init_from)}
    response = await api.post("/api/tunix/run", json=body)
    assert response.status_code == 422, response.text
    assert [d["loc"] for d in response.json()["detail"]] == [["config", "rl", "init_from"]]
    for dry in (True, False):  # a dry run refuses what a submit does
        again = await api.post("/api/tunix/run", json={**body, "dry_run": dry})
        assert again.status_code == 422


def test_tunix_rt_train_refuses_an_unknown_run_id_naming_the_key(
    tmp_path: Path, settings: Settings, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNIX_RT_HOME", str(settings.home))
    monkeypatch.setenv("TUNIX_RT_DATABASE_URL", database_url)
    doc = {**_grpo(settings, str(uuid.uuid4())), "output_dir": str(tmp_path / "run")}
    (tmp_path / "grpo.json").write_text(json.dumps(doc))
    for argv in (["train"], ["train", "--dry-run"]):
        result = CliRunner().invoke(app, [*argv, "--config", str(tmp_path / "grpo.json")])
        assert result.exit_code == 2, result.output
        assert "rl.init_from" in result.output
        assert "not found" in result.output
