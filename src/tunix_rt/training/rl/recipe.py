"""The PyTorch GRPO recipe: TRL's ``GRPOTrainer`` (trainer.py) driven by our config.

``grpo_args`` maps every key of the run onto TRL's ``GRPOConfig`` (docs/rl.md); ``RunRecords``
keeps the run contract of the SFT recipe: ``metrics.jsonl`` with TRL's metric names, SIGTERM
(the step ends, a checkpoint is saved, the run stops), the time budget, and our state beside
each of the Trainer's checkpoints (``checkpoints/checkpoint-N``: policy or adapter, optimizer,
schedule, RNG, trainer state with the step; ``tunix_rt_state.json``: the config and the clock).
A resume continues the newest complete one through ``resume_from_checkpoint``; the sampler's
order is a function of (seed, epoch), so it draws the same next batch.
"""

from __future__ import annotations

import json
import math
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from transformers import PrinterCallback, TrainerCallback
from transformers.utils import logging as hf_logging
from trl.trainer.grpo_config import GRPOConfig

from tunix_rt.training import checkpoint as ckpt
from tunix_rt.training import records
from tunix_rt.training.config import TrainConfig, check_resumable
from tunix_rt.training.records import StopReason, TrainResult
from tunix_rt.training.rl.config import RlConfig
from tunix_rt.training.rl.data import prompt_dataset
from tunix_rt.training.rl.samples import SamplesLog
from tunix_rt.training.rl.setup import RlSetup, run_manifest, setup_rl
from tunix_rt.training.rl.trainer import JudgeGRPOTrainer

CHECKPOINT_PREFIX = "checkpoint-"  # the Trainer's name for checkpoints/checkpoint-N
STATE_FILE = "tunix_rt_state.json"  # ours, written last: a checkpoint without it is incomplete
# With only time_budget_s the Trainer still needs a step limit; the budget stops the run.
UNBOUNDED_STEPS = 10**9


def micro_batch(cfg: TrainConfig, rl: RlConfig) -> int:
    """Completions per forward/backward: ``batch_size``, at most the step's ``prompts * G``."""
    return min(cfg.batch_size, rl.prompts_per_step * rl.num_generations)


def grpo_args(cfg: TrainConfig, out_dir: Path, total_steps: int | None) -> GRPOConfig:
    """TRL's ``GRPOConfig`` for ``cfg`` (docs/rl.md, "How the keys reach TRL")."""
    rl = cfg.rl
    assert rl is not None
    step_batch = rl.prompts_per_step * rl.num_generations
    micro = micro_batch(cfg, rl)
    save_every = cfg.save_every_steps or UNBOUNDED_STEPS  # the final save is RunRecords'
    return GRPOConfig(
        output_dir=str(out_dir / "checkpoints"),
        # One optimizer step per rollout of prompts_per_step x G completions, in micro-batches.
        per_device_train_batch_size=micro,
        gradient_accumulation_steps=step_batch // micro,
        num_generations=rl.num_generations,
        num_iterations=1,
        max_completion_length=rl.max_new_tokens,
        temperature=rl.temperature,
        top_p=rl.top_p,
        top_k=0,
        beta=rl.beta,
        epsilon=rl.epsilon,
        loss_type=rl.loss,
        scale_rewards=rl.scale_rewards,
        reward_weights=[r.weight for r in rl.rewards],
        multi_objective_aggregation="sum_then_normalize",
        mask_truncated_completions=False,
        shuffle_dataset=True,
        # learning_rate is the optimizer's base rate; the optimizer and the schedule are ours
        # (JudgeGRPOTrainer.create_optimizer / create_scheduler: warmup_steps, lr_schedule,
        # weight_decay, optimizer).
        learning_rate=cfg.learning_rate,
        max_grad_norm=cfg.max_grad_norm or 0.0,
        max_steps=total_steps or UNBOUNDED_STEPS,
        seed=cfg.seed,
        bf16=cfg.precision == "bf16",
        gradient_checkpointing=False,
        use_cpu=not torch.cuda.is_available(),
        logging_steps=cfg.log_every_steps,
        logging_first_step=True,
        logging_nan_inf_filter=False,
        save_strategy="steps",
        save_steps=save_every,
        save_total_limit=ckpt.KEEP_CHECKPOINTS,
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        log_completions=False,
    )


def checkpoints(out_dir: Path) -> list[Path]:
    """Complete checkpoints (with our state file), oldest first."""
    root = out_dir / "checkpoints"
    if not root.is_dir():
        return []
    found = [
        p
        for p in root.iterdir()
        if p.name.startswith(CHECKPOINT_PREFIX)
        and p.name.removeprefix(CHECKPOINT_PREFIX).isdigit()
        and (p / STATE_FILE).is_file()
    ]
    return sorted(found, key=lambda p: int(p.name.removeprefix(CHECKPOINT_PREFIX)))


# The figures of the one line printed per logged step.
_SHOWN = ("reward", "reward_std", "frac_reward_zero_std", "completions/mean_length", "step_time")


class RunRecords(TrainerCallback):
    """metrics.jsonl, SIGTERM, the time budget, the last checkpoint and our checkpoint state."""

    def __init__(self, s: RlSetup, metrics: ckpt.MetricsLog, clock: Callable[[], float]) -> None:
        self.s = s
        self.metrics = metrics
        self.clock = clock
        self.signalled = False
        self.trainer: JudgeGRPOTrainer | None = None
        self.last_loss: float | None = None
        self.step_started = 0.0

    def on_step_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
        self.step_started = time.perf_counter()

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        # filter_zero_std dropped every group: no update (AdamW's moments and decay untouched).
        if self.trainer is not None and self.trainer.skip_update:
            for p in kw["model"].parameters():
                p.grad = None

    def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
        budget = self.s.cfg.time_budget_s
        out_of_time = budget is not None and self.clock() >= budget
        last = state.global_step >= state.max_steps
        if self.signalled or out_of_time or last:
            control.should_save = True
            control.should_training_stop = True

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> None:
        logs = dict(logs or {})
        if "train_runtime" in logs:  # the Trainer's closing summary, not a step
            return
        step = state.global_step
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss):
            raise FloatingPointError(f"loss is {loss} at step {step}; lower learning_rate")
        self.last_loss = loss
        info = self.trainer.step_info if self.trainer is not None else None
        event: dict[str, Any] = {
            k: v for k, v in logs.items() if isinstance(v, (int, float)) or v is None
        }
        event.update(step=step, lr=logs.get("learning_rate"), elapsed_s=self.clock())
        if info is not None:
            event.update(prompt_ids=info.prompt_ids, kept_groups=info.kept_groups)
        self.metrics.write("train", **event)
        shown = {k: float(logs.get(k) or 0.0) for k in _SHOWN}
        print(
            f"step {step}/{self.s.total_steps or '?'} loss {loss or 0.0:.4f}"
            f" reward {shown['reward']:.3f} ± {shown['reward_std']:.3f}"
            f" zero-std {shown['frac_reward_zero_std']:.2f}"
            f" len {shown['completions/mean_length']:.1f}"
            f" step_time {shown['step_time']:.2f}s",
            flush=True,
        )

    def on_save(self, args: Any, state: Any, control: Any, **_: Any) -> None:
        where = Path(args.output_dir) / f"{CHECKPOINT_PREFIX}{state.global_step}"
        doc = {
            "config": self.s.cfg.model_dump(mode="json"),
            "step": state.global_step,
            "elapsed_s": self.clock(),
        }
        tmp = where / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(doc))
        tmp.replace(where / STATE_FILE)


def make_trainer(
    s: RlSetup, *, samples: SamplesLog, clock: Callable[[], float], callbacks: list[Any]
) -> JudgeGRPOTrainer:
    """The trainer of a set-up run (TRL wraps the policy with the LoRA adapter here)."""
    return JudgeGRPOTrainer(
        run_cfg=s.cfg,
        judges=s.rewards,
        samples=samples,
        clock=clock,
        total_steps=s.total_steps,
        model=s.model,
        args=grpo_args(s.cfg, s.out_dir, s.total_steps),
        train_dataset=prompt_dataset(s.prompts),
        processing_class=s.tokenizer,
        peft_config=s.peft_config,
        callbacks=callbacks,
    )


def _resume_point(s: RlSetup, resume: bool) -> tuple[Path | None, int, float]:
    """The checkpoint to continue (if any), its step and its clock."""
    latest = checkpoints(s.out_dir)[-1:] if resume else []
    if not latest:
        if resume:
            print("no checkpoint to resume from; starting at step 0", flush=True)
        return None, 0, 0.0
    doc = json.loads((latest[0] / STATE_FILE).read_text())
    check_resumable(doc["config"], s.cfg)
    return latest[0], int(doc["step"]), float(doc["elapsed_s"])


def train(cfg: TrainConfig, *, resume: bool = False) -> TrainResult:
    """GRPO per ``cfg.rl``; checkpoints, ``final/``, ``metrics.jsonl`` and ``samples.jsonl``."""
    s = setup_rl(cfg, reuse_tokenizer=resume)
    rl = s.rl
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in run logs
    start_from, step0, elapsed0 = _resume_point(s, resume)
    started = time.perf_counter()

    def clock() -> float:
        return elapsed0 + time.perf_counter() - started

    metrics = ckpt.MetricsLog(s.out_dir / "metrics.jsonl", keep_until_step=step0)
    samples = SamplesLog(s.out_dir, max_bytes=rl.samples_max_bytes, keep_until_step=step0)
    run = RunRecords(s, metrics, clock)
    trainer = make_trainer(s, samples=samples, clock=clock, callbacks=[run])
    run.trainer = trainer
    trainer.remove_callback(PrinterCallback)  # RunRecords prints one line per logged step
    assert trainer.model is not None
    manifest = run_manifest(s, trainer.model).model_copy(update={"resumed_from_step": step0})
    records.write_manifest(s.out_dir, manifest)
    if start_from is not None:
        print(f"resumed from {start_from} at step {step0}", flush=True)
    print(
        f"grpo (TRL GRPOTrainer) on {manifest.parameters:,} parameters "
        f"({manifest.trainable_parameters:,} trainable), {len(s.prompts)} prompts, "
        f"{rl.prompts_per_step} x G={rl.num_generations} per step, loss {rl.loss}, "
        f"for {s.total_steps or '?'} steps, {manifest.threads} threads, {s.device}",
        flush=True,
    )
    main = threading.current_thread() is threading.main_thread()
    on_term = None
    if main:
        on_term = signal.signal(signal.SIGTERM, lambda *_: setattr(run, "signalled", True))
    try:
        # Always through train(): resuming a finished run loads its weights (no step is left).
        trainer.train(resume_from_checkpoint=str(start_from) if start_from else None)
        step = max(trainer.state.global_step, step0)
        reason = _stop_reason(run, cfg, step, s.total_steps, clock())
        final = None
        if reason != StopReason.SIGNAL:
            model = trainer.accelerator.unwrap_model(trainer.model)
            final = ckpt.save_final(s.out_dir, _merged(model), s.tokenizer, cfg)
        elapsed = clock()
        metrics.write("end", step=step, stop_reason=reason, loss=run.last_loss, elapsed_s=elapsed)
        print(f"stopped at step {step} ({reason}) after {elapsed:.1f}s", flush=True)
        result = TrainResult(step, reason, run.last_loss, None, elapsed)
        records.write_manifest(s.out_dir, manifest.finished(result, final))
        return result
    finally:
        if main:
            signal.signal(signal.SIGTERM, on_term)
        metrics.close()


def _stop_reason(
    run: RunRecords, cfg: TrainConfig, step: int, total: int | None, clock: float
) -> StopReason:
    if run.signalled:
        return StopReason.SIGNAL
    if total is not None and step >= total:
        return StopReason.MAX_STEPS
    return StopReason.TIME_BUDGET


def _merged(model: torch.nn.Module) -> torch.nn.Module:
    """A LoRA policy merged into plain weights, so ``final/`` loads with ``from_pretrained``."""
    merge = getattr(model, "merge_and_unload", None)
    if merge is None:
        return model
    merged: torch.nn.Module = merge()
    return merged
