"""What a sweep ranks its trials on, and each finished trial's value of it.

``loss`` is the final training loss (the trial run's ``end`` event, i.e. its last step) and
``eval_loss`` the best (lowest) eval loss the run logged; any other metric is a judge's mean
score on the sweep's eval set. Training losses are read from the finished run, never from the
first logged step (the logging interval can leave a short run with only step 1's loss).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tunix_rt.runs import metrics
from tunix_rt.runs.models import RunMetric

FINAL_LOSS = "loss"
BEST_EVAL_LOSS = "eval_loss"
# Metrics read from the run's own metrics.jsonl; anything else comes from its evaluation.
TRAINING_METRICS = frozenset({FINAL_LOSS, BEST_EVAL_LOSS})
# The metric reported while a trial trains (so ASHA can stop it early).
INTERIM_METRIC = FINAL_LOSS


def definition(metric: str, eval_set: str | None) -> str:
    """The sweep's ranking metric in words (shown with the sweep)."""
    if metric == FINAL_LOSS:
        return "final training loss (the loss at the trial run's last step)"
    if metric == BEST_EVAL_LOSS:
        return "best eval loss (the lowest eval_loss the trial run logged)"
    return f"mean {metric} score on eval set {eval_set}"


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def final_loss(events: Sequence[RunMetric]) -> float | None:
    """The loss of the run's last step: its ``end`` event, else its last ``train`` event."""
    for name in ("end", "train"):
        for event in reversed(events):
            if event.event == name and event.data.get("loss") is not None:
                return _finite(event.data.get("loss"))
    return None


def best_eval_loss(events: Sequence[RunMetric]) -> float | None:
    """The lowest finite ``eval_loss`` of the run's ``eval`` events."""
    found = [_finite(e.data.get("eval_loss")) for e in events if e.event == "eval"]
    values = [v for v in found if v is not None]
    return min(values) if values else None


async def training_metric(*, session: AsyncSession, run_id: uuid.UUID, metric: str) -> float | None:
    """A finished trial run's value of ``loss`` or ``eval_loss``."""
    events = await metrics.read_metrics(session=session, run_id=run_id)
    return final_loss(events) if metric == FINAL_LOSS else best_eval_loss(events)
