"""Reasoning-budget analytics of one evaluation (pure): accuracy by reasoning length, the
truncation rate, and accuracy at a token budget B as a curve.

At budget B an item whose generation needed more than B tokens counts as truncated and scores
0; the others keep their judged score. An item already truncated by generation stays
truncated. Accuracy is the mean score over the judged items (a judge's skipped items, score
None, are left out as the scorecard leaves them out).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

CURVE_POINTS = 12
BUCKETS = 6


@dataclass(frozen=True)
class BudgetItem:
    """What the analytics need of one item: its generation length, steps, and verdict."""

    tokens: int
    steps: int
    truncated: bool
    score: float | None


class Bucket(BaseModel):
    """Items with ``lo <= length < hi`` and their accuracy (None when none was judged)."""

    lo: int
    hi: int
    n: int
    accuracy: float | None


class CurvePoint(BaseModel):
    """Accuracy at a token budget, and the share of judged items truncated at it."""

    budget: int
    accuracy: float | None
    truncated: float | None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def accuracy_at(items: Sequence[BudgetItem], budget: int | None) -> float | None:
    """Mean score with every item over ``budget`` tokens scored 0 (None: no budget)."""
    judged = [i for i in items if i.score is not None]
    return _mean(
        [0.0 if budget is not None and i.tokens > budget else float(i.score or 0.0) for i in judged]
    )


def truncated_share(items: Sequence[BudgetItem], budget: int | None) -> float | None:
    """Share of judged items truncated by generation or needing more than ``budget`` tokens."""
    judged = [i for i in items if i.score is not None]
    over = [
        1.0 if i.truncated or (budget is not None and i.tokens > budget) else 0.0 for i in judged
    ]
    return _mean(over)


def _width(top: int, buckets: int) -> int:
    """A round bucket width (1, 2, 5 x 10^k) that covers ``top`` in about ``buckets``."""
    raw = max(1.0, top / buckets)
    scale = 10 ** math.floor(math.log10(raw))
    return int(next(m * scale for m in (1, 2, 5, 10) if m * scale >= raw))


def by_length(items: Sequence[BudgetItem], lengths: Sequence[int], buckets: int) -> list[Bucket]:
    """Equal-width buckets over ``lengths`` (one per item), each with its accuracy."""
    if not items:
        return []
    width = _width(max(lengths) + 1, buckets)
    out: list[Bucket] = []
    for lo in range(0, max(lengths) + 1, width):
        inside = [i for i, n in zip(items, lengths, strict=True) if lo <= n < lo + width]
        scores = [float(i.score) for i in inside if i.score is not None]
        out.append(Bucket(lo=lo, hi=lo + width, n=len(inside), accuracy=_mean(scores)))
    return out


def default_budgets(items: Sequence[BudgetItem], points: int = CURVE_POINTS) -> list[int]:
    """Budgets spread from the shortest to the longest generation (both included)."""
    if not items:
        return []
    low, high = min(i.tokens for i in items), max(i.tokens for i in items)
    step = max(1, math.ceil((high - low) / max(points - 1, 1)))
    return sorted({*range(low, high, step), high})


def curve(items: Sequence[BudgetItem], budgets: Sequence[int]) -> list[CurvePoint]:
    """Accuracy and truncation at each budget."""
    return [
        CurvePoint(budget=b, accuracy=accuracy_at(items, b), truncated=truncated_share(items, b))
        for b in sorted(set(budgets))
    ]
