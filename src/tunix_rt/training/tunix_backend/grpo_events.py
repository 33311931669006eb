"""The tunix GRPO run's ``metrics.jsonl`` train events (TRL's names) and ``samples.jsonl``.

Tunix reports a finished update to the training hooks one update late (it overlaps the metric
I/O with the next step) and the last one from ``close()``; by then every rollout of that step
is in the ``Recorder``, and the trainer's loss, KL, entropy and gradient norm are in its
metrics logger, so each event is written whole, once.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from tunix.sft import hooks

from tunix_rt.training.checkpoint import MetricsLog
from tunix_rt.training.rl.samples import Completion, PromptSamples, SamplesLog
from tunix_rt.training.tunix_backend.grpo_learner import Recorder, Rollout

ACTOR = "actor"  # the metrics prefix of RLCluster's actor trainer


@dataclass(frozen=True)
class EventSettings:
    """What the events need from the config."""

    generations: int
    max_new_tokens: int
    log_every: int
    samples_every: int
    samples_prompts: int
    beta: float


def _mean_std(values: list[float]) -> tuple[float, float]:
    arr = np.asarray(values, dtype=np.float64)
    return float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else 0.0


def reward_metrics(rollouts: list[Rollout], generations: int) -> dict[str, Any]:
    """reward, reward_std, rewards/<judge>/{mean,std}, frac_reward_zero_std, lengths."""
    total = [r for ro in rollouts for r in ro.total]
    groups = np.asarray(total).reshape(-1, generations)
    stds = groups.std(axis=1, ddof=1)
    zero = [z for ro in rollouts for z in ro.zero_std]
    out: dict[str, Any] = {
        "reward": float(np.mean(total)),
        "reward_std": float(stds.mean()),
        "frac_reward_zero_std": sum(zero) / len(zero),
        "kept_groups": len(zero) - sum(zero),
    }
    for key in rollouts[0].scores:
        mean, std = _mean_std([s for ro in rollouts for s in ro.scores[key]])
        out[f"rewards/{key}/mean"], out[f"rewards/{key}/std"] = mean, std
    return out


def length_metrics(rollouts: list[Rollout], max_new_tokens: int) -> dict[str, Any]:
    """TRL's ``completions/*`` from the completion lengths (the end-of-turn token excluded)."""
    lengths = np.asarray([n for ro in rollouts for n in ro.lengths], dtype=np.float64)
    clipped = lengths >= max_new_tokens
    ended = lengths[~clipped]
    seconds = sum(ro.rollout_s for ro in rollouts)
    return {
        "completions/mean_length": float(lengths.mean()),
        "completions/min_length": float(lengths.min()),
        "completions/max_length": float(lengths.max()),
        "completions/mean_terminated_length": float(ended.mean()) if ended.size else 0.0,
        "completions/clipped_ratio": float(clipped.mean()),
        "rollout_s": seconds,
        "rollout_tokens_per_s": float(lengths.sum()) / max(seconds, 1e-9),
    }


def step_samples(
    step: int,
    rollouts: list[Rollout],
    settings: EventSettings,
    first_wrong: Callable[[Rollout], list[int | None]],
) -> list[PromptSamples]:
    """The first ``samples_prompts`` prompts of the step with their G scored completions."""
    generations, keep = settings.generations, settings.samples_prompts
    out: list[PromptSamples] = []
    for ro in rollouts:
        wrong = first_wrong(ro)
        for k in range(len(ro.texts) // generations):
            if len(out) >= keep:
                return out
            rows = range(k * generations, (k + 1) * generations)
            comps = [
                Completion(
                    text=ro.texts[r],
                    rewards={key: v[r] for key, v in ro.scores.items()},
                    reward=ro.total[r],
                    advantage=ro.advantages[r],
                    first_wrong_step=wrong[r],
                    tokens=ro.lengths[r],
                    clipped=ro.lengths[r] >= settings.max_new_tokens,
                )
                for r in rows
            ]
            first = k * generations
            out.append(
                PromptSamples(
                    step,
                    str(ro.columns["id"][first]),
                    str(ro.columns["question"][first]),
                    str(ro.columns["expected_answer"][first]),
                    comps,
                )
            )
    return out


class StepEvents(hooks.TrainingHooks):  # type: ignore[misc]
    """Writes one train event per logged step and the kept samples, as Tunix reports updates."""

    def __init__(
        self,
        *,
        recorder: Recorder,
        log: MetricsLog,
        samples: SamplesLog,
        settings: EventSettings,
        lr_at: Callable[[int], float],
        ledger: dict[int, tuple[int, list[str]]],
        elapsed_offset: float,
        before_step: Callable[[Any], None] | None = None,
    ) -> None:
        self.recorder = recorder
        self.log = log
        self.samples = samples
        self.settings = settings
        self.lr_at = lr_at
        self.ledger = ledger
        self.before_step = before_step
        self.start = time.perf_counter() - elapsed_offset
        self.last_loss: float | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def write(self, event: str, **fields: Any) -> None:
        """Append one event (with ``elapsed_s``) and echo it on stdout."""
        fields["elapsed_s"] = round(self.elapsed(), 3)
        self.log.write(event, **fields)
        print(json.dumps({"event": event, **fields}), flush=True)

    def on_train_start(self, train_ctx: Any) -> None:
        return None

    def on_train_end(self, train_ctx: Any) -> None:
        return None

    def on_train_step_start(self, train_ctx: Any) -> None:
        if self.before_step is not None:
            self.before_step(train_ctx)

    def on_eval_step_start(self, train_ctx: Any) -> None:
        return None

    def on_eval_step_end(self, train_ctx: Any, eval_loss: float) -> None:
        return None

    def on_train_step_end(self, train_ctx: Any, train_step: int, train_loss: float) -> None:
        loss = float(train_loss)
        if not math.isfinite(loss):
            raise FloatingPointError(f"loss is {loss} at step {train_step}; lower learning_rate")
        self.last_loss = loss
        s = self.settings
        rollouts = self.recorder.by_step.pop(train_step, [])
        if not rollouts:
            return
        nxt = self.recorder.by_step.get(train_step + 1)
        ended = nxt[0].started if nxt else time.perf_counter()
        if s.samples_prompts and (train_step % s.samples_every == 0 or train_step == 1):
            entries = step_samples(train_step, rollouts, s, self.recorder.first_wrong)
            self.samples.write(entries)
        if train_step % s.log_every and train_step != 1:
            return
        epoch, prompt_ids = self.ledger.get(train_step, (0, []))
        event: dict[str, Any] = {
            "step": train_step,
            "loss": loss,
            **reward_metrics(rollouts, s.generations),
            **length_metrics(rollouts, s.max_new_tokens),
            **self._trainer_metrics(train_ctx, train_step),
            "num_tokens": int(sum(sum(ro.lengths) + ro.prompt_tokens for ro in rollouts)),
            "step_time": ended - rollouts[0].started,
            "epoch": epoch,
            "prompt_ids": prompt_ids,
        }
        self.write("train", **event)

    def _trainer_metrics(self, trainer: Any, step: int) -> dict[str, Any]:
        logger = trainer.metrics_logger

        def last(name: str) -> float:
            return float(logger.get_metric_history(ACTOR, name, "train")[-1])

        out = {
            "lr": self.lr_at(step - 1),
            "grad_norm": last("grad_norm"),
            "entropy": last("entropy"),
            "clip_ratio/region_mean": last("pg_clipfrac"),
        }
        if self.settings.beta > 0:
            out["kl"] = last("kl")
        return out
