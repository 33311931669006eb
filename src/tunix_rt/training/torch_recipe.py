"""The PyTorch SFT recipe: setup -> train -> save_checkpoint -> cleanup, as one readable loop.

Loss is token-level cross-entropy on completion tokens only, averaged over the completion
tokens of the whole accumulation window. The learning rate (training/schedule.py) is a pure
function of the optimizer step (or of elapsed time when only ``time_budget_s`` bounds the
run), so restoring the step restores the schedule.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from tunix_rt.training import checkpoint as ckpt
from tunix_rt.training import parallel, records
from tunix_rt.training.batching import IGNORE_INDEX, Batch, BatchOrder, collate
from tunix_rt.training.config import TrainConfig, check_resumable
from tunix_rt.training.data import EncodedExample
from tunix_rt.training.parallel import Ranks
from tunix_rt.training.records import StopReason, TrainResult, stop_reason
from tunix_rt.training.schedule import lr_factor
from tunix_rt.training.torch_setup import Setup, setup


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """AdamW or SGD over trainable parameters; no weight decay on norms and biases."""
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    rest = [p for p in params if p.ndim < 2]
    groups = [
        {"params": decay, "weight_decay": cfg.weight_decay},
        {"params": rest, "weight_decay": 0.0},
    ]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.learning_rate, momentum=0.9)
    # The fused kernel (CPU and CUDA) steps a tiny model's ~30 tensors 4x faster than the loop.
    fused = all(p.device.type in ("cpu", "cuda") for p in params)
    return torch.optim.AdamW(groups, lr=cfg.learning_rate, betas=(0.9, 0.98), fused=fused)


def masked_loss_sum(model: torch.nn.Module, batch: Batch, autocast: bool) -> torch.Tensor:
    """Sum of next-token cross-entropy over the completion tokens of one micro-batch."""
    with torch.autocast(batch.input_ids.device.type, dtype=torch.bfloat16, enabled=autocast):
        logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
    logits = logits[:, :-1].float()
    labels = batch.labels[:, 1:]
    return F.cross_entropy(
        logits.reshape(-1, logits.size(-1)),
        labels.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )


def _to(batch: Batch, dev: torch.device) -> Batch:
    return Batch(
        batch.input_ids.to(dev),
        batch.attention_mask.to(dev),
        batch.labels.to(dev),
        batch.tokens,
        batch.target_tokens,
    )


@torch.no_grad()
def eval_loss(s: Setup, examples: Sequence[EncodedExample]) -> float:
    """Mean completion-token loss over held-out examples."""
    s.model.eval()
    total = count = 0.0
    pad = s.tokenizer.pad_token_id
    for start in range(0, len(examples), s.cfg.batch_size):
        batch = _to(collate(examples[start : start + s.cfg.batch_size], pad), s.device)
        total += float(masked_loss_sum(s.model, batch, s.cfg.precision == "bf16"))
        count += batch.target_tokens
    s.model.train()
    return total / max(count, 1.0)


def train(cfg: TrainConfig, *, resume: bool = False) -> TrainResult:
    """Train, checkpoint and save ``final/``; ``resume`` continues from the latest checkpoint."""
    return parallel.launch(cfg, resume, train_rank)


def train_rank(cfg: TrainConfig, resume: bool, ranks: Ranks) -> TrainResult:
    """One rank's share of the run (the whole run when ``processes`` is 1)."""
    if not ranks.leader:
        ranks.barrier()  # rank 0 has saved the tokenizer: every rank encodes with that one
    s = setup(cfg, reuse_tokenizer=resume or not ranks.leader)
    if ranks.leader:
        ranks.barrier()
    model, dev, pad = s.model, s.device, s.tokenizer.pad_token_id
    ranks.same_weights(model)
    optimizer = make_optimizer(model, cfg)
    trainable = [p for p in model.parameters() if p.requires_grad]
    step, epoch, cursor, elapsed0 = 0, 0, 0, 0.0
    say = print if ranks.leader else _quiet
    latest = ckpt.checkpoint_dirs(s.out_dir)[-1:] if resume else []
    if latest:
        state = ckpt.load_checkpoint(latest[0])
        check_resumable(state["config"], cfg)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, epoch, cursor = state["step"], state["epoch"], state["cursor"]
        elapsed0 = state["elapsed_s"]
        ckpt.restore_rng(state["rng"])
        say(f"resumed from {latest[0]} at step {step}", flush=True)
    elif resume:
        say("no checkpoint to resume from; starting at step 0", flush=True)
    metrics = None
    manifest = s.manifest.model_copy(update={"resumed_from_step": step})
    if ranks.leader:
        records.write_manifest(s.out_dir, manifest)
        metrics = ckpt.MetricsLog(s.out_dir / "metrics.jsonl", keep_until_step=step)
    log = metrics.write if metrics is not None else _quiet
    say(
        f"training {manifest.parameters:,} parameters on {manifest.train_examples} examples "
        f"({manifest.truncated_examples} truncated) for {s.total_steps or '?'} steps, "
        f"{manifest.threads} threads x {cfg.processes} processes, {dev}",
        flush=True,
    )
    if cfg.eval_set:
        say(f"eval_set {cfg.eval_set} is evaluated by the platform after the run", flush=True)
    lengths = [len(e.input_ids) for e in s.train]
    targets_of = [sum(e.loss_mask) for e in s.train]
    # One process at batch N x b: N processes at b split each batch and sum the gradients.
    batches = BatchOrder(lengths, cfg.batch_size * ranks.world, cfg.seed, epoch, cursor)
    signalled: list[bool] = []
    # SIGTERM (a cancelled job) ends the step in progress, checkpoints, and stops.
    main = threading.current_thread() is threading.main_thread()
    on_term = signal.signal(signal.SIGTERM, lambda *_: signalled.append(True)) if main else None
    start = time.perf_counter() - elapsed0
    win_t, win_tokens, win_losses, loss, last_eval = time.perf_counter(), 0, [], None, None
    reason: StopReason | None = None

    def save() -> None:
        if not ranks.leader:
            return
        ckpt.save_checkpoint(
            s.out_dir,
            step,
            {
                "config": cfg.model_dump(mode="json"),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": {"step": step},
                "step": step,
                "epoch": batches.epoch,
                "cursor": batches.cursor,
                "elapsed_s": time.perf_counter() - start,
                "rng": ckpt.rng_state(),
            },
        )

    model.train()
    try:
        while True:
            # Every rank decides the same: a signal anywhere, rank 0's clock for the budget.
            clock = time.perf_counter() - start if ranks.leader else 0.0
            anyone_signalled, clock = ranks.sum(float(bool(signalled)), clock)
            reason = stop_reason(
                signalled=bool(anyone_signalled), step=step, total_steps=s.total_steps, clock=clock,
                time_budget_s=cfg.time_budget_s,
            )  # fmt: skip
            if reason is not None:
                break
            # The step's global batches, in order; this rank takes its slice of each.
            micro: list[Batch] = []
            targets = tokens = 0
            for _ in range(cfg.gradient_accumulation_steps):
                rows = batches.next()
                targets += sum(targets_of[i] for i in rows)
                tokens += sum(lengths[i] for i in rows)
                mine = rows[ranks.rank :: ranks.world]
                if mine:
                    micro.append(_to(collate([s.train[i] for i in mine], pad), dev))
            progress = clock / cfg.time_budget_s if cfg.time_budget_s else 0.0
            lr = cfg.learning_rate * lr_factor(cfg, step, s.total_steps, progress)
            for group in optimizer.param_groups:
                group["lr"] = lr
            step_loss = 0.0
            for batch in micro:
                loss_t = masked_loss_sum(model, batch, cfg.precision == "bf16") / max(targets, 1)
                loss_t.backward()  # type: ignore[no-untyped-call]
                step_loss += loss_t.item()
            step_loss = ranks.sum_gradients(trainable, step_loss)
            norm = torch.nn.utils.clip_grad_norm_(trainable, cfg.max_grad_norm or math.inf)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            loss = step_loss
            win_tokens += tokens
            win_losses.append(step_loss)
            if not math.isfinite(step_loss):
                raise FloatingPointError(f"loss is {step_loss} at step {step}; lower learning_rate")
            if ranks.leader and (step % cfg.log_every_steps == 0 or step == 1):
                now = time.perf_counter()
                event = {
                    "step": step,
                    "loss": sum(win_losses) / len(win_losses),
                    "lr": lr,
                    "grad_norm": float(norm),
                    "tokens_per_s": win_tokens / (now - win_t),
                    "elapsed_s": now - start,
                    "epoch": batches.epoch,
                }
                log("train", **event)
                print(
                    f"step {step}/{s.total_steps or '?'} loss {event['loss']:.4f} lr {lr:.2e} "
                    f"grad_norm {event['grad_norm']:.3f} tok/s {event['tokens_per_s']:.0f} "
                    f"elapsed {event['elapsed_s']:.1f}s",
                    flush=True,
                )
                win_t, win_tokens, win_losses = now, 0, []
            if ranks.leader and cfg.eval_every_steps and step % cfg.eval_every_steps == 0:
                last_eval = eval_loss(s, s.eval)
                log("eval", step=step, eval_loss=last_eval, elapsed_s=time.perf_counter() - start)
                print(f"eval step {step} eval_loss {last_eval:.4f}", flush=True)
            if cfg.save_every_steps and step % cfg.save_every_steps == 0:
                save()
        save()
        final = None
        if ranks.leader and reason != StopReason.SIGNAL:
            if s.eval and (last_eval is None or step % (cfg.eval_every_steps or step + 1)):
                last_eval = eval_loss(s, s.eval)
                log("eval", step=step, eval_loss=last_eval, elapsed_s=time.perf_counter() - start)
            final = ckpt.save_final(s.out_dir, _mergeable(model), s.tokenizer, cfg)
        elapsed = time.perf_counter() - start
        log("end", step=step, stop_reason=reason, loss=loss, eval_loss=last_eval, elapsed_s=elapsed)
        say(f"stopped at step {step} ({reason}) after {elapsed:.1f}s", flush=True)
        result = TrainResult(step, reason, loss, last_eval, elapsed)
        if ranks.leader:
            records.write_manifest(s.out_dir, manifest.finished(result, final))
        return result
    finally:
        if main:
            signal.signal(signal.SIGTERM, on_term)
        if metrics is not None:
            metrics.close()


def _quiet(*_: Any, **__: Any) -> None:
    """Stands in for printing and metrics on ranks other than 0."""


def _mergeable(model: torch.nn.Module) -> torch.nn.Module:
    """A LoRA model merged into plain weights, so ``final/`` loads with ``from_pretrained``."""
    merge = getattr(model, "merge_and_unload", None)
    if merge is None:
        return model
    merged: torch.nn.Module = merge()
    return merged
