"""Sampling G completions per prompt, and the per-token log-probabilities of a rollout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from tunix_rt.datasets.render import render_prompt
from tunix_rt.training.rl.config import RlConfig
from tunix_rt.training.rl.data import RlPrompt
from tunix_rt.training.rl.loss import token_logps


@dataclass(frozen=True)
class Rollout:
    """A step's sampled completions, G per prompt, group by group (rows ``g*G .. g*G+G-1``)."""

    input_ids: torch.Tensor  # (B, P + T) left-padded prompt, then the completion
    attention_mask: torch.Tensor  # (B, P + T) 0 on prompt padding and after the end token
    prompt_length: int  # P
    completion_mask: torch.Tensor  # (B, T) 1 up to and including the end token
    texts: list[str]
    lengths: list[int]
    clipped: list[bool]  # no end token within max_new_tokens


@torch.no_grad()
def sample(
    model: torch.nn.Module,
    tokenizer: Any,
    items: Sequence[RlPrompt],
    rl: RlConfig,
    *,
    template: Any,
    system: str | None,
    max_prompt_tokens: int,
) -> Rollout:
    """G samples per prompt at ``temperature``/``top_p`` (no top-k), cut at the end token."""
    texts = [render_prompt(i.prompt, template=template, system=system) for i in items]
    tokenizer.truncation_side = "left"  # keep the end of a long prompt: the model's turn opener
    enc = tokenizer(
        texts, return_tensors="pt", padding=True, truncation=True, max_length=max_prompt_tokens
    )
    dev = next(model.parameters()).device
    ids = enc["input_ids"].repeat_interleave(rl.num_generations, 0).to(dev)
    attn = enc["attention_mask"].repeat_interleave(rl.num_generations, 0).to(dev)
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    was_training = model.training
    model.eval()
    out = model.generate(  # type: ignore[operator]
        input_ids=ids,
        attention_mask=attn,
        do_sample=True,
        temperature=rl.temperature,
        top_p=rl.top_p,
        top_k=0,
        max_new_tokens=rl.max_new_tokens,
        eos_token_id=eos,
        pad_token_id=pad,
    )
    model.train(was_training)
    comp = out[:, ids.shape[1] :]
    width = comp.shape[1]
    is_end = comp == eos
    ended = is_end.any(dim=1)
    first = torch.where(
        ended, is_end.int().argmax(dim=1), torch.full_like(ended, width, dtype=torch.long)
    )
    cmask = (torch.arange(width, device=dev).unsqueeze(0) <= first.unsqueeze(1)).long()
    lengths = cmask.sum(dim=1).tolist()
    decoded = [
        tokenizer.decode(comp[r, : int(first[r])].tolist(), skip_special_tokens=True)
        for r in range(comp.shape[0])
    ]
    return Rollout(
        input_ids=out,
        attention_mask=torch.cat([attn, cmask], dim=1),
        prompt_length=ids.shape[1],
        completion_mask=cmask,
        texts=decoded,
        lengths=[int(n) for n in lengths],
        clipped=[not bool(e) for e in ended],
    )


def completion_logps(
    model: torch.nn.Module, rollout: Rollout, rows: torch.Tensor, *, autocast: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probability and entropy of each completion token of ``rows``: ``(n, T)`` each."""
    ids = rollout.input_ids[rows]
    attn = rollout.attention_mask[rows]
    # Positions count real tokens only, as generation numbered them under left padding.
    positions = (attn.cumsum(dim=1) - 1).clamp(min=0)
    with torch.autocast(ids.device.type, dtype=torch.bfloat16, enabled=autocast):
        logits = model(input_ids=ids, attention_mask=attn, position_ids=positions).logits
    p = rollout.prompt_length
    return token_logps(logits[:, p - 1 : -1], ids[:, p:])
