"""What a GRPO step reports: TRL's metric names, and the samples kept for ``samples.jsonl``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from tunix_rt.training.rl.rewards import Scored
from tunix_rt.training.rl.rollout import Rollout
from tunix_rt.training.rl.samples import Completion, PromptSamples
from tunix_rt.training.rl.setup import RlSetup


@dataclass
class Update:
    """What one policy update computed."""

    loss: float
    grad_norm: float
    entropy: float | None
    kl: float | None
    clip: dict[str, float]
    kept_groups: int


def step_metrics(
    s: RlSetup,
    scored: Scored,
    rollout: Rollout,
    adv_std: torch.Tensor,
    zero: torch.Tensor,
    up: Update,
) -> dict[str, Any]:
    """TRL's GRPO metric names for one step."""
    total = torch.tensor(scored.total)
    lengths = torch.tensor(rollout.lengths, dtype=torch.float)
    ended = [n for n, c in zip(rollout.lengths, rollout.clipped, strict=True) if not c]
    out: dict[str, Any] = {
        "loss": up.loss,
        "reward": float(total.mean()),
        "reward_std": float(adv_std.mean()),
        "frac_reward_zero_std": float(zero.float().mean()),
        "completions/mean_length": float(lengths.mean()),
        "completions/min_length": float(lengths.min()),
        "completions/max_length": float(lengths.max()),
        "completions/clipped_ratio": sum(rollout.clipped) / len(rollout.clipped),
        "completions/mean_terminated_length": sum(ended) / len(ended) if ended else 0.0,
        "grad_norm": up.grad_norm,
        "kept_groups": up.kept_groups,
        "num_tokens": int(rollout.attention_mask.sum()),
    }
    for name, values in scored.per_judge.items():
        t = torch.tensor(values)
        out[f"rewards/{name}/mean"] = float(t.mean())
        out[f"rewards/{name}/std"] = float(t.std()) if t.numel() > 1 else 0.0
    if up.entropy is not None:
        out["entropy"] = up.entropy
    if up.kl is not None:
        out["kl"] = up.kl
    out.update({f"clip_ratio/{k}": v for k, v in up.clip.items()})
    return out


def step_samples(
    s: RlSetup, step: int, rows: list[int], rollout: Rollout, scored: Scored, adv: torch.Tensor
) -> list[PromptSamples]:
    g = s.rl.num_generations
    out = []
    for k, i in enumerate(rows[: s.rl.samples_prompts]):
        item = s.prompts[i]
        comps = [
            Completion(
                text=rollout.texts[r],
                rewards={name: v[r] for name, v in scored.per_judge.items()},
                reward=scored.total[r],
                advantage=float(adv[r]),
                first_wrong_step=scored.first_wrong[r],
                tokens=rollout.lengths[r],
                clipped=rollout.clipped[r],
            )
            for r in range(k * g, (k + 1) * g)
        ]
        out.append(PromptSamples(step, item.id, item.prompt, item.expected_answer, comps))
    return out
