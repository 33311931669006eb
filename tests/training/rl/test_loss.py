"""The loss TRL's GRPOTrainer computes with our settings, against hand-computed values on a
two-completion toy (and a four-completion one for filter_zero_std), through the trainer's own
``compute_loss`` on hand-made inputs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from tunix_rt.training.config import load_config
from tunix_rt.training.rl.recipe import make_trainer
from tunix_rt.training.rl.samples import SamplesLog
from tunix_rt.training.rl.setup import setup_rl
from tunix_rt.training.rl.trainer import JudgeGRPOTrainer, _drop_groups

SMALL = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 2,
}
MAX_NEW = 4  # max_completion_length: dr_grpo's constant


def _trainer(tmp_path: Path, loss: str, beta: float = 0.0) -> JudgeGRPOTrainer:
    data = tmp_path / "d.jsonl"
    data.write_text(
        "".join(f'{{"prompt": "What is {n} + 1?", "final_answer": "{n + 1}"}}\n' for n in range(4))
    )
    model = tmp_path / "model"
    if beta and not model.is_dir():  # beta > 0 needs a trained start (TRL loads it as the ref)
        base = _config(tmp_path, "dapo", 0.0, str(tmp_path / "base"))
        s0 = setup_rl(load_config(base), reuse_tokenizer=False)
        s0.model.save_pretrained(model)
        s0.tokenizer.save_pretrained(model)
    rl: dict[str, Any] = {"init_from": str(model)} if beta else {}
    cfg = load_config(_config(tmp_path, loss, beta, str(tmp_path / loss), **rl))
    s = setup_rl(cfg, reuse_tokenizer=False)
    samples = SamplesLog(s.out_dir, max_bytes=10_000, keep_until_step=0)
    trainer = make_trainer(s, samples=samples, clock=lambda: 0.0, callbacks=[])
    trainer.current_gradient_accumulation_steps = 1
    trainer.model.train()
    return trainer


def _config(tmp_path: Path, loss: str, beta: float, out: str, **rl: Any) -> dict[str, Any]:
    return {
        "algorithm": "grpo",
        "model": "tiny-llama",
        "model_overrides": SMALL,
        "data_path": str(tmp_path / "d.jsonl"),
        "max_steps": 1,
        "max_seq_length": 32,
        "num_threads": 1,
        "output_dir": out,
        "rl": {
            "num_generations": 2,
            "prompts_per_step": 1,
            "max_new_tokens": MAX_NEW,
            "loss": loss,
            "beta": beta,
            "rewards": [{"judge": "mock"}],
            **rl,
        },
    }


def _inputs(rows: int, lengths: list[int], adv: list[float]) -> dict[str, Any]:
    torch.manual_seed(0)
    prompt = torch.randint(3, 20, (rows, 3))
    completion = torch.randint(3, 20, (rows, MAX_NEW))
    mask = torch.tensor([[1] * n + [0] * (MAX_NEW - n) for n in lengths])
    return {
        "prompt_ids": prompt,
        "prompt_mask": torch.ones_like(prompt),
        "completion_ids": completion,
        "completion_mask": mask,
        "advantages": torch.tensor(adv),
        "num_items_in_batch": mask.sum(),
    }


def _logps(model: torch.nn.Module, inputs: dict[str, Any]) -> torch.Tensor:
    """Each completion token's log-probability, by a plain forward pass (temperature 1)."""
    ids = torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], dim=1)
    attn = torch.cat([inputs["prompt_mask"], inputs["completion_mask"]], dim=1)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=attn).logits
    p = inputs["prompt_ids"].shape[1]
    logp = torch.log_softmax(logits[:, p - 1 : -1].float(), dim=-1)
    return logp.gather(-1, inputs["completion_ids"].unsqueeze(-1)).squeeze(-1)


# One group of G = 2: completion 1 has 3 tokens (advantage 1.0), completion 2 has 1 (-0.5).
# One update per rollout, so the ratio is 1 and each token's policy loss is -A.
LENGTHS, ADV = [3, 1], [1.0, -0.5]
EXPECTED = {
    "grpo": ((-1.0) + 0.5) / 2,  # the mean over each completion's tokens, then over completions
    "dr_grpo": (-1.0 * 3 + 0.5 * 1) / (2 * MAX_NEW),  # the token sum over B * max_new_tokens
    "dapo": (-1.0 * 3 + 0.5 * 1) / 4,  # the token sum over the batch's completion tokens
}


@pytest.mark.parametrize("loss", ["grpo", "dr_grpo", "dapo"])
def test_the_trainers_loss_matches_the_hand_computed_one(tmp_path: Path, loss: str) -> None:
    trainer = _trainer(tmp_path, loss)
    value = trainer.compute_loss(trainer.model, _inputs(2, LENGTHS, ADV))
    assert float(value.detach()) == pytest.approx(EXPECTED[loss], abs=1e-6)


@pytest.mark.parametrize("loss", ["grpo", "dr_grpo", "dapo"])
def test_beta_adds_the_k3_kl_to_the_reference(tmp_path: Path, loss: str) -> None:
    trainer = _trainer(tmp_path, loss, beta=0.1)
    inputs = _inputs(2, LENGTHS, ADV)
    # A reference 0.5 nats below the policy on every token: k3 = e^-0.5 + 0.5 - 1 per token.
    inputs["ref_per_token_logps"] = _logps(trainer.model, inputs) - 0.5
    k3 = math.exp(-0.5) + 0.5 - 1
    kl_term = {"grpo": 0.1 * k3, "dr_grpo": 0.1 * k3 * 4 / (2 * MAX_NEW), "dapo": 0.1 * k3}
    value = trainer.compute_loss(trainer.model, inputs)
    assert float(value.detach()) == pytest.approx(EXPECTED[loss] + kl_term[loss], abs=1e-5)
    assert trainer._metrics["train"]["kl"][-1] == pytest.approx(k3, abs=1e-5)


@pytest.mark.parametrize("loss", ["grpo", "dr_grpo", "dapo"])
def test_filter_zero_std_takes_exactly_the_dropped_groups_out(tmp_path: Path, loss: str) -> None:
    trainer = _trainer(tmp_path, loss, beta=0.1)
    # Group 1 has spread; group 2 is constant (advantages 0) but carries KL and tokens.
    both = _inputs(4, [3, 1, 4, 2], [1.0, -0.5, 0.0, 0.0])
    both["ref_per_token_logps"] = _logps(trainer.model, both) - 0.5
    first = {k: v[:2] if v.ndim else v for k, v in both.items()}
    first["num_items_in_batch"] = first["completion_mask"].sum()
    alone = trainer.compute_loss(trainer.model, first).detach()
    _drop_groups(both, torch.tensor([True, True, False, False]), loss)
    dropped = trainer.compute_loss(trainer.model, both)
    assert float(dropped.detach()) == pytest.approx(float(alone), abs=1e-6)
    # Without the filter the constant group dilutes the step (and adds its KL).
    kept = _inputs(4, [3, 1, 4, 2], [1.0, -0.5, 0.0, 0.0])
    kept["ref_per_token_logps"] = both["ref_per_token_logps"]
    assert float(trainer.compute_loss(trainer.model, kept).detach()) != pytest.approx(float(alone))
