"""``metrics.jsonl`` events from the Tunix trainer's hooks (same schema as the torch recipe)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tunix.sft import hooks

TRAIN_PREFIX = ""  # PeftTrainer's metrics_prefix for SFT


def last_elapsed(path: Path) -> float:
    """The ``elapsed_s`` of the last event in an existing metrics file (0 when none)."""
    if not path.exists():
        return 0.0
    last = 0.0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            last = float(json.loads(line).get("elapsed_s", last))
        except (ValueError, AttributeError):
            continue
    return last


class MetricsWriter(hooks.TrainingHooks):  # type: ignore[misc]
    """Appends a train event every ``log_every`` updates and an eval event per evaluation.

    Tunix calls ``on_train_step_end`` one step late (it overlaps metric I/O with the next
    step) and the last one from ``close()``; token counts come from the batch ledger, indexed
    by micro-batch, so each event covers exactly the updates since the previous one.
    """

    def __init__(
        self,
        path: Path,
        *,
        log_every: int,
        last_step: int | None,
        accumulation: int,
        lr_at: Callable[[int], float],
        ledger: list[int],
        elapsed_offset: float,
    ) -> None:
        self.path = path
        self.log_every = log_every
        self.last_step = last_step
        self.accumulation = accumulation
        self.lr_at = lr_at
        self.ledger = ledger
        self.offset = elapsed_offset
        self.start = time.perf_counter()
        self.mark_time = self.start
        self.mark_step = 0
        self.paused = 0.0  # seconds spent evaluating since the last train event
        self.eval_started: float | None = None
        self.losses: list[float] = []

    def _write(self, event: dict[str, Any]) -> None:
        event["elapsed_s"] = round(self.offset + time.perf_counter() - self.start, 3)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\n")
        print(json.dumps(event), flush=True)

    def on_train_start(self, train_ctx: Any) -> None:
        self.mark_step = int(train_ctx.train_steps)
        self.mark_time = time.perf_counter()

    def on_train_end(self, train_ctx: Any) -> None:
        return None

    def on_train_step_start(self, train_ctx: Any) -> None:
        return None

    def on_train_step_end(self, train_ctx: Any, train_step: int, train_loss: float) -> None:
        loss = float(train_loss)
        self.losses.append(loss)
        if train_step % self.log_every and train_step != self.last_step:
            return
        now = time.perf_counter()
        first, last = self.mark_step * self.accumulation, train_step * self.accumulation
        tokens = sum(self.ledger[first:last])
        norms = train_ctx.metrics_logger.get_metric_history(TRAIN_PREFIX, "grad_norm", "train")
        self._write(
            {
                "event": "train",
                "step": train_step,
                "loss": loss if math.isfinite(loss) else None,
                "lr": self.lr_at(train_step - 1),
                "grad_norm": float(norms[-1]),
                "tokens_per_s": round(tokens / max(now - self.mark_time - self.paused, 1e-9), 1),
            }
        )
        self.mark_time, self.mark_step, self.paused = now, train_step, 0.0

    def on_eval_step_start(self, train_ctx: Any) -> None:
        if self.eval_started is None:
            self.eval_started = time.perf_counter()

    def on_eval_step_end(self, train_ctx: Any, eval_loss: float) -> None:
        losses = train_ctx.metrics_logger.get_metric_history(TRAIN_PREFIX, "loss", "eval")
        self._write(
            {"event": "eval", "step": int(train_ctx.train_steps), "loss": float(losses[-1])}
        )
        if self.eval_started is not None:
            # Evaluation time is not training throughput.
            self.paused += time.perf_counter() - self.eval_started
            self.eval_started = None
