"""The torch GRPO recipe on a tiny model: metrics, checkpoint, resume, final/, zero-std groups."""

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
import torch
from transformers import AutoModelForCausalLM
from typer.testing import CliRunner

from tunix_rt.cli.main import app
from tunix_rt.errors import InvalidInput
from tunix_rt.training import generate as gen
from tunix_rt.training.__main__ import main
from tunix_rt.training.config import load_config
from tunix_rt.training.rl.recipe import train
from tunix_rt.training.rl.setup import setup_rl

SMALL = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
}
TRL_METRICS = (
    "reward",
    "reward_std",
    "frac_reward_zero_std",
    "entropy",
    "completions/mean_length",
    "completions/clipped_ratio",
    "clip_ratio/region_mean",
    "clip_ratio/low_mean",
    "clip_ratio/high_max",
)


def _data(path: Path) -> Path:
    lines = []
    for n in range(12):
        a, b = 10 + n, 20 + 2 * n
        doc = {
            "id": f"p{n}",
            "prompt": f"What is {a} + {b}?",
            "final_answer": str(a + b),
            "steps": [{"i": 0, "type": "compute", "content": f"{a}+{b}={a + b}"}],
        }
        lines.append(orjson.dumps(doc))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _config(
    tmp_path: Path, out: str = "run", rl: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "algorithm": "grpo",
        "model": "tiny-llama",
        "model_overrides": SMALL,
        "data_path": str(_data(tmp_path / "d.jsonl")),
        "max_steps": 4,
        "learning_rate": 1e-2,
        "lr_schedule": "constant",
        "log_every_steps": 1,
        "save_every_steps": 2,
        "num_threads": 1,
        "max_seq_length": 64,
        "output_dir": str(tmp_path / out),
        "rl": {
            "num_generations": 2,
            "prompts_per_step": 3,
            "max_new_tokens": 12,
            "samples_every_steps": 2,
            "rewards": [{"judge": "answer_correctness"}, {"judge": "mock", "weight": 0.5}],
            **(rl or {}),
        },
        **extra,
    }


def _events(run: Path) -> list[dict[str, Any]]:
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == "train"]


def test_grpo_logs_trl_metrics_checkpoints_resumes_and_final_generates(tmp_path: Path) -> None:
    whole = train(load_config(_config(tmp_path, "whole")))
    assert whole.stop_reason == "max_steps"
    events = _events(tmp_path / "whole")
    assert [e["step"] for e in events] == [1, 2, 3, 4]
    for e in events:
        assert all(key in e for key in TRL_METRICS), sorted(e)
        assert "rewards/answer_correctness/mean" in e
        assert "rewards/mock/std" in e
        assert e["loss"] == e["loss"]  # finite, and checked by the recipe
        assert "kl" not in e  # beta 0: no reference, as TRL
    assert (tmp_path / "whole" / "checkpoints" / "step-4" / "state.pt").exists()
    samples = [
        json.loads(x) for x in (tmp_path / "whole" / "samples.jsonl").read_text().splitlines()
    ]
    assert {s["step"] for s in samples} == {1, 2, 4}
    assert all(len(s["completions"]) == 2 for s in samples)
    assert {"rewards", "advantage", "first_wrong_step"} <= set(samples[0]["completions"][0])

    # Stop at step 2, then resume to 4: steps 3 and 4 see the same prompts and samples.
    train(load_config(_config(tmp_path, "split", max_steps=2)))
    (tmp_path / "more.json").write_text(json.dumps(_config(tmp_path, "split")))
    assert main(["--config", str(tmp_path / "more.json"), "--resume"]) == 0
    resumed = _events(tmp_path / "split")
    assert [e["step"] for e in resumed] == [1, 2, 3, 4]
    for a, b in zip(events[2:], resumed[2:], strict=True):
        assert a["prompt_ids"] == b["prompt_ids"]
        assert a["reward"] == pytest.approx(b["reward"])
        assert a["completions/mean_length"] == b["completions/mean_length"]

    final = tmp_path / "whole" / "final"
    model = AutoModelForCausalLM.from_pretrained(final, local_files_only=True)
    assert model is not None
    model, tokenizer, info = gen.load_model(final)
    out = gen.generate(
        model, tokenizer, info, [gen.PromptItem("x", "What is 1 + 2?")], max_new_tokens=8
    )
    assert out[0].tokens > 0


def test_a_constant_reward_has_zero_std_everywhere_and_beta_0_leaves_the_weights(
    tmp_path: Path,
) -> None:
    # A random model never writes a well-formed trace: format's reward is 0 for every sample.
    doc = _config(tmp_path, max_steps=3, rl={"rewards": [{"judge": "format"}]})
    train(load_config(doc))
    events = _events(tmp_path / "run")
    assert all(e["frac_reward_zero_std"] == 1.0 for e in events)
    assert all(e["reward_std"] == 0.0 and e["grad_norm"] == 0.0 for e in events)
    start = setup_rl(load_config(doc), reuse_tokenizer=True).model.state_dict()
    end = AutoModelForCausalLM.from_pretrained(tmp_path / "run" / "final").state_dict()
    for name, tensor in start.items():
        assert torch.equal(tensor, end[name]), name


def test_filter_zero_std_drops_exactly_the_zero_std_groups(tmp_path: Path) -> None:
    # mock's hash reward: each group of two is constant half of the time.
    rl = {"rewards": [{"judge": "mock"}], "filter_zero_std": True, "prompts_per_step": 4}
    train(load_config(_config(tmp_path, max_steps=6, rl=rl)))
    events = _events(tmp_path / "run")
    fractions = {e["frac_reward_zero_std"] for e in events}
    assert fractions - {0.0, 1.0}, fractions  # some steps mix both kinds of group
    for e in events:
        assert e["kept_groups"] == round(4 * (1 - e["frac_reward_zero_std"]))


def test_lora_from_a_trained_model_with_a_reference_logs_kl_and_merges(tmp_path: Path) -> None:
    train(load_config(_config(tmp_path, "base", max_steps=1)))
    base = str(tmp_path / "base" / "final")
    rl = {"init_from": base, "beta": 0.1, "rewards": [{"judge": "mock"}]}
    lora = {"rank": 4, "alpha": 8.0, "target_modules": ["q_proj", "v_proj"]}
    doc = _config(tmp_path, "lora", max_steps=2, rl=rl, lora=lora)
    train(load_config(doc))
    events = _events(tmp_path / "lora")
    assert all(e["kl"] >= 0.0 for e in events)
    state = torch.load(tmp_path / "lora" / "checkpoints" / "step-2" / "state.pt")
    assert "reference" in state  # a resume continues against the same reference
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "lora" / "final")
    assert not any("lora" in name for name in merged.state_dict())

    with pytest.raises(InvalidInput, match="style"):
        train(load_config({**doc, "style": "tagged", "output_dir": str(tmp_path / "other")}))


def test_tunix_rt_train_runs_a_grpo_config(tmp_path: Path) -> None:
    (tmp_path / "grpo.json").write_text(json.dumps(_config(tmp_path, max_steps=1)))
    result = CliRunner().invoke(app, ["train", "--config", str(tmp_path / "grpo.json")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "final" / "config.json").exists()
