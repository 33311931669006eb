"""The learning-rate schedule of both backends (pure): warmup, then a decay over the budget.

Warmup is ``(step + 1) / warmup_steps``. After it, ``progress`` runs from 0 at the first
update past warmup to 1 at the **last** update of the run, so the final update trains at the
schedule's final value (cosine: ``COSINE_FLOOR`` of the peak; linear: 0). ``step`` is the
0-based index of the update. A run bounded only by time has no last step: the caller passes
the elapsed share of the budget as ``progress`` instead.
"""

from __future__ import annotations

import math

from tunix_rt.training.config import TrainConfig

# Cosine decays to this fraction of the peak rate rather than to zero.
COSINE_FLOOR = 0.1


def step_progress(step: int, total: int, warmup: int) -> float:
    """Share of the decay done at update ``step`` of ``total`` (1.0 at the last update)."""
    return (step - warmup) / max(1, total - 1 - warmup)


def lr_factor(cfg: TrainConfig, step: int, total: int | None, progress: float = 0.0) -> float:
    """The multiplier of ``learning_rate`` at update ``step``."""
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    if total is not None:
        progress = step_progress(step, total, cfg.warmup_steps)
    progress = min(max(progress, 0.0), 1.0)
    if cfg.lr_schedule == "linear":
        return 1.0 - progress
    if cfg.lr_schedule == "cosine":
        return COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + math.cos(math.pi * progress))
    return 1.0
