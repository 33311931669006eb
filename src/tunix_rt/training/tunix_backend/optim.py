"""Learning-rate schedule and optimizer for the tunix backend, matching the torch recipe.

The rate is training/schedule.py's, traced by JAX (same warmup, same cosine floor, the final
value at the last update); the same AdamW betas (0.9, 0.98) with no weight decay on vectors
(norms, biases), SGD with momentum 0.9, and gradient clipping on the whole (accumulated)
gradient before the update.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax

from tunix_rt.training.config import TrainConfig
from tunix_rt.training.schedule import COSINE_FLOOR, lr_factor


def schedule(config: TrainConfig, total: int | None) -> Callable[[Any], Any]:
    """Learning rate for update ``count`` (0-based), traceable by JAX."""
    lr, warm, kind = config.learning_rate, config.warmup_steps, config.lr_schedule

    def rate(count: Any) -> Any:
        step = jnp.asarray(count, jnp.float32)
        warmup = (step + 1) / max(warm, 1)
        if kind == "constant" or total is None:
            after = jnp.ones_like(step)
        else:
            # schedule.step_progress, traced: 1.0 at the last update
            progress = jnp.clip((step - warm) / max(1, total - 1 - warm), 0.0, 1.0)
            if kind == "linear":
                after = 1.0 - progress
            else:
                cosine = 0.5 * (1 + jnp.cos(jnp.pi * progress))
                after = COSINE_FLOOR + (1 - COSINE_FLOOR) * cosine
        return lr * jnp.where(step < warm, warmup, after)

    return rate


def host_factor(config: TrainConfig, step: int, progress: float) -> float:
    """``schedule.lr_factor`` for a run bounded only by time (``progress`` in [0, 1])."""
    return lr_factor(config, step, None, progress)


def time_driven(config: TrainConfig, total: int | None) -> bool:
    """Whether the rate depends on elapsed time (no step horizon), so the host must set it."""
    return total is None and config.lr_schedule != "constant"


def set_learning_rate(opt_state: Any, value: float) -> None:
    """Write the injected learning rate into an nnx optimizer state (under MultiSteps too)."""
    state = getattr(opt_state, "inner_opt_state", opt_state)
    state.hyperparams["learning_rate"][...] = jnp.asarray(value, jnp.float32)


def _decay_mask(params: Any) -> Any:
    return jax.tree.map(lambda p: getattr(p, "ndim", 0) >= 2, params)


def optimizer(config: TrainConfig, lr: Callable[[Any], Any] | None) -> Any:
    """The optax transformation the config asks for; ``lr=None``: a host-set injected rate."""
    if lr is None:
        return optax.inject_hyperparams(lambda learning_rate: _chain(config, learning_rate))(
            learning_rate=config.learning_rate
        )
    return _chain(config, lr)


def _chain(config: TrainConfig, lr: Any) -> Any:
    parts: list[Any] = []
    if config.max_grad_norm is not None:
        parts.append(optax.clip_by_global_norm(config.max_grad_norm))
    if config.optimizer == "adamw":
        parts.append(
            optax.adamw(lr, b1=0.9, b2=0.98, weight_decay=config.weight_decay, mask=_decay_mask)
        )
    else:
        if config.weight_decay:
            parts.append(optax.add_decayed_weights(config.weight_decay, mask=_decay_mask))
        parts.append(optax.sgd(lr, momentum=0.9))
    return optax.chain(*parts)
