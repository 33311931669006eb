"""The ``rl:`` section of a training config (docs/rl.md): GRPO's keys, each honoured or refused.

Pure (no torch). ``rl_problems`` is called from ``training.config.contradictions`` so every
refusal is one ``Problem`` at the key's dotted path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from tunix_rt.errors import Problem

if TYPE_CHECKING:
    from tunix_rt.training.config import TrainConfig

REGISTRY_PREFIX = "registry://"
# A run id as the platform writes it (a UUID); resolved to the run's final/ by the job.
_RUN_ID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
# The LLM judge needs an endpoint and an HTTP call per completion: not a reward here.
NOT_REWARDS = frozenset({"llm_judge"})


class RewardSpec(BaseModel):
    """One judge as a reward term: ``weight * score``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    judge: str = Field(min_length=1)
    weight: float = 1.0
    # step_check only: outcome = its 0/1 score; process = credit up to the first wrong step.
    mode: Literal["outcome", "process"] = "outcome"


def _default_rewards() -> tuple[RewardSpec, ...]:
    return (RewardSpec(judge="answer_correctness"),)


class RlConfig(BaseModel):
    """GRPO's keys (names as in TRL's GRPOConfig where one exists)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    init_from: str | None = None  # a run id, registry://family[/alias], or a local model dir
    num_generations: int = Field(default=4, ge=1, le=256)  # G; G < 2 is refused by name below
    prompts_per_step: int = Field(default=4, ge=1, le=4096)
    max_new_tokens: int = Field(default=64, ge=1, le=65_536)
    temperature: float = Field(default=1.0, gt=0, le=10.0)
    top_p: float = Field(default=1.0, gt=0, le=1.0)
    beta: float = Field(default=0.0, ge=0.0)
    epsilon: float = Field(default=0.2, gt=0, lt=1.0)
    loss: Literal["grpo", "dr_grpo", "dapo"] = "dapo"
    scale_rewards: Literal["group", "batch", "none"] = "group"
    filter_zero_std: bool = False
    rewards: tuple[RewardSpec, ...] = Field(default_factory=_default_rewards)
    # samples.jsonl: every N steps, the completions of the first K prompts of the step.
    samples_every_steps: int = Field(default=10, ge=1)
    samples_prompts: int = Field(default=2, ge=0)
    samples_max_bytes: int = Field(default=5_000_000, ge=1_000)


def is_run_id(text: str) -> bool:
    """Whether ``init_from`` names a platform run (resolved by the job, not here)."""
    return bool(_RUN_ID.match(text))


def rl_problems(cfg: TrainConfig) -> list[Problem]:
    """Every key of ``rl:`` (or of the rest of the config under grpo) that cannot hold."""
    rl = cfg.rl
    if cfg.algorithm == "sft":
        return [Problem("rl", "only algorithm: grpo takes an rl: section")] if rl else []
    if rl is None:
        return [Problem("rl", "algorithm: grpo needs an rl: section (rewards at least)")]
    out = _sft_only_problems(cfg)
    if rl.max_new_tokens >= cfg.max_seq_length:
        out.append(Problem("rl.max_new_tokens", f"must be < max_seq_length ({cfg.max_seq_length})"))
    if cfg.backend == "torch":
        out.extend(_torch_problems(cfg))
    if rl.num_generations < 2:
        out.append(Problem("rl.num_generations", "GRPO compares G >= 2 completions per prompt"))
    if not rl.rewards:
        out.append(Problem("rl.rewards", "name at least one judge"))
    for i, spec in enumerate(rl.rewards):
        out.extend(_reward_problems(i, spec))
    if rl.init_from is not None:
        out.extend(_init_problems(rl.init_from))
    if rl.beta > 0 and rl.init_from is None and cfg.is_preset:
        out.append(
            Problem(
                "rl.beta",
                "beta > 0 keeps the policy near a trained reference; a random-weight preset "
                "has none: set rl.init_from (or a checkpoint as model), or beta: 0",
            )
        )
    return out


def _sft_only_problems(cfg: TrainConfig) -> list[Problem]:
    """Keys of the SFT loop that GRPO's loop does not honour."""
    out: list[Problem] = _tunix_problems(cfg) if cfg.backend == "tunix" else []
    if cfg.gradient_accumulation_steps != 1:
        out.append(
            Problem("gradient_accumulation_steps", "grpo takes one update per rollout (use 1)")
        )
    if cfg.processes != 1:
        out.append(Problem("processes", "grpo runs in one process (use 1)"))
    if cfg.eval_every_steps is not None:
        out.append(Problem("eval_every_steps", "grpo has no eval loss; set eval_set instead"))
    if cfg.eval_data_path is not None:
        out.append(Problem("eval_data_path", "grpo has no eval loss; set eval_set instead"))
    return out


def _tunix_problems(cfg: TrainConfig) -> list[Problem]:
    """``rl:`` keys Tunix's GRPO learner cannot honour (docs/rl.md, the per-backend table)."""
    rl = cfg.rl
    assert rl is not None
    out: list[Problem] = []
    if rl.scale_rewards == "batch":
        out.append(
            Problem(
                "rl.scale_rewards",
                "the tunix backend has group (Tunix's grpo estimator) and none, not batch",
            )
        )
    per = min(rl.prompts_per_step, cfg.batch_size // rl.num_generations)
    if per < 1 or rl.prompts_per_step % per:
        out.append(
            Problem(
                "batch_size",
                "the tunix backend micro-batches whole groups: batch_size / num_generations "
                f"prompts must divide prompts_per_step ({rl.prompts_per_step})",
            )
        )
    return out


def _torch_problems(cfg: TrainConfig) -> list[Problem]:
    """The torch backend's step is ``prompts_per_step x G`` completions in micro-batches of
    ``batch_size`` (TRL's generation batch and ``per_device_train_batch_size``)."""
    rl = cfg.rl
    assert rl is not None
    step = rl.prompts_per_step * rl.num_generations
    if cfg.batch_size < step and step % cfg.batch_size:
        return [
            Problem(
                "batch_size",
                f"the micro-batch must divide prompts_per_step x num_generations ({step}), "
                "or be at least that",
            )
        ]
    return []


def _reward_problems(i: int, spec: RewardSpec) -> list[Problem]:
    # Imported here: every SFT config (and the API) loads this module; only rl: needs judges.
    from tunix_rt.evaluation.judges import JUDGES

    where = f"rl.rewards.{i}"
    usable = sorted(set(JUDGES) - NOT_REWARDS)
    if spec.judge not in JUDGES:
        return [Problem(f"{where}.judge", f"unknown judge {spec.judge!r}; judges: {usable}")]
    if spec.judge in NOT_REWARDS:
        return [Problem(f"{where}.judge", f"{spec.judge} is not a reward; use one of {usable}")]
    if spec.mode == "process" and spec.judge != "step_check":
        return [Problem(f"{where}.mode", "process mode is step_check's (per-step credit)")]
    return []


def _init_problems(init_from: str) -> list[Problem]:
    if init_from.startswith(REGISTRY_PREFIX) or is_run_id(init_from):
        return []  # the platform resolves these (train_submit, jobs/train.py)
    path = Path(init_from)
    if not path.is_dir():
        return [
            Problem(
                "rl.init_from",
                f"{init_from!r} is neither a run id, a registry:// URI nor a model directory",
            )
        ]
    if not (path / "config.json").is_file() and not _is_tunix_dir(path):
        return [Problem("rl.init_from", f"{init_from} has no config.json (not a saved model)")]
    return []


def _is_tunix_dir(path: Path) -> bool:
    from tunix_rt.training.tunix_backend import is_tunix_model_dir  # no JAX import

    return is_tunix_model_dir(path)
