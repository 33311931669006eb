"""``metrics.jsonl`` events from the Tunix trainer's hooks, in the torch recipe's schema."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tunix.sft import hooks

from tunix_rt.training.checkpoint import MetricsLog

TRAIN_PREFIX = ""  # PeftTrainer's metrics_prefix for SFT


def last_elapsed(path: Path, until_step: int) -> float:
    """The ``elapsed_s`` of the last event at or before ``until_step`` (0 when none)."""
    if not path.exists():
        return 0.0
    last = 0.0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and doc.get("step", 0) <= until_step and "elapsed_s" in doc:
            last = float(doc["elapsed_s"])
    return last


class MetricsWriter(hooks.TrainingHooks):  # type: ignore[misc]
    """A train event at step 1 and every ``log_every`` updates; an eval event per evaluation.

    Tunix calls ``on_train_step_end`` one step late (it overlaps metric I/O with the next
    step) and the last one from ``close()``; token counts come from the batch ledger, indexed
    by micro-batch, so each event covers exactly the updates since the previous one.
    """

    def __init__(
        self,
        log: MetricsLog,
        *,
        log_every: int,
        accumulation: int,
        micro_per_epoch: int,
        lr_at: Callable[[int], float],
        ledger: list[int],
        elapsed_offset: float,
        before_step: Callable[[Any], None] | None = None,
    ) -> None:
        self.log = log
        self.before_step = before_step
        self.log_every = log_every
        self.accumulation = accumulation
        self.micro_per_epoch = micro_per_epoch
        self.lr_at = lr_at
        self.ledger = ledger
        self.start = time.perf_counter() - elapsed_offset
        self.mark_time = time.perf_counter()
        self.mark_step = 0
        self.window: list[float] = []
        self.paused = 0.0  # seconds spent evaluating since the last train event
        self.eval_started: float | None = None
        self.last_loss: float | None = None
        self.last_eval: float | None = None
        self.last_eval_step = -1

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def write(self, event: str, **fields: Any) -> None:
        """Append one event (with ``elapsed_s``) and echo it on stdout."""
        fields["elapsed_s"] = round(self.elapsed(), 3)
        self.log.write(event, **fields)
        print(json.dumps({"event": event, **fields}), flush=True)

    def on_train_start(self, train_ctx: Any) -> None:
        self.mark_step = int(train_ctx.train_steps)
        self.mark_time = time.perf_counter()

    def on_train_end(self, train_ctx: Any) -> None:
        return None

    def on_train_step_start(self, train_ctx: Any) -> None:
        if self.before_step is not None:
            self.before_step(train_ctx)

    def on_train_step_end(self, train_ctx: Any, train_step: int, train_loss: float) -> None:
        loss = float(train_loss)
        if not math.isfinite(loss):
            raise FloatingPointError(f"loss is {loss} at step {train_step}; lower learning_rate")
        self.window.append(loss)
        self.last_loss = loss
        if train_step % self.log_every and train_step != 1:
            return
        now = time.perf_counter()
        first, last = self.mark_step * self.accumulation, train_step * self.accumulation
        norms = train_ctx.metrics_logger.get_metric_history(TRAIN_PREFIX, "grad_norm", "train")
        self.write(
            "train",
            step=train_step,
            loss=sum(self.window) / len(self.window),
            lr=self.lr_at(train_step - 1),
            grad_norm=float(norms[-1]),
            tokens_per_s=sum(self.ledger[first:last])
            / max(now - self.mark_time - self.paused, 1e-9),
            epoch=(last - 1) // self.micro_per_epoch,
        )
        self.mark_time, self.mark_step, self.paused, self.window = now, train_step, 0.0, []

    def on_eval_step_start(self, train_ctx: Any) -> None:
        if self.eval_started is None:
            self.eval_started = time.perf_counter()

    def on_eval_step_end(self, train_ctx: Any, eval_loss: float) -> None:
        losses = train_ctx.metrics_logger.get_metric_history(TRAIN_PREFIX, "loss", "eval")
        self.record_eval(int(train_ctx.train_steps), float(losses[-1]))
        if self.eval_started is not None:
            # Evaluation time is not training throughput.
            self.paused += time.perf_counter() - self.eval_started
            self.eval_started = None

    def record_eval(self, step: int, loss: float) -> None:
        """Write an eval event (also used for the end-of-run evaluation)."""
        self.last_eval, self.last_eval_step = loss, step
        self.write("eval", step=step, eval_loss=loss)
