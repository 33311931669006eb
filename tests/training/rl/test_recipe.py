"""The torch GRPO recipe (TRL's GRPOTrainer) on a tiny model: metrics, checkpoints, resume,
final/, zero-std groups, SIGTERM, the time budget."""

import json
import os
import signal
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
from tunix_rt.training.__main__ import EXIT_SIGNAL, main
from tunix_rt.training.config import load_config
from tunix_rt.training.rl.recipe import STATE_FILE, train
from tunix_rt.training.rl.setup import setup_rl
from tunix_rt.training.rl.trainer import JudgeGRPOTrainer

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


def _data(path: Path, n_prompts: int = 12) -> Path:
    lines = []
    for n in range(n_prompts):
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
    tmp_path: Path,
    out: str = "run",
    rl: dict[str, Any] | None = None,
    n_prompts: int = 12,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "algorithm": "grpo",
        "model": "tiny-llama",
        "model_overrides": SMALL,
        "data_path": str(_data(tmp_path / "d.jsonl", n_prompts)),
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
    # 6 prompts, 3 per step: an epoch is 2 steps, so the resume at step 2 starts epoch 2.
    whole = train(load_config(_config(tmp_path, "whole", n_prompts=6)))
    assert whole.stop_reason == "max_steps"
    assert whole.last_loss is not None
    events = _events(tmp_path / "whole")
    assert [e["step"] for e in events] == [1, 2, 3, 4]
    for e in events:
        assert all(key in e for key in TRL_METRICS), sorted(e)
        assert "rewards/answer_correctness/mean" in e
        assert "rewards/mock/std" in e
        assert e["loss"] == e["loss"]  # finite, and checked by the recipe
        assert "kl" not in e  # beta 0: no reference, as TRL
        assert e["kept_groups"] == 3  # no filter: every group counts
    epochs = [sorted(events[0]["prompt_ids"] + events[1]["prompt_ids"])] * 2
    assert epochs[0] == [f"p{n}" for n in sorted(range(6), key=str)]
    assert sorted(events[2]["prompt_ids"] + events[3]["prompt_ids"]) == epochs[1]
    assert events[2]["prompt_ids"] != events[0]["prompt_ids"]  # a new order in epoch 2
    for step in (2, 4):
        assert (tmp_path / "whole" / "checkpoints" / f"checkpoint-{step}" / STATE_FILE).exists()
    samples = [
        json.loads(x) for x in (tmp_path / "whole" / "samples.jsonl").read_text().splitlines()
    ]
    assert {s["step"] for s in samples} == {1, 2, 4}
    assert all(len(s["completions"]) == 2 for s in samples)
    first = samples[0]["completions"][0]
    assert {"rewards", "advantage", "first_wrong_step", "tokens", "clipped"} <= set(first)
    assert set(first["rewards"]) == {"answer_correctness", "mock"}
    assert first["reward"] == pytest.approx(
        first["rewards"]["answer_correctness"] + 0.5 * first["rewards"]["mock"]
    )

    # Stop at step 2, then resume to 4: steps 3 and 4 see the same prompts and samples.
    train(load_config(_config(tmp_path, "split", max_steps=2, n_prompts=6)))
    (tmp_path / "more.json").write_text(json.dumps(_config(tmp_path, "split", n_prompts=6)))
    assert main(["--config", str(tmp_path / "more.json"), "--resume"]) == 0
    resumed = _events(tmp_path / "split")
    assert [e["step"] for e in resumed] == [1, 2, 3, 4]
    for a, b in zip(events[2:], resumed[2:], strict=True):
        assert a["prompt_ids"] == b["prompt_ids"]
        assert a["reward"] == pytest.approx(b["reward"])
        assert a["completions/mean_length"] == b["completions/mean_length"]
        assert a["loss"] == pytest.approx(b["loss"], abs=1e-6)

    final = tmp_path / "whole" / "final"
    model = AutoModelForCausalLM.from_pretrained(final, local_files_only=True)
    assert model is not None
    # Resuming a finished run trains nothing and writes the same final/ again.
    again = train(load_config(_config(tmp_path, "whole", n_prompts=6)), resume=True)
    assert again.step == 4
    reloaded = AutoModelForCausalLM.from_pretrained(final, local_files_only=True).state_dict()
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, reloaded[name]), name
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
    _assert_unchanged(doc, tmp_path / "run" / "final")


def test_a_step_whose_groups_are_all_filtered_changes_no_weight(tmp_path: Path) -> None:
    # Weight decay would move every matrix if the optimizer stepped on the zero gradient.
    rl = {"rewards": [{"judge": "format"}], "filter_zero_std": True}
    doc = _config(tmp_path, max_steps=2, rl=rl, weight_decay=0.5)
    train(load_config(doc))
    assert all(e["kept_groups"] == 0 for e in _events(tmp_path / "run"))
    _assert_unchanged(doc, tmp_path / "run" / "final")


def _assert_unchanged(doc: dict[str, Any], final: Path) -> None:
    start = setup_rl(load_config(doc), reuse_tokenizer=True).model.state_dict()
    end = AutoModelForCausalLM.from_pretrained(final).state_dict()
    for name, tensor in start.items():
        assert torch.equal(tensor, end[name]), name


def test_filter_zero_std_drops_exactly_the_zero_std_groups(tmp_path: Path) -> None:
    # mock's hash reward: each group of two is constant half of the time.
    rl = {"rewards": [{"judge": "mock"}], "filter_zero_std": True, "prompts_per_step": 4}
    # Micro-batches of 4 completions: the step's 8 in two (TRL's gradient accumulation).
    train(load_config(_config(tmp_path, max_steps=6, rl=rl, batch_size=4)))
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
    # The checkpoint holds the adapter; the reference is the base with the adapter disabled.
    saved = tmp_path / "lora" / "checkpoints" / "checkpoint-2"
    assert (saved / "adapter_model.safetensors").exists()
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "lora" / "final")
    assert not any("lora" in name for name in merged.state_dict())

    with pytest.raises(InvalidInput, match="style"):
        train(load_config({**doc, "style": "tagged", "output_dir": str(tmp_path / "other")}))


def test_tunix_rt_train_runs_a_grpo_config(tmp_path: Path) -> None:
    (tmp_path / "grpo.json").write_text(json.dumps(_config(tmp_path, max_steps=1)))
    result = CliRunner().invoke(app, ["train", "--config", str(tmp_path / "grpo.json")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "final" / "config.json").exists()


def test_sigterm_ends_the_step_saves_and_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    score = JudgeGRPOTrainer._calculate_rewards

    def score_then_signal(self: JudgeGRPOTrainer, *args: Any) -> Any:
        if self.state.global_step == 1:  # while step 2 is being computed
            os.kill(os.getpid(), signal.SIGTERM)
        return score(self, *args)

    monkeypatch.setattr(JudgeGRPOTrainer, "_calculate_rewards", score_then_signal)
    doc = _config(tmp_path, max_steps=4, save_every_steps=None)
    (tmp_path / "grpo.json").write_text(json.dumps(doc))
    assert main(["--config", str(tmp_path / "grpo.json")]) == EXIT_SIGNAL
    end = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert end[-1]["event"] == "end"
    assert end[-1]["stop_reason"] == "signal"
    assert end[-1]["step"] == 2  # the step under way when the signal came was finished
    ckpt = tmp_path / "run" / "checkpoints" / "checkpoint-2"
    assert (ckpt / STATE_FILE).exists()  # and saved
    assert not (tmp_path / "run" / "final").exists()  # a cancelled run leaves no final model
    # The retry (or tunix-rt train --resume) continues from it to the end.
    assert main(["--config", str(tmp_path / "grpo.json"), "--resume"]) == 0
    again = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [e["step"] for e in again if e["event"] == "train"] == [1, 2, 3, 4]
    assert (tmp_path / "run" / "final" / "config.json").exists()


def test_the_time_budget_stops_the_run_with_a_checkpoint_and_final(tmp_path: Path) -> None:
    doc = _config(tmp_path, time_budget_s=0.5, log_every_steps=1)
    del doc["max_steps"]
    result = train(load_config(doc))
    assert result.stop_reason == "time_budget"
    ckpt = tmp_path / "run" / "checkpoints" / f"checkpoint-{result.step}"
    assert (ckpt / STATE_FILE).exists()
    assert (tmp_path / "run" / "final" / "config.json").exists()
