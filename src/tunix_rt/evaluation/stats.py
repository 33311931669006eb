"""Statistics of item scores: mean, spread, bootstrap confidence intervals, paired tests (pure).

Every resampling takes an explicit seed, so a scorecard is reproducible bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 2_000
# Resampled values held in memory at once (resamples x items), to bound memory on big sets.
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class Summary:
    """Mean of the scored items with its sample stddev and a percentile-bootstrap 95% CI."""

    n: int
    mean: float | None
    stddev: float | None
    ci_low: float | None
    ci_high: float | None


def stddev(values: Sequence[float]) -> float | None:
    """Sample standard deviation (n - 1); None for fewer than two values."""
    if len(values) < 2:
        return None
    return float(np.std(np.asarray(values, dtype=np.float64), ddof=1))


def _resampled_means(values: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = len(values)
    block = max(1, _BLOCK_CELLS // max(n, 1))
    means = []
    for start in range(0, resamples, block):
        rows = min(block, resamples - start)
        means.append(values[rng.integers(0, n, size=(rows, n))].mean(axis=1))
    return np.concatenate(means)


def bootstrap_ci(
    values: Sequence[float],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile-bootstrap confidence interval of the mean; None for no values."""
    if not values:
        return None
    data = np.asarray(values, dtype=np.float64)
    if len(data) == 1 or np.all(data == data[0]):
        return float(data[0]), float(data[0])
    means = _resampled_means(data, resamples, seed)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def summarize(
    values: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> Summary:
    """Mean, stddev and bootstrap CI of ``values``."""
    if not values:
        return Summary(0, None, None, None, None)
    ci = bootstrap_ci(values, resamples=resamples, seed=seed)
    assert ci is not None
    mean = float(np.mean(np.asarray(values, dtype=np.float64)))
    return Summary(len(values), mean, stddev(values), ci[0], ci[1])


def mcnemar_exact(fixed: int, broken: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts (binomial, p = 1/2)."""
    n = fixed + broken
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(fixed, broken) + 1))
    return min(1.0, 2 * tail / (1 << n))  # exact integers; true division rounds once


def paired_bootstrap_p(
    a: Sequence[float], b: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> float:
    """Two-sided p-value that mean(b - a) = 0, by a paired bootstrap of the item differences.

    The differences are re-centred on zero (the null hypothesis) and resampled; the p-value is
    the share of resampled means at least as far from zero as the observed one.
    """
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    if not a:
        return 1.0
    diffs = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    observed = abs(float(diffs.mean()))
    if observed == 0:
        return 1.0
    centred = diffs - diffs.mean()
    if np.all(centred == 0):
        return 0.0
    means = _resampled_means(centred, resamples, seed)
    extreme = int(np.count_nonzero(np.abs(means) >= observed))
    return (extreme + 1) / (resamples + 1)


def is_binary(values: Sequence[float]) -> bool:
    """All values are 0 or 1."""
    return all(v in (0.0, 1.0) for v in values)


def paired_test(
    a: Sequence[float], b: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> tuple[str, float]:
    """(test name, two-sided p-value): exact McNemar for 0/1 scores, else paired bootstrap."""
    if is_binary(a) and is_binary(b):
        fixed = sum(1 for x, y in zip(a, b, strict=True) if x == 0 and y == 1)
        broken = sum(1 for x, y in zip(a, b, strict=True) if x == 1 and y == 0)
        return "mcnemar_exact", mcnemar_exact(fixed, broken)
    return "paired_bootstrap", paired_bootstrap_p(a, b, resamples=resamples, seed=seed)
