"""Fixed-shape micro-batches for the tunix backend (numpy only).

Every batch has the same ``[batch_size, length]`` shape so XLA compiles the train step once.
The order is a seeded permutation per epoch, so a resumed run replays the same stream (the
Tunix trainer skips the micro-batches it already trained on). A short final batch is filled
with examples from the start of the epoch's order rather than padding rows, because a row with
no real token has an empty attention row.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

from tunix_rt.training.batching import batches_per_epoch
from tunix_rt.training.data import EncodedExample


def batch_length(examples: Sequence[EncodedExample], max_seq_length: int) -> int:
    """The padded length: the longest example rounded up to a multiple of 8, capped."""
    longest = max(len(ex.input_ids) for ex in examples)
    return min(max_seq_length, 8 * math.ceil(longest / 8))


def _stack(
    examples: Sequence[EncodedExample], order: Sequence[int], length: int, pad_id: int
) -> tuple[np.ndarray, np.ndarray, int]:
    tokens = np.full((len(order), length), pad_id, dtype=np.int32)
    mask = np.zeros((len(order), length), dtype=np.int32)
    real = 0
    for row, idx in enumerate(order):
        ex = examples[idx]
        n = min(len(ex.input_ids), length)
        tokens[row, :n] = ex.input_ids[:n]
        mask[row, :n] = ex.loss_mask[:n]
        real += n
    return tokens, mask, real


def epoch_order(n_examples: int, *, seed: int, epoch: int) -> np.ndarray:
    """The seeded shuffle of one epoch."""
    return np.random.default_rng([seed, epoch]).permutation(n_examples)


def iterate(
    examples: Sequence[EncodedExample],
    *,
    batch_size: int,
    length: int,
    pad_id: int,
    seed: int,
    epochs: int | None,
    shuffle: bool = True,
) -> Iterator[tuple[np.ndarray, np.ndarray, int]]:
    """``(tokens, mask, real_tokens)`` micro-batches, for ``epochs`` passes or forever."""
    epoch = 0
    while epochs is None or epoch < epochs:
        order = epoch_order(len(examples), seed=seed, epoch=epoch)
        if not shuffle:
            order = np.arange(len(examples))
        per_epoch = batches_per_epoch(len(examples), batch_size)  # the last one filled
        padded = np.resize(order, per_epoch * batch_size)
        for start in range(0, len(padded), batch_size):
            yield _stack(examples, padded[start : start + batch_size].tolist(), length, pad_id)
        epoch += 1
