"""Setting up a GRPO run (torch): prompts, tokenizer, policy (init_from, a preset or a dir),
the LoRA adapter's ``peft`` config, and the judges as rewards. TRL's ``GRPOTrainer`` wraps the
policy with the adapter and, when ``beta > 0``, keeps the reference (recipe.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from tunix_rt.errors import InvalidInput, Problem
from tunix_rt.training import checkpoint as ckpt
from tunix_rt.training import records, torch_setup
from tunix_rt.training.config import LoraConfig, TrainConfig
from tunix_rt.training.data import EncodeStats
from tunix_rt.training.rl.config import RlConfig
from tunix_rt.training.rl.data import RlPrompt, load_prompts
from tunix_rt.training.rl.rewards import JudgeReward, build_rewards


@dataclass
class RlSetup:
    """Everything the GRPO loop needs, built from the config."""

    cfg: TrainConfig
    rl: RlConfig
    out_dir: Path
    model: torch.nn.Module
    peft_config: Any  # a peft.LoraConfig when ``lora:`` is set, else None
    tokenizer: Any
    prompts: list[RlPrompt]
    rewards: list[JudgeReward]
    device: torch.device
    total_steps: int | None


def policy_source(cfg: TrainConfig) -> TrainConfig:
    """The config whose ``model`` is where the policy starts: ``rl.init_from`` when it is a
    directory (the job resolves run ids and registry URIs to one), else ``model``."""
    rl = cfg.rl
    if rl is None or rl.init_from is None or not Path(rl.init_from).is_dir():
        return cfg
    return cfg.model_copy(
        update={"model": rl.init_from, "model_overrides": None, "tokenizer": None}
    )


def rl_total_steps(cfg: TrainConfig, rl: RlConfig, n_prompts: int) -> int | None:
    """Optimizer steps: ``max_steps``, or ``epochs`` passes over the prompts, whichever is less.

    An epoch is ``n_prompts // prompts_per_step`` steps: TRL's sampler drops the last partial
    batch of prompts (a new order each epoch, so every prompt is drawn over the epochs)."""
    by_epochs = None
    if cfg.epochs is not None:
        by_epochs = cfg.epochs * (n_prompts // rl.prompts_per_step)
    limits = [s for s in (cfg.max_steps, by_epochs) if s is not None]
    return min(limits) if limits else None


def _same_rendering(cfg: TrainConfig, model_dir: Path) -> None:
    """A trained policy samples well only in the template and style it was trained with."""
    if not (model_dir / ckpt.RUN_INFO).is_file():
        return
    info = ckpt.read_run_info(model_dir)
    for key, theirs, ours in (
        ("template", info.template, cfg.template),
        ("style", info.style, cfg.style),
    ):
        if theirs != ours:
            raise InvalidInput(
                f"{key}: {model_dir} was trained with {theirs.value}, not {ours.value}"
            )


def setup_rl(cfg: TrainConfig, *, reuse_tokenizer: bool) -> RlSetup:
    """Build the run; every input problem surfaces here, before any sampling."""
    rl = cfg.rl
    if rl is None or cfg.output_dir is None or cfg.data_path is None:
        raise InvalidInput("rl: a grpo run needs rl:, data_path and output_dir")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    out_dir = Path(cfg.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.num_threads or torch_setup.default_threads())
    torch.manual_seed(cfg.seed)
    prompts = load_prompts(cfg.data_path)
    if len(prompts) < rl.prompts_per_step:
        raise InvalidInput(
            f"rl.prompts_per_step: {rl.prompts_per_step} prompts per step, but data_path has "
            f"{len(prompts)} training prompts"
        )
    if rl.init_from is not None and not Path(rl.init_from).is_dir():
        raise InvalidInput(
            "invalid training config",
            problems=[
                Problem(
                    "rl.init_from",
                    f"{rl.init_from!r} is not a model directory: a run id or registry:// URI is "
                    "resolved by the platform (the worker, or tunix-rt train with the database)",
                )
            ],
        )
    source = policy_source(cfg)
    _same_rendering(cfg, Path(source.model))
    # Reused from the SFT setup: the same tokenizer and model loading, the same refusals.
    tokenizer = torch_setup._tokenizer(
        source, [p.as_row() for p in prompts], out_dir, reuse_tokenizer
    )
    tokenizer.padding_side = "left"  # generation appends to the right of every prompt
    model = torch_setup._model(source, tokenizer)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rewards = build_rewards(rl.rewards, style=cfg.style, template=cfg.template)
    return RlSetup(
        cfg,
        rl,
        out_dir,
        model.to(device),
        _peft_config(model, cfg.lora) if cfg.lora is not None else None,
        tokenizer,
        prompts,
        rewards,
        device,
        rl_total_steps(cfg, rl, len(prompts)),
    )


def _peft_config(model: torch.nn.Module, lora: LoraConfig) -> Any:
    """``lora:`` as peft's config, for TRL's ``peft_config`` (a missing module is named)."""
    from peft import LoraConfig as PeftLoraConfig

    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    missing = sorted(set(lora.target_modules) - names)
    if missing:
        raise InvalidInput(f"lora.target_modules: the model has no {', '.join(missing)}")
    return PeftLoraConfig(
        r=lora.rank,
        lora_alpha=lora.alpha,  # type: ignore[arg-type]  # peft accepts floats
        lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules),
        task_type="CAUSAL_LM",
    )


def run_manifest(s: RlSetup, model: torch.nn.Module) -> records.RunManifest:
    """The run manifest of ``model`` as trained (the adapter's parameters when LoRA is on)."""
    stats = EncodeStats(kept=len(s.prompts), truncated=0, dropped=0)
    manifest = torch_setup._manifest(s.cfg, model, stats, 0, s.device)
    if policy_source(s.cfg).model != s.cfg.model:
        manifest = manifest.model_copy(update={"model_source": "pretrained"})
    return manifest
