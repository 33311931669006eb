"""GRPO's advantages and clipped policy loss as pure tensor functions, following TRL's
definitions (trl/trainer/grpo_trainer.py, 1.16) so metrics and losses compare with it.

Shapes: rewards ``(B,)`` with ``B = prompts * G`` laid out group by group; per-token tensors
``(B, T)`` over completion tokens, ``mask`` 1 on real completion tokens (EOS included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

# TRL's guard against dividing by a zero standard deviation.
STD_EPS = 1e-4


@dataclass(frozen=True)
class Advantages:
    """Per-completion advantages and the group statistics behind them."""

    advantages: torch.Tensor  # (B,)
    group_std: torch.Tensor  # (B,) the std of each completion's group (unbiased, as TRL)
    zero_std: torch.Tensor  # (B,) bool: the group's rewards are all equal


def advantages(
    rewards: torch.Tensor, group_size: int, scale: Literal["group", "batch", "none"]
) -> Advantages:
    """``r - mean(group)``, divided by the group's std (group), the batch's (batch) or 1 (none)."""
    grouped = rewards.view(-1, group_size)
    mean = grouped.mean(dim=1).repeat_interleave(group_size)
    std = grouped.std(dim=1).repeat_interleave(group_size)
    centred = rewards - mean
    if scale == "group":
        adv = centred / (std + STD_EPS)
    elif scale == "batch":
        adv = centred / (rewards.std() + STD_EPS)
    else:
        adv = centred
    zero = torch.isclose(std, torch.zeros_like(std))
    return Advantages(adv, std, zero)


@dataclass(frozen=True)
class LossParts:
    """The loss and what TRL logs from it."""

    loss: torch.Tensor
    kl: float | None  # mean per-token k3 estimate of KL(policy || reference); None at beta 0
    clip_low_mean: float
    clip_low_min: float
    clip_high_mean: float
    clip_high_max: float
    clip_region_mean: float


def _masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1.0)


def policy_loss(
    logps: torch.Tensor,
    old_logps: torch.Tensor,
    adv: torch.Tensor,
    mask: torch.Tensor,
    *,
    kind: Literal["grpo", "dr_grpo", "dapo"],
    epsilon: float,
    beta: float = 0.0,
    ref_logps: torch.Tensor | None = None,
    max_completion_length: int,
) -> LossParts:
    """The clipped surrogate ``-min(r A, clip(r, 1-e, 1+e) A)`` (+ ``beta`` k3 KL), aggregated as

    - ``grpo`` (Shao et al. 2024, DeepSeekMath): mean over each sequence's tokens, then over
      sequences;
    - ``dr_grpo`` (Liu et al. 2025, "Understanding R1-Zero-like training"): token sum over
      ``B * max_completion_length``, a constant, so no length bias;
    - ``dapo`` (Yu et al. 2025, DAPO): token sum over the batch's completion tokens
      (token-level mean).
    """
    mask = mask.to(logps.dtype)
    ratio = torch.exp(logps - old_logps)
    clipped = torch.clamp(ratio, 1 - epsilon, 1 + epsilon)
    a = adv.unsqueeze(1)
    per_token = -torch.min(ratio * a, clipped * a)
    kl_mean: float | None = None
    if beta != 0.0:
        if ref_logps is None:
            raise ValueError("beta != 0 needs the reference model's log-probabilities")
        delta = ref_logps - logps
        kl = torch.exp(delta) - delta - 1  # k3: unbiased, always >= 0 (Schulman 2020)
        per_token = per_token + beta * kl
        kl_mean = float(_masked_mean(kl.detach(), mask))
    if kind == "grpo":
        loss = ((per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    elif kind == "dr_grpo":
        loss = (per_token * mask).sum() / (per_token.size(0) * max_completion_length)
    else:
        loss = (per_token * mask).sum() / mask.sum().clamp(min=1.0)
    with torch.no_grad():
        low = ((ratio < 1 - epsilon) & (a < 0)).to(mask.dtype)
        high = ((ratio > 1 + epsilon) & (a > 0)).to(mask.dtype)
        low_m, high_m = _masked_mean(low, mask), _masked_mean(high, mask)
        region = _masked_mean(((low + high) > 0).to(mask.dtype), mask)
    return LossParts(
        loss,
        kl_mean,
        clip_low_mean=float(low_m),
        clip_low_min=float(low_m),  # one process: the min over processes is the mean
        clip_high_mean=float(high_m),
        clip_high_max=float(high_m),
        clip_region_mean=float(region),
    )


def token_logps(logits: torch.Tensor, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probability of each ``ids`` token under ``logits`` (same positions), and entropy."""
    logp_all = torch.log_softmax(logits.float(), dim=-1)
    logps = logp_all.gather(-1, ids.unsqueeze(-1)).squeeze(-1)
    entropy = -(logp_all.exp() * logp_all).sum(-1)
    return logps, entropy
