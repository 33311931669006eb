"""The PyTorch GRPO recipe: setup -> (sample, score, advantage, update) per step -> save.

One policy update per rollout (TRL's ``num_iterations=1``): the old policy is the current one,
so the ratio is 1 at the update and the clip metrics read 0, as in TRL. Metric names follow
TRL's GRPOTrainer (docs/rl.md). The prompt order is ``BatchOrder``'s, so ``(epoch, cursor)`` in
the checkpoint continues the data exactly; the RNG state continues the sampling.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from typing import Any

import torch

from tunix_rt.training import checkpoint as ckpt
from tunix_rt.training import records
from tunix_rt.training.batching import BatchOrder
from tunix_rt.training.config import TrainConfig, check_resumable
from tunix_rt.training.records import StopReason, TrainResult, stop_reason
from tunix_rt.training.rl.loss import advantages, policy_loss
from tunix_rt.training.rl.metrics import Update, step_metrics, step_samples
from tunix_rt.training.rl.rewards import Scored, score_all
from tunix_rt.training.rl.rollout import Rollout, completion_logps, sample
from tunix_rt.training.rl.samples import SamplesLog
from tunix_rt.training.rl.setup import RlSetup, setup_rl
from tunix_rt.training.schedule import lr_factor
from tunix_rt.training.torch_recipe import make_optimizer


def _score(s: RlSetup, rows: list[int], rollout: Rollout) -> Scored:
    g = s.rl.num_generations
    items = [s.prompts[i] for i in rows for _ in range(g)]
    return score_all(
        s.rewards,
        [i.prompt for i in items],
        rollout.texts,
        expected_answer=[i.expected_answer for i in items],
        id=[i.id for i in items],
        category=[i.category for i in items],
        difficulty=[i.difficulty for i in items],
        truncated=rollout.clipped,
    )


def update(
    s: RlSetup,
    optimizer: torch.optim.Optimizer,
    rollout: Rollout,
    adv: torch.Tensor,
    keep: torch.Tensor,
) -> Update:
    """One optimizer step on the kept rows, in micro-batches of ``batch_size`` completions."""
    rl, cfg = s.rl, s.cfg
    rows = torch.nonzero(keep).flatten()
    trainable = [p for p in s.model.parameters() if p.requires_grad]
    if rows.numel() == 0:  # every group filtered out: nothing to learn from this rollout
        return Update(0.0, 0.0, None, None, {}, 0)
    mask_all = rollout.completion_mask.float()
    n_rows, n_tokens = rows.numel(), float(mask_all[rows].sum().clamp(min=1.0))
    total = ent_sum = kl_sum = 0.0
    clip = {"low_mean": 0.0, "low_min": 0.0, "high_mean": 0.0, "high_max": 0.0, "region_mean": 0.0}
    autocast = cfg.precision == "bf16"
    for start in range(0, n_rows, cfg.batch_size):
        part = rows[start : start + cfg.batch_size]
        mask = mask_all[part]
        logps, entropy = completion_logps(s.model, rollout, part, autocast=autocast)
        ref = None
        if s.reference is not None and rl.beta > 0:
            with torch.no_grad():
                ref, _ = completion_logps(s.reference, rollout, part, autocast=autocast)
        parts = policy_loss(
            logps,
            logps.detach(),
            adv[part],
            mask,
            kind=rl.loss,
            epsilon=rl.epsilon,
            beta=rl.beta,
            ref_logps=ref,
            max_completion_length=rl.max_new_tokens,
        )
        # Each micro-batch's share of the whole batch's aggregate (see policy_loss).
        tokens = float(mask.sum())
        share = tokens / n_tokens if rl.loss == "dapo" else part.numel() / n_rows
        (parts.loss * share).backward()  # type: ignore[no-untyped-call]
        total += float(parts.loss.detach()) * share
        ent_sum += float((entropy.detach() * mask).sum())
        kl_sum += (parts.kl or 0.0) * tokens
        for key, value in (
            ("low_mean", parts.clip_low_mean),
            ("high_mean", parts.clip_high_mean),
            ("region_mean", parts.clip_region_mean),
        ):
            clip[key] += value * tokens / n_tokens
    clip["low_min"], clip["high_max"] = clip["low_mean"], clip["high_mean"]
    norm = torch.nn.utils.clip_grad_norm_(trainable, cfg.max_grad_norm or math.inf)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    kl = kl_sum / n_tokens if rl.beta > 0 else None
    return Update(total, float(norm), ent_sum / n_tokens, kl, clip, n_rows // rl.num_generations)


def _state(
    s: RlSetup, opt: torch.optim.Optimizer, step: int, order: BatchOrder, el: float
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "config": s.cfg.model_dump(mode="json"),
        "model": s.model.state_dict(),
        "optimizer": opt.state_dict(),
        "scheduler": {"step": step},
        "step": step,
        "epoch": order.epoch,
        "cursor": order.cursor,
        "elapsed_s": el,
        "rng": ckpt.rng_state(),
    }
    if s.reference is not None:
        state["reference"] = s.reference.state_dict()
    return state


def train(cfg: TrainConfig, *, resume: bool = False) -> TrainResult:
    """GRPO per ``cfg.rl``; checkpoints, ``final/``, ``metrics.jsonl`` and ``samples.jsonl``."""
    s = setup_rl(cfg, reuse_tokenizer=resume)
    rl, model = s.rl, s.model
    optimizer = make_optimizer(model, cfg)
    step, epoch, cursor, elapsed0 = 0, 0, 0, 0.0
    latest = ckpt.checkpoint_dirs(s.out_dir)[-1:] if resume else []
    if latest:
        state = ckpt.load_checkpoint(latest[0])
        check_resumable(state["config"], cfg)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if s.reference is not None and "reference" in state:
            s.reference.load_state_dict(state["reference"])
        step, epoch, cursor = state["step"], state["epoch"], state["cursor"]
        elapsed0 = state["elapsed_s"]
        ckpt.restore_rng(state["rng"])
        print(f"resumed from {latest[0]} at step {step}", flush=True)
    elif resume:
        print("no checkpoint to resume from; starting at step 0", flush=True)
    manifest = s.manifest.model_copy(update={"resumed_from_step": step})
    records.write_manifest(s.out_dir, manifest)
    metrics = ckpt.MetricsLog(s.out_dir / "metrics.jsonl", keep_until_step=step)
    samples = SamplesLog(s.out_dir, max_bytes=rl.samples_max_bytes, keep_until_step=step)
    print(
        f"grpo on {manifest.parameters:,} parameters, {len(s.prompts)} prompts, "
        f"{rl.prompts_per_step} x G={rl.num_generations} per step, loss {rl.loss}, "
        f"for {s.total_steps or '?'} steps, {manifest.threads} threads, {s.device}",
        flush=True,
    )
    order = BatchOrder(
        [len(p.prompt) for p in s.prompts], rl.prompts_per_step, cfg.seed, epoch, cursor
    )
    signalled: list[bool] = []
    main = threading.current_thread() is threading.main_thread()
    on_term = signal.signal(signal.SIGTERM, lambda *_: signalled.append(True)) if main else None
    start = time.perf_counter() - elapsed0
    max_prompt = max(8, cfg.max_seq_length - rl.max_new_tokens)
    reason: StopReason | None = None
    loss: float | None = None
    model.train()
    try:
        while True:
            clock = time.perf_counter() - start
            reason = stop_reason(
                signalled=bool(signalled), step=step, total_steps=s.total_steps, clock=clock,
                time_budget_s=cfg.time_budget_s,
            )  # fmt: skip
            if reason is not None:
                break
            t0 = time.perf_counter()
            rows = order.next()
            progress = clock / cfg.time_budget_s if cfg.time_budget_s else 0.0
            lr = cfg.learning_rate * lr_factor(cfg, step, s.total_steps, progress)
            for group in optimizer.param_groups:
                group["lr"] = lr
            rollout = sample(
                model,
                s.tokenizer,
                [s.prompts[i] for i in rows],
                rl,
                template=cfg.template,
                system=cfg.system_prompt,
                max_prompt_tokens=max_prompt,
            )
            scored = _score(s, rows, rollout)
            adv = advantages(
                torch.tensor(scored.total, device=s.device), rl.num_generations, rl.scale_rewards
            )
            keep = ~adv.zero_std if rl.filter_zero_std else torch.ones_like(adv.zero_std)
            up = update(s, optimizer, rollout, adv.advantages, keep)
            step += 1
            loss = up.loss
            if not math.isfinite(up.loss):
                raise FloatingPointError(f"loss is {up.loss} at step {step}; lower learning_rate")
            if step % cfg.log_every_steps == 0 or step == 1:
                event = step_metrics(s, scored, rollout, adv.group_std, adv.zero_std, up)
                event.update(
                    step=step,
                    lr=lr,
                    step_time=time.perf_counter() - t0,
                    elapsed_s=time.perf_counter() - start,
                    epoch=order.epoch,
                    prompt_ids=[s.prompts[i].id for i in rows],
                )
                metrics.write("train", **event)
                print(
                    f"step {step}/{s.total_steps or '?'} loss {up.loss:.4f} reward "
                    f"{event['reward']:.3f} ± {event['reward_std']:.3f} zero-std "
                    f"{event['frac_reward_zero_std']:.2f} "
                    f"len {event['completions/mean_length']:.1f} "
                    f"step_time {event['step_time']:.2f}s",
                    flush=True,
                )
            if rl.samples_prompts and (step % rl.samples_every_steps == 0 or step == 1):
                samples.write(step_samples(s, step, rows, rollout, scored, adv.advantages))
            if cfg.save_every_steps and step % cfg.save_every_steps == 0:
                ckpt.save_checkpoint(
                    s.out_dir, step, _state(s, optimizer, step, order, time.perf_counter() - start)
                )
        ckpt.save_checkpoint(
            s.out_dir, step, _state(s, optimizer, step, order, time.perf_counter() - start)
        )
        final = None
        if reason != StopReason.SIGNAL:
            final = ckpt.save_final(s.out_dir, _merged(model), s.tokenizer, cfg)
        elapsed = time.perf_counter() - start
        metrics.write("end", step=step, stop_reason=reason, loss=loss, elapsed_s=elapsed)
        print(f"stopped at step {step} ({reason}) after {elapsed:.1f}s", flush=True)
        result = TrainResult(step, reason, loss, None, elapsed)
        records.write_manifest(s.out_dir, manifest.finished(result, final))
        return result
    finally:
        if main:
            signal.signal(signal.SIGTERM, on_term)
        metrics.close()


def _merged(model: torch.nn.Module) -> torch.nn.Module:
    """A LoRA policy merged into plain weights, so ``final/`` loads with ``from_pretrained``."""
    merge = getattr(model, "merge_and_unload", None)
    if merge is None:
        return model
    merged: torch.nn.Module = merge()
    return merged
