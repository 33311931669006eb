"""CPU smoke test of the PyTorch recipe: learn, checkpoint, resume, reload, generate."""

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from transformers import AutoModelForCausalLM
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.training import generate as gen
from tunix_rt.training.__main__ import main
from tunix_rt.training.config import load_config
from tunix_rt.training.schedule import lr_factor
from tunix_rt.training.torch_recipe import train

SMALL = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
}


def _data(path: Path) -> Path:
    lines = []
    for n in range(48):
        a, b = 10 + n, 20 + 2 * n
        doc = {
            "prompt": f"What is {a} + {b}?",
            "final_answer": str(a + b),
            "steps": [{"i": 0, "type": "compute", "content": f"{a}+{b}={a + b}"}],
            "split": "eval" if n % 8 == 0 else "train",
        }
        lines.append(orjson.dumps(doc))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "model": "tiny-llama",
        "model_overrides": SMALL,
        "data_path": str(_data(tmp_path / "d.jsonl")),
        "max_steps": 8,
        "batch_size": 8,
        "learning_rate": 3e-3,
        "warmup_steps": 2,
        "log_every_steps": 1,
        "save_every_steps": 4,
        "num_threads": 1,
        "output_dir": str(tmp_path / "run"),
        **extra,
    }


def _events(run: Path, kind: str) -> list[dict[str, Any]]:
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == kind]


def test_recipe_learns_checkpoints_resumes_and_the_model_generates(tmp_path: Path) -> None:
    result = train(load_config(_config(tmp_path)))
    run = tmp_path / "run"
    losses = [e["loss"] for e in _events(run, "train")]
    assert result.stop_reason == "max_steps"
    assert all(loss == loss and loss < 10 for loss in losses)  # finite
    assert losses[-1] < losses[0] - 0.5
    assert (run / "checkpoints" / "step-8" / "state.pt").exists()
    manifest = json.loads((run / "run_manifest.json").read_text())
    assert len(manifest["data_sha256"]) == 64
    assert manifest["libraries"]["torch"]

    (tmp_path / "more.json").write_text(json.dumps(_config(tmp_path, max_steps=12)))
    assert main(["--config", str(tmp_path / "more.json"), "--resume"]) == 0
    steps = [e["step"] for e in _events(run, "train")]
    assert steps == [*range(1, 13)]  # step 9 follows step 8: nothing redone, nothing skipped
    assert json.loads((run / "run_manifest.json").read_text())["resumed_from_step"] == 8

    model = AutoModelForCausalLM.from_pretrained(run / "final")
    assert model.num_parameters() > 0
    (tmp_path / "eval.jsonl").write_text('{"id": "q1", "prompt": "What is 12 + 24?"}\n')
    preds = gen.run(run / "final", tmp_path / "eval.jsonl", tmp_path / "p.jsonl", max_new_tokens=5)
    assert preds[0].id == "q1"
    assert 1 <= preds[0].tokens <= 5
    line = json.loads((tmp_path / "p.jsonl").read_text())
    assert set(line) == {"id", "prompt", "prediction", "truncated", "tokens"}

    out = tmp_path / "cli.jsonl"
    argv = ["generate", "--model", str(run / "final"), "--eval-file", str(tmp_path / "eval.jsonl")]
    result_cli = CliRunner().invoke(app, [*argv, "--out", str(out), "--max-new-tokens", "3"])
    assert result_cli.exit_code == 0, result_cli.output
    assert json.loads(out.read_text())["tokens"] <= 3


@pytest.mark.parametrize(("schedule", "final"), [("cosine", 0.1), ("linear", 0.0)])
def test_a_step_budget_ends_at_its_step_with_the_schedule_at_its_final_value(
    tmp_path: Path, schedule: str, final: float
) -> None:
    cfg = _config(tmp_path, max_steps=5, warmup_steps=1, lr_schedule=schedule)
    result = train(load_config({**cfg, "save_every_steps": None}))
    assert (result.step, result.stop_reason) == (5, "max_steps")
    events = _events(tmp_path / "run", "train")
    assert [e["step"] for e in events] == [1, 2, 3, 4, 5]
    assert events[0]["lr"] == pytest.approx(3e-3)  # warmup (step + 1) / 1
    assert events[-1]["lr"] == pytest.approx(3e-3 * final)  # the last update, not one after
    assert [e["step"] for e in _events(tmp_path / "run", "end")] == [5]


def test_same_seed_same_losses(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        cfg = _config(tmp_path / name, max_steps=3, save_every_steps=None)
        train(load_config(cfg))
        runs.append([e["loss"] for e in _events(tmp_path / name / "run", "train")])
    assert runs[0] == runs[1]


def test_bad_inputs_fail_before_training(tmp_path: Path) -> None:
    cfg = _config(tmp_path, output_dir=None)
    (tmp_path / "c.json").write_text(json.dumps(cfg))
    assert main(["--config", str(tmp_path / "c.json")]) == 2
    result = CliRunner().invoke(app, ["train", "--config", str(tmp_path / "c.json")])
    assert result.exit_code == 2
    assert "output_dir" in result.output
    (tmp_path / "c.json").write_text(
        json.dumps({**cfg, "model_overrides": {"hiden": 3}, "output_dir": str(tmp_path / "x")})
    )
    assert main(["--config", str(tmp_path / "c.json")]) == 2


@pytest.mark.parametrize(
    ("schedule", "step", "expected"),
    [
        ("constant", 0, 0.5),
        ("constant", 5, 1.0),
        ("linear", 11, 0.0),
        ("linear", 12, 0.0),
        ("cosine", 2, 1.0),
        ("cosine", 11, 0.1),
        ("cosine", 12, 0.1),
    ],
)
def test_schedule_warms_up_then_decays(schedule: str, step: int, expected: float) -> None:
    cfg = load_config(
        {
            "model": "tiny-llama",
            "data_path": "d",
            "max_steps": 12,
            "warmup_steps": 2,
            "lr_schedule": schedule,
        }
    )
    assert lr_factor(cfg, step, 12, 0.0) == pytest.approx(expected)
