"""What a tunix GRPO run is made of, resolved before JAX builds anything: the prompts (the
torch recipe's prompt files), the tokenizer and model source (the tunix SFT backend's), and
the stream of prompt batches Tunix trains on.

The stream is a seeded order per epoch, and each step's sampling key is derived from the seed
and the step: Tunix resumes by skipping the batches it already trained on, so a resumed run
sees the same next batch with the same key.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jax
import numpy as np
from tunix.rl.rollout import base_rollout

from tunix_rt.datasets.render import render_prompt
from tunix_rt.errors import InvalidInput
from tunix_rt.training.config import TrainConfig
from tunix_rt.training.records import StopReason
from tunix_rt.training.rl.config import RlConfig
from tunix_rt.training.rl.data import RlPrompt, load_prompts
from tunix_rt.training.tunix_backend import batches, setup
from tunix_rt.training.tunix_backend.export import read_meta
from tunix_rt.training.tunix_backend.grpo_learner import RolloutTokenizer


@dataclasses.dataclass(frozen=True)
class Prepared:
    """Everything resolved before JAX builds anything."""

    out: Path
    rl: RlConfig
    source_config: TrainConfig  # ``model`` is where the policy starts (rl.init_from)
    source: setup.Source
    tokenizer: Any
    prompts: list[RlPrompt]
    rendered: list[str]
    prompt_len: int
    total: int | None


def source_config(config: TrainConfig) -> TrainConfig:
    """The config whose ``model`` is the policy's start: ``rl.init_from`` when it is a dir."""
    rl = config.rl
    if rl is None or rl.init_from is None or not Path(rl.init_from).is_dir():
        return config
    return config.model_copy(
        update={"model": rl.init_from, "model_overrides": None, "tokenizer": None}
    )


def total_steps(config: TrainConfig, rl: RlConfig, n_prompts: int) -> int | None:
    """``max_steps``, or ``epochs`` passes over the prompts, whichever is less."""
    limits = [config.max_steps] if config.max_steps is not None else []
    if config.epochs is not None:
        limits.append(config.epochs * math.ceil(n_prompts / rl.prompts_per_step))
    return min(limits) if limits else None


def _same_rendering(config: TrainConfig, src: setup.Source) -> None:
    if src.kind != "tunix" or src.path is None:
        return
    meta = read_meta(src.path)
    for key, ours in (("template", config.template), ("style", config.style)):
        if meta.get(key) != str(ours):
            raise InvalidInput(f"{key}: {src.path} was trained with {meta.get(key)}, not {ours}")


def micro_prompts(config: TrainConfig, rl: RlConfig) -> int:
    """Prompts per forward/backward: ``batch_size`` completions are ``batch_size / G`` prompts
    (the config refuses a ``batch_size`` whose prompts do not divide ``prompts_per_step``)."""
    return max(1, min(rl.prompts_per_step, config.batch_size // rl.num_generations))


def prepare(config: TrainConfig, *, resume: bool) -> Prepared:
    """Validate, load the prompts, build or load the tokenizer, and resolve the model source."""
    rl = config.rl
    if rl is None or config.algorithm != "grpo":
        raise InvalidInput("rl: the tunix GRPO recipe needs algorithm: grpo and an rl: section")
    setup.validate(config)
    setup.apply_num_threads(config.num_threads)
    assert config.output_dir is not None
    assert config.data_path is not None
    out = Path(config.output_dir)
    setup.check_resume(config, out, resume)
    prompts = load_prompts(config.data_path)
    src_cfg = source_config(config)
    tokenizer = setup.load_tokenizer(src_cfg, [p.as_row() for p in prompts])
    source = setup.resolve_source(src_cfg, tokenizer)
    _same_rendering(config, source)
    rendered = [
        render_prompt(p.prompt, template=config.template, system=config.system_prompt)
        for p in prompts
    ]
    longest = max(len(RolloutTokenizer(tokenizer).encode(p)) for p in rendered)
    prompt_len = 8 * math.ceil(longest / 8)
    if prompt_len + rl.max_new_tokens > config.max_seq_length:
        raise InvalidInput(
            f"max_seq_length: the longest prompt ({longest} tokens, {prompt_len} padded) plus "
            f"rl.max_new_tokens ({rl.max_new_tokens}) exceeds {config.max_seq_length}"
        )
    total = total_steps(config, rl, len(prompts))
    return Prepared(out, rl, src_cfg, source, tokenizer, prompts, rendered, prompt_len, total)


def prompt_stream(
    prep: Prepared,
    config: TrainConfig,
    *,
    rollout: base_rollout.RolloutConfig,
    ledger: dict[int, tuple[int, list[str]]],
    clock: Callable[[], float],
    stop: list[StopReason],
) -> Iterator[dict[str, np.ndarray]]:
    """Batches of ``prompts_per_step`` prompts in a seeded order per epoch, forever; ends on
    SIGTERM or when time is up (Tunix then saves the last checkpoint)."""
    rl, n = prep.rl, len(prep.prompts)
    per_epoch = math.ceil(n / rl.prompts_per_step)
    index, epoch = 0, 0
    while True:
        order = np.resize(
            batches.epoch_order(n, seed=config.seed, epoch=epoch), per_epoch * rl.prompts_per_step
        )
        for start in range(0, len(order), rl.prompts_per_step):
            if config.time_budget_s is not None and clock() >= config.time_budget_s:
                stop.append(StopReason.TIME_BUDGET)
            if stop:
                return
            rows = order[start : start + rl.prompts_per_step].tolist()
            items = [prep.prompts[i] for i in rows]
            ledger[index + 1] = (epoch, [p.id for p in items])
            rollout.seed = jax.random.fold_in(jax.random.PRNGKey(config.seed), index)
            index += 1
            yield {
                "prompts": np.array([prep.rendered[i] for i in rows]),
                "question": np.array([p.prompt for p in items]),
                "expected_answer": np.array([p.expected_answer for p in items]),
                "id": np.array([p.id for p in items]),
                "category": np.array([p.category or "" for p in items]),
                "difficulty": np.array([p.difficulty or "" for p in items]),
            }
        epoch += 1
