"""Rank bodies for tests/training/test_parallel.py: module-level, so spawned ranks import them
by a name that does not depend on how pytest imported the test file."""

from __future__ import annotations

import torch

from tunix_rt.training.config import TrainConfig
from tunix_rt.training.parallel import Ranks


def sums(cfg: TrainConfig, resume: bool, ranks: Ranks) -> list[float]:
    """Two calls of each shape, so both sets of shared slots are used."""
    first = ranks.sum(1.0 + ranks.rank, 10.0)
    grads = [torch.nn.Parameter(torch.full((3,), float(ranks.rank + 1)))]
    for p in grads:
        p.grad = p.detach().clone()
    loss = ranks.sum_gradients(grads, 0.5)
    second = ranks.sum(2.0, float(ranks.rank))
    assert grads[0].grad is not None
    return [*first, *grads[0].grad.tolist(), loss, *second]


def one_rank_fails(cfg: TrainConfig, resume: bool, ranks: Ranks) -> list[float]:
    """Rank 1 fails after the first sum, while rank 0 waits in the second."""
    first = ranks.sum(1.0)
    if not ranks.leader:
        raise ValueError("rank 1 fails between two sums")
    return [*first, *ranks.sum(2.0)]
